"""Three-way decisions on a confidence interval, as equivalence and non-inferiority tests are run.

A **band** test (a prediction with a tolerance, [lo, hi]) passes when the whole 95% CI lies inside the band,
fails when the CI lies entirely outside it, and is inconclusive when the CI straddles an edge. A **bound** test
(one-sided: ``upper`` means the claim is estimate ≤ value, ``lower`` estimate ≥ value) passes when the whole
CI is on the claim's side, fails when it is entirely on the wrong side, and is inconclusive otherwise. A claim
fails if any sub-test fails, passes if all pass, and is inconclusive otherwise.

An inconclusive test says what would decide it. Its CI half-width shrinks like 1/√seeds, so with the estimate
held where it is, the CI clears the nearest edge once the half-width on that side falls below the estimate's
distance to the edge: a factor (half-width / distance)² of the seeds. That factor is a break-even, not a
promise: at that many seeds the estimate itself moves by about one new standard error, so about half of repeat
experiments decide. Where the estimate sits within one standard error of the edge (half-width / 1.96), the
data cannot say on which side of the edge the truth lies, so the test names no factor (it would exceed
1.96² ≈ 3.8) and says that more seeds alone may not decide it (``seeds_factor`` null).

A bound may be strict (``slope < 2``, ``ρ > 0``): then a CI end equal to the bound does not pass, and the
test's ``bound`` says ``"strict": true``.
"""

from __future__ import annotations

import math
from typing import Any

OUTCOMES = ("pass", "fail", "inconclusive")
# an estimate closer to an edge than this fraction of its 95% half-width (one standard error) is "at the edge"
EDGE_FRACTION = 1 / 1.96


def _factor(estimate: float, lo: float, hi: float, edge: float) -> float | None:
    """Seeds factor that shrinks the CI side facing ``edge`` to the estimate's distance from it."""
    half = (hi - estimate) if edge >= estimate else (estimate - lo)
    distance = abs(edge - estimate)
    if not (math.isfinite(half) and half > 0) or distance <= EDGE_FRACTION * half:
        return None
    return max(1.0, (half / distance) ** 2)


def _test(name: str, estimate: float, ci: tuple[float, float], outcome: str, factor: float | None,
          band: list[float] | None, bound: dict[str, Any] | None) -> dict[str, Any]:
    return {"name": name, "estimate": float(estimate), "ci": [float(ci[0]), float(ci[1])], "band": band,
            "bound": bound, "outcome": outcome, "seeds_factor": None if factor is None else round(factor, 2)}


def band_test(name: str, estimate: float, ci: tuple[float, float], band: tuple[float, float]) -> dict[str, Any]:
    """pass: CI ⊂ band; fail: CI ∩ band = ∅; else inconclusive with the seeds factor of the crossed edge."""
    lo, hi = float(ci[0]), float(ci[1])
    b_lo, b_hi = sorted((float(band[0]), float(band[1])))
    if not all(map(math.isfinite, (estimate, lo, hi))):
        return _test(name, estimate, (lo, hi), "inconclusive", None, [b_lo, b_hi], None)
    if b_lo <= lo and hi <= b_hi:
        outcome, factor = "pass", None
    elif hi < b_lo or lo > b_hi:
        outcome, factor = "fail", None
    else:
        outcome = "inconclusive"
        inside = b_lo <= estimate <= b_hi
        if inside:  # shrink until the CI fits: the nearer crossed edge decides
            edges = [e for e, crossed in ((b_lo, lo < b_lo), (b_hi, hi > b_hi)) if crossed]
            factors = [_factor(estimate, lo, hi, e) for e in edges]
            factor = None if None in factors else max(factors)
        else:  # shrink until the CI leaves the band
            factor = _factor(estimate, lo, hi, b_lo if estimate < b_lo else b_hi)
    return _test(name, estimate, (lo, hi), outcome, factor, [b_lo, b_hi], None)


def bound_test(name: str, estimate: float, ci: tuple[float, float], side: str, value: float,
               strict: bool = False) -> dict[str, Any]:
    """``side="upper"``: the claim is estimate ≤ value (pass: hi ≤ value; fail: lo > value); ``"lower"``: the
    claim is estimate ≥ value (pass: lo ≥ value; fail: hi < value); else inconclusive with its seeds factor.
    ``strict``: the claim is estimate < value (or > value), so a CI end on the bound is not on the claim's side
    (pass: hi < value; fail: lo ≥ value; mirrored for "lower")."""
    if side not in ("upper", "lower"):
        raise ValueError(f"bound side: {side!r} is not one of upper, lower")
    lo, hi, value = float(ci[0]), float(ci[1]), float(value)
    bound: dict[str, Any] = {"side": side, "value": value} | ({"strict": True} if strict else {})
    if not all(map(math.isfinite, (estimate, lo, hi))):
        return _test(name, estimate, (lo, hi), "inconclusive", None, None, bound)
    if side == "upper":
        passes, fails = (hi < value, lo >= value) if strict else (hi <= value, lo > value)
    else:
        passes, fails = (lo > value, hi <= value) if strict else (lo >= value, hi < value)
    outcome = "pass" if passes else "fail" if fails else "inconclusive"
    factor = _factor(estimate, lo, hi, value) if outcome == "inconclusive" else None
    return _test(name, estimate, (lo, hi), outcome, factor, None, bound)


def undecided(name: str, reason: str) -> dict[str, Any]:
    """A sub-test that could not be computed (too few runs to fit): inconclusive, with the reason as its name."""
    return {"name": f"{name} ({reason})", "estimate": None, "ci": None, "band": None, "bound": None,
            "outcome": "inconclusive", "seeds_factor": None}


def describe_test(t: dict[str, Any]) -> str:
    """One line: name, estimate [CI] vs band or bound → outcome, and what would decide an undecided test."""
    if t.get("ci") is None:
        return f"{t['name']}: {t['outcome']}"
    if t.get("band"):
        rule = f"band [{t['band'][0]:.4g}, {t['band'][1]:.4g}]"
    else:
        strict = t["bound"].get("strict", False)
        sign = ("<" if strict else "≤") if t["bound"]["side"] == "upper" else (">" if strict else "≥")
        rule = f"bound {sign} {t['bound']['value']:.4g}"
    need = ""
    if t["outcome"] == "inconclusive":
        factor = t.get("seeds_factor")
        need = f", needs {factor:.1f}× seeds" if factor else ", more seeds alone may not decide it"
    return (f"{t['name']}: {t['estimate']:.4g} [{t['ci'][0]:.4g}, {t['ci'][1]:.4g}] vs {rule} → "
            f"{t['outcome']}{need}")


def claim_status(tests: list[dict[str, Any]]) -> str:
    """fail if any sub-test fails, pass if all pass (and there is at least one), else inconclusive."""
    outcomes = [t["outcome"] for t in tests]
    if "fail" in outcomes:
        return "fail"
    return "pass" if outcomes and all(o == "pass" for o in outcomes) else "inconclusive"


def summary(tests: list[dict[str, Any]]) -> str:
    """"3/3 pass", or "2 pass, 1 inconclusive: needs 2.1× seeds" (the largest factor among the inconclusive).

    A claim with a failed sub-test fails whatever its inconclusive ones would show, so its summary names no seeds
    factor (each test's own factor stays in the verdict and the ledger's list of undecided tests)."""
    counts = {o: sum(t["outcome"] == o for t in tests) for o in OUTCOMES}
    if counts["pass"] == len(tests):
        return f"{len(tests)}/{len(tests)} pass"
    parts = [f"{counts[o]} {o}" for o in OUTCOMES if counts[o]]
    text = ", ".join(parts)
    open_tests = [t for t in tests if t["outcome"] == "inconclusive"]
    if open_tests and not counts["fail"]:
        factors = [t["seeds_factor"] for t in open_tests]
        if any(f is None for f in factors):
            text += ": more seeds alone may not decide it"
        else:
            text += f": needs {max(factors):.1f}× seeds"
    return text
