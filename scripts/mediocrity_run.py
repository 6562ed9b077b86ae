"""Snakemake entry: one series of escaping-mediocrity runs -> one record file."""

import sys

from tqdm import tqdm

from overparam.backend import get_backend
from overparam.mediocrity import experiment
from overparam.records import write_records

sys.stderr = sys.stdout = open(snakemake.log[0], "w")  # noqa: F821

params = dict(snakemake.params.series)  # noqa: F821
kind = snakemake.params.kind  # noqa: F821
backend = get_backend(snakemake.params.backend)  # noqa: F821
print(f"backend: {backend.name} ({backend.device}); {kind}: {params}", flush=True)
common = {k: params.pop(k) for k in ("claim", "base_seed", "delta", "t_max_factor", "dt_check")}
bar = tqdm(desc=f"{kind} p={params['p']}", unit="step", file=sys.stdout, mininterval=5.0)


def progress(step: int, running: int) -> None:
    bar.n = step
    bar.set_postfix(replicas_running=running, refresh=False)
    bar.refresh()


common["progress"] = progress
if kind == "escape":
    extra = {}
    if "protocol" in params:
        protocol, gamma = params.pop("protocol"), params.pop("gamma")
        params["gammas"] = [experiment.resolve_gamma(gamma, params["p"], common["delta"])]
        extra = {"protocol": protocol}
    records = experiment.escape_series(backend, **common, **params, extra=extra)
elif kind == "ode":
    records = experiment.ode_vs_sgd_series(backend, **common, **params)
elif kind == "validation":
    records = experiment.validation_series(backend, **common, **params)
elif kind == "trace":
    records = experiment.risk_traces(backend, **common, **params)
else:
    raise ValueError(f"params.kind: {kind!r} is not one of escape, ode, validation, trace")
bar.close()
write_records(records, snakemake.output[0])  # noqa: F821
print(f"wrote {len(records)} records", flush=True)
