# Paper C — the paper's own experiment: claim init_ratio (C2), one job per ω2 of the grid.


rule init_ratio_run:
    """C2: every seed of one ω2 of the initialisation-ratio sweep (index i of the grid), trained as a batch."""
    input:
        kernel_sources("init_ratio"),
    output:
        records("init_ratio"),
    log:
        logs(records("init_ratio")),
    benchmark:
        benchmarks(records("init_ratio"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: initratio_jobs.init_ratio_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"
