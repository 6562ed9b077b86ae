"""Hostile input and damaged data: every case ends in a one-line error naming the key or the file, or in the rerun
of exactly what was damaged; nothing already computed is lost and nothing wrong is written as a verdict."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from overparam.config import ConfigError, validate_config
from overparam.records import RecordError, quarantine_damaged, read_records, seal_path, write_records
from overparam.verdict import Verdict, VerdictError, read_current_verdicts, read_verdict

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "config.schema.yaml"
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text())
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def _set(cfg: dict, path: str, value) -> dict:
    cfg = copy.deepcopy(cfg)
    node = cfg
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if value is KeyError:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return cfg


NAN, INF = float("nan"), float("inf")
BAD_CONFIGS = [
    # non-finite numbers pass a schema's range checks: each is named
    ("mediocrity.delta", NAN, "mediocrity.delta': nan is not a finite"),
    ("mediocrity.dt_check", INF, "mediocrity.dt_check': inf is not a finite"),
    ("mediocrity.t_max_factor", NAN, "t_max_factor': nan"),
    ("claims.escape_dlogd.slope_tolerance", NAN, "slope_tolerance': nan"),
    ("scales.ci.escape_dlogd.gamma_p", [INF], "gamma_p.0': inf"),
    # the wrong type for a count
    ("scales.ci.escape_dlogd.seeds", 3.5, "scales.ci.escape_dlogd.seeds': 3.5 is not of type 'integer'"),
    ("scales.ci.escape_dlogd.seeds", 100.0, "scales.ci.escape_dlogd.seeds': 100.0 is not of type 'integer'"),
    ("scales.ci.escape_dlogd.seeds", "100.0", "scales.ci.escape_dlogd.seeds': 100.0 is not of type 'integer'"),
    ("scales.ci.escape_dlogd.seeds", "many", "seeds': 'many' is not of type 'integer'"),
    ("scales.ci.escape_dlogd.seeds", -5, "seeds': -5 is less than the minimum"),
    # contradictory settings
    ("claims.lazy_lower_bound.band", [1.1, 0.9], "band': [1.1, 0.9] must be [low, high]"),
    ("claims.init_ratio.omega2_grid", [0.002, 0.05, 0.01], "omega2_grid': [0.002, 0.05, 0.01] must be strictly"),
    # sweeps that run backwards, repeat a point, or are empty: a point run or counted twice, or none
    ("scales.ci.escape_dlogd.d", [8000, 1000], "escape_dlogd.d': [8000, 1000] must be strictly increasing"),
    ("scales.ci.subquadratic_width.series.0.n", [256, 32], "series.0.n': [256, 32] must be strictly increasing"),
    ("scales.ci.escape_dlogd.gamma_p", [0.1, 0.1], "gamma_p': [0.1, 0.1] must be strictly increasing"),
    ("scales.ci.rich_upper_bound.variants", ["reinit", "reinit"], "variants': ['reinit', 'reinit'] repeats"),
    ("scales.ci.rich_upper_bound.r_series.r", [], "r_series.r': an empty list"),
    ("scales.ci.lazy_lower_bound.gd_check.points", [], "gd_check.points': an empty list"),
    ("scales.ci.lazy_lower_bound.points", [{"l": 3, "d": [8, 10]}, {"l": 3, "d": [12, 14]}],
     "two entries with the same l"),
    # cross-field checks of papers A and C2
    ("scales.ci.init_ratio.omega2_num", 50, "init_ratio.omega2_num': 50 ω2 values (the grid"),
    ("scales.ci.init_ratio.omega2_num", 2, "allowed: 3 to 10"),
    ("scales.ci.init_ratio.seeds", 2, "init_ratio.seeds': 2 seeds can never give min_seeds = 3"),
    ("claims.rich_upper_bound.r_main", 3, "r_main': 3 is not in 'tensor.lazy.r_list'"),
    ("scales.ci.lazy_lower_bound.points", [{"l": 3, "d": [8, 10, 12]}], "lazy_lower_bound.ls': l = 4 has no entry"),
    # a claim that would resolve to no jobs: a protocol name the rules cannot match
    ("scales.ci.width_constant_factor.protocols", {"Fixed": 0.1}, "the name 'Fixed' must match"),
    # a missing block
    ("scales.ci.init_ratio", KeyError, "no block for claim(s) init_ratio"),
    ("scale", KeyError, "'scale' is a required property"),
    ("scale", "huge", "'huge' is not one of"),
]


@pytest.mark.parametrize(("path", "value", "expected"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_a_bad_config_is_one_line_naming_the_key(path, value, expected):
    cfg = _set({**CONFIG, "scale": "ci"}, path, value)
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, SCHEMA)
    assert expected in str(err.value) and "\n" not in str(err.value)


def _records(tmp_path: Path) -> Path:
    path = tmp_path / "runs" / "x.csv"
    write_records([{"d": 1000 + i, "t": 0.1 * i} for i in range(50)], path, backend="numpy", device="cpu")
    return path


@pytest.mark.parametrize("damage", ["truncate mid-line", "drop the last line", "edit one digit", "lose the seal",
                                    "garble the seal"])
def test_a_damaged_record_is_an_error_naming_it_and_is_moved_aside_so_its_job_reruns(tmp_path, damage):
    path = _records(tmp_path)
    data = path.read_bytes()
    if damage == "truncate mid-line":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "drop the last line":
        path.write_bytes(b"".join(data.splitlines(keepends=True)[:-1]))
    elif damage == "edit one digit":
        path.write_bytes(data.replace(b"1049", b"1048"))
    elif damage == "lose the seal":
        seal_path(path).unlink()
    else:
        seal_path(path).write_text("{not json")
    with pytest.raises(RecordError, match="x.csv"):
        read_records(path)
    assert quarantine_damaged([path, tmp_path / "absent.csv"]) == [path]
    assert not path.exists() and (tmp_path / "runs" / "x.csv.damaged").exists()


def test_a_whole_record_is_left_where_it_is(tmp_path):
    path = _records(tmp_path)
    assert quarantine_damaged([path]) == [] and len(read_records(path)) == 50


def _verdict(scale: str = "ci") -> Verdict:
    return Verdict("escape_dlogd", "paper", "statement", "1", "1.0 [0.9, 1.1]", "±10%", "pass", scale, "numpy",
                   "0", tests=[{"name": "x", "estimate": 1.0, "ci": [0.95, 1.05], "band": [0.9, 1.1], "bound": None,
                                "outcome": "pass", "seeds_factor": None}],
                   provenance={"config_hash": "abc"})


def test_a_truncated_or_edited_verdict_is_an_error_naming_it(tmp_path):
    path = tmp_path / "v.json"
    _verdict().write(path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(VerdictError, match="v.json"):
        read_verdict(path)
    path.write_text(text.replace('"pass"', '"fail"', 1))
    with pytest.raises(VerdictError, match="v.json"):
        read_verdict(path)


def test_a_verdict_whose_status_contradicts_its_tests_cannot_be_made():
    with pytest.raises(ValueError, match="not what its tests give"):
        Verdict("c", "p", "s", "1", "1", "t", "fail", "ci", "numpy", "0",
                tests=[{"name": "x", "outcome": "pass", "seeds_factor": None}])


def test_the_ledger_refuses_a_verdict_of_another_scale_or_config(tmp_path):
    path = tmp_path / "escape_dlogd.json"
    _verdict("default").write(path)
    with pytest.raises(VerdictError, match="scale 'default', not this run's 'ci'"):
        read_current_verdicts([str(path)], "ci", {"escape_dlogd": "abc"})
    _verdict("ci").write(path)
    with pytest.raises(VerdictError, match="config hash abc, not this run's def"):
        read_current_verdicts([str(path)], "ci", {"escape_dlogd": "def"})
    assert read_current_verdicts([str(path)], "ci", {"escape_dlogd": "abc"})


def _dry(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SNAKEMAKE, "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_ci_profile_keeps_its_scale_beside_other_config_keys(tmp_path):
    proc = _dry("--profile", "profiles/ci", "--config", "base_seed=5", f"results={tmp_path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{tmp_path}/ci/runs/" in proc.stdout and f"{tmp_path}/default" not in proc.stdout


def test_the_ci_profile_with_an_overlay_file_keeps_its_scale_when_the_readme_way_is_followed(tmp_path):
    """A command-line --configfile replaces a profile's config files (Snakemake's rule): the README says to name
    the profile's scale file beside the overlay, and that keeps the ci scale."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("base_seed: 5\n")
    proc = _dry("--profile", "profiles/ci", "--configfile", "profiles/ci/scale.yaml", str(overlay),
                "--config", f"results={tmp_path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{tmp_path}/ci/runs/" in proc.stdout and f"{tmp_path}/default" not in proc.stdout


def test_the_gpu_profile_keeps_its_backend_beside_other_config_keys():
    """profiles/gpu sets backend: cupy in a config file, so `--config scale=...` does not drop it: without a CUDA
    device the run stops at once, naming the key (it would otherwise run on NumPy without a word)."""
    from overparam.backend import cuda_available

    if cuda_available():
        pytest.skip("a CUDA device answers here: the profile would run")
    proc = _dry("--profile", "profiles/gpu", "--config", "scale=ci")
    assert proc.returncode != 0 and "config key 'backend': 'cupy' needs a CUDA device" in proc.stderr + proc.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (["--config", "results=../elsewhere"], "outside the project; to write there on purpose"),
    (["--config", "scale=paper"], "Add --config allow_long=true"),
    (["--config", "scale=ci", "scales={ci: {escape_dlogd: {seeds: 1000000000}}}"], "escape_dlogd: "),
    # the reference is the committed default scale, so overriding the default scale itself is measured too
    (["--config", "scales={default: {escape_dlogd: {seeds: 1000000000}}}"], "escape_dlogd: 3.33e+06×"),
    # caps outside the scale blocks: a paper's step cap, paper B's time cap
    (["--config", "tensor={rich: {l3: {max_steps: 1000000000}}}"], "rich_upper_bound: 1e+05×"),
    (["--config", "mediocrity={t_max_factor: 1000000}"], "width_constant_factor: 1e+05×"),
])
def test_a_dangerous_run_stops_before_any_job_with_one_line(args, expected):
    proc = _dry(*args)
    assert proc.returncode != 0 and expected in proc.stderr + proc.stdout


def test_an_explicit_allow_long_lets_the_paper_scale_build_its_dag():
    proc = _dry("--config", "scale=paper", "allow_long=true", "results=/tmp/overparam-paper-dry")
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_work_guard_counts_work_keys_only_outside_the_scale_blocks():
    """A looser tolerance or another physical constant is not more work; more bootstrap replicates or a higher
    step cap is."""
    from overparam.workload import growth_by_claim

    looser = _set(_set(CONFIG, "claims.subquadratic_width.loss_tol", 1e-2), "tensor.lazy.rel_ridge", 1e-11)
    assert set(growth_by_claim(looser, CONFIG).values()) == {1.0}
    heavier = _set(CONFIG, "claims.lazy_lower_bound.n_boot", 20000)
    assert growth_by_claim(heavier, CONFIG)["lazy_lower_bound"] == 10.0


def test_a_nested_number_on_the_command_line_is_taken_as_a_number(tmp_path):
    """Snakemake hands nested --config values over as strings; the schema turns them back into numbers."""
    proc = _dry("--config", "scale=ci", "claims={escape_dlogd: {slope_tolerance: 0.3}}", f"results={tmp_path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = _dry("--config", "scale=ci", "claims={escape_dlogd: {slope_tolerance: lots}}", f"results={tmp_path}")
    assert proc.returncode != 0 and "slope_tolerance': 'lots' is not of type 'number'" in proc.stderr + proc.stdout
