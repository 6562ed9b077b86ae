"""Snakemake entry: a claim's aggregate tables and verdict -> its figure (PNG, PDF) and report caption."""

import json
import sys
from pathlib import Path

from overparam.claims import make_figure, read_tables
from overparam.plotting import save_figure

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

verdict = json.loads(Path(snakemake.input.verdict).read_text())  # noqa: F821
fig, caption = make_figure(snakemake.params.claim, read_tables(snakemake.input.tables), verdict,  # noqa: F821
                           snakemake.params.physics)  # noqa: F821
save_figure(fig, snakemake.output.png, snakemake.output.pdf)  # noqa: F821
Path(snakemake.output.caption).write_text(caption)  # noqa: F821
