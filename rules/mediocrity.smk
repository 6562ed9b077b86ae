# Paper B — escaping mediocrity: claims escape_dlogd (B1), width_constant_factor (B2), ode_matches_sgd (B3).


rule escape_dlogd_run:
    input:
        MED_SOURCES,
    output:
        f"{RUN}/escape_dlogd/gamma{{i}}.csv",
    log:
        f"{R}/logs/{SCALE}/escape_dlogd_gamma{{i}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/escape_dlogd_gamma{{i}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="escape",
        series=b1_series,
        backend=config["backend"],
    script:
        "../scripts/mediocrity_run.py"


rule width_constant_factor_run:
    input:
        MED_SOURCES,
    output:
        f"{RUN}/width_constant_factor/{{protocol}}_p{{p}}.csv",
    log:
        f"{R}/logs/{SCALE}/width_constant_factor_{{protocol}}_p{{p}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/width_constant_factor_{{protocol}}_p{{p}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="escape",
        series=b2_series,
        backend=config["backend"],
    script:
        "../scripts/mediocrity_run.py"


rule ode_matches_sgd_run:
    input:
        MED_SOURCES,
    output:
        f"{RUN}/ode_matches_sgd/p{{p}}.csv",
    log:
        f"{R}/logs/{SCALE}/ode_matches_sgd_p{{p}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/ode_matches_sgd_p{{p}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="ode",
        series=b3_series,
        backend=config["backend"],
    script:
        "../scripts/mediocrity_run.py"


rule ode_matches_sgd_validation:
    input:
        MED_SOURCES,
    output:
        f"{RUN}/ode_matches_sgd/validation_p{{p}}.csv",
    log:
        f"{R}/logs/{SCALE}/ode_matches_sgd_validation_p{{p}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/ode_matches_sgd_validation_p{{p}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="validation",
        series=b3_validation,
        backend=config["backend"],
    script:
        "../scripts/mediocrity_run.py"


rule ode_matches_sgd_trace:
    input:
        MED_SOURCES,
    output:
        f"{RUN}/ode_matches_sgd/trace.csv",
    log:
        f"{R}/logs/{SCALE}/ode_matches_sgd_trace.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/ode_matches_sgd_trace.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="trace",
        series=b3_trace,
        backend=config["backend"],
    script:
        "../scripts/mediocrity_run.py"


CLAIM_RECORDS["escape_dlogd"] = {"records": b1_records}
CLAIM_RECORDS["width_constant_factor"] = {"records": b2_records}
CLAIM_RECORDS["ode_matches_sgd"] = {
    "records": b3_records,
    "validation": b3_validation_records,
    "trace": [f"{RUN}/ode_matches_sgd/trace.csv"],
}
