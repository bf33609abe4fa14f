"""Design-for-manufacturing rules: each finding names its rule, severity and reason. A blocking
finding means a person must look at the part; the quote then offers manual review, no price."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from c2m.engines.costing.tables import Process, ProcessSpec
from c2m.engines.geometry.measures import Analysis

SUPPORT_INFO_AREA = 1.0  # mm2: below this overhangs are noise


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    BLOCKING = "blocking"


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    reason: str


def check(analysis: Analysis, spec: ProcessSpec) -> list[Finding]:
    found: list[Finding] = []
    if not analysis.valid_solid:
        found.append(Finding(
            "not_solid", Severity.BLOCKING, f"Not a closed solid: {analysis.problem}.",
            "Only a closed, consistently oriented surface has a volume to make and to price.",
        ))  # fmt: skip
    if not fits(analysis.size, spec.envelope):
        found.append(Finding(
            "too_large", Severity.BLOCKING,
            f"{_dims(analysis.size)} mm does not fit the largest {spec.process.value.upper()} "
            f"machine ({_dims(spec.envelope)} mm) in any orientation.",
            "A part must fit the build volume or work envelope of a capable machine.",
        ))  # fmt: skip
    if analysis.needs_confirmation:
        found.append(Finding(
            "units", Severity.WARNING,
            f"Read as {analysis.unit.value} ({analysis.units_reason}); please confirm the units.",
            "Files carry no units; a wrong guess scales the price by up to a billion.",
        ))  # fmt: skip
    if analysis.min_wall is not None and analysis.min_wall < spec.min_wall:
        found.append(Finding(
            "thin_walls", Severity.WARNING,
            f"Walls down to {analysis.min_wall:.2f} mm; {spec.process.value.upper()} needs "
            f"{spec.min_wall:g} mm.",
            "Walls below the process minimum break, warp or do not form.",
        ))  # fmt: skip
    if analysis.min_gap is not None and analysis.min_gap < spec.min_feature:
        found.append(Finding(
            "small_features", Severity.WARNING,
            f"Gaps or details down to {analysis.min_gap:.2f} mm; the process resolves "
            f"{spec.min_feature:g} mm.",
            "Features below the process tolerance fuse, close up or cannot be reached by a tool.",
        ))  # fmt: skip
    if spec.supports and analysis.overhang_area > SUPPORT_INFO_AREA:
        found.append(Finding(
            "overhangs", Severity.INFO,
            f"{analysis.overhang_area / 100:.1f} cm2 overhang more than 45 degrees and will be "
            "printed on supports (priced in).",
            "Surfaces facing down need supports, which leave marks where they are removed.",
        ))  # fmt: skip
    found.extend(_bodies(analysis, spec))
    return found


def _bodies(analysis: Analysis, spec: ProcessSpec) -> list[Finding]:
    found: list[Finding] = []
    if analysis.bodies > 1 and spec.process is Process.CNC:
        found.append(Finding(
            "several_bodies", Severity.BLOCKING,
            f"{analysis.bodies} separate bodies in one file.",
            "A machined part comes from one piece of stock; upload each part separately.",
        ))  # fmt: skip
    elif analysis.bodies > 1:
        found.append(Finding(
            "several_bodies", Severity.INFO,
            f"{analysis.bodies} separate bodies, made and priced together as one set.",
            "Every body in the file is produced; upload separate parts separately.",
        ))  # fmt: skip
    if analysis.overlapping_bodies:
        found.append(Finding(
            "overlapping_bodies", Severity.WARNING,
            "Bodies overlap; they are fused and their shared volume counted once.",
            "Overlapping shells are one piece of material when made.",
        ))  # fmt: skip
    if analysis.inverted_bodies or not analysis.winding_consistent:
        found.append(Finding(
            "orientation_repaired", Severity.INFO,
            "Some triangles faced inwards and were turned around.",
            "Inside-out faces confuse slicers and CAM; the repaired mesh is what is made.",
        ))  # fmt: skip
    return found


def fits(size: tuple[float, float, float], envelope: tuple[float, float, float]) -> bool:
    """Axis-aligned rotations only: sorted sides against sorted sides."""
    return all(a <= b for a, b in zip(sorted(size), sorted(envelope), strict=True))


def _dims(values: tuple[float, float, float]) -> str:
    return " x ".join(f"{value:.1f}" for value in values)
