"""The CP-SAT model: one start variable per operation, an optional interval per eligible machine,
no-overlap per machine (with unavailability as fixed intervals), circuits for setups.

The same builder serves the full model and large-neighbourhood sub-models: operations are
*free* (any machine, any order), *floating* (machine and order of the incumbent, time free) or
*fixed* (constants: frozen work, or everything outside the neighbourhood).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from itertools import pairwise

from ortools.sat.python import cp_model

from c2m.engines.scheduling.model import Assignment, Instance, Schedule
from c2m.engines.scheduling.objective import Objective
from c2m.engines.scheduling.progress import Reporter, SearchParams

Expr = cp_model.LinearExprT
Presence = cp_model.IntVar | None  # None: the operation is on this machine for sure
MAX_SCALAR = 2**62  # CP-SAT objective coefficients and values must fit in int64


class Role(Enum):
    FREE = "free"
    FLOAT = "float"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """Which operations may change; with ``floating`` the rest keep order but not times.

    With ``since`` (floating only) just the operations starting at or after it are modelled;
    earlier ones are constants: the tail of a plan too large to model whole.
    """

    free: frozenset[int]
    incumbent: Schedule
    floating: bool = True
    since: int | None = None


@dataclass(frozen=True, slots=True)
class CpSatOutcome:
    schedule: Schedule | None
    bound: int | None  # on the primary objective, meaningful for the full model only
    optimal: bool
    work: float  # CP-SAT's deterministic time, the clock of deterministic searches


@dataclass(slots=True)
class _Op:
    start: Expr
    end: Expr
    choices: list[tuple[int, Presence]]  # (machine, its presence literal)


class _Builder:
    def __init__(
        self,
        instance: Instance,
        objective: Objective,
        area: Neighbourhood | None,
        reference: Schedule | None,
    ) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        self.area = area
        self.ops: dict[int, _Op] = {}
        self.roles = self._roles()
        self.low, self.high = self._time_range()
        self.arcs: list[dict[tuple[int, int], cp_model.IntVar]] = [{} for _ in instance.machines]
        for i, role in self.roles.items():
            self._add_operation(i, role)
        self._add_precedences()
        self._add_machines()
        self.levels: list[tuple[Expr, int]] = []
        self.stages: list[Expr] = []
        self.primary_weight = 1
        self.moved: dict[int, cp_model.IntVar] = {}
        self.tardy: dict[int, cp_model.IntVar] = {}
        self.makespan: cp_model.IntVar | None = None
        self._add_objective(objective, reference)

    # -- which operations, in which role -------------------------------------------------
    def _roles(self) -> dict[int, Role]:
        frozen = self.instance.frozen_by_op
        area = self.area
        if area is None:
            return {i: Role.FIXED if i in frozen else Role.FREE for i in self._all_ops()}
        if area.floating:
            since = area.since
            roles: dict[int, Role] = {}
            for i, a in enumerate(area.incumbent.assignments):
                if i in frozen or (since is not None and a.start < since):
                    if since is None or a.end > since:
                        roles[i] = Role.FIXED
                else:
                    roles[i] = Role.FREE if i in area.free else Role.FLOAT
            return roles
        roles = {i: Role.FREE for i in area.free if i not in frozen}
        low, high = self._free_span(roles)
        margin = max(self.instance.setups.values(), default=0)  # setups reach across the span
        machines = {m.machine for i in roles for m in self.instance.operations[i].modes}
        for i, a in enumerate(area.incumbent.assignments):
            near = a.start < high + margin and a.end + margin > low
            if i not in roles and a.machine in machines and near:
                roles[i] = Role.FIXED
        return roles

    def _all_ops(self) -> range:
        return range(len(self.instance.operations))

    def _free_span(self, free: Iterable[int]) -> tuple[int, int]:
        assert self.area is not None
        spans = [self.area.incumbent[i] for i in free]
        return min((a.start for a in spans), default=0), max((a.end for a in spans), default=0)

    def _time_range(self) -> tuple[int, int]:
        """Free operations stay inside the incumbent's span of them when the rest is fixed."""
        if self.area is not None and not self.area.floating:
            return self._free_span(i for i, r in self.roles.items() if r is Role.FREE)
        if self.area is not None and self.area.since is not None:
            return self.area.since, self.instance.horizon
        return 0, self.instance.horizon

    def _fixed(self, i: int) -> Assignment:
        frozen = self.instance.frozen_by_op.get(i)
        if frozen is not None:
            return frozen
        assert self.area is not None
        return self.area.incumbent[i]

    # -- variables -----------------------------------------------------------------------
    def _add_operation(self, i: int, role: Role) -> None:
        if role is Role.FIXED:
            a = self._fixed(i)
            self.ops[i] = _Op(a.start, a.end, [(a.machine, None)])
            return
        op = self.instance.operations[i]
        modes = op.modes
        if role is Role.FLOAT:
            assert self.area is not None
            machine = self.area.incumbent[i].machine
            modes = tuple(m for m in modes if m.machine == machine)
        low = max(self.low, self.instance.earliest_start(i))
        start = self.model.new_int_var(low, self.high - min(m.duration for m in modes), f"s{i}")
        if len(modes) == 1:
            self.ops[i] = _Op(start, start + modes[0].duration, [(modes[0].machine, None)])
            return
        end = self.model.new_int_var(low, self.high, f"e{i}")
        choices: list[tuple[int, Presence]] = []
        for mode in modes:
            present = self.model.new_bool_var(f"x{i}_{mode.machine}")
            self.model.add(end == start + mode.duration).only_enforce_if(present)
            choices.append((mode.machine, present))
        self.model.add_exactly_one(p for _, p in choices if p is not None)
        self.ops[i] = _Op(start, end, choices)

    def _variable(self, i: int) -> bool:
        return self.roles[i] is not Role.FIXED

    def _add_precedences(self) -> None:
        for i in self.roles:
            for p in self.instance.operations[i].predecessors:
                if p in self.roles and (self._variable(i) or self._variable(p)):
                    self.model.add(self.ops[p].end <= self.ops[i].start)
                elif self._variable(i):  # a fixed predecessor outside the sub-model
                    self.model.add(self._fixed(p).end <= self.ops[i].start)
            if self._variable(i):
                for s in self.instance.successors[i]:
                    if s not in self.roles:
                        self.model.add(self.ops[i].end <= self._fixed(s).start)
        if self.area is not None and self.area.floating:
            sequences = self.area.incumbent.machine_sequences(len(self.instance.machines))
            for sequence in sequences:
                kept = [i for i in sequence if self.roles.get(i, Role.FREE) is not Role.FREE]
                for a, b in pairwise(kept):
                    if self._variable(a) or self._variable(b):
                        self.model.add(self.ops[a].end <= self.ops[b].start)

    def _add_machines(self) -> None:
        per_machine: list[list[tuple[int, Presence]]] = [[] for _ in self.instance.machines]
        for i, op in self.ops.items():
            for machine, present in op.choices:
                per_machine[machine].append((i, present))
        for machine, members in enumerate(per_machine):
            intervals = [self._interval(i, machine, present) for i, present in members]
            intervals += [
                self.model.new_fixed_size_interval_var(start, end - start, f"w{machine}_{start}")
                for start, end in self.instance.blocked[machine]
                if start < self.high and end > self.low
            ]
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)
            if self.instance.has_setups and len(members) > 1:
                self._add_setups(machine, members)

    def _interval(self, i: int, machine: int, present: Presence) -> cp_model.IntervalVar:
        op = self.ops[i]
        duration = self.instance.operations[i].duration_on(machine)
        if self.roles[i] is Role.FIXED:
            duration = self._fixed(i).end - self._fixed(i).start  # frozen work may overrun
        assert duration is not None
        if present is None:
            return self.model.new_fixed_size_interval_var(op.start, duration, f"i{i}")
        return self.model.new_optional_fixed_size_interval_var(
            op.start, duration, present, f"i{i}_{machine}"
        )

    def _add_setups(self, machine: int, members: list[tuple[int, Presence]]) -> None:
        """Circuit over the machine's operations; an arc i -> j means j directly follows i."""
        model = self.model
        arcs: list[tuple[int, int, cp_model.LiteralT]] = []
        for k, (i, present) in enumerate(members, start=1):
            arcs.append((0, k, self._arc(machine, -1, i)))
            arcs.append((k, 0, self._arc(machine, i, -1)))
            if present is not None:
                arcs.append((k, k, ~present))
            for k2, (j, _) in enumerate(members, start=1):
                if i == j:
                    continue
                gap = self.instance.setup(i, j)
                both_fixed = not (self._variable(i) or self._variable(j))
                if both_fixed and self._fixed(i).end + gap > self._fixed(j).start:
                    continue  # impossible arc between two fixed operations
                lit = self._arc(machine, i, j)
                model.add(self.ops[i].end + gap <= self.ops[j].start).only_enforce_if(lit)
                arcs.append((k, k2, lit))
        # The depot may loop on itself: a machine may end up running none of its candidates.
        arcs.append((0, 0, self._arc(machine, -1, -1)))
        model.add_circuit(arcs)

    def _arc(self, machine: int, i: int, j: int) -> cp_model.IntVar:
        lit = self.model.new_bool_var(f"a{machine}_{i}_{j}")
        self.arcs[machine][(i, j)] = lit
        return lit

    # -- objective -------------------------------------------------------------------------
    def _add_objective(self, objective: Objective, reference: Schedule | None) -> None:
        if self.area is not None and not self.area.floating:
            # The rest is fixed, so the true objective is out of reach: finish the slice as
            # early as possible, its last operation first (that is what can shorten the plan).
            free = [i for i, r in self.roles.items() if r is Role.FREE]
            last = self.model.new_int_var(self.low, self.high, "slice_end")
            self.model.add_max_equality(last, [self.ops[i].end for i in free])
            ends = cp_model.LinearExpr.sum([self.ops[i].end for i in free])
            self.model.minimize(cp_model.LinearExpr.weighted_sum([last, ends], [len(free) + 1, 1]))
            return
        horizon = self.instance.horizon
        sinks = [i for ops in self.instance.job_sinks for i in ops]
        if objective in (Objective.TARDINESS, Objective.LEX):
            total_weight = 0
            for j, job in enumerate(self.instance.jobs):
                if job.due is None or not self.instance.job_sinks[j]:
                    continue
                tardy = self.model.new_int_var(0, horizon, f"t{j}")
                for i in self.instance.job_sinks[j]:
                    self.model.add(tardy >= self._end(i) - job.due)
                self.tardy[j] = tardy
                total_weight += job.weight
            expr = sum(self.instance.jobs[j].weight * t for j, t in self.tardy.items())
            self.levels.append((expr, total_weight * horizon))
        if objective in (Objective.MAKESPAN, Objective.LEX):
            self.makespan = self.model.new_int_var(0, horizon, "makespan")
            self.model.add_max_equality(self.makespan, [self._end(i) for i in sinks])
            self.levels.append((self.makespan, horizon))
        if reference is not None:
            self._add_stability(reference)
        self.stages = self._stages()
        if self.stages:
            self.model.minimize(self.stages[0])

    def _end(self, i: int) -> Expr:
        """End of any operation: a variable if modelled, else its incumbent constant."""
        return self.ops[i].end if i in self.ops else self._fixed(i).end

    def _add_stability(self, reference: Schedule) -> None:
        for i, op in self.ops.items():
            if not self._variable(i):
                continue
            was = reference[i]
            moved = self.model.new_bool_var(f"m{i}")
            self.moved[i] = moved
            self.model.add(op.start == was.start).only_enforce_if(~moved)
            there = [p for machine, p in op.choices if machine == was.machine]
            if not there:
                self.model.add(moved == 1)
            elif there[0] is not None:
                self.model.add_implication(~moved, there[0])
        self.levels.insert(1, (sum(self.moved.values()), len(self.moved)))  # as Metrics.key

    def _stages(self) -> list[Expr]:
        """The lexicographic levels as few weighted sums as fit CP-SAT's 64-bit integers, first
        level first; within a sum each level outweighs all later ones, and the sums are
        minimized in turn, each kept at its best while the next is (a week of due dates in
        seconds for hundreds of orders does not fit one sum)."""
        if not self.levels:
            return []
        stages: list[Expr] = []
        exprs: list[Expr] = []
        weights: list[int] = []
        weight = 1
        for expr, upper in reversed(self.levels):
            if exprs and weight * (upper + 1) > MAX_SCALAR:
                stages.append(cp_model.LinearExpr.weighted_sum(exprs, weights))
                exprs, weights, weight = [], [], 1
            exprs.append(expr)
            weights.append(weight)
            weight *= upper + 1
        stages.append(cp_model.LinearExpr.weighted_sum(exprs, weights))
        self.primary_weight = weights[-1]
        return stages[::-1]

    # -- hints and answers -----------------------------------------------------------------
    def keep(self, stage: int, at_most: int, solver: cp_model.CpSolver) -> None:
        """Hold sum ``stage`` at ``at_most`` and minimize the next one, starting from the
        solver's last answer."""
        self.model.add(self.stages[stage] <= at_most)
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for index in range(len(self.model.proto.variables)):
            var = self.model.get_int_var_from_proto_index(index)
            self.model.add_hint(var, solver.value(var))
        self.model.minimize(self.stages[stage + 1])

    def hint(self, schedule: Schedule, objective: Objective) -> None:
        model = self.model
        for i, op in self.ops.items():
            if not self._variable(i):
                continue
            a = schedule[i]
            model.add_hint(op.start, a.start)  # type: ignore[arg-type]
            if len(op.choices) > 1:
                model.add_hint(op.end, a.end)  # type: ignore[arg-type]
                for machine, present in op.choices:
                    if present is not None:
                        model.add_hint(present, machine == a.machine)
        if self.makespan is not None:
            model.add_hint(self.makespan, max(schedule[i].end for i in self.ops))
        for j, tardy in self.tardy.items():
            due = self.instance.jobs[j].due
            assert due is not None
            done = max(schedule[i].end for i in self.instance.job_sinks[j])
            model.add_hint(tardy, max(0, done - due))
        self._hint_arcs(schedule)

    def _hint_arcs(self, schedule: Schedule) -> None:
        for machine, arcs in enumerate(self.arcs):
            if not arcs:
                continue
            order = [
                i for i in schedule.machine_sequences(len(self.arcs))[machine] if i in self.ops
            ]
            chosen = set(zip([-1, *order], [*order, -1], strict=True))
            for pair, lit in arcs.items():
                self.model.add_hint(lit, pair in chosen)

    def read(self, solver: cp_model.CpSolver, base: Schedule | None) -> Schedule:
        assignments = list(base.assignments) if base is not None else []
        by_op: dict[int, Assignment] = {}
        for i, op in self.ops.items():
            if not self._variable(i):
                by_op[i] = self._fixed(i)
                continue
            machine = next(m for m, p in op.choices if p is None or solver.value(p))
            start = int(solver.value(op.start))
            duration = self.instance.operations[i].duration_on(machine)
            assert duration is not None
            by_op[i] = Assignment(i, machine, start, start + duration)
        if not assignments:
            return Schedule(tuple(by_op[i] for i in self._all_ops()))
        for i, a in by_op.items():
            assignments[i] = a
        return Schedule(tuple(assignments))


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, reporter: Reporter, weight: int, name: str) -> None:
        super().__init__()
        self.reporter, self.weight, self.name = reporter, weight, name

    def on_solution_callback(self) -> None:
        self.reporter.report(
            self.name,
            int(self.objective_value) // self.weight,
            int(self.best_objective_bound) // self.weight,
        )


def solve_cpsat(
    instance: Instance,
    objective: Objective,
    params: SearchParams,
    *,
    hint: Schedule | None = None,
    reference: Schedule | None = None,
    area: Neighbourhood | None = None,
    reporter: Reporter | None = None,
) -> CpSatOutcome:
    """Solve the full model (``area`` None) or a neighbourhood of an incumbent."""
    builder = _Builder(instance, objective, area, reference)
    if hint is not None:
        builder.hint(hint, objective)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = max(1, params.workers)
    p.random_seed = params.seed
    if params.deterministic:
        p.interleave_search = params.workers > 1
    callback = None
    if reporter is not None and area is None:
        callback = _Progress(reporter, builder.primary_weight, "cp-sat")
    spent, work, bound, optimal, answer = 0.0, 0.0, None, True, None
    stages = max(1, len(builder.stages))
    for n in range(stages):
        if n:  # the earlier sums stay at their best; the last answer is where to start
            builder.keep(n - 1, round(solver.objective_value), solver)
            callback = None
        _limit(solver, params, (params.time_limit - spent) / (stages - n))
        status = solver.solve(builder.model, callback)
        work += solver.deterministic_time
        spent += solver.deterministic_time if params.deterministic else solver.wall_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if n == 0:
                return CpSatOutcome(None, None, False, work)
            break  # the earlier stage's answer stands
        if n == 0 and area is None:
            bound = int(solver.best_objective_bound) // builder.primary_weight
        optimal = optimal and status == cp_model.OPTIMAL
        answer = builder.read(solver, area.incumbent if area is not None else None)
    return CpSatOutcome(answer, bound, optimal, work)


def _limit(solver: cp_model.CpSolver, params: SearchParams, seconds: float) -> None:
    """Stop after ``seconds`` (deterministic seconds when the search must be repeatable)."""
    p, seconds = solver.parameters, max(0.05, seconds)
    if params.deterministic:
        p.max_deterministic_time = seconds
        p.max_time_in_seconds = 20 * seconds + 10  # a safety net only
    else:
        p.max_time_in_seconds = seconds
