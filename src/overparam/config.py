"""Config validation before any job starts: the JSON schema, then each claim's own cross-field check.

Every problem becomes one line naming the key and what is allowed, so a bad config stops the workflow before a
single job runs and nothing already computed is touched. The physics of each check lives with its claim
(the ``check`` of its declaration); this module knows only the schema.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jsonschema
import yaml


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
    if err.validator == "pattern" and err.schema_path and "propertyNames" in err.schema_path:
        return f"config key '{key}': the name {err.instance!r} must match {err.validator_value} (lower-case)"
    if err.validator == "oneOf":
        return f"config key '{key}': {err.instance!r} must be a positive number or 'optimal'"
    return f"config key '{key}': {err.message}"


def _set(config: dict[str, Any], path: list[Any], value: Any) -> None:
    node: Any = config
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def coerce_command_line_strings(config: dict[str, Any], validator: jsonschema.Draft7Validator) -> None:
    """Turn strings where the schema wants a number or a boolean into that value, in place.

    Snakemake parses a nested ``--config 'claims={escape_dlogd: {slope_tolerance: 0.3}}'`` with YAML's base loader,
    which keeps every scalar inside it a string ('0.3'); a top-level ``key=0.3`` arrives as a float. A string that
    fails the schema and reads as a YAML number or boolean is taken as that value; anything else stays an error.
    """
    for _ in range(10_000):  # each pass fixes at least one value; a config has far fewer
        changed = False
        for err in validator.iter_errors(config):
            if not isinstance(err.instance, str) or err.validator not in ("type", "oneOf", "exclusiveMinimum",
                                                                        "minimum", "maximum", "exclusiveMaximum"):
                continue
            try:
                value = yaml.safe_load(err.instance)
            except yaml.YAMLError:
                continue
            if isinstance(value, (bool, int, float)) and not isinstance(value, str):
                _set(config, list(err.absolute_path), value)
                changed = True
                break
        if not changed:
            return


PAIRS = (("_low", "_high"), ("_start", "_stop"), ("_min", "_max"))  # sibling keys that must be ordered
INTERVAL_KEYS = ("band",)  # list-valued keys that are intervals [lo, hi]
SWEEP_SUFFIXES = ("_grid",)  # list-valued keys that are sweeps: strictly increasing
SWEEP_KEYS = ("d", "n", "p", "r", "ls", "gamma_p", "track_width_ratios")  # sweeps too
MAY_BE_EMPTY = ("eps_report",)  # report-only lists: nothing to report is a valid choice
IDENTITY_KEYS = ("series", "l")  # in a list of blocks, the key that names each block: no two alike


def _is_integer(checker: Any, instance: Any) -> bool:
    """JSON Schema draft 7 counts 5.0 as an integer; a count here must be written as one."""
    return isinstance(instance, int) and not isinstance(instance, bool)


StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator,
    type_checker=jsonschema.Draft7Validator.TYPE_CHECKER.redefine("integer", _is_integer))


def _walk(node: Any, path: tuple[str, ...] = ()) -> Any:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, str(i)))


def check_numbers_are_finite(config: dict[str, Any]) -> None:
    """NaN and ±inf pass every range check in a schema (NaN compares false): refuse them by name."""
    for path, value in _walk(config):
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"config key '{_key(path)}': {value} is not a finite number")


def check_ordered(config: dict[str, Any]) -> None:
    """Intervals read low to high: a ``band`` [lo, hi], sibling keys ``x_low/x_high``, ``x_start/x_stop``,
    ``x_min/x_max``; sweeps (``x_grid``, and the grids ``d``, ``n``, ``p``, ``r``, ``ls``, ``gamma_p``, …)
    strictly increasing, so that no point is run or counted twice; no list empty, no repeated value in a list, no
    two blocks of a list with the same name (``series``, ``l``). A reversed band (it contains nothing), a sweep
    that runs backwards, an empty or repeated one is an error."""
    for path, node in _walk(config):
        if isinstance(node, list):
            where = _key(path)
            if not node and path[-1:] and path[-1] not in MAY_BE_EMPTY:
                raise ConfigError(f"config key '{where}': an empty list; allowed: at least one value")
            scalars = [v for v in node if isinstance(v, str | int | float)]
            if len(set(scalars)) < len(scalars):
                raise ConfigError(f"config key '{where}': {node} repeats a value; allowed: each value once")
            blocks = [v for v in node if isinstance(v, dict)]
            if any(a == b for i, a in enumerate(blocks) for b in blocks[i + 1:]):
                raise ConfigError(f"config key '{where}': two identical entries; allowed: each entry once")
            for ident in IDENTITY_KEYS:  # a series by its name; a sweep of d per l (lists of d) by its l
                names = [v[ident] for v in blocks if ident in v and (ident != "l" or isinstance(v.get("d"), list))]
                if len(set(map(str, names))) < len(names):
                    raise ConfigError(f"config key '{where}': two entries with the same {ident} ({names}); "
                                      f"allowed: each {ident} once")
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key in INTERVAL_KEYS and isinstance(value, list) and len(value) == 2 and not value[0] < value[1]:
                raise ConfigError(f"config key '{_key((*path, key))}': {value} must be [low, high] with low < high")
            is_sweep = key.endswith(SWEEP_SUFFIXES) or key in SWEEP_KEYS
            if is_sweep and isinstance(value, list) and all(isinstance(v, int | float) for v in value) and any(
                    not a < b for a, b in zip(value, value[1:])):
                raise ConfigError(f"config key '{_key((*path, key))}': {value} must be strictly increasing")
            for lo_suffix, hi_suffix in PAIRS:
                if key.endswith(lo_suffix):
                    other = key[: -len(lo_suffix)] + hi_suffix
                    hi = node.get(other)
                    if isinstance(value, int | float) and isinstance(hi, int | float) and not value < hi:
                        raise ConfigError(f"config keys '{_key((*path, key))}' = {value} and '{other}' = {hi}: "
                                          f"{key} must be below {other}")


def validate_config(config: dict[str, Any], schema_path: str | Path) -> None:
    """Raise :class:`ConfigError` with one line for the first problem found."""
    from overparam.claim import resolve
    from overparam.registry import claims

    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = StrictValidator(schema)
    coerce_command_line_strings(config, validator)
    check_numbers_are_finite(config)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(list(e.absolute_path)), str(e.absolute_path)))
    if errors:
        raise ConfigError(_schema_message(errors[0]))
    scale = config["scale"]
    if scale not in config["scales"]:
        raise ConfigError(f"config key 'scale': {scale!r} is not one of {', '.join(config['scales'])}")
    check_ordered(config)
    missing = [c for c in claims() if c not in config["scales"][scale]]
    if missing:
        raise ConfigError(f"config key 'scales.{scale}': no block for claim(s) {', '.join(missing)} "
                          f"(every scale lists every claim: {', '.join(claims())})")
    for name, block in config["scales"].items():
        for claim_id, declared in claims().items():
            if declared.check and claim_id in block:
                resolve(declared.check)(block[claim_id], config["claims"].get(claim_id, {}),
                                        config.get(declared.paper_block, {}),
                                        f"scales.{name}.{claim_id}")
