"""Demands from CSV text: a header naming options (plus optional ``id`` and ``weight``), one
demand per row, an empty cell for an option left open.

Every bad row is reported with its line number and the reason, never silently dropped; the
good rows are returned alongside so the caller decides whether to go on without the bad ones.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass

from c2m.engines.aggregation.demand import Demand, demand_problems
from c2m.engines.configurator import BooleanOption, CompiledTemplate, NumberOption, Value

ID, WEIGHT = "id", "weight"
YES = {"yes", "true", "1", "y"}
NO = {"no", "false", "0", "n"}


class DemandFileError(ValueError):
    """The file cannot be read as demands at all (no header, unknown columns)."""


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int  # 1-based, the header is line 1
    message: str


@dataclass(frozen=True, slots=True)
class DemandFile:
    demands: tuple[Demand, ...]
    lines: tuple[int, ...]  # the line each demand was read from
    bad_rows: tuple[BadRow, ...]


def read_demands(lines: Iterable[str], compiled: CompiledTemplate) -> DemandFile:
    reader = csv.reader(lines)
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise DemandFileError("The file is empty: the first line must name the columns.")
    unknown = [n for n in header if n not in compiled.index and n not in (ID, WEIGHT)]
    if unknown:
        known = ", ".join(compiled.index)
        raise DemandFileError(
            f"Line 1: {', '.join(map(repr, unknown))} is not an option of "
            f"{compiled.template.name} (its options: {known}; also id and weight)."
        )
    if len(set(header)) != len(header):
        raise DemandFileError("Line 1: a column is named twice.")
    demands: list[Demand] = []
    lines_read: list[int] = []
    bad: list[BadRow] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        try:
            demand = _demand(header, row, line, compiled)
        except ValueError as error:
            bad.append(BadRow(line, str(error)))
            continue
        problems = demand_problems(compiled, demand)
        if demand.id in seen:
            problems.append(f"the id {demand.id!r} is used by an earlier row")
        if problems:
            bad.append(BadRow(line, "; ".join(problems)))
            continue
        seen.add(demand.id)
        demands.append(demand)
        lines_read.append(line)
    return DemandFile(tuple(demands), tuple(lines_read), tuple(bad))


def _demand(header: list[str], row: list[str], line: int, compiled: CompiledTemplate) -> Demand:
    if len(row) != len(header):
        raise ValueError(f"{len(row)} fields where the header has {len(header)}")
    cells = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
    values: dict[str, Value] = {}
    for name, cell in cells.items():
        if name in (ID, WEIGHT) or not cell:
            continue
        values[name] = _value(compiled, name, cell)
    weight = _number(WEIGHT, cells[WEIGHT]) if cells.get(WEIGHT) else 1.0
    return Demand(cells.get(ID) or f"line {line}", values, weight)


def _value(compiled: CompiledTemplate, name: str, cell: str) -> Value:
    option = compiled.domains[compiled.index[name]].option
    if isinstance(option, NumberOption):
        return _number(name, cell)
    if isinstance(option, BooleanOption):
        if cell.lower() in YES:
            return True
        if cell.lower() in NO:
            return False
        raise ValueError(f"{name} must be yes or no, not {cell!r}")
    return cell


def _number(name: str, cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {cell!r}") from None
