"""The neural tangent kernel (NTK) Gram matrix of vᵀφ(Wx) and the quantities the PL analysis tracks.

The Jacobian of the outputs f(x_i) with respect to θ = (W, v) has rows

    J_i = ( B_{:,i} ⊗ x_i ,  A_{:,i} ),    A = φ(WX) (d1 × n),  B = diag(v) φ'(WX) (d1 × n),

so the Gram matrix K = J Jᵀ (n × n) never needs J itself:

    K = AᵀA + (XᵀX) ⊙ (BᵀB)                                                (paper C, SPEC C1)

— 2 n² d1 + n² d0 flops instead of n² d1 d0. GD on h = ‖r‖² moves the residual by r ← r − 2η K r to first
order, so λ_min(K) is the linear convergence rate's constant and the empirical PL ratio
rᵀKr/‖r‖² = ‖∇h‖² / (4h) is what the Polyak–Łojasiewicz inequality ‖∇h‖² ≥ 4 λ h bounds from below.

Also here: μ = σ_min(φ(W0X)) (the feature part of the PL constant), ‖θ − θ0‖, and ‖J(θ) − J(θ0)‖₂ (from the
same Gram identity with the differences ΔA, ΔB), whose ratio to ‖θ − θ0‖ is an empirical Jacobian Lipschitz
constant β̂; ρ = μ/(2β̂) is then the radius the PL argument says training stays inside.

All functions take stacks with a leading seed axis and use only array-API functions that NumPy, CuPy and
array_api_strict all have (``xp.linalg.eigvalsh``, ``xp.matmul``, ``xp.matrix_transpose``).
"""

from __future__ import annotations

from typing import Any

from overparam.backend import Backend
from overparam.width.network import gaussian_cdf, gelu_prime_from_cdf

Array = Any


def ntk_factors(W: Array, v: Array, X: Array, backend: Backend) -> tuple[Array, Array]:
    """A = φ(WX) and B = diag(v) φ'(WX), each (S, d1, n)."""
    xp = backend.xp
    z = xp.matmul(W, X)
    cdf = gaussian_cdf(z, backend)
    a = z * cdf
    b = xp.expand_dims(v, axis=-1) * gelu_prime_from_cdf(z, cdf, backend)
    return a, b


def gram_from_factors(a: Array, b: Array, X: Array, backend: Backend) -> Array:
    """K = AᵀA + (XᵀX) ⊙ (BᵀB), shape (S, n, n)."""
    xp = backend.xp
    mt = xp.matrix_transpose
    return xp.matmul(mt(a), a) + xp.matmul(mt(X), X) * xp.matmul(mt(b), b)


def ntk_gram(W: Array, v: Array, X: Array, backend: Backend) -> Array:
    """The NTK Gram matrix K = J Jᵀ = AᵀA + (XᵀX) ⊙ (BᵀB) at θ = (W, v), shape (S, n, n)."""
    a, b = ntk_factors(W, v, X, backend)
    return gram_from_factors(a, b, X, backend)


def explicit_jacobian(W: Array, v: Array, X: Array, backend: Backend) -> Array:
    """The Jacobian J (S, n, d1·d0 + d1) of the outputs, W-block first (row-major W), then the v-block.

    A test reference only: it holds n·d1·d0 numbers, which :func:`ntk_gram` avoids.
    """
    xp = backend.xp
    a, b = ntk_factors(W, v, X, backend)
    s, d1, n = a.shape
    d0 = W.shape[-1]
    bt = xp.expand_dims(xp.matrix_transpose(b), axis=-1)  # (S, n, d1, 1)
    xt = xp.expand_dims(xp.matrix_transpose(X), axis=-2)  # (..., n, 1, d0)
    jw = xp.reshape(bt * xt, (s, n, d1 * d0))
    return xp.concat([jw, xp.matrix_transpose(a)], axis=-1)


def eigenvalues(K: Array, backend: Backend) -> Array:
    """Ascending eigenvalues of each symmetric K in the stack, shape (S, n)."""
    return backend.xp.linalg.eigvalsh(K)


def lambda_min(K: Array, backend: Backend) -> Array:
    """Smallest eigenvalue of each K, shape (S,)."""
    return eigenvalues(K, backend)[..., 0]


def lambda_max(K: Array, backend: Backend) -> Array:
    """Largest eigenvalue of each K, shape (S,)."""
    return eigenvalues(K, backend)[..., -1]


def pl_ratio(K: Array, r: Array, backend: Backend) -> Array:
    """Empirical PL ratio rᵀKr/‖r‖² = ‖∇h‖²/(4h) per seed, shape (S,); always ≥ λ_min(K)."""
    xp = backend.xp
    kr = xp.squeeze(xp.matmul(K, xp.expand_dims(r, axis=-1)), axis=-1)
    return xp.sum(r * kr, axis=-1) / xp.sum(r * r, axis=-1)


def feature_sigma_min(W0: Array, X: Array, backend: Backend) -> Array:
    """μ = σ_min(φ(W0X)) per seed, shape (S,).

    φ(W0X) is d1 × n; its n-th singular value (the one the v-block of the PL constant needs) exists only
    when d1 ≥ n, and is 0 otherwise (AᵀA has rank ≤ d1 < n: below that width the W-block must carry the
    PL constant). Computed as √λ_min(AᵀA) with ``eigvalsh`` (CuPy has no ``linalg.svdvals``); squaring
    costs accuracy only for σ_min/σ_max below ~1e-8, far from the widths where this is reported.
    """
    xp = backend.xp
    a = xp.matmul(W0, X)
    a = a * gaussian_cdf(a, backend)
    d1, n = a.shape[-2], a.shape[-1]
    lmin = lambda_min(xp.matmul(xp.matrix_transpose(a), a), backend)
    smin = xp.sqrt(xp.maximum(lmin, 0.0))
    return smin if d1 >= n else 0.0 * smin


def param_distance(W: Array, v: Array, W0: Array, v0: Array, backend: Backend) -> Array:
    """‖θ − θ0‖ = (‖W − W0‖_F² + ‖v − v0‖²)^½ per seed, shape (S,)."""
    xp = backend.xp
    dw = W - W0
    dv = v - v0
    return xp.sqrt(xp.sum(xp.sum(dw * dw, axis=-1), axis=-1) + xp.sum(dv * dv, axis=-1))


def jacobian_shift(W: Array, v: Array, W0: Array, v0: Array, X: Array, backend: Backend) -> Array:
    """‖J(θ) − J(θ0)‖₂ per seed, from the Gram identity with ΔA = A − A0 and ΔB = B − B0, shape (S,)."""
    xp = backend.xp
    a, b = ntk_factors(W, v, X, backend)
    a0, b0 = ntk_factors(W0, v0, X, backend)
    g = gram_from_factors(a - a0, b - b0, X, backend)
    return xp.sqrt(xp.maximum(lambda_max(g, backend), 0.0))
