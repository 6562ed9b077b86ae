"""Snakemake entry: one point of the width search (or the tracking runs) -> one record file."""

import sys

from overparam.backend import get_backend
from overparam.records import write_records
from overparam.width import experiment

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

params = dict(snakemake.params.point)  # noqa: F821
backend = get_backend(snakemake.params.backend)  # noqa: F821
print(f"backend: {backend.name} ({backend.device}); {snakemake.params.kind}: {params}", flush=True)  # noqa: F821
if snakemake.params.kind == "point":  # noqa: F821
    records = experiment.run_point(params, backend, snakemake.params.base_seed)  # noqa: F821
else:
    records = experiment.run_tracking(params, backend, snakemake.params.base_seed)  # noqa: F821
write_records(records, snakemake.output[0])  # noqa: F821
print(f"wrote {len(records)} records", flush=True)
