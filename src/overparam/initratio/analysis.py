"""Claim C2 `init_ratio`: the per-ω2 summary, the rank correlation of test accuracy with ω2/ω1, the verdict.

The paper's Figure 1 (MNIST, d0 = 784, d1 = 1000): with ω1·ω2 held at the He product, training error is 0 for
every ω2 and the mean test accuracy rises from 0.9645 at ω2 = 0.002 to 0.9902 at ω2 = 0.0782.

Test (SPEC C2), on the finished runs (``success``: no divergence):

1. *fits*: at every ω2, the mean over seeds of the final training loss L = (1/n) Σ_i ‖f(x_i) − t_i‖² (full
   training set, after the last epoch) is ≤ ``loss_threshold``;
2. *rises*: Spearman's rank correlation ρ of test accuracy with ω2/ω1 over all finished runs (one point per
   run, ties at equal ω2/ω1 ranked by their average) is > 0 and the lower end of its 95% bootstrap CI is > 0.
   Bootstrap: the seeds of each ω2 are resampled with replacement, independently per ω2 (the draws at
   different ω2 are independent, see :mod:`experiment`), ρ recomputed; percentile interval.

``pass`` iff both hold; ``inconclusive`` only when some ω2 has fewer than ``min_seeds`` finished runs (or fewer
than 3 ω2 values have any); otherwise ``fail``. Runs that diverged are ``runs_failed`` and are left out of
both parts (they are counted per ω2 in the details).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from overparam.fit import bootstrap_mean_ci
from overparam.verdict import json_ready

PAPER_ACCURACY = {"omega2_low": 0.002, "accuracy_low": 0.9645, "omega2_high": 0.0782, "accuracy_high": 0.9902}
MIN_SEEDS = 3
MIN_POINTS = 3



def records_frame(records: Sequence[dict] | pd.DataFrame) -> pd.DataFrame:
    """Run records as a DataFrame (a copy) with the columns the analysis needs checked and typed."""
    df = records.copy() if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    need = {"omega_index", "omega1", "omega2", "ratio", "seed", "success", "final_train_loss", "test_accuracy"}
    missing = need - set(df.columns)
    if missing:
        raise ValueError(f"init_ratio analysis: records lack columns {sorted(missing)}")
    df["success"] = df["success"].map(lambda v: v in (True, "True", "true", 1)).astype(bool)
    for c in ("omega1", "omega2", "ratio", "final_train_loss", "test_accuracy"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["finished"] = df["success"] & np.isfinite(df["final_train_loss"]) & np.isfinite(df["test_accuracy"])
    return df


def _groups(df: pd.DataFrame) -> list[tuple[float, pd.DataFrame]]:
    """(ratio, runs) per ω2, in increasing ratio."""
    return [(float(g["ratio"].iloc[0]), g) for _, g in df.sort_values("ratio").groupby("omega_index", sort=False)]


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's ρ (Pearson correlation of average ranks); NaN if either side is constant."""
    rx, ry = rankdata(x), rankdata(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    den = math.sqrt(float(np.sum(rx * rx) * np.sum(ry * ry)))
    return float(np.sum(rx * ry) / den) if den > 0 else float("nan")


def spearman_bootstrap(groups: Sequence[tuple[float, np.ndarray]], *, n_boot: int = 2000,
                       seed: int = 0) -> dict[str, Any]:
    """ρ(value, x) over all points of ``groups`` [(x, values at x), ...] with a 95% CI that resamples the
    values within each group (group sizes kept, so the x ranks never change). Returns rho, ci (lo, hi),
    n_boot, boot_undefined (replicates with a constant resample, ρ undefined, left out)."""
    groups = [(float(x), np.asarray(v, dtype=np.float64)) for x, v in groups if len(v)]
    if len(groups) < 2:
        return {"rho": float("nan"), "ci": (float("nan"), float("nan")), "n_boot": int(n_boot), "boot_undefined": 0}
    x = np.concatenate([np.full(v.size, xv) for xv, v in groups])
    y = np.concatenate([v for _, v in groups])
    rho = spearman(x, y)
    rng = np.random.default_rng(seed)
    cols = [v[rng.integers(0, v.size, (n_boot, v.size))] for _, v in groups]
    Y = np.concatenate(cols, axis=1)
    rx = rankdata(x)
    rx = rx - rx.mean()
    ry = rankdata(Y, axis=1)
    ry = ry - ry.mean(axis=1, keepdims=True)
    den = np.sqrt(np.sum(rx * rx) * np.sum(ry * ry, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        boots = np.where(den > 0, (ry @ rx) / den, np.nan)
    ok = boots[np.isfinite(boots)]
    ci = tuple(float(c) for c in np.percentile(ok, [2.5, 97.5])) if ok.size else (float("nan"), float("nan"))
    return {"rho": rho, "ci": ci, "n_boot": int(n_boot), "boot_undefined": int(n_boot - ok.size)}


def _mean_ci(v: np.ndarray, n_boot: int, seed: int) -> tuple[float, float, float]:
    v = np.asarray(v, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    return bootstrap_mean_ci(v, n_boot=n_boot, seed=seed)


def summary_table(records: Sequence[dict] | pd.DataFrame, *, n_boot: int = 2000, seed: int = 0,
                  loss_threshold: float | None = None) -> pd.DataFrame:
    """One row per ω2 (increasing ω2/ω1): the grid values, counts, and means over the finished runs.

    Columns: omega_index, omega2_paper, omega1, omega2, ratio, he_ratio, d0, d1, runs, finished, failed;
    test_acc_mean, test_acc_ci_low, test_acc_ci_high (95% bootstrap CI of the mean over seeds);
    test_acc_true_mean, test_acc_true_ci_low, test_acc_true_ci_high (against the true labels);
    train_loss_mean, train_loss_ci_low, train_loss_ci_high, train_loss_max, train_acc_mean;
    curvature_mean (Gauss–Newton λ_max at init), eta_mean, wall_time_s (sum over the runs);
    with ``loss_threshold``: loss_threshold, runs_below_threshold, mean_below_threshold.
    """
    df = records_frame(records)
    rows = []
    for ratio, g in _groups(df):
        f = g[g["finished"]]
        acc = _mean_ci(f["test_accuracy"].to_numpy(float), n_boot, seed)
        true = _mean_ci(f["test_accuracy_true"].to_numpy(float), n_boot, seed) if "test_accuracy_true" in f \
            else (float("nan"),) * 3
        loss = _mean_ci(f["final_train_loss"].to_numpy(float), n_boot, seed)
        row = {
            "omega_index": int(g["omega_index"].iloc[0]),
            "omega2_paper": float(g["omega2_paper"].iloc[0]) if "omega2_paper" in g else float("nan"),
            "omega1": float(g["omega1"].iloc[0]), "omega2": float(g["omega2"].iloc[0]), "ratio": ratio,
            "he_ratio": float(g["he_ratio"].iloc[0]) if "he_ratio" in g else float("nan"),
            "d0": int(g["d0"].iloc[0]) if "d0" in g else -1, "d1": int(g["d1"].iloc[0]) if "d1" in g else -1,
            "runs": len(g), "finished": len(f), "failed": int(len(g) - len(f)),
            "test_acc_mean": acc[0], "test_acc_ci_low": acc[1], "test_acc_ci_high": acc[2],
            "test_acc_true_mean": true[0], "test_acc_true_ci_low": true[1], "test_acc_true_ci_high": true[2],
            "train_loss_mean": loss[0], "train_loss_ci_low": loss[1], "train_loss_ci_high": loss[2],
            "train_loss_max": float(f["final_train_loss"].max()) if len(f) else float("nan"),
            "train_acc_mean": float(f["train_accuracy"].mean()) if "train_accuracy" in f and len(f) else float("nan"),
            "curvature_mean": float(g["curvature"].mean()) if "curvature" in g else float("nan"),
            "eta_mean": float(g["eta"].mean()) if "eta" in g else float("nan"),
            "wall_time_s": float(g["wall_time_s"].sum()) if "wall_time_s" in g else float("nan"),
        }
        if loss_threshold is not None:
            row.update({"loss_threshold": float(loss_threshold),
                        "runs_below_threshold": int((f["final_train_loss"] <= loss_threshold).sum()),
                        "mean_below_threshold": bool(len(f) > 0 and loss[0] <= loss_threshold)})
        rows.append(row)
    return pd.DataFrame(rows)


def runs_table(records: Sequence[dict] | pd.DataFrame) -> pd.DataFrame:
    """The per-run points the figure scatters: omega_index, ratio, seed, finished, final_train_loss, test_accuracy."""
    df = records_frame(records)
    return df[["omega_index", "ratio", "seed", "finished", "final_train_loss", "test_accuracy"]].sort_values(
        ["ratio", "seed"]).reset_index(drop=True)


def verdict_fields(records: Sequence[dict] | pd.DataFrame, *, loss_threshold: float, n_boot: int,
                   min_seeds: int = MIN_SEEDS, seed: int = 0) -> dict[str, Any]:
    """The verdict of C2 from the run records: predicted, measured, tolerance, status, details, runs_used,
    runs_failed (see the module docstring for the test)."""
    df = records_frame(records)
    table = summary_table(df, n_boot=n_boot, seed=seed, loss_threshold=loss_threshold)
    fin = df[df["finished"]]
    groups = [(ratio, g.loc[g["finished"], "test_accuracy"].to_numpy(float)) for ratio, g in _groups(df)]
    corr = spearman_bootstrap(groups, n_boot=n_boot, seed=seed)
    means = table[table["finished"] > 0]
    rho_means = spearman(means["ratio"].to_numpy(float), means["test_acc_mean"].to_numpy(float)) \
        if len(means) >= 2 else float("nan")
    too_few = table[table["finished"] < min_seeds]
    fits = bool(len(means) == len(table) and (table["train_loss_mean"] <= loss_threshold).all())
    rho, (lo, hi) = corr["rho"], corr["ci"]
    rises = bool(np.isfinite(rho) and rho > 0 and np.isfinite(lo) and lo > 0)
    if len(too_few) or len(means) < MIN_POINTS:
        status = "inconclusive"
    elif fits and rises:
        status = "pass"
    else:
        status = "fail"

    p = PAPER_ACCURACY
    predicted = (f"final training loss ≤ {loss_threshold:g} at every ω2, and test accuracy rising with ω2/ω1 "
                 f"(Spearman ρ > 0, 95% CI above 0); paper (MNIST): training error 0 at every ω2, mean test accuracy "
                 f"{p['accuracy_low']} at ω2 = {p['omega2_low']} → {p['accuracy_high']} at ω2 = {p['omega2_high']}")
    worst = table.loc[table["train_loss_mean"].idxmax()] if len(means) else None
    if len(table):
        lo_row, hi_row = table.iloc[0], table.iloc[-1]
        measured = (f"ρ = {rho:.3f} (95% CI {lo:.3f} to {hi:.3f}) over {len(fin)} runs at {len(table)} ω2/ω1 from "
                    f"{lo_row['ratio']:.3g} to {hi_row['ratio']:.3g}; mean test accuracy "
                    f"{lo_row['test_acc_mean']:.4f} → {hi_row['test_acc_mean']:.4f}; ")
        if worst is not None:
            measured += (f"largest mean training loss {worst['train_loss_mean']:.3g} at ω2/ω1 = {worst['ratio']:.3g} "
                         f"({'≤' if worst['train_loss_mean'] <= loss_threshold else '>'} {loss_threshold:g}); "
                         f"{int((table['train_loss_mean'] <= loss_threshold).sum())}/{len(table)} ω2 fit")
    else:
        measured = "no runs"
    tolerance = (f"pass iff the mean final training loss ≤ {loss_threshold:g} at every ω2 and ρ > 0 with the lower "
                 f"end of its 95% seed-bootstrap CI ({n_boot} replicates, seeds resampled within each ω2) > 0; "
                 f"inconclusive if some ω2 has fewer than {min_seeds} finished runs")
    teacher = {}
    for key in ("teacher_fitted", "teacher_train_error", "teacher_test_accuracy", "teacher_epochs", "teacher_width"):
        if key in df:
            vals = df[key].dropna().unique().tolist()
            teacher[key] = vals[0] if len(vals) == 1 else vals
    reasons = df.loc[~df["finished"], "reason"].astype(str).value_counts().to_dict() if "reason" in df else {}
    details = {
        "fits": fits,
        "rises": rises,
        "spearman": corr,
        "spearman_of_means": rho_means,
        "loss_threshold": float(loss_threshold),
        "min_seeds": int(min_seeds),
        "omega2_too_few_finished": too_few["omega_index"].tolist(),
        "table": table.to_dict("records"),
        "teacher": teacher,
        "failure_reasons": reasons,
        "paper": PAPER_ACCURACY,
        "note": ("Test accuracy is agreement with the teacher's argmax on the test inputs (the students' targets); "
                 "test_acc_true_mean in the table is against the true digit labels. Runs that diverged are left out "
                 "of both parts of the test."),
    }
    return {"predicted": predicted, "measured": measured, "tolerance": tolerance, "status": status,
            "details": json_ready(details), "runs_used": int(len(fin)), "runs_failed": int(len(df) - len(fin))}


