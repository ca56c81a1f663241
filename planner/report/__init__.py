"""Reports regenerated from stored results, never by solving again.

    planner report RESULTS_DIR      -> RESULTS_DIR/report/{*.csv, report.html, report.xlsx}
    planner compare RUN_A RUN_B ... -> results/compare-<names>/{*.csv, compare.html}

tables.py derives the report tables, html.py and excel.py render them,
compare.py lines several runs up side by side.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.report.data import StoredRun


def build_report(results_dir: str | Path) -> Path:
    """Write RESULTS_DIR/report/ whole or not at all (temporary folder moved into place)."""
    from planner.report.data import load_run
    from planner.store import write_results

    run = load_run(results_dir)  # checked (and its checksums verified) before anything is written
    return write_results(Path(results_dir) / "report", lambda tmp: write_report(run, tmp), "report")


def write_report(run: StoredRun, dest: Path) -> None:
    """Write the report files of a stored run into the existing folder ``dest``.

    ``planner run`` calls it on the run's temporary folder, so results and report are moved into place as one unit.
    """
    from planner.report.excel import write_excel
    from planner.report.html import write_html
    from planner.report.tables import BUILDERS, report_tables
    from planner.store import write_csv
    from planner.studies import report_sections

    rt, notes = report_tables(run)
    docs = {k: " ".join((inspect.getdoc(f) or "").split("\n\n")[0].split()) for k, f in BUILDERS.items()}
    about = [("run", run.name), ("status", run.meta.get("status")), ("objective_usd", run.meta.get("objective_usd")),
             ("inputs_sha256", run.meta.get("inputs_sha256")), ("created_utc", run.meta.get("created_utc")),
             ("units", "MW, MWh, t CO2, USD of the case's currency year; _pu = fraction")]
    about += [(f"note {i + 1}", n) for i, n in enumerate(notes)]
    about += [(f"sheet {k}", docs.get(k, "")) for k in rt]
    for name, df in rt.items():
        write_csv(df, dest / f"{name}.csv")  # full precision, as the result tables
    sections = report_sections(run)  # what the studies stored beside the run add (planner/studies/__init__.py)
    write_excel(dest / "report.xlsx", {**rt, **{k: v for s in sections for k, v in s.tables.items()}}, about)
    write_html(dest / "report.html", run, rt, notes, docs, [s.html for s in sections])
