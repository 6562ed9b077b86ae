"""Figures of claims B1–B3 from their aggregate tables (never from training): seaborn, one house style."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from overparam.mediocrity import theory
from overparam.plotting import THEORY_STYLE, use_style


def escape_dlogd_figure(summary: pd.DataFrame, records: pd.DataFrame, *, delta: float) -> plt.Figure:
    """t_exit against ln d per γ' (mean with 95% CI, seed spread, theory line); n/(d ln d) against d."""
    use_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = sns.color_palette(n_colors=summary["gamma_p"].nunique())
    for color, (g, grp) in zip(colors, summary.groupby("gamma_p")):
        p = int(grp["p"].iloc[0])
        ln_d = np.log(grp["d"].to_numpy())
        rec = records[(records["gamma_p"] == g) & records["escaped"]]
        spread = rec.groupby("d")["t_exit"].quantile([0.1, 0.9]).unstack()
        ax1.fill_between(np.log(spread.index.to_numpy()), spread[0.1], spread[0.9], color=color, alpha=0.12, lw=0)
        ax1.errorbar(ln_d, grp["t_mean"], yerr=[grp["t_mean"] - grp["t_lo"], grp["t_hi"] - grp["t_mean"]],
                     fmt="o", color=color, capsize=3, label=f"SGD, γ'={g:.3g}")
        grid = np.linspace(ln_d.min(), ln_d.max(), 50)
        ax1.plot(grid, [theory.t_exit(np.exp(x), g, p, delta) for x in grid], **{**THEORY_STYLE, "color": color})
        ax2.plot(grp["d"], grp["n_over_dlnd"], "o-", color=color, label=f"γ'={g:.3g}")
        ax2.axhline(theory.kappa(g, p, delta), **{**THEORY_STYLE, "color": color})
    ax1.set(xlabel="ln d", ylabel="escape time t (= steps·γ'/d)",
            title="Escape time against ln d (dashed: ln(0.01·d·R0/2)/(2a))")
    ax1.legend(title="mean, 95% CI; band: 10–90% of seeds")
    ax2.set(xscale="log", xlabel="input dimension d", ylabel="samples n / (d ln d)",
            title="Approach to the prefactor 1/(8γ'−4γ'²C_p) (dashed)")
    ax2.legend()
    fig.tight_layout()
    return fig


def width_constant_factor_figure(kappa: pd.DataFrame, *, delta: float, tolerance: float | None = None) -> plt.Figure:
    """κ_p (slope of n/d against ln d) against p per protocol, with 95% CIs, theory curves and, when given, the
    band theory × (1 ± ``tolerance``) that the verdict tests each κ_p against (shaded)."""
    use_style()
    fig, ax = plt.subplots(figsize=(6.5, 4.4))
    colors = sns.color_palette(n_colors=kappa["protocol"].nunique())
    for color, (proto, grp) in zip(colors, kappa.groupby("protocol")):
        grp = grp.sort_values("p")
        rate = "1/C_p" if proto == "optimal" else f"{grp['gamma_p'].iloc[0]:.3g}"
        ax.errorbar(grp["p"], grp["kappa"], yerr=[grp["kappa"] - grp["kappa_lo"], grp["kappa_hi"] - grp["kappa"]],
                    fmt="o", color=color, capsize=3, label=f"{proto}: γ' = {rate}")
        ps = np.unique(np.geomspace(grp["p"].min(), grp["p"].max(), 60).round().astype(int))
        gam = [grp["gamma_p"].iloc[0] if proto != "optimal" else theory.gamma_opt(int(q), delta) for q in ps]
        curve = np.array([theory.kappa(g, int(q), delta) for g, q in zip(gam, ps)])
        ax.plot(ps, curve, **{**THEORY_STYLE, "color": color})
        if tolerance is not None:
            ax.fill_between(ps, curve * (1 - tolerance), curve * (1 + tolerance), color=color, alpha=0.15, lw=0)
    band = f"; shaded: ±{tolerance:.0%}, the tested band" if tolerance is not None else ""
    title = f"Prefactor κ_p of d ln d against p (dashed: theory{band})"
    ax.set(xscale="log", yscale="log", xlabel="hidden units p", ylabel="κ_p = d(n/d) / d(ln d)", title=title)
    _plain_log_ticks(ax, kappa["p"].unique())
    ax.legend(title="protocol (95% CI)")
    fig.tight_layout()
    return fig


def ode_matches_sgd_figure(ratios: pd.DataFrame, traces: pd.DataFrame, validation: pd.DataFrame,
                           *, low: float, high: float) -> plt.Figure:
    """Ratio SGD/ODE against p per d; risk against t (SGD seeds, ODE dashed); chain-vs-direct validation."""
    use_style()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3), gridspec_kw={"width_ratios": [1.2, 1.2, 0.8]})
    ax = axes[0]
    colors = sns.color_palette(n_colors=ratios["d"].nunique())
    for color, (d, grp) in zip(colors, ratios.groupby("d")):
        grp = grp.sort_values("p")
        ax.errorbar(grp["p"], grp["ratio"], yerr=[grp["ratio"] - grp["ratio_lo"], grp["ratio_hi"] - grp["ratio"]],
                    fmt="o-", color=color, capsize=3, label=f"d={d}")
    ax.axhspan(low, high, color="0.85", alpha=0.5, lw=0, label="tolerance")
    ax.axhline(1.0, **THEORY_STYLE)
    ax.set(xscale="log", xlabel="hidden units p", ylabel="t_exit(SGD) / t_exit(ODE)", title="ODE from the same start")
    _plain_log_ticks(ax, ratios["p"].unique(), y=False)
    ax.legend(ncol=2)
    ax = axes[1]
    colors = sns.color_palette(n_colors=traces["replica"].nunique())
    for color, (r, grp) in zip(colors, traces.groupby("replica")):
        sgd, ode = grp[grp["source"] == "SGD"], grp[grp["source"] == "ODE"]
        ax.plot(sgd["t"], sgd["risk"], color=color, lw=1.0, alpha=0.9, label="SGD" if r == 0 else None)
        ax.plot(ode["t"], ode["risk"], **{**THEORY_STYLE, "color": color}, label="ODE" if r == 0 else None)
    ax.set(xlabel="time t (= steps·γ'/d)", ylabel="risk R(t)", title="Risk: SGD seeds, ODE from each start")
    ax.legend()
    ax = axes[2]
    val = validation[validation["escaped"]]
    sns.pointplot(data=val, x="p", y="t_exit", hue="simulator", errorbar=("ci", 95), dodge=0.3, ax=ax,
                  linestyles="none", capsize=0.1, seed=0)  # a fixed bootstrap: the same figure every time
    ax.set(xlabel="hidden units p", ylabel="mean escape time t", title="Validation: chain vs direct SGD")
    fig.tight_layout()
    return fig


def _plain_log_ticks(ax: plt.Axes, xs: np.ndarray, y: bool = True) -> None:
    """Label a log axis at the data's own p values, as plain integers."""
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    ax.xaxis.set_major_locator(FixedLocator(sorted(xs)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(ScalarFormatter())
    if y:
        ax.yaxis.set_major_formatter(ScalarFormatter())


def escape_dlogd(tables: dict[str, pd.DataFrame], verdict: dict[str, Any], context: dict[str, Any]) -> plt.Figure:
    """B1's figure."""
    return escape_dlogd_figure(tables["summary"], tables["records"], delta=context["physics"]["delta"])


def width_constant_factor(tables: dict[str, pd.DataFrame], verdict: dict[str, Any],
                          context: dict[str, Any]) -> plt.Figure:
    """B2's figure."""
    return width_constant_factor_figure(tables["kappa"], delta=context["physics"]["delta"],
                                        tolerance=context["tolerances"].get("kappa_tolerance"))


def ode_matches_sgd(tables: dict[str, pd.DataFrame], verdict: dict[str, Any], context: dict[str, Any]) -> plt.Figure:
    """B3's figure, with the tolerance band the verdict tested."""
    band = verdict["settings"]
    return ode_matches_sgd_figure(tables["ratios"], tables["trace"], tables["validation"], low=band["ratio_low"],
                                  high=band["ratio_high"])
