"""Claim C2 from run records to verdict fields and aggregate tables (the ``analyse`` of its declaration)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from overparam.initratio import analysis
from overparam.verdict import estimate

Tables = dict[str, pd.DataFrame]


def init_ratio(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """C2: training accuracy ≈ 1 at every ω2, and test accuracy rising with ω2/ω1 (three-way on CIs)."""
    t = context["tolerances"]
    recs = records["records"]
    n_boot = int(t["n_boot"])
    fields = analysis.verdict_fields(recs, train_accuracy_bound=float(t["train_accuracy_bound"]),
                                     rho_bound=float(t["rho_bound"]), n_boot=n_boot, min_seeds=int(t["min_seeds"]))
    fields["estimates"] = [estimate(test["name"], test["estimate"], *test["ci"])
                           for test in fields["tests"] if test["estimate"] is not None and test["ci"]]
    tables = {"summary": analysis.summary_table(recs, n_boot=n_boot), "runs": analysis.runs_table(recs)}
    return tables, fields
