"""The shallow network f(x) = vᵀφ(Wx) of paper C, its loss and its hand-written gradients.

Shapes (seeds batched, so that several seeds of one (n, d0, d1) run as one array program):

- ``W``: (S, d1, d0), ``v``: (S, d1)                       — S seeds (the leading axis may be any batch shape)
- ``X``: (d0, n) shared by the seeds, or (S, d0, n) one data set per seed; columns are the inputs x_i
- ``Y``: (n,) or (S, n)                                     — labels

Forward (no biases, no 1/√d1 factor, as in the paper):

    Z = W X,  A = φ(Z),  f = vᵀA,  r = f − Y,  h = ‖r‖² = Σ_i r_i²        (a sum, not a mean)

with φ the exact GELU, φ(z) = z Φ(z) = z (1 + erf(z/√2)) / 2, twice differentiable and not odd (the
theorem needs both; ReLU is outside it). Its derivative is φ'(z) = Φ(z) + z ϕ(z), ϕ(z) = e^{−z²/2}/√(2π).

Gradients of h (chain rule on h = Σ_i r_i², ∂r_i/∂v_j = φ(w_j·x_i), ∂r_i/∂w_j = v_j φ'(w_j·x_i) x_i):

    ∂h/∂v = 2 A r                       (d1,)     — 2 d1 n flops
    ∂h/∂W = 2 (diag(v) φ'(Z) ⊙ 1 rᵀ) Xᵀ   (d1, d0)  — 2 d1 n d0 flops

erf is not in the array API standard, so it comes from :meth:`overparam.backend.Backend.erf`; everything
else is standard (matmul, exp, sum), so the kernels run unchanged under NumPy, CuPy and array_api_strict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from overparam.backend import Backend

Array = Any

INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def gaussian_cdf(z: Array, backend: Backend) -> Array:
    """Φ(z) = (1 + erf(z/√2))/2, elementwise."""
    return 0.5 * (1.0 + backend.erf(z * INV_SQRT2))


def gelu(z: Array, backend: Backend) -> Array:
    """Exact GELU φ(z) = z Φ(z) (the erf form, not the tanh approximation)."""
    return z * gaussian_cdf(z, backend)


def gelu_prime_from_cdf(z: Array, cdf: Array, backend: Backend) -> Array:
    """φ'(z) = Φ(z) + z ϕ(z), reusing Φ(z) already computed in the forward pass (saves one erf)."""
    xp = backend.xp
    return cdf + z * (INV_SQRT_2PI * xp.exp(-0.5 * z * z))


def gelu_prime(z: Array, backend: Backend) -> Array:
    """φ'(z) = Φ(z) + z ϕ(z), elementwise."""
    return gelu_prime_from_cdf(z, gaussian_cdf(z, backend), backend)


@dataclass
class Forward:
    """Everything the forward pass computes that the gradient (and the NTK) reuses."""

    z: Array  # (S, d1, n) pre-activations W X
    cdf: Array  # (S, d1, n) Φ(Z)
    a: Array  # (S, d1, n) A = φ(Z)
    r: Array  # (S, n) residuals f − Y
    loss: Array  # (S,) h = ‖r‖²


def predict_from_features(v: Array, a: Array, backend: Backend) -> Array:
    """f = vᵀA for each seed: (S, d1) × (S, d1, n) → (S, n)."""
    xp = backend.xp
    return xp.squeeze(xp.matmul(xp.expand_dims(v, axis=-2), a), axis=-2)


def forward(W: Array, v: Array, X: Array, Y: Array, backend: Backend) -> Forward:
    """Forward pass and loss h = ‖vᵀφ(WX) − Y‖² for every seed of the batch.

    The (S, d1, n) passes are memory-bound, so fresh temporaries are kept few: Φ(Z) is finished in place
    (standard augmented assignment on an array this function owns).
    """
    xp = backend.xp
    z = xp.matmul(W, X)
    cdf = backend.erf(z * INV_SQRT2)
    cdf *= 0.5
    cdf += 0.5
    a = z * cdf
    r = predict_from_features(v, a, backend) - Y
    return Forward(z=z, cdf=cdf, a=a, r=r, loss=xp.sum(r * r, axis=-1))


def predict(W: Array, v: Array, X: Array, backend: Backend) -> Array:
    """Network outputs vᵀφ(WX), shape (S, n)."""
    return predict_from_features(v, gelu(backend.xp.matmul(W, X), backend), backend)


def loss(W: Array, v: Array, X: Array, Y: Array, backend: Backend) -> Array:
    """h = ‖vᵀφ(WX) − Y‖² per seed, shape (S,)."""
    return forward(W, v, X, Y, backend).loss


def gradients(W: Array, v: Array, X: Array, fwd: Forward, backend: Backend) -> tuple[Array, Array]:
    """(∂h/∂W, ∂h/∂v) at (W, v), from the forward pass ``fwd`` computed at the same point.

    ∂h/∂v = 2 A r and ∂h/∂W = 2 (diag(v) φ'(Z) ⊙ 1 rᵀ) Xᵀ (see the module docstring); ``W`` is only used
    for its shape contract, the work is two matmuls and a few elementwise passes over (S, d1, n).
    """
    xp = backend.xp
    r2 = 2.0 * fwd.r
    grad_v = xp.squeeze(xp.matmul(fwd.a, xp.expand_dims(r2, axis=-1)), axis=-1)
    # g = φ'(Z) ⊙ v 1ᵀ ⊙ 1 (2r)ᵀ with φ'(z) = Φ(z) + z ϕ(z), built in two fresh (S, d1, n) arrays (the
    # elementwise passes, not the matmuls, bound the step: see benchmarks/bench_width.py)
    z = fwd.z
    q = z * z
    q *= -0.5
    g = xp.exp(q)
    g *= z
    g *= INV_SQRT_2PI
    g += fwd.cdf
    g *= xp.expand_dims(v, axis=-1)
    g *= xp.expand_dims(r2, axis=-2)
    grad_W = xp.matmul(g, xp.matrix_transpose(X))
    return grad_W, grad_v
