"""Compiled core of the tabu search: the disjunctive graph as arrays, moves on critical blocks.

A schedule is one linked list of operations per machine (``mprev``/``mnext``). Each step finds
a critical path and builds the N7 neighbourhood of Zhang et al. (move an operation of a
critical block to its front or back, or the block's first or last operation into it; only
moves that can shorten the path, and only those that provably keep the graph acyclic),
estimates each move from heads and tails along the block (with setups), makes the best move
that is not tabu (or beats the best so far) and recomputes heads and tails. A move may not
restore, for a while (the tabu tenure), an order of two operations that a recent move reversed,
so no move is undone at once. Long stalls restart from the best schedule with a few random
moves. Everything is plain integer
arrays, so numba compiles it and releases the GIL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

F = TypeVar("F", bound=Callable[..., Any])
Ints = NDArray[np.int64]
# duration, release, family, setup matrix, predecessors (CSR), successors (CSR), machine
Graph = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints, Ints]
Links = tuple[Ints, Ints, Ints]  # per operation its machine predecessor and successor; firsts

jit = cast(Callable[[F], F], numba.njit(cache=True, nogil=True))

# Slots of the ``state`` array, which carries the search across calls.
ITER, BEST, STALL, RNG = range(4)
STATE_SIZE = 4


@jit
def _random(state: Ints, bound: int) -> int:
    """xorshift on the state's last slot: reproducible, and independent per search thread."""
    x = state[RNG]
    x ^= (x << 13) & 0x7FFFFFFFFFFFFFFF
    x ^= x >> 7
    x ^= (x << 17) & 0x7FFFFFFFFFFFFFFF
    x &= 0x7FFFFFFFFFFFFFFF
    if x == 0:
        x = 88172645463325252
    state[RNG] = x
    return int(x % bound)


@jit
def heads_and_tails(
    graph: Graph, links: Links, times: tuple[Ints, Ints, Ints, Ints], work: Ints
) -> int:
    """Earliest starts and tails (own duration included); the makespan, or -1 on a cycle."""
    dur, rel, fam, setup, pred_ptr, preds, succ_ptr, succs, _ = graph
    mprev, mnext, _ = links
    start, job_head, tail, job_tail = times
    n = dur.shape[0]
    order = work[:n]
    stack = work[n : 2 * n]
    indegree = work[2 * n : 3 * n]
    top = 0
    for i in range(n):
        indegree[i] = pred_ptr[i + 1] - pred_ptr[i] + (1 if mprev[i] >= 0 else 0)
        if indegree[i] == 0:
            stack[top] = i
            top += 1
    count = 0
    while top > 0:
        top -= 1
        i = stack[top]
        order[count] = i
        count += 1
        head = rel[i]
        for k in range(pred_ptr[i], pred_ptr[i + 1]):
            p = preds[k]
            head = max(head, start[p] + dur[p])
        job_head[i] = head
        a = mprev[i]
        if a >= 0:
            head = max(head, start[a] + dur[a] + setup[fam[a], fam[i]])
        start[i] = head
        for k in range(succ_ptr[i], succ_ptr[i + 1]):
            s = succs[k]
            indegree[s] -= 1
            if indegree[s] == 0:
                stack[top] = s
                top += 1
        b = mnext[i]
        if b >= 0:
            indegree[b] -= 1
            if indegree[b] == 0:
                stack[top] = b
                top += 1
    if count < n:
        return -1
    makespan = 0
    for k in range(n - 1, -1, -1):
        i = order[k]
        after = 0
        for m in range(succ_ptr[i], succ_ptr[i + 1]):
            after = max(after, tail[succs[m]])
        job_tail[i] = after
        b = mnext[i]
        if b >= 0:
            after = max(after, tail[b] + setup[fam[i], fam[b]])
        tail[i] = dur[i] + after
        makespan = max(makespan, start[i] + tail[i])
    return makespan


@jit
def _critical_path(
    graph: Graph,
    mprev: Ints,
    start: Ints,
    tail: Ints,
    makespan: int,
    path: Ints,
    state: Ints,
) -> int:
    """One critical path (ties broken at random), first operation first; its length."""
    dur, _, fam, setup, pred_ptr, preds, _, _, _ = graph
    n = dur.shape[0]
    last, seen = -1, 0
    for i in range(n):
        if tail[i] == dur[i] and start[i] + dur[i] == makespan:
            seen += 1
            if _random(state, seen) == 0:
                last = i
    length = 0
    i = last
    while i >= 0:
        path[length] = i
        length += 1
        chosen, tight = -1, 0
        a = mprev[i]
        if a >= 0 and start[a] + dur[a] + setup[fam[a], fam[i]] == start[i]:
            chosen, tight = a, 1
        for k in range(pred_ptr[i], pred_ptr[i + 1]):
            p = preds[k]
            if start[p] + dur[p] == start[i]:
                tight += 1
                if _random(state, tight) == 0:
                    chosen = p
        i = chosen
    path[:length] = path[:length][::-1].copy()
    return length


@jit
def _safe(graph: Graph, start: Ints, path: Ints, i: int, j: int) -> bool:
    """Moving path[i] next to path[j] keeps the graph acyclic (Balas and Vazacopoulos)."""
    dur, _, _, _, pred_ptr, preds, succ_ptr, succs, _ = graph
    u, v = path[i], path[j]
    if i < j:  # u moves after v: no job successor of u may lead to v
        after = succs[succ_ptr[u] : succ_ptr[u + 1]]
        return bool(np.all(start[after] + dur[after] > start[v]))
    before = preds[pred_ptr[u] : pred_ptr[u + 1]]  # u moves before v: v may not lead to them
    return bool(np.all(start[before] < start[v] + dur[v]))


@jit
def _add(graph: Graph, start: Ints, path: Ints, moves: Ints, count: int, i: int, j: int) -> int:
    if _safe(graph, start, path, i, j):
        moves[count, 0], moves[count, 1] = i, j
        return count + 1
    return count


@jit
def _candidates(
    graph: Graph,
    mnext: Ints,
    start: Ints,
    path: Ints,
    length: int,
    blocks: Ints,
    moves: Ints,
) -> int:
    """Moves (i, j): path[i] goes right after (i < j) or right before (i > j) path[j].

    In the first block only moves that change its last operation can shorten the path, in the
    last block only those that change its first (unless the path starts at a release time).
    """
    released = graph[1][path[0]] > 0
    count = 0
    begin = 0
    for k in range(1, length + 1):
        if k < length and mnext[path[k - 1]] == path[k]:
            continue
        blocks[count, 0], blocks[count, 1] = begin, k - 1
        count += 1
        begin = k
    kept = 0
    for b in range(count):
        s, e = blocks[b, 0], blocks[b, 1]
        if e == s:
            continue
        first = b == 0 and count > 1 and not released
        last = b == count - 1 and count > 1
        for i in range(s, e):  # to the back of the block
            if not last or i == s:
                kept = _add(graph, start, path, moves, kept, i, e)
        for i in range(s + 1, e + 1):  # to the front (for two operations, the same swap)
            if e - s > 1 and (not first or i == e):
                kept = _add(graph, start, path, moves, kept, i, s)
        for j in range(s + 1, e):  # the first or the last operation into the block
            if not first:
                kept = _add(graph, start, path, moves, kept, s, j)
            if not last:
                kept = _add(graph, start, path, moves, kept, e, j)
    return kept


@jit
def _estimate(
    graph: Graph,
    links: Links,
    times: tuple[Ints, Ints, Ints, Ints],
    path: Ints,
    i: int,
    j: int,
    segment: Ints,
    heads: Ints,
) -> int:
    """Longest path through the reordered stretch of the block, from heads and tails."""
    dur, _, fam, setup, _, _, _, _, _ = graph
    mprev, mnext, _ = links
    start, job_head, tail, job_tail = times
    lo, hi = min(i, j), max(i, j)
    size = hi - lo + 1
    if i < j:
        segment[: size - 1] = path[lo + 1 : hi + 1]
        segment[size - 1] = path[lo]
    else:
        segment[0] = path[hi]
        segment[1:size] = path[lo:hi]
    before, after = mprev[path[lo]], mnext[path[hi]]
    previous_end = start[before] + dur[before] if before >= 0 else 0
    previous = before
    for k in range(size):
        x = segment[k]
        head = job_head[x]
        if previous >= 0:
            head = max(head, previous_end + setup[fam[previous], fam[x]])
        heads[k] = head
        previous, previous_end = x, head + dur[x]
    longest = 0
    following = after
    following_tail = tail[after] if after >= 0 else 0
    for k in range(size - 1, -1, -1):
        x = segment[k]
        rest = job_tail[x]
        if following >= 0:
            rest = max(rest, following_tail + setup[fam[x], fam[following]])
        following, following_tail = x, dur[x] + rest
        longest = max(longest, heads[k] + following_tail)
    return int(longest)


@jit
def _place(links: Links, machine: Ints, u: int, after: int) -> None:
    """Take u out of its machine's list and put it right after ``after`` (-1: at the front)."""
    mprev, mnext, mfirst = links
    p, q = mprev[u], mnext[u]
    if p >= 0:
        mnext[p] = q
    else:
        mfirst[machine[u]] = q
    if q >= 0:
        mprev[q] = p
    if after >= 0:
        following = mnext[after]
        mnext[after] = u
    else:
        following = mfirst[machine[u]]
        mfirst[machine[u]] = u
    mprev[u], mnext[u] = after, following
    if following >= 0:
        mprev[following] = u


@jit
def _apply(links: Links, machine: Ints, path: Ints, i: int, j: int) -> int:
    """Make move (i, j); returns where path[i] was (its old predecessor), to undo it."""
    u, v = path[i], path[j]
    was = links[0][u]
    _place(links, machine, u, v if i < j else links[0][v])
    return int(was)


@jit
def _slot(tabu: Ints, before: int, after: int) -> int:
    """Where the tabu table keeps the order "``before`` ahead of ``after``" (hashed)."""
    return int((before * 1_000_003 + after) % tabu.shape[0])


@jit
def _forbidden(tabu: Ints, path: Ints, i: int, j: int, it: int) -> bool:
    """The move would restore an order between two operations that a recent move reversed."""
    u = path[i]
    for k in range(min(i, j), max(i, j) + 1):
        if k != i:
            ahead, behind = (path[k], u) if i < j else (u, path[k])
            if tabu[_slot(tabu, ahead, behind)] > it:
                return True
    return False


@jit
def _remember(tabu: Ints, path: Ints, i: int, j: int, until: int, every: bool) -> None:
    """Forbid, until then, the orders the move (i, j) is about to reverse: ``every`` one, or
    only that of the neighbour it passes first (a looser list, which wanders farther)."""
    u = path[i]
    step = 1 if i < j else -1
    last = j if every else i + step
    for k in range(i + step, last + step, step):
        ahead, behind = (u, path[k]) if i < j else (path[k], u)
        tabu[_slot(tabu, ahead, behind)] = until


@jit
def search(
    graph: Graph,
    current: Links,
    best: Links,
    state: Ints,
    tabu: Ints,
    settings: Ints,
    iterations: int,
) -> None:
    """Run ``iterations`` steps from ``current``; ``best`` and ``state`` keep what was found."""
    machine = graph[8]
    n = machine.shape[0]
    tenure_low, tenure_span, stall_limit = settings[0], settings[1], settings[2]
    times = (
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
    )
    scratch = (np.empty(n, np.int64), np.empty(n, np.int64), np.empty(3 * n, np.int64))
    blocks = np.empty((n, 2), np.int64)
    moves = np.empty((4 * n + 4, 2), np.int64)
    makespan = heads_and_tails(graph, current, times, scratch[2])
    if state[ITER] == 0:
        state[BEST] = makespan
    for _ in range(iterations):
        state[ITER] += 1
        it = state[ITER]
        path = scratch[0]
        length = _critical_path(graph, current[0], times[0], times[2], makespan, path, state)
        count = _candidates(graph, current[1], times[0], path, length, blocks, moves)
        if state[STALL] >= stall_limit or count == 0:
            makespan = _restart(
                graph, current, best, state, tabu, settings[3], times, scratch, blocks, moves
            )
            continue
        chosen, chosen_value, ties = -1, 0, 0
        for c in range(count):
            i, j = moves[c, 0], moves[c, 1]
            value = _estimate(graph, current, times, path, i, j, scratch[1], scratch[2])
            if value >= state[BEST] and _forbidden(tabu, path, i, j, it):
                continue
            if chosen < 0 or value < chosen_value:
                chosen, chosen_value, ties = c, value, 1
            elif value == chosen_value:
                ties += 1
                if _random(state, ties) == 0:
                    chosen = c
        if chosen < 0:
            chosen = _random(state, count)
        i, j = moves[chosen, 0], moves[chosen, 1]
        until = it + tenure_low + _random(state, tenure_span + 1)
        _remember(tabu, path, i, j, until, settings[4] != 0)
        makespan = _step(graph, current, machine, path, i, j, times, scratch[2])
        if makespan < state[BEST]:
            state[BEST] = makespan
            state[STALL] = 0
            for k in range(3):
                best[k][:] = current[k]
        else:
            state[STALL] += 1


@jit
def _step(
    graph: Graph,
    links: Links,
    machine: Ints,
    path: Ints,
    i: int,
    j: int,
    times: tuple[Ints, Ints, Ints, Ints],
    work: Ints,
) -> int:
    """Make the move and re-time; a move that closed a cycle after all is taken back."""
    was = _apply(links, machine, path, i, j)
    makespan = heads_and_tails(graph, links, times, work)
    if makespan < 0:
        _place(links, machine, path[i], was)
        makespan = heads_and_tails(graph, links, times, work)
    return makespan


@jit
def _restart(
    graph: Graph,
    current: Links,
    best: Links,
    state: Ints,
    tabu: Ints,
    kicks: int,
    times: tuple[Ints, Ints, Ints, Ints],
    scratch: tuple[Ints, Ints, Ints],
    blocks: Ints,
    moves: Ints,
) -> int:
    """Back to the best schedule, shaken by a few random critical moves; tabu list cleared."""
    machine = graph[8]
    for k in range(3):
        current[k][:] = best[k]
    tabu[:] = 0
    state[STALL] = 0
    path = scratch[0]
    makespan = heads_and_tails(graph, current, times, scratch[2])
    for _ in range(kicks):
        length = _critical_path(graph, current[0], times[0], times[2], makespan, path, state)
        count = _candidates(graph, current[1], times[0], path, length, blocks, moves)
        if count == 0:
            break
        c = _random(state, count)
        makespan = _step(graph, current, machine, path, moves[c, 0], moves[c, 1], times, scratch[2])
    return makespan
