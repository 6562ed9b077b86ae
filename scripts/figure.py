"""Snakemake entry: a claim's aggregate tables and verdict -> its figures (PNG, PDF) and report caption."""

from pathlib import Path

from overparam.captions import figure_caption
from overparam.figure import claim_figures
from overparam.plotting import save_figure
from overparam.scripting import log_to, snakemake_object
from overparam.tables import read_tables
from overparam.verdict import read_verdict


def main(smk) -> None:
    with log_to(smk.log[0]):
        verdict = read_verdict(smk.input.verdict).to_dict()
        figures = claim_figures(smk.params.claim, read_tables(smk.input.tables), verdict, smk.params.context)
        for suffix, fig in figures.items():
            stem = Path(smk.output.png).with_suffix("")
            stem = stem.with_name(f"{stem.name}_{suffix}") if suffix else stem
            save_figure(fig, stem.with_suffix(".png"), stem.with_suffix(".pdf"))
        Path(smk.output.caption).write_text(figure_caption(smk.params.claim, verdict))


if __name__ == "__main__":
    main(snakemake_object(globals()))
