"""One point of claim C2 `init_ratio`: one ω2 of the grid, all seeds trained as one batch, flat run records.

A *point* is one index of the ω grid (:func:`overparam.initratio.model.omega_grid`); a *run* is (ω2, seed
replica): one student trained by minibatch SGD on the teacher's labels. The teacher is the same for every
point and seed (it depends on the data, its own settings and the base seed only); it is cached per process,
and recomputed bit-identically by each job that needs it.

Seeds: every draw comes from ``overparam.seeds.seed_sequence(base_seed, "init_ratio", point,
replica)``:

- teacher init and order: point {"dataset", "n_train", "d0", "teacher_width", "draw": "teacher_init" |
  "teacher_order"}, replica 0;
- a student's init (W then V, standard normals scaled by ω1, ω2) and its minibatch orders: point
  {"dataset", "n_train", "d0", "d1", "omega2", "draw": "init" | "order"}, its replica.

So a run's numbers depend on (data, d1, ω2, replica) only — not on the other seeds of its batch, on the other
points, or on the order of jobs; and the draws at different ω2 are independent (the analysis bootstraps seeds
within each ω2 independently). Same seed → bit-identical records on the CPU (up to the wall times).

Parameters read from ``params`` (snake_case, all in config.yaml; the claim block and the scale block merged):
    mnist_path (None: digits), d1, seeds, omega_index, omega2_start, omega2_stop, omega2_num,
    epochs, batch_size, lr, lr_rule, momentum, lr_schedule,
    teacher_width, teacher_lr, teacher_batch_size, teacher_max_epochs
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from overparam.backend import Backend
from overparam.initratio import data as data_mod
from overparam.initratio import model
from overparam.papers import SONG_2021
from overparam.rng import ArrayRNG, ReplicaStreams
from overparam.seeds import seed_sequence

PAPER = SONG_2021.seed_name  # the records' "paper" field
CLAIM = "init_ratio"
WALL_TIME_KEYS = ("wall_time_s", "batch_wall_time_s")

_TEACHER_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray, dict[str, Any]]] = {}
_DATA_CACHE: dict[str, data_mod.Dataset] = {}


def load_data(params: dict) -> data_mod.Dataset:
    """The point's data set (cached per process: digits, or MNIST from ``mnist_path``)."""
    key = str(params.get("mnist_path") or "")
    if key not in _DATA_CACHE:
        _DATA_CACHE[key] = data_mod.load_dataset(params)
    return _DATA_CACHE[key]


def grid(params: dict, d0: int) -> list[dict[str, float]]:
    """The scale's ω grid at (d0, d1 = params["d1"])."""
    return model.omega_grid(d0, int(params["d1"]), float(params["omega2_start"]), float(params["omega2_stop"]),
                            int(params["omega2_num"]))


def teacher_config(params: dict) -> model.TeacherConfig:
    return model.TeacherConfig(width=int(params["teacher_width"]), lr=float(params["teacher_lr"]),
                               batch_size=int(params["teacher_batch_size"]),
                               max_epochs=int(params["teacher_max_epochs"]))


def sgd_config(params: dict) -> model.SGDConfig:
    return model.SGDConfig(epochs=int(params["epochs"]), batch_size=int(params["batch_size"]), lr=float(params["lr"]),
                           lr_rule=str(params["lr_rule"]), momentum=float(params["momentum"]),
                           lr_schedule=str(params["lr_schedule"]))


def teacher_targets(params: dict, ds: data_mod.Dataset, base_seed: int,
                    backend: Backend) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The teacher's argmax labels of the training and test inputs (host int64) and its record fields.

    Cached per (data, teacher settings, base seed, backend): every point of a process shares one teacher.
    """
    cfg = teacher_config(params)
    key = (ds.source, ds.n_train, ds.d0, cfg, int(base_seed), backend.name)
    if key in _TEACHER_CACHE:
        return _TEACHER_CACHE[key]
    point = {"dataset": ds.name, "n_train": ds.n_train, "d0": ds.d0, "teacher_width": cfg.width}
    rng = ArrayRNG(seed_sequence(base_seed, CLAIM, {**point, "draw": "teacher_init"}, 0), backend)
    normals = (rng.standard_normal((cfg.width, ds.d0)), rng.standard_normal((ds.n_classes, cfg.width)))
    order = np.random.Generator(np.random.PCG64(seed_sequence(base_seed, CLAIM,
                                                              {**point, "draw": "teacher_order"}, 0)))
    X = backend.asarray(ds.x_train)
    teacher = model.train_teacher(X, ds.y_train, ds.n_classes, backend, normals, order, cfg)
    y_train = model.teacher_labels(teacher.W, teacher.V, X, backend)
    y_test = model.teacher_labels(teacher.W, teacher.V, backend.asarray(ds.x_test), backend)
    info = {**teacher.info(), "teacher_width": cfg.width,
            "teacher_test_accuracy": float(np.mean(y_test == ds.y_test))}
    _TEACHER_CACHE[key] = (y_train, y_test, info)
    return _TEACHER_CACHE[key]


def init_students(ds: data_mod.Dataset, d1: int, omega: dict[str, float], replicas: Sequence[int],
                  base_seed: int, backend: Backend) -> tuple[Any, Any, list[np.random.Generator]]:
    """W (S, d1, d0) ~ N(0, ω1²), V (S, K, d1) ~ N(0, ω2²) and each replica's minibatch-order generator."""
    point = {"dataset": ds.name, "n_train": ds.n_train, "d0": ds.d0, "d1": int(d1), "omega2": float(omega["omega2"])}
    replicas = [int(r) for r in replicas]
    streams = ReplicaStreams([seed_sequence(base_seed, CLAIM, {**point, "draw": "init"}, r)
                              for r in replicas], backend)
    rows = list(range(len(replicas)))
    W = streams.standard_normal(rows, (int(d1), ds.d0)) * omega["omega1"]
    V = streams.standard_normal(rows, (ds.n_classes, int(d1))) * omega["omega2"]
    orders = [np.random.Generator(np.random.PCG64(seed_sequence(base_seed, CLAIM, {**point, "draw": "order"},
                                                                r))) for r in replicas]
    return W, V, orders


def run_ratio_point(params: dict, base_seed: int, backend: Backend) -> list[dict]:
    """Train every seed of one ω2 (``params["omega_index"]`` into the grid) as one batch; one record per seed.

    Record fields: claim, paper, dataset, data_source, n_train, n_test, d0, d1, n_classes, omega_index,
    omega2_paper, omega1, omega2, ratio (ω2/ω1), he_ratio (√(d0/d1)), he_product, seed (replica), success,
    reason, steps, epochs, epochs_done, batch_size, lr, lr_rule, eta, curvature (Gauss–Newton λ_max at init),
    initial_train_loss, final_train_loss, train_accuracy (teacher labels), test_accuracy (teacher labels),
    test_accuracy_true (true labels), teacher_width, teacher_epochs, teacher_train_error, teacher_fitted,
    teacher_reason, teacher_test_accuracy, wall_time_s (the batch's training wall time shared equally),
    batch_wall_time_s, backend, device, base_seed. A failed run has NaN accuracies.
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
    W0, V0, orders = init_students(ds, d1, omega, replicas, base_seed, backend)
    backend.synchronize()
    t0 = time.perf_counter()
    out = model.train_students(W0, V0, X, T, orders, backend, cfg)
    train_acc = test_acc = test_true = np.full(0, np.nan)
    if out.rows:
        lab_tr = backend.index_array(y_train)
        _, train_acc = model.evaluate(out.W, out.V, X, T, lab_tr, backend, cfg.eval_chunk)
        Xte = backend.asarray(ds.x_test)
        Tte = backend.asarray(data_mod.one_hot(y_test, ds.n_classes))
        _, test_acc = model.evaluate(out.W, out.V, Xte, Tte, backend.index_array(y_test), backend, cfg.eval_chunk)
        _, test_true = model.evaluate(out.W, out.V, Xte, Tte, backend.index_array(ds.y_test), backend,
                                      cfg.eval_chunk)
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
        rec.update({"epochs": cfg.epochs, "batch_size": cfg.batch_size, "lr": cfg.lr, "lr_rule": cfg.lr_rule,
                    "momentum": cfg.momentum, "lr_schedule": cfg.lr_schedule,
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
