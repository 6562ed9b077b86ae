"""Full-batch gradient descent on W and v together, seeds batched, with per-seed step halving.

Step size. For h(θ) = ‖r(θ)‖² the gradient is ∇h = 2Jᵀr and, to first order (Gauss–Newton), the Hessian is
2JᵀJ, whose largest eigenvalue is L = 2 λ_max(JJᵀ) = 2 λ_max(K). One GD step moves the residual by

    r ← r − J (η ∇h) = (I − 2η K) r.

Each eigendirection of K with eigenvalue λ is multiplied by 1 − 2ηλ. It contracts for η < 1/λ_max(K) (the
absolute first-order stability limit, = 2/L), and contracts *without changing sign* (no oscillation) for
η ≤ 1/(2λ_max(K)) = 1/L. The SPEC's η = 1/(2 λ_max(K0)) is that largest monotone step: the stiffest
direction is sent exactly to zero, every other one is multiplied by 1 − λ/λ_max ∈ [0, 1), and the loss then
falls like (1 − λ_min/λ_max)² per step. A factor 2 larger (η = 1/λ_max) is already marginal, so 100 η is
far past stable — the tests use it to provoke a recorded divergence.

Safeguard. K changes during training (the network is not linear), so a step that raises the loss (or makes
it non-finite) is rejected and that seed's η is halved (a rise within ``rise_rtol`` = 1e-12 relative is
rounding on a plateau and is accepted, or flat stretches would exhaust the halvings); the other seeds of
the batch are untouched. After ``max_halvings`` halvings a rising loss is a recorded failure with a reason
string, never an exception.

Success = h ≤ ``loss_tol`` (1e-4) within ``max_steps`` iterations (rejected steps count as iterations: they
cost a forward pass too). Seeds that finish leave the batch, so the rest run on a smaller array.

Tracking (``track_every`` > 0): every ``track_every`` iterations, and at each seed's last one, the record holds
λ_min(K_t)/λ_min(K_0), the PL ratio rᵀK_t r/‖r‖², ‖θ_t − θ_0‖ and ‖J_t − J_0‖₂ (see :mod:`ntk`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from overparam.backend import Backend
from overparam.batch import LiveRows
from overparam.width import ntk
from overparam.width.network import Forward, forward, gradients

Array = Any


@dataclass(frozen=True)
class TrainConfig:
    """What one GD run needs besides its arrays."""

    max_steps: int
    loss_tol: float = 1e-4
    lr_scale: float = 1.0  # η = lr_scale / (2 λ_max(K0)); 1 is the SPEC's step
    max_halvings: int = 40  # per seed; a rise after this many halvings is a failure
    track_every: int = 0  # 0: no tracking (search runs); > 0: tracking cadence in iterations
    rise_rtol: float = 1e-12  # a "rise" must exceed rounding: h_new > h (1 + rise_rtol); else plateaus halve forever

    def __post_init__(self) -> None:
        if self.max_steps < 0 or self.max_halvings < 0 or self.track_every < 0:
            raise ValueError(f"train: max_steps, max_halvings, track_every must be >= 0, got {self}")
        if not (self.loss_tol > 0 and self.lr_scale > 0 and self.rise_rtol >= 0):
            raise ValueError(f"train: loss_tol and lr_scale must be > 0, got {self}")


@dataclass
class RunResult:
    """The outcome of one seed's run (host numbers, JSON-ready)."""

    success: bool
    final_loss: float
    initial_loss: float
    steps: int
    reason: str
    lr0: float
    lr_final: float
    halvings: int
    lambda_min0: float
    lambda_max0: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainOutput:
    """Per-seed results in input order, and tracking rows (empty unless ``track_every`` > 0)."""

    results: list[RunResult]
    tracking: list[dict] = field(default_factory=list)


def _take(a: Array, idx: Array, backend: Backend) -> Array:
    return backend.xp.take(a, idx, axis=0)


def _select(mask: Array, new: Array, old: Array, backend: Backend) -> Array:
    """Per-seed choice between two stacks: mask (S,) broadcast over the trailing axes."""
    xp = backend.xp
    m = mask
    for _ in range(new.ndim - 1):
        m = xp.expand_dims(m, axis=-1)
    return xp.where(m, new, old)


def _select_forward(mask: Array, new: Forward, old: Forward, backend: Backend) -> Forward:
    return new.map(lambda a, b: _select(mask, a, b, backend), old)


def learning_rates(lam_max0: np.ndarray, lr_scale: float) -> np.ndarray:
    """η = lr_scale / (2 λ_max(K0)) per seed (see the module docstring for the factor 2)."""
    return lr_scale / (2.0 * np.asarray(lam_max0, dtype=np.float64))


def train_gd(W0: Array, v0: Array, X: Array, Y: Array, backend: Backend, *, config: TrainConfig) -> TrainOutput:
    """Train every seed of the batch (W0: (S, d1, d0), v0: (S, d1)) by full-batch GD on h = ‖vᵀφ(WX) − Y‖².

    ``X`` is (d0, n) shared or (S, d0, n) per seed, ``Y`` (n,) or (S, n). Never raises on divergence: a
    non-finite or rising loss that halving cannot cure ends that seed's run with ``success=False`` and a
    reason. Deterministic: the same arrays give bit-identical results.
    """
    xp = backend.xp
    S = W0.shape[0]
    per_seed_data = X.ndim == 3
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        K0 = ntk.ntk_gram(W0, v0, X, backend)
        ev0 = ntk.eigenvalues(xp.where(xp.isfinite(K0), K0, 0.0), backend)  # eigvalsh raises on NaN
        lam_min0 = backend.to_numpy(ev0[..., 0]).astype(np.float64)
        lam_max0 = backend.to_numpy(ev0[..., -1]).astype(np.float64)
        eta = learning_rates(lam_max0, config.lr_scale)
        halvings = np.zeros(S, dtype=np.int64)
        fwd = forward(W0, v0, X, Y, backend)
        h_host = backend.to_numpy(fwd.loss).astype(np.float64)
        h_init = h_host.copy()
        results: list[RunResult | None] = [None] * S
        tracking: list[dict] = []

        live = LiveRows(S, backend)  # live.rows[k] = original seed index of the k-th live row
        W, v = W0, v0
        W0a, v0a, Xa, Ya = W0, v0, X, Y  # the live rows' initial params and data
        lam_min0_rows = lam_min0.copy()

        def finish(k: int, step: int, success: bool, reason: str) -> None:
            s = live.rows[k]
            results[s] = RunResult(success=success, final_loss=float(h_host[k]), initial_loss=float(h_init[s]),
                                   steps=step, reason=reason, lr0=float(learning_rates(lam_max0[s], config.lr_scale)),
                                   lr_final=float(eta[k]), halvings=int(halvings[k]),
                                   lambda_min0=float(lam_min0[s]), lambda_max0=float(lam_max0[s]))

        def track(step: int, which: list[int]) -> None:
            if not which:
                return
            idx = xp.asarray(which)
            Wt, vt, W0t, v0t = (_take(a, idx, backend) for a in (W, v, W0a, v0a))
            Xt = _take(Xa, idx, backend) if per_seed_data else Xa
            K = ntk.ntk_gram(Wt, vt, Xt, backend)
            lmin = backend.to_numpy(ntk.lambda_min(K, backend))
            pl = backend.to_numpy(ntk.pl_ratio(K, _take(fwd.r, idx, backend), backend))
            dist = backend.to_numpy(ntk.param_distance(Wt, vt, W0t, v0t, backend))
            shift = backend.to_numpy(ntk.jacobian_shift(Wt, vt, W0t, v0t, Xt, backend))
            for j, k in enumerate(which):
                tracking.append({"seed_index": live.rows[k], "step": step, "loss": float(h_host[k]),
                                 "lambda_min": float(lmin[j]), "lambda_min_ratio": float(lmin[j] / lam_min0_rows[k]),
                                 "pl_ratio": float(pl[j]), "path_length": float(dist[j]),
                                 "jacobian_shift": float(shift[j])})

        for k in range(S):
            if not (math.isfinite(h_host[k]) and math.isfinite(lam_max0[k]) and lam_max0[k] > 0):
                finish(k, 0, False, f"diverged: non-finite initial state (loss {h_host[k]:.3e}, "
                                    f"lambda_max(K0) {lam_max0[k]:.3e})")
        if config.track_every:
            track(0, [k for k in range(S) if results[k] is None])
        grads = None
        step = 0
        while True:
            # seeds that are done at this step leave the batch
            ok_now = h_host <= config.loss_tol
            out_of_steps = step >= config.max_steps
            leaving = [k for k in range(live.size) if ok_now[k] or out_of_steps or results[live.rows[k]] is not None]
            if leaving:
                fresh = [k for k in leaving if results[live.rows[k]] is None]
                if config.track_every and fresh and step > 0 and step % config.track_every != 0:
                    track(step, fresh)
                for k in fresh:
                    if ok_now[k]:
                        finish(k, step, True, "converged")
                    else:
                        finish(k, step, False, f"max_steps: loss {h_host[k]:.3e} > tol {config.loss_tol:.0e} "
                                               f"after {step} steps")
                going_on = np.ones(live.size, dtype=bool)
                going_on[leaving] = False
                if not going_on.any():
                    break
                take = live.keep(going_on)
                W, v, W0a, v0a = (take(a) for a in (W, v, W0a, v0a))
                if per_seed_data:
                    Xa, Ya = take(Xa), take(Ya)
                fwd = fwd.map(take)
                if grads is not None:
                    grads = (take(grads[0]), take(grads[1]))
                eta, halvings, h_host, lam_min0_rows = (take(a) for a in (eta, halvings, h_host, lam_min0_rows))

            if grads is None:
                grads = gradients(W, v, Xa, fwd, backend)
            eta_dev = xp.asarray(eta, dtype=W.dtype)  # host η per seed; float32 runs stay float32 (GPU)
            Wn = W - xp.reshape(eta_dev, (-1, 1, 1)) * grads[0]
            vn = v - xp.reshape(eta_dev, (-1, 1)) * grads[1]
            fn = forward(Wn, vn, Xa, Ya, backend)
            h_new = backend.to_numpy(fn.loss).astype(np.float64)
            step += 1
            accept = np.isfinite(h_new) & (h_new <= h_host * (1.0 + config.rise_rtol))
            if accept.all():
                W, v, fwd, h_host = Wn, vn, fn, h_new
                grads = None
            else:
                for k in np.nonzero(~accept)[0]:
                    if halvings[k] >= config.max_halvings:
                        what = "non-finite loss" if not math.isfinite(h_new[k]) else f"loss rose to {h_new[k]:.3e}"
                        finish(int(k), step, False, f"diverged: {what} from {h_host[k]:.3e} at step {step} "
                                                    f"after {halvings[k]} step halvings (eta {eta[k]:.3e})")
                    else:
                        eta[k] *= 0.5
                        halvings[k] += 1
                if accept.any():
                    mask = xp.asarray(accept.tolist())
                    W = _select(mask, Wn, W, backend)
                    v = _select(mask, vn, v, backend)
                    fwd = _select_forward(mask, fn, fwd, backend)
                    h_host = np.where(accept, h_new, h_host)
                    grads = None
            if config.track_every and step % config.track_every == 0:
                running = [k for k in range(live.size) if results[live.rows[k]] is None]
                if running:
                    track(step, running)
    return TrainOutput(results=[r for r in results if r is not None], tracking=tracking)
