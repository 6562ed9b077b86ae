# Read by all the rules below: the validated config, the scale's folders, the claims' declarations, path helpers.
import os
import sys
import time
from pathlib import Path
import yaml

# one BLAS thread per job: jobs run side by side on the cores (and OpenBLAS thrashes when oversubscribed)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
# every job (a script in a subprocess, a conda env, a cluster node) imports this checkout's package
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        filter(
            None, [str(Path(workflow.basedir) / "src"), os.environ.get("PYTHONPATH")]
        )
    )
)


from overparam.assemble import expected_config_hash
from overparam.backend import BackendError, cuda_available
from overparam.config import ConfigError, validate_config
from overparam.initratio import jobs as initratio_jobs
from overparam.mediocrity import jobs as mediocrity_jobs
from overparam.records import quarantine_damaged
from overparam.registry import claims as declared_claims
from overparam.tensor import jobs as tensor_jobs
from overparam.workload import growth_by_claim, too_long
from overparam.width import jobs as width_jobs
from overparam.sources import (
    LEDGER_SOURCES,
    figure_sources,
    kernel_sources,
    verdict_sources,
)

try:
    validate_config(config, Path(workflow.basedir) / "schemas" / "config.schema.yaml")
    if config["backend"] == "cupy" and not cuda_available():
        raise BackendError(
            "config key 'backend': 'cupy' needs a CUDA device and none answers; "
            "allowed here: auto, numpy"
        )
    for _key in ("results", "figures"):
        _resolved = (Path(workflow.basedir) / config[_key]).resolve()
        if not Path(config[_key]).is_absolute() and not _resolved.is_relative_to(
            Path(workflow.basedir).resolve()
        ):
            raise ConfigError(
                f"config key '{_key}': {config[_key]!r} resolves to {_resolved}, outside the project; "
                "to write there on purpose, give it as an absolute path"
            )
    # the reference is the committed config.yaml: an override of scales.default itself is measured against it
    _REFERENCE = yaml.safe_load((Path(workflow.basedir) / "config.yaml").read_text())
    _GROWTH = growth_by_claim(config, _REFERENCE)
    _long = too_long(config, _GROWTH)
    if _long:
        raise ConfigError(
            f"scale {config['scale']!r} is too long to start without asking: "
            + "; ".join(_long)
            + ". Add --config allow_long=true to run it anyway"
        )
except (ConfigError, BackendError) as err:
    raise WorkflowError(f"overparam: {err}")

if workflow.is_main_process:
    print(
        "overparam: work against the committed default scale: "
        + ", ".join(f"{c} {g:.3g}x" for c, g in _GROWTH.items()),
        file=sys.stderr,
    )


# the onsuccess handler prints the ledger only if this run wrote it
RUN_STARTED = time.time()
SCALE = config["scale"]
SETTINGS = config["scales"][SCALE]
RESULTS = f"{config['results']}/{SCALE}"  # every output of a scale lives under its own folders
FIGURES = f"{config['figures']}/{SCALE}"
RUNS = f"{RESULTS}/runs"
LEDGER = f"{RESULTS}/claims.md"
CLAIMS = declared_claims()
CONDA_ENV = "../envs/overparam.yaml"


def records(claim_id, group="records", index=0):
    """The output pattern of one set of a claim's run records, as the claim's declaration names it."""
    return f"{RUNS}/{CLAIMS[claim_id].records[group][index].pattern}"


def _stem(output):
    return os.path.splitext(os.path.relpath(output, RESULTS))[0]


def logs(output):
    """The log of the job that writes ``output``: the same path under the scale's logs folder."""
    return f"{RESULTS}/logs/{_stem(output)}.log"


def benchmarks(output):
    """The benchmark file of the job that writes ``output``: the same path under the scale's benchmarks."""
    return f"{RESULTS}/benchmarks/{_stem(output)}.tsv"


def record_files(claim_id):
    """A claim's record files at this scale, by input group; a claim that resolves to none is an error."""
    groups = {
        group: [f"{RUNS}/{path}" for path in paths]
        for group, paths in CLAIMS[claim_id].record_paths(SETTINGS).items()
    }
    empty = [group for group, paths in groups.items() if not paths]
    if empty:
        raise WorkflowError(
            f"overparam: claim {claim_id} has no record files in group(s) {', '.join(empty)} at "
            f"scale {SCALE}: its settings (scales.{SCALE}.{claim_id}) list no points"
        )
    return groups


def verdict_inputs(wildcards):
    """A claim's verdict reads its record files (by input group) and the code that analyses them."""
    return {
        **record_files(wildcards.claim),
        "sources": verdict_sources(wildcards.claim),
    }


def verdict_context(claim_id):
    """What a claim's verdict and figure read besides their files: its settings at this scale, its
    tolerances (the same at every scale), paper B's physics, its paper's own top-level block (``tensor:``
    for paper A, whose jobs read it), the base seed. The verdict's config hash covers all of it.
    """
    return {
        "scale": SCALE,
        "base_seed": config["base_seed"],
        "settings": SETTINGS.get(claim_id, {}),
        "tolerances": config["claims"].get(claim_id, {}),
        "physics": config["mediocrity"],
        "paper": config.get(CLAIMS[claim_id].paper_block, {}),
    }


def figure_paths(claim_id, extension):
    """Every figure file of a claim (the main one and its declared extra ones) with one extension."""
    return [
        f"{FIGURES}/{claim_id}{f'_{suffix}' if suffix else ''}.{extension}"
        for suffix in CLAIMS[claim_id].figure_suffixes()
    ]


def caption_path(claim_id):
    """The generated caption of a claim's figure, relative to rules/ as report() wants it."""
    target = (
        Path(workflow.basedir) / RESULTS / "captions" / f"{claim_id}.rst"
    ).resolve()
    return os.path.relpath(target, Path(workflow.basedir) / "rules")


# A record whose seal does not hold (truncated, edited, half-copied) is moved aside before the DAG is built,
# so that the rule producing it runs again instead of a verdict reading it. Only the main process does this
# (a cluster job parses the Snakefile too, while other jobs may be writing their records).
if workflow.is_main_process:
    for _damaged in quarantine_damaged(
        f"{RUNS}/{path}"
        for claim_id in CLAIMS
        for paths in CLAIMS[claim_id].record_paths(SETTINGS).values()
        for path in paths
    ):
        print(
            f"overparam: {_damaged} did not match its seal: moved aside, its job runs again",
            file=sys.stderr,
        )


wildcard_constraints:
    claim="|".join(CLAIMS),
    i=r"\d+",
    l=r"\d+",
    d=r"\d+",
    r=r"\d+",
    n=r"\d+",
    p=r"\d+",
    protocol=r"[a-z_]+",
    series=r"[a-z0-9_]+",
