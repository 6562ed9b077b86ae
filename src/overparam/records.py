"""Run records on disk: one CSV per job, written atomically and sealed, read back only when the seal holds.

A record file ``x.csv`` is written to ``x.csv.partial`` and renamed when complete; then its *seal*
``x.csv.seal.json`` is written (also atomically), last: the CSV's row count and SHA-256, and the backend and device
that trained it. A reader checks the seal before it parses a byte, so a truncated, edited or half-copied record
is an error naming the file, never data; :func:`quarantine_damaged` moves such a file aside before the DAG is
built, so that the rule that produces it runs again and nothing valid is touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

SEAL_SUFFIX = ".seal.json"


class RecordError(ValueError):
    """A record file that cannot prove it is whole (no seal, wrong row count or checksum, unreadable)."""


def seal_path(path: str | Path) -> Path:
    """Where the seal of a record file lives."""
    path = Path(path)
    return path.with_name(path.name + SEAL_SUFFIX)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_records(records: list[dict[str, Any]], path: str | Path, *, backend: str, device: str) -> None:
    """Write records as CSV (floats round-trip exactly), then its seal; each file appears only once complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pd.DataFrame.from_records(records).to_csv(index=False, float_format="%.17g").encode()
    _atomic_write(path, data)
    seal = {"rows": len(records), "sha256": hashlib.sha256(data).hexdigest(), "backend": backend, "device": device}
    _atomic_write(seal_path(path), (json.dumps(seal, indent=1) + "\n").encode())


def read_seal(path: str | Path) -> dict[str, Any]:
    """The seal of a record file, checked against the file's bytes; :class:`RecordError` if it does not hold."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise RecordError(f"record file {path} cannot be read: {err.strerror}") from err
    try:
        seal = json.loads(seal_path(path).read_text())
        rows, digest = int(seal["rows"]), str(seal["sha256"])
    except FileNotFoundError:
        raise RecordError(f"record file {path} has no seal {seal_path(path).name}: it was not written to the "
                          "end (rerun the rule that makes it)") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise RecordError(f"record file {path}: its seal {seal_path(path).name} is damaged ({err})") from err
    if hashlib.sha256(data).hexdigest() != digest:
        raise RecordError(f"record file {path} does not match its seal (SHA-256 differs: truncated or edited); "
                          "rerun the rule that makes it")
    seal["rows"] = rows
    return seal


def read_records(*paths: str | Path, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """Concatenate sealed record files; a file that is not whole or lacks a column is an error naming it."""
    frames = []
    for p in paths:
        rows = read_seal(p)["rows"]
        try:
            df = pd.read_csv(io.BytesIO(Path(p).read_bytes()), keep_default_na=False, na_values=["nan", "NaN", ""])
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise RecordError(f"record file {p} is corrupted or empty: {err}") from err
        if len(df) != rows:
            raise RecordError(f"record file {p} holds {len(df)} rows, its seal says {rows}")
        missing = [c for c in required if c not in df.columns]
        if missing:
            raise RecordError(f"record file {p} lacks column(s) {', '.join(missing)}")
        frames.append(df)
    if not frames:
        raise RecordError("no record files given")
    out = pd.concat(frames, ignore_index=True)
    for col in ("escaped", "success"):
        if col in out and out[col].dtype == object:
            out[col] = out[col].map({"True": True, "False": False, True: True, False: False})
    return out


def trained_on(paths: Iterable[str | Path]) -> tuple[str, str]:
    """The backends and devices that trained a set of records, from their seals (each distinct value once)."""
    backends: list[str] = []
    devices: list[str] = []
    for p in paths:
        seal = read_seal(p)
        for seen, value in ((backends, seal["backend"]), (devices, seal["device"])):
            if value not in seen:
                seen.append(value)
    return ", ".join(backends) or "unknown", ", ".join(devices) or "unknown"


def quarantine_damaged(paths: Iterable[str | Path]) -> list[Path]:
    """Move every existing record file whose seal does not hold (and its seal) to ``*.damaged``; return them.

    Run before the DAG is built: a damaged record then counts as missing, so Snakemake reruns the job that makes
    it, and the damaged bytes stay on disk for inspection. Files that do not exist yet are left alone.
    """
    moved = []
    for p in map(Path, paths):
        if not p.exists():
            continue
        try:
            read_seal(p)
        except RecordError:
            for f in (p, seal_path(p)):
                if f.exists():
                    os.replace(f, f.with_name(f.name + ".damaged"))
            moved.append(p)
    return moved
