"""A self-contained HTML report: plotly's JavaScript inlined, no network needed.

Order: the answer (deficit per period, who builds what), the partner section
(and a placement study's tables where one was run), the registered charts
(planner/report/charts.py; the map first), the key assumptions, the run's
provenance, then every table. Every text from the inputs is escaped (pandas'
to_html escapes, plotly's JSON escapes ``<``).
"""

from __future__ import annotations

import html as _html
from pathlib import Path

import numpy as np
import pandas as pd

from planner.report.charts import draw_all
from planner.report.data import StoredRun
from planner.report.year import section_for

CSS = """body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.note{color:#a33}.meta td{text-align:left}
td.text{text-align:left}table.assumptions th,table.partners th{text-align:left}
.answer{background:#f7f7f2;border:1px solid #ddd;padding:8px 16px;font-size:15px}
.answer li{margin:4px 0}details{margin:4px 0}summary{cursor:pointer;font-weight:600}.chart{min-height:420px}"""

esc = _html.escape


def _fmt(col: str, v: object) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if col.endswith("_pu") and ("share" in col or "margin" in col):
        return f"{v:.1%}"
    if col.endswith("_pu"):
        return f"{v:,.4f}"
    if col.endswith("_usd") or col.endswith("_usd_per_yr"):
        return f"{v / 1e6:,.1f} M"
    if col.endswith(("_mw", "_mwh", "_t", "_h")) and isinstance(v, float):
        return f"{v:,.0f}"
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and col not in ("period", "timestep", "size"):
        return f"{v:,}" if "period" not in col else str(v)
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.1f}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def partner_headers(columns) -> list[str]:
    """Readable headers of the partners table (the CSV and workbook keep the unit-suffixed names)."""
    fixed = {"new_mw": "new MW", "capex_usd": "overnight capex (USD)", "technologies": "technologies (by MW)",
             "zones": "zones (by MW)"}
    out = []
    for c in columns:
        if c.startswith("share_closed_") and c.endswith("_pu"):
            out.append(f"share of the {c[len('share_closed_'):-3]} deficit closed")
        else:
            out.append(fixed.get(c, c))
    return out


def table_html(df: pd.DataFrame, cls: str = "", headers: list[str] | None = None) -> str:
    """A table with readable numbers (USD in millions, shares in %), every text escaped."""
    head = "".join(f"<th>{esc(str(c))}</th>" for c in (headers or df.columns))
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row):
            cells.append(f"<td class='text'>{esc(v)}</td>" if isinstance(v, str) else f"<td>{esc(_fmt(c, v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def answer_html(rt: dict[str, pd.DataFrame]) -> str:
    """The deficit per period, and who closes it, in sentences."""
    s = rt.get("deficit_system")
    if s is None:
        return ""
    s = s[s["scope"] == "system"]
    pp = rt.get("partners_by_period")
    items = []
    for r in s.itertuples():
        line = (f"<b>{r.period}</b>: deficit <b>{r.deficit_before_mw:,.0f} MW</b> with the existing fleet; "
                f"{r.deficit_after_mw:,.0f} MW left after new builds.")
        if pp is not None and len(pp):
            who = pp[(pp["period"] == r.period) & (pp["new_mw"] > 0.5)].sort_values("new_mw", ascending=False)
            if len(who):
                line += " Built in the period: " + "; ".join(
                    f"{esc(str(w.partner))} {w.new_mw:,.0f} MW ({esc(str(w.technologies))} in {esc(str(w.zones))}), "
                    f"closes {w.share_closed_pu:.0%}" for w in who.itertuples()) + "."
        items.append(f"<li>{line}</li>")
    return ("<div class='answer'><p><b>The answer</b> (deficit as defined in docs/deficit.md: peak x (1 + margin) not "
            "covered by firm capacity and firm imports after the transfers corridors allow)</p><ul>"
            + "".join(items) + "</ul></div>")


def placement_tables(run: StoredRun) -> dict[str, pd.DataFrame]:
    """CSV tables of placement studies run on this model: results/<name>-placement*/*.csv beside the run."""
    out: dict[str, pd.DataFrame] = {}
    parent = Path(run.folder).resolve().parent
    for folder in sorted(parent.glob(f"{run.name}-placement*")):
        if not folder.is_dir():
            continue
        for csv in sorted(folder.glob("*.csv")):
            try:
                out[f"{folder.name}/{csv.stem}"] = pd.read_csv(csv)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
                continue
    return out


PLACEMENT_TITLES = {
    "where": "Where the partner builds in the least-cost plan",
    "break_even": "Break-even costs by site (capex and WACC at which a site enters the plan)",
    "programme": "Programme curve (cost of committing the partner to a programme of each size)",
    "programme_sites": "Where the programme's MW go",
    "programme_displaced": "What the programme displaces (new MW by partner and technology)",
    "programme_displaced_generation": "What the programme displaces (generation by technology)",
    "alternatives": "Robustness ranges (near-optimal alternatives: least and most MW per zone)",
}


def placement_figure(stem: str, df: pd.DataFrame):
    """The programme curve and the robustness ranges as charts, when their columns are there."""
    import plotly.graph_objects as go

    from planner.report.charts import layout
    if stem == "programme" and {"size", "premium_present_value_usd"} <= set(df.columns) and len(df):
        d = df.sort_values("size")
        unit = str(d["unit"].iloc[0]) if "unit" in d.columns else ""
        fig = go.Figure(go.Scatter(x=d["size"], y=d["premium_present_value_usd"] / 1e6, mode="lines+markers"))
        return layout(fig, "Programme curve: present-value premium over the least-cost plan (million USD)",
                      xaxis_title=f"programme size ({unit})", yaxis_title="million USD", height=380)
    if stem == "alternatives" and {"zone", "min_mw", "max_mw"} <= set(df.columns) and len(df):
        d = df.sort_values("max_mw", ascending=False)
        fig = go.Figure()
        fig.add_bar(x=d["zone"], y=d["max_mw"] - d["min_mw"], base=d["min_mw"], name="range at the cost slack",
                    marker_color="#9ecae1")
        if "least_cost_mw" in d.columns:
            fig.add_scatter(x=d["zone"], y=d["least_cost_mw"], mode="markers", name="least-cost plan",
                            marker=dict(color="#e15759", size=10, symbol="diamond"))
        return layout(fig, "Robustness: the partner's MW per zone across near-optimal plans", yaxis_title="MW",
                      height=380)
    return None


def partner_section(run: StoredRun, rt: dict[str, pd.DataFrame]) -> str:
    parts = ["<h2 id='partners'>Partners: who builds what, where, and how much of the deficit it closes</h2>"]
    p = rt.get("partners")
    if p is None or not len(p):
        parts.append("<p>No partner builds in this run.</p>")
    else:
        parts.append("<p>Over the horizon: new MW, overnight capex (USD millions), technologies and zones in order of "
                     "MW, "
                     "and per period the share of the system deficit the partner's builds close (docs/deficit.md). "
                     "Per period in <code>partners_by_period</code>; by zone in <code>partner_capacity</code>.</p>")
        parts.append(table_html(p, "partners", headers=partner_headers(p.columns)))
    placement = placement_tables(run)
    if placement:
        parts.append("<h3>Placement study</h3><p>The tables the placement study wrote for this model "
                     "(<code>planner placement</code>), shown as written.</p>")
        order = list(PLACEMENT_TITLES)

        def rank(item: tuple[str, pd.DataFrame]) -> tuple[str, int]:
            folder, stem = item[0].rsplit("/", 1)
            return folder, order.index(stem) if stem in order else len(order)

        for name, df in sorted(placement.items(), key=rank):
            stem = name.rsplit("/", 1)[-1]
            title = PLACEMENT_TITLES.get(stem, stem)
            fig = placement_figure(stem, df)
            if fig is not None:
                import plotly.io as pio
                parts.append(f"<h4>{esc(title)}</h4>" + pio.to_html(fig, full_html=False, include_plotlyjs=False,
                                                                     div_id=f"placement-{stem}",
                                                                     config={"displaylogo": False}))
            parts.append(
                f"<details{' open' if stem in ('break_even', 'programme', 'alternatives') else ''}><summary>"
                f"{esc(title)}: {esc(name)}.csv ({len(df)} rows)</summary>{table_html(df.head(200))}</details>"
            )
    return "\n".join(parts)


def write_html(path: Path, run: StoredRun, rt: dict[str, pd.DataFrame], notes: list[str], docs: dict[str, str]) -> Path:
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    m = run.meta
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>planner report: "
             f"{esc(run.name)}</title>",
             f"<style>{CSS}</style><script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
             f"<h1>Run {esc(run.name)}</h1>",
             answer_html(rt),
             partner_section(run, rt), section_for(run)]
    parts += [f"<p class='note'>{esc(n)}</p>" for n in notes]
    for div, title, caption, fig in draw_all(run, rt):
        if fig is None:
            parts.append(f"<h2>{esc(title)}</h2><p class='note'>not drawn: needs the input snapshot (zones with "
                         "lat/lon, "
                         "technologies) or tables this run's results lack</p>")
            continue
        parts.append(f"<h2>{esc(title)}</h2>" + (f"<p>{esc(caption)}</p>" if caption else "") + "<div class='chart'>"
                     + pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div,
                                   config={"displaylogo": False, "responsive": True})
                     + "</div>")
    a = rt.get("assumptions")
    if a is not None:
        parts.append("<h2 id='assumptions'>Key assumptions</h2><p>From the run's inputs; label and source as the "
                     "case's "
                     "SOURCES.md gives them (sourced: a published figure; derived: arithmetic on published figures; "
                     "assumption: no public source, reasoning in SOURCES.md).</p>" + table_html(a, "assumptions"))
    parts.append(
        "<h2>Run</h2><table class='meta'>"
        + "".join(
            f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>"
            for k, v in [
                ("status", m.get("status")),
                ("present value of system cost (USD)", f"{m.get('objective_usd', 0):,.0f}"),
                ("periods", m.get("periods")),
                ("base year", m.get("base_year")),
                ("discount rate", m.get("discount_rate")),
                ("timesteps", m.get("timesteps")),
                ("solver", m.get("solver")),
                ("inputs", m.get("inputs")),
                ("inputs sha256", m.get("inputs_sha256")),
                ("created (UTC)", m.get("created_utc")),
                ("scenario", m.get("scenario")),
                ("settings overrides", m.get("settings_overrides")),
            ]
        )
        + "</table>"
    )
    parts.append("<p>Units: MW, MWh, t CO2, USD of the case's currency year; <code>_pu</code> = fraction; annual "
                 "figures "
                 "are per year of the period. Regenerate with <code>planner report RESULTS_DIR</code>.</p>")
    parts.append("<h2>Tables</h2><p>The same tables are in <code>report/*.csv</code> and <code>report.xlsx</code>.</p>")
    for name, df in rt.items():
        doc = docs.get(name, "")
        parts.append(f"<details{' open' if name in ('headline', 'deficit_system') else ''}>"
                     f"<summary>{esc(name)} ({len(df)} rows)</summary><p>{esc(doc)}</p>{table_html(df)}</details>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
