"""Every chart of the report: the chart modules, listed once, and what the HTML report and its test read.

A chart registers itself with ``@chart`` (planner/report/charts.py) in one of ``CHART_MODULES``; this
module imports them all, so a chart module never imports another to be registered.
"""

from __future__ import annotations

import pandas as pd

from planner.report import charts, style
from planner.report import map as geo_map
from planner.report.charts import Chart, Context
from planner.report.data import StoredRun

CHART_MODULES = (charts, geo_map)  # every module holding @chart functions


def registered() -> list[Chart]:
    """Every chart the modules of ``CHART_MODULES`` registered."""
    return charts.CHARTS


def expected_charts(periods: int) -> int:
    """How many chart divs a report of a run with this many periods has."""
    return sum(periods if c.per_period else 1 for c in registered())


def draw_all(run: StoredRun, rt: dict[str, pd.DataFrame]) -> list[tuple[str, str, str, object | None]]:
    """[(div id, title, caption, figure or None)] for every registered chart, in order."""
    techs = set(run.tables["capacity"]["technology"]) | set(run.tables["dispatch"]["technology"])
    base = Context(run, rt, style.technology_colors(techs))
    out = []
    for c in sorted(registered(), key=lambda c: ORDER.index(c.key) if c.key in ORDER else len(ORDER)):
        for p in (run.periods if c.per_period else [None]):
            ctx = Context(run, rt, base.colors, p)
            key = c.key if p is None else f"{c.key}-{p}"
            out.append((f"chart-{key}", c.title + (f" {p}" if p is not None else ""), c.caption, c.draw(ctx)))
    return out


# the page order; charts not listed come last, in registration order
ORDER = ["map", "deficit", "partner_capacity", "capacity", "generation", "costs", "prices", "dispatch"]
