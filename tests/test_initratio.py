"""Paper C, claim C2 `init_ratio`: student gradients, the IDX reader, the teacher, the ω grid, determinism,
recorded divergence, and the verdict logic."""

from __future__ import annotations

import gzip
import json
import math
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from overparam.backend import Backend, get_backend
from overparam.claim import resolve
from overparam.initratio import analysis, data, experiment, figures, model
from overparam.initratio.claims import CLAIMS
from overparam.rng import ArrayRNG

TINY = {
    "mnist_path": None, "d1": 16, "seeds": 2, "omega_index": 4, "omega2_start": 0.002, "omega2_stop": 0.0782,
    "omega2_num": 10, "epochs": 2, "batch_size": 32, "lr": 1.0, "lr_rule": "curvature", "momentum": 0.9,
    "lr_schedule": "cosine", "teacher_width": 128, "teacher_lr": 1.0, "teacher_batch_size": 32,
    "teacher_max_epochs": 300,
}


def _student_problem(per_seed_data: bool, seed: int = 0):
    S, K, d1, d0, n = 2, 3, 4, 5, 6
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((S, d1, d0)) * 0.8
    V = rng.standard_normal((S, K, d1)) * 0.5
    X = rng.standard_normal((S, n, d0) if per_seed_data else (n, d0))
    X /= np.linalg.norm(X, axis=-1, keepdims=True)
    T = rng.standard_normal((S, n, K) if per_seed_data else (n, K))
    return W, V, X, T


# ---------------------------------------------------------------------------------------------- kernels


@pytest.mark.parametrize("per_seed_data", [False, True])
def test_student_gradients_match_central_differences(backend: Backend, per_seed_data: bool) -> None:
    W, V, X, T = _student_problem(per_seed_data)
    a = backend.asarray
    loss, gW, gV = model.student_gradients(a(W), a(V), a(X), a(T), backend)
    gW, gV = backend.to_numpy(gW), backend.to_numpy(gV)
    np.testing.assert_allclose(backend.to_numpy(loss), backend.to_numpy(model.student_loss(a(W), a(V), a(X), a(T),
                                                                                             backend)), rtol=1e-14)
    eps = 1e-6

    def L(W_, V_):
        return backend.to_numpy(model.student_loss(a(W_), a(V_), a(X), a(T), backend))

    for which, P, G in (("W", W, gW), ("V", V, gV)):
        fd = np.zeros_like(P)
        for idx in np.ndindex(*P.shape[1:]):
            E = np.zeros_like(P)
            E[(slice(None), *idx)] = eps  # the same entry of every seed: each seed's loss sees only its own
            up = L(W + E, V) if which == "W" else L(W, V + E)
            dn = L(W - E, V) if which == "W" else L(W, V - E)
            fd[(slice(None), *idx)] = (up - dn) / (2 * eps)
        np.testing.assert_allclose(G, fd, rtol=1e-6, atol=1e-9, err_msg=f"gradient wrt {which}")


def test_student_loss_is_mean_squared_error_by_hand() -> None:
    W, V, X, T = _student_problem(False)
    b = get_backend("numpy")
    got = model.student_loss(W, V, X, T, b)
    for s in range(W.shape[0]):
        z = W[s] @ X.T
        f = V[s] @ (z * scipy.stats.norm.cdf(z))
        np.testing.assert_allclose(got[s], np.mean(np.sum((f.T - T) ** 2, axis=1)), rtol=1e-13)


def test_gauss_newton_lambda_max_matches_dense_jacobian(backend: Backend) -> None:
    W, V, X, _ = _student_problem(False, seed=3)
    a = backend.asarray
    got = model.gauss_newton_lambda_max(a(W), a(V), a(X), backend, iters=300)
    n, eps = X.shape[0], 1e-6
    b = get_backend("numpy")
    for s in range(W.shape[0]):
        theta = np.concatenate([W[s].ravel(), V[s].ravel()])

        def F(th, s=s):
            Ws = th[:W[s].size].reshape(W[s].shape)[None]
            Vs = th[W[s].size:].reshape(V[s].shape)[None]
            return model.student_forward(Ws, Vs, X, b).f[0].ravel()

        J = np.stack([(F(theta + eps * e) - F(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)], axis=1)
        lam = np.linalg.eigvalsh(2.0 / n * J.T @ J)[-1]
        assert got[s] == pytest.approx(lam, rel=1e-6)


def test_evaluate_counts_argmax_hits() -> None:
    b = get_backend("numpy")
    W, V, X, T = _student_problem(False)
    f = model.student_forward(W, V, X, b).f  # (S, K, n)
    labels = np.argmax(f[0], axis=0)  # seed 0 is right everywhere by construction
    loss, acc = model.evaluate(W, V, X, T, labels, b, chunk=4)  # chunked: 6 rows in blocks of 4
    assert acc[0] == 1.0
    assert acc[1] == pytest.approx(np.mean(np.argmax(f[1], axis=0) == labels))
    np.testing.assert_allclose(loss, model.student_loss(W, V, X, T, b), rtol=1e-13)


# ------------------------------------------------------------------------------------------------- data


def _idx_bytes(arr: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return header + arr.astype(data.IDX_DTYPES[code]).tobytes()


def test_idx_reader_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 4, 5), dtype=np.uint8)
    labels = np.array([7, 0, 9], dtype=np.uint8)
    (tmp_path / "img").write_bytes(_idx_bytes(images))
    (tmp_path / "lab.gz").write_bytes(gzip.compress(_idx_bytes(labels)))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "img"), images)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "lab.gz"), labels)
    ints = np.array([[-3, 70000], [5, -1]], dtype=np.int32)
    (tmp_path / "int").write_bytes(_idx_bytes(ints, 0x0C))
    got = data.read_idx(tmp_path / "int")
    np.testing.assert_array_equal(got, ints)
    assert got.dtype == np.int32


@pytest.mark.parametrize("content", [
    b"",                                                  # empty
    b"\x01\x00\x08\x01\x00\x00\x00\x02\x05\x06",          # first byte not zero
    b"\x00\x00\x07\x01\x00\x00\x00\x02\x05\x06",          # unknown dtype code
    b"\x00\x00\x08\x00",                                  # zero dimensions
    b"\x00\x00\x08\x02\x00\x00\x00\x02",                  # truncated header
    b"\x00\x00\x08\x01\x00\x00\x00\x03\x05\x06",          # 2 data bytes, header says 3
    b"\x1f\x8bnot gzip at all",                           # broken gzip
])
def test_idx_reader_rejects_malformed_files_naming_the_path(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "bad-idx1-ubyte"
    p.write_bytes(content)
    with pytest.raises(ValueError, match=str(p)):
        data.read_idx(p)


def test_idx_reader_missing_file_is_a_value_error(tmp_path: Path) -> None:
    p = tmp_path / "nowhere" / "train-images-idx3-ubyte"
    with pytest.raises(ValueError, match=str(p)):
        data.read_idx(p)


def test_load_mnist_from_idx_folder(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    files = {"train-images-idx3-ubyte": rng.integers(1, 256, (6, 3, 3), dtype=np.uint8),
             "train-labels-idx1-ubyte": np.arange(6, dtype=np.uint8),
             "t10k-images-idx3-ubyte": rng.integers(1, 256, (2, 3, 3), dtype=np.uint8),
             "t10k-labels-idx1-ubyte": np.array([9, 1], dtype=np.uint8)}
    for name, arr in files.items():
        (tmp_path / name).write_bytes(_idx_bytes(arr))
    ds = data.load_dataset({"mnist_path": str(tmp_path)})
    assert (ds.name, ds.n_train, ds.n_test, ds.d0) == ("mnist", 6, 2, 9)
    np.testing.assert_allclose(np.linalg.norm(ds.x_train, axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(ds.y_test, [9, 1])
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte"):
        data.load_mnist(tmp_path)
    with pytest.raises(ValueError, match="not a folder"):
        data.load_mnist(tmp_path / "missing")


def test_digits_split_is_fixed_and_normalised() -> None:
    ds = data.load_digits_split()
    assert (ds.n_train, ds.n_test, ds.d0, ds.n_classes) == (1198, 599, 64, 10)
    np.testing.assert_allclose(np.linalg.norm(ds.x_test, axis=1), 1.0, rtol=1e-14)
    assert np.bincount(ds.y_test, minlength=10).min() >= 50
    assert np.all(ds.x_train >= 0)


# ------------------------------------------------------------------------------------- teacher and grid


def test_teacher_reaches_zero_training_error() -> None:
    b = get_backend("numpy")
    experiment._TEACHER_CACHE.clear()
    ds = experiment.load_data(TINY)
    y_train, y_test, info = experiment.teacher_targets(TINY, ds, 7, b)
    assert info["teacher_fitted"] and info["teacher_train_error"] == 0.0
    np.testing.assert_array_equal(y_train, ds.y_train)  # zero error: the relabelled training set is the true one
    assert 0.85 < info["teacher_test_accuracy"] < 1.0  # it generalises, imperfectly: test labels are its own
    assert np.mean(y_test == ds.y_test) == info["teacher_test_accuracy"]


def test_teacher_that_cannot_fit_is_recorded_not_raised() -> None:
    b = get_backend("numpy")
    ds = experiment.load_data(TINY)
    cfg = model.TeacherConfig(width=4, lr=1.0, batch_size=64, max_epochs=1)
    rng = ArrayRNG(np.random.SeedSequence(0), b)
    t = model.train_teacher(b.asarray(ds.x_train), ds.y_train, 10, b,
                            (rng.standard_normal((4, 64)), rng.standard_normal((10, 4))),
                            np.random.default_rng(0), cfg)
    assert not t.fitted and t.train_error > 0 and "did not fit" in t.reason


@pytest.mark.parametrize("d0,d1", [(784, 1000), (64, 256), (64, 1000), (10, 3)])
def test_omega_grid_keeps_the_he_product(d0: int, d1: int) -> None:
    g = model.omega_grid(d0, d1, 0.002, 0.0782, 10)
    P = math.sqrt(2 / d0) * math.sqrt(2 / d1)
    assert len(g) == 10
    for e in g:
        assert e["omega1"] * e["omega2"] == pytest.approx(P, rel=1e-13)
        assert e["ratio"] == pytest.approx(e["omega2_paper"] ** 2 / model.he_product(784, 1000), rel=1e-12)
    ratios = [e["ratio"] for e in g]
    assert ratios == sorted(ratios) and ratios[0] < model.he_ratio(784, 1000) < ratios[-1]
    if (d0, d1) == (784, 1000):
        np.testing.assert_allclose([e["omega2"] for e in g], np.linspace(0.002, 0.0782, 10), rtol=1e-14)


# --------------------------------------------------------------------------------- experiment records


def test_same_seed_gives_bit_identical_records() -> None:
    b = get_backend("numpy")
    experiment._TEACHER_CACHE.clear()
    first = experiment.strip_wall_times(experiment.run_ratio_point(TINY, 11, b))
    experiment._TEACHER_CACHE.clear()  # the teacher is retrained too
    again = experiment.strip_wall_times(experiment.run_ratio_point(TINY, 11, b))
    assert first == again
    assert len(first) == 2 and all(r["success"] for r in first)
    json.dumps(first, allow_nan=False)  # flat and JSON-ready
    other = experiment.strip_wall_times(experiment.run_ratio_point(TINY, 12, b))
    assert [r["test_accuracy"] for r in other] != [r["test_accuracy"] for r in first]
    # a replica's run does not depend on its batch companions
    alone = experiment.run_ratio_point({**TINY, "seeds": 1}, 11, b)[0]
    for key in ("final_train_loss", "test_accuracy", "curvature"):
        assert alone[key] == pytest.approx(first[0][key], rel=1e-12, abs=1e-15)
    r = first[0]
    assert r["omega1"] * r["omega2"] == pytest.approx(model.he_product(64, 16))
    assert r["ratio"] == pytest.approx(r["omega2"] / r["omega1"])


def test_step_far_past_stable_is_a_recorded_failure() -> None:
    b = get_backend("numpy")
    recs = experiment.run_ratio_point({**TINY, "lr": 1.0e3, "lr_schedule": "constant"}, 11, b)  # η·L0 = 1000
    assert all(not r["success"] for r in recs)
    assert all(r["reason"].startswith("diverged") for r in recs)
    assert all(math.isnan(r["test_accuracy"]) for r in recs)
    v = analysis.verdict_fields(recs, loss_threshold=0.01, n_boot=50)
    assert v["status"] == "inconclusive" and v["runs_failed"] == 2 and v["runs_used"] == 0


def test_fixed_rule_uses_the_given_step() -> None:
    b = get_backend("numpy")
    recs = experiment.run_ratio_point({**TINY, "lr_rule": "fixed", "lr": 0.05, "epochs": 1}, 11, b)
    assert all(r["eta"] == 0.05 and r["curvature"] > 0 for r in recs)


# ------------------------------------------------------------------------------------------- analysis


def _synthetic(acc_slope: float, loss: float = 1e-3, seeds: int = 6, noise: float = 0.002,
               bad_loss_index: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for e in model.omega_grid(64, 256, 0.002, 0.0782, 10):
        for s in range(seeds):
            rows.append({"omega_index": e["index"], "omega2_paper": e["omega2_paper"], "omega1": e["omega1"],
                         "omega2": e["omega2"], "ratio": e["ratio"], "he_ratio": model.he_ratio(64, 256), "d0": 64,
                         "d1": 256, "seed": s, "success": True,
                         "final_train_loss": (0.5 if e["index"] == bad_loss_index else loss) * (1 + 0.1 * rng.random()),
                         "test_accuracy": 0.95 + acc_slope * e["index"] + noise * rng.standard_normal(),
                         "wall_time_s": 1.0, "reason": "completed"})
    return pd.DataFrame(rows)


def test_verdict_pass_fail_inconclusive() -> None:
    assert analysis.verdict_fields(_synthetic(0.003), loss_threshold=0.01, n_boot=300)["status"] == "pass"
    flat = analysis.verdict_fields(_synthetic(0.0), loss_threshold=0.01, n_boot=300)
    assert flat["status"] == "fail" and flat["details"]["spearman"]["ci"][0] < 0 < flat["details"]["spearman"]["ci"][1]
    falling = analysis.verdict_fields(_synthetic(-0.003), loss_threshold=0.01, n_boot=300)
    assert falling["status"] == "fail" and falling["details"]["spearman"]["rho"] < 0
    unfit = analysis.verdict_fields(_synthetic(0.003, bad_loss_index=2), loss_threshold=0.01, n_boot=300)
    assert unfit["status"] == "fail" and unfit["details"]["rises"] and not unfit["details"]["fits"]
    few = _synthetic(0.003)
    few.loc[(few["omega_index"] == 3) & (few["seed"] > 1), "success"] = False
    v = analysis.verdict_fields(few, loss_threshold=0.01, n_boot=300, min_seeds=3)
    assert v["status"] == "inconclusive" and v["runs_failed"] == 4
    assert set(v) == {"predicted", "measured", "tolerance", "status", "details", "runs_used", "runs_failed"}


def test_spearman_matches_scipy_and_bootstrap_brackets_it() -> None:
    df = _synthetic(0.0005, noise=0.004)
    rho = analysis.spearman(df["ratio"].to_numpy(), df["test_accuracy"].to_numpy())
    assert rho == pytest.approx(scipy.stats.spearmanr(df["ratio"], df["test_accuracy"]).statistic, rel=1e-12)
    groups = [(r, g["test_accuracy"].to_numpy()) for r, g in df.groupby("ratio")]
    out = analysis.spearman_bootstrap(groups, n_boot=400)
    assert out["rho"] == pytest.approx(rho)
    assert out["ci"][0] < rho < out["ci"][1]


def test_summary_table_and_figure() -> None:
    df = _synthetic(0.003)
    t = analysis.summary_table(df, n_boot=200, loss_threshold=0.01)
    assert len(t) == 10 and (t["finished"] == 6).all() and t["ratio"].is_monotonic_increasing
    assert (t["test_acc_ci_low"] <= t["test_acc_mean"]).all() and (t["test_acc_mean"] <= t["test_acc_ci_high"]).all()
    fig = figures.init_ratio_figure(t, analysis.runs_table(df))
    assert len(fig.axes) == 2 and all(ax.get_xscale() == "log" for ax in fig.axes)
    assert "ω2/ω1" in fig.axes[0].get_xlabel() or "omega_2" in fig.axes[0].get_xlabel()
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_claim_registry_entry() -> None:
    (claim,) = CLAIMS
    assert claim.claim_id == "init_ratio"
    tables, fields = resolve(claim.analyse)({"records": _synthetic(0.003)},
                                            {"tolerances": {"loss_threshold": 0.01, "n_boot": 200, "min_seeds": 3}})
    assert fields["status"] == "pass" and set(tables) == {"summary", "runs"}
    fig = resolve(claim.figure)(tables, fields, {"physics": {}})
    import matplotlib.pyplot as plt

    plt.close(fig)
