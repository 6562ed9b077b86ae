"""Claim C2 for the registry: records -> verdict and tables; tables -> the init-ratio figure."""

from __future__ import annotations

from typing import Any

import pandas as pd

from overparam.claims import Claim
from overparam.initratio import analysis, figures
from overparam.verdict import estimate

PAPER = "Song, Ramezani-Kebrya, Pethick, Eftekhari, Cevher 2021 (subquadratic width)"


def _analyse(records: dict[str, pd.DataFrame], params: dict[str, Any]) -> tuple[dict[str, pd.DataFrame], dict]:
    t = params["tolerances"]
    recs = records["records"]
    fields = analysis.verdict_fields(recs, loss_threshold=float(t["loss_threshold"]), n_boot=int(t["n_boot"]),
                                     min_seeds=int(t["min_seeds"]))
    for key in ("statement", "wall_time_s"):
        fields.pop(key, None)
    sp = fields["details"].get("spearman") or {}
    if sp.get("rho") is not None and sp.get("ci"):
        fields["estimates"] = [estimate("Spearman rho of test accuracy with omega2/omega1", sp["rho"], *sp["ci"])]
    tables = {
        "summary": analysis.summary_table(recs, n_boot=int(t["n_boot"]), loss_threshold=float(t["loss_threshold"])),
        "runs": analysis.runs_table(recs),
    }
    return tables, fields


CLAIMS = [
    Claim(
        "init_ratio", PAPER,
        "With ω1·ω2 held at the He value, a larger init ratio ω2/ω1 keeps training loss low and raises test accuracy",
        _analyse,
        lambda tb, pr: figures.init_ratio_figure(tb["summary"], tb.get("runs")),
        "Teacher–student sweep of the paper's Figure 1: a two-layer ReLU teacher (He init, trained to zero error on "
        "the true labels) relabels the inputs; GELU students V φ(W x), W ~ N(0, ω1²), V ~ N(0, ω2²), ω1·ω2 = "
        "√(2/d0)·√(2/d1), are trained by minibatch SGD on the MSE. Left: final training loss (log), with the "
        "claim's threshold dashed; right: test accuracy against the teacher's labels; both against ω2/ω1 (log), "
        "means over seeds with 95% bootstrap CIs, single runs as grey dots, the He point dotted. Paper (MNIST): "
        "training error 0 at every ω2, test accuracy 0.9645 → 0.9902 from ω2 = 0.002 to 0.0782.",
    ),
]
