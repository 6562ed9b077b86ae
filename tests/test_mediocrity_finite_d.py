"""The finite-d study of B2: κ per window of d, on records whose law is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from overparam.mediocrity import theory
from overparam.mediocrity.finite_d import kappa_by_window, main


def _records(kappa_of_d, ds, reps=40, seed=0):
    """n/d = κ(d)·ln d + c + noise: a window's fitted slope is the local slope of that law."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in ds:
        for _ in range(reps):
            n_over_d = kappa_of_d(d) * np.log(d) - 2.0 + 0.01 * rng.standard_normal()
            rows.append({"d": d, "escaped": True, "n_exit": n_over_d * d})
    rows.append({"d": ds[0], "escaped": False, "n_exit": 0})  # a failed replica is left out, not counted as 0
    return pd.DataFrame(rows)


def test_a_law_with_the_theory_prefactor_reads_zero_error_in_every_window():
    k = theory.kappa(0.1, 8, 1e-4)
    ds = [1000, 2000, 4000, 8000, 16000]
    table = kappa_by_window(_records(lambda d: k, ds), [ds[:3], ds[2:]], gamma_p=0.1, p=8, delta=1e-4, n_boot=200)
    assert np.allclose(table["rel_error"], 0.0, atol=0.01)
    assert (table["kappa_lo"] <= table["kappa"]).all() and (table["kappa"] <= table["kappa_hi"]).all()


def test_a_finite_d_bend_shows_as_error_shrinking_with_d():
    k = theory.kappa(0.1, 8, 1e-4)
    ds = [1000, 2000, 4000, 8000, 16000, 32000, 64000]
    recs = _records(lambda d: k * (1.0 - 300.0 / d), ds)  # n/d bends towards the asymptotic slope
    table = kappa_by_window(recs, [ds[:3], ds[-3:]], gamma_p=0.1, p=8, delta=1e-4, n_boot=200)
    assert abs(table["rel_error"].iloc[1]) < abs(table["rel_error"].iloc[0])


def test_the_command_line_runs_a_small_study(capsys):
    main(["--p", "2", "--gamma", "0.1", "--seeds", "12", "--d", "300,600,1200"])
    out = capsys.readouterr().out
    assert "kappa_theory" in out and "t_theory" in out


def test_a_window_with_one_d_is_refused():
    with pytest.raises(ValueError, match="window"):
        kappa_by_window(_records(lambda d: 1.0, [1000, 2000]), [[1000]], gamma_p=0.1, p=1, delta=1e-4)
