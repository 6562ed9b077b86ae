# overparam: every claimed bound of three over-parameterisation papers as one target.
#   snakemake                      all claims (default scale, profiles/default)
#   snakemake claim_escape_dlogd   one claim
#   snakemake --config scale=ci    another scale (a block of config.yaml); its outputs go to results/ci, figures/ci
#   snakemake --list-rules         what every rule does
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "rules/common.smk"
include: "rules/tensor.smk"
include: "rules/mediocrity.smk"
include: "rules/width.smk"
include: "rules/initratio.smk"
include: "rules/report.smk"


report: "report/workflow.rst"


rule all:
    """Every claim of the scale: verdicts, figures and the claims ledger."""
    default_target: True
    input:
        LEDGER,


onsuccess:
    # the ledger only when this run wrote it (a run of one claim leaves an older ledger that may not match it)
    if Path(LEDGER).exists() and Path(LEDGER).stat().st_mtime >= RUN_STARTED:
        print(Path(LEDGER).read_text())
