# overparam: every claimed bound of three over-parameterisation papers as one target.
#   snakemake                      all claims (default scale, profiles/default)
#   snakemake claim_escape_dlogd   one claim
#   snakemake --config scale=ci    another scale (a block of config.yaml)
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "rules/common.smk"
include: "rules/tensor_params.smk"
include: "rules/tensor.smk"
include: "rules/mediocrity_params.smk"
include: "rules/mediocrity.smk"
include: "rules/width_params.smk"
include: "rules/width.smk"
include: "rules/initratio.smk"
include: "rules/report.smk"


report: "report/workflow.rst"


rule all:
    default_target: True
    input:
        LEDGER,
