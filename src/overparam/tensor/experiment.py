"""One point of a paper-A claim → flat, JSON-serialisable records (one per seed and m, or per seed and run).

Targets: T* = Σ_{q≤r} c*_q u*_q^{⊗l}, c*_q = 1, u*_q independent Gaussian directions normalised to the unit
sphere (``target: gaussian``) or an orthonormal set (``target: orthonormal``, via QR). Every random draw comes
from ``overparam.seeds.seed_sequence(base, claim, point, replica)`` where ``point`` holds only what the
draw depends on, so that:

* A1: the directions u_i depend on (l, d) only and the target on (l, d, r): one factorisation per seed serves
  every r, and the components for m are the prefix of one draw (nested tangent spaces);
* A2: the target depends on (l, d, r, target) and the init on (l, d, r, m, target): the re-init arm and the
  no-re-init arm start from the same components (a paired ablation), and every m sees the same targets.

Same seed, same parameters → bit-identical records on the CPU (apart from the wall-time fields). Training that
turns non-finite or diverges is a failed record with a ``reason``, never an exception.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from overparam.backend import Backend
from overparam.rng import ArrayRNG
from overparam.seeds import seed_sequence
from overparam.tensor.lazy import lazy_gd, rho_curves, symmetric_dim
from overparam.tensor.rich import RichConfig, plain_gd, rich_gd

LAZY_CLAIM = "lazy_lower_bound"
RICH_CLAIM = "rich_upper_bound"
RICH_VARIANTS = ("reinit", "no_reinit", "plain")


def _unit_targets(rng: Any, r: int, d: int, kind: str, backend: Backend) -> tuple[Any, Any]:
    """(c*, U*) with c* = 1 and unit rows u*_q: Gaussian directions, or orthonormal ones (QR; needs r ≤ d)."""
    xp = backend.xp
    G = rng.standard_normal((r, d))
    if kind == "gaussian":
        U = G / xp.linalg.vector_norm(G, axis=1)[:, None]
    elif kind == "orthonormal":
        if r > d:
            raise ValueError(f"tensor: an orthonormal target needs r <= d, got r={r}, d={d}")
        Q, _ = xp.linalg.qr(xp.matrix_transpose(G))
        U = xp.matrix_transpose(Q)
    else:
        raise ValueError(f"tensor: target must be 'gaussian' or 'orthonormal', got {kind!r}")
    return xp.ones((r,), dtype=xp.float64), U


def _as_list(v: Any) -> list:
    return list(v) if isinstance(v, (list, tuple)) else [v]


# ---------------------------------------------------------------------------------------------------------
# A1
# ---------------------------------------------------------------------------------------------------------


def run_lazy_point(params: dict[str, Any], base_seed: int, backend: Backend) -> list[dict[str, Any]]:
    """ρ(m) curves of the lazy projection at one (l, d), for every r in ``r_list`` and m = 1..m_max.

    params: l, d, r_list (or r), seeds (number of replicas), target (default gaussian),
    m_extra (m_max = ⌈D/d⌉ + m_extra, default 2), rel_ridge (default 1e-13), eps_check (default 0.05: if the
    median ρ(m_max) of some r exceeds it, m_max doubles, up to ``max_doublings`` (default 2) times).
    One record per (r, seed, m): l, d, r, m, D, md_over_D, rho, seed, ridge, m_max, reason ("ok", or the error
    of a factorisation that failed even after the ridge retries: rho is then NaN, recorded not raised),
    wall_time_s (the seed's factorisation time, shared by its records), backend, target.
    """
    xp = backend.xp
    l, d = int(params["l"]), int(params["d"])
    r_list = [int(r) for r in _as_list(params.get("r_list", params.get("r", 1)))]
    n_seeds = int(params["seeds"])
    kind = str(params.get("target", "gaussian"))
    rel_ridge = float(params.get("rel_ridge", 1e-13))
    eps_check = float(params.get("eps_check", 0.05))
    D = symmetric_dim(d, l)
    m_max = -(-D // d) + int(params.get("m_extra", 2))
    curves: dict[int, list[list[float]]] = {}
    meta: list[tuple[float, float]] = []
    for _doubling in range(int(params.get("max_doublings", 2)) + 1):
        curves = {r: [] for r in r_list}
        meta = []
        for s in range(n_seeds):
            t0 = time.perf_counter()
            rng_u = ArrayRNG(seed_sequence(base_seed, LAZY_CLAIM, {"l": l, "d": d, "part": "init"}, s), backend)
            U = rng_u.standard_normal((m_max, d)) / d**0.5
            cs, us = [], []
            for r in r_list:
                pt = {"l": l, "d": d, "r": r, "target": kind, "part": "target"}
                rng_t = ArrayRNG(seed_sequence(base_seed, LAZY_CLAIM, pt, s), backend)
                c, u = _unit_targets(rng_t, r, d, kind, backend)
                cs.append(c)
                us.append(u)
            # targets with different r share one factorisation: pad to r_max with zero coefficients
            r_max = max(r_list)
            cpad = xp.stack([xp.concat([c, xp.zeros((r_max - c.shape[0],), dtype=xp.float64)]) for c in cs])
            upad = xp.stack([xp.concat([u, xp.zeros((r_max - u.shape[0], d), dtype=xp.float64)]) for u in us])
            try:
                rho, ridge = rho_curves(U, cpad, upad, l, backend, rel_ridge=rel_ridge)
                rho_h = backend.to_numpy(rho)
                reason = "ok"
            except (FloatingPointError, ValueError, MemoryError) as err:  # recorded, not raised
                rho_h, ridge, reason = None, float("nan"), f"error: {type(err).__name__}: {err}"
            backend.synchronize()
            meta.append((time.perf_counter() - t0, ridge, reason))
            for k, r in enumerate(r_list):
                curves[r].append([float("nan")] * m_max if rho_h is None else [float(v) for v in rho_h[k]])
        worst = max(statistics.median(c[-1] for c in curves[r]) for r in r_list)
        if not worst > eps_check:  # also stops on NaN (a failed factorisation is recorded, not retried bigger)
            break
        m_max *= 2
    records = []
    for r in r_list:
        for s in range(n_seeds):
            for m in range(1, m_max + 1):
                records.append({
                    "claim": LAZY_CLAIM, "l": l, "d": d, "r": r, "m": m, "D": D, "md_over_D": m * d / D,
                    "rho": curves[r][s][m - 1], "seed": s, "ridge": meta[s][1], "m_max": m_max,
                    "reason": meta[s][2], "wall_time_s": meta[s][0], "backend": backend.name, "target": kind,
                })
    return records


def run_lazy_gd_point(params: dict[str, Any], base_seed: int, backend: Backend) -> list[dict[str, Any]]:
    """Cross-check of A1: actual lazy GD (α-scaling) against the projection at the same (U, T*), small d.

    params: l, d, m, r, seeds, alpha (≥ 50; default 1000), eta_factor (default 1.8), max_steps (default 5000),
    gap_tol (default 0.05), target. The directions are the first m of the same draw as :func:`run_lazy_point`.
    One record per seed: rho_proj, rho_gd, rel_gap = rho_gd/rho_proj − 1, rel_move = ‖θ−θ0‖/‖θ0‖, steps,
    reason, success (|rel_gap| ≤ gap_tol), wall_time_s, backend.
    """
    l, d, m, r = int(params["l"]), int(params["d"]), int(params["m"]), int(params["r"])
    kind = str(params.get("target", "gaussian"))
    alpha = float(params.get("alpha", 1000.0))
    gap_tol = float(params.get("gap_tol", 0.05))
    records = []
    for s in range(int(params["seeds"])):
        t0 = time.perf_counter()
        rng_u = ArrayRNG(seed_sequence(base_seed, LAZY_CLAIM, {"l": l, "d": d, "part": "init"}, s), backend)
        U = rng_u.standard_normal((m, d)) / d**0.5
        pt = {"l": l, "d": d, "r": r, "target": kind, "part": "target"}
        c, u = _unit_targets(ArrayRNG(seed_sequence(base_seed, LAZY_CLAIM, pt, s), backend), r, d, kind, backend)
        rho, _ = rho_curves(U, c[None, :], u[None, :, :], l, backend, rel_ridge=float(params.get("rel_ridge", 1e-13)))
        rho_proj = float(rho[0, m - 1])
        try:
            out = lazy_gd(U, c, u, l, backend, alpha=alpha, eta_factor=float(params.get("eta_factor", 1.8)),
                          max_steps=int(params.get("max_steps", 5000)))
        except (FloatingPointError, ValueError) as err:
            out = {"rho_gd": float("nan"), "rel_move": float("nan"), "steps": 0, "eta": float("nan"),
                   "reason": f"error: {err}"}
        gap = out["rho_gd"] / rho_proj - 1.0 if rho_proj > 0 else float("nan")
        ok = gap == gap and abs(gap) <= gap_tol
        backend.synchronize()
        records.append({
            "claim": LAZY_CLAIM, "kind": "lazy_gd", "l": l, "d": d, "m": m, "r": r, "D": symmetric_dim(d, l),
            "seed": s, "alpha": alpha, "rho_proj": rho_proj, "rho_gd": out["rho_gd"], "rel_gap": gap,
            "rel_move": out["rel_move"], "steps": out["steps"], "eta": out["eta"], "reason": out["reason"],
            "success": bool(ok), "wall_time_s": time.perf_counter() - t0, "backend": backend.name, "target": kind,
        })
    return records


# ---------------------------------------------------------------------------------------------------------
# A2
# ---------------------------------------------------------------------------------------------------------


def rich_config(params: dict[str, Any]) -> RichConfig:
    """The :class:`RichConfig` named by a point's params (missing keys take the defaults)."""
    fields = RichConfig.__dataclass_fields__
    return RichConfig(**{k: type(getattr(RichConfig(), k))(params[k]) for k in fields if k in params})


def run_rich_point(params: dict[str, Any], base_seed: int, backend: Backend) -> list[dict[str, Any]]:
    """Success of the rich GD variant at one (l, d, r): every m in ``m_grid`` (or ``m``) and every variant.

    params: l, d, r, m_grid, seeds, variants (subset of reinit, no_reinit, plain; default all), target, and
    the :class:`RichConfig` fields (delta, eta, lam, reinit_every, tau_factor, max_steps, tol, check_every,
    diverge_rel, plain_init_scale). The ``plain`` ablation runs once with m = r whatever the grid; grid values
    m < r are skipped (a rank-r target needs at least r components).
    Seeds run together as one (S, m, d) array program. One record per (variant, m, seed): l, d, r, m, variant,
    seed, rel_error, success, steps, reason, n_reinit, n_large, wall_time_s (batch time / S),
    batch_wall_time_s, backend, target, and the hyper-parameters.
    """
    xp = backend.xp
    l, d, r = int(params["l"]), int(params["d"]), int(params["r"])
    n_seeds = int(params["seeds"])
    kind = str(params.get("target", "gaussian"))
    variants = [str(v) for v in _as_list(params.get("variants", list(RICH_VARIANTS)))]
    for v in variants:
        if v not in RICH_VARIANTS:
            raise ValueError(f"tensor: unknown rich variant {v!r} (choose from {', '.join(RICH_VARIANTS)})")
    # fewer than r components cannot fit a generic rank-r target: those grid values are skipped, not run
    m_grid = [int(m) for m in _as_list(params.get("m_grid", params.get("m"))) if int(m) >= r]
    cfg = rich_config(params)
    hyper = {k: v for k, v in cfg.to_dict().items()}
    tpt = {"l": l, "d": d, "r": r, "target": kind}
    cstar, ustar = [], []
    for s in range(n_seeds):
        c, u = _unit_targets(ArrayRNG(seed_sequence(base_seed, RICH_CLAIM, tpt, s), backend), r, d, kind, backend)
        cstar.append(c)
        ustar.append(u)
    C = xp.stack(cstar)
    Us = xp.stack(ustar)
    runs: list[tuple[str, int]] = []
    for v in variants:
        if v == "plain":
            runs.append((v, r))
        else:
            runs.extend((v, m) for m in m_grid)
    records = []
    for variant, m in runs:
        ipt = {"l": l, "d": d, "r": r, "m": m, "target": kind, "part": "plain" if variant == "plain" else "init"}
        rngs = [ArrayRNG(seed_sequence(base_seed, RICH_CLAIM, ipt, s), backend) for s in range(n_seeds)]
        scale = (cfg.plain_init_scale if variant == "plain" else cfg.delta) / d**0.5
        W0 = xp.stack([g.standard_normal((m, d)) for g in rngs]) * scale
        t0 = time.perf_counter()
        if variant == "plain":
            out = plain_gd(W0, C, Us, l, backend, cfg=cfg)
        else:
            def redraw(_event: int, rngs: list = rngs, m: int = m) -> Any:
                return xp.stack([g.standard_normal((m, d)) for g in rngs]) * (cfg.delta / d**0.5)

            out = rich_gd(W0, C, Us, l, backend, cfg=cfg, redraw=redraw if variant == "reinit" else None,
                          )
        backend.synchronize()
        wall = time.perf_counter() - t0
        for s in range(n_seeds):
            records.append({
                "claim": RICH_CLAIM, "l": l, "d": d, "r": r, "m": m, "variant": variant, "seed": s,
                "rel_error": out["rel_error"][s], "success": bool(out["success"][s]), "steps": out["steps"][s],
                "reason": out["reason"][s], "n_reinit": out["n_reinit"][s], "n_large": out["n_large"][s],
                "wall_time_s": wall / n_seeds, "batch_wall_time_s": wall, "backend": backend.name, "target": kind,
                **hyper,
            })
    return records
