"""Snakemake entry: every seed of one ω2 of the init-ratio sweep -> one record file."""

import sys

from overparam.backend import get_backend
from overparam.initratio import experiment
from overparam.records import write_records

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

params = dict(snakemake.params.point)  # noqa: F821
backend = get_backend(snakemake.params.backend)  # noqa: F821
print(f"backend: {backend.name} ({backend.device}); init_ratio: {params}", flush=True)
records = experiment.run_ratio_point(params, backend, snakemake.params.base_seed)  # noqa: F821
write_records(records, snakemake.output[0])  # noqa: F821
print(f"wrote {len(records)} records", flush=True)
