"""Claim C1 for the registry: records -> verdict and tables; tables -> the scaling and tracking figures."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from overparam.claims import Claim
from overparam.verdict import estimate
from overparam.width import analysis, figures

PAPER = "Song, Ramezani-Kebrya, Pethick, Eftekhari, Cevher 2021 (subquadratic width)"


def _records(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    if "search_grid" in df and df["search_grid"].dtype == object:
        df["search_grid"] = df["search_grid"].map(lambda s: json.loads(s) if isinstance(s, str) else s)
    return df


def _analyse(records: dict[str, pd.DataFrame], params: dict[str, Any]) -> tuple[dict[str, pd.DataFrame], dict]:
    t = params["tolerances"]
    recs = _records(records["records"])
    fields = analysis.verdict_fields(recs, min_success=t["min_success"], n_boot=t["n_boot"], slack=t["slack"],
                                     min_points=t["min_points"])
    for key in ("statement", "wall_time_s"):
        fields.pop(key, None)
    fits = {"pooled": fields["details"]["pooled_fit"], **fields["details"]["series_fits"]}
    fields["estimates"] = [estimate(f"slope log(d0·d1*) vs log n, {name}", f["slope"], *f["slope_ci"])
                           for name, f in fits.items() if f.get("slope") is not None and f.get("slope_ci")]
    tables = {
        "d1_star": analysis.d1_star_table(recs, t["min_success"]),
        "fits": analysis.fit_table(recs, min_success=t["min_success"], n_boot=t["n_boot"]),
        "tracking": records["tracking"],
    }
    return tables, fields


CLAIMS = [
    Claim(
        "subquadratic_width", PAPER,
        "GD on both layers with standard init reaches zero loss once d0·d1 = Ω̃(n^1.5), not n^2",
        _analyse,
        lambda tb, pr: {"": figures.width_scaling_figure(tb["d1_star"], tb["fits"]),
                        "tracking": figures.tracking_figure(tb["tracking"])},
        "d0·d1*, the smallest width on a √2 grid where ≥ 4 of 5 seeds reach h ≤ 1e-4 within T = 150·n GD steps, "
        "against n for d0 = ⌈2√n⌉ and d0 = 64, with the pooled log–log fit (95% seed-bootstrap CI) and the "
        "n^1.5 (theory, sufficient) and n^2 (older bound) guides dashed. The second figure tracks "
        "λ_min(K_t)/λ_min(K_0), the PL ratio and ‖θ_t − θ_0‖ along training for a narrow and a wide net.",
        extra_figures=("tracking",),
    ),
]
