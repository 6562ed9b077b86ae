import os
import sys
from pathlib import Path

# one BLAS thread per job: jobs run side by side on the cores (and OpenBLAS thrashes when oversubscribed)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from overparam.backend import BackendError, cuda_available
from overparam.claims import registry
from overparam.config import ConfigError, validate_config

try:
    validate_config(config, Path(workflow.basedir) / "schemas" / "config.schema.yaml")
    if config["backend"] == "cupy" and not cuda_available():
        raise BackendError(
            "config key 'backend': 'cupy' needs a CUDA device and none answers; "
            "allowed here: auto, numpy"
        )
except (ConfigError, BackendError) as err:
    raise WorkflowError(f"overparam: {err}")


SCALE = config["scale"]
SCALE_CFG = config["scales"][SCALE]
R = config["results"]
F = config["figures"]
RUN = f"{R}/{SCALE}"
LEDGER = f"{R}/claims.md"
CLAIM_RECORDS = (
    {}
)  # claim id -> {input group: record files}; each paper's .smk adds its claims
CONDA_ENV = "../envs/overparam.yaml"
CORE_SOURCES = [
    f"src/overparam/{m}.py"
    for m in (
        "backend",
        "seeds",
        "records",
        "fit",
        "verdict",
        "provenance",
        "claims",
        "plotting",
    )
] + sorted(
    str(p)
    for stem in ("analysis", "claims", "figures")
    for p in Path("src/overparam").glob(f"*/{stem}.py")
)


def extra_figures(claim):
    """Suffixes of a claim's figures besides the main one (from the claims registry)."""
    return registry()[claim].extra_figures


def caption_path(claim):
    """The generated caption of a claim's figure, relative to rules/ as report() wants it."""
    target = (Path(workflow.basedir) / R / "captions" / f"{claim}.rst").resolve()
    return os.path.relpath(target, Path(workflow.basedir) / "rules")


def package_sources(paper):
    """A simulation rule's package inputs: editing a kernel reruns what depends on it; editing an analysis,
    a figure or the claims registry reruns only the verdicts and figures (which list CORE_SOURCES).
    """
    kernels = [
        str(p)
        for p in sorted(Path("src/overparam", paper).glob("*.py"))
        if p.stem not in ("analysis", "claims", "figures")
    ]
    return [f"src/overparam/{m}.py" for m in ("backend", "seeds", "records")] + kernels


def common_params(claim):
    """What every verdict carries besides the measurements."""
    return {
        "claim": claim,
        "scale": SCALE,
        "backend": config["backend"],
        "base_seed": config["base_seed"],
        "tolerances": config["claims"].get(claim, {}),
        "settings": SCALE_CFG.get(claim, {}),
    }


def claim_inputs(wildcards):
    groups = CLAIM_RECORDS[wildcards.claim]
    return {k: (v(wildcards) if callable(v) else v) for k, v in groups.items()}


wildcard_constraints:
    i=r"\d+",
    l=r"\d+",
    d=r"\d+",
    r=r"\d+",
    n=r"\d+",
    p=r"\d+",
    protocol=r"[a-z_]+",
