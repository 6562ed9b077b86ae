"""Run records on disk: one CSV per job, written atomically, read back with errors that name the file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd


def write_records(records: list[dict[str, Any]], path: str | Path) -> None:
    """Write records as CSV (floats round-trip exactly); the file appears only once complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    pd.DataFrame.from_records(records).to_csv(tmp, index=False, float_format="%.17g")
    os.replace(tmp, path)


def read_records(*paths: str | Path, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """Concatenate record files; an unreadable file or a missing column is an error naming the file."""
    frames = []
    for p in paths:
        try:
            df = pd.read_csv(p, keep_default_na=False, na_values=["nan", "NaN", ""])
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise ValueError(f"record file {p} is corrupted or empty: {err}") from err
        missing = [c for c in required if c not in df.columns]
        if missing:
            raise ValueError(f"record file {p} lacks column(s) {', '.join(missing)}")
        frames.append(df)
    if not frames:
        raise ValueError("no record files given")
    out = pd.concat(frames, ignore_index=True)
    for col in ("escaped", "success"):
        if col in out and out[col].dtype == object:
            out[col] = out[col].map({"True": True, "False": False, True: True, False: False})
    return out
