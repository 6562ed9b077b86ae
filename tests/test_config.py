"""Bad input stops before any job with one line naming the key and the allowed values."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from overparam.config import ConfigError, validate_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "config.schema.yaml"
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text())


def _mutated(path: str, value, delete: bool = False) -> dict:
    cfg = copy.deepcopy(CONFIG)
    node = cfg
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    if delete:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return cfg


def test_the_shipped_config_is_valid_at_every_scale():
    for scale in CONFIG["scales"]:
        validate_config({**CONFIG, "scale": scale}, SCHEMA)


@pytest.mark.parametrize(
    "path,value,expected",
    [
        ("colour", "blue", "config key 'colour' is not a known key; allowed keys: allow_long, backend, base_seed"),
        ("scales.ci.escape_dlogd.sedes", 3, "'scales.ci.escape_dlogd.sedes' is not a known key; allowed keys: d,"),
        ("backend", "tpu", "config key 'backend': 'tpu' is not one of auto, numpy, cupy"),
        ("mediocrity.chain_engine", "numba", "config key 'mediocrity.chain_engine': 'numba' is not one of auto, fused, "
         "array"),
        ("base_seed", -1, "config key 'base_seed': -1 is less than the minimum of 0"),
        ("scales.ci.escape_dlogd.seeds", "many", "config key 'scales.ci.escape_dlogd.seeds': 'many' is not of type"),
        ("scale", "huge", "config key 'scale': 'huge' is not one of ci, default, paper"),
        ("scales.ci.escape_dlogd.gamma_p", [0.05, 0.2], "γ' = 0.2 ≥ 2/C_p = 0.1667 at p = 1 does not escape"),
        ("scales.ci.width_constant_factor.protocols", {"x": 2.0}, "protocols.x': γ' = 2.0 ≥ 2/C_p"),
        ("scales.ci.ode_matches_sgd.d", [16, 1000], "d = 16 is too small for p = 5; allowed: d > 16"),
        ("scales.ci.width_constant_factor.protocols", {"x": "best"}, "must be a positive number or 'optimal'"),
        ("scales.ci.subquadratic_width.series", [{"series": "f", "d0": 16, "n": [64, 128]}],
         "series[0].n': n = 128 > d0²/4 = 64 makes the degree-2 kernel singular; allowed: n ≤ 64"),
        ("scales.ci.subquadratic_width.seeds", 2, "2 seeds cannot give min_success = 4; allowed: seeds ≥ 4"),
        ("scales.ci.subquadratic_width.init", "xavier", "'xavier' is not one of lecun, he"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(path, value, expected):
    with pytest.raises(ConfigError) as err:
        validate_config(_mutated(path, value), SCHEMA)
    message = str(err.value)
    assert expected in message and "\n" not in message


def test_a_missing_required_key_is_named():
    with pytest.raises(ConfigError, match="'mediocrity'.*required"):
        validate_config(_mutated("mediocrity", None, delete=True), SCHEMA)


def test_snakemake_stops_before_any_job_and_touches_nothing(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    sentinel = out / "claims.md"
    sentinel.write_text("earlier ledger\n")
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", "--config", "backend=tpu", f"results={out}",
           f"figures={tmp_path / 'figs'}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "config key 'backend': 'tpu' is not one of auto, numpy, cupy" in proc.stdout + proc.stderr
    assert sentinel.read_text() == "earlier ledger\n"
    assert sorted(p.name for p in out.iterdir()) == ["claims.md"]
