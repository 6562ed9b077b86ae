"""A claim's aggregate tables on disk: the CSV files between its verdict job and its figure job."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_tables(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of a folder, by file stem."""
    return {p.stem: pd.read_csv(p) for p in sorted(Path(folder).glob("*.csv"))}


def write_tables(tables: dict[str, pd.DataFrame], folder: str | Path) -> None:
    """One CSV per table (floats round-trip exactly)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False, float_format="%.17g")
