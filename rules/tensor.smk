# Paper A — tensor decomposition: claims lazy_lower_bound (A1) and rich_upper_bound (A2).


rule lazy_lower_bound_run:
    """A1: the best lazy (tangent-space) fit's residual ρ against m at one (l, d), from the exact Gram solve."""
    input:
        kernel_sources("lazy_lower_bound"),
    output:
        records("lazy_lower_bound"),
    log:
        logs(records("lazy_lower_bound")),
    benchmark:
        benchmarks(records("lazy_lower_bound"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: tensor_jobs.lazy_lower_bound_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule lazy_lower_bound_gd_check:
    """A1's check that the tangent-space solve is what lazy GD reaches: GD at large α on a few points."""
    input:
        kernel_sources("lazy_lower_bound"),
    output:
        records("lazy_lower_bound", "gd_check"),
    log:
        logs(records("lazy_lower_bound", "gd_check")),
    benchmark:
        benchmarks(records("lazy_lower_bound", "gd_check"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: tensor_jobs.lazy_lower_bound_gd_check_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule rich_upper_bound_run:
    """A2: success rate of the rich GD variant (and its ablations) over the m grid at one (l, d)."""
    input:
        kernel_sources("rich_upper_bound"),
    output:
        records("rich_upper_bound"),
    log:
        logs(records("rich_upper_bound")),
    benchmark:
        benchmarks(records("rich_upper_bound"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: tensor_jobs.rich_upper_bound_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule rich_upper_bound_r_series:
    """A2's r series: success rate over the m grid at one (l, r), at the series' d."""
    input:
        kernel_sources("rich_upper_bound"),
    output:
        records("rich_upper_bound", index=1),
    log:
        logs(records("rich_upper_bound", index=1)),
    benchmark:
        benchmarks(records("rich_upper_bound", index=1))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: tensor_jobs.rich_upper_bound_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"
