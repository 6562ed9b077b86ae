"""The figure of claim C2 (seaborn, the house style): training loss and test accuracy against ω2/ω1.

Reads the aggregates of :mod:`analysis` (``summary`` per ω2, ``runs`` per run), never raw training, so
re-styling never reruns training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from overparam.plotting import THEORY_STYLE, use_style


def init_ratio_figure(summary: pd.DataFrame, runs: pd.DataFrame | None = None) -> Figure:
    """Two panels sharing a log x axis ω2/ω1: final training loss (log y) and test accuracy.

    Lines: means over the finished seeds with their 95% bootstrap CIs (bands); dots: single runs (``runs``);
    dashed orange (right): the same students' accuracy against the true digit labels, for reference;
    dashed horizontal line: the loss threshold (if the summary has one); dotted vertical line: the He point
    ω1 = √(2/d0), ω2 = √(2/d1), i.e. ω2/ω1 = √(d0/d1).
    """
    import matplotlib.pyplot as plt

    use_style()
    s = summary.sort_values("ratio")
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.2), sharex=True)
    colour = sns.color_palette()[0]
    panels = [
        (axes[0], "train_loss", "final_train_loss", "final training loss  (1/n) Σ‖f(x) − t‖²", "Training loss"),
        (axes[1], "test_acc", "test_accuracy", "test accuracy", "Test accuracy (against the teacher's labels)"),
    ]
    if "test_acc_true_mean" in s and np.isfinite(s["test_acc_true_mean"]).any():
        c2 = sns.color_palette()[1]
        axes[1].fill_between(s["ratio"], s["test_acc_true_ci_low"], s["test_acc_true_ci_high"], color=c2, alpha=0.2,
                             linewidth=0)
        sns.lineplot(data=s, x="ratio", y="test_acc_true_mean", ax=axes[1], color=c2, marker="s", markersize=5,
                     linewidth=1.2, linestyle="--", label="mean against the true labels", zorder=3)
    for ax, key, run_col, ylabel, title in panels:
        if runs is not None and len(runs):
            r = runs[runs["finished"].astype(bool)]
            sns.scatterplot(data=r, x="ratio", y=run_col, ax=ax, color="0.55", s=14, alpha=0.6, linewidth=0,
                            label="single runs", zorder=2)
        ax.fill_between(s["ratio"], s[f"{key}_ci_low"], s[f"{key}_ci_high"], color=colour, alpha=0.25,
                        linewidth=0, label="95% CI of the mean")
        sns.lineplot(data=s, x="ratio", y=f"{key}_mean", ax=ax, color=colour, marker="o", markersize=6,
                     linewidth=1.6, label="mean over seeds", zorder=3)
        ax.set_xscale("log")
        ax.set_xlabel(r"initialisation ratio $\omega_2/\omega_1$ (log scale; $\omega_1\omega_2$ = He product)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
    if "loss_threshold" in s and np.isfinite(s["loss_threshold"]).any():
        thr = float(s["loss_threshold"].dropna().iloc[0])
        axes[0].axhline(thr, label=f"threshold {thr:g}", **THEORY_STYLE)
    axes[0].set_yscale("log")
    he = s["he_ratio"].dropna() if "he_ratio" in s else pd.Series(dtype=float)
    if len(he):
        h = float(he.iloc[0])
        for ax in axes:
            ax.axvline(h, color="0.3", linestyle=":", linewidth=1.4,
                       label=r"He init ($\omega_1=\sqrt{2/d_0}$, $\omega_2=\sqrt{2/d_1}$)")
    uniq: dict[str, object] = {}
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        for h, lab in zip(handles, labels, strict=True):
            uniq.setdefault(lab, h)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    fig.legend(list(uniq.values()), list(uniq.keys()), loc="lower center", ncol=3, fontsize=9,
               bbox_to_anchor=(0.5, -0.13))
    if len(s):
        d0, d1 = int(s["d0"].iloc[0]), int(s["d1"].iloc[0])
        fig.suptitle(f"Initialisation ratio sweep at d0 = {d0}, d1 = {d1} (ω1·ω2 fixed at the He product)", y=1.02)
    fig.tight_layout()
    return fig


def init_ratio(tables: dict[str, pd.DataFrame], verdict: dict[str, Any], context: dict[str, Any]) -> Figure:
    """C2's figure."""
    return init_ratio_figure(tables["summary"], tables.get("runs"))
