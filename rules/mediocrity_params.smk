# Paper B — parameters and inputs of the escaping-mediocrity rules (functions only; rules in mediocrity.smk).

MED = config["mediocrity"]
MED_SOURCES = package_sources("mediocrity")


def med_common():
    return {
        "delta": MED["delta"],
        "dt_check": MED["dt_check"],
        "t_max_factor": MED["t_max_factor"],
        "base_seed": config["base_seed"],
    }


def seeds_for_p(block, p):
    """Replicas at p hidden units: the p = 1 count shrunk like 1/p (exit times self-average over p)."""
    return max(block["min_seeds"], -(-block["seeds_p1"] // p))


def b1_series(wildcards):
    b = SCALE_CFG["escape_dlogd"]
    g = b["gamma_p"][int(wildcards.i)]
    return {
        "claim": "escape_dlogd",
        "p": b["p"],
        "d": b["d"],
        "gammas": [g],
        "seeds": b["seeds"],
        "simulator": b.get("simulator", "chain"),
        **med_common(),
    }


def b2_series(wildcards):
    b = SCALE_CFG["width_constant_factor"]
    p = int(wildcards.p)
    return {
        "claim": "width_constant_factor",
        "p": p,
        "d": b["d"],
        "protocol": wildcards.protocol,
        "gamma": b["protocols"][wildcards.protocol],
        "seeds": seeds_for_p(b, p),
        "simulator": b.get("simulator", "chain"),
        **med_common(),
    }


def b3_series(wildcards):
    b = SCALE_CFG["ode_matches_sgd"]
    return {
        "claim": "ode_matches_sgd",
        "p": int(wildcards.p),
        "d": b["d"],
        "gamma_p": b["gamma_p"],
        "seeds": seeds_for_p(b, int(wildcards.p)),
        **med_common(),
    }


def b3_validation(wildcards):
    v = SCALE_CFG["ode_matches_sgd"]["validation"]
    return {
        "claim": "ode_matches_sgd",
        "p": int(wildcards.p),
        "d": v["d"],
        "gamma_p": v["gamma_p"],
        "seeds": v["seeds"],
        **med_common(),
    }


def b3_trace(wildcards):
    return {
        "claim": "ode_matches_sgd",
        **SCALE_CFG["ode_matches_sgd"]["trace"],
        **med_common(),
    }


def b1_records(wildcards):
    n = len(SCALE_CFG["escape_dlogd"]["gamma_p"])
    return expand(f"{RUN}/escape_dlogd/gamma{{i}}.csv", i=range(n))


def b2_records(wildcards):
    b = SCALE_CFG["width_constant_factor"]
    return expand(
        f"{RUN}/width_constant_factor/{{protocol}}_p{{p}}.csv",
        protocol=list(b["protocols"]),
        p=b["p"],
    )


def b3_records(wildcards):
    b = SCALE_CFG["ode_matches_sgd"]
    return expand(f"{RUN}/ode_matches_sgd/p{{p}}.csv", p=b["p"])


def b3_validation_records(wildcards):
    v = SCALE_CFG["ode_matches_sgd"]["validation"]
    return expand(f"{RUN}/ode_matches_sgd/validation_p{{p}}.csv", p=v["p"])
