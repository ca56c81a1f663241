"""Write small cases for tests: tables as lists of dicts, CSVs in a temporary folder."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyomo.environ as pyo

from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.solve import solve

BASE = {
    "settings": [{"setting": "value_of_lost_load_usd_per_mwh", "value": 1000},
                 {"setting": "discount_rate", "value": 0}],
    "periods": [{"period": 2030, "years": 1}],
    "zones": [{"zone": "A"}],
}

EXAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "example"


def copy_example(tmp_path: Path) -> Path:
    """A writable copy of inputs/example in ``tmp_path``/case, for tests that break one thing in it."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "case"))


def invalid(capsys, folder: Path) -> str:
    """``planner validate folder`` exits 2 without a traceback; returns what it printed on stderr."""
    from planner.cli import main

    code = main(["validate", str(folder)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


# Every model solve_case builds during the current test; tests/conftest.py reads
# it to check that the constraint family a test claims to cover has rows.
BUILT: list[pyo.ConcreteModel] = []


def write_case(folder: Path, **tables: list[dict]) -> Path:
    """Write ``BASE`` overlaid with ``tables`` (name -> rows) as CSVs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {**BASE, **tables}
    weights = [float(r["weight"]) for r in tables.get("timesteps") or []]
    declared = any(r.get("setting") == "hours_per_year" for r in tables.get("settings") or [])
    if weights and sum(weights) not in (8760.0, 8784.0) and not declared:
        # a hand-checked case models a short "year" of these few hours: it says so, as the schema asks
        tables["settings"] = [*tables["settings"], {"setting": "hours_per_year", "value": sum(weights)}]
    for name, rows in tables.items():
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


def settings(voll: float = 1000, rate: float = 0, base_year: int | None = None) -> list[dict]:
    rows = [{"setting": "value_of_lost_load_usd_per_mwh", "value": voll}, {"setting": "discount_rate", "value": rate}]
    if base_year is not None:
        rows.append({"setting": "base_year", "value": base_year})
    return rows


def demand(by_zone: dict[str, list[float]]) -> list[dict]:
    """{"A": [mw_t0, mw_t1, ...]} -> demand rows."""
    return [{"zone": z, "timestep": t, "demand_mw": mw} for z, mws in by_zone.items() for t, mw in enumerate(mws)]


def existing(zone: str, tech: str, mw: float, build_year: int = 2000, **kw) -> dict:
    return {"zone": zone, "technology": tech, "build_year": build_year, "capacity_mw": mw, **kw}


def tech(name: str, kind: str = "thermal", lifetime_yr: int = 50, **kw) -> dict:
    return {"technology": name, "kind": kind, "lifetime_yr": lifetime_yr, **kw}


def profile(zone: str, tech_: str, values: list[float], col: str = "availability_pu") -> list[dict]:
    return [{"zone": zone, "technology": tech_, "timestep": t, col: v} for t, v in enumerate(values)]


def solve_case(folder: Path, periods: list[int] | None = None, options: dict | None = None,
               drop: tuple[str, ...] = ()):
    """Load, build and solve; return (model, data, solution).

    ``drop`` names constraints to deactivate first, so a test can show that its
    answer depends on the family it covers (the counterfactual optimum).
    """
    d = prepare(load_case(folder), periods)
    m = build_model(d)
    for name in drop:
        getattr(m, name).deactivate()
    if not drop:
        BUILT.append(m)
    sol = solve(m, options or {"method": "simplex"})
    return m, d, sol


def v(x) -> float:
    """Value of a variable or expression of a solved model."""
    return float(pyo.value(x))


def dual(sol, con) -> float:
    """Raw dual of one constraint row: d(objective, present-value USD) / d(right-hand side)."""
    return sol.duals[con]


def price(m, d, sol, z: str, p: int, t: int) -> float:
    """Zonal price in USD/MWh: balance dual / (discount weight * timestep weight)."""
    return sol.duals[m.balance[z, p, t]] / (d.discount_weight[p] * d.weight[t])


def south_reserve_case(folder: Path, **coal) -> Path:
    """Zones A (North, no demand) and B (South, 100 MW), one 1-h timestep; a reserve margin of 0.1 for South.

    Corridor A->B 50 MW, no loss, credit 0.8, not expandable; coal in A: existing 100 MW, vom 10, credit 0.9,
    with ``coal``'s extra columns; peak in B: new, capex 50 USD/kW, lifetime 1, credit 1."""
    return write_case(
        folder,
        zones=[{"zone": "A", "region": "North"}, {"zone": "B", "region": "South"}],
        technologies=[tech("coal", vom_usd_per_mwh=10, capacity_credit_pu=0.9, **coal),
                      tech("peak", lifetime_yr=1, capex_usd_per_kw=50, capacity_credit_pu=1)],
        existing_capacity=[existing("A", "coal", 100)],
        build_options=[{"zone": "B", "technology": "peak"}],
        corridors=[{"corridor": "AB", "from_zone": "A", "to_zone": "B", "capacity_mw": 50, "capacity_credit_pu": 0.8,
                    "max_new_mw": 0}],
        reserve_margins=[{"region": "South", "period": 2030, "margin_pu": 0.1}],
        timesteps=hours([1]),
        demand=demand({"A": [0], "B": [100]}),
    )
