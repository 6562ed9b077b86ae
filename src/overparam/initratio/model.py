"""Claim C2's networks: the ω grid, the two-layer nets with biases (hand-written CE gradients), SGD, the teacher.

The ω grid (:func:`omega_grid`). The paper's ω2 values (config ``omega2_grid``, at d0 = 784, d1 = 1000) with
ω1 = P_ref/ω2, P_ref = √(2/784)·√(2/1000) (the He product), so ω1·ω2 = P_ref; the ratio ω2/ω1 = ω2²/P_ref runs
from 0.0018 to 2.71 (the He point ω2/ω1 = √(d0/d1) = 0.885 lies inside). At another size (d0, d1) both ω's are
multiplied by the same factor √(P/P_ref), P = √(2/d0)·√(2/d1):

    ω2(d0, d1) = ω2_paper · √(P / P_ref),      ω1(d0, d1) = P / ω2(d0, d1) = ω1_paper · √(P / P_ref),

so the product is the He product P of the run's size and the *ratios* ω2/ω1 are exactly the paper's. A scale
with ``omega2_num`` < len(grid) takes the grid values at indices round(linspace(0, len − 1, omega2_num)),
which always keeps the paper's first and last ω2 (the two values whose accuracies the paper quotes).

The nets (the authors' ``Linear(d0, d1) → φ → Linear(d1, K)`` with biases), S of them batched:

    W (S, d1, d0), b (S, d1), V (S, K, d1), c (S, K);  X (n, d0) shared rows or (S, B, d0) per-net minibatches
    Z = W Xᵀ + b,  A = φ(Z),  F = V A + c  (S, K, n),  P = softmax over the K axis,
    L = (1/n) Σ_i [log Σ_k e^{F_ki} − F_{y_i i}]   (mean cross-entropy, per net)

with φ the exact GELU z Φ(z) (erf form) or ReLU. Hand-written gradients (G = (P − Tᵀ)/n, T one-hot):

    ∂L/∂V = G Aᵀ,  ∂L/∂c = Σ_i G,  D = (Vᵀ G) ⊙ φ'(Z),  ∂L/∂W = D X,  ∂L/∂b = Σ_i D.

Init (:func:`init_net`): W ~ N(0, ω1²), V ~ N(0, ω2²) and PyTorch's default bias init b ~ U(−1/√d0, 1/√d0),
c ~ U(−1/√d1, 1/√d1) — the authors' ``init_weights`` redraws the weights only.

SGD (:func:`train_nets`): plain SGD (no momentum, constant η), every net its own permutation of the training
set per epoch (its own generator), ⌈n/B⌉ steps per epoch on consecutive blocks of B, the last one shorter when
B does not divide n (PyTorch's ``DataLoader(shuffle=True)``, ``drop_last=False``).

Teacher (:func:`train_teacher`): the same shape, ReLU, He init weights (N(0, 2/d0), N(0, 2/d1)), default
biases, trained by CE SGD on the *true* labels until its (ReLU) argmax gets every training label right, or
``teacher_max_epochs`` pass. Its labels are argmax of the same weights evaluated with ``teacher_activation``
(the authors rebuild the ReLU-trained teacher with the students' GELU: default ``gelu``).

Failure. A net whose epoch-mean minibatch loss is non-finite leaves the batch with a recorded reason; the others
go on. Never raises on divergence.

Only array-API-standard functions touch the kernel arrays; erf comes from :meth:`overparam.backend.Backend.erf`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from overparam.backend import Backend
from overparam.batch import LiveRows
from overparam.rng import ArrayRNG
from overparam.width.network import INV_SQRT2, INV_SQRT_2PI

Array = Any

REF_D0 = 784  # the paper's MNIST input size
REF_D1 = 1000  # the paper's hidden width
ACTIVATIONS = ("gelu", "relu")


# ----------------------------------------------------------------------------------------------- the ω grid


def he_product(d0: int, d1: int) -> float:
    """P = √(2/d0)·√(2/d1): the product ω1·ω2 of He init (W ~ N(0, 2/d0), V ~ N(0, 2/d1))."""
    return math.sqrt(2.0 / d0) * math.sqrt(2.0 / d1)


def grid_indices(n_grid: int, num: int) -> list[int]:
    """Indices round(linspace(0, n_grid − 1, num)) into the paper's grid (first and last always kept)."""
    if not 1 <= num <= n_grid:
        raise ValueError(f"init_ratio: omega2_num must be 1..{n_grid} (the length of omega2_grid), got {num}")
    if num == 1:
        return [0]
    return [int(i) for i in np.round(np.linspace(0, n_grid - 1, num)).astype(int)]


def omega_grid(d0: int, d1: int, grid_paper: list[float], num: int, ref_d0: int = REF_D0,
               ref_d1: int = REF_D1) -> list[dict[str, float]]:
    """The (ω1, ω2) grid at size (d0, d1): ``num`` of the paper's ω2 values (defined at (ref_d0, ref_d1)) times
    √(P/P_ref), ω1 = P/ω2 (see the module docstring).

    Each entry: index, omega2_paper, omega1, omega2, ratio (ω2/ω1), he_product (P).
    """
    paper = [float(w) for w in grid_paper]
    if not paper or any(not w > 0 for w in paper) or sorted(paper) != paper:
        raise ValueError(f"init_ratio: omega2_grid must be increasing positive values, got {grid_paper}")
    P = he_product(d0, d1)
    scale = math.sqrt(P / he_product(ref_d0, ref_d1))
    out = []
    for i, j in enumerate(grid_indices(len(paper), int(num))):
        w2 = paper[j] * scale
        w1 = P / w2
        out.append({"index": i, "omega2_paper": paper[j], "omega1": w1, "omega2": w2, "ratio": w2 / w1,
                    "he_product": P})
    return out


def he_ratio(d0: int, d1: int) -> float:
    """ω2/ω1 at He init: √(2/d1)/√(2/d0) = √(d0/d1)."""
    return math.sqrt(d0 / d1)


# ------------------------------------------------------------------------------------------------- the nets


@dataclass
class Net:
    """S two-layer nets with biases: W (S, d1, d0), b (S, d1), V (S, K, d1), c (S, K)."""

    W: Array
    b: Array
    V: Array
    c: Array

    def take(self, take: Callable[..., Array]) -> Net:
        """The nets that a :meth:`overparam.batch.LiveRows.keep` cut keeps."""
        return Net(*(take(p, axis=0) for p in (self.W, self.b, self.V, self.c)))

    def step(self, grad: Net, eta: float) -> Net:
        return Net(self.W - eta * grad.W, self.b - eta * grad.b, self.V - eta * grad.V, self.c - eta * grad.c)


def stacked_matmul(a: Array, b: Array, backend: Backend) -> Array:
    """a @ b for a stack a (S, p, q) and a matrix b (q, r) shared by the stack: one (S·p, q) @ (q, r) product.

    NumPy's broadcasting matmul of a stack with a shared matrix does not reach BLAS as one GEMM; the reshape
    does. Anything else is plain ``matmul``.
    """
    xp = backend.xp
    if a.ndim == 3 and b.ndim == 2:
        S, p, q = a.shape
        return xp.reshape(xp.matmul(xp.reshape(a, (S * p, q)), b), (S, p, b.shape[1]))
    return xp.matmul(a, b)


def activation(z: Array, kind: str, backend: Backend) -> tuple[Array, Array]:
    """(φ(z), φ'(z)) for ``kind`` gelu (z Φ(z), exact erf form) or relu."""
    xp = backend.xp
    if kind == "gelu":
        cdf = 0.5 * (1.0 + backend.erf(z * INV_SQRT2))
        return z * cdf, cdf + z * (INV_SQRT_2PI * xp.exp(-0.5 * z * z))
    if kind == "relu":
        mask = xp.astype(z > 0, z.dtype)
        return z * mask, mask
    raise ValueError(f"init_ratio: activation must be one of {ACTIVATIONS}, got {kind!r}")


def forward(net: Net, X: Array, kind: str, backend: Backend) -> tuple[Array, Array, Array]:
    """(logits F (S, K, n), hidden A (S, d1, n), φ'(Z)) for rows X, (n, d0) shared or (S, B, d0) per net."""
    xp = backend.xp
    S, d1 = net.b.shape
    K = net.c.shape[1]
    z = stacked_matmul(net.W, xp.matrix_transpose(X), backend) + xp.reshape(net.b, (S, d1, 1))
    a, dphi = activation(z, kind, backend)
    return xp.matmul(net.V, a) + xp.reshape(net.c, (S, K, 1)), a, dphi


def _log_softmax_parts(F: Array, backend: Backend) -> tuple[Array, Array]:
    xp = backend.xp
    shifted = F - xp.max(F, axis=-2, keepdims=True)
    e = xp.exp(shifted)
    return shifted, e


def ce_loss(net: Net, X: Array, T: Array, kind: str, backend: Backend) -> Array:
    """Mean cross-entropy per net, shape (S,); T one-hot (n, K) or (S, B, K)."""
    xp = backend.xp
    F, _, _ = forward(net, X, kind, backend)
    shifted, e = _log_softmax_parts(F, backend)
    Tt = xp.matrix_transpose(T)
    per = xp.log(xp.sum(e, axis=-2)) - xp.sum(shifted * Tt, axis=-2)  # (S, n)
    return xp.mean(per, axis=-1)


def ce_gradients(net: Net, X: Array, T: Array, kind: str, backend: Backend) -> tuple[Array, Net]:
    """(L per net (S,), ∂L as a :class:`Net`) for the mean cross-entropy (see the module docstring)."""
    xp = backend.xp
    F, a, dphi = forward(net, X, kind, backend)
    shifted, e = _log_softmax_parts(F, backend)
    Z = xp.sum(e, axis=-2, keepdims=True)
    Tt = xp.matrix_transpose(T)
    n = X.shape[-2]
    loss = xp.mean(xp.log(Z[..., 0, :]) - xp.sum(shifted * Tt, axis=-2), axis=-1)
    G = (e / Z - Tt) / n  # (S, K, n)
    gV = xp.matmul(G, xp.matrix_transpose(a))
    gc = xp.sum(G, axis=-1)
    D = xp.matmul(xp.matrix_transpose(net.V), G) * dphi  # (S, d1, n)
    gW = stacked_matmul(D, X, backend)
    gb = xp.sum(D, axis=-1)
    return loss, Net(gW, gb, gV, gc)


def predict(net: Net, X: Array, kind: str, backend: Backend, chunk: int = 4096) -> np.ndarray:
    """Argmax labels (S, n) of rows X (n, d0), on the host (int64), ``chunk`` rows at a time."""
    xp = backend.xp
    n = X.shape[0]
    out = []
    for i in range(0, n, chunk):
        j = min(i + chunk, n)  # out-of-bounds slice stops are not in the array API standard
        F, _, _ = forward(net, X[i:j, ...], kind, backend)
        out.append(backend.to_numpy(xp.argmax(F, axis=-2)))
    return np.concatenate(out, axis=-1).astype(np.int64)


def init_net(rngs: list[ArrayRNG], d0: int, d1: int, K: int, omega1: float, omega2: float,
             backend: Backend) -> Net:
    """One net per generator: W ~ N(0, ω1²), V ~ N(0, ω2²), biases PyTorch's default U(±1/√fan_in).

    Each generator draws, in order: W (d1, d0) normals, b (d1,) uniforms, V (K, d1) normals, c (K,) uniforms.
    """
    xp = backend.xp
    parts: list[list[Array]] = [[], [], [], []]
    for rng in rngs:
        W = rng.standard_normal((d1, d0)) * omega1
        b = (rng.uniform((d1,)) * 2.0 - 1.0) / math.sqrt(d0)
        V = rng.standard_normal((K, d1)) * omega2
        c = (rng.uniform((K,)) * 2.0 - 1.0) / math.sqrt(d1)
        for p, a in zip(parts, (W, b, V, c), strict=True):
            p.append(a)
    return Net(*(xp.stack(p) for p in parts))


# ------------------------------------------------------------------------------------------------------ SGD


@dataclass(frozen=True)
class SGDConfig:
    epochs: int
    batch_size: int
    lr: float
    eval_chunk: int = 4096

    def __post_init__(self) -> None:
        if self.epochs < 0 or self.batch_size < 1 or not self.lr > 0:
            raise ValueError(f"init_ratio: bad SGD settings {self}")


@dataclass
class RunResult:
    """One net's run (host numbers, JSON-ready)."""

    success: bool
    reason: str
    steps: int
    epochs_done: int
    initial_train_loss: float
    final_epoch_loss: float  # mean minibatch CE over the last epoch

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainOutput:
    results: list[RunResult]  # in input order
    rows: list[int]  # the input indices of the nets that finished
    net: Net | None  # their final parameters (None if none finished)


def train_nets(net0: Net, X: Array, T: Array, orders: list[np.random.Generator], kind: str, backend: Backend, *,
               config: SGDConfig, progress: Callable[[int, int], None] | None = None) -> TrainOutput:
    """Plain minibatch SGD on the mean CE for every net of the batch; X (n, d0), T one-hot (n, K).

    ``orders[s]`` draws net s's permutations (one per epoch). Deterministic. A non-finite epoch loss ends a
    net's run with ``success=False`` and a reason, never an exception. ``progress(epochs done, nets running)``
    after every epoch.
    """
    xp = backend.xp
    S = net0.W.shape[0]
    n, d0 = X.shape
    K = T.shape[1]
    B = min(config.batch_size, n)
    blocks = [(i, min(i + B, n)) for i in range(0, n, B)]
    results: list[RunResult | None] = [None] * S
    init = backend.to_numpy(ce_loss(net0, X[:min(n, config.eval_chunk), ...], T[:min(n, config.eval_chunk), ...],
                                    kind, backend)).astype(np.float64)
    live = LiveRows(S, backend)  # live.rows[k]: the input index of the k-th running net
    net = net0
    steps = 0
    last = np.full(S, np.nan)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(config.epochs):
            if not live.size:
                break
            Sl = live.size
            perms = np.stack([orders[s].permutation(n) for s in live.rows])
            total = xp.zeros((Sl,), dtype=net.W.dtype)
            for i, j in blocks:
                idx = backend.index_array(perms[:, i:j].reshape(-1))
                Xb = xp.reshape(xp.take(X, idx, axis=0), (Sl, j - i, d0))
                Tb = xp.reshape(xp.take(T, idx, axis=0), (Sl, j - i, K))
                loss, grad = ce_gradients(net, Xb, Tb, kind, backend)
                net = net.step(grad, config.lr)
                total = total + loss
            steps += len(blocks)
            mean = backend.to_numpy(total).astype(np.float64) / len(blocks)
            bad = [k for k in range(Sl) if not math.isfinite(mean[k])]
            last[live.rows] = mean
            for k in bad:
                s = live.rows[k]
                results[s] = RunResult(False, f"diverged: non-finite epoch-mean loss at epoch {epoch + 1}", steps,
                                       epoch + 1, float(init[s]), float(mean[k]))
            if bad:
                net = net.take(live.keep(np.array([k not in bad for k in range(Sl)])))
            if progress is not None:
                progress(epoch + 1, live.size)
    rows = [int(s) for s in live.rows]
    for s in rows:
        results[s] = RunResult(True, "completed", steps, config.epochs, float(init[s]), float(last[s]))
    return TrainOutput(results=[r for r in results if r is not None], rows=rows, net=net if rows else None)


def accuracy(net: Net, X: Array, labels: np.ndarray, kind: str, backend: Backend, chunk: int = 4096) -> np.ndarray:
    """Fraction of rows whose argmax equals ``labels`` (host int64), per net (host float64)."""
    return np.mean(predict(net, X, kind, backend, chunk) == np.asarray(labels)[None, :], axis=-1)


# ------------------------------------------------------------------------------------------------ teacher


@dataclass(frozen=True)
class TeacherConfig:
    lr: float
    batch_size: int
    max_epochs: int
    activation: str = "gelu"  # the activation the trained weights are evaluated with to label the data

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.max_epochs < 0 or not self.lr > 0 or self.activation not in ACTIVATIONS:
            raise ValueError(f"init_ratio: bad teacher settings {self}")


@dataclass
class Teacher:
    net: Net  # S = 1
    epochs: int
    train_accuracy_relu: float  # the ReLU net's accuracy on the true training labels
    fitted: bool
    reason: str

    def info(self) -> dict[str, Any]:
        return {"teacher_epochs": self.epochs, "teacher_train_accuracy_relu": self.train_accuracy_relu,
                "teacher_fitted": self.fitted, "teacher_reason": self.reason}


def train_teacher(X: Array, labels: np.ndarray, n_classes: int, d1: int, rng: ArrayRNG,
                  order_rng: np.random.Generator, config: TeacherConfig, backend: Backend) -> Teacher:
    """The He-initialised ReLU teacher trained by CE SGD on (X, true labels) until training accuracy 1.0.

    Checks the training accuracy before the first epoch and after every one; stops at 1.0 or ``max_epochs``.
    """
    n, d0 = X.shape
    labels = np.asarray(labels, dtype=np.int64)
    net = init_net([rng], d0, d1, n_classes, math.sqrt(2.0 / d0), math.sqrt(2.0 / d1), backend)
    T = backend.asarray(np.eye(n_classes)[labels])
    cfg = SGDConfig(epochs=1, batch_size=config.batch_size, lr=config.lr)

    def acc(m: Net) -> float:
        return float(accuracy(m, X, labels, "relu", backend)[0])

    a = acc(net)
    epoch = 0
    while a < 1.0 and epoch < config.max_epochs:
        out = train_nets(net, X, T, [order_rng], "relu", backend, config=cfg)
        epoch += 1
        if out.net is None:
            return Teacher(net, epoch, float("nan"), False, f"teacher diverged at epoch {epoch}")
        net = out.net
        a = acc(net)
    if a < 1.0:
        return Teacher(net, epoch, a, False, f"teacher did not fit: training accuracy {a:.4f} after {epoch} epochs")
    return Teacher(net, epoch, a, True, "fitted")
