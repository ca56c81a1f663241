"""The stored basis of a run, and a solve that starts from it (the warm start).

After an optimal solve that ends on a basis (simplex, or the interior point method with its
crossover, HiGHS's default), a run's results hold ``basis.npz``: HiGHS's status of every column and row, with
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

``solve`` is the one call: the hashes of the LP, the start from ``source``'s basis where it fits, the solve, and the
final basis for ``write_basis``. ``planner run`` uses it (planner/runner.py); a study or a sweep that solves a
``Solver`` of the same shape again can pass it a results folder of its own.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from pathlib import Path

import numpy as np

from planner.errors import InputError, Problem, show_warnings
from planner.progress import Progress
from planner.solve import Solution, Solver
from planner.store import read_meta

BASIS_FILE = "basis.npz"
BASIS_FORMAT = 1


def solve(s: Solver, source: tuple[Path, bool] | str, progress: Progress) -> tuple[Solution, dict, dict | None, float]:
    """Solve ``s`` from the basis of ``source`` (``source(...)``) where it fits, else cold; load the solution.

    Returns the solution, what run.json says of the warm start (``start_from``), the final basis for
    ``write_basis`` (None when the solve ended on none) and the seconds spent on the basis (hashes, reading,
    setting and taking it) beside the solve."""
    t0 = time.perf_counter()
    shape = s.shape_sha256()
    values = s.value_sha256()
    warm = start_from(s, source, shape, values, progress)
    s.run()
    s.load()
    sol = s.solution()
    final = record(s, shape, values)
    return sol, warm, final, time.perf_counter() - t0 - sol.seconds["solve"]


def source(warm_start: str | Path | bool | None, replaced: Path | None) -> tuple[Path, bool] | str:
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


def start_from(s: Solver, source: tuple[Path, bool] | str, shape: str, values: dict, progress: Progress) -> dict:
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
    why, stored = read_basis(path, record)
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


def read_basis(path: Path, record: dict) -> tuple[str | None, dict]:
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


def record(s: Solver, shape: str, values: dict) -> dict | None:
    """The final basis of an optimal solve with its hashes, for basis.npz; None when HiGHS ended on none."""
    b = s.basis()
    if b is None:
        return None
    return {"col_status": b[0], "row_status": b[1], "shape_sha256": shape, "values": values}


def write_basis(path: Path, basis: dict) -> dict:
    """basis.npz (inside the run's temporary folder); what run.json records of it."""
    buf = io.BytesIO()
    np.savez_compressed(buf, format=np.array(BASIS_FORMAT), shape_sha256=np.array(basis["shape_sha256"]),
                        values=np.array(json.dumps(basis["values"], sort_keys=True)),
                        col_status=basis["col_status"], row_status=basis["row_status"])
    body = buf.getvalue()
    path.write_bytes(body)
    return {"file": path.name, "sha256": hashlib.sha256(body).hexdigest(), "shape_sha256": basis["shape_sha256"],
            "columns": len(basis["col_status"]), "rows": len(basis["row_status"])}
