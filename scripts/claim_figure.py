"""Snakemake entry: a claim's aggregate tables and verdict -> its figure (PNG, PDF) and report caption."""

import json
import sys
from pathlib import Path

from overparam.claims import make_figure, read_tables
from overparam.plotting import save_figure

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

verdict = json.loads(Path(snakemake.input.verdict).read_text())  # noqa: F821
figs, caption = make_figure(snakemake.params.claim, read_tables(snakemake.input.tables), verdict,  # noqa: F821
                            snakemake.params.physics)  # noqa: F821
for suffix, fig in figs.items():
    stem = Path(snakemake.output.png).with_suffix("")  # noqa: F821
    stem = stem.with_name(f"{stem.name}_{suffix}") if suffix else stem
    save_figure(fig, stem.with_suffix(".png"), stem.with_suffix(".pdf"))
Path(snakemake.output.caption).write_text(caption)  # noqa: F821
