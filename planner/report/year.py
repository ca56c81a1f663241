"""The report's section on the year check (planner/studies/year_check.py): the plan over every hour of its year.

    year_section(folder, tables)      # HTML: the per-period summary, the zones short, a heat map, duration curves

The run's report (planner/report/html.py) shows it when ``<run>-year-check/`` is beside the run's results, read
from its stored tables; the year check writes the same section as ``year_check.html`` in its own folder.
Heat map: hour of day x day of year of the unserved energy of all zones (MW), or, where nothing is short, of the
demand-weighted mean price (USD/MWh). Duration curves: each zone's prices sorted, the year's against the plan's.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

NAMES = ("year_check", "year_unserved", "year_hourly", "year_price_duration", "year_costs", "year_annual_rows",
         "year_emissions")


def stored(run_folder: Path, name: str) -> dict[str, pd.DataFrame] | None:
    """The year check's tables beside a run's results (``<results root>/<name>-year-check/``), or None."""
    folder = Path(run_folder).resolve().parent / f"{name}-year-check"
    if not (folder / "year_check.csv").is_file():
        return None
    out = {}
    for n in NAMES:
        p = folder / f"{n}.csv"
        if p.is_file():
            try:
                out[n] = pd.read_csv(p)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
                continue
    return out if "year_check" in out else None


def heat_map(hourly: pd.DataFrame, period: int):
    """Hour of day x day of year: unserved MW summed over zones, or the demand-weighted mean price."""
    import plotly.graph_objects as go

    from planner.report.charts import layout

    h = hourly[hourly["period"] == period]
    short = h["unserved_mw"].sum() > 0
    if short:
        v = h.groupby(["day_of_year", "hour_of_day"])["unserved_mw"].sum()
        title, unit, scale = f"{period}: unserved energy, all zones (MW)", "MW", "Reds"
    else:
        w = h.assign(x=h["price_usd_per_mwh"] * h["demand_mw"])
        g = w.groupby(["day_of_year", "hour_of_day"])
        v = g["x"].sum() / g["demand_mw"].sum().replace(0, np.nan)
        title, unit, scale = f"{period}: nothing short; demand-weighted mean price (USD/MWh)", "USD/MWh", "Viridis"
    grid = v.unstack("day_of_year").sort_index()
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=grid.columns, y=grid.index, colorscale=scale,
                               colorbar=dict(title=unit)))
    return layout(fig, title, height=380, xaxis_title="day of the year", yaxis_title="hour of the day")


def duration(curves: pd.DataFrame, period: int):
    """Each zone's price duration curve over the year (solid) against the plan's representative hours (dotted)."""
    import plotly.graph_objects as go

    from planner.report import style
    from planner.report.charts import layout

    c = curves[curves["period"] == period]
    fig = go.Figure()
    colors = style.category_colors(sorted(set(c["zone"])))
    for z, g in c.groupby("zone", sort=True):
        color = colors[z]
        for source, dash in (("year", "solid"), ("plan", "dot")):
            s = g[g["source"] == source]
            if len(s):
                fig.add_scatter(x=100 * s["share_of_hours_pu"], y=s["price_usd_per_mwh"], mode="lines",
                                name=f"{z} ({source})", line=dict(color=color, dash=dash), legendgroup=z)
    return layout(fig, f"{period}: price duration, the year (solid) against the plan (dotted)", height=420,
                  xaxis_title="% of the hours", yaxis_title="USD/MWh")


def year_section(tables: dict[str, pd.DataFrame], folder: str = "") -> str:
    """The section's HTML (plotly figures without plotly.js, which the page carries)."""
    import plotly.io as pio

    from planner.report.html import table_html

    t = tables
    parts = ["<h2 id='year-check'>The year, hour by hour: the plan dispatched over every hour</h2>",
             "<p>The run's capacities (generation, storage, corridors) fixed and dispatched over each period's full "
             "hourly year (<code>planner year-check</code>"
             + (f", tables in <code>{html.escape(folder)}</code>" if folder else "") + "). Unserved energy is at the "
             "value of lost load; annual rows the plan cannot meet over the year are listed with the amount they "
             "miss.</p>", table_html(t["year_check"])]
    u = t.get("year_unserved")
    if u is not None and len(u):
        short = u[u["unserved_mwh"] > 0]
        parts.append("<h3>Zones short in some hour</h3>" + (table_html(short) if len(short) else
                                                           "<p>None: every zone is served in every hour.</p>"))
    rows = t.get("year_annual_rows")
    if rows is not None and len(rows):
        missed = rows[~rows["holds"].astype(bool)]
        parts.append("<h3>Annual rows over the year</h3>" + (table_html(missed) if len(missed) else
                                                            "<p>Every annual row holds over the year.</p>"))
    c = t.get("year_costs")
    if c is not None and len(c):
        parts.append("<details><summary>Operating cost of the year against the plan (USD/yr)</summary>"
                     + table_html(c) + "</details>")
    for p in t["year_check"]["period"]:
        for key, fig in (("heat", heat_map(t["year_hourly"], p) if "year_hourly" in t else None),
                         ("duration", duration(t["year_price_duration"], p) if "year_price_duration" in t
                          else None)):
            if fig is not None:
                parts.append("<div class='chart'>" + pio.to_html(fig, full_html=False, include_plotlyjs=False,
                                                                 div_id=f"year-{key}-{p}",
                                                                 config={"displaylogo": False}) + "</div>")
    return "\n".join(parts)


def section_for(run) -> str:
    """The section for a stored run's report, or "" when no year check is stored beside it."""
    t = stored(run.folder, run.name)
    return year_section(t, f"{run.name}-year-check") if t else ""


def write_page(path: Path, tables: dict[str, pd.DataFrame], title: str) -> Path:
    """A page of its own with the section (the year check's ``year_check.html``)."""
    from plotly.offline import get_plotlyjs

    from planner.report.html import CSS

    path.write_text(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                    f"<style>{CSS}</style><script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
                    f"<h1>{html.escape(title)}</h1>{year_section(tables)}</body></html>", encoding="utf-8")
    return path
