"""The pipeline, one callable stage at a time: load -> build -> solve -> extract -> write.

Each stage can be called alone (tests build without solving; reports read
stored results). ``run_spec`` strings them together and times each.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from planner.errors import InputError, Problem, show_warnings
from planner.load import Case, load_case
from planner.model.build import build_model
from planner.model.data import ModelData, prepare
from planner.progress import Progress
from planner.results import extract
from planner.solve import Solution, solve
from planner.spec import RunSpec
from planner.store import reserve, seal, write_input_snapshot, write_tables
from planner.summary import summarise

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
    report_error: str | None = None  # the summary or report failed; the results were written without them


def inputs_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(folder).glob("*.csv")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def check_against_case(tables: dict[str, pd.DataFrame], spec: RunSpec) -> None:
    """Checks of the run specification against the case that change nothing in it: ``InputError`` if one fails.

    Run by ``apply_scenario`` and, on a cache hit (which skips ``apply_scenario``), by ``load_for_run`` on the
    cached case: what they read (``spec.report``) is not part of the cache key, so a key stored by a run that
    passed them says nothing about this run. Every other check of ``apply_scenario`` reads only what the key
    holds (periods, scenario, settings, cell edits): an entry is stored only after they passed for that key.
    ``tables`` are the case's after the cell edits (a cached case's are); the partners are never dropped.
    """
    highlight = spec.report.get("highlight_partners") or []
    known = set(tables["partners"]["partner"])
    unknown = [k for k in highlight if k not in known]
    if unknown:
        raise InputError([Problem(str(spec.path), f"report.highlight_partners names unknown partners {unknown}; "
                                  f"partners.csv has {sorted(known)}")])


def apply_scenario(case: Case, spec: RunSpec) -> Case:
    """Settings overrides and scenario switches of the run specification."""
    settings = {**case.settings, **spec.settings}
    tables = dict(case.tables)
    warnings = list(case.warnings)
    if spec.cells:  # edits of input cells first: the switches below act on the edited case
        from planner.cells import apply

        warnings = []  # the edited case's own (an edit may cause or cure one)
        tables, settings = apply(tables, settings, spec.cells, str(spec.path) if spec.path else "run specification",
                                 overrides=spec.settings, warnings=warnings)
    sc = spec.scenario
    check_against_case(tables, spec)
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
        tables["demand"] = tables["demand"].assign(
            demand_mw=tables["demand"]["demand_mw"] * float(sc["demand_multiplier"]))
        _check_scaled_demand(tables, spec)
    if spec.periods:
        missing = [p for p in spec.periods if p not in set(tables["periods"]["period"])]
        if missing:
            raise InputError([Problem(str(spec.path), f"periods {missing} are not in periods.csv")])
    return Case(case.path, tables, settings, warnings)  # the warnings too: run prints them and run.json keeps them


def _check_scaled_demand(tables: dict[str, pd.DataFrame], spec: RunSpec) -> None:
    """Demand scaled by scenario.demand_multiplier (and grown by demand_growth.csv) stays within the bound of a
    demand in MW, as every demand_mw of the case does (planner/schema.py MAX_MW)."""
    from planner.schema import MAX_MW, _num

    dem, dg = tables["demand"], tables["demand_growth"]
    if not len(dem):
        return
    peak = dem.groupby("zone")["demand_mw"].max()
    growth = dg.groupby("zone")["multiplier"].max() if len(dg) else pd.Series(dtype=float)
    grown = peak * growth.reindex(peak.index).fillna(1.0)
    if grown.max() > MAX_MW:
        z = grown.idxmax()
        dm = float(spec.scenario["demand_multiplier"])
        raise InputError([Problem(str(spec.path) if spec.path else "run specification",
                                  f"scenario.demand_multiplier = {dm:g} makes the peak demand of zone {z} "
                                  f"{grown[z]:.3g} MW (demand.csv x {dm:g}"
                                  + (f" x demand_growth.csv's {growth[z]:g}" if z in growth.index else "")
                                  + f"), above the {_num(MAX_MW)} MW a demand may be; lower it")])


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


def load_for_run(spec: RunSpec) -> tuple[Case, dict, str]:
    """Stage 1 for a run: load and check the case, apply the scenario, aggregate time; through the cache
    (planner/cache.py) when the run aggregates an hourly year. Returns (case, aggregation info, inputs hash)."""
    from planner import cache

    case_hash = inputs_hash(spec.inputs)
    k = None
    if spec.time.get("representative_days"):
        request = {"periods": spec.periods, "time": spec.time, "scenario": spec.scenario, "settings": spec.settings,
                   "cells": [c.as_dict() for c in spec.cells]}  # everything apply_scenario and aggregate_time read
        k = cache.key(case_hash, request)
        hit = cache.load(k, _case_from_cache)
        if hit is not None:
            check_against_case(hit[0].tables, spec)  # what the key leaves out is checked on every run
            return hit[0], hit[1]["aggregation"], case_hash
    case = load_case(spec.inputs)
    loaded_hash = inputs_hash(spec.inputs)  # of the files as loaded, not as they may be after a long solve
    case = apply_scenario(case, spec)
    case, agg = aggregate_time(case, spec)
    if k is not None and loaded_hash == case_hash:  # files unchanged while they were read: safe to keep
        cache.store(k, case, {"aggregation": agg})
    return case, agg, loaded_hash


def _case_from_cache(path: str, tables: dict, settings: dict, rest: dict) -> Case:
    if "warnings" in rest:
        rest = {**rest, "warnings": [Problem(**w) for w in rest["warnings"]]}
    return Case(Path(path), tables, settings, **rest)


def run_spec(spec: RunSpec, results_root: Path | None = Path("results"), solver: dict | None = None,
             report: bool = False, progress: Progress | None = None) -> RunOutput:
    """Load, build, solve, extract; write ``results_root/<name>/`` (and its ``report/`` when ``report``) as one unit.

    The results location is checked and locked before anything is loaded, so a
    bad or busy location fails in a second, not after the solve. ``progress`` shows a live line.
    """
    from planner.spec import validate_spec

    spec = validate_spec(spec)
    progress = progress or Progress(enabled=False)
    with contextlib.ExitStack() as stack:
        slot = stack.enter_context(reserve(Path(results_root) / spec.name, "run")) if results_root is not None else None
        out, case = _solve(spec, solver, progress)
        if slot is not None:
            t0 = time.perf_counter()
            progress.stage("write")
            meta = out.meta

            def fill(tmp: Path) -> None:
                meta["timings_s"]["write_s"] = 0.0
                write_tables(tmp, out.tables, meta)
                write_input_snapshot(tmp / "inputs", case.tables)
                (tmp / "solver.log").write_text(out.solution.log)
                sources = Path(spec.inputs) / "SOURCES.md"  # the case's sources, for the report's assumptions table
                if sources.is_file():
                    (tmp / "inputs" / "SOURCES.md").write_bytes(sources.read_bytes())
                meta["timings_s"]["write_s"] = time.perf_counter() - t0
                write_tables(tmp, {}, meta)
                # a fault in the summary or the report must not cost the solve: the results are kept without it
                try:
                    text = summarise(out.tables, meta) + "\n"
                except Exception as exc:  # any fault: named to the user by the caller
                    out.report_error = f"summary.txt: {type(exc).__name__}: {exc}"
                else:
                    (tmp / "summary.txt").write_text(text, encoding="utf-8")
                if report:  # built from the sealed tables in the temporary folder: results and report move together
                    from planner.report import write_report
                    from planner.report.data import load_run

                    seal(tmp, "run")
                    (tmp / "report").mkdir()
                    try:
                        write_report(load_run(tmp), tmp / "report")
                        seal(tmp / "report", "report")
                    except Exception as exc:  # any fault: named to the user by the caller; no half report kept
                        out.report_error = "; ".join(filter(None, [out.report_error,
                                                                   f"report: {type(exc).__name__}: {exc}"]))
                        shutil.rmtree(tmp / "report")

            out.folder = slot.write(fill)
    progress.close()
    return out


def _solve(spec: RunSpec, solver: dict | None, progress: Progress) -> tuple[RunOutput, Case]:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    progress.stage("load")
    case, agg, case_hash = load_for_run(spec)
    warnings = [str(w) for w in case.warnings]
    if warnings:  # at once, not after a long solve; on a line of their own, not after the live progress line
        progress.close()
        show_warnings(warnings)
    d = prepare(case, spec.periods)
    timings["load_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    progress.stage("build")
    m = build_model(d)
    timings["build_s"] = time.perf_counter() - t0

    try:
        sol = solve(m, {**DEFAULT_SOLVER, **spec.solver, **(solver or {})}, progress)
    finally:
        progress.close()
    timings["compile_s"] = sol.seconds["compile"]
    timings["solve_s"] = sol.seconds["solve"]

    t0 = time.perf_counter()
    progress.stage("extract")
    tables = extract(m, d, sol)
    timings["extract_s"] = time.perf_counter() - t0

    meta = {
        "name": spec.name,
        "spec": str(spec.path) if spec.path else None,
        "inputs": str(spec.inputs),
        "inputs_sha256": case_hash,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
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
        "warnings": warnings,
        "partner_commitments": commitments_note(spec, d),
        "timings_s": timings,
        "units": {"money": "USD", "power": "MW", "energy": "MWh", "emissions": "t CO2"},
    }
    return RunOutput(spec, d, m, sol, tables, meta), case
