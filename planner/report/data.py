"""A stored run as the reports see it: result tables, run.json, input snapshot.

Reports read only what ``planner run`` stored (``results/<name>/*.csv``,
``run.json`` and ``inputs/*.csv``); they never solve and never read the case
folder, which may have changed since the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import InputError, Problem
from planner.schema import TABLES
from planner.store import read_input_snapshot, read_results

# result tables every report needs; a folder without them is not a run's results
REQUIRED = ("capacity", "new_capacity", "vintages", "generation", "dispatch", "prices", "costs", "emissions",
            "flows", "corridors", "trade", "shadow_prices")
# text columns, read back as text, empty (not NaN) when blank: every text column the schema declares for
# the inputs, and the text columns of result tables of their own (costs, shadow prices)
_TEXT = {c.name for t in TABLES for c in t.columns if c.dtype == "str"} | {"category", "constraint", "index", "unit"}


@dataclass
class StoredRun:
    folder: Path
    name: str
    tables: dict[str, pd.DataFrame]
    meta: dict
    inputs: dict[str, pd.DataFrame]

    @property
    def periods(self) -> list[int]:
        return [int(p) for p in self.meta["periods"]]

    @property
    def zones(self) -> list[str]:
        if "zones" in self.inputs:
            return self.inputs["zones"]["zone"].tolist()
        return sorted(self.tables["prices"]["zone"].unique())

    def has_inputs(self, *names: str) -> bool:
        return all(n in self.inputs for n in names)


def _text(df: pd.DataFrame) -> pd.DataFrame:
    for c in _TEXT:
        if c in df.columns:
            df[c] = df[c].fillna("").astype(str)
    return df


def load_run(folder: str | Path) -> StoredRun:
    """Read a results folder; ``InputError`` (exit 2) naming what is missing if it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "results folder does not exist; run `planner run MODEL` first")])
    tables, meta = read_results(folder)
    missing = [t for t in REQUIRED if t not in tables]
    if missing:
        raise InputError([Problem(str(folder), f"is missing result tables {', '.join(f'{t}.csv' for t in missing)}; "
                                  "re-run `planner run` to rewrite it")])
    if meta.get("status") != "optimal":
        raise InputError([Problem(str(folder / "run.json"), f"status is {meta.get('status')!r}, not 'optimal'; "
                                  "no report is made from a run without a proven optimum")])
    tables = {k: _text(v) for k, v in tables.items()}
    inputs = {k: _text(v) for k, v in read_input_snapshot(folder).items()}
    return StoredRun(folder, str(meta.get("name") or folder.name), tables, meta, inputs)
