"""Claim C1 from run records to verdict fields and aggregate tables (the ``analyse`` of its declaration)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from overparam.verdict import estimate
from overparam.width import analysis

Tables = dict[str, pd.DataFrame]


def _records(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    if "search_grid" in df and df["search_grid"].dtype == object:
        df["search_grid"] = df["search_grid"].map(lambda s: json.loads(s) if isinstance(s, str) else s)
    return df


def subquadratic_width(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """C1: the pooled slope of log(d0·d1*) against log n, its CI against the bounds 1.5 and 2."""
    t = context["tolerances"]
    recs = _records(records["records"])
    fields = analysis.verdict_fields(recs, min_success=t["min_success"], n_boot=t["n_boot"], slack=t["slack"],
                                     min_points=t["min_points"])
    fits = {"pooled": fields["details"]["pooled_fit"], **fields["details"]["series_fits"]}
    fields["estimates"] = [estimate(f"slope log(d0·d1*) vs log n, {name}", f["slope"], *f["slope_ci"])
                           for name, f in fits.items() if f.get("slope") is not None and f.get("slope_ci")]
    tables = {
        "d1_star": analysis.d1_star_table(recs, t["min_success"]),
        "fits": analysis.fit_table(recs, min_success=t["min_success"], n_boot=t["n_boot"]),
        "tracking": records["tracking"],
    }
    return tables, fields
