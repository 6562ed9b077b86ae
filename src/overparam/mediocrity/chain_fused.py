"""The exact overlap chain as one compiled CPU kernel (Numba): all the steps of a block for all replicas.

The algorithm, the random numbers and the escape rule are those of :func:`overparam.mediocrity.chain.run_chain`
(the reference): the same streams drawn in the same layout by the same function
(:func:`~overparam.mediocrity.chain.draw_block`, in Python, one block at a time), the same step

    λ_j = u_j·x,  λ* = u*·x,  g = (1/p) Σ_j λ_j² − λ*² − √Δ ξ₀,  c_j = −(2γ'/d) g λ_j,
    u_j ← (u_j + c_j x) / √(1 + 2 c_j λ_j + c_j² ‖x‖²),

the same schedule of frame columns k_s = P + (s mod e) and the same re-compression (Cholesky factor of the
Gram matrix, eigen-factor V Λ^½ for a replica whose Gram does not factor), the same checks (each replica on
its own power-of-two cadence, R < 0.99 R0, steps ≤ ⌈t_max d/γ'⌉) and the same dropping of finished replicas
at block boundaries. Only the order of floating-point operations differs (sums run in another order, the
Cholesky factor is computed by hand rather than by LAPACK), so exit steps agree with the reference except
where a check's R lies within rounding of the threshold (tests/test_chain_fused.py).

Layout: replicas are advanced in groups of ``LANES``, each group's state held as (width, P, LANES) so that
every inner loop runs over the replicas of a group (one SIMD vector of independent replicas, whatever p; at
p = 1 a step is a chain of dependent scalar operations, and eight replicas side by side hide their latency).
The trace mode (risk at every check) exists only in the array-API kernel.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from overparam.backend import Backend
from overparam.mediocrity.chain import EscapeResult, draw_block, start_chain, step_schedule
from overparam.mediocrity.theory import ESCAPE_FRACTION


def _compiled(**options: object) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """``numba.njit`` with IEEE arithmetic (a division by zero gives inf/nan, as in NumPy: no Python zero-division
    branch in the inner loops), fused multiply-adds where the compiler finds them, and an on-disk cache.

    The cache (first call ≈ 7–8 s of compilation, ≈ 0.7–0.9 s when cached) goes to ``__pycache__`` beside this
    file, or, in a read-only checkout, to Numba's user-wide cache directory (``$NUMBA_CACHE_DIR`` if set); where
    no directory is writable Numba refuses ``cache=True`` and the kernel is compiled in every process instead."""

    def wrap(func: Callable[..., object]) -> Callable[..., object]:
        try:
            return numba.njit(cache=True, error_model="numpy", fastmath={"contract"}, **options)(func)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, error_model="numpy", fastmath={"contract"}, **options)(func)

    return wrap


_jit = _compiled()
# the step's helpers are inlined into the kernel: a call between compiled functions costs more than a small
# step's arithmetic (arrays are passed as structs, with reference counting)
_inline = _compiled(inline="always")
DRAW_BUDGET = 2**17  # float64 random numbers per chunk of replicas and block (1 MB: stays in L2 between passes)


def fused_block(n_rows: int, extra: int) -> int:
    """Steps per block of the fused kernel: ≈ 2^14 normals per replica and block, a power of two in [32, 1024].

    Exit steps do not depend on it (every kernel's draws are independent of the block size); it only sets how
    often Python draws and drops finished replicas (a replica runs on to its block's end after escaping).
    """
    mean_draws = n_rows + (extra - 1) / 2 + 1
    return int(2 ** np.clip(np.floor(np.log2(2**14 / mean_draws)), 5, 10))


def fused_lanes(p: int) -> int:
    """Replicas advanced side by side in one group (the inner SIMD axis of every loop).

    Measured (kernel time per replica-step at d = 10⁴, shared 2-core machine, 2026-12-02): p = 1: 16 or 32
    lanes 35 ns, 8 lanes 72 ns, 1 lane 925 ns (a LAPACK call per step at e = 1); p = 8: 32 lanes 119 ns,
    16 lanes 158 ns, 1 lane 615 ns; p = 64: 1 lane 2.7 µs, 32 lanes 3.5 µs (a group's frames leave the cache;
    with one lane the P vectors are the SIMD axis). Between p = 8 and 64 the rule is an interpolation, not
    measured.
    """
    if p <= 8:
        return 32
    if p < 32:
        return 8
    return 1


@_jit
def _factor_lane(gram: np.ndarray, lower: np.ndarray, lane: int) -> None:
    """The eigen-factor V Λ^½ of one replica's Gram matrix (its lower triangle, ``gram[a, b, lane]``, a ≥ b)."""
    n = gram.shape[0]
    full = np.empty((n, n))
    for a in range(n):
        for b in range(a + 1):
            full[a, b] = gram[a, b, lane]
            full[b, a] = gram[a, b, lane]
    evals, evecs = np.linalg.eigh(full)
    for b in range(n):
        root = np.sqrt(max(evals[b], 0.0))
        for a in range(n):
            lower[a, b, lane] = evecs[a, b] * root


@_inline
def _cholesky_lanes(lower: np.ndarray, col: np.ndarray, ok: np.ndarray) -> None:
    """In place, right-looking, every lane at once: the lower triangle of ``lower`` (a Gram matrix per lane)
    becomes its Cholesky factor L (G = L Lᵀ); ``ok[lane]`` is cleared where a pivot is not positive (or NaN)."""
    n, nl = lower.shape[1], lower.shape[2]
    for b in range(n):
        for lane in range(nl):
            piv = lower[b, b, lane]
            if not piv > 0.0:
                ok[lane] = False
            lower[b, b, lane] = np.sqrt(piv)
        for a in range(b + 1, n):
            for lane in range(nl):
                lower[a, b, lane] = lower[a, b, lane] / lower[b, b, lane]
                col[a, lane] = lower[a, b, lane]
        for a in range(b + 1, n):  # trailing update G[a, m] −= L[a, b] L[m, b], b < m ≤ a
            for m in range(b + 1, a + 1):
                for lane in range(nl):
                    lower[a, m, lane] -= col[a, lane] * col[m, lane]


@_jit
def _compress_one(frame: np.ndarray, gram: np.ndarray, full: np.ndarray) -> None:
    """:func:`_compress_group` for a single replica (2-D ``frame[c, a]``, ``gram[a, b]``): the factor by LAPACK
    (``np.linalg.cholesky``; ``eigh`` when it fails), several times faster than the lane loops at large P."""
    n = gram.shape[0]
    for a in range(n):
        for b in range(a + 1):
            full[a, b] = gram[a, b]
            full[b, a] = gram[a, b]
    ok = True
    try:
        lower = np.linalg.cholesky(full)
    except Exception:  # not positive definite (students that have collapsed onto each other)
        ok = False
    if ok:
        for a in range(n):
            for b in range(a + 1):
                if not np.isfinite(lower[a, b]):
                    ok = False
    if not ok:
        evals, evecs = np.linalg.eigh(full)
        lower = np.empty((n, n))
        for b in range(n):
            root = np.sqrt(max(evals[b], 0.0))
            for a in range(n):
                lower[a, b] = evecs[a, b] * root
    # explicit loops, not np.sum(..., axis=1): an axis reduction costs seconds of first-call compile time
    norm = np.empty(n)
    for a in range(n):
        acc = 0.0
        for b in range(n):
            acc += lower[a, b] * lower[a, b]
        norm[a] = np.sqrt(acc)
    for a in range(n):
        for b in range(n):
            frame[b, a] = lower[a, b] / norm[a]
    frame[n:, :] = 0.0
    for a in range(n):
        for b in range(a + 1):
            gram[a, b] = gram[a, b] / (norm[a] * norm[b])


@_inline
def _compress_group(frame: np.ndarray, gram: np.ndarray, lower: np.ndarray, row: np.ndarray, full: np.ndarray,
                    n_real: int) -> None:
    """Re-express a group's P vectors in P columns, as ``chain._compress`` does: L with L Lᵀ = G (Cholesky; the
    eigen-factor for a lane whose G does not factor or gives a non-finite L), rows of L renormalised to unit
    length, written to columns 0..P−1 of ``frame`` (the other columns zeroed).

    G = C Cᵀ is not recomputed from the coordinates (P² × width multiply-adds): it is the Gram matrix the
    kernel carries along exactly (:func:`_update_overlaps`). On return ``gram`` holds the Gram matrix of the
    renormalised rows, G_ab / (‖L_a‖ ‖L_b‖)."""
    width, n_rows, nl = frame.shape
    if nl == 1:
        _compress_one(frame.reshape((width, n_rows)), gram.reshape((n_rows, n_rows)), full)
        return
    for a in range(n_rows):
        for b in range(n_rows):
            for lane in range(nl):
                lower[a, b, lane] = gram[a, b, lane] if b <= a else 0.0
    ok = np.ones(nl, dtype=np.bool_)
    _cholesky_lanes(lower, row, ok)
    for lane in range(n_real):
        if ok[lane]:
            for a in range(n_rows):
                for b in range(a + 1):
                    if not np.isfinite(lower[a, b, lane]):
                        ok[lane] = False
        if not ok[lane]:
            _factor_lane(gram, lower, lane)
    for a in range(n_rows):
        for lane in range(nl):
            row[a, lane] = 0.0
        for b in range(n_rows):  # all columns: an eigen-factor is not triangular
            for lane in range(nl):
                row[a, lane] += lower[a, b, lane] * lower[a, b, lane]
        for lane in range(nl):
            row[a, lane] = np.sqrt(row[a, lane])
        for b in range(n_rows):
            for lane in range(nl):
                frame[b, a, lane] = lower[a, b, lane] / row[a, lane]
        for c in range(n_rows, width):
            for lane in range(nl):
                frame[c, a, lane] = 0.0
    for a in range(n_rows):
        for b in range(a + 1):
            for lane in range(nl):
                gram[a, b, lane] = gram[a, b, lane] / (row[a, lane] * row[b, lane])


@_inline
def _update_overlaps(gram: np.ndarray, lam: np.ndarray, coef: np.ndarray, inv: np.ndarray, xx: np.ndarray,
                     p: int) -> None:
    """The step's effect on the Gram matrix G of (u_1..u_p, u*), exactly (u_a ← ι_a (u_a + c_a x), u* fixed):

        Q_ab ← ι_a ι_b (Q_ab + c_b λ_a + c_a λ_b + c_a c_b ‖x‖²),   M_a ← ι_a (M_a + c_a λ*),

    on the lower triangle (students' Q; the teacher's row p holds M). O(p²) per step, so that a check costs
    O(p²) instead of the O(p² k) of recomputing the overlaps from the coordinates, and a re-compression needs
    no Gram product."""
    nl = gram.shape[2]
    if nl == 1:  # 2-D views: unit strides the compiler can see
        g2, i1, c1, l1 = gram.reshape((gram.shape[0], gram.shape[1])), inv.reshape(p), coef.reshape(p), \
            lam.reshape(lam.shape[0])
        for a in range(p):
            ia, ca, la, cx = i1[a], c1[a], l1[a], c1[a] * xx[0]
            g1 = g2[a]
            for b in range(a + 1):
                g1[b] = ia * i1[b] * (g1[b] + c1[b] * (la + cx) + ca * l1[b])
    else:
        for a in range(p):
            for b in range(a + 1):
                for lane in range(nl):
                    gram[a, b, lane] = inv[a, lane] * inv[b, lane] * (
                        gram[a, b, lane] + coef[b, lane] * (lam[a, lane] + coef[a, lane] * xx[lane])
                        + coef[a, lane] * lam[b, lane])
    if nl == 1:
        for b in range(p):
            gram[p, b, 0] = inv[b, 0] * (gram[p, b, 0] + coef[b, 0] * lam[p, 0])
    else:
        for b in range(p):
            for lane in range(nl):
                gram[p, b, lane] = inv[b, lane] * (gram[p, b, lane] + coef[b, lane] * lam[p, lane])


@_inline
def _risk_group(gram: np.ndarray, p: int, out: np.ndarray) -> None:
    """R = 1 + tr(Q²)/p² − (2/p) Σ_j M_j² for each lane, from the Gram matrix's lower triangle."""
    for lane in range(gram.shape[2]):  # lanes outermost: with one lane no loop runs a single trip
        q2 = 0.0
        m2 = 0.0
        for a in range(p):
            q2 += gram[a, a, lane] * gram[a, a, lane]
            off = 0.0
            for b in range(a):
                off += gram[a, b, lane] * gram[a, b, lane]
            q2 += 2.0 * off
            m2 += gram[p, a, lane] * gram[p, a, lane]
        out[lane] = 1.0 + q2 / p**2 - 2.0 * m2 / p


@_inline
def _project(frame: np.ndarray, xi: np.ndarray, off: int, k: int, lam: np.ndarray, xx: np.ndarray) -> None:
    """lam[a, lane] = Σ_{c < k} frame[c, a, lane] ξ_c (ξ_c = xi[off + c, lane]): λ_a = u_a·x for every vector;
    and xx[lane] = Σ_{c < k} ξ_c² (|ξ|², the used columns' part of ‖x‖²).

    With one lane the vectors are the inner axis and four columns go per pass (a running sum per column would
    wait on the latency of the previous column's)."""
    n, nl = frame.shape[1], frame.shape[2]
    lam[...] = 0.0
    if nl == 1:  # 2-D views: unit strides the compiler can see
        f2, x1, l1 = frame.reshape((frame.shape[0], n)), xi.reshape(xi.shape[0]), lam.reshape(n)
        s = 0.0
        for c in range(k):
            s += x1[off + c] * x1[off + c]
        xx[0] = s
        c = 0
        while c + 4 <= k:
            x0, xa, xb, xc = x1[off + c], x1[off + c + 1], x1[off + c + 2], x1[off + c + 3]
            r0, r1, r2, r3 = f2[c], f2[c + 1], f2[c + 2], f2[c + 3]
            for a in range(n):
                l1[a] += (r0[a] * x0 + r1[a] * xa) + (r2[a] * xb + r3[a] * xc)
            c += 4
        while c < k:
            x0, r0 = x1[off + c], f2[c]
            for a in range(n):
                l1[a] += r0[a] * x0
            c += 1
    else:
        xx[...] = 0.0
        for c in range(k):
            for a in range(n):
                for lane in range(nl):
                    lam[a, lane] += frame[c, a, lane] * xi[off + c, lane]
            for lane in range(nl):
                xx[lane] += xi[off + c, lane] * xi[off + c, lane]


@_inline
def _move(frame: np.ndarray, xi: np.ndarray, off: int, k: int, coef: np.ndarray, inv: np.ndarray, p: int) -> None:
    """u_a ← ι_a (u_a + c_a ξ) on the used columns c < k, for the students a < p."""
    nl = frame.shape[2]
    if nl == 1:  # 2-D views: unit strides the compiler can see
        f2, x1 = frame.reshape((frame.shape[0], frame.shape[1])), xi.reshape(xi.shape[0])
        c1, i1 = coef.reshape(p), inv.reshape(p)
        c = 0
        while c + 4 <= k:
            x0, xa, xb, xc = x1[off + c], x1[off + c + 1], x1[off + c + 2], x1[off + c + 3]
            r0, r1, r2, r3 = f2[c], f2[c + 1], f2[c + 2], f2[c + 3]
            for a in range(p):
                ca, ia = c1[a], i1[a]
                r0[a] = (r0[a] + x0 * ca) * ia
                r1[a] = (r1[a] + xa * ca) * ia
                r2[a] = (r2[a] + xb * ca) * ia
                r3[a] = (r3[a] + xc * ca) * ia
            c += 4
        while c < k:
            x0, r0 = x1[off + c], f2[c]
            for a in range(p):
                r0[a] = (r0[a] + x0 * c1[a]) * i1[a]
            c += 1
    else:
        for c in range(k):
            for a in range(p):
                for lane in range(nl):
                    frame[c, a, lane] = (frame[c, a, lane] + xi[off + c, lane] * coef[a, lane]) * inv[a, lane]


@_jit
def advance_block(
    state: np.ndarray, gstate: np.ndarray, normals: np.ndarray, chis: np.ndarray, sched: np.ndarray,
    offsets: np.ndarray, step0: int, scale: np.ndarray, sqrt_delta: float, threshold: np.ndarray,
    cadence: np.ndarray, max_steps: np.ndarray, exit_step: np.ndarray, p: int, lanes: int,
) -> None:
    """Advance replicas i (``state[i]``: frame coordinates (width, P), vector a on column c at [c, a];
    ``gstate[i]``: their Gram matrix, lower triangle) through the block's steps step0 .. step0 + len(sched) − 1
    with their draws (rows of ``normals`` and ``chis``, as ``draw_block`` gives them), ``lanes`` replicas side
    by side; record first escapes in ``exit_step`` (0 = none yet). In place."""
    n_rep, width, n_rows = state.shape
    n_steps = sched.size
    n_draws = normals.shape[1]
    nl = lanes
    frame = np.empty((width, n_rows, nl))
    gram = np.empty((n_rows, n_rows, nl))
    lower = np.empty((n_rows, n_rows, nl))
    full = np.empty((n_rows, n_rows))
    row = np.empty((n_rows, nl))
    xi = np.empty((n_draws, nl))
    chi = np.empty((n_steps, nl))
    lam = np.empty((n_rows, nl))
    coef = np.empty((p, nl))
    inv = np.empty((p, nl))
    xx = np.empty(nl)
    root_chi = np.empty(nl)
    r = np.empty(nl)
    sc = np.empty(nl)
    thr = np.empty(nl)
    cad = np.empty(nl, dtype=np.int64)
    last = np.empty(nl, dtype=np.int64)
    ex = np.empty(nl, dtype=np.int64)
    for g0 in range(0, n_rep, nl):
        n_real = min(nl, n_rep - g0)
        check_every = cadence[g0]
        for lane in range(nl):  # gather the group; lanes past the last replica repeat the first (ignored)
            i = g0 + lane if lane < n_real else g0
            for c in range(width):
                for a in range(n_rows):
                    frame[c, a, lane] = state[i, c, a]
            for a in range(n_rows):
                for b in range(n_rows):
                    gram[a, b, lane] = gstate[i, a, b]
            for t in range(n_draws):
                xi[t, lane] = normals[i, t]
            for j in range(n_steps):
                chi[j, lane] = chis[i, j]
            sc[lane], thr[lane], cad[lane], last[lane] = scale[i], threshold[i], cadence[i], max_steps[i]
            ex[lane] = exit_step[i] if lane < n_real else -1
            check_every = min(check_every, cadence[i])
        step = step0
        for j in range(n_steps):
            k = sched[j]
            off = offsets[j]
            # λ_a = u_a·x for the students and (a = p) the teacher; ‖x‖² = |ξ|² + χ²
            _project(frame, xi, off, k, lam, xx)
            for lane in range(nl):  # per-lane work: lanes outermost (with one lane no loop runs a single trip)
                xx[lane] += chi[j, lane]
                root_chi[lane] = np.sqrt(chi[j, lane])
                f = 0.0
                for a in range(p):
                    f += lam[a, lane] * lam[a, lane]
                y = lam[p, lane] * lam[p, lane] + sqrt_delta * xi[off + k, lane]
                sg = sc[lane] * (f / p - y)
                for a in range(p):
                    ca = sg * lam[a, lane]
                    coef[a, lane] = ca
                    inv[a, lane] = 1.0 / np.sqrt(1.0 + 2.0 * ca * lam[a, lane] + ca * ca * xx[lane])
            # u_a ← (u_a + c_a x)/‖·‖ on the k used columns, and c_a ‖x_⊥‖/‖·‖ on the new column k
            _move(frame, xi, off, k, coef, inv, p)
            if nl == 1:
                for a in range(p):
                    frame[k, a, 0] = coef[a, 0] * root_chi[0] * inv[a, 0]
            else:
                for a in range(p):
                    for lane in range(nl):
                        frame[k, a, lane] = coef[a, lane] * root_chi[lane] * inv[a, lane]
            _update_overlaps(gram, lam, coef, inv, xx, p)
            step += 1
            if k + 1 == width:
                _compress_group(frame, gram, lower, row, full, n_real)
            if step % check_every == 0:
                _risk_group(gram, p, r)
                done = True
                for lane in range(nl):
                    if ex[lane] == 0 and step % cad[lane] == 0 and step <= last[lane] and r[lane] < thr[lane]:
                        ex[lane] = step
                    if ex[lane] == 0 and step < last[lane]:
                        done = False
                if done:  # every replica of the group has escaped or run out of time: they leave at the block's end
                    break
        for lane in range(n_real):  # scatter back
            i = g0 + lane
            for c in range(width):
                for a in range(n_rows):
                    state[i, c, a] = frame[c, a, lane]
            for a in range(n_rows):
                for b in range(n_rows):
                    gstate[i, a, b] = gram[a, b, lane]
            exit_step[i] = ex[lane]


def run_chain_fused(
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
    progress: Callable[[int, int], None] | None = None,
    lanes: int | None = None,
) -> EscapeResult:
    """:func:`overparam.mediocrity.chain.run_chain` (same arguments but ``trace``, same result) with the steps
    in compiled code: per block, the replicas' draws are taken in chunks of ≤ ``DRAW_BUDGET`` numbers and each
    chunk is advanced by one call of :func:`advance_block`. NumPy backend only."""
    if backend.name != "numpy":
        raise ValueError("chain_fused: the compiled kernel takes NumPy arrays (backend 'numpy')")
    st = start_chain(seeds, backend, p=p, d=d, gamma_p=gamma_p, t_max=t_max, dt_check=dt_check,
                     extra_columns=extra_columns)
    d, n_rows, extra = st.d, st.n_rows, st.extra
    block = fused_block(n_rows, extra) if block is None else int(block)
    lanes = fused_lanes(p) if lanes is None else int(lanes)
    state = np.ascontiguousarray(np.transpose(st.coords, (0, 2, 1)))  # (N, width, P)
    gstate = np.matmul(st.coords, np.transpose(st.coords, (0, 2, 1)))  # (N, P, P): G = C Cᵀ, carried along
    scale = -2.0 * st.gamma_p / d
    threshold = ESCAPE_FRACTION * st.r0
    exit_step = np.zeros(d.size, dtype=np.int64)
    active = np.arange(d.size)
    sqrt_delta = float(np.sqrt(delta))
    step = 0
    while active.size:
        sched, offsets = step_schedule(step, block, n_rows, extra)
        per_replica = int(sched.sum()) + 2 * block
        chunk = max(lanes, DRAW_BUDGET // per_replica // lanes * lanes)
        exits = np.zeros(active.size, dtype=np.int64)
        for lo in range(0, active.size, chunk):
            hi = min(lo + chunk, active.size)
            rows = active[lo:hi]
            normals, chis = draw_block(st.streams, list(rows), d[rows], sched)
            advance_block(state[lo:hi], gstate[lo:hi], normals, chis, sched, offsets, step, scale[rows], sqrt_delta,
                          threshold[rows], st.cadence[rows], st.max_steps[rows], exits[lo:hi], p, lanes)
        step += block
        exit_step[active] = exits
        keep = (exits == 0) & (step < st.max_steps[active])
        if progress is not None:
            progress(step, int(keep.sum()))
        if not keep.all():
            state, gstate = state[keep], gstate[keep]
            active = active[keep]
    return EscapeResult.collect(exit_step, st.gamma_p, d, st.r0, st.m0, st.q0, backend)
