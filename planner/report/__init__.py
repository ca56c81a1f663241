"""Reports regenerated from stored results, never by solving again.

    planner report RESULTS_DIR      -> RESULTS_DIR/report/{*.csv, report.html, report.xlsx}
    planner compare RUN_A RUN_B ... -> results/compare-<names>/{*.csv, compare.html}

tables.py derives the report tables, html.py and excel.py render them,
compare.py lines several runs up side by side.
"""

from __future__ import annotations

import inspect
from pathlib import Path


def build_report(results_dir: str | Path) -> Path:
    """Write RESULTS_DIR/report/ whole or not at all (temporary folder moved into place)."""
    from planner.report.data import load_run
    from planner.report.excel import write_excel
    from planner.report.html import placement_tables, write_html
    from planner.report.tables import BUILDERS, report_tables
    from planner.store import write_results

    run = load_run(results_dir)
    rt, notes = report_tables(run)
    docs = {k: " ".join((inspect.getdoc(f) or "").split("\n\n")[0].split()) for k, f in BUILDERS.items()}
    about = [("run", run.name), ("status", run.meta.get("status")), ("objective_usd", run.meta.get("objective_usd")),
             ("inputs_sha256", run.meta.get("inputs_sha256")), ("created_utc", run.meta.get("created_utc")),
             ("units", "MW, MWh, t CO2, USD of the case's currency year; _pu = fraction")]
    about += [(f"note {i + 1}", n) for i, n in enumerate(notes)]
    about += [(f"sheet {k}", docs.get(k, "")) for k in rt]

    def fill(tmp: Path) -> None:
        for name, df in rt.items():
            df.to_csv(tmp / f"{name}.csv", index=False, float_format="%.10g")
        placement = {"placement_" + k.rsplit("/", 1)[-1]: v for k, v in placement_tables(run).items()}
        write_excel(tmp / "report.xlsx", {**rt, **placement}, about)
        write_html(tmp / "report.html", run, rt, notes, docs)

    return write_results(Path(results_dir) / "report", fill)
