"""The exact overlap chain: one-pass SGD reduced without approximation to a frame of dimension O(p).

With isotropic inputs x ~ N(0, I_d), the law of SGD on (w_1..w_p, w*) is invariant under rotations, so only
the vectors' coordinates in an orthonormal frame of their span matter. One step of SGD moves every student
along the same input x; in a frame E of k columns containing the span, x = E ξ + x_⊥ with ξ ~ N(0, I_k)
and ‖x_⊥‖² ~ χ²(d − k), independent. In unit-norm coordinates u_j = w_j/√d the step is

    λ_j = u_j·x,  λ* = u*·x,  f = (1/p) Σ_j λ_j²,  y = λ*² + √Δ ξ₀,  g = f − y,
    c_j = −(2γ'/d) g λ_j,     u_j ← (u_j + c_j x) / ‖u_j + c_j x‖,
    ‖u_j + c_j x‖² = 1 + 2 c_j λ_j + c_j² ‖x‖²,

which in coordinates adds c_j ξ to the k used columns and c_j ‖x_⊥‖ to one new column (the direction of
x_⊥). The frame has width = P + e columns (P = p + 1, e = :func:`frame_extra_columns`); step s (0-based,
counted from the start) uses k_s = P + (s mod e) columns and writes column k_s, and after every step that
fills the last column the frame is re-compressed to P columns (Cholesky factor of the Gram matrix, see
:func:`_compress`). Every quantity is exact (no large-d limit is taken); the cost per step is O(p·k) with
k = O(p), whatever d. This is the SPEC's "overlap chain" (Gram matrix of (W, w*) as a finite-d Markov chain),
carried as a Cholesky-like factor of that Gram matrix instead of re-factorising it every step.

The initial frame is exact too: rows of W and w* uniform on the sphere have the Gram matrix of P
independent N(0, I_d) vectors, normalised; its Cholesky factor has the Bartlett law (diagonal entries
√χ²(d − i), entries below N(0, 1)).

Random numbers (the draw layout, shared by this array-API kernel and the compiled one in ``chain_fused``, both
drawing through :func:`draw_block` only): each replica has two streams, ``substream(seed, 0)`` (normals) and
``substream(seed, 1)`` (chi-squares), each consumed strictly in order:

    normals:      P(P − 1)/2 Bartlett entries (row-major, strictly below the diagonal), then for every step s
                  its k_s components ξ_1..ξ_{k_s} followed by its label noise ξ₀;
    chi-squares:  P Bartlett diagonals χ²(d − i), i = 0..p, then one χ²(d − k_s) per step s.

NumPy's normal and chi-square draws do not depend on how a sequence is split into calls, so a replica's
numbers are the same for any block size, alone or beside any other replicas; and a step draws exactly what it
uses (k_s + 1 normals and one chi-square).
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
from overparam.seeds import substream

ENGINES = ("auto", "fused", "array")


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


def frame_extra_columns(p: int) -> int:
    """e, the frame's columns beyond P = p + 1: the frame is re-compressed after every e steps.

    Rule (by cost per step): a step costs its draws, k + 1 normals and one chi-square with k = P + (s mod e)
    (mean P + (e − 1)/2), plus O(p·k) arithmetic; a re-compression costs O(P³) (a Cholesky factor of the
    Gram matrix, P³/6 multiply-adds, plus rewriting P² coordinates and a fixed call overhead), paid once per
    e steps. Minimising (1 + a·p)(e − 1)/2 + (b·P³ + c)/e over e gives e ≈ √(2(b·P³ + c)/(1 + a·p)):
    at small p the draws dominate and e = 1 (re-compress every step: the frame stays P + 1 wide, a step draws
    P + 1 normals); at large p the arithmetic dominates and e grows like P (e ≈ P/2 with the measured
    constants). Used: e = 1 for p ≤ 2, else e = ⌈P/2⌉.

    Measured with the fused kernel (draws + step per replica-step, d = 10⁴, shared 2-core machine, 2026-12-02):
    p = 1: e = 1, 2, 4 → 108, 102, 105 ns (flat: e = 1 keeps the array kernel's frame smallest); p = 8: e = 1, 2,
    5, 9, 16 → 392, 411, 371, 372, 439 ns; p = 64: e = 8, 16, 33, 48, 65 → 5.9, 4.2, 3.5, 3.6, 3.8 µs.
    """
    if p < 1:
        raise ValueError(f"p must be >= 1, got {p}")
    return 1 if p <= 2 else -(-(p + 1) // 2)


def step_schedule(step0: int, block: int, n_rows: int, extra: int) -> tuple[np.ndarray, np.ndarray]:
    """For the steps step0 .. step0 + block − 1: the used columns k_s = P + (s mod e), and the offset of each
    step's draws in the block's normals (step s takes k_s components then one label noise: k_s + 1 normals)."""
    sched = n_rows + (step0 + np.arange(block, dtype=np.int64)) % extra
    offsets = np.concatenate([[0], np.cumsum(sched + 1)[:-1]]).astype(np.int64)
    return sched, offsets


class ChainStreams:
    """A replica's two streams (layout: the module docstring): normals, and chi-squares. Host streams even
    on a GPU (small draws for many replicas: see :class:`~overparam.rng.ReplicaStreams`)."""

    def __init__(self, seeds: list[np.random.SeedSequence], backend: Backend) -> None:
        self.normal = ReplicaStreams([substream(s, 0) for s in seeds], backend, device=False)
        self.chi = ReplicaStreams([substream(s, 1) for s in seeds], backend, device=False)


def draw_block(streams: ChainStreams, rows: list[int], d_rows: np.ndarray, sched: np.ndarray) -> tuple[Any, Any]:
    """One block's random numbers for the replicas ``rows``: normals (N, Σ_s (k_s + 1)), chi-squares (N, block).

    Row i of the normals holds, step after step, ξ_1..ξ_{k_s} and ξ₀ (offsets from :func:`step_schedule`); row i
    of the chi-squares holds χ²(d_i − k_s). Both kernels draw through this function only.
    """
    normals = streams.normal.standard_normal(rows, (int(sched.sum()) + sched.size,))
    if np.all(sched == sched[0]):  # one degree of freedom per replica (e = 1): the faster scalar-df draw
        dof = (d_rows - sched[0]).astype(np.float64)
    else:
        dof = (d_rows[:, None] - sched[None, :]).astype(np.float64)
    return normals, streams.chi.chisquare(rows, dof, (sched.size,))


def bartlett_frame(streams: ChainStreams, rows: list[int], p: int, d: np.ndarray, width: int,
                   backend: Backend) -> Any:
    """Exact coordinates of p + 1 independent uniform unit vectors of R^d in a frame of ``width`` columns."""
    n_rows = p + 1
    below_idx = np.tril_indices(n_rows, -1)
    below = backend.to_numpy(streams.normal.standard_normal(rows, (below_idx[0].size,)))
    dof = np.stack([di - np.arange(n_rows) for di in d]).astype(np.float64)
    diag = np.sqrt(backend.to_numpy(streams.chi.chisquare(rows, dof, (n_rows,))))
    lower = np.zeros((len(rows), n_rows, n_rows))
    lower[:, below_idx[0], below_idx[1]] = below
    idx = np.arange(n_rows)
    lower[:, idx, idx] = diag
    lower /= np.linalg.norm(lower, axis=-1, keepdims=True)
    coords = np.zeros((len(rows), n_rows, width))
    coords[:, :, :n_rows] = lower
    return backend.asarray(coords)


@dataclass
class ChainStart:
    """What every kernel of the chain starts from: sizes, streams, the initial frame and the escape rule.

    A replica i checks for escape after every ``cadence[i]`` steps (2^j ≤ dt_check·d/γ', its own, so its exit
    step never depends on what else is in the batch), at steps ≤ ``max_steps[i]`` = ⌈t_max d/γ'⌉ only; it
    escapes at the first check with R < ESCAPE_FRACTION·R0.
    """

    p: int
    n_rows: int
    extra: int
    width: int
    d: np.ndarray
    gamma_p: np.ndarray
    streams: ChainStreams
    coords: Any  # (N, P, width) backend array
    r0_dev: Any
    r0: np.ndarray
    m0: np.ndarray
    q0: np.ndarray
    cadence: np.ndarray
    max_steps: np.ndarray


def start_chain(seeds: list[np.random.SeedSequence], backend: Backend, *, p: int, d: np.ndarray,
                gamma_p: np.ndarray, t_max: np.ndarray, dt_check: float, extra_columns: int | None) -> ChainStart:
    """Validate a run's arguments, open its streams and draw its initial frames."""
    d = np.asarray(d, dtype=np.int64)
    gamma_p = np.asarray(gamma_p, dtype=np.float64)
    t_max = np.broadcast_to(np.asarray(t_max, dtype=np.float64), d.shape)
    if len(seeds) != d.size or gamma_p.shape != d.shape:
        raise ValueError("chain: seeds, d and gamma_p must have one entry per replica")
    n_rows = p + 1
    extra = frame_extra_columns(p) if extra_columns is None else int(extra_columns)
    if extra < 1:
        raise ValueError(f"chain: extra columns must be >= 1, got {extra}")
    width = n_rows + extra
    if np.any(d <= width):
        raise ValueError(f"chain: d must exceed p + 1 + extra columns = {width}; got min d = {d.min()}")
    streams = ChainStreams(seeds, backend)
    coords = bartlett_frame(streams, list(range(d.size)), p, d, width, backend)
    m, q = overlaps(coords, p, backend)
    r0_dev = risk(m, q, p, backend)
    steps_per_time = d / gamma_p
    cadence = 2 ** np.floor(np.log2(np.maximum(dt_check * steps_per_time, 1.0))).astype(np.int64)
    max_steps = np.ceil(t_max * steps_per_time).astype(np.int64)
    return ChainStart(p, n_rows, extra, width, d, gamma_p, streams, coords, r0_dev, backend.to_numpy(r0_dev),
                      backend.to_numpy(m), backend.to_numpy(q), cadence, max_steps)


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
    block: int | None = None,
    extra_columns: int | None = None,
    trace: bool = False,
    progress: Callable[[int, int], None] | None = None,
    engine: str = "auto",
) -> EscapeResult:
    """Run the exact chain for replicas with their own (d, γ', seed) until each escapes or reaches t_max.

    Escape is the first check with R(t) < 0.99 R(0) (rule: :class:`ChainStart`). Replicas that escaped are
    dropped from the batch at block boundaries, which changes nothing for the others since every replica draws
    from its own streams. ``progress(steps, replicas still running)`` is called once per block.

    ``engine``: ``"array"`` is the array-API kernel below (the reference and the GPU path: all replicas advance
    together, ~15 array calls per step, ``block`` = 256 steps by default); ``"fused"`` is the compiled CPU kernel
    (:func:`overparam.mediocrity.chain_fused.run_chain_fused`: NumPy backend, no trace); ``"auto"`` takes the
    fused kernel on the NumPy backend without a trace and the array kernel otherwise. Both consume the same
    random numbers (:func:`draw_block`) and give the same exit steps up to rounding (tests/test_chain_fused.py).
    """
    if engine not in ENGINES:
        raise ValueError(f"chain: engine {engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine = "fused" if backend.name == "numpy" and not trace else "array"
    if engine == "fused":
        if backend.name != "numpy" or trace:
            raise ValueError("chain: the fused kernel runs on the NumPy backend and without a risk trace")
        from overparam.mediocrity.chain_fused import run_chain_fused  # imports Numba: only when it is used

        return run_chain_fused(seeds, backend, p=p, d=d, gamma_p=gamma_p, delta=delta, t_max=t_max,
                               dt_check=dt_check, block=block, extra_columns=extra_columns, progress=progress)
    xp = backend.xp
    block = 256 if block is None else int(block)
    st = start_chain(seeds, backend, p=p, d=d, gamma_p=gamma_p, t_max=t_max, dt_check=dt_check,
                     extra_columns=extra_columns)
    d, n_rows, extra, width = st.d, st.n_rows, st.extra, st.width
    n_all = d.size
    # working layout: frame column first, replicas next, so that the first k columns are one contiguous block
    stu, tea = _split_frame(st.coords, p, width, backend)  # (width, N, p), (width, N)
    # each replica checks every 2^j steps (its own cadence, so a replica's exit step never depends on what
    # else is in the batch); the loop evaluates R whenever the finest cadence in the batch comes round
    cadence_dev = backend.index_array(st.cadence)
    max_steps_dev = backend.index_array(st.max_steps)
    check_every = int(st.cadence.min())
    exit_step = np.zeros(n_all, dtype=np.int64)
    trace_steps: list[int] = []
    trace_vals: list[Any] = []

    live = LiveRows(n_all, backend)
    step_scale = backend.asarray(-2.0 * st.gamma_p / d)[:, None]  # c_j = −(2γ'/d) g λ_j
    threshold = ESCAPE_FRACTION * st.r0_dev
    exit_dev = xp.zeros(n_all, dtype=xp.int64)
    sqrt_delta = float(np.sqrt(delta))
    step = 0
    if trace:
        trace_steps.append(0)
        trace_vals.append(st.r0_dev)
    while live.size:
        active = live.rows
        n_act = active.size
        sched, offsets = step_schedule(step, block, n_rows, extra)
        normals, chis = draw_block(st.streams, list(active), d[active], sched)
        z_blk = xp.zeros((normals.shape[1], n_act))  # (draws, N): each step's draws are contiguous rows
        z_blk[...] = xp.matrix_transpose(normals)
        chi_blk = xp.zeros((block, n_act))
        chi_blk[...] = xp.matrix_transpose(chis)
        for j in range(block):
            k, off = int(sched[j]), int(offsets[j])
            xi = z_blk[off:off + k, :]  # (k, N): the input's components along the used frame columns
            lam = xp.sum(stu[:k, ...] * xi[:, :, None], axis=0)  # λ_j = u_j·x, (N, p)
            lam_t = xp.sum(tea[:k, :] * xi, axis=0)  # λ* = u*·x, (N,)
            xx = xp.sum(xi * xi, axis=0) + chi_blk[j, :]  # ‖x‖²
            y = lam_t * lam_t + sqrt_delta * z_blk[off + k, :]
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
                newly = (r < threshold) & (exit_dev == 0) & (step % cadence_dev == 0) & (step <= max_steps_dev)
                exit_dev = xp.where(newly, step, exit_dev)
        # block boundary: copy the small exit vector once, drop finished replicas
        exits = backend.to_numpy(exit_dev)
        exit_step[active] = exits
        keep = (exits == 0) & (step < st.max_steps[active])
        if progress is not None:
            progress(step, int(keep.sum()))
        if trace:  # a traced run keeps every replica, so that the trace has one column per replica
            if not keep.any():
                break
            continue
        take = live.keep(keep)
        stu, tea = take(stu, axis=1), take(tea, axis=1)
        step_scale, threshold, exit_dev, cadence_dev, max_steps_dev = map(
            take, (step_scale, threshold, exit_dev, cadence_dev, max_steps_dev))
    return EscapeResult.collect(exit_step, st.gamma_p, d, st.r0, st.m0, st.q0, backend,
                                trace_steps if trace else None, trace_vals)


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


def _cholesky_or_none(gram: Any, backend: Backend) -> Any | None:
    """The batch's Cholesky factors, or None when one of the matrices does not factor (or gives non-finite)."""
    xp = backend.xp
    try:
        with linalg_errors_raise(xp):
            small = xp.linalg.cholesky(gram)
    except Exception:  # a Gram that is singular to rounding (students that have collapsed) fails to factor
        return None
    return small if bool(xp.all(xp.isfinite(small))) else None


def _factor(gram: Any, backend: Backend) -> Any:
    """Coordinates L with L Lᵀ = G for each Gram matrix of the batch: the Cholesky factor where it exists, else
    the eigen-factor V Λ^½ (G = V Λ Vᵀ), which exists for any positive semi-definite G. The choice is made per
    matrix, so that a replica's frame never depends on the other replicas of its batch."""
    xp = backend.xp
    small = _cholesky_or_none(gram, backend)
    if small is not None:
        return small
    parts = []
    for i in range(gram.shape[0]):  # rare (collapsed students): factor each replica's Gram alone
        one = gram[i:i + 1, ...]
        small = _cholesky_or_none(one, backend)
        if small is None:
            evals, evecs = xp.linalg.eigh(one)
            small = evecs * xp.sqrt(xp.clip(evals, 0.0, None))[:, None, :]
        parts.append(small)
    return xp.concat(parts, axis=0)


def _compress(stu: Any, tea: Any, p: int, width: int, backend: Backend) -> tuple[Any, Any]:
    """Re-express the p + 1 vectors in a frame of p + 1 columns, exactly renormalised.

    Only the Gram matrix G = C Cᵀ of the vectors matters (the law of SGD is rotation invariant), and its
    Cholesky factor L (G = L Lᵀ) is a set of coordinates of the same vectors in a (p + 1)-column frame.
    When students have collapsed onto each other G is singular to rounding and the eigen-factor is used
    (:func:`_factor`, per replica). Rows are then renormalised to unit length.
    """
    xp = backend.xp
    coords = _join_frame(stu, tea, backend)
    gram = xp.matmul(coords, xp.matrix_transpose(coords))
    small = _factor(gram, backend)
    small = small / xp.sqrt(xp.sum(small * small, axis=-1))[:, :, None]
    n_rows = p + 1
    out = xp.zeros((coords.shape[0], n_rows, width), dtype=coords.dtype)
    out[:, :, :n_rows] = small
    return _split_frame(out, p, width, backend)
