"""Claim C2's networks: the ω grid, the ReLU teacher, the GELU students (hand-written gradients), and SGD.

The ω grid (:func:`omega_grid`). The paper sweeps ω2 over 10 equally spaced values from 0.002 to 0.0782 at
d0 = 784, d1 = 1000, with ω1 = P_ref/ω2, P_ref = √(2/784)·√(2/1000) (the He product), so ω1·ω2 = P_ref and
the ratio ω2/ω1 = ω2²/P_ref runs from 0.0018 to 2.71 (the He point ω2/ω1 = √(d0/d1) = 0.885 lies between the
5th and 6th values). For other sizes both ω's are multiplied by the same factor √(P/P_ref), P = √(2/d0)·√(2/d1):

    ω2(d0, d1) = ω2_paper · √(P / P_ref),      ω1(d0, d1) = P / ω2(d0, d1) = ω1_paper · √(P / P_ref),

so the product is the He product P of the new size, and the *ratios* ω2/ω1 are exactly the paper's (the x
axis of the figure is the paper's). The He point moves to ω2/ω1 = √(d0/d1) (0.5 at d0 = 64, d1 = 256; it is
marked in the figure). Inputs have unit norm (see :mod:`data`), so ω1 is the standard deviation of every
pre-activation w_j·x.

Teacher (:func:`train_teacher`): x ↦ V_t relu(W_t x), no biases, He init (W_t ~ N(0, 2/d0), V_t ~ N(0, 2/d_t)),
trained by minibatch SGD on the softmax cross-entropy with the *true* class labels until its argmax gets every
training label right ("trained to zero training error" = zero classification error on the true training labels),
or ``teacher_max_epochs`` pass. Its argmax then relabels the training and the test inputs (one-hot targets).
When it fits, the students' training labels are the true labels and their test labels are the teacher's
predictions, so the task is exactly realisable by a two-layer net. A teacher that does not fit is not an
exception: the records carry its training error and the analysis reports it.

Students (seeds batched, S replicas as one array program):

    W: (S, d1, d0),  V: (S, K, d1),  X: (n, d0) shared rows or (S, B, d0) per-seed minibatches,
    T: (n, K) or (S, B, K) one-hot targets
    Z = W Xᵀ (S, d1, n),  A = φ(Z),  F = V A (S, K, n),  R = F − Tᵀ,
    L = (1/n) Σ_i ‖f(x_i) − t_i‖²  = sum(R²)/n  per seed (the zero predictor has L = 1)

with φ the exact GELU z Φ(z) (erf form, :mod:`overparam.width.network`). Hand-written gradients (G = 2R/n):

    ∂L/∂V = G Aᵀ,     ∂L/∂W = ((Vᵀ G) ⊙ φ'(Z)) X.

SGD (:func:`train_students`), with heavy-ball momentum β (``momentum``; 0 = plain SGD): m ← β m + ∇L_batch,
θ ← θ − η m. ``epochs`` passes; each epoch every seed draws its own permutation of the training set from its own
generator and takes ⌊n/B⌋ steps on consecutive blocks of B (the rest of the permutation is skipped that epoch).

Step size. ``lr_rule: fixed``: η = ``lr`` for every ω2 (what a practitioner would run). ``lr_rule: curvature``:
η = ``lr``/L0 per seed, L0 the largest eigenvalue of the full-batch Gauss–Newton matrix (2/n)JᵀJ at init (power
iteration, :func:`gauss_newton_lambda_max`). L0 is measured and recorded (``curvature``) under both rules, so η·L0
shows how close to the stability edge each run was. ``lr_schedule: cosine`` decays η to zero over the run
(η_e = η·½(1 + cos(π e/epochs)) in epoch e), so the final iterate is not dominated by minibatch noise;
``constant`` keeps η. Why ``curvature`` is the configured rule: at a fixed η the sweep is also a sweep of
effective step sizes — L0 falls ~300× from the smallest to the largest ω2/ω1 (digits, d1 = 256: 1.6·10³ → 3–6),
so an η stable at the small ratios crawls at the large ones, and one that trains the large ratios diverges at
the small ones; η = lr/L0 puts every ω2 at the same distance from the stability edge and leaves the init as
the only thing that varies.

Failure. A seed whose epoch-mean minibatch loss is non-finite or exceeds ``DIVERGENCE_FACTOR`` × its initial
loss leaves the batch with a recorded reason; the others go on. Never raises on divergence.

Only array-API-standard functions touch the kernel arrays (matmul, matrix_transpose, take, reshape, exp,
sum, argmax, astype); erf comes from :meth:`overparam.backend.Backend.erf`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from overparam.backend import Backend
from overparam.width.network import INV_SQRT2, INV_SQRT_2PI

Array = Any

REF_D0 = 784  # the paper's MNIST input size
REF_D1 = 1000  # the paper's hidden width
DIVERGENCE_FACTOR = 1.0e4  # epoch-mean loss above this × the initial loss: diverged
LR_RULES = ("fixed", "curvature")
LR_SCHEDULES = ("constant", "cosine")


# ----------------------------------------------------------------------------------------------- the ω grid


def he_product(d0: int, d1: int) -> float:
    """P = √(2/d0)·√(2/d1): the product ω1·ω2 of He init (W ~ N(0, 2/d0), V ~ N(0, 2/d1))."""
    return math.sqrt(2.0 / d0) * math.sqrt(2.0 / d1)


def omega_grid(d0: int, d1: int, start: float, stop: float, num: int, ref_d0: int = REF_D0,
               ref_d1: int = REF_D1) -> list[dict[str, float]]:
    """The (ω1, ω2) grid at size (d0, d1): the paper's ω2 values ``linspace(start, stop, num)`` (defined at
    (ref_d0, ref_d1)) times √(P/P_ref), ω1 = P/ω2 (see the module docstring).

    Each entry: index, omega2_paper, omega1, omega2, ratio (ω2/ω1), he_product (P).
    """
    if num < 1 or not (0 < start <= stop):
        raise ValueError(f"init_ratio: need 0 < omega2_start <= omega2_stop and omega2_num >= 1, got "
                         f"{start}, {stop}, {num}")
    P = he_product(d0, d1)
    scale = math.sqrt(P / he_product(ref_d0, ref_d1))
    paper = np.linspace(float(start), float(stop), int(num))
    out = []
    for i, w2p in enumerate(paper):
        w2 = float(w2p) * scale
        w1 = P / w2
        out.append({"index": i, "omega2_paper": float(w2p), "omega1": w1, "omega2": w2, "ratio": w2 / w1,
                    "he_product": P})
    return out


def he_ratio(d0: int, d1: int) -> float:
    """ω2/ω1 at He init: √(2/d1)/√(2/d0) = √(d0/d1)."""
    return math.sqrt(d0 / d1)


# ------------------------------------------------------------------------------------------------ teacher


@dataclass(frozen=True)
class TeacherConfig:
    width: int
    lr: float
    batch_size: int
    max_epochs: int

    def __post_init__(self) -> None:
        if self.width < 1 or self.batch_size < 1 or self.max_epochs < 0 or not self.lr > 0:
            raise ValueError(f"init_ratio: bad teacher settings {self}")


@dataclass
class Teacher:
    W: Array  # (d_t, d0)
    V: Array  # (K, d_t)
    epochs: int
    train_error: float  # fraction of training inputs whose argmax is not the true label
    fitted: bool
    reason: str

    def info(self) -> dict[str, Any]:
        return {"teacher_epochs": self.epochs, "teacher_train_error": self.train_error,
                "teacher_fitted": self.fitted, "teacher_reason": self.reason}


def stacked_matmul(a: Array, b: Array, backend: Backend) -> Array:
    """a @ b for a stack a (S, p, q) and a matrix b (q, r) shared by the stack: one (S·p, q) @ (q, r) product.

    NumPy's broadcasting matmul of a stack with a shared matrix does not reach BLAS as one GEMM (measured 10×
    slower at (5, 256, 64) @ (64, 1198)); the reshape does. Anything else is plain ``matmul``.
    """
    xp = backend.xp
    if a.ndim == 3 and b.ndim == 2:
        S, p, q = a.shape
        return xp.reshape(xp.matmul(xp.reshape(a, (S * p, q)), b), (S, p, b.shape[1]))
    return xp.matmul(a, b)


def _relu(z: Array, backend: Backend) -> Array:
    return z * backend.xp.astype(z > 0, z.dtype)


def teacher_logits(W: Array, V: Array, X: Array, backend: Backend) -> Array:
    """Logits (n, K) of x ↦ V relu(W x) for rows X (n, d0)."""
    xp = backend.xp
    return xp.matmul(_relu(xp.matmul(X, xp.matrix_transpose(W)), backend), xp.matrix_transpose(V))


def teacher_labels(W: Array, V: Array, X: Array, backend: Backend, chunk: int = 4096) -> np.ndarray:
    """The teacher's argmax labels of rows X, as host int64."""
    xp = backend.xp
    n = X.shape[0]  # slices end at n: out-of-bounds stops are not in the array API standard
    out = [backend.to_numpy(xp.argmax(teacher_logits(W, V, X[i:min(i + chunk, n), ...], backend), axis=1))
           for i in range(0, n, chunk)]
    return np.concatenate(out).astype(np.int64)


def teacher_ce_gradients(W: Array, V: Array, X: Array, onehot: Array, backend: Backend) -> tuple[Array, Array, Array]:
    """Mean softmax cross-entropy over rows X (B, d0) with targets (B, K), and its gradients (∂W, ∂V)."""
    xp = backend.xp
    pre = xp.matmul(X, xp.matrix_transpose(W))  # (B, d_t)
    mask = xp.astype(pre > 0, pre.dtype)
    H = pre * mask
    logits = xp.matmul(H, xp.matrix_transpose(V))  # (B, K)
    shifted = logits - xp.max(logits, axis=1, keepdims=True)
    e = xp.exp(shifted)
    Z = xp.sum(e, axis=1, keepdims=True)
    loss = xp.mean(xp.log(Z) - xp.sum(shifted * onehot, axis=1))
    G = (e / Z - onehot) / X.shape[0]  # (B, K)
    gV = xp.matmul(xp.matrix_transpose(G), H)  # (K, d_t)
    dH = xp.matmul(G, V) * mask  # (B, d_t)
    gW = xp.matmul(xp.matrix_transpose(dH), X)  # (d_t, d0)
    return loss, gW, gV


def train_teacher(X: Array, labels: np.ndarray, n_classes: int, backend: Backend, init_normals: tuple[Array, Array],
                  order_rng: np.random.Generator, config: TeacherConfig) -> Teacher:
    """Train the He-initialised ReLU teacher on (X, true labels) until zero training classification error.

    ``init_normals``: standard normals of shapes (d_t, d0) and (K, d_t), scaled here to He. Checks the
    training error after every epoch (and before the first); stops at zero or after ``max_epochs``.
    """
    xp = backend.xp
    n, d0 = X.shape
    labels = np.asarray(labels, dtype=np.int64)
    W = init_normals[0] * math.sqrt(2.0 / d0)
    V = init_normals[1] * math.sqrt(2.0 / config.width)
    onehot_all = backend.asarray(np.eye(n_classes)[labels])
    B = min(config.batch_size, n)
    steps = n // B

    def error() -> float:
        return float(np.mean(teacher_labels(W, V, X, backend) != labels))

    err = error()
    epoch = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        while err > 0 and epoch < config.max_epochs:
            perm = order_rng.permutation(n)
            for s in range(steps):
                idx = backend.index_array(perm[s * B:(s + 1) * B])
                _, gW, gV = teacher_ce_gradients(W, V, xp.take(X, idx, axis=0), xp.take(onehot_all, idx, axis=0),
                                                 backend)
                W = W - config.lr * gW
                V = V - config.lr * gV
            epoch += 1
            finite = bool(backend.to_numpy(xp.all(xp.isfinite(W))) and backend.to_numpy(xp.all(xp.isfinite(V))))
            if not finite:
                return Teacher(W, V, epoch, float("nan"), False,
                               f"teacher diverged (non-finite weights) at epoch {epoch}")
            err = error()
    if err > 0:
        return Teacher(W, V, epoch, err, False,
                       f"teacher did not fit: training error {err:.4f} after {epoch} epochs")
    return Teacher(W, V, epoch, 0.0, True, "fitted")


# ----------------------------------------------------------------------------------------------- students


@dataclass
class StudentForward:
    z: Array  # (S, d1, n) pre-activations
    cdf: Array  # (S, d1, n) Φ(Z)
    a: Array  # (S, d1, n) φ(Z)
    f: Array  # (S, K, n) outputs


def student_forward(W: Array, V: Array, X: Array, backend: Backend) -> StudentForward:
    """Forward pass of x ↦ V φ(W x) for rows X, (n, d0) shared or (S, B, d0) per seed."""
    xp = backend.xp
    z = stacked_matmul(W, xp.matrix_transpose(X), backend)
    cdf = 0.5 * (1.0 + backend.erf(z * INV_SQRT2))
    a = z * cdf
    return StudentForward(z=z, cdf=cdf, a=a, f=xp.matmul(V, a))


def student_loss(W: Array, V: Array, X: Array, T: Array, backend: Backend) -> Array:
    """L = (1/n) Σ_i ‖V φ(W x_i) − t_i‖² per seed, shape (S,); T (n, K) or (S, B, K)."""
    xp = backend.xp
    r = student_forward(W, V, X, backend).f - xp.matrix_transpose(T)
    return xp.sum(r * r, axis=(-2, -1)) / X.shape[-2]


def student_gradients(W: Array, V: Array, X: Array, T: Array, backend: Backend) -> tuple[Array, Array, Array]:
    """(L, ∂L/∂W, ∂L/∂V) per seed for L = (1/n) Σ_i ‖f(x_i) − t_i‖² (see the module docstring)."""
    xp = backend.xp
    fw = student_forward(W, V, X, backend)
    r = fw.f - xp.matrix_transpose(T)
    n = X.shape[-2]
    loss = xp.sum(r * r, axis=(-2, -1)) / n
    G = r * (2.0 / n)  # (S, K, n)
    gV = xp.matmul(G, xp.matrix_transpose(fw.a))  # (S, K, d1)
    dphi = fw.cdf + fw.z * (INV_SQRT_2PI * xp.exp(-0.5 * fw.z * fw.z))
    D = xp.matmul(xp.matrix_transpose(V), G) * dphi  # (S, d1, n)
    gW = stacked_matmul(D, X, backend)  # (S, d1, d0)
    return loss, gW, gV


def _per_seed_dot(a: Array, b: Array, backend: Backend) -> Array:
    return backend.xp.sum(a * b, axis=(-2, -1))


def gauss_newton_lambda_max(W: Array, V: Array, X: Array, backend: Backend, iters: int) -> np.ndarray:
    """Largest eigenvalue of the Gauss–Newton matrix (2/n)JᵀJ of L at (W, V) on rows X, per seed (host).

    Power iteration on u ↦ Jᵀ(J u) (a JVP then a VJP, by hand), started from the gradient direction;
    the Rayleigh quotient of the last iterate is returned (a lower estimate that converges from below).
    """
    xp = backend.xp
    n = X.shape[-2]
    fw = student_forward(W, V, X, backend)
    dphi = fw.cdf + fw.z * (INV_SQRT_2PI * xp.exp(-0.5 * fw.z * fw.z))
    Xt = xp.matrix_transpose(X)
    Vt = xp.matrix_transpose(V)
    at = xp.matrix_transpose(fw.a)

    def jtj(uW: Array, uV: Array) -> tuple[Array, Array]:
        dF = xp.matmul(uV, fw.a) + xp.matmul(V, dphi * stacked_matmul(uW, Xt, backend))  # J u: (S, K, n)
        return stacked_matmul(dphi * xp.matmul(Vt, dF), X, backend), xp.matmul(dF, at)  # Jᵀ dF

    _, uW, uV = student_gradients(W, V, X, xp.zeros((n, V.shape[-2]), dtype=W.dtype), backend)
    lam = xp.zeros(W.shape[:-2], dtype=W.dtype)
    for _ in range(max(int(iters), 1)):
        norm = xp.sqrt(_per_seed_dot(uW, uW, backend) + _per_seed_dot(uV, uV, backend))
        norm = xp.where(norm > 0, norm, xp.ones_like(norm))
        norm = xp.reshape(norm, (*norm.shape, 1, 1))
        uW = uW / norm
        uV = uV / norm
        gW, gV = jtj(uW, uV)
        lam = _per_seed_dot(uW, gW, backend) + _per_seed_dot(uV, gV, backend)
        uW, uV = gW, gV
    return backend.to_numpy(lam).astype(np.float64) * (2.0 / n)


def evaluate(W: Array, V: Array, X: Array, T: Array, labels: Array | None, backend: Backend,
             chunk: int = 4096) -> tuple[np.ndarray, np.ndarray | None]:
    """Full-set loss L (mean over rows of ‖f − t‖²) and accuracy (argmax f == label) per seed, on the host.

    ``X`` (n, d0), ``T`` (n, K), ``labels`` (n,) int64 array of the namespace (None: no accuracy); rows are
    taken ``chunk`` at a time, so the (S, d1, n) temporaries stay bounded on MNIST.
    """
    xp = backend.xp
    n = X.shape[0]
    sq = None
    hits = None
    for i in range(0, n, chunk):
        j = min(i + chunk, n)  # out-of-bounds slice stops are not in the array API standard
        fw = student_forward(W, V, X[i:j, ...], backend)
        r = fw.f - xp.matrix_transpose(T[i:j, ...])
        s = xp.sum(r * r, axis=(-2, -1))
        sq = s if sq is None else sq + s
        if labels is not None:
            h = xp.sum(xp.astype(xp.argmax(fw.f, axis=-2) == labels[i:j], W.dtype), axis=-1)
            hits = h if hits is None else hits + h
    loss = backend.to_numpy(sq).astype(np.float64) / n
    return loss, None if hits is None else backend.to_numpy(hits).astype(np.float64) / n


@dataclass(frozen=True)
class SGDConfig:
    epochs: int
    batch_size: int
    lr: float
    lr_rule: str = "fixed"
    momentum: float = 0.0  # heavy ball: m ← β m + ∇L, θ ← θ − η m (β = 0: plain SGD)
    lr_schedule: str = "constant"  # or "cosine": η_e = η · ½(1 + cos(π e / epochs)) in epoch e = 0 … epochs−1
    power_iters: int = 20
    curvature_points: int = 512  # the Gauss–Newton λ_max is measured on the first this-many training rows
    eval_chunk: int = 4096

    def __post_init__(self) -> None:
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"init_ratio: lr_schedule must be one of {LR_SCHEDULES}, got {self.lr_schedule!r}")
        if self.lr_rule not in LR_RULES:
            raise ValueError(f"init_ratio: lr_rule must be one of {LR_RULES}, got {self.lr_rule!r}")
        if (self.epochs < 0 or self.batch_size < 1 or not self.lr > 0 or self.power_iters < 1
                or not 0.0 <= self.momentum < 1.0):
            raise ValueError(f"init_ratio: bad SGD settings {self}")


@dataclass
class StudentResult:
    """One seed's run (host numbers, JSON-ready)."""

    success: bool
    reason: str
    steps: int
    epochs_done: int
    initial_train_loss: float
    final_train_loss: float
    eta: float
    curvature: float  # λ_max of (2/n)JᵀJ at init

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class StudentOutput:
    results: list[StudentResult]  # in input order
    rows: list[int]  # the input indices of the seeds that finished (success)
    W: Array  # (len(rows), d1, d0) their final weights
    V: Array  # (len(rows), K, d1)


def train_students(W0: Array, V0: Array, X: Array, T: Array, orders: list[np.random.Generator], backend: Backend,
                   config: SGDConfig) -> StudentOutput:
    """Minibatch SGD on L for every seed of the batch (W0 (S, d1, d0), V0 (S, K, d1)); X (n, d0), T (n, K).

    ``orders[s]`` draws seed s's permutations (one per epoch). Deterministic: the same inputs give
    bit-identical outputs. Divergence ends a seed's run with ``success=False`` and a reason, never an exception.
    """
    xp = backend.xp
    S = W0.shape[0]
    n, d0 = X.shape
    K = T.shape[1]
    d1 = W0.shape[1]
    B = min(config.batch_size, n)
    steps_per_epoch = n // B
    results: list[StudentResult | None] = [None] * S
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        m = min(n, config.curvature_points)
        curv = gauss_newton_lambda_max(W0, V0, X[:m, ...], backend, config.power_iters)
        eta = config.lr / curv if config.lr_rule == "curvature" else np.full(S, config.lr)
        init_loss, _ = evaluate(W0, V0, X, T, None, backend, config.eval_chunk)
        rows = list(range(S))
        W, V = W0, V0
        steps = 0

        def finish(k: int, success: bool, reason: str, loss: float, epochs_done: int) -> None:
            s = rows[k]
            results[s] = StudentResult(success=success, reason=reason, steps=steps, epochs_done=epochs_done,
                                       initial_train_loss=float(init_loss[s]), final_train_loss=float(loss),
                                       eta=float(eta[s]), curvature=float(curv[s]))

        mW = mV = None  # momentum buffers (None until the first step)

        def keep_rows(keep: list[int]) -> None:
            nonlocal W, V, mW, mV, rows
            idx = backend.index_array(np.asarray(keep, dtype=np.int64))
            W, V = xp.take(W, idx, axis=0), xp.take(V, idx, axis=0)
            if mW is not None:
                mW, mV = xp.take(mW, idx, axis=0), xp.take(mV, idx, axis=0)
            rows = [rows[k] for k in keep]

        bad0 = [k for k in range(S) if not (math.isfinite(init_loss[k]) and math.isfinite(eta[k]) and eta[k] > 0)]
        for k in bad0:
            finish(k, False, f"diverged: non-finite initial state (loss {init_loss[k]:.3e}, eta {eta[k]:.3e})",
                   init_loss[k], 0)
        if bad0:
            keep_rows([k for k in range(S) if k not in bad0])

        for epoch in range(config.epochs):
            if not rows:
                break
            Sl = len(rows)
            perms = np.stack([orders[s].permutation(n) for s in rows])
            decay = 0.5 * (1.0 + math.cos(math.pi * epoch / config.epochs)) if config.lr_schedule == "cosine" else 1.0
            eta3 = backend.asarray(decay * eta[rows][:, None, None])
            total = xp.zeros((Sl,), dtype=W.dtype)
            for j in range(steps_per_epoch):
                idx = backend.index_array(perms[:, j * B:(j + 1) * B].reshape(-1))
                Xb = xp.reshape(xp.take(X, idx, axis=0), (Sl, B, d0))
                Tb = xp.reshape(xp.take(T, idx, axis=0), (Sl, B, K))
                loss, gW, gV = student_gradients(W, V, Xb, Tb, backend)
                if config.momentum > 0:
                    mW = gW if mW is None else config.momentum * mW + gW
                    mV = gV if mV is None else config.momentum * mV + gV
                    gW, gV = mW, mV
                W = W - eta3 * gW
                V = V - eta3 * gV
                total = total + loss
            steps += steps_per_epoch
            mean = backend.to_numpy(total).astype(np.float64) / max(steps_per_epoch, 1)
            bad = [k for k in range(Sl)
                   if not math.isfinite(mean[k]) or mean[k] > DIVERGENCE_FACTOR * max(init_loss[rows[k]], 1e-300)]
            for k in bad:
                why = "non-finite" if not math.isfinite(mean[k]) else f"{mean[k]:.3e} > {DIVERGENCE_FACTOR:g} × initial"
                finish(k, False, f"diverged: epoch-mean minibatch loss {why} at epoch {epoch + 1} "
                                 f"(eta {eta[rows[k]]:.3e}, eta·L0 {eta[rows[k]] * curv[rows[k]]:.3g})",
                       mean[k], epoch + 1)
            if bad:
                keep_rows([k for k in range(Sl) if k not in bad])

        if rows:
            final, _ = evaluate(W, V, X, T, None, backend, config.eval_chunk)
            for k in range(len(rows)):
                if math.isfinite(final[k]):
                    finish(k, True, "completed", final[k], config.epochs)
                else:
                    finish(k, False, "diverged: non-finite final training loss", final[k], config.epochs)
            ok = [k for k in range(len(rows)) if results[rows[k]].success]
            if len(ok) < len(rows):
                keep_rows(ok)
    return StudentOutput(results=[r for r in results if r is not None], rows=list(rows), W=W,
                         V=V if rows else xp.zeros((0, K, d1), dtype=W0.dtype))
