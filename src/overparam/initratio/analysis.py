"""Claim C2 `init_ratio`: the per-ω2 summary, the paper's two sub-tests on bootstrap CIs, the verdict fields.

The paper's Figure 1 (MNIST, d0 = 784, d1 = 1000, CE, SGD lr 0.01, batch 128, 300 epochs, 5 seeds): mean
training accuracy 0.99983–1.0 at every ω2, mean test accuracy 0.9645 at ω2 = 0.002 rising to 0.9902 at 0.0782.

Sub-tests (three-way, :mod:`overparam.decide`), on the finished runs (``success``: no divergence); both
bootstraps resample the seeds *within each ω2*, independently per ω2 (the draws at different ω2 are independent,
see :mod:`experiment`), ``n_boot`` replicates from ``numpy.random.default_rng(seed)``, 95% percentile intervals:

1. *fits*: ``bound_test(side="lower", value=train_accuracy_bound)`` on m = min over ω2 of the per-ω2 mean
   training accuracy (full training set, teacher labels, after the last epoch). CI: in every replicate each
   ω2's seeds are resampled, the per-ω2 means recomputed and their minimum taken.
2. *rises*: ``bound_test(side="lower", value=rho_bound)`` on Spearman's ρ (``scipy.stats.spearmanr``) of test
   accuracy against ω2/ω1 over all finished runs (one point per run, ties ranked by their average). CI: the same
   within-ω2 resampling, ρ recomputed (the x ranks never change).

Status ``claim_status(tests)``: fail if either fails, pass if both pass, else inconclusive. A sub-test that cannot
be computed (some ω2 with fewer than ``min_seeds`` finished runs, or fewer than 3 ω2) is ``undecided``
(inconclusive). The thresholds are config values set before any run (``train_accuracy_bound`` 0.999: the paper's
worst mean 0.99983 rounded down; ``rho_bound`` 0: "rises").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata, spearmanr

from overparam import decide

PAPER_PROTOCOL = {"n_train": 60000, "batch_size": 128, "epochs": 300}
PAPER_ACCURACY = {"omega2_low": 0.002, "accuracy_low": 0.9645, "omega2_high": 0.0782, "accuracy_high": 0.9902,
                  "train_accuracy_min": 0.99983}
MIN_POINTS = 3
FITS = "mean training accuracy at every omega2 >= bound (smallest per-omega2 mean)"
RISES = "Spearman rho of test accuracy with omega2/omega1 > bound"


def records_frame(records: Sequence[dict] | pd.DataFrame) -> pd.DataFrame:
    """Run records as a DataFrame (a copy) with the columns the analysis needs checked and typed."""
    df = records.copy() if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    need = {"omega_index", "omega1", "omega2", "ratio", "seed", "success", "train_accuracy", "test_accuracy"}
    missing = need - set(df.columns)
    if missing:
        raise ValueError(f"init_ratio analysis: records lack columns {sorted(missing)}")
    df["success"] = df["success"].map(lambda v: v in (True, "True", "true", 1)).astype(bool)
    for c in ("omega1", "omega2", "ratio", "train_accuracy", "test_accuracy"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["finished"] = df["success"] & np.isfinite(df["train_accuracy"]) & np.isfinite(df["test_accuracy"])
    return df


def _groups(df: pd.DataFrame) -> list[tuple[float, pd.DataFrame]]:
    """(ratio, runs) per ω2, in increasing ratio."""
    return [(float(g["ratio"].iloc[0]), g) for _, g in df.sort_values("ratio").groupby("omega_index", sort=False)]


def _sgd_steps(df: pd.DataFrame) -> dict[str, float] | None:
    """SGD steps per net, ⌈n_train / batch⌉ · epochs, beside the paper's (60,000 images, batch 128, 300 epochs)."""
    values = [_one(df, k) for k in ("n_train", "batch_size", "epochs")]
    if any(v is None or isinstance(v, list) for v in values):  # absent, or differing between runs
        return None
    n_train, batch, epochs = (int(v) for v in values)
    steps = -(-n_train // batch) * epochs
    paper = -(-PAPER_PROTOCOL["n_train"] // PAPER_PROTOCOL["batch_size"]) * PAPER_PROTOCOL["epochs"]
    return {"run": steps, "paper": paper, "paper_over_run": paper / steps}


def _budget_note(budget: dict[str, float] | None) -> str:
    """What a shortened training budget means for the *fits* sub-test."""
    if budget is None or budget["paper_over_run"] <= 1.0:
        return ""
    return (f"Each net took {budget['run']:,} SGD steps, {budget['paper_over_run']:.0f}× fewer than the paper's "
            f"{budget['paper']:,}: a training-fit outcome at this budget says whether the shortened training fitted "
            "the data at every ω2, not whether the paper's 300-epoch protocol does (the paper scale runs it).")


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's ρ (scipy.stats.spearmanr); NaN if either side is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(spearmanr(x, y).statistic)


# Hand-written, not scipy.stats.bootstrap: that refuses a group with a single run (a diverged seed can leave one)
# and turns undefined replicates (a constant resample has no ρ) into a NaN interval; here they are left out, counted.
def _resample(groups: Sequence[np.ndarray], n_boot: int, seed: int) -> list[np.ndarray]:
    """Per group, an (n_boot, size) array of its values resampled with replacement (group sizes kept)."""
    rng = np.random.default_rng(seed)
    return [v[rng.integers(0, v.size, (n_boot, v.size))] for v in groups]


def _percentile_ci(boots: np.ndarray) -> tuple[float, float]:
    ok = boots[np.isfinite(boots)]
    if not ok.size:
        return float("nan"), float("nan")
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return float(lo), float(hi)


def spearman_bootstrap(groups: Sequence[tuple[float, np.ndarray]], *, n_boot: int = 2000,
                       seed: int = 0) -> dict[str, Any]:
    """ρ(value, x) over all points of ``groups`` [(x, values at x), ...] with a 95% CI that resamples the
    values within each group. Returns rho, ci (lo, hi), n_boot, boot_undefined (constant resamples, left out)."""
    groups = [(float(x), np.asarray(v, dtype=np.float64)) for x, v in groups if len(v)]
    if len(groups) < 2:
        return {"rho": float("nan"), "ci": (float("nan"), float("nan")), "n_boot": int(n_boot), "boot_undefined": 0}
    x = np.concatenate([np.full(v.size, xv) for xv, v in groups])
    y = np.concatenate([v for _, v in groups])
    rho = spearman(x, y)
    Y = np.concatenate(_resample([v for _, v in groups], n_boot, seed), axis=1)
    rx = rankdata(x)
    rx = rx - rx.mean()
    ry = rankdata(Y, axis=1)
    ry = ry - ry.mean(axis=1, keepdims=True)
    den = np.sqrt(np.sum(rx * rx) * np.sum(ry * ry, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        boots = np.where(den > 0, (ry @ rx) / den, np.nan)
    return {"rho": rho, "ci": _percentile_ci(boots), "n_boot": int(n_boot),
            "boot_undefined": int(np.sum(~np.isfinite(boots)))}


def min_mean_bootstrap(groups: Sequence[np.ndarray], *, n_boot: int = 2000, seed: int = 0) -> dict[str, Any]:
    """min over groups of the group means, with the 95% CI of the within-group resampling (module docstring)."""
    groups = [np.asarray(v, dtype=np.float64) for v in groups if len(v)]
    if not groups:
        return {"min_mean": float("nan"), "ci": (float("nan"), float("nan")), "argmin": None}
    means = np.array([v.mean() for v in groups])
    boots = np.min(np.stack([r.mean(axis=1) for r in _resample(groups, n_boot, seed)]), axis=0)
    return {"min_mean": float(means.min()), "ci": _percentile_ci(boots), "argmin": int(np.argmin(means))}


def _mean_sd_ci(v: np.ndarray, n_boot: int, seed: int) -> tuple[float, float, float, float]:
    v = np.asarray(v, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (float("nan"),) * 4
    means = _resample([v], n_boot, seed)[0].mean(axis=1)
    lo, hi = _percentile_ci(means)
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0, lo, hi


def summary_table(records: Sequence[dict] | pd.DataFrame, *, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """One row per ω2 (increasing ω2/ω1): the grid values, counts, and per-ω2 statistics of the finished runs.

    Columns: omega_index, omega2_paper, omega1, omega2, ratio, he_ratio, he_product, d0, d1, runs, finished,
    failed; for train_acc, test_acc, test_acc_true: _mean, _sd (sample sd over seeds), _ci_low, _ci_high (95%
    bootstrap CI of the mean); wall_time_s (sum over the runs).
    """
    df = records_frame(records)
    rows = []
    for ratio, g in _groups(df):
        f = g[g["finished"]]
        row = {
            "omega_index": int(g["omega_index"].iloc[0]),
            "omega2_paper": float(g["omega2_paper"].iloc[0]) if "omega2_paper" in g else float("nan"),
            "omega1": float(g["omega1"].iloc[0]), "omega2": float(g["omega2"].iloc[0]), "ratio": ratio,
            "he_ratio": float(g["he_ratio"].iloc[0]) if "he_ratio" in g else float("nan"),
            "he_product": float(g["he_product"].iloc[0]) if "he_product" in g else float("nan"),
            "d0": int(g["d0"].iloc[0]) if "d0" in g else -1, "d1": int(g["d1"].iloc[0]) if "d1" in g else -1,
            "runs": len(g), "finished": len(f), "failed": int(len(g) - len(f)),
        }
        for key, col in (("train_acc", "train_accuracy"), ("test_acc", "test_accuracy"),
                         ("test_acc_true", "test_accuracy_true")):
            vals = f[col].to_numpy(float) if col in f else np.full(0, np.nan)
            m, sd, lo, hi = _mean_sd_ci(vals, n_boot, seed)
            row.update({f"{key}_mean": m, f"{key}_sd": sd, f"{key}_ci_low": lo, f"{key}_ci_high": hi})
        row["wall_time_s"] = float(g["wall_time_s"].sum()) if "wall_time_s" in g else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def runs_table(records: Sequence[dict] | pd.DataFrame) -> pd.DataFrame:
    """The per-run points: omega_index, omega2, ratio, seed, finished, train_accuracy, test_accuracy."""
    df = records_frame(records)
    return df[["omega_index", "omega2", "ratio", "seed", "finished", "train_accuracy", "test_accuracy"]].sort_values(
        ["ratio", "seed"]).reset_index(drop=True)


def _one(df: pd.DataFrame, key: str) -> Any:
    if key not in df:
        return None
    vals = df[key].dropna().unique().tolist()
    return vals[0] if len(vals) == 1 else vals


def verdict_fields(records: Sequence[dict] | pd.DataFrame, *, train_accuracy_bound: float, rho_bound: float,
                   n_boot: int, min_seeds: int, seed: int = 0) -> dict[str, Any]:
    """The verdict of C2 from the run records: tests, status, predicted, measured, tolerance, details,
    runs_used, runs_failed (see the module docstring)."""
    df = records_frame(records)
    table = summary_table(df, n_boot=n_boot, seed=seed)
    fin = df[df["finished"]]
    per = [(ratio, g.loc[g["finished"], "test_accuracy"].to_numpy(float),
            g.loc[g["finished"], "train_accuracy"].to_numpy(float)) for ratio, g in _groups(df)]
    too_few = table.loc[table["finished"] < min_seeds, "omega_index"].tolist()
    undecidable = None
    if too_few:
        undecidable = f"omega2 index {too_few} with fewer than {min_seeds} finished runs"
    elif len(table) < MIN_POINTS:
        undecidable = f"{len(table)} omega2 values, fewer than {MIN_POINTS}"
    fits = min_mean_bootstrap([tr for _, _, tr in per], n_boot=n_boot, seed=seed)
    corr = spearman_bootstrap([(x, te) for x, te, _ in per], n_boot=n_boot, seed=seed + 1)
    if undecidable:
        tests = [decide.undecided(FITS, undecidable), decide.undecided(RISES, undecidable)]
    else:
        tests = [decide.bound_test(FITS, fits["min_mean"], fits["ci"], "lower", train_accuracy_bound),
                 decide.bound_test(RISES, corr["rho"], corr["ci"], "lower", rho_bound, strict=True)]
    status = decide.claim_status(tests)

    p = PAPER_ACCURACY
    dataset = _one(df, "dataset")
    predicted = (f"mean training accuracy ≥ {train_accuracy_bound:g} at every ω2, and test accuracy rising with "
                 f"ω2/ω1 (Spearman ρ > {rho_bound:g}); paper (full MNIST, d1 = 1000, 300 epochs): mean training "
                 f"accuracy {p['train_accuracy_min']}–1.0 at every ω2, mean test accuracy {p['accuracy_low']} at "
                 f"ω2 = {p['omega2_low']} → {p['accuracy_high']} at ω2 = {p['omega2_high']}")
    if len(table):
        lo_row, hi_row = table.iloc[0], table.iloc[-1]
        rlo, rhi = corr["ci"]
        flo, fhi = fits["ci"]
        measured = (f"data set {dataset}, d0 = {int(lo_row['d0'])}, d1 = {int(lo_row['d1'])}: smallest per-ω2 mean "
                    f"training accuracy {fits['min_mean']:.5f} (95% CI {flo:.5f} to {fhi:.5f}); ρ = {corr['rho']:.3f} "
                    f"(95% CI {rlo:.3f} to {rhi:.3f}) over {len(fin)} runs at {len(table)} ω2; mean test accuracy "
                    f"{lo_row['test_acc_mean']:.4f} at ω2 = {lo_row['omega2']:.4g} (paper's {p['omega2_low']}, "
                    f"paper {p['accuracy_low']}) → {hi_row['test_acc_mean']:.4f} at ω2 = {hi_row['omega2']:.4g} "
                    f"(paper's {p['omega2_high']}, paper {p['accuracy_high']}); outcomes: {decide.summary(tests)}")
    else:
        measured = "no runs"
    tolerance = (f"three-way on 95% bootstrap CIs (seeds resampled within each ω2, {n_boot} replicates): fits — "
                 f"pass if the CI of the smallest per-ω2 mean training accuracy lies ≥ {train_accuracy_bound:g}, fail "
                 f"if it lies below; rises — pass if the CI of ρ lies > {rho_bound:g}, fail if it lies ≤ "
                 f"{rho_bound:g}; otherwise inconclusive; inconclusive too if some ω2 has fewer than {min_seeds} "
                 "finished runs. The mean test accuracies are reported beside the paper's, not tested (data set and "
                 "training length differ)")
    teacher = {k: _one(df, k) for k in ("teacher_fitted", "teacher_train_accuracy_relu", "teacher_epochs",
                                        "teacher_activation", "teacher_labels_train_agree_true",
                                        "teacher_labels_test_agree_true", "teacher_lr", "teacher_batch_size")
               if k in df}
    reasons = df.loc[~df["finished"], "reason"].astype(str).value_counts().to_dict() if "reason" in df else {}
    budget = _sgd_steps(df)
    details = {
        "dataset": dataset,
        "data_source": _one(df, "data_source"),
        "fits": fits,
        "spearman": corr,
        "spearman_of_means": spearman(table["ratio"].to_numpy(float), table["test_acc_mean"].to_numpy(float))
        if len(table) >= 2 else float("nan"),
        "train_accuracy_bound": float(train_accuracy_bound),
        "rho_bound": float(rho_bound),
        "min_seeds": int(min_seeds),
        "omega2_too_few_finished": too_few,
        "table": table.to_dict("records"),
        "teacher": teacher,
        "protocol": {k: _one(df, k) for k in ("epochs", "batch_size", "lr", "loss", "d1", "n_train", "n_test")
                     if k in df},
        "failure_reasons": reasons,
        "paper": PAPER_ACCURACY,
        "sgd_steps": budget,
        "note": ("Accuracies are against the teacher's labels (its ReLU-trained weights evaluated with "
                 "teacher_activation); test_acc_true in the table is against the true digit labels. "
                 + _budget_note(budget)),
    }
    return {"predicted": predicted, "measured": measured, "tolerance": tolerance, "tests": tests, "status": status,
            "details": details, "runs_used": int(len(fin)), "runs_failed": int(len(df) - len(fin))}

