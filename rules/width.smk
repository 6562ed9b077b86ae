# Paper C — subquadratic width: claim subquadratic_width (C1).


rule subquadratic_width_run:
    """C1: the smallest width d1 at which GD on both layers reaches zero loss, per seed, at one (series, n)."""
    input:
        kernel_sources("subquadratic_width"),
    output:
        records("subquadratic_width"),
    log:
        logs(records("subquadratic_width")),
    benchmark:
        benchmarks(records("subquadratic_width"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: width_jobs.subquadratic_width_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule subquadratic_width_tracking:
    """C1's tracking panel: λ_min of the NTK, the PL ratio and the path length along training."""
    input:
        kernel_sources("subquadratic_width"),
    output:
        records("subquadratic_width", "tracking"),
    log:
        logs(records("subquadratic_width", "tracking")),
    benchmark:
        benchmarks(records("subquadratic_width", "tracking"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: width_jobs.subquadratic_width_tracking_job(
            config, dict(w.items())
        ),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"
