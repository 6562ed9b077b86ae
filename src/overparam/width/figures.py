"""Figures of claim C1 (seaborn, the house style): the width scaling and the NTK/PL tracking curves.

Both functions read tidy DataFrames (aggregates, never raw training), so re-styling never reruns training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from overparam.plotting import THEORY_STYLE, use_style


def width_scaling_figure(table: pd.DataFrame, fits: pd.DataFrame | None = None) -> Figure:
    """d0·d1* against n on log–log axes, one colour per series, with n^1.5 and n^2 guides and the pooled fit.

    ``table``: :func:`overparam.width.analysis.d1_star_table` (series, n, d0_d1_star, at_grid_floor).
    ``fits``: :func:`overparam.width.analysis.fit_table` (series, slope, intercept, ci_low, ci_high); the row
    "pooled" is drawn as the fitted line. Guides n^1.5 (theory: sufficient) and n^2 (older bound) are dashed
    (THEORY_STYLE) and pass through the fitted value at the smallest n, so only their slopes matter; the
    dotted grey line d0·d1 = n (as many first-layer weights as points) is the counting lower reference.
    """
    import matplotlib.pyplot as plt

    use_style()
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    t = table[table["d0_d1_star"].notna()].copy()
    t["censored"] = t.get("at_grid_floor", False)
    if len(t):
        sns.lineplot(data=t, x="n", y="d0_d1_star", hue="series", style="series", markers=True, dashes=False,
                     ax=ax, markersize=7, linewidth=1.0, alpha=0.9)
        cens = t[t["censored"].astype(bool)]
        if len(cens):
            ax.scatter(cens["n"], cens["d0_d1_star"], s=90, facecolors="none", edgecolors="0.4",
                       label="at grid floor (not fitted)", zorder=3)
    n_all = np.sort(t["n"].unique()) if len(t) else np.array([32.0, 256.0])
    ngrid = np.geomspace(n_all.min(), n_all.max(), 50)
    anchor = None
    if fits is not None and len(fits) and "pooled" in set(fits["series"]):
        f = fits[fits["series"] == "pooled"].iloc[0]
        if np.isfinite(f["slope"]):
            yfit = np.exp(f["intercept"]) * ngrid ** f["slope"]
            label = f"fit (all series): slope {f['slope']:.2f} [{f['ci_low']:.2f}, {f['ci_high']:.2f}]"
            ax.plot(ngrid, yfit, color=sns.color_palette()[3], linewidth=2.0, label=label)
            anchor = yfit[0]
    if anchor is None and len(t):
        anchor = float(t.loc[t["n"] == n_all.min(), "d0_d1_star"].min())
    ax.plot(ngrid, ngrid, color="0.6", linestyle=":", linewidth=1.2, label="d0·d1 = n (weights = points)")
    if anchor is not None:
        for power, dash in ((1.5, (5, 3)), (2.0, (2, 2))):
            style = dict(THEORY_STYLE)
            style["linestyle"] = (0, dash)
            ax.plot(ngrid, anchor * (ngrid / ngrid[0]) ** power, label=f"n^{power:g} (slope {power:g})", **style)
            ax.annotate(f"$n^{{{power:g}}}$", (ngrid[-1], anchor * (ngrid[-1] / ngrid[0]) ** power),
                        textcoords="offset points", xytext=(4, 0), va="center", fontsize=9, color="0.25")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("n (training points)")
    ax.set_ylabel(r"$d_0 \cdot d_1^*$ (smallest width, ≥ 4/5 seeds fit)")
    ax.set_title("Width needed to fit n points: measured vs bounds")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def tracking_figure(tracking: pd.DataFrame) -> Figure:
    """Three panels along GD for each tracked width: λ_min(K_t)/λ_min(K_0), the PL ratio rᵀK_t r/‖r‖²
    (with λ_min(K_t) it bounds from above, dotted), and ‖θ_t − θ_0‖ against the PL radius ρ = μ/(2β̂).

    ``tracking``: rows of :func:`overparam.width.experiment.run_tracking` (n, d0, d1, seed, step,
    lambda_min, lambda_min_ratio, pl_ratio, path_length, rho).
    """
    import matplotlib.pyplot as plt

    use_style()
    df = tracking.copy()
    df["width"] = [f"d1 = {int(d1)} (d0·d1/n = {d0 * d1 / n:.1f})"
                   for d1, d0, n in zip(df["d1"], df["d0"], df["n"], strict=True)]
    order = [w for _, w in sorted({(int(d1), w) for d1, w in zip(df["d1"], df["width"], strict=True)})]
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 3.9))
    common = {"hue": "width", "hue_order": order, "units": "seed", "estimator": None, "linewidth": 1.3}
    sns.lineplot(data=df, x="step", y="lambda_min_ratio", ax=axes[0], **common)
    axes[0].axhline(1.0, **THEORY_STYLE)
    axes[0].set_yscale("log")
    axes[0].set_ylabel(r"$\lambda_{\min}(K_t)/\lambda_{\min}(K_0)$")
    axes[0].set_title("NTK smallest eigenvalue")
    sns.lineplot(data=df, x="step", y="pl_ratio", ax=axes[1], **common)
    sns.lineplot(data=df, x="step", y="lambda_min", ax=axes[1], legend=False, linestyle=":", **common)
    axes[1].set_yscale("log")
    axes[1].set_ylabel(r"$r^\top K_t r / \|r\|^2$  (dotted: $\lambda_{\min}(K_t)$)")
    axes[1].set_title("Empirical PL ratio")
    sns.lineplot(data=df[df["step"] > 0], x="step", y="path_length", ax=axes[2], **common)
    palette = sns.color_palette(n_colors=len(order))
    for w, c in zip(order, palette, strict=True):
        rho = df.loc[df["width"] == w, "rho"].dropna()
        if len(rho):
            axes[2].axhline(float(rho.median()), color=c, linestyle="--", linewidth=1.1)
    axes[2].set_yscale("log")
    axes[2].set_ylabel(r"$\|\theta_t - \theta_0\|$  (dashed: $\rho = \mu / 2\hat\beta$)")
    axes[2].set_title("Distance travelled vs PL radius")
    for ax in axes:
        ax.set_xlabel("GD step")
    for ax in axes[1:]:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    axes[0].legend(fontsize=8, title=None)
    n0, d00 = int(df["n"].iloc[0]), int(df["d0"].iloc[0])
    fig.suptitle(f"Training at n = {n0}, d0 = {d00}: a narrow and a wide net", y=1.02)
    fig.tight_layout()
    return fig


def subquadratic_width(tables: dict[str, pd.DataFrame], verdict: dict[str, Any], context: dict[str, Any]) -> dict:
    """C1's figures: d0·d1* against n with the fit and guides, and the NTK tracking along training."""
    return {"": width_scaling_figure(tables["d1_star"], tables["fits"]),
            "tracking": tracking_figure(tables["tracking"])}
