"""Direct one-pass SGD on the two-layer student, seeds batched as (S, p, d) arrays: the ground truth.

Teacher y = (w*·x/√d)² + √Δ ξ, student f(x) = (1/p) Σ_j (w_j·x/√d)², loss ½(f − y)², batch 1, step γ,
after every step each row renormalised to ‖w_j‖ = √d. In unit coordinates u_j = w_j/√d one step reads

    λ_j = u_j·x,  g = f − y,  u_j ← (u_j − (2γ'/d) g λ_j x) / ‖·‖,   γ' = γ/p,

which is exactly the gradient step γ ∂/∂w_j ½(f − y)² = γ (f − y)(2/p)(w_j·x/√d) x/√d, written for u.
Time t = steps · γ'/d. This is the GPU workload: every step is a batched mat-vec of W with fresh inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from overparam.backend import Backend
from overparam.batch import LiveRows
from overparam.mediocrity.chain import EscapeResult
from overparam.mediocrity.order_parameters import risk
from overparam.mediocrity.theory import ESCAPE_FRACTION
from overparam.rng import ReplicaStreams
from overparam.seeds import substream
from overparam.tuning import draw_budget


def initial_students(streams: ReplicaStreams, rows: list[int], p: int, d: int, backend: Backend) -> tuple[Any, Any]:
    """Rows of W and w* uniform on the unit sphere of R^d (normalised Gaussians), as (S, p, d) and (S, d)."""
    xp = backend.xp
    z = streams.standard_normal(rows, (p + 1, d))
    z = z / xp.sqrt(xp.sum(z * z, axis=-1))[:, :, None]
    return z[:, :p, :], z[:, p, :]


def sgd_overlaps(u: Any, u_star: Any, backend: Backend) -> tuple[Any, Any]:
    """M = u u*, Q = u uᵀ from the explicit vectors."""
    xp = backend.xp
    m = xp.vecdot(u, u_star[:, None, :])
    q = xp.matmul(u, xp.matrix_transpose(u))
    return m, q


def run_direct_sgd(
    seeds: list[np.random.SeedSequence],
    backend: Backend,
    *,
    p: int,
    d: int,
    gamma_p: float,
    delta: float,
    t_max: float,
    dt_check: float = 1e-3,
    block: int | None = None,
    trace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> EscapeResult:
    """Run direct SGD for S replicas of one (p, d, γ') until each escapes (R < 0.99 R0) or t reaches t_max.

    Escape is checked every 2^j ≤ dt_check·d/γ' steps from the explicit vectors; the exit step is copied to
    the host once per block of steps, never per step. A replica's exit step does not depend on ``block`` or on
    the other replicas of the batch (tested).
    """
    xp = backend.xp
    n_rep = len(seeds)
    # two streams per replica, the start and inputs x in one and the label noise ξ in the other, so that a
    # replica's draws are the same whatever the block size (which depends on the batch and the device)
    streams = ReplicaStreams([substream(s, 0) for s in seeds], backend)
    noise_streams = ReplicaStreams([substream(s, 1) for s in seeds], backend)
    rows = list(range(n_rep))
    if block is None:
        block = int(max(1, min(64, draw_budget(backend) // max(1, n_rep * d))))
    u, u_star = initial_students(streams, rows, p, d, backend)
    m, q = sgd_overlaps(u, u_star, backend)
    r0_dev = risk(m, q, p, backend)
    threshold = ESCAPE_FRACTION * r0_dev
    m0, q0, r0 = backend.to_numpy(m), backend.to_numpy(q), backend.to_numpy(r0_dev)
    cadence = int(2 ** np.floor(np.log2(max(dt_check * d / gamma_p, 1.0))))
    max_steps = int(np.ceil(t_max * d / gamma_p))
    step_scale = -2.0 * gamma_p / d
    sqrt_delta = float(np.sqrt(delta))
    exit_dev = xp.zeros(n_rep, dtype=xp.int64)
    exit_step = np.zeros(n_rep, dtype=np.int64)
    live = LiveRows(n_rep, backend)
    trace_steps, trace_vals = [0], [r0_dev]
    step = 0
    while step < max_steps and live.size:
        active = live.rows
        x_blk = streams.standard_normal(list(active), (block, d))
        noise_blk = noise_streams.standard_normal(list(active), (block,))
        for j in range(block):
            x = x_blk[:, j, :]
            lam = xp.vecdot(u, x[:, None, :])
            lam_t = xp.vecdot(u_star, x)
            g = xp.mean(lam * lam, axis=-1) - (lam_t * lam_t + sqrt_delta * noise_blk[:, j])
            c = step_scale * g[:, None] * lam
            u = u + c[:, :, None] * x[:, None, :]
            u = u / xp.sqrt(xp.vecdot(u, u))[:, :, None]
            step += 1
            if step % cadence == 0:
                m, q = sgd_overlaps(u, u_star, backend)
                r = risk(m, q, p, backend)
                if trace:
                    trace_steps.append(step)
                    trace_vals.append(r)
                exit_dev = xp.where((r < threshold) & (exit_dev == 0), step, exit_dev)
        # block boundary: one small copy to the host, then drop the replicas that escaped
        exits = backend.to_numpy(exit_dev)
        exit_step[active] = exits
        keep = exits == 0
        if progress is not None:
            progress(step, int(keep.sum()))
        if trace:  # a traced run keeps every replica, so that the trace has one column per replica
            if not keep.any():
                break
            continue
        take = live.keep(keep)
        u, u_star, threshold, exit_dev = map(take, (u, u_star, threshold, exit_dev))
    return EscapeResult.collect(exit_step, gamma_p, d, r0, m0, q0, backend, trace_steps if trace else None,
                                trace_vals)
