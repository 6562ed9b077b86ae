"""One seaborn style for every figure, and saving to PNG + PDF with the Agg backend."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

PALETTE = "colorblind"
THEORY_STYLE = {"linestyle": "--", "linewidth": 1.4, "color": "0.25"}


def use_style() -> None:
    """The house style: white grid, colour-blind palette, readable sizes."""
    sns.set_theme(context="paper", style="whitegrid", palette=PALETTE, font_scale=1.15)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "savefig.bbox": "tight", "legend.frameon": False,
                         "pdf.fonttype": 42, "svg.hashsalt": "overparam", "path.simplify": False})


def save_figure(fig: plt.Figure, *paths: str | Path) -> None:
    """Save one figure to each path (format from the suffix; PDFs without a creation date) and close it."""
    for p in paths:
        Path(p).parent.mkdir(parents=True, exist_ok=True)
        meta = {"CreationDate": None} if str(p).endswith(".pdf") else {"Software": None}
        fig.savefig(p, metadata=meta)
    plt.close(fig)


def annotate_verdict(fig: plt.Figure, claim_id: str, verdict: dict, min_lines: int = 6) -> None:
    """Write, under the figure, what it tests: the claim id, the outcome, and its sub-tests (estimate, 95% CI,
    band or bound, outcome): failed ones first, then undecided ones, then passes, every failed and undecided one
    and at least ``min_lines`` lines, so that a figure out of the report says what decided it."""
    from overparam.decide import describe_test, summary

    tests = list(verdict.get("tests") or [])
    order = {"fail": 0, "inconclusive": 1, "pass": 2}
    ranked = sorted(tests, key=lambda t: order[t["outcome"]])
    shown = ranked[:max(min_lines, sum(t["outcome"] != "pass" for t in tests))]
    lines = [f"{claim_id}: {verdict['status'].upper()} ({summary(tests) if tests else 'no sub-tests'}; "
             f"scale {verdict.get('scale', '?')})"]
    lines += ["  " + describe_test(t) for t in shown]
    if len(tests) > len(shown):
        lines.append(f"  … {len(tests) - len(shown)} more (all in the verdict JSON)")
    fig.text(0.0, -0.01, "\n".join(lines), ha="left", va="top", fontsize=8, family="monospace")
