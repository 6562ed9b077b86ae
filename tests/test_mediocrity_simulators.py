"""The three simulators of Paper B checked against each other and against the theory."""

from __future__ import annotations

import numpy as np
import pytest

from overparam.mediocrity import theory
from overparam.mediocrity.chain import run_chain
from overparam.mediocrity.sgd import run_direct_sgd

DELTA = 1e-4


def _seeds(tag: int, n: int) -> list[np.random.SeedSequence]:
    return [np.random.SeedSequence([tag, i]) for i in range(n)]


@pytest.mark.parametrize("p", [1, 2])
def test_chain_matches_direct_sgd_in_distribution(numpy_backend, p):
    """Exit-time means of the exact chain (960 seeds: it is cheap) and of direct SGD (240 seeds), d = 400,
    within 2 standard errors."""
    d, g, n, n_chain = 400, 0.1, 240, 960
    chain = run_chain(_seeds(1, n_chain), numpy_backend, p=p, d=np.full(n_chain, d), gamma_p=np.full(n_chain, g),
                      delta=DELTA, t_max=np.full(n_chain, 20.0))
    direct = run_direct_sgd(_seeds(2, n), numpy_backend, p=p, d=d, gamma_p=g, delta=DELTA, t_max=20.0)
    assert chain.escaped.all() and direct.escaped.all()
    diff = chain.t_exit.mean() - direct.t_exit.mean()
    se = np.hypot(chain.t_exit.std(ddof=1) / np.sqrt(n_chain), direct.t_exit.std(ddof=1) / np.sqrt(n))
    assert abs(diff) < 2 * se, f"chain {chain.t_exit.mean():.3f} vs direct {direct.t_exit.mean():.3f} (se {se:.3f})"
    # the initial overlaps have the same law too: E[d M0^2] = 1 for uniform directions
    assert abs(np.mean(d * chain.m0**2) - 1.0) < 0.25 and abs(np.mean(d * direct.m0**2) - 1.0) < 0.25


def test_chain_replica_is_independent_of_its_batch(numpy_backend):
    """A replica's exit step is the same alone and beside others with different d and γ'."""
    seeds = _seeds(3, 6)
    d = np.array([300, 300, 900, 300, 600, 300])
    g = np.array([0.1, 0.05, 0.1, 0.1, 0.08, 0.1])
    batch = run_chain(seeds, numpy_backend, p=2, d=d, gamma_p=g, delta=DELTA, t_max=np.full(6, 20.0))
    for i in (0, 2, 4):
        alone = run_chain([seeds[i]], numpy_backend, p=2, d=d[i:i + 1], gamma_p=g[i:i + 1], delta=DELTA,
                          t_max=np.full(1, 20.0))
        assert alone.n_exit[0] == batch.n_exit[i]


def test_chain_is_bit_identical_for_a_fixed_seed(numpy_backend):
    kwargs = dict(p=3, d=np.full(8, 500), gamma_p=np.full(8, 0.07), delta=DELTA, t_max=np.full(8, 20.0))
    a = run_chain(_seeds(4, 8), numpy_backend, **kwargs)
    b = run_chain(_seeds(4, 8), numpy_backend, **kwargs)
    np.testing.assert_array_equal(a.n_exit, b.n_exit)
    np.testing.assert_array_equal(a.m0, b.m0)


def test_chain_runs_the_same_under_the_strict_namespace(backend):
    """One code path: the chain under every backend gives the NumPy result (its streams stay on the host)."""
    from overparam.backend import get_backend

    kwargs = dict(p=2, d=np.full(4, 200), gamma_p=np.full(4, 0.1), delta=DELTA, t_max=np.full(4, 20.0))
    ref = run_chain(_seeds(5, 4), get_backend("numpy"), engine="array", **kwargs)
    got = run_chain(_seeds(5, 4), backend, **kwargs)
    if backend.name == "cupy":  # the same draws; GPU rounding can move a threshold crossing by a check
        assert np.all(np.abs(got.n_exit - ref.n_exit) <= 8)
    else:
        np.testing.assert_array_equal(got.n_exit, ref.n_exit)


def test_direct_sgd_replica_is_independent_of_block_size_and_batch(numpy_backend):
    """A replica's exit step is the same for any block of draws and alone or beside others (the block size
    follows the batch and the device, so this is what makes a GPU run with host streams the CPU's run)."""
    seeds = _seeds(8, 4)
    kw = dict(p=2, d=150, gamma_p=0.1, delta=DELTA, t_max=10.0)
    ref = run_direct_sgd(seeds, numpy_backend, block=64, **kw)
    assert ref.escaped.all()
    for block in (1, 7):
        np.testing.assert_array_equal(run_direct_sgd(seeds, numpy_backend, block=block, **kw).n_exit, ref.n_exit)
    alone = run_direct_sgd(seeds[2:3], numpy_backend, **kw)
    assert alone.n_exit[0] == ref.n_exit[2]


def test_direct_sgd_runs_under_every_backend(backend):
    res = run_direct_sgd(_seeds(6, 3), backend, p=2, d=64, gamma_p=0.1, delta=DELTA, t_max=10.0)
    assert res.escaped.all()


def test_rate_above_two_over_cp_does_not_escape(numpy_backend):
    """γ' > 2/C_p makes a < 0: the overlaps shrink back to the noise floor and R never drops by 1%.

    (d must be large enough that the SGD noise floor of M², about 24γ/(|a| d), stays well under the 1% drop.)
    """
    p, d, n = 1, 5000, 16
    g = 1.5 * theory.gamma_max(p, DELTA)
    res = run_chain(_seeds(7, n), numpy_backend, p=p, d=np.full(n, d), gamma_p=np.full(n, g), delta=DELTA,
                    t_max=np.full(n, 2.0))
    assert not res.escaped.any()
    ok = run_chain(_seeds(7, n), numpy_backend, p=p, d=np.full(n, d), gamma_p=np.full(n, 0.3 * g), delta=DELTA,
                   t_max=np.full(n, 20.0))
    assert ok.escaped.all()


def test_chain_frame_compression_survives_collapsed_students(backend):
    """Two identical students make the Gram matrix singular: the frame is re-expressed all the same."""
    from overparam.mediocrity.chain import _compress, _join_frame, _split_frame

    coords = np.zeros((2, 3, 9))
    coords[:, 0, 0] = coords[:, 1, 0] = 1.0  # students 0 and 1 equal
    coords[:, 2, :2] = [0.6, 0.8]  # the teacher
    coords[:, :, 3] = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    stu, tea = _split_frame(backend.asarray(coords), 2, 9, backend)
    out = backend.to_numpy(_join_frame(*_compress(stu, tea, 2, 9, backend), backend))
    gram_in = coords @ np.swapaxes(coords, 1, 2)
    np.testing.assert_allclose(out @ np.swapaxes(out, 1, 2), gram_in, atol=1e-12)


@pytest.mark.parametrize("kernel", ["chain", "direct"])
def test_kernels_copy_to_the_host_once_per_block_not_per_step(kernel, monkeypatch):
    """GPU residency: inside the step loop nothing goes to the host; the exit vector is copied once per block."""
    from overparam.backend import Backend, get_backend

    calls = []
    original = Backend.to_numpy
    monkeypatch.setattr(Backend, "to_numpy", lambda self, a: calls.append(1) or original(self, a))
    be = get_backend("array_api_strict")
    if kernel == "chain":
        res = run_chain(_seeds(8, 4), be, p=2, d=np.full(4, 300), gamma_p=np.full(4, 0.1), delta=DELTA,
                        t_max=np.full(4, 20.0), block=64)
        blocks = int(np.ceil(res.n_exit.max() / 64)) + 1
    else:
        res = run_direct_sgd(_seeds(8, 4), be, p=2, d=100, gamma_p=0.1, delta=DELTA, t_max=20.0, block=64)
        blocks = int(np.ceil(res.n_exit.max() / 64)) + 1
    steps = int(res.n_exit.max())
    assert res.escaped.all() and steps > 10 * blocks // 2
    assert len(calls) <= blocks + 8, f"{len(calls)} host copies for {steps} steps in {blocks} blocks"


def test_escape_series_runs_either_simulator_and_names_it(numpy_backend):
    """The paper scale switches B1/B2 to direct SGD (the GPU workload); records say which simulator ran."""
    from overparam.mediocrity.experiment import escape_series

    common = dict(claim="escape_dlogd", base_seed=1, p=1, d=[200], gammas=[0.1], seeds=12, delta=DELTA,
                  t_max_factor=10.0, dt_check=1e-3)
    direct = escape_series(numpy_backend, simulator="direct", **common)
    chain = escape_series(numpy_backend, **common)
    assert {r["simulator"] for r in direct} == {"direct"} and {r["simulator"] for r in chain} == {"chain"}
    assert len(direct) == len(chain) == 12
    assert sum(r["escaped"] for r in direct) >= 10 and sum(r["escaped"] for r in chain) >= 10
    assert all(r["reason"].startswith("no escape") for r in direct + chain if not r["escaped"])
    with pytest.raises(ValueError, match="chain, direct"):
        escape_series(numpy_backend, simulator="exact", **common)
