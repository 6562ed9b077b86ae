"""What a Snakemake job runs, run under array_api_strict: the GPU path, as far as a CPU can check it.

Every experiment entry point that a training rule calls gives the same records under the strict namespace
(which has only the standard's functions, and where conftest.py makes any implicit conversion to NumPy raise,
as CuPy does) as under NumPy. Strict draws from the same host streams, so the records agree to rounding; a
kernel that reached for NumPy, or copied to the host behind the backend's back, fails here rather than on
its first GPU run.
"""

from __future__ import annotations

import math

import pytest

from overparam.backend import get_backend
from overparam.initratio import experiment as initratio
from overparam.mediocrity import experiment as mediocrity
from overparam.tensor import experiment as tensor
from overparam.width import experiment as width

VOLATILE = {"backend", "device"}  # and every key that holds a wall time

WIDTH = {"series": "sqrt", "n": 16, "d0_sqrt_coef": 2.0, "seeds": 2, "min_success": 2, "d1_min": 1,
         "d1_max_ratio": 4.0, "d1_start_ratio": 1.5, "steps_per_sample": 60, "loss_tol": 1e-4, "lr_scale": 1.0,
         "max_halvings": 40, "init": "lecun", "shared_data": False}
INITRATIO = {"dataset": "digits", "mnist_path": None, "d1": 8, "seeds": 2, "omega_index": 2,
             "omega2_grid": [0.002, 0.00744, 0.01289, 0.01833, 0.02378, 0.03467, 0.04556, 0.05644, 0.06733, 0.07822],
             "omega2_num": 5, "epochs": 1, "batch_size": 64, "lr": 0.01, "teacher_lr": 0.1,
             "teacher_batch_size": 64, "teacher_max_epochs": 20, "teacher_activation": "gelu"}
ESCAPE = {"claim": "escape_dlogd", "base_seed": 5, "p": 2, "seeds": 3, "delta": 1e-4, "t_max_factor": 10.0,
          "dt_check": 1e-2}

JOBS = {
    "tensor lazy": lambda be: tensor.run_lazy_point({"l": 3, "d": 6, "r_list": [1, 2], "seeds": 2}, 11, be),
    "tensor lazy GD": lambda be: tensor.run_lazy_gd_point(
        {"l": 3, "d": 5, "m": 3, "r": 1, "seeds": 1, "alpha": 1000, "max_steps": 300}, 3, be),
    "tensor rich": lambda be: tensor.run_rich_point(
        {"l": 3, "d": 8, "r": 2, "seeds": 2, "max_steps": 400, "check_every": 50, "m_grid": [4],
         "variants": ["reinit", "plain"], "target": "gaussian"}, 1, be),
    "width search": lambda be: width.run_point(WIDTH, 3, be),
    "width tracking": lambda be: width.run_tracking(
        {**WIDTH, "track_width_ratios": [1.5], "track_every": 40, "track_seeds": 1}, 3, be),
    "init ratio": lambda be: initratio.run_ratio_point(INITRATIO, 11, be),
    "escape, chain": lambda be: mediocrity.escape_series(be, d=[200], gammas=[0.1], **ESCAPE),
    "escape, direct SGD": lambda be: mediocrity.escape_series(be, d=[400], gammas=[0.1], simulator="direct",
                                                              **ESCAPE),
    "ODE vs SGD": lambda be: mediocrity.ode_vs_sgd_series(be, d=[200], gamma_p=0.1,
                                                          **{k: v for k, v in ESCAPE.items()}),
    "risk traces": lambda be: mediocrity.risk_traces(be, d=400, gamma_p=0.1, **ESCAPE),
}


def _same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("job", list(JOBS))
def test_a_jobs_records_are_the_same_under_the_strict_namespace(job):
    want = JOBS[job](get_backend("numpy"))
    got = JOBS[job](get_backend("array_api_strict"))
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        keys = {k for k in set(g) | set(w) if k not in VOLATILE and "wall" not in k}
        differ = {k: (g.get(k), w.get(k)) for k in keys if not _same_value(g.get(k), w.get(k))}
        assert not differ, differ
