# Paper C — parameters and inputs of the subquadratic-width rules (functions only; rules in width.smk).

WIDTH_SOURCES = package_sources("width")


def width_series(name):
    for s in SCALE_CFG["subquadratic_width"]["series"]:
        if s["series"] == name:
            return s
    raise ValueError(f"subquadratic_width: no series named {name!r}")


def width_point(wildcards):
    """Everything run_point reads: the series' d0 rule, n, the scale's search settings, the claim's test."""
    block = {
        k: v
        for k, v in SCALE_CFG["subquadratic_width"].items()
        if k not in ("series", "tracking")
    }
    series = {k: v for k, v in width_series(wildcards.series).items() if k != "n"}
    return {
        **block,
        **series,
        **config["claims"]["subquadratic_width"],
        "n": int(wildcards.n),
    }


def width_tracking(wildcards):
    block = {
        k: v
        for k, v in SCALE_CFG["subquadratic_width"].items()
        if k not in ("series", "tracking")
    }
    return {
        **block,
        **config["claims"]["subquadratic_width"],
        **SCALE_CFG["subquadratic_width"]["tracking"],
    }


def width_records(wildcards):
    return [
        f"{RUN}/subquadratic_width/{s['series']}_n{n}.csv"
        for s in SCALE_CFG["subquadratic_width"]["series"]
        for n in s["n"]
    ]
