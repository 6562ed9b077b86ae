"""Paper B's claims from run records to verdict fields and aggregate tables (the ``analyse`` of each declaration).

The glue between the declarations (:mod:`overparam.mediocrity.claims`) and the statistics
(:mod:`overparam.mediocrity.analysis`); the figures read the tables these functions write.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from overparam.mediocrity import analysis

Tables = dict[str, pd.DataFrame]


def escape_dlogd(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """B1: the slope of t_exit against ln d per γ', against 1/(2a)."""
    recs = records["records"]
    summary, fields = analysis.escape_dlogd_verdict(recs, delta=context["physics"]["delta"],
                                                    tolerance=context["tolerances"]["slope_tolerance"])
    return {"summary": summary, "records": recs}, fields


def width_constant_factor(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """B2: κ_p per protocol and p, its saturation in p, and the exit times against theory."""
    t = context["tolerances"]
    kappa, fields = analysis.width_constant_factor_verdict(
        records["records"], delta=context["physics"]["delta"], kappa_tolerance=t["kappa_tolerance"],
        saturation=t["saturation"], max_ratio=t["max_ratio"], t_tolerance=t["t_tolerance"])
    return {"kappa": kappa, "summary": analysis.escape_summary(records["records"])}, fields


def ode_matches_sgd(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """B3: the SGD/ODE ratio of mean exit times at every (p, d), and the chain-vs-direct validation."""
    t = context["tolerances"]
    ratios, fields = analysis.ode_matches_sgd_verdict(records["records"], records["validation"],
                                                      low=t["ratio_low"], high=t["ratio_high"])
    return {"ratios": ratios, "trace": records["trace"], "validation": records["validation"]}, fields
