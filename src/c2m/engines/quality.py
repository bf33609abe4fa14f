"""Inspection results judged against the dimensions a configuration asks for, told in words.

A template declares what its inspection step measures (nominal value and tolerance, formulas of
the configuration); a machine reports only what it measured. The platform compares the two here,
so a machine never decides by itself whether a customer's product is good enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tolerance:
    """One dimension to check on every piece: ``nominal ± tolerance``, in ``unit``."""

    name: str
    label: str
    nominal: float
    tolerance: float
    unit: str


@dataclass(frozen=True, slots=True)
class Reading:
    """One value a machine measured on piece ``piece`` (1..quantity)."""

    name: str
    value: float
    piece: int = 1


@dataclass(frozen=True, slots=True)
class Checked:
    """A dimension of one piece with what was measured (None: it was not)."""

    tolerance: Tolerance
    value: float | None

    @property
    def within(self) -> bool:
        if self.value is None:
            return False
        return abs(self.value - self.tolerance.nominal) <= self.tolerance.tolerance + _EPSILON

    @property
    def words(self) -> str:
        """ "Door gap 3.1 mm, within 3.0 ± 0.5 mm"; "Sleeve length 66.2 cm, 1.2 cm over
        tolerance"; "Door gap not measured"."""
        t = self.tolerance
        if self.value is None:
            return f"{t.label} not measured"
        places = decimals(t.nominal, t.tolerance, self.value)
        shown = f"{t.label} {self.value:.{places}f}{_unit(t.unit)}"
        if self.within:
            return (
                f"{shown}, within {t.nominal:.{places}f} ± {t.tolerance:.{places}f}{_unit(t.unit)}"
            )
        off = self.value - t.nominal
        beyond = abs(off) - t.tolerance
        side = "over" if off > 0 else "under"
        return f"{shown}, {beyond:.{places}f}{_unit(t.unit)} {side} tolerance"


@dataclass(frozen=True, slots=True)
class PieceResult:
    piece: int
    checks: tuple[Checked, ...]

    @property
    def passed(self) -> bool:
        return all(check.within for check in self.checks)


@dataclass(frozen=True, slots=True)
class Verdict:
    """An inspection of every piece of a work order."""

    pieces: tuple[PieceResult, ...]

    @property
    def passed(self) -> bool:
        return all(piece.passed for piece in self.pieces)

    @property
    def words(self) -> str:
        """What the timeline says: the failures when there are any, else every check of the
        first piece (and how many more passed)."""
        failed = [p for p in self.pieces if not p.passed]
        if failed:
            told = [
                _on_piece(p, check.words, len(self.pieces))
                for p in failed
                for check in p.checks
                if not check.within
            ]
            return "; ".join(told[:MAX_TOLD]) + _more(len(told))
        if not self.pieces:
            return "Nothing to measure"
        first = "; ".join(check.words for check in self.pieces[0].checks)
        others = len(self.pieces) - 1
        return first + (f" (and {others} more pieces within tolerance)" if others else "")


MAX_TOLD = 3
"""Failures named on one timeline line; the rest are counted."""
_EPSILON = 1e-9
"""Values are decimals read as binary floats: 3.5 against 3.0 ± 0.5 is within."""


def judge(tolerances: Iterable[Tolerance], readings: Iterable[Reading], pieces: int) -> Verdict:
    """Every piece's readings against the tolerances; a dimension not reported fails."""
    wanted = tuple(tolerances)
    measured: dict[tuple[int, str], float] = {(r.piece, r.name): r.value for r in readings}
    return Verdict(
        tuple(
            PieceResult(piece, tuple(Checked(t, measured.get((piece, t.name))) for t in wanted))
            for piece in range(1, pieces + 1)
        )
    )


def tolerances_of(rows: Iterable[Mapping[str, object]]) -> tuple[Tolerance, ...]:
    """Tolerances from their JSON form (a job document's ``inspection``)."""
    return tuple(
        Tolerance(
            name=str(row["name"]),
            label=str(row.get("label") or row["name"]),
            nominal=float(str(row["nominal"])),
            tolerance=float(str(row["tolerance"])),
            unit=str(row.get("unit") or ""),
        )
        for row in rows
    )


def decimals(*values: float) -> int:
    """Decimals enough for the finest of the values (at most three)."""
    for places in range(4):
        if all(abs(round(v, places) - v) < 1e-9 for v in values):
            return places
    return 3


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _on_piece(piece: PieceResult, words: str, pieces: int) -> str:
    return f"piece {piece.piece}: {words}" if pieces > 1 else words


def _more(told: int) -> str:
    return f" and {told - MAX_TOLD} more out of tolerance" if told > MAX_TOLD else ""
