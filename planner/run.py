"""The pipeline, one callable stage at a time: load -> build -> solve -> extract -> write.

Each stage can be called alone (tests build without solving; reports read
stored results). ``run_spec`` strings them together and times each.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from planner.errors import InputError, Problem
from planner.load import Case, load_case
from planner.model.build import build_model
from planner.model.data import ModelData, prepare
from planner.results import extract
from planner.solve import Solution, solve
from planner.spec import RunSpec
from planner.summary import summarise
from planner.store import write_input_snapshot, write_results, write_tables

DEFAULT_SOLVER = {"method": "ipm", "threads": 2}


@dataclass
class RunOutput:
    spec: RunSpec
    data: ModelData
    model: pyo.ConcreteModel
    solution: Solution
    tables: dict[str, pd.DataFrame]
    meta: dict
    folder: Path | None = None


def inputs_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(folder).glob("*.csv")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def apply_scenario(case: Case, spec: RunSpec) -> Case:
    """Settings overrides and scenario switches of the run specification."""
    settings = {**case.settings, **spec.settings}
    tables = dict(case.tables)
    if spec.cells:  # edits of input cells first: the switches below act on the edited case
        from planner.cells import apply

        tables = apply(tables, settings, spec.cells, str(spec.path) if spec.path else "run specification")
    sc = spec.scenario
    if sc.get("exclude_partners"):
        known = set(tables["partners"]["partner"])
        bad = [k for k in sc["exclude_partners"] if k not in known]
        if bad:
            raise InputError([Problem(str(spec.path), f"scenario.exclude_partners names unknown partners {bad}; "
                                      f"partners.csv has {sorted(known)}")])
        bo = tables["build_options"]
        drop = bo["partner"].isin(sc["exclude_partners"])
        if sc.get("keep_committed"):  # commitments (min_new_mw > 0) are decisions already taken: they stay
            drop &= ~(bo["min_new_mw"] > 0)
        tables["build_options"] = bo[~drop]
    if sc.get("no_new_builds"):
        bo = tables["build_options"]  # keep_committed: the commitments stay, as in exclude_partners
        tables["build_options"] = bo[bo["min_new_mw"] > 0] if sc.get("keep_committed") else bo.iloc[0:0]
        tables["corridors"] = tables["corridors"].assign(max_new_mw=0.0)
    if sc.get("drop_build_requirements"):
        # a dispatch of the fleet as it stands: requirements only building could meet (a reserve margin,
        # a minimum renewable share) are not imposed; `planner calibrate` reports the shortfall instead
        tables["reserve_margins"] = tables["reserve_margins"].iloc[0:0]
        tables["periods"] = tables["periods"].assign(min_renewable_share=0.0)
    if not sc.get("partner_commitments"):  # switched off: read and validated, not applied (run.json says so)
        off = tables["partner_commitments"].iloc[0:0].copy()
        off.attrs["rows_switched_off"] = len(tables["partner_commitments"])
        tables["partner_commitments"] = off
    if sc.get("demand_multiplier") is not None:
        tables["demand"] = tables["demand"].assign(demand_mw=tables["demand"]["demand_mw"] * float(sc["demand_multiplier"]))
    if spec.periods:
        missing = [p for p in spec.periods if p not in set(tables["periods"]["period"])]
        if missing:
            raise InputError([Problem(str(spec.path), f"periods {missing} are not in periods.csv")])
    return Case(case.path, tables, settings)


def commitments_note(spec: RunSpec, d: ModelData) -> dict:
    """What run.json says of partner_commitments.csv: switched on or not, rows applied, rows of periods not run."""
    from planner.model.commitments import not_applied

    if not spec.scenario.get("partner_commitments"):
        n = int(d.partner_commitments.attrs.get("rows_switched_off", 0))
        return {"applied": False, "rows_in_case": n,
                "note": "set scenario.partner_commitments = true in the run specification to apply them" if n else ""}
    return {"applied": True, "rows": len(d.partner_commitments), "not_applied": not_applied(d)}


def aggregate_time(case: Case, spec: RunSpec) -> tuple[Case, dict]:
    days = spec.time.get("representative_days")
    if not days:
        return case, {}
    from planner.timeagg import representative_days
    return representative_days(case, int(days), bool(spec.time.get("keep_peak_day", True)))


def run_spec(spec: RunSpec, results_root: Path | None = Path("results"), solver: dict | None = None) -> RunOutput:
    from planner.spec import validate_spec

    spec = validate_spec(spec)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    case = load_case(spec.inputs)
    case_hash = inputs_hash(spec.inputs)  # of the files as loaded, not as they may be after a long solve
    case = apply_scenario(case, spec)
    case, agg = aggregate_time(case, spec)
    d = prepare(case, spec.periods)
    timings["load_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    m = build_model(d)
    timings["build_s"] = time.perf_counter() - t0

    sol = solve(m, {**DEFAULT_SOLVER, **spec.solver, **(solver or {})})
    timings["compile_s"] = sol.seconds["compile"]
    timings["solve_s"] = sol.seconds["solve"]

    t0 = time.perf_counter()
    tables = extract(m, d, sol)
    timings["extract_s"] = time.perf_counter() - t0

    meta = {
        "name": spec.name,
        "spec": str(spec.path) if spec.path else None,
        "inputs": str(spec.inputs),
        "inputs_sha256": case_hash,
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "status": sol.status,
        "objective_usd": sol.objective,
        "periods": d.PERIODS,
        "base_year": d.settings["base_year"],
        "discount_rate": d.settings["discount_rate"],
        "timesteps": len(d.TIMESTEPS),
        "time_aggregation": agg,
        "scenario": spec.scenario,
        "report": spec.report,
        "settings_overrides": spec.settings,
        "cell_edits": [c.as_dict() for c in spec.cells],
        "solver": sol.solver_version,
        "solver_options": {**DEFAULT_SOLVER, **spec.solver, **(solver or {})},
        "iterations": sol.iterations,
        "size": sol.size,
        "excluded_build_options": d.excluded_builds,
        "committed_builds_counted_as_existing": d.committed_as_existing,
        "partner_commitments": commitments_note(spec, d),
        "timings_s": timings,
        "units": {"money": "USD", "power": "MW", "energy": "MWh", "emissions": "t CO2"},
    }
    out = RunOutput(spec, d, m, sol, tables, meta)
    if results_root is not None:
        t0 = time.perf_counter()

        def fill(tmp: Path) -> None:
            meta["timings_s"]["write_s"] = 0.0
            write_tables(tmp, tables, meta)
            write_input_snapshot(tmp / "inputs", case.tables)
            sources = Path(spec.inputs) / "SOURCES.md"  # the case's sources, for the report's assumptions table
            if sources.is_file():
                (tmp / "inputs" / "SOURCES.md").write_bytes(sources.read_bytes())
            meta["timings_s"]["write_s"] = time.perf_counter() - t0
            write_tables(tmp, {}, meta)
            (tmp / "summary.txt").write_text(summarise(tables, meta) + "\n", encoding="utf-8")

        out.folder = write_results(Path(results_root) / spec.name, fill)
    return out
