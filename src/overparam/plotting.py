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
