# Paper A — parameters and inputs of the tensor-decomposition rules (functions only; rules in tensor.smk).

TENSOR_SOURCES = package_sources("tensor")
TENSOR = config["tensor"]


def lazy_point(wildcards):
    return {
        "l": int(wildcards.l),
        "d": int(wildcards.d),
        "seeds": SCALE_CFG["lazy_lower_bound"]["seeds"],
        "target": TENSOR["target"],
        **TENSOR["lazy"],
    }


def lazy_gd_points(wildcards):
    g = SCALE_CFG["lazy_lower_bound"]["gd_check"]
    return [
        {
            **pt,
            **TENSOR["lazy_gd"],
            "seeds": g["seeds"],
            "target": TENSOR["target"],
            "gap_tol": config["claims"]["lazy_lower_bound"]["gd_gap_tol"],
            "rel_ridge": TENSOR["lazy"]["rel_ridge"],
        }
        for pt in g["points"]
    ]


def rich_common(l):
    rich = TENSOR["rich"]
    return {
        **{k: v for k, v in rich.items() if k not in ("l3", "l4")},
        **rich[f"l{l}"],
        "target": TENSOR["target"],
    }


def rich_point(wildcards):
    b = SCALE_CFG["rich_upper_bound"]
    return {
        **rich_common(int(wildcards.l)),
        "l": int(wildcards.l),
        "d": int(wildcards.d),
        "r": config["claims"]["rich_upper_bound"]["r_main"],
        "m_grid": b["m_grid"],
        "variants": b["variants"],
        "seeds": b["seeds"],
    }


def rich_r_point(wildcards):
    b = SCALE_CFG["rich_upper_bound"]
    rs = b["r_series"]
    return {
        **rich_common(int(wildcards.l)),
        "l": int(wildcards.l),
        "d": rs["d"],
        "r": int(wildcards.r),
        "m_grid": rs["m_grid"],
        "variants": rs["variants"],
        "seeds": b["seeds"],
    }


def lazy_records(wildcards):
    return [
        f"{RUN}/lazy_lower_bound/l{pt['l']}_d{d}.csv"
        for pt in SCALE_CFG["lazy_lower_bound"]["points"]
        for d in pt["d"]
    ]


def rich_records(wildcards):
    b = SCALE_CFG["rich_upper_bound"]
    rs = b["r_series"]
    return [
        f"{RUN}/rich_upper_bound/l{l}_d{d}.csv" for l in b["ls"] for d in b["d"]
    ] + [f"{RUN}/rich_upper_bound/l{l}_r{r}.csv" for l in rs["ls"] for r in rs["r"]]
