"""Three-way decisions on a CI: each outcome for a band and for a bound, on synthetic records of known law, and
a seeds factor that does what it says."""

from __future__ import annotations

import numpy as np
import pytest

from overparam.decide import band_test, bound_test, claim_status, summary, undecided
from overparam.fit import bootstrap_line, bootstrap_mean_ci


def _slope_fit(slope: float, noise: float, seeds: int, seed: int = 0):
    """Per-seed values of a line of known slope at four x, and its bootstrap fit (as a verdict makes it)."""
    rng = np.random.default_rng(seed)
    xs = np.log([1000, 2000, 4000, 8000])
    groups = [(x, slope * x + noise * rng.standard_normal(seeds)) for x in xs]
    return bootstrap_line(groups, n_boot=500)


@pytest.mark.parametrize(("band", "seeds", "outcome"), [
    ((0.9, 1.1), 400, "pass"),          # CI tight around 1, inside the band
    ((1.5, 1.7), 400, "fail"),          # CI far below the band
    ((0.98, 1.3), 20, "inconclusive"),  # a noisy CI straddling the lower edge
])
def test_a_band_on_a_known_slope_gives_each_outcome(band, seeds, outcome):
    fit = _slope_fit(1.0, 0.3 if seeds > 100 else 1.0, seeds)
    assert band_test("slope", fit.slope, fit.slope_ci, band)["outcome"] == outcome


@pytest.mark.parametrize(("side", "value", "seeds", "outcome"), [
    ("upper", 1.5, 400, "pass"), ("upper", 0.5, 400, "fail"), ("upper", 1.02, 20, "inconclusive"),
    ("lower", 0.5, 400, "pass"), ("lower", 1.5, 400, "fail"), ("lower", 0.98, 20, "inconclusive"),
])
def test_a_bound_on_a_known_slope_gives_each_outcome(side, value, seeds, outcome):
    fit = _slope_fit(1.0, 0.3 if seeds > 100 else 1.0, seeds)
    assert bound_test("slope", fit.slope, fit.slope_ci, side, value)["outcome"] == outcome


def test_edges_belong_to_the_band_and_a_nan_ci_is_undecided():
    assert band_test("x", 1.0, (0.9, 1.1), (0.9, 1.1))["outcome"] == "pass"
    assert bound_test("x", 1.0, (0.9, 1.1), "upper", 1.1)["outcome"] == "pass"
    assert band_test("x", 1.0, (float("nan"), 1.1), (0.9, 1.1))["outcome"] == "inconclusive"


def test_the_seeds_factor_shrinks_the_ci_onto_the_edge_and_an_estimate_within_a_standard_error_has_none():
    t = band_test("x", 1.0, (0.8, 1.2), (0.85, 1.5))  # lower half-width 0.2, distance 0.15 → (0.2/0.15)² ≈ 1.78
    assert t["outcome"] == "inconclusive" and t["seeds_factor"] == pytest.approx((0.2 / 0.15) ** 2, abs=0.01)
    # distance 0.1 < one standard error (0.2 / 1.96 ≈ 0.102): the data cannot tell the side, no factor
    t = band_test("x", 1.0, (0.8, 1.2), (0.9, 1.5))
    assert t["outcome"] == "inconclusive" and t["seeds_factor"] is None
    t = bound_test("x", 2.0, (1.0, 3.0), "upper", 2.0)
    assert t["seeds_factor"] is None
    assert "more seeds alone may not decide it" in summary([t])


def test_a_strict_bound_does_not_pass_a_ci_that_ends_on_it_and_says_so_in_the_file():
    assert bound_test("ρ", 0.5, (0.0, 1.0), "lower", 0.0)["outcome"] == "pass"
    strict = bound_test("ρ", 0.5, (0.0, 1.0), "lower", 0.0, strict=True)
    assert strict["outcome"] == "inconclusive" and strict["bound"] == {"side": "lower", "value": 0.0, "strict": True}
    assert bound_test("ρ", -0.5, (-1.0, 0.0), "lower", 0.0, strict=True)["outcome"] == "fail"
    assert bound_test("slope", 1.5, (1.0, 2.0), "upper", 2.0, strict=True)["outcome"] == "inconclusive"
    assert bound_test("slope", 2.5, (2.0, 3.0), "upper", 2.0, strict=True)["outcome"] == "fail"
    assert "strict" not in bound_test("slope", 1.5, (1.0, 2.0), "upper", 2.0)["bound"]


def test_a_failed_claim_names_no_seeds_factor_in_its_summary():
    p, f, i = ({"outcome": o, "seeds_factor": 2.1} for o in ("pass", "fail", "inconclusive"))
    assert summary([p, f, i]) == "1 pass, 1 fail, 1 inconclusive"


def test_the_seeds_factor_applied_by_simulation_brings_the_half_width_to_the_distance():
    """Half-width ∝ 1/√seeds: at factor × the seeds, a fresh experiment's CI half-width is the distance to the edge,
    and at twice that most fresh experiments with the same true mean are decided."""
    rng = np.random.default_rng(3)
    n, mu, sigma, edge = 20, 1.0, 1.0, 1.25  # claim: mean ≤ 1.25 (upper bound)
    values = mu + sigma * rng.standard_normal(n)
    est, lo, hi = bootstrap_mean_ci(values, n_boot=500)
    test = bound_test("mean", est, (lo, hi), "upper", edge)
    assert test["outcome"] == "inconclusive"
    factor = test["seeds_factor"]
    n_new = int(np.ceil(factor * n))
    halves = []
    for k in range(40):
        v = est + sigma * np.random.default_rng(100 + k).standard_normal(n_new)
        e, a, b = bootstrap_mean_ci(v, n_boot=300)
        halves.append(b - e)
    assert np.median(halves) == pytest.approx(edge - est, rel=0.25)
    decided = 0
    for k in range(40):
        v = est + sigma * np.random.default_rng(500 + k).standard_normal(2 * n_new)
        e, a, b = bootstrap_mean_ci(v, n_boot=300)
        decided += bound_test("mean", e, (a, b), "upper", edge)["outcome"] != "inconclusive"
    assert decided >= 30


def test_a_claim_fails_on_any_failed_test_and_passes_only_when_all_pass():
    p, f, i = ({"outcome": o, "seeds_factor": 2.1} for o in ("pass", "fail", "inconclusive"))
    assert claim_status([p, p]) == "pass" and claim_status([p, f, i]) == "fail"
    assert claim_status([p, i]) == "inconclusive"
    assert claim_status([]) == "inconclusive" and claim_status([undecided("slope", "too few runs")]) == "inconclusive"
    assert summary([p, p, p]) == "3/3 pass"
    assert summary([p, p, i]) == "2 pass, 1 inconclusive: needs 2.1× seeds"
