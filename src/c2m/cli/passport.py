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


LINK_TIMEOUT = 5.0  # seconds a link may take to answer


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _json(source: str, what: str, token: str | None = None) -> dict[str, Any]:
    """A JSON object from a file or an http(s) URL; one sentence and exit 2 otherwise."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        if _is_url(source):
            answer = httpx.get(source, headers=headers, timeout=10)
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


def _check_links(found: list[tuple[str, str]]) -> None:
    """Each link answers without an error within LINK_TIMEOUT; one sentence and exit 2 naming
    the first that does not."""
    for what, url in found:
        try:
            answer = httpx.get(url, timeout=LINK_TIMEOUT, follow_redirects=True)
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            fail(f"The passport's {what} link {url} does not resolve: {reason}.")
        if answer.status_code >= 400:
            fail(f"The passport's {what} link {url} is broken: it answered {answer.status_code}.")


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
    links: Annotated[
        bool | None,
        typer.Option(
            "--links/--no-links",
            help="Check that the passport's links resolve; the default for a URL, not a file.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="C2M_TOKEN",
            help="An API token of the unit's owner or an authority, to fetch a passport URL.",
        ),
    ] = None,
) -> None:
    """Exit 0 with a one-line summary when the signature, the issuer's key and the passport's
    links hold; exit 2 with the reason otherwise. A file with ``--did-document did.json`` is
    checked with no network at all."""
    from c2m.domains.traceability import verification  # loads cryptography

    credential = _json(source, "passport", token)
    try:
        issuer = verification.issuer_of(credential)
        keys = _json(did_document or did_document_url(issuer), "key document")
        verified = verification.check(credential, keys)
    except ProofError as exc:
        fail(f"The passport does not verify: {exc}.")
    summary = verified.summary()
    if links if links is not None else _is_url(source):
        found = verification.links(credential)
        _check_links(found)
        summary += f"; its {len(found)} links resolve"
    console.print(summary, soft_wrap=True)


@passport_app.command("rotate-key")
@guarded
def rotate_command() -> None:
    """Sign new passports with a new key; passports signed earlier still verify."""
    settings = configure()
    key = KeyRing.open(settings.data_dir).rotate()
    console.print(f"New passports are signed with {key.id}; earlier keys stay published.")
