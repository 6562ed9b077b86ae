"""Seeds, fits, verdicts, records and backends: the pieces every claim relies on."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.backend import BackendError, cuda_available, get_backend
from overparam.fit import bootstrap_line, bootstrap_mean_ci, least_squares_line, smallest_passing
from overparam.ledger import ledger_markdown
from overparam.records import read_records, write_records
from overparam.seeds import seed_sequence
from overparam.verdict import Verdict, read_verdict


def _draw(ss: np.random.SeedSequence) -> float:
    return float(np.random.default_rng(ss).standard_normal())


@settings(max_examples=25, deadline=None)
@given(st.permutations([(1000, 0), (1000, 1), (2000, 0), (2000, 1), (4000, 3)]))
def test_seeds_do_not_depend_on_order(order):
    """The stream of (claim, point, replica) is the same whatever was derived before it."""
    ref = {k: _draw(seed_sequence(7, "escape_dlogd", {"d": k[0]}, k[1])) for k in sorted(order)}
    got = {k: _draw(seed_sequence(7, "escape_dlogd", {"d": k[0]}, k[1])) for k in order}
    assert got == ref
    assert len(set(ref.values())) == len(ref)


def test_seeds_differ_by_claim_paper_and_base():
    base = _draw(seed_sequence(1, "escape_dlogd", {"d": 1}, 0))
    assert base != _draw(seed_sequence(1, "width_constant_factor", {"d": 1}, 0))
    assert base != _draw(seed_sequence(1, "subquadratic_width", {"d": 1}, 0))
    assert base != _draw(seed_sequence(2, "escape_dlogd", {"d": 1}, 0))


def test_a_seed_stream_of_an_undeclared_claim_is_an_error_naming_the_claims():
    with pytest.raises(KeyError, match="escape_dlogd"):
        seed_sequence(1, "no_such_claim", {"d": 1}, 0)


def test_negative_seed_is_a_clear_error():
    with pytest.raises(ValueError, match="seed"):
        seed_sequence(-1, "escape_dlogd", {}, 0)


@settings(max_examples=30, deadline=None)
@given(st.floats(-3, 3), st.floats(-5, 5), st.lists(st.floats(0.1, 10), min_size=3, max_size=8, unique=True))
def test_line_fit_recovers_exact_power_laws(slope, intercept, xs):
    x = np.log(np.array(xs))
    s, c = least_squares_line(x, intercept + slope * x)
    assert s == pytest.approx(slope, abs=1e-8) and c == pytest.approx(intercept, abs=1e-7)


def test_bootstrap_ci_covers_the_true_slope_and_shrinks_with_more_seeds():
    rng = np.random.default_rng(0)
    xs = np.log([1000, 2000, 4000, 8000])
    widths = []
    for n in (50, 800):
        fit = bootstrap_line([(x, 0.3 * x + rng.normal(0, 0.5, n)) for x in xs], n_boot=500)
        assert fit.slope_ci[0] < 0.3 < fit.slope_ci[1]
        widths.append(fit.slope_ci[1] - fit.slope_ci[0])
    assert widths[1] < widths[0] / 2.5
    mean, lo, hi = bootstrap_mean_ci(np.arange(10.0))
    assert lo < mean == 4.5 < hi


def test_smallest_passing_is_the_start_of_the_passing_tail():
    assert smallest_passing([8, 16, 32, 64], [False, True, False, True]) == 64
    assert smallest_passing([8, 16, 32, 64], [False, True, True, True]) == 16
    assert smallest_passing([8, 16], [True, False]) is None


def _verdict(status: str = "pass") -> Verdict:
    return Verdict("c1", "paper", "statement | with bar", "1", "1.0 [0.9, 1.1]", "±10%", status, "ci", "numpy", "0")


def test_verdict_round_trips_and_rejects_unknown_status(tmp_path):
    v = _verdict()
    v.write(tmp_path / "v.json")
    assert read_verdict(tmp_path / "v.json") == v
    with pytest.raises(ValueError, match="pass, fail, inconclusive"):
        _verdict("maybe")


def test_corrupted_verdict_and_record_files_are_named_in_the_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="bad.json"):
        read_verdict(bad)
    (tmp_path / "bad.csv").write_bytes(b"")
    with pytest.raises(ValueError, match="bad.csv"):
        read_records(tmp_path / "bad.csv")
    write_records([{"a": 1.0}], tmp_path / "ok.csv", backend="numpy", device="cpu")
    with pytest.raises(ValueError, match="ok.csv lacks column"):
        read_records(tmp_path / "ok.csv", required=("escaped",))


def test_records_round_trip_floats_exactly(tmp_path):
    vals = [0.1 + 0.2, 1 / 3, 2.0**-40, float("nan")]
    write_records([{"x": v, "escaped": True} for v in vals], tmp_path / "r.csv", backend="numpy", device="cpu")
    back = read_records(tmp_path / "r.csv")
    np.testing.assert_array_equal(back["x"].to_numpy(), np.array(vals))
    assert back["escaped"].dtype == bool


def test_ledger_has_one_row_per_claim_and_escapes_pipes():
    text = ledger_markdown([_verdict(), _verdict("fail")])
    lines = text.strip().splitlines()
    assert len(lines) == 4 and "**fail**" in lines[-1] and "statement \\| with bar" in lines[2]
    json.loads(_verdict().to_json())


def test_backend_choice_and_clear_errors(monkeypatch):
    monkeypatch.delenv("OVERPARAM_BACKEND", raising=False)
    assert get_backend("auto").name == ("cupy" if cuda_available() else "numpy")
    monkeypatch.setenv("OVERPARAM_BACKEND", "array_api_strict")
    assert get_backend().name == "array_api_strict"
    with pytest.raises(BackendError, match="auto, numpy, cupy"):
        get_backend("tpu")
    if not cuda_available():
        with pytest.raises(BackendError, match="no CUDA device"):
            get_backend("cupy")
