"""``c2m passport``: verify a unit's passport, rotate the key that signs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from c2m.bootstrap import configure
from c2m.cli.errors import fail, guarded
from c2m.domains.traceability.keys import KeyRing, did_document_url
from c2m.engines.credentials import ProofError

passport_app = typer.Typer(help="Digital product passports: verify one, rotate the signing key.")
console = Console()


def register(app: typer.Typer) -> None:
    app.add_typer(passport_app, name="passport", no_args_is_help=True)


def _json(source: str, what: str) -> dict[str, Any]:
    """A JSON object from a file or an http(s) URL; one sentence and exit 2 otherwise."""
    try:
        if source.startswith(("http://", "https://")):
            answer = httpx.get(source, headers={"Accept": "application/json"}, timeout=10)
            if answer.status_code != 200:
                fail(f"{source} answered {answer.status_code} for the {what}.")
            text = answer.text
        else:
            text = Path(source).read_text()
        loaded = json.loads(text)
    except httpx.HTTPError as exc:
        fail(f"Cannot fetch the {what} from {source}: {exc}.")
    except OSError as exc:
        fail(f"Cannot read the {what} {source}: {exc.strerror}.")
    except ValueError:
        fail(f"The {what} at {source} is not JSON.")
    if not isinstance(loaded, dict):
        fail(f"The {what} at {source} is not a JSON object.")
    return loaded


@passport_app.command("verify")
@guarded
def verify_command(
    source: Annotated[str, typer.Argument(help="The passport: a JSON file or its URL.")],
    did_document: Annotated[
        str | None,
        typer.Option(
            "--did-document",
            help="The issuer's did.json (file or URL) instead of resolving its did:web.",
        ),
    ] = None,
) -> None:
    """Exit 0 with a one-line summary when the signature and the issuer's key hold; exit 2
    with the reason otherwise."""
    from c2m.domains.traceability.verification import check, issuer_of  # loads cryptography

    credential = _json(source, "passport")
    try:
        keys = _json(did_document or did_document_url(issuer_of(credential)), "key document")
        verified = check(credential, keys)
    except ProofError as exc:
        fail(f"The passport does not verify: {exc}.")
    console.print(verified.summary(), soft_wrap=True)


@passport_app.command("rotate-key")
@guarded
def rotate_command() -> None:
    """Sign new passports with a new key; passports signed earlier still verify."""
    settings = configure()
    key = KeyRing.open(settings.data_dir).rotate()
    console.print(f"New passports are signed with {key.id}; earlier keys stay published.")
