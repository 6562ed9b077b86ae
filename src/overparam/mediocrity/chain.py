"""The exact overlap chain: one-pass SGD reduced without approximation to a frame of dimension O(p).

With isotropic inputs x ~ N(0, I_d), the law of SGD on (w_1..w_p, w*) is invariant under rotations, so only
the vectors' coordinates in an orthonormal frame of their span matter. One step of SGD moves every student
along the same input x; in a frame E of k columns containing the span, x = E ξ + x_⊥ with ξ ~ N(0, I_k)
and ‖x_⊥‖² ~ χ²(d − k), independent. In unit-norm coordinates u_j = w_j/√d the step is

    λ_j = u_j·x,  λ* = u*·x,  f = (1/p) Σ_j λ_j²,  y = λ*² + √Δ ξ₀,  g = f − y,
    c_j = −(2γ'/d) g λ_j,     u_j ← (u_j + c_j x) / ‖u_j + c_j x‖,
    ‖u_j + c_j x‖² = 1 + 2 c_j λ_j + c_j² ‖x‖²,

which in coordinates adds c_j ξ to the k used columns and c_j ‖x_⊥‖ to one new column (the direction of
x_⊥). After K − P steps the frame is re-compressed to P = p + 1 columns by a QR factorisation. Every quantity
is exact (no large-d limit is taken); the cost per step is O(p·K) with K = O(p), whatever d. This is the
SPEC's "overlap chain" (Gram matrix of (W, w*) as a finite-d Markov chain), carried as a Cholesky-like factor
of that Gram matrix instead of re-factorising it every step.

The initial frame is exact too: rows of W and w* uniform on the sphere have the Gram matrix of P
independent N(0, I_d) vectors, normalised; its Cholesky factor has the Bartlett law (diagonal entries
√χ²(d − i), entries below N(0, 1)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from overparam.backend import Backend, linalg_errors_raise
from overparam.batch import LiveRows
from overparam.mediocrity.order_parameters import risk
from overparam.mediocrity.theory import ESCAPE_FRACTION
from overparam.rng import ReplicaStreams


@dataclass
class EscapeResult:
    """Per-replica outcome of an escape run (host arrays, one entry per replica)."""

    escaped: np.ndarray  # bool
    n_exit: np.ndarray  # steps to escape (0 where not escaped)
    t_exit: np.ndarray  # n_exit · γ' / d (nan where not escaped)
    r0: np.ndarray  # risk at t = 0
    m0: np.ndarray  # (S, p) overlaps at t = 0
    q0: np.ndarray  # (S, p, p) student Gram at t = 0
    trace_steps: np.ndarray | None = None  # (T,) step counts of the risk trace, when asked for
    trace_r: np.ndarray | None = None  # (T, S) risk at those times

    @classmethod
    def collect(cls, exit_step: np.ndarray, gamma_p: Any, d: Any, r0: np.ndarray, m0: np.ndarray, q0: np.ndarray,
                backend: Backend, trace_steps: list[int] | None = None, trace_vals: list[Any] = ()) -> EscapeResult:
        """The result of a run from its exit steps (0 = no escape) and, when traced, the risks on the device."""
        escaped = exit_step > 0
        result = cls(escaped, exit_step, np.where(escaped, exit_step * gamma_p / d, np.nan), r0, m0, q0)
        if trace_steps is not None:
            result.trace_steps = np.array(trace_steps)
            result.trace_r = np.stack([backend.to_numpy(v) for v in trace_vals])
        return result


def overlaps(coords: Any, p: int, backend: Backend) -> tuple[Any, Any]:
    """M_j = u_j·u* and Q_jl = u_j·u_l from frame coordinates of shape (N, p + 1, k)."""
    xp = backend.xp
    students = coords[:, :p, :]
    teacher = coords[:, p, :]
    m = xp.sum(students * teacher[:, None, :], axis=-1)
    q = xp.matmul(students, xp.matrix_transpose(students))
    return m, q


def bartlett_frame(streams: ReplicaStreams, rows: list[int], p: int, d: np.ndarray, width: int,
                   backend: Backend) -> Any:
    """Exact coordinates of p + 1 independent uniform unit vectors of R^d in a frame of ``width`` columns."""
    n_rows = p + 1
    below = backend.to_numpy(streams.standard_normal(rows, (n_rows, n_rows)))
    dof = np.stack([di - np.arange(n_rows) for di in d]).astype(np.float64)
    diag = np.sqrt(backend.to_numpy(streams.chisquare(rows, dof, (n_rows,))))
    lower = np.tril(below, -1)
    idx = np.arange(n_rows)
    lower[:, idx, idx] = diag
    lower /= np.linalg.norm(lower, axis=-1, keepdims=True)
    coords = np.zeros((len(rows), n_rows, width))
    coords[:, :, :n_rows] = lower
    return backend.asarray(coords)


def run_chain(
    seeds: list[np.random.SeedSequence],
    backend: Backend,
    *,
    p: int,
    d: np.ndarray,
    gamma_p: np.ndarray,
    delta: float,
    t_max: np.ndarray,
    dt_check: float = 1e-3,
    block: int = 256,
    extra_columns: int | None = None,
    trace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> EscapeResult:
    """Run the exact chain for replicas with their own (d, γ', seed) until each escapes or reaches t_max.

    Escape is the first check time with R(t) < 0.99 R(0); checks happen every ``dt_check`` time units
    (or more often). Replicas that escaped are dropped from the batch at block boundaries, which changes
    nothing for the others since every replica draws from its own stream. ``progress(steps, replicas
    still running)`` is called once per block.
    """
    xp = backend.xp
    d = np.asarray(d, dtype=np.int64)
    gamma_p = np.asarray(gamma_p, dtype=np.float64)
    t_max = np.broadcast_to(np.asarray(t_max, dtype=np.float64), d.shape)
    n_all = d.size
    if len(seeds) != n_all or gamma_p.shape != d.shape:
        raise ValueError("chain: seeds, d and gamma_p must have one entry per replica")
    n_rows = p + 1
    extra = max(n_rows, 8) if extra_columns is None else extra_columns
    width = n_rows + extra
    if np.any(d <= width):
        raise ValueError(f"chain: d must exceed p + 1 + extra columns = {width}; got min d = {d.min()}")
    streams = ReplicaStreams(seeds, backend, device=False)  # small draws, many replicas: host streams (see there)
    rows = list(range(n_all))
    coords = bartlett_frame(streams, rows, p, d, width, backend)
    m, q = overlaps(coords, p, backend)
    r0_dev = risk(m, q, p, backend)
    r0 = backend.to_numpy(r0_dev)
    m0, q0 = backend.to_numpy(m), backend.to_numpy(q)
    # working layout: frame column first, replicas next, so that the first k columns are one contiguous block
    stu, tea = _split_frame(coords, p, width, backend)  # (width, N, p), (width, N)

    steps_per_time = d / gamma_p
    # each replica checks every 2^j steps (its own cadence, so a replica's exit step never depends on what
    # else is in the batch); the loop evaluates R whenever the finest cadence in the batch comes round
    cadence = 2 ** np.floor(np.log2(np.maximum(dt_check * steps_per_time, 1.0))).astype(np.int64)
    cadence_dev = backend.index_array(cadence)
    check_every = int(cadence.min())
    max_steps = np.ceil(t_max * steps_per_time).astype(np.int64)
    exit_step = np.zeros(n_all, dtype=np.int64)
    trace_steps: list[int] = []
    trace_vals: list[Any] = []

    live = LiveRows(n_all, backend)
    step_scale = backend.asarray(-2.0 * gamma_p / d)[:, None]  # c_j = −(2γ'/d) g λ_j
    threshold = ESCAPE_FRACTION * r0_dev
    exit_dev = xp.zeros(n_all, dtype=xp.int64)
    sqrt_delta = float(np.sqrt(delta))
    k = n_rows
    step = 0
    if trace:
        trace_steps.append(0)
        trace_vals.append(r0_dev)
    while live.size:
        active = live.rows
        n_act = active.size
        sched = np.array([n_rows + (k - n_rows + j) % extra for j in range(block)])
        raw = streams.standard_normal(list(active), (block, width))  # step j uses the first k_j entries
        xi_blk = xp.zeros((block, width, n_act))
        xi_blk[...] = xp.permute_dims(raw, (1, 2, 0))
        noise_blk = xp.zeros((block, n_act))
        noise_blk[...] = xp.matrix_transpose(streams.standard_normal(list(active), (block,)))
        chi_dof = (d[active][:, None] - sched[None, :]).astype(np.float64)
        chi_blk = xp.zeros((block, n_act))
        chi_blk[...] = xp.matrix_transpose(streams.chisquare(list(active), chi_dof, (block,)))
        for j in range(block):
            k = int(sched[j])
            xi = xi_blk[j, :k, :]  # (k, N): the input's components along the used frame columns
            lam = xp.sum(stu[:k, ...] * xi[:, :, None], axis=0)  # λ_j = u_j·x, (N, p)
            lam_t = xp.sum(tea[:k, :] * xi, axis=0)  # λ* = u*·x, (N,)
            xx = xp.sum(xi * xi, axis=0) + chi_blk[j, :]  # ‖x‖²
            y = lam_t * lam_t + sqrt_delta * noise_blk[j, :]
            g = xp.mean(lam * lam, axis=-1) - y
            c = step_scale * g[:, None] * lam
            inv_norm = 1.0 / xp.sqrt(1.0 + 2.0 * c * lam + c * c * xx[:, None])
            stu[:k, ...] = (stu[:k, ...] + xi[:, :, None] * c[None, :, :]) * inv_norm[None, :, :]
            stu[k, ...] = c * xp.sqrt(chi_blk[j, :])[:, None] * inv_norm  # the new direction x_⊥/‖x_⊥‖
            step += 1
            if k + 1 == width:
                stu, tea = _compress(stu, tea, p, width, backend)
            if step % check_every == 0:
                m, q = overlaps(_join_frame(stu, tea, backend), p, backend)
                r = risk(m, q, p, backend)
                if trace:
                    trace_steps.append(step)
                    trace_vals.append(r)
                newly = (r < threshold) & (exit_dev == 0) & (step % cadence_dev == 0)
                exit_dev = xp.where(newly, step, exit_dev)
        k = n_rows + (k + 1 - n_rows) % extra
        # block boundary: copy the small exit vector once, drop finished replicas
        exits = backend.to_numpy(exit_dev)
        exit_step[active] = exits
        keep = (exits == 0) & (step < max_steps[active])
        if progress is not None:
            progress(step, int(keep.sum()))
        if trace:  # a traced run keeps every replica, so that the trace has one column per replica
            if not keep.any():
                break
            continue
        take = live.keep(keep)
        stu, tea = take(stu, axis=1), take(tea, axis=1)
        step_scale, threshold, exit_dev, cadence_dev = map(take, (step_scale, threshold, exit_dev, cadence_dev))
    return EscapeResult.collect(exit_step, gamma_p, d, r0, m0, q0, backend, trace_steps if trace else None,
                                trace_vals)


def _split_frame(coords: Any, p: int, width: int, backend: Backend) -> tuple[Any, Any]:
    """(N, p + 1, width) coordinates -> contiguous (width, N, p) students and (width, N) teacher."""
    xp = backend.xp
    n = coords.shape[0]
    stu = xp.zeros((width, n, p), dtype=coords.dtype)
    stu[...] = xp.permute_dims(coords[:, :p, :], (2, 0, 1))
    tea = xp.zeros((width, n), dtype=coords.dtype)
    tea[...] = xp.matrix_transpose(coords[:, p, :])
    return stu, tea


def _join_frame(stu: Any, tea: Any, backend: Backend) -> Any:
    """The inverse of :func:`_split_frame`: (N, p + 1, width) coordinates."""
    xp = backend.xp
    return xp.concat([xp.permute_dims(stu, (1, 2, 0)), xp.matrix_transpose(tea)[:, None, :]], axis=1)


def _compress(stu: Any, tea: Any, p: int, width: int, backend: Backend) -> tuple[Any, Any]:
    """Re-express the p + 1 vectors in a frame of p + 1 columns, exactly renormalised.

    Only the Gram matrix G = C Cᵀ of the vectors matters (the law of SGD is rotation invariant), and its
    Cholesky factor L (G = L Lᵀ) is a set of coordinates of the same vectors in a (p + 1)-column frame.
    When students have collapsed onto each other G is singular to rounding and the eigen-factor is used.
    """
    xp = backend.xp
    coords = _join_frame(stu, tea, backend)
    gram = xp.matmul(coords, xp.matrix_transpose(coords))
    try:
        with linalg_errors_raise(xp):
            small = xp.linalg.cholesky(gram)
        ok = bool(xp.all(xp.isfinite(small)))
    except Exception:  # a Gram that is singular to rounding (students that have collapsed) fails to factor
        ok = False
    if not ok:  # G = V Λ Vᵀ gives coordinates V Λ^½ that exist for any positive semi-definite G
        evals, evecs = xp.linalg.eigh(gram)
        small = evecs * xp.sqrt(xp.clip(evals, 0.0, None))[:, None, :]
    small = small / xp.sqrt(xp.sum(small * small, axis=-1))[:, :, None]
    n_rows = p + 1
    out = xp.zeros((coords.shape[0], n_rows, width), dtype=coords.dtype)
    out[:, :, :n_rows] = small
    return _split_frame(out, p, width, backend)
