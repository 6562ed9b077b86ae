"""Paper A's claims from run records to verdict fields and aggregate tables (the ``analyse`` of each declaration).

The glue between a claim's declaration (:mod:`overparam.tensor.claims`) and the statistics
(:mod:`overparam.tensor.analysis`); the figures read the tables these functions write.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from overparam.tensor import analysis
from overparam.verdict import estimate

Tables = dict[str, pd.DataFrame]


def lazy_lower_bound(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """A1: the slope of log m*_lazy against log(D/d) per (l, r, ε), its CI against the band."""
    t = context["tolerances"]
    recs = records["records"]
    fields = analysis.lazy_verdict_fields(recs, records["gd_check"], eps_pass=t["eps_pass"],
                                          eps_report=t["eps_report"], ls=t["ls"], band=tuple(t["band"]),
                                          gd_gap_tol=t["gd_gap_tol"], n_boot=t["n_boot"])
    fits = pd.DataFrame(fields["details"]["fits"])
    fields["estimates"] = [
        estimate(f"slope log m*_lazy vs log(D/d), l={f.l} r={f.r} eps={f.eps}", f.slope, *f.slope_ci)
        for f in fits.itertuples() if f.slope is not None and f.slope == f.slope
    ]
    fields.setdefault("runs_used", int(recs[["l", "d", "r", "seed"]].drop_duplicates().shape[0]))
    fields.setdefault("runs_failed", int(recs["rho"].isna().sum()))
    # a seed's factorisation time is repeated on each of its (r, m) rows: count it once
    fields["run_wall_s"] = float(recs.drop_duplicates(["l", "d", "seed"])["wall_time_s"].sum()) + float(
        records["gd_check"]["wall_time_s"].sum())
    tables = {"curves": analysis.lazy_curve_table(recs), "mstar": analysis.lazy_mstar_table(recs)}
    return tables, fields


def rich_upper_bound(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """A2: the slope of m*_rich in d (CI upper end) and m*_rich against m*_lazy at the largest d."""
    t = context["tolerances"]
    recs, lazy = records["records"], records["lazy"]
    fields = analysis.rich_verdict_fields(recs, lazy, rate=t["rate"], r_main=t["r_main"], slope_max=t["slope_max"],
                                          lazy_ratio=t["lazy_ratio"], eps_lazy=t["eps_lazy"], n_boot=t["n_boot"])
    fields["estimates"] = [
        estimate(f"slope log m*_rich vs log d, l={l}", info["slope"], *info["slope_ci"])
        for l, info in fields["details"]["per_l"].items() if info.get("slope") is not None
    ]
    fields.setdefault("runs_used", len(recs))
    fields["run_wall_s"] = float(recs["wall_time_s"].sum())  # the lazy records are borrowed, not run here
    fields.setdefault("runs_failed", int(recs["reason"].fillna("").str.contains("non-finite|diverg").sum()))
    tables = {"success": analysis.rich_success_table(recs), "rich_mstar": analysis.rich_mstar_table(recs, t["rate"]),
              "lazy_mstar": analysis.lazy_mstar_table(lazy)}
    return tables, fields

