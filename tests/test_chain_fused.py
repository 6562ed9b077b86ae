"""The compiled CPU kernel of the exact chain (chain_fused) against the array-API kernel (the reference)."""

from __future__ import annotations

import numpy as np
import pytest

from overparam.mediocrity.chain import run_chain

DELTA = 1e-4


def _seeds(tag: int, n: int) -> list[np.random.SeedSequence]:
    return [np.random.SeedSequence([21, tag, i]) for i in range(n)]


@pytest.mark.parametrize("p", [1, 2, 8])
def test_fused_kernel_gives_the_array_kernels_exit_steps(numpy_backend, p):
    """Same seeds, same draws (chain.draw_block): exit steps identical for ≥ 99% of replicas, the rest within a
    few steps (the two kernels sum in other orders, so a check whose R lies within rounding of the threshold
    can fall either side), escaped flags and initial overlaps identical. d = 1000, 200 seeds, t_max near the
    mean exit time, so that some replicas run out of time (the max_steps rule is compared too)."""
    n, d = 200, 1000
    t_max = {1: 1.0, 2: 0.45, 8: 0.3}[p]
    kw = dict(p=p, d=np.full(n, d), gamma_p=np.full(n, 0.1), delta=DELTA, t_max=np.full(n, t_max))
    ref = run_chain(_seeds(p, n), numpy_backend, engine="array", **kw)
    got = run_chain(_seeds(p, n), numpy_backend, engine="fused", **kw)
    assert 0.1 < ref.escaped.mean() < 0.99
    np.testing.assert_array_equal(got.escaped, ref.escaped)
    np.testing.assert_array_equal(got.m0, ref.m0)
    np.testing.assert_array_equal(got.r0, ref.r0)
    same = np.mean(got.n_exit == ref.n_exit)
    assert same >= 0.99, f"p = {p}: only {same:.1%} identical exit steps"
    # a replica checks every 2^j ≤ dt_check·d/γ' steps: "a few steps" = a few of its checks
    assert np.all(np.abs(got.n_exit - ref.n_exit) <= 4 * 8), np.abs(got.n_exit - ref.n_exit).max()


def test_fused_kernel_is_independent_of_block_and_batch(numpy_backend):
    """A replica's exit step is the same for any block size, and alone or beside others with other d and γ'."""
    seeds = _seeds(30, 6)
    d = np.array([300, 300, 900, 300, 600, 300])
    g = np.array([0.1, 0.05, 0.1, 0.1, 0.08, 0.1])
    kw = dict(p=3, delta=DELTA, t_max=np.full(6, 20.0), engine="fused")
    ref = run_chain(seeds, numpy_backend, d=d, gamma_p=g, **kw)
    assert ref.escaped.all()
    for block in (1, 7, 1000):
        np.testing.assert_array_equal(run_chain(seeds, numpy_backend, d=d, gamma_p=g, block=block, **kw).n_exit,
                                      ref.n_exit)
    for i in (0, 2, 4):
        alone = run_chain([seeds[i]], numpy_backend, d=d[i:i + 1], gamma_p=g[i:i + 1],
                          **{**kw, "t_max": np.full(1, 20.0)})
        assert alone.n_exit[0] == ref.n_exit[i]


def test_array_kernel_is_independent_of_block_size(numpy_backend):
    seeds = _seeds(31, 4)
    kw = dict(p=2, d=np.full(4, 300), gamma_p=np.full(4, 0.1), delta=DELTA, t_max=np.full(4, 20.0), engine="array")
    ref = run_chain(seeds, numpy_backend, **kw)
    np.testing.assert_array_equal(run_chain(seeds, numpy_backend, block=37, **kw).n_exit, ref.n_exit)


def test_engine_selection(numpy_backend):
    from overparam.backend import get_backend

    kw = dict(p=1, d=np.full(2, 200), gamma_p=np.full(2, 0.1), delta=DELTA, t_max=np.full(2, 20.0))
    with pytest.raises(ValueError, match="engine"):
        run_chain(_seeds(32, 2), numpy_backend, engine="gpu", **kw)
    with pytest.raises(ValueError, match="fused kernel"):
        run_chain(_seeds(32, 2), get_backend("array_api_strict"), engine="fused", **kw)
    with pytest.raises(ValueError, match="fused kernel"):
        run_chain(_seeds(32, 2), numpy_backend, engine="fused", trace=True, **kw)
    traced = run_chain(_seeds(32, 2), numpy_backend, trace=True, **kw)  # auto: the array kernel traces
    assert traced.trace_r is not None


def test_config_chain_engine_reaches_run_chain(monkeypatch):
    """mediocrity.chain_engine goes from the config through the job builders and entry points to run_chain."""
    from overparam.backend import get_backend
    from overparam.mediocrity import experiment, jobs

    seen = []
    original = experiment.run_chain
    monkeypatch.setattr(experiment, "run_chain", lambda *a, **kw: seen.append(kw["engine"]) or original(*a, **kw))
    config = {"base_seed": 5, "scale": "ci", "mediocrity": {"delta": 1e-4, "dt_check": 1e-2, "t_max_factor": 10.0,
                                                            "chain_engine": "array"},
              "scales": {"ci": {"escape_dlogd": {"p": 1, "d": [200, 300], "gamma_p": [0.1], "seeds": 2}}}}
    job = jobs.escape_dlogd_job(config, {"i": "0"})
    assert job["chain_engine"] == "array"
    jobs.ENTRY_POINTS[job["kind"]]({**job, "d": [200]}, get_backend("numpy"))
    assert seen == ["array"]
