"""Snakemake entry: every verdict of the scale -> the claims ledger (markdown, JSON, and reST for the report)."""

from pathlib import Path

from overparam.ledger import ledger_json, ledger_markdown, ledger_rst
from overparam.scripting import log_to, snakemake_object
from overparam.verdict import read_current_verdicts


def main(smk) -> None:
    with log_to(smk.log[0]):
        verdicts = read_current_verdicts(smk.input.verdicts, smk.params.scale, smk.params.config_hashes)
        Path(smk.output.markdown).write_text(ledger_markdown(verdicts))
        Path(smk.output.json).write_text(ledger_json(verdicts))
        Path(smk.output.rst).write_text(ledger_rst(verdicts))
        print(ledger_markdown(verdicts))


if __name__ == "__main__":
    main(snakemake_object(globals()))
