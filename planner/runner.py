"""``planner run``: the pipeline's stages (planner/pipeline.py) strung together, timed, and written as one unit.

load -> build -> solve -> extract -> write. Each stage can be called alone (tests build without solving;
reports read stored results); ``run_spec`` calls them in order and records how long each took.

Warm start: a solve starts from the stored basis of an earlier run where it fits (planner/basis.py).
"""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from planner import basis as warm
from planner.errors import show_warnings
from planner.load import Case
from planner.model.data import ModelData
from planner.pipeline import build, solver_options
from planner.progress import Progress
from planner.results import extract
from planner.solve import Solution, Solver
from planner.spec import RunSpec, spec_sha256
from planner.store import claim, seal, write_input_snapshot, write_tables
from planner.summary import summary_text


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
    year_check: dict[str, pd.DataFrame] | None = None  # ``[time] year_check``: planner/studies/year_check.py's tables
    basis: dict | None = None  # the final basis for basis.npz (planner/basis.py ``record``), None when there is none


def commitments_note(spec: RunSpec, d: ModelData) -> dict:
    """What run.json says of partner_commitments.csv: switched on or not, rows applied, rows of periods not run."""
    from planner.model.commitments import not_applied

    if not spec.scenario.get("partner_commitments"):
        n = int(d.partner_commitments.attrs.get("rows_switched_off", 0))
        return {"applied": False, "rows_in_case": n,
                "note": "set scenario.partner_commitments = true in the run specification to apply them" if n else ""}
    return {"applied": True, "rows": len(d.partner_commitments), "not_applied": not_applied(d)}


def run_spec(spec: RunSpec, results_root: Path | None = Path("results"), solver: dict | None = None,
             report: bool = False, progress: Progress | None = None,
             warm_start: str | Path | bool | None = None) -> RunOutput:
    """Load, build, solve, extract; write ``results_root/<name>/`` (and its ``report/`` when ``report``) as one unit.

    The results location is checked and locked before anything is loaded, so a
    bad or busy location fails in a second, not after the solve. ``progress`` shows a live line.

    ``[time] year_check = true``: the plan is then dispatched over every hour of each period (``year_check``,
    planner/studies/year_check.py), its tables in ``out.year_check`` and, with ``results_root``, written to
    ``results_root/<name>-year-check/``; the report is made after it, with its section.
    ``warm_start``: None starts from the basis of the results being replaced, a folder from that run's basis,
    False never (the module's docstring).
    """
    from planner.spec import validate_spec

    spec = validate_spec(spec)
    progress = progress or Progress(enabled=False)
    year = bool(spec.time.get("year_check"))
    with contextlib.ExitStack() as stack:
        slot = stack.enter_context(claim(Path(results_root) / spec.name, "run")) if results_root is not None else None
        source = warm.source(warm_start, Path(results_root) / spec.name if results_root is not None else None)
        out, case = _solve(spec, solver, progress, source)
        if slot is not None:
            t0 = time.perf_counter()
            progress.stage("write")
            meta = out.meta

            def fill(tmp: Path) -> dict:
                # run.json is written once, by the seal of slot.write, with every stage's time; with a report, the
                # report reads the sealed results first, so it is sealed once before the report too
                write_tables(tmp, out.tables)
                write_input_snapshot(tmp / "inputs", case.tables)
                (tmp / "solver.log").write_text(out.solution.log)
                sources = Path(spec.inputs) / "SOURCES.md"  # the case's sources, for the report's assumptions table
                if sources.is_file():
                    (tmp / "inputs" / "SOURCES.md").write_bytes(sources.read_bytes())
                if out.basis is not None:  # inside the temporary folder: moved into place with the rest, or not at all
                    meta["basis"] = warm.write_basis(tmp / warm.BASIS_FILE, out.basis)
                meta["timings_s"]["write_s"] = time.perf_counter() - t0
                # a fault in the summary or the report must not cost the solve: the results are kept without it
                try:
                    text = summary_text(out.tables, meta) + "\n"
                except Exception as exc:  # any fault: named to the user by the caller
                    out.report_error = f"summary.txt: {type(exc).__name__}: {exc}"
                else:
                    (tmp / "summary.txt").write_text(text, encoding="utf-8")
                if report and not year:  # made from the sealed tables in the temporary folder: results and report
                    t1 = time.perf_counter()  # move together
                    seal(tmp, "run", meta)
                    _report(out, tmp)
                    meta["timings_s"]["report_s"] = time.perf_counter() - t1
                return meta

            out.folder = slot.write(fill)
    if year:
        try:
            out.year_check = year_check(out, results_root, progress)
        finally:  # the report with the year check's section, or without it when the check failed
            if report and out.folder is not None:
                from planner.report import build_report

                try:
                    build_report(out.folder)
                except OSError:  # a full disk or a read-only location (store.WriteError)
                    raise
                except Exception as exc:  # any fault: named to the user by the caller
                    _report_failed(out, exc)
    progress.close()
    return out


def _report(out: RunOutput, tmp: Path) -> None:
    """The report of the sealed run in the temporary folder ``tmp``, into ``tmp/report``; a fault other than the
    disk's is named in ``out.report_error`` and no half report is kept."""
    from planner.report import write_report
    from planner.report.data import load_run

    (tmp / "report").mkdir()
    try:
        write_report(load_run(tmp), tmp / "report")
        seal(tmp / "report", "report")
    except OSError:  # a full disk or a read-only location: the whole write fails (store.WriteError)
        raise
    except Exception as exc:  # any fault: named to the user by the caller
        _report_failed(out, exc)
        shutil.rmtree(tmp / "report")


def _report_failed(out: RunOutput, exc: Exception) -> None:
    out.report_error = "; ".join(filter(None, [out.report_error, f"report: {type(exc).__name__}: {exc}"]))


def year_check(out: RunOutput, results_root: Path | None, progress: Progress) -> dict[str, pd.DataFrame]:
    """The run's plan over every hour of each period (planner/studies/year_check.py): from its results folder,
    written beside it, when it has one; from the tables in memory otherwise."""
    from planner.studies import year_check as yc

    progress.stage("year check")
    if out.folder is None:
        return yc.check_run(yc.full_resolution(out.spec, out.meta["periods"]), out.tables)
    return yc.check(out.folder, results_root=Path(results_root))


def _solve(spec: RunSpec, solver: dict | None, progress: Progress,
           source: tuple[Path, bool] | str = "no earlier run to start from") -> tuple[RunOutput, Case]:
    progress.stage("load")
    built = build(spec, on_loaded=lambda case: _warn_now(case, progress), progress=progress)
    case, d, m, agg, case_hash = built.case, built.data, built.model, built.aggregation, built.inputs_sha256
    warnings = [str(w) for w in case.warnings]
    timings: dict[str, float] = dict(built.timings_s)

    options = solver_options(spec, solver)
    final = None
    try:
        if spec.decomposition:
            from planner.decompose import solve_decomposed, start_point

            start = start_point(spec, options) if spec.decomposition.get("start_days") else None
            sol = solve_decomposed(m, d, options, spec.decomposition, progress, start=start)
            started = {"used": False, "why": "a decomposition solves its own subproblems; no basis of the whole LP"}
        else:
            sol, started, final, timings["basis_s"] = warm.solve(Solver(m, options, progress), source, progress)
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
        "spec_sha256": spec_sha256(spec),  # what a re-run study compares before reusing these results
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
        "solver_options": options,
        "iterations": sol.iterations,
        "warm_start": started,
        "basis": None,  # {"file": "basis.npz", ...} once written (run_spec)
        "decomposition": sol.notes.get("decomposition"),
        "size": sol.size,
        "excluded_build_options": d.excluded_builds,
        "committed_builds_counted_as_existing": d.committed_as_existing,
        "warnings": warnings,
        "partner_commitments": commitments_note(spec, d),
        "timings_s": timings,
        "units": {"money": "USD", "power": "MW", "energy": "MWh", "emissions": "t CO2"},
    }
    return RunOutput(spec, d, m, sol, tables, meta, basis=final), case


def _warn_now(case: Case, progress: Progress) -> None:
    """The case's warnings at once, not after a long solve; on a line of their own, not after the progress line."""
    if case.warnings:
        progress.close()
        show_warnings([str(w) for w in case.warnings])
