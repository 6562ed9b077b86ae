"""One point of claim C1 `subquadratic_width`: data, seeds, the width search, and flat run records.

A *point* is one n of one series: d0 = ⌈c√n⌉ (``d0_sqrt_coef`` c = 2 in the SPEC) or d0 fixed (``d0`` = 64),
always with n ≤ d0²/4 (beyond it the degree-2 part of the kernel, on which the W-block of K rests, is
singular). A *run* is (n, d0, d1, seed replica): one full-batch GD training (see :mod:`train`).

Data (SPEC C1): inputs uniform on the unit sphere S^{d0−1} (normalised Gaussians), labels ±1/√n with random
signs (so ‖Y‖ = 1 and h(0-output) = 1). By default every seed replica draws its own data set as well as its
own init (``shared_data: false``): a replica is then a (data, init) pair, and the seed bootstrap of the fit
sees the data-to-data spread of d1* too. ``shared_data: true`` gives all replicas of a point one data set
(drawn with replica 0), so replicas differ only in their init. The kernels broadcast over both layouts.

Init (LeCun, the SPEC's main arm): W ~ N(0, 1/d0), v ~ N(0, 1/d1); ``init: he`` gives N(0, 2/d0), N(0, 2/d1).
The init draw does not depend on the scheme (standard normals, then scaled), so the arms share randomness.

Seeds: every draw comes from ``overparam.seeds.seed_sequence(base_seed, "subquadratic_width",
point, replica)`` with point {"n", "d0", "draw": "data"} for the data and {"n", "d0", "d1", "draw": "init"}
for the init, so a run's numbers depend on (n, d0, d1, replica) only — not on which other runs exist, on
the batch it was trained in, or on the order. Same seed → bit-identical records on the CPU (up to the wall
times, which are measurements).

Parameters read from ``params`` (snake_case, all in config.yaml):
    series, n, d0 | d0_sqrt_coef, seeds, min_success, d1_min, d1_max_ratio, d1_start_ratio,
    steps_per_sample, loss_tol, lr_scale, max_halvings, init, shared_data,
    track_width_ratios, track_every, track_seeds        (the last three: :func:`run_tracking` only)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from overparam.backend import Backend
from overparam.papers import SONG_2021
from overparam.rng import ArrayRNG
from overparam.seeds import seed_sequence
from overparam.width import ntk
from overparam.width.search import SearchResult, nearest_index, search_width, width_grid
from overparam.width.train import TrainConfig, TrainOutput, train_gd

PAPER = SONG_2021.seed_name  # the records' "paper" field
CLAIM = "subquadratic_width"
INIT_GAINS = {"lecun": 1.0, "he": 2.0}
WALL_TIME_KEYS = ("wall_time_s", "batch_wall_time_s")

Array = Any


def resolve_d0(params: dict) -> int:
    """d0 of the point: ``d0`` if given (fixed series), else ⌈d0_sqrt_coef · √n⌉; checks n ≤ d0²/4."""
    n = int(params["n"])
    if params.get("d0") is not None:
        d0 = int(params["d0"])
    elif params.get("d0_sqrt_coef") is not None:
        d0 = math.ceil(float(params["d0_sqrt_coef"]) * math.sqrt(n) - 1e-12)
    else:
        raise ValueError("width: a point needs either d0 or d0_sqrt_coef")
    if 4 * n > d0 * d0:
        raise ValueError(f"width: n = {n} > d0²/4 = {d0 * d0 / 4} (d0 = {d0}): the degree-2 kernel is singular there")
    return d0


def max_steps(params: dict) -> int:
    """T = ⌈steps_per_sample · n⌉: the step budget grows linearly with n.

    Why linear, and why 150: the SPEC's pilot (n = 128 succeeded at d1 = 6 within 2·10⁴ steps) gives
    150·128 = 19 200 ≈ 2·10⁴; and in our pilot the median steps of the successful runs at d1* grew like
    n^0.98 along the d0 = ⌈2√n⌉ series (n = 64 … 512: 5.0k → 31k steps), so with T ∝ n the runs at d1* use a
    similar share of the budget at every n (25–78% at the slowest seed) — the budget neither starves the large
    n (which would inflate the slope) nor flatters the small ones. In the fixed-d0 series the growth is
    steeper (≈ n^1.4 over 64 … 512, 19% → 44% of T), so at n ≥ 1024 there T may start to bind: check
    ``steps``/``max_steps`` of the d1* runs in the records.
    """
    return math.ceil(float(params["steps_per_sample"]) * int(params["n"]))


def train_config(params: dict, track_every: int = 0) -> TrainConfig:
    """The :class:`TrainConfig` of a point's runs."""
    return TrainConfig(max_steps=max_steps(params), loss_tol=float(params.get("loss_tol", 1e-4)),
                       lr_scale=float(params.get("lr_scale", 1.0)), max_halvings=int(params.get("max_halvings", 40)),
                       track_every=int(track_every))


def make_data(n: int, d0: int, replica: int, base_seed: int, backend: Backend) -> tuple[Array, Array]:
    """One data set: X (d0, n) with columns uniform on the unit sphere, Y (n,) = ±1/√n random signs."""
    xp = backend.xp
    rng = ArrayRNG(seed_sequence(base_seed, CLAIM, {"n": n, "d0": d0, "draw": "data"}, replica), backend)
    g = rng.standard_normal((d0, n))
    X = g / xp.sqrt(xp.sum(g * g, axis=0, keepdims=True))
    u = rng.uniform((n,))
    one = xp.ones_like(u)
    Y = xp.where(u >= 0.5, one, -one) / math.sqrt(n)
    return X, Y


def init_params(n: int, d0: int, d1: int, replica: int, base_seed: int, backend: Backend,
                init: str = "lecun") -> tuple[Array, Array]:
    """W (d1, d0) ~ N(0, g/d0) and v (d1,) ~ N(0, g/d1), g = 1 (LeCun) or 2 (He)."""
    if init not in INIT_GAINS:
        raise ValueError(f"width: init must be one of {sorted(INIT_GAINS)}, got {init!r}")
    gain = INIT_GAINS[init]
    point = {"n": n, "d0": d0, "d1": d1, "draw": "init"}
    rng = ArrayRNG(seed_sequence(base_seed, CLAIM, point, replica), backend)
    W = rng.standard_normal((d1, d0)) * math.sqrt(gain / d0)
    v = rng.standard_normal((d1,)) * math.sqrt(gain / d1)
    return W, v


def batch_arrays(params: dict, d1: int, replicas: Sequence[int], base_seed: int,
                 backend: Backend) -> tuple[Array, Array, Array, Array]:
    """Stacked W (S, d1, d0), v (S, d1) and the data, X (S, d0, n) / Y (S, n), or (d0, n) / (n,) if shared."""
    xp = backend.xp
    n, d0 = int(params["n"]), resolve_d0(params)
    init = str(params.get("init", "lecun"))
    pairs = [init_params(n, d0, d1, r, base_seed, backend, init) for r in replicas]
    W = xp.stack([p[0] for p in pairs])
    v = xp.stack([p[1] for p in pairs])
    if params.get("shared_data", False):
        X, Y = make_data(n, d0, 0, base_seed, backend)
    else:
        data = [make_data(n, d0, r, base_seed, backend) for r in replicas]
        X = xp.stack([d[0] for d in data])
        Y = xp.stack([d[1] for d in data])
    return W, v, X, Y


def _base_record(params: dict, d0: int, d1: int, base_seed: int, backend: Backend) -> dict:
    return {"claim": CLAIM, "paper": PAPER, "series": str(params.get("series", "")), "n": int(params["n"]),
            "d0": d0, "d1": int(d1), "init": str(params.get("init", "lecun")),
            "shared_data": bool(params.get("shared_data", False)), "base_seed": int(base_seed),
            "backend": backend.name, "device": backend.device}


def train_batch(params: dict, d1: int, replicas: Sequence[int], base_seed: int, backend: Backend,
                track_every: int = 0) -> tuple[list[dict], TrainOutput]:
    """Train the given replicas at width d1 as one batch; one flat record per replica, and the raw output."""
    replicas = [int(r) for r in replicas]
    d0 = resolve_d0(params)
    cfg = train_config(params, track_every)
    W, v, X, Y = batch_arrays(params, d1, replicas, base_seed, backend)
    backend.synchronize()
    t0 = time.perf_counter()
    out = train_gd(W, v, X, Y, backend, config=cfg)
    backend.synchronize()
    wall = time.perf_counter() - t0
    records = []
    for r, res in zip(replicas, out.results, strict=True):
        rec = _base_record(params, d0, d1, base_seed, backend)
        rec.update({"seed": r, "max_steps": cfg.max_steps, "loss_tol": cfg.loss_tol, "lr_scale": cfg.lr_scale})
        rec.update(res.to_dict())
        rec.update({"wall_time_s": wall / len(replicas), "batch_wall_time_s": wall, "batch_size": len(replicas)})
        records.append(rec)
    return records, out


def width_search_grid(params: dict) -> tuple[list[int], int]:
    """The point's grid (d1_min … ⌈d1_max_ratio·n/d0⌉) and the start index (d0·d1 ≈ d1_start_ratio·n)."""
    n, d0 = int(params["n"]), resolve_d0(params)
    d1_min = int(params.get("d1_min", 1))
    d1_max = max(d1_min, math.ceil(float(params["d1_max_ratio"]) * n / d0))
    grid = width_grid(d1_min, d1_max)
    start = nearest_index(grid, float(params.get("d1_start_ratio", 1.5)) * n / d0)
    return grid, start


WidthLog = Callable[[int, int], None]  # (width d1 just trained, seeds trained at it): a job's progress line


def search_point(params: dict, base_seed: int, backend: Backend, known_records: Sequence[dict] = (),
                 on_width: WidthLog | None = None) -> tuple[list[dict], SearchResult]:
    """Run the width search of one point; returns the records of the runs it trained and the search result.

    ``known_records`` (records of this point from an earlier call) are reused: their runs are not retrained.
    ``on_width(d1, seeds)`` after every width trained.
    """
    replicas = list(range(int(params["seeds"])))
    grid, start = width_search_grid(params)
    records: list[dict] = []
    known = {(int(r["d1"]), int(r["seed"])): bool(r["success"]) for r in known_records}

    def evaluate(d1: int, which: Sequence[int]) -> dict[int, bool]:
        recs, _ = train_batch(params, d1, which, base_seed, backend)
        records.extend(recs)
        if on_width is not None:
            on_width(d1, len(recs))
        return {rec["seed"]: rec["success"] for rec in recs}

    result = search_width(grid, replicas, evaluate, min_success=int(params["min_success"]), start_index=start,
                          known=known)
    return records, result


def run_point(params: dict, base_seed: int, backend: Backend, on_width: WidthLog | None = None) -> list[dict]:
    """All training runs of one point (one n of one series), one flat JSON-ready record each.

    Record fields: claim, paper, series, n, d0, d1, seed (replica), success, final_loss, initial_loss, steps,
    max_steps, reason, lr0, lr_final, halvings, lambda_min0, lambda_max0, wall_time_s (the batch's wall time
    shared equally), batch_wall_time_s, batch_size, backend, device, init, shared_data, base_seed, loss_tol,
    lr_scale, plus the search's view: d1_star (the same on every record of the point; None if none),
    search_grid and d1_min. Sorted by (d1, seed), so the list does not depend on the search's order of calls.
    """
    records, result = search_point(params, base_seed, backend, on_width=on_width)
    for rec in records:
        rec["d1_star"] = result.d1_star
        rec["search_grid"] = list(result.grid)
        rec["d1_min"] = int(result.grid[0])
    return sorted(records, key=lambda r: (r["d1"], r["seed"]))


def tracking_widths(params: dict) -> list[int]:
    """The tracked widths: the √2-grid points nearest to ratio·n/d0 for each of ``track_width_ratios``."""
    n, d0 = int(params["n"]), resolve_d0(params)
    ratios = [float(r) for r in params.get("track_width_ratios", [1.5, 8.0])]
    grid = width_grid(int(params.get("d1_min", 1)), 2 * math.ceil(max(ratios) * n / d0) + 2)
    out: list[int] = []
    for ratio in ratios:
        w = grid[nearest_index(grid, ratio * n / d0)]
        if w not in out:
            out.append(w)
    return out


def run_tracking(params: dict, base_seed: int, backend: Backend,
                 d1_values: Sequence[int] | None = None, on_width: WidthLog | None = None) -> list[dict]:
    """Training curves at a small and a large width (``track_width_ratios`` unless ``d1_values`` given).

    One record per (d1, seed, tracked step): n, d0, d1, seed, step, loss, lambda_min, lambda_min_ratio
    (λ_min(K_t)/λ_min(K_0)), pl_ratio (rᵀK_t r/‖r‖²), path_length (‖θ_t − θ_0‖), jacobian_shift
    (‖J_t − J_0‖₂), and per run: mu_jacobian = σ_min(J_0) = √λ_min(K_0), mu_features = σ_min(φ(W0X)),
    beta_hat = max_t ‖J_t − J_0‖₂/‖θ_t − θ_0‖ (an empirical Jacobian Lipschitz constant), rho =
    mu_jacobian/(2 beta_hat) (the PL radius), success, reason. Seeds are replicas 0..track_seeds−1 with the
    same data and init as the search's runs, so a tracked run reproduces the search's outcome.
    """
    d0 = resolve_d0(params)
    widths = list(d1_values) if d1_values is not None else tracking_widths(params)
    replicas = list(range(int(params.get("track_seeds", 1))))
    every = int(params.get("track_every", 100))
    out_rows: list[dict] = []
    for d1 in widths:
        recs, out = train_batch(params, int(d1), replicas, base_seed, backend, track_every=every)
        if on_width is not None:
            on_width(int(d1), len(recs))
        W, _v, X, _ = batch_arrays(params, int(d1), replicas, base_seed, backend)
        mu_f = backend.to_numpy(ntk.feature_sigma_min(W, X, backend))
        for i, rec in enumerate(recs):
            rows = [t for t in out.tracking if t["seed_index"] == i]
            ratios = [t["jacobian_shift"] / t["path_length"] for t in rows if t["path_length"] > 0]
            beta = max(ratios) if ratios else float("nan")
            mu_j = math.sqrt(max(rec["lambda_min0"], 0.0))
            for t in rows:
                row = _base_record(params, d0, int(d1), base_seed, backend)
                row.update({"seed": rec["seed"], "step": t["step"], "loss": t["loss"], "lambda_min": t["lambda_min"],
                            "lambda_min_ratio": t["lambda_min_ratio"], "pl_ratio": t["pl_ratio"],
                            "path_length": t["path_length"], "jacobian_shift": t["jacobian_shift"],
                            "mu_jacobian": mu_j, "mu_features": float(mu_f[i]), "beta_hat": beta,
                            "rho": mu_j / (2 * beta) if beta > 0 else float("nan"),
                            "success": rec["success"], "reason": rec["reason"], "run_steps": rec["steps"]})
                out_rows.append(row)
    return out_rows


def strip_wall_times(records: Sequence[dict]) -> list[dict]:
    """Records without their wall-time fields (what must be bit-identical across reruns)."""
    return [{k: v for k, v in r.items() if k not in WALL_TIME_KEYS} for r in records]


__all__ = [
    "init_params",
    "make_data",
    "max_steps",
    "resolve_d0",
    "run_point",
    "run_tracking",
    "search_point",
    "strip_wall_times",
    "tracking_widths",
    "train_batch",
    "width_search_grid",
]
