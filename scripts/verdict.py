"""Snakemake entry: a claim's sealed records -> its verdict JSON and aggregate tables."""

from overparam.assemble import make_verdict
from overparam.records import read_records, trained_on
from overparam.scripting import log_to, snakemake_object
from overparam.tables import write_tables


def main(smk) -> None:
    with log_to(smk.log[0]):
        groups = [k for k in smk.input.keys() if k != "sources"]
        records = {k: read_records(*smk.input[k]) for k in groups}
        machine = trained_on(p for k in groups for p in smk.input[k])
        verdict, tables = make_verdict(smk.params.claim, records, smk.params.context, machine)
        write_tables(tables, smk.output.tables)
        verdict.write(smk.output.verdict)
        print(verdict.to_json())


if __name__ == "__main__":
    main(snakemake_object(globals()))
