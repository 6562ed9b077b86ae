"""Snakemake entry: a claim's records -> its verdict JSON and aggregate tables."""

import sys

from overparam.backend import get_backend
from overparam.claims import make_verdict, write_tables
from overparam.records import read_records

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

common = snakemake.params.common  # noqa: F821
backend = get_backend(common["backend"])
groups = {k: read_records(*snakemake.input[k]) for k in snakemake.input.keys() if k != "sources"}  # noqa: F821
verdict, tables = make_verdict(common["claim"], groups, common, snakemake.params.physics,  # noqa: F821
                               backend.name, backend.device)
write_tables(tables, snakemake.output.tables)  # noqa: F821
verdict.write(snakemake.output.verdict)  # noqa: F821
print(verdict.to_json())
