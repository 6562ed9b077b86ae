# Paper C — the paper's own experiment: claim init_ratio (C2), one job per ω2 of the grid.


rule init_ratio_run:
    input:
        package_sources("initratio"),
    output:
        f"{RUN}/init_ratio/omega{{i}}.csv",
    log:
        f"{R}/logs/{SCALE}/init_ratio_omega{{i}}.log",
    benchmark:
        f"{R}/benchmarks/{SCALE}/init_ratio_omega{{i}}.tsv"
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        point=lambda w: {
            **SCALE_CFG["init_ratio"],
            **config["claims"]["init_ratio"],
            "omega_index": int(w.i),
        },
        base_seed=config["base_seed"],
        backend=config["backend"],
    script:
        "../scripts/initratio_run.py"


CLAIM_RECORDS["init_ratio"] = {
    "records": expand(
        f"{RUN}/init_ratio/omega{{i}}.csv",
        i=range(SCALE_CFG.get("init_ratio", {}).get("omega2_num", 0)),
    ),
}
