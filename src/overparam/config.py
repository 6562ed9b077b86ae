"""Config validation before any job starts: the JSON schema, then the cross-field rules of SPEC.md.

Every problem becomes one line naming the key and what is allowed, so a bad config stops the workflow
before a single job runs and nothing already computed is touched.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from overparam.mediocrity import theory


class ConfigError(ValueError):
    """A config value that is unknown, of the wrong type, out of range or impossible."""


def _key(path: Any) -> str:
    return ".".join(str(p) for p in path) or "<top level>"


def _schema_message(err: jsonschema.ValidationError) -> str:
    key = _key(err.absolute_path)
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        where = f"{key}." if err.absolute_path else ""
        hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"config key '{where}{extra[0]}' is not a known key{hint}"
    if err.validator == "enum":
        return f"config key '{key}': {err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "required":
        return f"config key '{key}': {err.message}"
    if err.validator == "oneOf":
        return f"config key '{key}': {err.instance!r} must be a positive number or 'optimal'"
    return f"config key '{key}': {err.message}"


def validate_config(config: dict[str, Any], schema_path: str | Path) -> None:
    """Raise :class:`ConfigError` with one line for the first problem found."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(list(e.absolute_path)), str(e.absolute_path)))
    if errors:
        raise ConfigError(_schema_message(errors[0]))
    scale = config["scale"]
    if scale not in config["scales"]:
        raise ConfigError(f"config key 'scale': {scale!r} is not one of {', '.join(config['scales'])}")
    for name in config["scales"]:
        _check_mediocrity(config, name)
        _check_width(config, name)


def _check_mediocrity(config: dict[str, Any], scale: str) -> None:
    delta = config["mediocrity"]["delta"]
    block = config["scales"][scale]

    def rate(key: str, gamma: Any, p: int) -> None:
        if gamma == "optimal":
            return
        limit = theory.gamma_max(p, delta)
        if gamma >= limit:
            raise ConfigError(f"config key '{key}': γ' = {gamma} ≥ 2/C_p = {limit:.4g} at p = {p} does not escape; "
                              f"allowed: 0 < γ' < {limit:.4g}")

    def dims(key: str, ds: list[int], p: int) -> None:
        low = 2 * (p + 1) + 4
        if min(ds) <= low:
            raise ConfigError(f"config key '{key}': d = {min(ds)} is too small for p = {p}; allowed: d > {low}")

    if "escape_dlogd" in block:
        b = block["escape_dlogd"]
        for g in b["gamma_p"]:
            rate(f"scales.{scale}.escape_dlogd.gamma_p", g, b["p"])
        dims(f"scales.{scale}.escape_dlogd.d", b["d"], b["p"])
    if "width_constant_factor" in block:
        b = block["width_constant_factor"]
        for name, g in b["protocols"].items():
            for p in b["p"]:
                rate(f"scales.{scale}.width_constant_factor.protocols.{name}", g, p)
        dims(f"scales.{scale}.width_constant_factor.d", b["d"], max(b["p"]))
    if "ode_matches_sgd" in block:
        b = block["ode_matches_sgd"]
        for p in b["p"]:
            rate(f"scales.{scale}.ode_matches_sgd.gamma_p", b["gamma_p"], p)
        dims(f"scales.{scale}.ode_matches_sgd.d", b["d"], max(b["p"]))


def _check_width(config: dict[str, Any], scale: str) -> None:
    block = config["scales"][scale].get("subquadratic_width")
    if block is None:
        return
    key = f"scales.{scale}.subquadratic_width"
    min_success = config["claims"].get("subquadratic_width", {}).get("min_success", 1)
    if min_success > block["seeds"]:
        raise ConfigError(f"config key '{key}.seeds': {block['seeds']} seeds cannot give min_success = {min_success}; "
                          f"allowed: seeds ≥ {min_success}")
    points = [*block["series"], {**block["tracking"], "n": [block["tracking"]["n"]]}]
    for i, series in enumerate(points):
        where = f"{key}.series[{i}]" if i < len(block["series"]) else f"{key}.tracking"
        if ("d0" in series) == ("d0_sqrt_coef" in series):
            raise ConfigError(f"config key '{where}': give exactly one of d0 (fixed) or d0_sqrt_coef (d0 = ⌈c√n⌉)")
        for n in series["n"]:
            d0 = series["d0"] if "d0" in series else math.ceil(series["d0_sqrt_coef"] * math.sqrt(n) - 1e-12)
            if 4 * n > d0 * d0:
                raise ConfigError(f"config key '{where}.n': n = {n} > d0²/4 = {d0 * d0 / 4:g} makes the degree-2 "
                                  f"kernel singular; allowed: n ≤ {d0 * d0 // 4}")
