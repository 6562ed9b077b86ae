"""The installs a reviewer uses agree: the conda env, the runtime lock and pyproject's pins name the same versions,
and the runtime needs none of the test tools."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        line = line.split(";")[0].strip()
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            out[name.strip().lower().replace("_", "-")] = version.strip()
    return out


def test_the_conda_env_pins_exactly_the_runtime_lock():
    env = yaml.safe_load((ROOT / "envs" / "overparam.yaml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    lock = _pins((ROOT / "requirements" / "runtime.lock").read_text().splitlines())
    assert _pins(pip) == lock


def test_pyprojects_pins_are_the_locked_versions_and_the_runtime_has_no_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(project["dependencies"])
    lock = _pins((ROOT / "requirements" / "runtime.lock").read_text().splitlines())
    test_lock = _pins((ROOT / "requirements" / "test.lock").read_text().splitlines())
    assert {k: lock.get(k) for k in runtime} == runtime
    assert {k: test_lock.get(k) for k in runtime} == runtime
    assert not {"pytest", "hypothesis", "ruff", "cupy-cuda12x", "array-api-strict"} & set(lock)
    tests = _pins(project["optional-dependencies"]["test"])
    assert {k: test_lock.get(k) for k in tests} == tests
