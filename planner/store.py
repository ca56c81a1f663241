"""Results on disk: written whole or not at all.

A run writes into a temporary sibling folder; only when every file is written
is it renamed into place. An earlier run of the same name is moved aside first
and removed only after the new one is in place, so an interrupted or failed
run never leaves a half-written folder or damages an earlier result.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def write_results(target: Path, fill: Callable[[Path], None]) -> Path:
    """Call ``fill(tmpdir)`` to write every file, then move tmpdir to ``target`` atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    old = None
    try:
        fill(tmp)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(tmp, target)
    except BaseException:
        if old is not None and not target.exists():  # put the earlier result back
            os.replace(old / target.name, target)
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], meta: dict) -> None:
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False, float_format="%.6g")
    (folder / "run.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")


def write_input_snapshot(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Copy the input tables a run solved with (after scenario and time aggregation) into ``folder``.

    Reports need them (zone coordinates, capacity credits, costs per technology)
    and must not read the case folder, which may have changed since. Hourly
    profiles (keyed by timestep and something else) are left out to keep results
    small; the timesteps table itself is kept.
    """
    from planner.schema import TABLE

    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        key = TABLE[name].key if name in TABLE else []
        if "timestep" in key and len(key) > 1:
            continue
        df.to_csv(folder / f"{name}.csv", index=False)


def read_input_snapshot(folder: Path) -> dict[str, pd.DataFrame]:
    """The input tables stored beside a run's results ({} for results written before snapshots existed)."""
    snap = Path(folder) / "inputs"
    return {p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in sorted(snap.glob("*.csv"))}


def read_results(folder: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """Stored tables and run.json of a results folder, for reports and comparisons."""
    folder = Path(folder)
    meta_path = folder / "run.json"
    if not meta_path.is_file():
        from planner.errors import InputError, Problem
        raise InputError([Problem(str(folder), "is not a results folder (no run.json)")])
    meta = json.loads(meta_path.read_text())
    # ids such as "NA" or "None" stay text: only empty cells are missing
    tables = {p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in sorted(folder.glob("*.csv"))}
    return tables, meta
