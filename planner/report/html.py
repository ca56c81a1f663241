"""A self-contained HTML report: plotly's JavaScript inlined, no network needed.

Order: the answer (deficit per period, who builds what), the partner section,
the sections of the studies stored beside the run (each study's ``report_section``,
planner/studies/__init__.py; this module names none), the registered charts
(planner/report/figures.py; the map first), the key assumptions, the run's
provenance, then every table. Every text from the inputs is escaped (pandas'
to_html escapes, plotly's JSON escapes ``<``).
"""

from __future__ import annotations

import html as _html
from pathlib import Path

import numpy as np
import pandas as pd

from planner import explanations
from planner.report import style
from planner.report.charts import highlighted
from planner.report.data import StoredRun
from planner.report.figures import draw_all
from planner.report.tables import partner_report

CSS = """body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.note{color:#a33}.meta td{text-align:left}
td{white-space:nowrap}td.text{white-space:normal}.why{color:#555;font-size:13px;margin:2px 0 6px 0}
.why::before{content:"why: ";font-weight:600}
.highlight{background:#eef4f0;border:2px solid #117733;padding:8px 16px;margin-bottom:12px}
td.text{text-align:left}table.assumptions th,table.partners th{text-align:left}
.answer{background:#f7f7f2;border:1px solid #ddd;padding:8px 16px;font-size:15px}
.answer li{margin:4px 0}details{margin:4px 0}summary{cursor:pointer;font-weight:600}.chart{min-height:420px}"""

esc = _html.escape


RATES = ("wacc", "discount_rate", "break_even_wacc")  # fractions per year, shown as percentages


def _fmt(col: str, v: object) -> str:
    """A cell as a reader wants it (planner/report/style.py): rates and shares as percentages with the digits that
    matter, money in millions, MW and prices with three significant digits."""
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if col in ("period", "timestep", "size", "peak_timestep") or col.endswith("period"):
        return str(int(v)) if float(v).is_integer() else str(v)
    if col.endswith("_pu") or col in RATES or col.endswith("_wacc"):
        return style.pct(v)
    if col.endswith("_usd") or col.endswith("_usd_per_yr"):
        return style.musd(v)
    if isinstance(v, (int, np.integer)):
        return f"{v:,}"
    return style.num(v)


def _fmt_value(unit: str, v: object) -> str:
    """The value of a row whose unit is in a column of its own (the key assumptions, the headline)."""
    if isinstance(v, str) or v is None or (isinstance(v, float) and v != v):
        return "" if v is None or (isinstance(v, float) and v != v) else str(v)
    if unit.startswith("fraction") or unit == "pu":
        return style.pct(v)
    if unit == "USD":
        return style.musd(v)
    return style.num(v)


def partner_headers(columns) -> list[str]:
    """Readable headers of the partners table (the CSV and workbook keep the unit-suffixed names)."""
    fixed = {"new_mw": "new MW", "capex_usd": "overnight capex (USD)", "technologies": "technologies (MW)",
             "zones": "zones (MW)"}
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
    by_unit = "unit" in df.columns and "value" in df.columns
    for row in df.itertuples(index=False):
        cells = []
        unit = str(getattr(row, "unit", "")) if by_unit else ""
        for c, v in zip(df.columns, row):
            text = _fmt_value(unit, v) if by_unit and c == "value" else _fmt(c, v)
            cells.append(f"<td class='text'>{esc(v)}</td>" if isinstance(v, str) else f"<td>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def why(text: str | None) -> str:
    """An explanation line beside a figure (planner/explanations.py)."""
    return f"<p class='why'>{esc(text)}</p>" if text else ""


def answer_html(rt: dict[str, pd.DataFrame], why_: dict[str, str] | None = None,
                names: dict[str, str] | None = None) -> str:
    """The deficit per period, and who closes it, in sentences; the reason beside a figure that needs one."""
    s = rt.get("deficit_system")
    if s is None:
        return ""
    why_, names = why_ or {}, names or {}
    s = s[s["scope"] == "system"]

    def zones(text: str) -> str:
        return ", ".join(names.get(z, z) for z in str(text).split(", ") if z)

    pp = rt.get("partners_by_period")
    items, said = [], False
    for r in s.itertuples():
        line = (f"<b>{r.period}</b>: deficit <b>{style.mw(r.deficit_before_mw)}</b> with the existing fleet; "
                f"<span class='after'>{style.mw(r.deficit_after_mw)} left after new builds</span>.")
        if r.deficit_after_mw > 0.5 and not said:  # the reason once, beside the first figure that needs it
            line += why(why_.get("after_new_builds"))
            said = "after_new_builds" in why_
        if pp is not None and len(pp):
            who = pp[(pp["period"] == r.period) & (pp["new_mw"] > 0.5)].sort_values("new_mw", ascending=False)
            if len(who):
                line += " Built in the period: " + "; ".join(
                    f"{esc(str(w.partner))} {style.mw(w.new_mw)} ({esc(str(w.technologies))} in "
                    f"{esc(zones(w.zones))}), "
                    f"closes {style.pct(w.share_closed_pu)}" for w in who.itertuples()) + "."
        items.append(f"<li>{line}</li>")
    return ("<div class='answer'><p><b>The answer</b> (deficit as defined in docs/deficit.md: peak x (1 + margin) not "
            "covered by firm capacity and firm imports after the transfers corridors allow)</p><ul>"
            + "".join(items) + "</ul>" + why(why_.get("existing_fleet")) + "</div>")


def highlight_html(run: StoredRun, rt: dict[str, pd.DataFrame], why_: dict[str, str]) -> str:
    """For each partner the run picks out (``[report] highlight_partners``): its new MW per zone and period, its
    capex and the share of each period's deficit it closes, with the reason where it builds nothing yet closes some."""
    parts = []
    pc, pp = rt.get("partner_capacity"), rt.get("partners_by_period")
    names = style.zone_names(run.inputs.get("zones"), run.zones)
    info = run.inputs["partners"].set_index("partner")["name"].to_dict() if "partners" in run.inputs else {}
    for k in highlighted(run):
        label = style.partner_label(k, str(info.get(k, "")))
        built = pc[pc["partner"] == k] if pc is not None else pd.DataFrame(columns=["zone", "period", "new_mw"])
        parts.append(f"<div class='highlight' id='highlight-{esc(k)}'><h2>{esc(label)}: new MW by zone and period</h2>")
        if not len(built) or built["new_mw"].sum() <= 0.5:
            parts.append(f"<p>{esc(k)} builds nothing new in this run.</p>")
        else:
            t = built.pivot_table(index="zone", columns="period", values="new_mw", aggfunc="sum").reindex(
                columns=run.periods).fillna(0.0)
            t["total"] = t.sum(axis=1)
            t = t.sort_values("total", ascending=False)
            t.loc["all zones"] = t.sum()
            head = "".join(f"<th>{esc(str(c))}</th>" for c in ["zone", *t.columns])
            rows = "".join("<tr><td class='text'>" + esc(names.get(z, z)) + "</td>"
                           + "".join(f"<td>{style.num(v) if v > 0.5 else '-'}</td>" for v in row) + "</tr>"
                           for z, row in t.iterrows())
            parts.append(f"<table class='highlight-mw'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            parts.append(f"<p>MW built in each period; overnight capex {style.musd(built['capex_usd'].sum())} USD.</p>")
        if pp is not None:
            mine = pp[pp["partner"] == k]
            if len(mine):
                parts.append("<p>Share of each period's deficit it closes: " + "; ".join(
                    f"{r.period} {style.pct(r.share_closed_pu)}" for r in mine.itertuples()) + ".</p>")
                idle = why_.get("closed_without_builds", "")
                if f"({k} in " in idle or f" {k} in " in idle:
                    parts.append(why(idle))
        parts.append("</div>")
    return "\n".join(parts)


def partner_table(run: StoredRun, rt: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The partners table with each zone's and technology's MW in its text (display names of zones)."""
    p = rt["partners"].copy()
    pc = rt.get("partner_capacity")
    if pc is None:
        return p
    names = style.zone_names(run.inputs.get("zones"), run.zones)

    def listed(k: str, by: str, label) -> str:
        g = pc[pc["partner"] == k].groupby(by)["new_mw"].sum().sort_values(ascending=False)
        return ", ".join(f"{label(x)} {style.mw(v)}" for x, v in g.items() if v > 0.5)

    p["zones"] = [listed(k, "zone", lambda z: names.get(z, z)) for k in p["partner"]]
    p["technologies"] = [listed(k, "technology", str) for k in p["partner"]]
    return p


def partner_section(run: StoredRun, rt: dict[str, pd.DataFrame], why_: dict[str, str] | None = None) -> str:
    parts = ["<h2 id='partners'>Partners: who builds what, where, and how much of the deficit it closes</h2>"]
    p = rt.get("partners")
    if p is None or not len(p):
        parts.append("<p>No partner builds in this run.</p>")
    else:
        parts.append("<p>Over the horizon: new MW, overnight capex (USD millions), technologies and zones with their "
                     "MW, and per period the share of the system deficit the partner's builds close (docs/deficit.md). "
                     "Per period in <code>partners_by_period</code>; by zone in <code>partner_capacity</code>.</p>")
        t = partner_table(run, rt)
        parts.append(table_html(t, "partners", headers=partner_headers(t.columns)))
        parts.append(why((why_ or {}).get("closed_without_builds")))
    return "\n".join(parts)


def write_html(path: Path, run: StoredRun, rt: dict[str, pd.DataFrame], notes: list[str], docs: dict[str, str],
               sections: list[str] = ()) -> Path:
    """The page; ``sections``: the HTML the studies stored beside the run contribute, shown after the partners."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    m = run.meta
    why_ = explanations.notes(run.tables, m, partner_report(run))  # the same lines as summary.txt
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>planner report: "
             f"{esc(run.name)}</title>",
             f"<style>{CSS}</style><script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
             f"<h1>Run {esc(run.name)}</h1>",
             highlight_html(run, rt, why_),
             answer_html(rt, why_, style.zone_names(run.inputs.get("zones"), run.zones)),
             partner_section(run, rt, why_), *sections]
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
                ("discount rate", style.pct(m["discount_rate"]) if m.get("discount_rate") is not None else None),
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
