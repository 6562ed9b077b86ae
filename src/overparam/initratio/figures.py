"""The figure of claim C2 (seaborn, the house style), drawn like the authors' Figure 1.

Training and test accuracy (means over seeds, ±2σ bars, σ the sample sd over seeds) against ω2 on a linear
axis; ω2/ω1 on a secondary (top) axis; the He point; the paper's two test accuracies (0.9645 at its smallest
ω2, 0.9902 at its largest, drawn at the run's ω2 of the same ratio ω2/ω1); the fits bound (mean training
accuracy ≥ 0.999) as a dashed line; in the figure: the claim id, each sub-test's statistic with its CI and
outcome, and the claim's outcome. Reads the aggregates of :mod:`analysis` only, so re-styling never reruns training.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from overparam.initratio.analysis import FITS, PAPER_ACCURACY, RISES
from overparam.plotting import use_style


def _num(value: float | None, digits: int) -> str:
    return "?" if value is None else f"{value:.{digits}f}"


def init_ratio_figure(summary: pd.DataFrame, verdict: dict[str, Any] | None = None,
                      claim_id: str = "init_ratio") -> Figure:
    """One panel: accuracy against ω2 (see the module docstring)."""
    import matplotlib.pyplot as plt

    use_style()
    s = summary.sort_values("omega2")
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    pal = sns.color_palette()
    for key, label, colour, marker in (("train_acc", "training accuracy", pal[0], "o"),
                                       ("test_acc", "test accuracy", pal[1], "s")):
        ax.errorbar(s["omega2"], s[f"{key}_mean"], yerr=2.0 * s[f"{key}_sd"].fillna(0.0), color=colour,
                    marker=marker, markersize=5, linewidth=1.5, capsize=3, label=f"{label} (mean ± 2σ over seeds)")
    if len(s):
        P = float(s["he_product"].iloc[0])
        d0, d1 = int(s["d0"].iloc[0]), int(s["d1"].iloc[0])
        he_w2 = math.sqrt(2.0 / d1)
        ax.axvline(he_w2, color="0.3", linestyle=":", linewidth=1.4,
                   label=r"He init ($\omega_1=\sqrt{2/d_0}$, $\omega_2=\sqrt{2/d_1}$)")
        first, last = s.iloc[0], s.iloc[-1]
        p = PAPER_ACCURACY
        ax.scatter([first["omega2"], last["omega2"]], [p["accuracy_low"], p["accuracy_high"]], marker="*", s=140,
                   color="black", zorder=5, label=f"paper's test accuracy ({p['accuracy_low']}, {p['accuracy_high']})")
        top = ax.secondary_xaxis("top", functions=(lambda w: w * w / P, lambda r: (abs(r) * P) ** 0.5))
        top.set_xlabel(r"$\omega_2/\omega_1$")
        ax.set_xlabel(rf"$\omega_2$  ($\omega_1\omega_2=\sqrt{{2/d_0}}\sqrt{{2/d_1}}$, d0 = {d0}, d1 = {d1})")
    ax.set_ylabel("accuracy (against the teacher's labels)")
    if verdict is not None:
        det = verdict.get("details", {}) or {}
        sp = det.get("spearman", {}) or {}
        ci = sp.get("ci") or [float("nan"), float("nan")]
        rho = sp.get("rho")
        bound = det.get("train_accuracy_bound")
        if bound is not None:
            ax.axhline(bound, color=pal[0], linestyle="--", linewidth=1.0,
                       label=f"fits: mean training accuracy ≥ {bound:g} at every ω2")
        fits = det.get("fits", {}) or {}
        fci = fits.get("ci") or [float("nan"), float("nan")]
        outcomes = {t["name"]: t["outcome"] for t in verdict.get("tests", [])}
        fits_out, rises_out = outcomes.get(FITS, "?"), outcomes.get(RISES, "?")
        text = (f"{claim_id} — {det.get('dataset', '?')}\n"
                f"fits: min mean train acc {_num(fits.get('min_mean'), 4)} "
                f"[{_num(fci[0], 4)}, {_num(fci[1], 4)}] → {fits_out}\n"
                f"rises: ρ(test acc, ω2/ω1) = {_num(rho, 3)} [{_num(ci[0], 3)}, {_num(ci[1], 3)}] → {rises_out}\n"
                f"claim: {verdict.get('status', '?')}")
        ax.text(0.98, 0.04, text, transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"})
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
    fig.tight_layout()
    return fig


def init_ratio(tables: dict[str, pd.DataFrame], verdict: dict[str, Any], context: dict[str, Any]) -> Figure:
    """C2's figure."""
    return init_ratio_figure(tables["summary"], verdict)
