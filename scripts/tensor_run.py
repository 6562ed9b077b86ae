"""Snakemake entry: points of the tensor-decomposition claims (lazy projection, lazy GD, rich GD) -> records."""

import sys

from overparam.backend import get_backend
from overparam.records import write_records
from overparam.tensor import experiment

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

run = {
    "lazy": experiment.run_lazy_point,
    "lazy_gd": experiment.run_lazy_gd_point,
    "rich": experiment.run_rich_point,
}[snakemake.params.kind]  # noqa: F821
backend = get_backend(snakemake.params.backend)  # noqa: F821
records = []
for point in snakemake.params.points:  # noqa: F821
    print(f"backend: {backend.name} ({backend.device}); {snakemake.params.kind}: {point}", flush=True)  # noqa: F821
    records += run(dict(point), backend, snakemake.params.base_seed)  # noqa: F821
write_records(records, snakemake.output[0])  # noqa: F821
print(f"wrote {len(records)} records", flush=True)
