# Paper B — escaping mediocrity: claims escape_dlogd (B1), width_constant_factor (B2), ode_matches_sgd (B3).


rule escape_dlogd_run:
    """B1: exit times of the exact chain over the d grid at one rate γ' (index i of the scale's list)."""
    input:
        kernel_sources("escape_dlogd"),
    output:
        records("escape_dlogd"),
    log:
        logs(records("escape_dlogd")),
    benchmark:
        benchmarks(records("escape_dlogd"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: mediocrity_jobs.escape_dlogd_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule width_constant_factor_run:
    """B2: exit times over the d grid at p hidden units under one rate protocol (γ' fixed or 1/C_p)."""
    input:
        kernel_sources("width_constant_factor"),
    output:
        records("width_constant_factor"),
    log:
        logs(records("width_constant_factor")),
    benchmark:
        benchmarks(records("width_constant_factor"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: mediocrity_jobs.width_constant_factor_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule ode_matches_sgd_run:
    """B3: chain exit times and the ODE's exit time from each replica's own start, at p hidden units."""
    input:
        kernel_sources("ode_matches_sgd"),
    output:
        records("ode_matches_sgd"),
    log:
        logs(records("ode_matches_sgd")),
    benchmark:
        benchmarks(records("ode_matches_sgd"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: mediocrity_jobs.ode_matches_sgd_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule ode_matches_sgd_validation:
    """B3's validation panel: the exact chain against direct SGD on the same point."""
    input:
        kernel_sources("ode_matches_sgd"),
    output:
        records("ode_matches_sgd", "validation"),
    log:
        logs(records("ode_matches_sgd", "validation")),
    benchmark:
        benchmarks(records("ode_matches_sgd", "validation"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: mediocrity_jobs.ode_matches_sgd_validation_job(
            config, dict(w.items())
        ),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"


rule ode_matches_sgd_trace:
    """B3's risk panel: risk against t for a few direct-SGD replicas and the ODE from their starts."""
    input:
        kernel_sources("ode_matches_sgd"),
    output:
        records("ode_matches_sgd", "trace"),
    log:
        logs(records("ode_matches_sgd", "trace")),
    benchmark:
        benchmarks(records("ode_matches_sgd", "trace"))
    conda:
        CONDA_ENV
    resources:
        gpu=1,
    params:
        job=lambda w: mediocrity_jobs.ode_matches_sgd_trace_job(config, dict(w.items())),
        backend=config["backend"],
    script:
        "../scripts/run_job.py"
