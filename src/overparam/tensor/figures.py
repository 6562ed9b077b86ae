"""Figures of paper A from aggregated tables (:mod:`overparam.tensor.analysis`); never reruns training.

* :func:`lazy_collapse_figure` — ρ against m·d/D for every d (the curves collapse onto the dimension count
  sqrt(1 − md/D), dashed);
* :func:`mstar_figure` — m*_lazy and m*_rich against d on one log–log plot, with d^(l−1) and log d guides;
* :func:`rich_success_figure` — success rate against m per d, with the two ablations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

from overparam.plotting import THEORY_STYLE, use_style


def _panels(ls: Sequence[int], width: float = 4.6, height: float = 3.8) -> tuple[plt.Figure, list[plt.Axes]]:
    fig, axes = plt.subplots(1, max(len(ls), 1), figsize=(width * max(len(ls), 1), height), squeeze=False)
    return fig, list(axes[0])


def _plain_log_ticks(axis: object) -> None:
    """Log axis labelled with plain numbers at 1, 2, 5 × 10^k."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(ScalarFormatter())
    axis.set_minor_formatter(NullFormatter())


def lazy_collapse_figure(curve_table: pd.DataFrame, r: int | None = None) -> plt.Figure:
    """Median ρ (band: 25–75% over seeds) against m·d/D, one line per d, one panel per l, at one r (default the
    smallest). ``curve_table`` is :func:`analysis.lazy_curve_table`."""
    use_style()
    df = curve_table
    r = int(df["r"].min()) if r is None else r
    df = df[df["r"] == r]
    ls = sorted(int(x) for x in df["l"].unique())
    fig, axes = _panels(ls)
    for ax, l in zip(axes, ls, strict=False):
        sub = df[df["l"] == l].copy()
        sub["d"] = sub["d"].astype(int)
        ds = sorted(sub["d"].unique())
        pal = sns.color_palette("viridis", len(ds))
        for colour, d in zip(pal, ds, strict=True):
            g = sub[sub["d"] == d].sort_values("m")
            ax.plot(g["md_over_D"], g["rho_median"], color=colour, lw=1.4, label=f"d={d}")
            ax.fill_between(g["md_over_D"], g["rho_q25"], g["rho_q75"], color=colour, alpha=0.15, lw=0)
        x = np.linspace(0, max(1.15, float(sub["md_over_D"].max())), 400)
        ax.plot(x, np.sqrt(np.clip(1 - x, 0, None)), label=r"$\sqrt{1-md/D}$", **THEORY_STYLE)
        ax.set(xlabel=r"$m\,d/D$", ylabel=r"lazy residual $\rho$", title=f"l = {l}, r = {r}", ylim=(-0.02, 1.02))
        ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def mstar_figure(lazy_table: pd.DataFrame, rich_table: pd.DataFrame | None = None, *, r_rich: int = 4,
                 eps_list: Sequence[float] | None = None, r_lazy: int | None = None) -> plt.Figure:
    """m*_lazy(d, ε) (from :func:`analysis.lazy_mstar_table`) and m*_rich(d) of the re-init variant (from
    :func:`analysis.rich_mstar_table`) against d, log–log, one panel per l, with a d^(l−1) guide through the
    largest lazy point and a log d guide through the rich points."""
    use_style()
    lt = lazy_table.dropna(subset=["m_star"])
    r_lazy = int(lt["r"].min()) if r_lazy is None and len(lt) else r_lazy
    lt = lt[lt["r"] == r_lazy] if len(lt) else lt
    rt = rich_table
    if rt is not None and len(rt):
        rt = rt[(rt["variant"] == "reinit") & (rt["r"] == r_rich)].dropna(subset=["m_star"])
    ls = sorted({int(x) for x in lt["l"].unique()} | ({int(x) for x in rt["l"].unique()} if rt is not None else set()))
    fig, axes = _panels(ls)
    eps_list = sorted(lt["eps"].unique(), reverse=True) if eps_list is None else eps_list
    markers = ["o", "s", "^", "D"]
    pal = sns.color_palette()
    for ax, l in zip(axes, ls, strict=False):
        sub = lt[lt["l"] == l]
        d_all = []
        for k, eps in enumerate(eps_list):
            g = sub[sub["eps"] == eps].sort_values("d")
            if len(g):
                ax.plot(g["d"], g["m_star"].astype(float), marker=markers[k % 4], color=pal[k % len(pal)], lw=1.2,
                        label=rf"$m^*_{{lazy}}$, $\varepsilon$={eps:g}")
                d_all.extend(g["d"])
        if rt is not None and len(rt):
            g = rt[rt["l"] == l].sort_values("d")
            if len(g):
                ax.plot(g["d"], g["m_star"].astype(float), marker="*", ms=10, color=pal[4], lw=1.6,
                        label=rf"$m^*_{{rich}}$ (r={r_rich})")
                d_all.extend(g["d"])
                dr = np.geomspace(g["d"].min(), g["d"].max(), 50)
                scale = float(np.exp(np.mean(np.log(g["m_star"].astype(float)) - np.log(np.log(g["d"])))))
                ax.plot(dr, scale * np.log(dr), ls=":", lw=1.4, color="0.35", label=r"$\propto\log d$")
        if len(sub):
            ref = sub[sub["eps"] == min(eps_list)].sort_values("d")
            if len(ref):
                dl = np.geomspace(min(d_all), max(d_all), 50)
                d0, m0 = float(ref["d"].iloc[-1]), float(ref["m_star"].iloc[-1])
                ax.plot(dl, m0 * (dl / d0) ** (l - 1), label=rf"$\propto d^{{{l - 1}}}$", **THEORY_STYLE)
        ax.set(xscale="log", yscale="log", xlabel="d", ylabel=r"$m^*$", title=f"l = {l}")
        _plain_log_ticks(ax.xaxis)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def rich_success_figure(success_table: pd.DataFrame, r: int = 4) -> plt.Figure:
    """Success rate against m (log axis) per d, one panel per l: the re-init variant (solid), the no-re-init
    ablation (dashed) and the plain parameterisation with m = r (crosses). ``success_table`` is
    :func:`analysis.rich_success_table`."""
    use_style()
    df = success_table[success_table["r"] == r].copy()
    df["d"] = df["d"].astype(int)
    ls = sorted(int(x) for x in df["l"].unique())
    fig, axes = _panels(ls)
    ds = sorted(df["d"].unique())
    pal = dict(zip(ds, sns.color_palette("viridis", len(ds)), strict=True))
    styles = {"reinit": "-", "no_reinit": "--"}
    for ax, l in zip(axes, ls, strict=False):
        sub = df[df["l"] == l]
        for d in ds:
            for v, lsty in styles.items():
                g = sub[(sub["d"] == d) & (sub["variant"] == v)].sort_values("m")
                if len(g):
                    ax.plot(g["m"], g["rate"], ls=lsty, marker="o", ms=3, color=pal[d],
                            label=f"d={d}" if v == "reinit" else None)
            g = sub[(sub["d"] == d) & (sub["variant"] == "plain")]
            if len(g):
                ax.plot(g["m"], g["rate"], marker="x", ms=8, mew=2, ls="none", color=pal[d])
        ax.axhline(0.9, color="0.5", lw=0.8, ls=":")
        ax.plot([], [], color="0.3", ls="-", label="re-init")
        ax.plot([], [], color="0.3", ls="--", label="no re-init")
        ax.plot([], [], color="0.3", marker="x", ls="none", label="plain, m = r")
        ax.set(xscale="log", xlabel="m (components)", ylabel="success rate", title=f"l = {l}, r = {r}",
               ylim=(-0.03, 1.03))
        ax.set_xticks(sorted(int(m) for m in sub["m"].unique()))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def lazy_lower_bound(tables: dict[str, pd.DataFrame], verdict: dict[str, Any], context: dict[str, Any]) -> dict:
    """A1's figures: the residual collapse and m*_lazy against d."""
    return {"": lazy_collapse_figure(tables["curves"]), "mstar": mstar_figure(tables["mstar"])}


def rich_upper_bound(tables: dict[str, pd.DataFrame], verdict: dict[str, Any], context: dict[str, Any]) -> dict:
    """A2's figures: m*_rich beside m*_lazy against d, and the success rates with the ablations."""
    return {"": mstar_figure(tables["lazy_mstar"], tables["rich_mstar"]),
            "success": rich_success_figure(tables["success"])}
