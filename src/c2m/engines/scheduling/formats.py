"""Instance files: the standard job-shop format, Taillard's, Brandimarte's flexible format, the
benchmark JSON (one record per operation) and c2m's own JSON; schedules are written as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from c2m.engines.scheduling.model import (
    Assignment,
    Instance,
    InstanceError,
    Job,
    Mode,
    Operation,
    Window,
)
from c2m.engines.scheduling.objective import Metrics

INSTANCE_FORMAT = "c2m-scheduling-instance/1"
SCHEDULE_FORMAT = "c2m-schedule/1"


class FormatError(ValueError):
    """The file cannot be read as a scheduling instance; the message says where and why."""


def read_instance(path: Path) -> Instance:
    """Read any supported format, recognised by content (and the .json suffix)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read the file ({exc})") from exc
    try:
        if path.suffix.lower() == ".json":
            return parse_json(text, path.stem)
        return parse_text(text, path.stem)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from exc
    except InstanceError as exc:
        raise FormatError(f"{path}: inconsistent instance: {exc}") from exc


# -- text formats --------------------------------------------------------------------------


class _Tokens:
    """Integers of a text file with their line numbers, for errors that point somewhere."""

    def __init__(self, text: str) -> None:
        self.rows: list[tuple[int, list[str]]] = []
        self.labelled = False  # Taillard's original files name their sections
        for number, line in enumerate(text.splitlines(), start=1):
            words = line.replace(",", " ").split()
            if words and words[0][0].isalpha():
                self.labelled = True
            elif words:
                self.rows.append((number, words))
        self.row = 0

    def line(self, expected: int | None = None) -> list[int]:
        if self.row >= len(self.rows):
            raise FormatError("the file ends too early")
        number, words = self.rows[self.row]
        self.row += 1
        try:
            values = [int(w) for w in words]
        except ValueError:
            raise FormatError(
                f"line {number}: expected whole numbers, got {' '.join(words)!r}"
            ) from None
        if expected is not None and len(values) != expected:
            raise FormatError(f"line {number}: expected {expected} numbers, found {len(values)}")
        return values

    def peek_width(self) -> int:
        return len(self.rows[self.row][1]) if self.row < len(self.rows) else 0

    def at(self) -> int:
        return self.rows[self.row - 1][0]


def parse_text(text: str, name: str) -> Instance:
    tokens = _Tokens(text)
    if not tokens.rows:
        raise FormatError("the file is empty")
    n, m = _header(tokens)
    if tokens.labelled or tokens.peek_width() == m:
        return _taillard(tokens, n, m, name)
    if len(tokens.rows[0][1]) == 3:
        return _brandimarte(tokens, n, m, name)
    return _standard(tokens, n, m, name)


def _header(tokens: _Tokens) -> tuple[int, int]:
    number, words = tokens.rows[0]
    tokens.row = 1
    try:
        n, m = int(words[0]), int(words[1])
    except (ValueError, IndexError):
        raise FormatError(f"line {number}: the header must start with `jobs machines`") from None
    if n < 1 or m < 1:
        raise FormatError(f"line {number}: need at least one job and one machine")
    return n, m


def _chain(job: int, first: int, modes: Sequence[tuple[Mode, ...]]) -> list[Operation]:
    return [
        Operation(job=job, modes=ms, predecessors=(first + k - 1,) if k else ())
        for k, ms in enumerate(modes)
    ]


def _machine(tokens: _Tokens, value: int, m: int, base: int) -> int:
    if not base <= value < m + base:
        raise FormatError(
            f"line {tokens.at()}: machine {value} is not between {base} and {m - 1 + base}"
        )
    return value - base


def _build(name: str, m: int, ops: list[Operation]) -> Instance:
    jobs = max((op.job for op in ops), default=-1) + 1
    return Instance(
        machines=tuple(f"M{k}" for k in range(m)),
        jobs=tuple(Job(name=f"J{j}") for j in range(jobs)),
        operations=tuple(ops),
        name=name,
    )


def _standard(tokens: _Tokens, n: int, m: int, name: str) -> Instance:
    ops: list[Operation] = []
    for job in range(n):
        values = tokens.line()
        if len(values) % 2:
            raise FormatError(f"line {tokens.at()}: expected `machine duration` pairs")
        modes = [
            (Mode(_machine(tokens, values[k], m, 0), values[k + 1]),)
            for k in range(0, len(values), 2)
        ]
        ops += _chain(job, len(ops), modes)
    return _build(name, m, ops)


def _taillard(tokens: _Tokens, n: int, m: int, name: str) -> Instance:
    times = [tokens.line(m) for _ in range(n)]
    ops: list[Operation] = []
    for job in range(n):
        machines = [_machine(tokens, v, m, 1) for v in tokens.line(m)]
        modes = [(Mode(k, d),) for k, d in zip(machines, times[job], strict=True)]
        ops += _chain(job, len(ops), modes)
    return _build(name, m, ops)


def _brandimarte(tokens: _Tokens, n: int, m: int, name: str) -> Instance:
    ops: list[Operation] = []
    for job in range(n):
        values = tokens.line()
        modes: list[tuple[Mode, ...]] = []
        k = 1
        try:
            for _ in range(values[0]):
                count = values[k]
                pairs = values[k + 1 : k + 1 + 2 * count]
                if len(pairs) != 2 * count:
                    raise IndexError
                modes.append(
                    tuple(
                        Mode(_machine(tokens, pairs[p], m, 1), pairs[p + 1])
                        for p in range(0, len(pairs), 2)
                    )
                )
                k += 1 + 2 * count
        except IndexError:
            raise FormatError(
                f"line {tokens.at()}: the operation list of job {job} is cut short"
            ) from None
        if k != len(values):
            raise FormatError(f"line {tokens.at()}: unexpected numbers after job {job}")
        ops += _chain(job, len(ops), modes)
    return _build(name, m, ops)


# -- JSON formats --------------------------------------------------------------------------


def parse_json(text: str, name: str) -> Instance:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON ({exc})") from exc
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        return _records(data, name)
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        return _c2m(data, name)
    raise FormatError("JSON must hold `operations` (c2m) or `data` records (benchmark format)")


def _get(obj: Any, key: str, where: str, kind: type, default: Any = ...) -> Any:
    if not isinstance(obj, dict):
        raise FormatError(f"{where} must be an object")
    if key not in obj:
        if default is ...:
            raise FormatError(f"{where} lacks `{key}`")
        return default
    value = obj[key]
    if value is None and default is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FormatError(f"{where}: `{key}` must be {kind.__name__}, got {value!r}")
    return value


def _records(data: Mapping[str, Any], name: str) -> Instance:
    by_job: dict[int, list[tuple[int, int, int]]] = {}
    for k, record in enumerate(data["data"]):
        where = f"data[{k}]"
        job = _get(record, "job", where, int)
        by_job.setdefault(job, []).append(
            (
                _get(record, "operation", where, int),
                _get(record, "machine", where, int),
                _get(record, "duration", where, int),
            )
        )
    machines = _get(data, "machines", "the file", int)
    ops: list[Operation] = []
    for job, (_, records) in enumerate(sorted(by_job.items())):
        records.sort()
        ops += _chain(job, len(ops), [(Mode(mc, d),) for _, mc, d in records])
    return _build(str(data.get("instance", name)), machines, ops)


def _c2m(data: Mapping[str, Any], name: str) -> Instance:
    machines = tuple(str(m) for m in _get(data, "machines", "the file", list))
    jobs = tuple(
        Job(
            name=_get(j, "name", f"jobs[{k}]", str, ""),
            release=_get(j, "release", f"jobs[{k}]", int, 0),
            due=_get(j, "due", f"jobs[{k}]", int, None),
            weight=_get(j, "weight", f"jobs[{k}]", int, 1),
        )
        for k, j in enumerate(_get(data, "jobs", "the file", list))
    )
    ops = tuple(_operation(o, f"operations[{k}]") for k, o in enumerate(data["operations"]))
    setups = {
        (
            _get(s, "from", f"setups[{k}]", str),
            _get(s, "to", f"setups[{k}]", str),
        ): _get(s, "time", f"setups[{k}]", int)
        for k, s in enumerate(_get(data, "setups", "the file", list, []))
    }
    windows = tuple(
        Window(*(_get(w, f, f"windows[{k}]", int) for f in ("machine", "start", "end")))
        for k, w in enumerate(_get(data, "windows", "the file", list, []))
    )
    frozen = tuple(
        Assignment(*(_get(a, f, f"frozen[{k}]", int) for f in ("op", "machine", "start", "end")))
        for k, a in enumerate(_get(data, "frozen", "the file", list, []))
    )
    return Instance(
        machines=machines,
        jobs=jobs,
        operations=ops,
        setups=setups,
        windows=windows,
        frozen=frozen,
        now=_get(data, "now", "the file", int, 0),
        name=_get(data, "name", "the file", str, name),
    )


def _operation(o: Any, where: str) -> Operation:
    modes = tuple(
        Mode(_get(m, "machine", f"{where}.modes[{k}]", int), _get(m, "duration", where, int))
        for k, m in enumerate(_get(o, "modes", where, list))
    )
    predecessors = _get(o, "predecessors", where, list, [])
    if not all(isinstance(p, int) for p in predecessors):
        raise FormatError(f"{where}: `predecessors` must be operation numbers")
    return Operation(
        job=_get(o, "job", where, int),
        modes=modes,
        predecessors=tuple(predecessors),
        family=_get(o, "family", where, str, ""),
        name=_get(o, "name", where, str, ""),
        release=_get(o, "release", where, int, 0),
    )


def with_due_dates(instance: Instance, factor: float) -> Instance:
    """The weighted-tardiness job shop built from a job-shop instance as Singer and Pinedo did
    (and the JSSP-TWT literature after them): job j is due at its release plus ``factor`` times
    its total processing time (on its fastest machines), floored; the first 20 % of the jobs
    weigh 4, the next 60 % weigh 2 and the last 20 % weigh 1. Standard files carry no due dates;
    this gives them the usual ones (factors 1.3, 1.5 and 1.6 are the customary choices)."""
    if factor <= 0:
        raise FormatError(f"the due-date factor must be positive, not {factor}")
    work = [0] * len(instance.jobs)
    for op in instance.operations:
        work[op.job] += op.min_duration
    n = len(instance.jobs)
    jobs = tuple(
        replace(job, due=job.release + int(factor * work[j]), weight=_weight(j, n))
        for j, job in enumerate(instance.jobs)
    )
    return replace(instance, jobs=jobs)


def _weight(job: int, jobs: int) -> int:
    share = job / jobs
    return 4 if share < 0.2 else 2 if share < 0.8 else 1


def instance_to_json(instance: Instance) -> dict[str, Any]:
    """c2m's own instance format: everything the model knows, readable by ``parse_json``."""
    return {
        "format": INSTANCE_FORMAT,
        "name": instance.name,
        "machines": list(instance.machines),
        "now": instance.now,
        "jobs": [
            {"name": j.name, "release": j.release, "due": j.due, "weight": j.weight}
            for j in instance.jobs
        ],
        "operations": [
            {
                "job": op.job,
                "modes": [{"machine": m.machine, "duration": m.duration} for m in op.modes],
                "predecessors": list(op.predecessors),
                "family": op.family,
                "name": op.name,
                "release": op.release,
            }
            for op in instance.operations
        ],
        "setups": [{"from": a, "to": b, "time": t} for (a, b), t in instance.setups.items()],
        "windows": [_fields(w, ("machine", "start", "end")) for w in instance.windows],
        "frozen": [_fields(a, ("op", "machine", "start", "end")) for a in instance.frozen],
    }


def _fields(obj: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def schedule_to_json(
    instance: Instance,
    assignments: tuple[Assignment, ...],
    metrics: Metrics,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """A schedule for machines and people: who runs what, when, plus its scores."""
    return {
        "format": SCHEDULE_FORMAT,
        "instance": instance.name,
        "makespan": metrics.makespan,
        "weighted_tardiness": metrics.weighted_tardiness,
        **extra,
        "assignments": [
            {
                **_fields(a, ("op", "machine", "start", "end")),
                "job": instance.operations[a.op].job,
                "machine_name": instance.machines[a.machine],
            }
            for a in assignments
        ],
    }
