"""The width search of claim C1: d1*(n) on a √2-geometric grid, every run done at most once.

Grid: round(d1_min · √2^k), k = 0, 1, …, deduplicated, up to d1_max (1, 2, 3, 4, 6, 8, 11, 16, 23, 32, …).

Per seed, success is assumed monotone in the width (a wider net fits at least as easily), so each seed's own
threshold t_s — the smallest grid width at which it succeeds, with a measured failure one grid step below —
is found by a search on the grid indices:

1. start at a guess (the caller's ``start_index``, e.g. d0·d1 ≈ 1.5 n);
2. gallop: after a success step down by 1, 2, 4, … grid points until a failure, after a failure step up by
   1, 2, 4, … until a success (or the grid ends);
3. bisect the bracket (last failure, first success) down to adjacent grid points.

Seeds in the same state request the same width, so each round groups the requests by width and hands each
group to ``evaluate(d1, seeds)`` as one batch (one array program for several seeds).

Then d1* = the k-th smallest t_s (k = ``min_success``, 4 of 5): the smallest width at which ≥ k seeds succeed
if every seed is monotone. The neighbours are then *confirmed* by measurement: every seed is run at d1* and
at the grid width below it; if fewer than k succeed at d1* the candidate moves up, if ≥ k succeed one below it
moves down, until count(d1*) ≥ k > count(d1* one below) holds on measured runs. Widths above d1* rely on
monotonicity. Runs are cached by (d1, seed) — a run is (n, d0, d1, seed) and the caller's search is per (n,
d0) — and a cache of earlier runs can be passed in, so nothing is trained twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

Evaluate = Callable[[int, Sequence[int]], Mapping[int, bool]]


def width_grid(d1_min: int, d1_max: int) -> list[int]:
    """The √2-geometric grid round(d1_min · √2^k) ≤ d1_max, as sorted distinct integers (d1_min ≥ 1)."""
    if d1_min < 1 or d1_max < d1_min:
        raise ValueError(f"width grid: need 1 <= d1_min <= d1_max, got {d1_min}, {d1_max}")
    out: list[int] = []
    k = 0
    while True:
        # exact powers of √2: 2^(k/2), with odd k through one sqrt, so the grid is the same on every machine
        w = round(d1_min * (2 ** (k // 2)) * (math.sqrt(2.0) if k % 2 else 1.0))
        if w > d1_max:
            break
        if not out or w != out[-1]:
            out.append(w)
        k += 1
    return out


def nearest_index(grid: Sequence[int], value: float) -> int:
    """Index of the grid point nearest to ``value`` in log scale (clipped to the grid)."""
    if value <= grid[0]:
        return 0
    return min(range(len(grid)), key=lambda i: (abs(math.log(grid[i]) - math.log(value)), i))


@dataclass
class _SeedState:
    lo: int = -1  # largest grid index known to fail (-1: none)
    hi: int = -1  # smallest grid index known to succeed (-1: none)
    up: int = 0  # consecutive upward gallop moves
    down: int = 0  # consecutive downward gallop moves
    started: bool = False


@dataclass
class SearchResult:
    """Outcome of one width search (one (n, d0) point)."""

    grid: list[int]
    d1_star: int | None  # None: fewer than min_success seeds succeed anywhere on the grid
    thresholds: dict[int, int | None]  # per seed: smallest succeeding width with a failure one step below
    outcomes: dict[tuple[int, int], bool]  # (d1, seed) -> success, every run measured or passed in
    calls: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # evaluate calls made, in order
    confirmed_counts: dict[int, int] = field(default_factory=dict)  # d1 -> successes among all seeds (measured)


def _next_index(st: _SeedState, n_grid: int, start: int) -> int | None:
    """The next grid index this seed needs, or None when its threshold is bracketed (or the grid ends)."""
    if not st.started:
        return start
    if st.hi == -1:  # no success yet: gallop up
        if st.lo >= n_grid - 1:
            return None
        return min(st.lo + 2 ** st.up, n_grid - 1)
    if st.lo == -1:  # no failure yet: gallop down
        if st.hi == 0:
            return None
        return max(st.hi - 2 ** st.down, 0)
    if st.hi - st.lo <= 1:
        return None
    return (st.lo + st.hi) // 2


def _record(st: _SeedState, idx: int, ok: bool) -> None:
    if not st.started:
        st.started = True
    elif st.hi == -1 and not ok:
        st.up += 1
    elif st.lo == -1 and ok:
        st.down += 1
    if ok:
        st.hi = idx if st.hi == -1 else min(st.hi, idx)
    else:
        st.lo = max(st.lo, idx)


def search_width(
    grid: Sequence[int],
    seeds: Sequence[int],
    evaluate: Evaluate,
    *,
    min_success: int,
    start_index: int = 0,
    known: Mapping[tuple[int, int], bool] | None = None,
) -> SearchResult:
    """Find d1* (see the module docstring). ``evaluate(d1, seeds)`` trains those seeds at width d1 and
    returns {seed: success}; it is called only for (d1, seed) pairs not in ``known`` or done before.

    A non-monotone seed (success below a failure) cannot break the search: bisection keeps the bracket, and
    the confirmation step measures d1* and its lower neighbour for every seed.
    """
    grid = [int(g) for g in grid]
    if list(grid) != sorted(set(grid)):
        raise ValueError("search: grid must be strictly increasing")
    seeds = [int(s) for s in seeds]
    if not 1 <= min_success <= len(seeds):
        raise ValueError(f"search: min_success must be in [1, {len(seeds)}], got {min_success}")
    start_index = min(max(int(start_index), 0), len(grid) - 1)
    outcomes: dict[tuple[int, int], bool] = dict(known or {})
    calls: list[tuple[int, tuple[int, ...]]] = []

    def run(d1: int, which: list[int]) -> None:
        todo = [s for s in which if (d1, s) not in outcomes]
        if not todo:
            return
        got = evaluate(d1, tuple(todo))
        missing = [s for s in todo if s not in got]
        if missing:
            raise ValueError(f"search: evaluate({d1}, ...) returned no outcome for seeds {missing}")
        calls.append((d1, tuple(todo)))
        for s in todo:
            outcomes[(d1, s)] = bool(got[s])

    states = {s: _SeedState() for s in seeds}
    while True:
        requests: dict[int, list[int]] = {}
        for s in seeds:
            st = states[s]
            while True:  # consume cached outcomes without a call
                idx = _next_index(st, len(grid), start_index)
                if idx is None:
                    break
                key = (grid[idx], s)
                if key in outcomes:
                    _record(st, idx, outcomes[key])
                    continue
                requests.setdefault(idx, []).append(s)
                break
        if not requests:
            break
        for idx in sorted(requests):
            run(grid[idx], requests[idx])
            for s in requests[idx]:
                _record(states[s], idx, outcomes[(grid[idx], s)])

    thresholds: dict[int, int | None] = {}
    for s in seeds:
        st = states[s]
        thresholds[s] = grid[st.hi] if st.hi != -1 and st.hi == st.lo + 1 else None

    # candidate: the k-th smallest per-seed threshold
    tidx = sorted(states[s].hi if thresholds[s] is not None else len(grid) for s in seeds)
    c = tidx[min_success - 1]
    counts: dict[int, int] = {}

    def count(i: int) -> int:
        run(grid[i], seeds)
        counts[grid[i]] = sum(outcomes[(grid[i], s)] for s in seeds)
        return counts[grid[i]]

    d1_star: int | None = None
    while c < len(grid):
        if count(c) < min_success:
            c += 1
            continue
        if c > 0 and count(c - 1) >= min_success:
            c -= 1
            continue
        d1_star = grid[c]
        break
    return SearchResult(grid=list(grid), d1_star=d1_star, thresholds=thresholds, outcomes=outcomes,
                        calls=calls, confirmed_counts=counts)
