"""Claim C2 from run records to verdict fields and aggregate tables (the ``analyse`` of its declaration)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from overparam.initratio import analysis
from overparam.verdict import estimate

Tables = dict[str, pd.DataFrame]


def init_ratio(records: Tables, context: dict[str, Any]) -> tuple[Tables, dict[str, Any]]:
    """C2: training fits at every ω2, and the rank correlation of test accuracy with ω2/ω1."""
    t = context["tolerances"]
    recs = records["records"]
    fields = analysis.verdict_fields(recs, loss_threshold=float(t["loss_threshold"]), n_boot=int(t["n_boot"]),
                                     min_seeds=int(t["min_seeds"]))
    sp = fields["details"].get("spearman") or {}
    if sp.get("rho") is not None and sp.get("ci"):
        fields["estimates"] = [estimate("Spearman rho of test accuracy with omega2/omega1", sp["rho"], *sp["ci"])]
    tables = {
        "summary": analysis.summary_table(recs, n_boot=int(t["n_boot"]), loss_threshold=float(t["loss_threshold"])),
        "runs": analysis.runs_table(recs),
    }
    return tables, fields
