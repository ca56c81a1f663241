"""Write small cases for tests: tables as lists of dicts, CSVs in a temporary folder."""

from __future__ import annotations

import csv
from pathlib import Path

from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.solve import solve

BASE = {
    "settings": [{"setting": "value_of_lost_load_usd_per_mwh", "value": 1000}, {"setting": "discount_rate", "value": 0}],
    "periods": [{"period": 2030, "years": 1}],
    "zones": [{"zone": "A"}],
}


def write_case(folder: Path, **tables: list[dict]) -> Path:
    """Write ``BASE`` overlaid with ``tables`` (name -> rows) as CSVs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in {**BASE, **tables}.items():
        if rows is None:
            continue
        cols: list[str] = []
        for r in rows:
            cols += [c for c in r if c not in cols]
        with open(folder / f"{name}.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
    return folder


def hours(weights: list[float], block: int = 0) -> list[dict]:
    return [{"timestep": i, "weight": wt, "block": block} for i, wt in enumerate(weights)]


def solve_case(folder: Path, periods: list[int] | None = None, options: dict | None = None):
    """Load, build and solve; return (model, data, solution)."""
    d = prepare(load_case(folder), periods)
    m = build_model(d)
    sol = solve(m, options or {"method": "simplex"})
    return m, d, sol
