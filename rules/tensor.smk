# Paper A — tensor decomposition: claims lazy_lower_bound (A1) and rich_upper_bound (A2).


rule lazy_lower_bound_run:
    input:
        TENSOR_SOURCES,
    output:
        f"{RUN}/lazy_lower_bound/l{{l}}_d{{d}}.csv",
    log:
        f"{R}/logs/{SCALE}/lazy_lower_bound_l{{l}}_d{{d}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/lazy_lower_bound_l{{l}}_d{{d}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="lazy",
        points=lambda w: [lazy_point(w)],
        base_seed=config["base_seed"],
        backend=config["backend"],
    script:
        "../scripts/tensor_run.py"


rule lazy_lower_bound_gd_check:
    input:
        TENSOR_SOURCES,
    output:
        f"{RUN}/lazy_lower_bound/gd_check.csv",
    log:
        f"{R}/logs/{SCALE}/lazy_lower_bound_gd_check.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/lazy_lower_bound_gd_check.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="lazy_gd",
        points=lazy_gd_points,
        base_seed=config["base_seed"],
        backend=config["backend"],
    script:
        "../scripts/tensor_run.py"


rule rich_upper_bound_run:
    input:
        TENSOR_SOURCES,
    output:
        f"{RUN}/rich_upper_bound/l{{l}}_d{{d}}.csv",
    log:
        f"{R}/logs/{SCALE}/rich_upper_bound_l{{l}}_d{{d}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/rich_upper_bound_l{{l}}_d{{d}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="rich",
        points=lambda w: [rich_point(w)],
        base_seed=config["base_seed"],
        backend=config["backend"],
    script:
        "../scripts/tensor_run.py"


rule rich_upper_bound_r_series:
    input:
        TENSOR_SOURCES,
    output:
        f"{RUN}/rich_upper_bound/l{{l}}_r{{r}}.csv",
    log:
        f"{R}/logs/{SCALE}/rich_upper_bound_l{{l}}_r{{r}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/rich_upper_bound_l{{l}}_r{{r}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="rich",
        points=lambda w: [rich_r_point(w)],
        base_seed=config["base_seed"],
        backend=config["backend"],
    script:
        "../scripts/tensor_run.py"


CLAIM_RECORDS["lazy_lower_bound"] = {
    "records": lazy_records,
    "gd_check": [f"{RUN}/lazy_lower_bound/gd_check.csv"],
}
CLAIM_RECORDS["rich_upper_bound"] = {"records": rich_records, "lazy": lazy_records}
