"""Snakemake entry of every simulation rule: the rule's ``params.job`` -> one sealed record file."""

from overparam.backend import get_backend
from overparam.jobs import run_job
from overparam.progress import StepLog
from overparam.records import write_records
from overparam.scripting import log_to, snakemake_object


def main(smk) -> None:
    with log_to(smk.log[0]):
        job = dict(smk.params.job)
        backend = get_backend(smk.params.backend)
        print(f"backend: {backend.name} ({backend.device}); job: {job}", flush=True)
        records = run_job(job, backend, StepLog(f"{job['claim']} {job['kind']}"))
        write_records(records, smk.output[0], backend=backend.name, device=backend.device)
        print(f"wrote {len(records)} records", flush=True)


if __name__ == "__main__":
    main(snakemake_object(globals()))
