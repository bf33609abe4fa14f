"""How a factory step is named to the customer: "Cut panels" on a ``sheet-cut`` machine reads
"Cutting panels", a bare "Inspect" reads "Checking the quality".

A small vocabulary (docs/order-states.md lists it) rather than free text from the machines: the
routing's operation names are written by the micro-enterprise for its own people, so the leading
verbs become what is happening now, and a step named by a verb alone (or by a process code)
is named after what its capability does.
"""

from __future__ import annotations

from itertools import pairwise

#: The verbs routings start their operation names with, as what is happening now.
VERBS: dict[str, str] = {
    "assemble": "Assembling",
    "bend": "Bending",
    "check": "Checking",
    "cut": "Cutting",
    "drill": "Drilling",
    "embroider": "Embroidering",
    "engrave": "Engraving",
    "fit": "Fitting",
    "foam": "Foaming",
    "fold": "Folding",
    "inspect": "Inspecting",
    "make": "Making",
    "mill": "Milling",
    "pack": "Packing",
    "paint": "Painting",
    "polish": "Polishing",
    "print": "Printing",
    "sew": "Sewing",
    "weld": "Welding",
}

#: What a machine with each capability of the machine contract does, for a step with no words.
CAPABILITY_WORDS: dict[str, str] = {
    "sheet-cut": "Cutting the parts",
    "cnc-mill": "Milling your part",
    "fdm-print": "3D printing your part",
    "sla-print": "3D printing your part in resin",
    "sls-print": "3D printing your part in nylon",
    "sew": "Sewing",
    "foam-inject": "Insulating with foam",
    "assemble": "Assembling",
    "inspect": "Checking the quality",
    "pack": "Packing",
}


def step_title(name: str, capability: str | None = None) -> str:
    """The customer's words for one step, from its operation name and capability."""
    words = name.split()
    if not words or words[0].lower() not in VERBS:
        return CAPABILITY_WORDS.get(capability or "", name)
    if len(words) == 1 or words[1].startswith("("):  # "Inspect", "Make (FDM, PLA)"
        verb = words[0].lower()
        return CAPABILITY_WORDS.get(capability or verb, VERBS[verb])
    said = [VERBS[words[0].lower()]]
    for before, word in pairwise(words):
        joined = VERBS.get(word.lower()) if before.lower() == "and" else None
        said.append(joined.lower() if joined else word)
    return " ".join(said)
