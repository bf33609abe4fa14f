"""Passports as linked data: the JSON-LD contexts they name ship inside the package, and a pyld
document loader serves only those, so expanding a passport never touches the network.

The W3C context keeps its URL (the VC 2.0 data model requires it first) and is served from our
own file mapping the terms a passport uses to the IRIs the specification gives them. The c2m
context maps UNTP's DigitalProductPassport terms to UNTP's vocabulary IRIs and our few additions
to ``urn:c2m:vocab:`` terms; each platform also publishes it at ``<base URL>/contexts/<name>``,
so any JSON-LD processor can resolve it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DPP_CONTEXT_NAME = "c2m-dpp-v1.jsonld"
CONTEXTS_PATH = "/contexts/"
#: Where a term nobody defined lands under the VC 2.0 context's ``@vocab``: an undefined term.
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"

_VC_FILE = "credentials-v2.jsonld"
_PUBLISHED = {DPP_CONTEXT_NAME}  # what a platform serves under CONTEXTS_PATH


class UnknownContext(LookupError):
    """A context the package does not ship; it is never fetched."""


def dpp_context_url(base_url: str) -> str:
    """Where a platform at ``base_url`` publishes the c2m passport context."""
    return f"{base_url.rstrip('/')}{CONTEXTS_PATH}{DPP_CONTEXT_NAME}"


@cache
def shipped(name: str) -> str:
    """The text of a shipped context file by its name; UnknownContext for any other name."""
    if name not in _PUBLISHED | {_VC_FILE}:
        raise UnknownContext(name)
    return files("c2m.engines.credentials").joinpath("contexts", name).read_text()


def context_name(url: str) -> str:
    """The shipped file a context URL names; UnknownContext when it names none."""
    if url == VC_CONTEXT:
        return _VC_FILE
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if not path.endswith(CONTEXTS_PATH + name) or name not in _PUBLISHED:
        raise UnknownContext(
            f"{url} is not a context c2m ships; passports are expanded without a network"
        )
    return name


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the shipped file for a known context URL, an error otherwise."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(shipped(context_name(url))),
    }


def expand(document: Mapping[str, Any], dropped: list[str] | None = None) -> list[Any]:
    """``document`` in JSON-LD expanded form; ``dropped`` collects the keys pyld ignored."""
    from pyld import jsonld  # loaded when a passport is read as linked data

    def note(term: str | None) -> None:
        if dropped is not None:
            dropped.append(str(term))

    expanded: list[Any] = jsonld.expand(
        dict(document), {"documentLoader": document_loader}, on_property_dropped=note
    )
    return expanded


def undefined_terms(document: Mapping[str, Any]) -> list[str]:
    """Terms of ``document`` its contexts do not define: dropped on expansion, or left to the
    issuer-dependent vocabulary, which means the same to nobody else."""
    dropped: list[str] = []
    expanded = expand(document, dropped)
    return sorted(set(dropped) | set(_issuer_dependent(expanded)))


def _issuer_dependent(node: Any) -> list[str]:
    if isinstance(node, list):
        return [term for item in node for term in _issuer_dependent(item)]
    if not isinstance(node, dict):
        return []
    found = [key.removeprefix(ISSUER_DEPENDENT) for key in node if key.startswith(ISSUER_DEPENDENT)]
    types = node.get("@type", [])
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str) and kind.startswith(ISSUER_DEPENDENT):
            found.append(kind.removeprefix(ISSUER_DEPENDENT))
    values = (value for key, value in node.items() if key != "@value")
    return found + [term for value in values for term in _issuer_dependent(value)]
