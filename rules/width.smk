# Paper C — subquadratic width: claim subquadratic_width (C1).


rule subquadratic_width_run:
    input:
        WIDTH_SOURCES,
    output:
        f"{RUN}/subquadratic_width/{{series}}_n{{n}}.csv",
    log:
        f"{R}/logs/{SCALE}/subquadratic_width_{{series}}_n{{n}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/subquadratic_width_{{series}}_n{{n}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="point",
        point=width_point,
        base_seed=config["base_seed"],
        backend=config["backend"],
    script:
        "../scripts/width_run.py"


rule subquadratic_width_tracking:
    input:
        WIDTH_SOURCES,
    output:
        f"{RUN}/subquadratic_width/tracking.csv",
    log:
        f"{R}/logs/{SCALE}/subquadratic_width_tracking.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/subquadratic_width_tracking.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        kind="tracking",
        point=width_tracking,
        base_seed=config["base_seed"],
        backend=config["backend"],
    script:
        "../scripts/width_run.py"


CLAIM_RECORDS["subquadratic_width"] = {
    "records": width_records,
    "tracking": [f"{RUN}/subquadratic_width/tracking.csv"],
}
