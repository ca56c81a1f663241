"""A stored run as the reports see it: result tables, run.json, input snapshot.

Reports read only what ``planner run`` stored (``results/<name>/*.csv``,
``run.json`` and ``inputs/*.csv``); they never solve and never read the case
folder, which may have changed since the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import Problem, StoredResultsError
from planner.schema import TABLES
from planner.store import KINDS, META, kind_of, read_input_snapshot, read_meta, read_results

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


def not_a_run(folder: Path) -> None:
    """``InputError`` (exit 2) if ``folder`` is a planner folder of another kind than a run's results (a comparison,
    a study, a report), saying what it holds and what to give instead."""
    meta = read_meta(folder)
    if meta is None:
        return  # not planner's (or damaged): read_results says so
    kind = kind_of(meta, folder)
    if kind == "run":
        return
    what = KINDS.get(kind, f"a planner folder of kind {kind!r}")
    said = f"holds {what} (kind {kind!r} in its {META}), not a run's results"
    takes = "`planner report` and `planner compare` take a run's results folder, e.g. results/example"
    nested = meta.get("manifest", {}).get("nested") if isinstance(meta.get("manifest"), dict) else None
    runs = sorted(n for n, k in nested.items() if k == "run") if isinstance(nested, dict) else []
    if not runs and kind == "study":  # written before manifests: partner-value's runs by their names
        runs = [n for n in ("with", "without") if (read_meta(folder / n) or {}).get("kind") == "run"]
    if kind == "report" and (read_meta(folder.parent) or {}).get("kind") == "run":
        how = f"report its run instead: `planner report {folder.parent}`"
    elif runs:
        how = f"report one of the runs it holds instead: {' or '.join(str(folder / n) for n in runs)}"
    elif kind == "comparison":
        how = f"{takes} (one of the runs compared); the comparison itself is {folder / 'compare.html'}"
    else:
        how = f"{takes}; for partner-value, its with/ or without/ folder"
    raise StoredResultsError([Problem(str(folder), f"{said}; {how}")])


def load_run(folder: str | Path) -> StoredRun:
    """Read a results folder; ``InputError`` (exit 2) naming what is missing if it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StoredResultsError([Problem(str(folder), "results folder does not exist; run `planner run MODEL` first")])
    not_a_run(folder)
    tables, meta = read_results(folder)
    missing = [t for t in REQUIRED if t not in tables]
    if missing:
        raise StoredResultsError([
            Problem(str(folder), f"is missing result tables {', '.join(f'{t}.csv' for t in missing)}; "
                    "re-run `planner run` to rewrite it")])
    if meta.get("status") != "optimal":
        raise StoredResultsError([Problem(str(folder / "run.json"), f"status is {meta.get('status')!r}, not 'optimal'; "
                                  "no report is made from a run without a proven optimum")])
    tables = {k: _text(v) for k, v in tables.items()}
    inputs = {k: _text(v) for k, v in read_input_snapshot(folder).items()}
    return StoredRun(folder, str(meta.get("name") or folder.name), tables, meta, inputs)
