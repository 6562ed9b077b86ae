"""Runs of the escaping-mediocrity claims: one call = one series of points, one record per replica.

Each replica of each point (p, d, γ') draws from its own ``SeedSequence`` keyed by (claim, point, replica),
so a series can be split over jobs or batched into one array program without changing a single number.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from overparam.backend import Backend
from overparam.mediocrity import theory
from overparam.mediocrity.chain import EscapeResult, run_chain
from overparam.mediocrity.ode import solve_exit_times
from overparam.mediocrity.sgd import run_direct_sgd
from overparam.seeds import seed_sequence

Progress = Callable[[int, int], None]  # (steps done, replicas still running), once per block


def resolve_gamma(gamma: float | str, p: int, delta: float) -> float:
    """A protocol's γ': a number, or ``"optimal"`` for γ'* = 1/C_p."""
    if gamma == "optimal":
        return theory.gamma_opt(p, delta)
    return float(gamma)


def point_key(p: int, d: int, gamma_p: float) -> dict[str, Any]:
    """The seed key of one point (rounded γ' so that 1/C_p computed twice gives the same key)."""
    return {"p": int(p), "d": int(d), "gamma_p": round(float(gamma_p), 12)}


def _replica_grid(
    claim: str, base_seed: int, p: int, ds: list[int], gammas: list[float], seeds: int
) -> tuple[list[np.random.SeedSequence], np.ndarray, np.ndarray, np.ndarray]:
    seed_list, d_col, g_col, rep_col = [], [], [], []
    for d in ds:
        for g in gammas:
            for rep in range(seeds):
                seed_list.append(seed_sequence(base_seed, claim, point_key(p, d, g), rep))
                d_col.append(d)
                g_col.append(g)
                rep_col.append(rep)
    return seed_list, np.array(d_col), np.array(g_col, dtype=np.float64), np.array(rep_col)


def _records(
    claim: str, simulator: str, backend: Backend, p: int, delta: float, d: np.ndarray, g: np.ndarray,
    rep: np.ndarray, res: EscapeResult, t_max: np.ndarray, wall: float, extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    out = []
    for i in range(d.size):
        rec = {
            "claim": claim, "simulator": simulator, "p": p, "d": int(d[i]), "gamma_p": float(g[i]),
            "replica": int(rep[i]), "escaped": bool(res.escaped[i]), "n_exit": int(res.n_exit[i]),
            "t_exit": float(res.t_exit[i]), "r0": float(res.r0[i]),
            "t_theory": theory.t_exit(float(d[i]), float(g[i]), p, delta),
            "reason": "" if res.escaped[i] else f"no escape before t_max = {t_max[i]:.4g}",
            "backend": backend.name, "wall_s": wall / d.size,
        }
        rec.update(extra or {})
        out.append(rec)
    return out


def _chain_grid(
    backend: Backend, *, claim: str, base_seed: int, p: int, d: list[int], gammas: list[float], seeds: int,
    delta: float, t_max_factor: float, dt_check: float, extra: dict[str, Any] | None = None,
    progress: Progress | None = None, chain_engine: str = "auto",
) -> tuple[list[dict[str, Any]], EscapeResult, np.ndarray, np.ndarray]:
    seed_list, d_col, g_col, rep_col = _replica_grid(claim, base_seed, p, d, gammas, seeds)
    t_max = np.array([t_max_factor * theory.t_exit(di, gi, p, delta) for di, gi in zip(d_col, g_col)])
    start = time.perf_counter()
    res = run_chain(seed_list, backend, p=p, d=d_col, gamma_p=g_col, delta=delta, t_max=t_max, dt_check=dt_check,
                    progress=progress, engine=chain_engine)
    backend.synchronize()
    wall = time.perf_counter() - start
    records = _records(claim, "chain", backend, p, delta, d_col, g_col, rep_col, res, t_max, wall, extra)
    return records, res, d_col, g_col


SIMULATORS = ("chain", "direct")


def escape_series(
    backend: Backend, *, claim: str, base_seed: int, p: int, d: list[int], gammas: list[float], seeds: int,
    delta: float, t_max_factor: float, dt_check: float, extra: dict[str, Any] | None = None,
    progress: Progress | None = None, simulator: str = "chain", chain_engine: str = "auto",
) -> list[dict[str, Any]]:
    """Exit times for every (d, γ') of one p: the exact chain (all replicas as one batch, the CPU default) or
    direct SGD (one (S, p, d) batch per point: the GPU workload of the `paper` scale). Same seeds either way,
    so the two simulators see the same replicas' streams but, being different algorithms, not the same draws.
    ``chain_engine`` is the chain's kernel (``run_chain``'s ``engine``: auto, fused or array).
    """
    if simulator not in SIMULATORS:
        raise ValueError(f"simulator: {simulator!r} is not one of {', '.join(SIMULATORS)}")
    if simulator == "chain":
        return _chain_grid(backend, claim=claim, base_seed=base_seed, p=p, d=d, gammas=gammas, seeds=seeds,
                           delta=delta, t_max_factor=t_max_factor, dt_check=dt_check, extra=extra,
                           progress=progress, chain_engine=chain_engine)[0]
    return [rec for di in d for g in gammas
            for rec in _direct_point(backend, claim=claim, seed_claim=claim, base_seed=base_seed, p=p, d=di,
                                     gamma_p=g, seeds=seeds, delta=delta, t_max_factor=t_max_factor,
                                     dt_check=dt_check, extra=extra, progress=progress)]


def _direct_point(
    backend: Backend, *, claim: str, seed_claim: str, base_seed: int, p: int, d: int, gamma_p: float, seeds: int,
    delta: float, t_max_factor: float, dt_check: float, extra: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Direct SGD at one (p, d, γ'), replicas seeded under ``seed_claim``; records carry ``claim``."""
    seed_list = [seed_sequence(base_seed, seed_claim, point_key(p, d, gamma_p), r) for r in range(seeds)]
    t_max = t_max_factor * theory.t_exit(d, gamma_p, p, delta)
    start = time.perf_counter()
    res = run_direct_sgd(seed_list, backend, p=p, d=d, gamma_p=gamma_p, delta=delta, t_max=t_max,
                         dt_check=dt_check, progress=progress)
    backend.synchronize()
    wall = time.perf_counter() - start
    return _records(claim, "direct", backend, p, delta, np.full(seeds, d), np.full(seeds, gamma_p),
                    np.arange(seeds), res, np.full(seeds, t_max), wall, extra)


def ode_vs_sgd_series(
    backend: Backend, *, claim: str, base_seed: int, p: int, d: list[int], gamma_p: float, seeds: int,
    delta: float, t_max_factor: float, dt_check: float, progress: Progress | None = None,
    chain_engine: str = "auto",
) -> list[dict[str, Any]]:
    """For each d: chain exit times and the ODE's exit time from each replica's own random start."""
    records, res, d_col, g_col = _chain_grid(backend, claim=claim, base_seed=base_seed, p=p, d=d, gammas=[gamma_p],
                                             seeds=seeds, delta=delta, t_max_factor=t_max_factor, dt_check=dt_check,
                                             progress=progress, chain_engine=chain_engine)
    for di in d:
        sel = np.nonzero(d_col == di)[0]
        t_max = t_max_factor * theory.t_exit(di, gamma_p, p, delta)
        start = time.perf_counter()
        ode = solve_exit_times(res.m0[sel], res.q0[sel], g_col[sel], p=p, delta=delta, t_max=t_max)
        wall = time.perf_counter() - start
        for j, i in enumerate(sel):
            records[i]["t_ode"] = float(ode.t_exit[j])
            records[i]["ode_wall_s"] = wall / sel.size
    return records


def validation_series(
    backend: Backend, *, claim: str, base_seed: int, p: int, d: int, gamma_p: float, seeds: int, delta: float,
    t_max_factor: float, dt_check: float, progress: Progress | None = None, chain_engine: str = "auto",
) -> list[dict[str, Any]]:
    """Direct SGD and the chain on the same point (independent seeds): the validation panel's data."""
    common = dict(claim=claim, base_seed=base_seed, p=p, seeds=seeds, delta=delta, t_max_factor=t_max_factor,
                  dt_check=dt_check, progress=progress)
    chain = escape_series(backend, d=[d], gammas=[gamma_p], chain_engine=chain_engine, **common)
    return chain + _direct_point(backend, seed_claim=claim + "/direct", d=d, gamma_p=gamma_p, **common)


def risk_traces(
    backend: Backend, *, claim: str, base_seed: int, p: int, d: int, gamma_p: float, seeds: int, delta: float,
    t_max_factor: float, dt_check: float, progress: Progress | None = None, chain_engine: str = "auto",
) -> list[dict[str, Any]]:
    """Risk against t for a few direct-SGD replicas and the ODE from each one's start (the B3 risk panel;
    direct SGD only, so ``chain_engine`` is accepted for a uniform job signature and not used)."""
    t_max = t_max_factor * theory.t_exit(d, gamma_p, p, delta)
    seed_list = [seed_sequence(base_seed, claim + "/trace", point_key(p, d, gamma_p), r) for r in range(seeds)]
    res = run_direct_sgd(seed_list, backend, p=p, d=d, gamma_p=gamma_p, delta=delta, t_max=t_max,
                         dt_check=dt_check, trace=True, progress=progress)
    t_sgd = res.trace_steps * gamma_p / d
    ode = solve_exit_times(res.m0, res.q0, np.full(seeds, gamma_p), p=p, delta=delta, t_max=float(t_sgd[-1]),
                           n_grid=400)
    rows = []
    for r in range(seeds):
        stride = max(1, t_sgd.size // 400)
        for t, v in zip(t_sgd[::stride], res.trace_r[::stride, r]):
            rows.append({"replica": r, "source": "SGD", "t": float(t), "risk": float(v)})
        for t, v in zip(ode.times, ode.risk[:, r]):
            rows.append({"replica": r, "source": "ODE", "t": float(t), "risk": float(v)})
    return rows
