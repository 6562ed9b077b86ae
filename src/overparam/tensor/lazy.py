"""A1 `lazy_lower_bound`: how well can the lazy (linearised) model fit T*, and actual lazy GD as a check.

The model T(θ) = Σ_i c_i u_i^{⊗l} linearised at a paired init (each direction u_i carried twice, c = ±1, so
T(θ0) = 0) reaches exactly the tangent space

    V = span{ u_i^{⊗l}, D_i(v) : i ≤ m, v ∈ R^d },   D_i(v) = Σ_k u_i^{⊗k} ⊗ v ⊗ u_i^{⊗(l−1−k)}.

Since D_i(u_i) = l u_i^{⊗l}, the directions u_i^{⊗l} are already in span{D_i(v)}: V is spanned by the m·d
tensors D_i(e_k) alone, and the md×md Gram matrix (SPEC.md)

    K_(i,k),(j,k') = ⟨D_i(e_k), D_j(e_k')⟩ = l s_ij^(l−1) δ_kk' + l(l−1) s_ij^(l−2) u_j,k u_i,k',   s_ij = u_i·u_j,

with right-hand side b_(i,k) = ⟨D_i(e_k), T*⟩ = l Σ_q c*_q (u_i·u*_q)^(l−1) u*_q,k, gives the best lazy fit's
relative residual ρ = sqrt(1 − bᵀK⁺b / ‖T*‖²). dim V ≤ min(md, D), D = C(d+l−1, l).

How ρ is computed (float64 throughout). With components ordered i-major, the Gram of the first m components
is the leading (md)×(md) block of the Gram of all m_max, and so is its Cholesky factor. One Cholesky of the
bordered matrix [[K + εI, b], [bᵀ, ‖T*‖² + ε]] therefore yields z = L⁻¹b in its last row, and
bᵀK_m⁻¹b = Σ_{k ≤ md} z_k² for *every* prefix m at once: the whole curve ρ(m), exactly (up to the ridge),
non-increasing by construction, from one O((m_max d)³/3) factorisation. The ridge ε = rel_ridge·l is a fixed
multiple of the diagonal scale (E‖u_i‖² = 1), the same for every prefix, so a prefix's ρ does not depend on
m_max. Once md > D the Gram is singular; the ridge keeps the factorisation defined, the extra pivots are ~ε
and the residual b-components they see are ~0, so ρ stays 0 (checked against the pseudo-inverse and against
a dense least-squares projection in the tests). Several targets share one factorisation (extra border rows).
"""

from __future__ import annotations

from collections.abc import Callable
from math import comb
from typing import Any

from overparam.backend import Backend, linalg_errors_raise

Array = Any


def symmetric_dim(d: int, l: int) -> int:
    """D = C(d + l − 1, l), the dimension of the space of symmetric l-tensors on R^d."""
    return comb(d + l - 1, l)


def tangent_gram(U: Array, l: int, backend: Backend, ridge: float = 0.0) -> Array:
    """The md×md Gram ⟨D_i(e_k), D_j(e_k')⟩ of the tangent directions, rows/columns ordered (i, k), i-major.

    Built as an (m, d, m, d) array by broadcasting two rank-structured terms:
    l S^{∘(l−1)} ⊗ I_d and l(l−1) S^{∘(l−2)}_ij u_j,k u_i,k'. Cost O(m²d²) memory and time.
    ``ridge`` is added to the diagonal through the first term ((A + ridge·I_m) ⊗ I_d), saving an n² pass.
    """
    xp = backend.xp
    m, d = U.shape
    S = xp.matmul(U, xp.matrix_transpose(U))
    A = float(l) * S ** (l - 1)
    if ridge:
        A = A + ridge * xp.eye(m, dtype=U.dtype)
    B = float(l * (l - 1)) * S ** (l - 2)
    eye = xp.eye(d, dtype=U.dtype)
    K = xp.reshape(A, (m, 1, m, 1)) * xp.reshape(eye, (1, d, 1, d))
    K = K + (xp.reshape(B, (m, 1, m, 1)) * xp.reshape(xp.matrix_transpose(U), (1, d, m, 1))) * xp.reshape(
        U, (m, 1, 1, d)
    )
    return xp.reshape(K, (m * d, m * d))


def tangent_rhs(U: Array, cstar: Array, Ustar: Array, l: int, backend: Backend) -> Array:
    """b_(i,k) = ⟨D_i(e_k), T*⟩ = l Σ_q c*_q (u_i·u*_q)^(l−1) u*_q,k for targets batched on axis 0.

    cstar (t, r), Ustar (t, r, d) → (t, m·d).
    """
    xp = backend.xp
    m, d = U.shape
    P = xp.matmul(U, xp.matrix_transpose(Ustar)) ** (l - 1)  # (t, m, r)
    Bq = float(l) * xp.matmul(P * cstar[:, None, :], Ustar)  # (t, m, d)
    return xp.reshape(Bq, (Bq.shape[0], m * d))


def target_gram(cstar: Array, Ustar: Array, l: int, backend: Backend) -> Array:
    """⟨T*_a, T*_b⟩ for targets batched on axis 0: (t, t)."""
    xp = backend.xp
    t, r, d = Ustar.shape
    flat = xp.reshape(Ustar, (t * r, d))
    G = xp.matmul(flat, xp.matrix_transpose(flat)) ** l
    G = xp.reshape(G, (t, r, t, r)) * xp.reshape(cstar, (t, r, 1, 1)) * xp.reshape(cstar, (1, 1, t, r))
    return xp.sum(xp.sum(G, axis=3), axis=1)


def _cholesky_checked(M: Array, backend: Backend) -> Array | None:
    xp = backend.xp
    try:
        with linalg_errors_raise(xp):  # NumPy raises LinAlgError; CuPy does when asked
            L = xp.linalg.cholesky(M)
    except Exception:
        return None
    if not bool(xp.all(xp.isfinite(L))):
        return None
    return L


def rho_curves(
    U: Array, cstar: Array, Ustar: Array, l: int, backend: Backend, rel_ridge: float = 1e-13, max_retries: int = 4
) -> tuple[Array, float]:
    """ρ(m) for every prefix m = 1..m_max of the directions U (m_max, d), for each target, from one Cholesky.

    Returns (rho (t, m_max), ridge used). ρ(m)² = 1 − Σ_{k ≤ md} z_k² / ‖T*‖², z = L⁻¹b read off the border
    of the factor (see the module docstring). If the factorisation fails (a ridge too small for the rounding
    of a singular K), the ridge grows ×100 and it retries, up to ``max_retries`` times.
    """
    xp = backend.xp
    m, d = U.shape
    n = m * d
    t = Ustar.shape[0]
    Bt = tangent_rhs(U, cstar, Ustar, l, backend)  # (t, n)
    Tg = target_gram(cstar, Ustar, l, backend)  # (t, t)
    ridge = rel_ridge * float(l)
    L = None
    for _ in range(max_retries + 1):
        K = tangent_gram(U, l, backend, ridge=ridge)
        top = xp.concat([K, xp.matrix_transpose(Bt)], axis=1)
        del K
        M = xp.concat([top, xp.concat([Bt, Tg + ridge * xp.eye(t, dtype=Tg.dtype)], axis=1)], axis=0)
        del top
        L = _cholesky_checked(M, backend)
        del M
        if L is not None:
            break
        ridge *= 100.0
    if L is None:
        raise FloatingPointError(f"lazy: Cholesky failed even with ridge {ridge / 100.0:.1e}")
    Z = L[n:, :n]  # (t, n) = (L_11^{-1} b)ᵀ for each target
    per_comp = xp.sum(xp.reshape(Z * Z, (t, m, d)), axis=2)  # (t, m)
    tri = xp.triu(xp.ones((m, m), dtype=Z.dtype))  # cumulative sums by a matmul: array-API portable
    captured = xp.matmul(per_comp, tri)
    tsq = xp.reshape(xp.linalg.diagonal(Tg), (t, 1))
    rho2 = xp.clip(1.0 - captured / tsq, 0.0, 1.0)
    return xp.sqrt(rho2), ridge


def rho_pinv(U: Array, cstar: Array, Ustar: Array, l: int, backend: Backend, rcond: float = 1e-12) -> Array:
    """ρ for the full set U via the eigen-decomposition pseudo-inverse bᵀK⁺b (reference; O(9(md)³)).

    Eigenvalues below rcond·λ_max count as zero: the exact projection when K is singular (md > D).
    cstar (t, r), Ustar (t, r, d) → (t,).
    """
    xp = backend.xp
    K = tangent_gram(U, l, backend)
    Bt = tangent_rhs(U, cstar, Ustar, l, backend)
    evals, evecs = xp.linalg.eigh(K)
    keep = evals > rcond * xp.max(evals)
    inv = xp.where(keep, 1.0 / xp.where(keep, evals, xp.ones_like(evals)), xp.zeros_like(evals))
    c = xp.matmul(Bt, evecs)  # (t, n)
    captured = xp.sum(c * c * inv, axis=1)
    tsq = xp.linalg.diagonal(target_gram(cstar, Ustar, l, backend))
    return xp.sqrt(xp.clip(1.0 - captured / tsq, 0.0, 1.0))


def bisect_smallest(pred: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Smallest integer m in [lo, hi] with pred(m) true, for a monotone pred (false…false true…true).

    Each pred(m) is evaluated at most once (cached); None when pred(hi) is false.
    """
    cache: dict[int, bool] = {}

    def p(m: int) -> bool:
        if m not in cache:
            cache[m] = bool(pred(m))
        return cache[m]

    if not p(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if p(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def m_star_lazy(median_rho: Callable[[int], float], eps: float, m_max: int) -> int | None:
    """m*_lazy(ε) = smallest m ≤ m_max with median-over-seeds ρ(m) ≤ ε, by bisection (ρ is non-increasing
    in m because the tangent spaces of prefixes are nested)."""
    return bisect_smallest(lambda m: median_rho(m) <= eps, 1, m_max)


# ---------------------------------------------------------------------------------------------------------
# Lazy GD (Chizat & Bach's α-scaling) as a cross-check of the projection
# ---------------------------------------------------------------------------------------------------------


def _augmented_gram_max_eig(U: Array, l: int, backend: Backend) -> float:
    """λ_max of the Gram of {D_i(e_k)} ∪ {u_i^{⊗l}} (sets the GD step; small sizes only)."""
    xp = backend.xp
    m, d = U.shape
    K = tangent_gram(U, l, backend)
    S = xp.matmul(U, xp.matrix_transpose(U))
    C = S**l
    # ⟨D_i(e_k), u_j^{⊗l}⟩ = l s_ij^(l−1) u_j,k, rows (i, k), columns j
    Bm = float(l) * xp.reshape(S ** (l - 1), (m, 1, m)) * xp.reshape(xp.matrix_transpose(U), (1, d, m))
    Bm = xp.reshape(Bm, (m * d, m))
    M = xp.concat([xp.concat([K, Bm], axis=1), xp.concat([xp.matrix_transpose(Bm), C], axis=1)], axis=0)
    return float(xp.max(xp.linalg.eigvalsh(M)))


def lazy_gd(
    U: Array,
    cstar: Array,
    Ustar: Array,
    l: int,
    backend: Backend,
    *,
    alpha: float = 100.0,
    eta_factor: float = 1.0,
    max_steps: int = 20000,
    rtol: float = 1e-7,
    check_every: int = 100,
) -> dict[str, Any]:
    """Plain GD on the α-scaled model, F(θ) = (1/2α²)‖α T(θ) − T*‖² = ½‖T(θ) − T*/α‖².

    θ = (a, W) with 2m components: each direction u_i twice, a = +1 and −1, so T(θ0) = 0 (paired init) and the
    model output α T(θ) starts at zero. As α → ∞ the dynamics become those of the linearised model, so GD
    should end at the projection of T* on the tangent space V (ρ from :func:`rho_curves`) while
    ‖θ − θ0‖/‖θ0‖ = O(1/α). Step η = eta_factor / λ_max(JᵀJ), λ_max(JᵀJ) = 2 λ_max(Gram of V's spanning set).
    Stops when the residual changes by less than rtol (relative) over ``check_every`` steps, or at max_steps.
    Loss and gradients through the Gram algebra (:mod:`gram`); U (m, d), cstar (r,), Ustar (r, d).
    Returns rho_gd (relative residual ‖αT − T*‖/‖T*‖), rel_move, steps, eta, reason.
    """
    xp = backend.xp
    from overparam.tensor.gram import rank_one_loss_grad, sq_norm

    m, d = U.shape
    a = xp.concat([xp.ones(m, dtype=U.dtype), -xp.ones(m, dtype=U.dtype)])
    W = xp.concat([U, U], axis=0)
    a0, W0 = a, W
    b = cstar / alpha
    tsq = float(sq_norm(cstar, Ustar, l, backend))
    eta = eta_factor / (2.0 * _augmented_gram_max_eig(U, l, backend))
    theta0_norm = (float(xp.sum(a0 * a0)) + float(xp.sum(W0 * W0))) ** 0.5
    prev = None
    reason = "max_steps"
    step = 0
    loss = None
    while step < max_steps:
        loss, ga, gW = rank_one_loss_grad(a, W, b, Ustar, l, backend)
        if step % check_every == 0:
            cur = float(loss)
            if not (cur == cur and abs(cur) < float("inf")):
                reason = "non_finite"
                break
            if prev is not None and abs(prev - cur) <= rtol * abs(cur):
                reason = "converged"
                break
            prev = cur
        a = a - eta * ga
        W = W - eta * gW
        step += 1
    loss, _, _ = rank_one_loss_grad(a, W, b, Ustar, l, backend)
    rho_gd = (max(2.0 * float(loss), 0.0) ** 0.5) * alpha / tsq**0.5
    move = (float(xp.sum((a - a0) ** 2)) + float(xp.sum((W - W0) ** 2))) ** 0.5 / theta0_norm
    return {"rho_gd": rho_gd, "rel_move": move, "steps": step, "eta": eta, "reason": reason}
