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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from overparam import tuning
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
    """What the forward pass computes that the gradient reuses, kept as row blocks of the hidden layer.

    The (S, d1, n) elementwise passes bound the step on a CPU; done block by block (``tuning.block_rows``
    rows of d1 at a time) they run in cache, and the blocks are kept as they are (joining them would cost
    the passes the blocking saves). A = φ(Z) is not kept: the gradient recomputes it in cache as Z Φ(Z).
    On a GPU there is one block.
    """

    z: tuple[Array, ...]  # pre-activations W X, row blocks (S, rows, n)
    cdf: tuple[Array, ...]  # Φ(Z), the same blocks
    r: Array  # (S, n) residuals f − Y
    loss: Array  # (S,) h = ‖r‖²

    def map(self, fn: Callable[..., Array], *others: Forward) -> Forward:
        """fn applied to every array (with the matching arrays of ``others`` as further arguments)."""
        def blocks(name: str) -> tuple[Array, ...]:
            return tuple(fn(*parts) for parts in zip(getattr(self, name), *(getattr(o, name) for o in others)))

        return Forward(z=blocks("z"), cdf=blocks("cdf"), r=fn(self.r, *(o.r for o in others)),
                       loss=fn(self.loss, *(o.loss for o in others)))


def predict_from_features(v: Array, a: Array, backend: Backend) -> Array:
    """f = vᵀA for each seed: (S, d1) × (S, d1, n) → (S, n)."""
    xp = backend.xp
    return xp.squeeze(xp.matmul(xp.expand_dims(v, axis=-2), a), axis=-2)


def _row_ranges(d1: int, rows: int) -> list[tuple[int, int]]:
    return [(i, min(i + rows, d1)) for i in range(0, d1, rows)]


def forward(W: Array, v: Array, X: Array, Y: Array, backend: Backend, block_rows: int | None = None) -> Forward:
    """Forward pass and loss h = ‖vᵀφ(WX) − Y‖² for every seed of the batch.

    Z = W X is one matmul; then, row block by row block (``block_rows``, default ``tuning.block_rows(n)``,
    independent of the batch size so that a seed's numbers never depend on which others share its batch),
    Φ(Z) and the block's share of f = Σ_j v_j φ(w_j·x) are formed while the block is in cache.
    """
    xp = backend.xp
    d1, n = W.shape[-2], X.shape[-1]
    rows = tuning.block_rows(n, backend) if block_rows is None else block_rows
    z_all = xp.matmul(W, X)  # one matmul: BLAS is slow on thin row blocks (it repacks X for every call)
    zs, cdfs, f = [], [], None
    for i, j in _row_ranges(d1, rows):
        z = z_all[..., i:j, :]
        cdf = backend.erf(z * INV_SQRT2)
        cdf *= 0.5
        cdf += 0.5
        part = predict_from_features(v[..., i:j], z * cdf, backend)
        f = part if f is None else f + part
        zs.append(z)
        cdfs.append(cdf)
    r = f - Y
    return Forward(z=tuple(zs), cdf=tuple(cdfs), r=r, loss=xp.sum(r * r, axis=-1))


def predict(W: Array, v: Array, X: Array, backend: Backend) -> Array:
    """Network outputs vᵀφ(WX), shape (S, n)."""
    return predict_from_features(v, gelu(backend.xp.matmul(W, X), backend), backend)


def loss(W: Array, v: Array, X: Array, Y: Array, backend: Backend) -> Array:
    """h = ‖vᵀφ(WX) − Y‖² per seed, shape (S,)."""
    return forward(W, v, X, Y, backend).loss


def gradients(W: Array, v: Array, X: Array, fwd: Forward, backend: Backend) -> tuple[Array, Array]:
    """(∂h/∂W, ∂h/∂v) at (W, v), from the forward pass ``fwd`` computed at the same point.

    ∂h/∂v = 2 A r and ∂h/∂W = 2 (diag(v) φ'(Z) ⊙ 1 rᵀ) Xᵀ (see the module docstring), block by block over the
    forward's row blocks; ``W`` is only used for its shape contract. Per block: two matmuls and a few
    elementwise passes while the block is in cache.
    """
    xp = backend.xp
    r2 = 2.0 * fwd.r
    r2_col, r2_row = xp.expand_dims(r2, axis=-1), xp.expand_dims(r2, axis=-2)
    Xt = xp.matrix_transpose(X)
    grads_W, grads_v, i = [], [], 0
    for z, cdf in zip(fwd.z, fwd.cdf):
        j = i + z.shape[-2]
        grads_v.append(xp.squeeze(xp.matmul(z * cdf, r2_col), axis=-1))
        # g = φ'(Z) ⊙ v 1ᵀ ⊙ 1 (2r)ᵀ with φ'(z) = Φ(z) + z ϕ(z), in place on one fresh block
        g = z * z
        g *= -0.5
        g = xp.exp(g)
        g *= z
        g *= INV_SQRT_2PI
        g += cdf
        g *= xp.expand_dims(v[..., i:j], axis=-1)
        g *= r2_row
        grads_W.append(xp.matmul(g, Xt))
        i = j
    if len(grads_W) == 1:
        return grads_W[0], grads_v[0]
    return xp.concat(grads_W, axis=-2), xp.concat(grads_v, axis=-1)
