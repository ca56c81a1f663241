"""``planner run``: the pipeline's stages (planner/pipeline.py) strung together, timed, and written as one unit.

load -> build -> solve -> extract -> write. Each stage can be called alone (tests build without solving;
reports read stored results); ``run_spec`` calls them in order and records how long each took.

Warm start. After an optimal solve that ends on a basis (simplex, or the interior point method with its
crossover, HiGHS's default), the run's results hold ``basis.npz``: HiGHS's status of every column and row, with
the sha256 of the LP's shape (``Solver.shape_sha256``: counts, families in order, row senses, non-zero
positions) and of its values by kind. run.json's ``basis`` records the file's sha256. A later run whose LP has
the same shape starts from that basis with the simplex method (primal while the basis stays primal feasible, as
after a cost change, else dual) instead of solving cold: the loop of editing a CSV cell and running again. Where from:

- by default, the results folder the run replaces (``results/<name>/``, the earlier run of the same name);
- ``warm_start=<folder>`` (``planner run --warm-start RESULTS_DIR``): another run's results, e.g. the base
  scenario for a variant; a folder that is not a run's results is refused (exit 2) before anything is solved;
- ``warm_start=False`` (``--cold``): never.

A basis that does not fit (another shape, a file changed since it was written, not a basis at all) is ignored
with one warning and the run solves cold: the simplex method proves optimality from any start, so a warm start
changes the time, never the optimum (among tied optima HiGHS may stop at another vertex, as it may between
methods). run.json's ``warm_start`` says whether the run started from a basis, from which folder, what had
changed since, or why not.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sys
import time
import types
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.errors import InputError, Problem, show_warnings
from planner.load import Case
from planner.model.data import ModelData
from planner.pipeline import build, solver_options
from planner.progress import Progress
from planner.results import extract
from planner.solve import Solution, Solver
from planner.spec import RunSpec, spec_sha256
from planner.store import claim, read_meta, seal, write_input_snapshot, write_tables
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
    basis: dict | None = None  # the final basis for basis.npz (``_basis_record``), None when the solve ended on none


BASIS_FILE = "basis.npz"
BASIS_FORMAT = 1


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
        source = _warm_source(warm_start, Path(results_root) / spec.name if results_root is not None else None)
        out, case = _solve(spec, solver, progress, source)
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
                if out.basis is not None:  # inside the temporary folder: moved into place with the rest, or not at all
                    meta["basis"] = _write_basis(tmp / BASIS_FILE, out.basis)
                meta["timings_s"]["write_s"] = time.perf_counter() - t0
                write_tables(tmp, {}, meta)
                # a fault in the summary or the report must not cost the solve: the results are kept without it
                try:
                    text = summary_text(out.tables, meta) + "\n"
                except Exception as exc:  # any fault: named to the user by the caller
                    out.report_error = f"summary.txt: {type(exc).__name__}: {exc}"
                else:
                    (tmp / "summary.txt").write_text(text, encoding="utf-8")
                if report and not year:  # made from the sealed tables in the temporary folder: results and report
                    t1 = time.perf_counter()  # move together
                    seal(tmp, "run")
                    _report(out, tmp)
                    meta["timings_s"]["report_s"] = time.perf_counter() - t1
                    write_tables(tmp, {}, meta)  # run.json with the report's time; sealed again by slot.write

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
    basis = None
    try:
        if spec.decomposition:
            from planner.decompose import solve_decomposed, start_point

            start = start_point(spec, options) if spec.decomposition.get("start_days") else None
            sol = solve_decomposed(m, d, options, spec.decomposition, progress, start=start)
            warm = {"used": False, "why": "a decomposition solves its own subproblems; no basis of the whole LP"}
        else:
            s = Solver(m, options, progress)
            t0 = time.perf_counter()
            shape = s.shape_sha256()
            values = s.value_sha256()
            warm = _start_from(s, source, shape, values, progress)
            s.run()
            s.load()
            sol = s.solution()
            basis = _basis_record(s, shape, values)
            timings["basis_s"] = time.perf_counter() - t0 - sol.seconds["solve"]  # hashes, reading and taking it
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
        "warm_start": warm,
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
    return RunOutput(spec, d, m, sol, tables, meta, basis=basis), case


def _warm_source(warm_start: str | Path | bool | None, replaced: Path | None) -> tuple[Path, bool] | str:
    """(folder, named by the user) whose basis the run may start from, or why the solve is cold.

    A folder the user named that is not a run's results is refused here, before anything is loaded."""
    if warm_start is False:
        return "a cold solve was asked for (--cold)"
    if warm_start is None or warm_start is True:
        if replaced is not None and read_meta(replaced) is not None:
            return replaced, False
        return "no earlier run to start from"
    folder = Path(warm_start)
    meta = read_meta(folder)
    if meta is None or meta.get("kind") != "run":
        raise InputError([Problem(str(folder), "is not a run's results folder (no run.json written by planner "
                                  "`planner run`): give --warm-start a folder such as results/<name>, or --cold")])
    return folder, True


def _start_from(s: Solver, source: tuple[Path, bool] | str, shape: str, values: dict, progress: Progress) -> dict:
    """Hand the stored basis of ``source`` to ``s`` if it fits this LP; what run.json says of the warm start.

    A basis that does not fit is ignored with one warning (the run solves cold). The results being replaced
    that hold no basis (written before basis files, or by a solve that ended without one) are passed over
    silently; a folder the user named says so."""
    if isinstance(source, str):
        return {"used": False, "why": source}
    folder, named = source
    path = folder / BASIS_FILE
    record = (read_meta(folder) or {}).get("basis")
    if not isinstance(record, dict):
        why = "its run stored no basis (a solve that ended without one, e.g. crossover off, or older results)"
        if named:
            _warn(progress, f"{folder}: not used as a warm start: {why}; solving cold")
        return {"used": False, "from": str(folder), "why": why}
    why, stored = _read_basis(path, record)
    if why is None and stored["shape_sha256"] != shape:
        why = (f"the LP's shape has changed since ({stored['columns']:,} columns and {stored['rows']:,} rows then, "
               f"{len(s.comp.columns):,} and {len(s.comp.rows):,} now, or another family or non-zero pattern)")
    changed = [k for k in values if stored.get("values", {}).get(k) != values[k]] if why is None else []
    if why is None:
        why = s.set_basis(stored["col_status"], stored["row_status"])
    if why is not None:
        _warn(progress, f"{path}: not used as a warm start: {why}; solving cold")
        return {"used": False, "from": str(folder), "why": why}
    return {"used": True, "from": str(folder), "changed": changed, "shape_sha256": shape,
            "method": "simplex from the stored basis (primal if it is still primal feasible, else dual)"}


def _warn(progress: Progress, message: str) -> None:
    progress.close()
    show_warnings([message])


def _read_basis(path: Path, record: dict) -> tuple[str | None, dict]:
    """(why not, the stored basis) of ``path`` checked against run.json's record of it."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})", {}
    if hashlib.sha256(body).hexdigest() != record.get("sha256"):
        return f"it does not match the sha256 recorded in {path.parent / 'run.json'} (changed or damaged since)", {}
    try:
        with np.load(io.BytesIO(body), allow_pickle=False) as z:
            stored = {"format": int(z["format"]), "shape_sha256": str(z["shape_sha256"]),
                      "values": json.loads(str(z["values"])), "col_status": np.asarray(z["col_status"]),
                      "row_status": np.asarray(z["row_status"])}
    except Exception as exc:  # any fault of a file that is not one of ours: it is only a starting point, never needed
        return f"it is not a basis file of planner ({type(exc).__name__})", {}
    if stored["format"] != BASIS_FORMAT or not isinstance(stored["values"], dict) or any(
            a.ndim != 1 or a.dtype != np.int8 for a in (stored["col_status"], stored["row_status"])):
        return f"it is not a basis file of this planner (format {stored['format']})", {}
    stored["columns"], stored["rows"] = len(stored["col_status"]), len(stored["row_status"])
    return None, stored


def _basis_record(s: Solver, shape: str, values: dict) -> dict | None:
    """The final basis of an optimal solve with its hashes, for basis.npz; None when HiGHS ended on none."""
    b = s.basis()
    if b is None:
        return None
    return {"col_status": b[0], "row_status": b[1], "shape_sha256": shape, "values": values}


def _write_basis(path: Path, basis: dict) -> dict:
    """basis.npz (inside the run's temporary folder); what run.json records of it."""
    buf = io.BytesIO()
    np.savez_compressed(buf, format=np.array(BASIS_FORMAT), shape_sha256=np.array(basis["shape_sha256"]),
                        values=np.array(json.dumps(basis["values"], sort_keys=True)),
                        col_status=basis["col_status"], row_status=basis["row_status"])
    body = buf.getvalue()
    path.write_bytes(body)
    return {"file": path.name, "sha256": hashlib.sha256(body).hexdigest(), "shape_sha256": basis["shape_sha256"],
            "columns": len(basis["col_status"]), "rows": len(basis["row_status"])}


def _warn_now(case: Case, progress: Progress) -> None:
    """The case's warnings at once, not after a long solve; on a line of their own, not after the progress line."""
    if case.warnings:
        progress.close()
        show_warnings([str(w) for w in case.warnings])


class _CallableModule(types.ModuleType):
    """``planner.run(...)`` is the library's run (planner/api.py ``run``, docs/api.md) while ``planner.run``
    stays this module: a package attribute and a submodule of one name cannot otherwise both be there."""

    def __call__(self, *args, **kwargs):
        from planner.api import run

        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
