"""Snakemake entry: every verdict -> the claims ledger (markdown and HTML)."""

import sys
from pathlib import Path

from overparam.verdict import ledger_html, ledger_markdown, read_verdict

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

verdicts = [read_verdict(p) for p in snakemake.input.verdicts]  # noqa: F821
Path(snakemake.output.markdown).write_text(ledger_markdown(verdicts))  # noqa: F821
Path(snakemake.output.html).write_text(ledger_html(verdicts))  # noqa: F821
