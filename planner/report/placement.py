"""The placement study's report section: the answer first, the closest sites, the programme, the robustness, a map.

    planner placement MODEL --partner K   -> results/<model>-placement-K/report.html (this section alone)
    planner report results/<model>        -> the run's report.html, with the section of every placement study
                                             of the model beside the run (results/<model>-placement*/)

Order: where K builds in the least-cost plan (a sentence when it builds nothing,
and why a study over fewer periods than a run shows less); the sites closest to
entering, by the capex cut they need (1 - break-even capex / capex), sites
with the same figures (or the same ``tie_group`` of break_even.csv, where the
study writes one) on one row; K's candidate sites on a map; the programme
curve; the near-optimal ranges with what the tie-slack columns mean.
Numbers as planner/report/style.py formats them (WACC 7.5 %, break-even 6.3 %).
"""

from __future__ import annotations

import html as _html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from planner.report import style
from planner.store import read_csv

esc = _html.escape
CLOSEST = 12  # rows of the closest-sites table shown open; the rest in the full table below it
TITLES = {
    "where": "Where the partner builds in the least-cost plan",
    "break_even": "Break-even capex and WACC of every site not chosen",
    "programme": "Programme curve (cost of committing the partner to a programme of each size)",
    "programme_sites": "Where the programme's MW go",
    "programme_displaced": "What the programme displaces (new MW by partner and technology)",
    "programme_displaced_generation": "What the programme displaces (generation by technology)",
    "programme_infeasible": "Programme sizes no plan can carry",
    "alternatives": "Robustness ranges (near-optimal alternatives: least and most MW per zone)",
}


def study_folders(run) -> list[tuple[Path, dict[str, pd.DataFrame], dict]]:
    """[(folder, tables, run.json)] of the placement studies of ``run``'s model beside it (<name>-placement*)."""
    out = []
    parent = Path(run.folder).resolve().parent
    for folder in sorted(parent.glob(f"{run.name}-placement*")):
        if not folder.is_dir():
            continue
        tables = {}
        for csv in sorted(folder.glob("*.csv")):
            try:
                tables[csv.stem] = read_csv(csv)  # as the study wrote it: ids such as "NA" stay text
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
                continue
        try:
            head = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            head = {}
        out.append((folder, tables, head if isinstance(head, dict) else {}))
    return out


def closest(be: pd.DataFrame) -> pd.DataFrame:
    """The sites not chosen, closest to entering first (smallest capex cut needed; sites with none last), sites that
    tie on one row: rows of one ``tie_group`` where break_even.csv has that column, else rows with the same technology,
    period and figures as shown (capex, break-even capex, break-even WACC). Columns: zones (list), technology,
    period, capex, break-even capex, cut, WACC, break-even WACC, tie, sites. Empty where break_even.csv lacks a
    column it needs."""
    need = {"zone", "technology", "period", "capex_usd_per_kw", "break_even_capex_usd_per_kw", "wacc",
            "break_even_wacc"}
    if be is None or not len(be) or not need <= set(be.columns):
        return pd.DataFrame(columns=["zones", "technology", "period", "capex_usd_per_kw", "break_even_capex_usd_per_kw",
                                     "cut_pu", "wacc", "break_even_wacc", "tie", "sites"])
    be = be.copy()
    be["cut_pu"] = 1 - be["break_even_capex_usd_per_kw"] / be["capex_usd_per_kw"]
    if "tie_group" in be.columns:
        key = be["tie_group"].astype(str).where(be["tie_group"].notna() & (be["tie_group"].astype(str) != ""),
                                                "row" + be.index.astype(str))
    else:
        # the same figures as the reader sees them (planner/report/style.py)
        key = pd.Series([f"{r.technology}|{r.period}|{style.num(r.capex_usd_per_kw)}|"
                         f"{style.num(r.break_even_capex_usd_per_kw)}|{style.pct(r.break_even_wacc)}"
                         for r in be.itertuples()], index=be.index)
    be["key"] = key
    tie = be["tie"].astype(str).str.lower().isin(("true", "1")) if "tie" in be.columns else False
    be["tie"] = tie
    rows = []
    for _, g in be.groupby("key", sort=False):
        r = g.iloc[0]
        rows.append({"zones": sorted(set(g["zone"].astype(str))),
                     "technology": ", ".join(dict.fromkeys(g["technology"].astype(str))),
                     "period": ", ".join(dict.fromkeys(str(int(p)) for p in g["period"])),
                     "capex_usd_per_kw": g["capex_usd_per_kw"].min(),
                     "capex_max_usd_per_kw": g["capex_usd_per_kw"].max(),
                     "break_even_capex_usd_per_kw": g["break_even_capex_usd_per_kw"].min(),
                     "break_even_capex_max_usd_per_kw": g["break_even_capex_usd_per_kw"].max(),
                     "cut_pu": g["cut_pu"].min(), "wacc": r["wacc"], "break_even_wacc": g["break_even_wacc"].max(),
                     "tie": bool(g["tie"].any()), "sites": len(g)})
    out = pd.DataFrame(rows)
    out["_none"] = out["cut_pu"].isna()
    out = out.sort_values(["_none", "cut_pu", "technology", "period"], kind="stable").drop(columns="_none")
    return out.reset_index(drop=True)


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td{' class=text' if i == 0 else ''}>{esc(c)}</td>" for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def answer(tables: dict[str, pd.DataFrame], head: dict, names: dict[str, str]) -> str:
    """Where K builds, as a sentence and (when it builds) a table; the periods the study solves and what follows."""
    k = str(head.get("partner", "the partner"))
    w = tables.get("where")
    periods = head.get("periods") or []
    when = ", ".join(str(p) for p in periods)
    parts = []
    if w is None or not len(w) or w["new_mw"].sum() <= 0.5:
        parts.append(f"<p class='placement-answer'><b>In the least-cost plan {esc(k)} builds nothing new in "
                     f"{esc(when)}.</b> {esc(_why_nothing(tables.get('break_even'), k))}</p>")
    else:
        by = w.groupby("zone")["new_mw"].sum().sort_values(ascending=False)
        parts.append(f"<p class='placement-answer'><b>In the least-cost plan {esc(k)} builds "
                     f"{style.mw(w['new_mw'].sum())} in {esc(when)}</b> (overnight capex "
                     f"{style.musd(w['capex_usd'].sum())} USD): "
                     + esc(", ".join(f"{names.get(z, z)} {style.mw(v)}" for z, v in by.items())) + ".</p>")
        rows = [[names.get(r.zone, r.zone), r.technology, str(r.period), style.num(r.new_mw), style.musd(r.capex_usd)]
                for r in w.sort_values("new_mw", ascending=False).itertuples()]
        parts.append(_table(["zone", "technology", "period", "new MW", "overnight capex (USD)"], rows, "where"))
    note = study_periods(head)
    if note:
        parts.append(f"<p class='why'>{esc(note)}</p>")
    return "\n".join(parts)


def study_periods(head: dict) -> str:
    """Why a study over some periods shows less than a run over more (the study's run.json ``head``)."""
    periods = [int(p) for p in head.get("periods") or []]
    if not periods:
        return ""
    k = str(head.get("partner", "the partner"))
    return (f"This study solves {', '.join(str(p) for p in periods)} only: the plants {k} and the others build or "
            f"have committed before {periods[0]} count as existing here, so a run over earlier periods as well "
            f"shows those as new builds of {k}.")


def _why_nothing(be: pd.DataFrame | None, k: str) -> str:
    c = closest(be)
    c = c[c["cut_pu"].notna()]
    if not len(c):
        return f"No site of {k} would enter at any capex."
    r = c.iloc[0]
    return (f"At its cost of capital of {style.pct(r.wacc)} the closest of its sites ({r.technology} in "
            f"{len(r.zones)} zone{'s' if len(r.zones) > 1 else ''}, {r.period}) would need its capex cut by "
            f"{style.pct(r.cut_pu)} (to {style.num(r.break_even_capex_usd_per_kw)} USD/kW), or a WACC of "
            f"{style.pct(r.break_even_wacc)}.")


def _span(lo: float, hi: float) -> str:
    """One figure, or the range of a group's figures as shown (566; 500 – 1,000); 'none' when there is none."""
    if lo != lo:
        return "none"
    a, b = style.num(lo), style.num(hi)
    return a if a == b else f"{a} – {b}"


def _or(fmt, v: float, none: str) -> str:
    return fmt(v) if v == v else none


def closest_html(tables: dict[str, pd.DataFrame], head: dict, names: dict[str, str]) -> str:
    be = tables.get("break_even")
    c = closest(be)
    if not len(c):
        return ""
    k = str(head.get("partner", "the partner"))
    shown = c.head(CLOSEST)
    rows = []
    for r in shown.itertuples():
        zones = ", ".join(names.get(z, z) for z in r.zones)
        rows.append([zones, r.technology, str(r.period), _span(r.capex_usd_per_kw, r.capex_max_usd_per_kw),
                     _span(r.break_even_capex_usd_per_kw, r.break_even_capex_max_usd_per_kw),
                     _or(style.pct, r.cut_pu, "-"),
                     style.pct(r.wacc), _or(style.pct, r.break_even_wacc, "none"), "tie" if r.tie else ""])
    grouped = "tie_group" if "tie_group" in be.columns else "the same technology, period and figures"
    return (f"<h4>The sites closest to entering (closest {len(shown)} of {len(c)} groups; {len(be)} sites)</h4>"
            f"<p>Sorted by the capex cut each needs (1 − break-even capex / capex); sites with {esc(grouped)} on one "
            f"row. 'needs': the overnight capex, or else the cost of capital, at which {esc(k)} would build there "
            "(the others at their own terms); 'tie': as cheap as what the plan builds (it enters at its own "
            "capex and WACC).</p>"
            + _table(["zones", "technology", "period", "capex USD/kW", "needs USD/kW", "capex cut", "WACC",
                      "or needs WACC", ""], rows, "closest"))


def alternatives_html(tables: dict[str, pd.DataFrame], head: dict, names: dict[str, str]) -> str:
    alt = tables.get("alternatives")
    if alt is None or not len(alt) or not {"zone", "least_cost_mw", "min_mw", "max_mw"} <= set(alt.columns):
        return ""
    alt = alt.copy()
    for c in ("min_mw_at_tie_slack", "max_mw_at_tie_slack"):
        if c not in alt.columns:
            alt[c] = np.nan
    if "siting" not in alt.columns:
        alt["siting"] = ""
    k = str(head.get("partner", "the partner"))
    slack, tie = head.get("slack", float("nan")), head.get("tie_slack", float("nan"))
    rows = [[names.get(r.zone, r.zone), style.num(r.least_cost_mw), f"{style.num(r.min_mw)} – {style.num(r.max_mw)}",
             f"{style.num(r.min_mw_at_tie_slack)} – {style.num(r.max_mw_at_tie_slack)}", r.siting]
            for r in alt.itertuples()]
    total = ""
    if f"{k}_min_mw" in head:
        least = style.mw(head.get(f"{k}_least_cost_mw", 0))
        total = (f" Over all zones {esc(k)} builds {style.mw(head[f'{k}_min_mw'])} to {style.mw(head[f'{k}_max_mw'])} "
                 f"within {style.pct(slack)} of the least cost (least cost: {least}).")
    return ("<h4>How firm the siting is (near-optimal ranges)</h4>"
            f"<p>The least and most MW {esc(k)} can have in each zone among plans that cost at most {style.pct(slack)} "
            f"more than the least cost; the tie-slack range (min_mw_at_tie_slack, max_mw_at_tie_slack) is the same "
            f"within {style.pct(tie)}, so small that only plans costing the same are in it. A zone whose tie-slack "
            "range is wide is a near-tie: the least-cost siting there is one of several plans of (nearly) the same "
            "cost; 'flexible' zones move within the slack, 'firm' ones do not." + total + "</p>"
            + _table(["zone", "least-cost MW", f"range within {style.pct(slack)}", f"range within {style.pct(tie)}",
                      "siting"], rows, "alternatives"))


def programme_figure(df: pd.DataFrame):
    """The programme's present-value premium over the least-cost plan against its size: within the horizon and,
    where the study writes it, over the plants' full lives."""
    import plotly.graph_objects as go

    from planner.report.charts import layout
    series = [(c, n) for c, n in (("premium_in_horizon_pv_usd", "within the horizon"),
                                  ("premium_full_life_pv_usd", "over the plants' full lives"),
                                  ("premium_present_value_usd", "present value")) if df is not None and c in df.columns]
    if df is None or not len(df) or "size" not in df.columns or not series:
        return None
    d = df.drop_duplicates("size").sort_values("size")
    unit = str(d["unit"].iloc[0]) if "unit" in d.columns else ""
    fig = go.Figure()
    for (col, name), color in zip(series, (style.AFTER_COLOR, style.BEFORE_COLOR, style.AFTER_COLOR)):
        y = d[col] / 1e6
        fig.add_scatter(x=d["size"], y=y, mode="lines+markers", name=name, marker_color=color,
                        customdata=[style.num(v) for v in y], text=[style.num(v) for v in d["size"]],
                        hovertemplate="%{text} " + unit + ": %{customdata} M USD " + name + "<extra></extra>")
    return layout(fig, "Programme curve: present-value premium over the least-cost plan (million USD)",
                  xaxis_title=f"programme size ({unit})", yaxis_title="million USD", height=380)


def alternatives_figure(df: pd.DataFrame | None, names: dict[str, str]):
    """The near-optimal range of K's MW per zone (bar from least to most) and the least-cost plan's MW (diamond)."""
    import plotly.graph_objects as go

    from planner.report.charts import layout
    if df is None or not len(df) or not {"zone", "min_mw", "max_mw"} <= set(df.columns):
        return None
    d = df.sort_values("max_mw", ascending=True)
    labels = [names.get(z, z) for z in d["zone"].astype(str)]
    fig = go.Figure()
    fig.add_bar(y=labels, x=d["max_mw"] - d["min_mw"], base=d["min_mw"], orientation="h",
                name="range within the cost slack", marker_color=style.mix(style.AFTER_COLOR, 0.6),
                customdata=[f"{style.num(a)} – {style.num(b)}" for a, b in zip(d["min_mw"], d["max_mw"])],
                hovertemplate="%{y}: %{customdata} MW<extra></extra>")
    if "least_cost_mw" in d.columns:
        fig.add_scatter(y=labels, x=d["least_cost_mw"], mode="markers", name="least-cost plan",
                        marker=dict(color=style.BEFORE_COLOR, size=11, symbol="diamond"),
                        customdata=[style.num(v) for v in d["least_cost_mw"]],
                        hovertemplate="%{y}: %{customdata} MW in the least-cost plan<extra></extra>")
    fig = layout(fig, "Robustness: the partner's MW per zone across near-optimal plans", xaxis_title="MW",
                 height=200 + 30 * len(d))
    fig.update_yaxes(automargin=True)
    return fig


def site_map(tables: dict[str, pd.DataFrame], head: dict, zones: pd.DataFrame | None):
    """K's candidate sites on the map: built (filled, area by MW) and not chosen (ring, labelled by the capex cut
    the zone's closest site needs)."""
    import plotly.graph_objects as go

    from planner.report.charts import layout
    from planner.report.map import extent, home_country, label_sides, outline_traces

    if zones is None or not {"zone", "lat", "lon"} <= set(zones.columns) or zones[["lat", "lon"]].isna().any().any():
        return None
    z = zones.set_index(zones["zone"].astype(str))
    names = style.zone_names(zones)
    k = str(head.get("partner", ""))
    home = home_country(z["lon"].tolist(), z["lat"].tolist())
    x0, x1, y0, y1 = extent(z, home)
    kk = math.cos(math.radians((y0 + y1) / 2))
    fig = go.Figure(outline_traces(home, (x0, x1, y0, y1), kk))
    color = style.partner_colors([k])[k]
    be = tables.get("break_even")
    w = tables.get("where")
    built = w.groupby("zone")["new_mw"].sum() if w is not None and len(w) else pd.Series(dtype=float)
    built = built[built > 0.5]
    cut = pd.Series(dtype=float)
    if be is not None and len(be) and {"break_even_capex_usd_per_kw", "capex_usd_per_kw"} <= set(be.columns):
        c = be.assign(cut=1 - be["break_even_capex_usd_per_kw"] / be["capex_usd_per_kw"])
        cut = c.groupby("zone")["cut"].min()
    offered = set(be["zone"].astype(str)) if be is not None and "zone" in be.columns else set()
    cand = [zz for zz in (set(cut.index) | offered)
            if zz in z.index and zz not in built.index]
    # ties (sites that never enter) by zone, so the page does not change with the set's order between runs
    cand = sorted(cand, key=lambda zz: (cut.get(zz, np.inf) != cut.get(zz, np.inf), cut.get(zz, np.inf), zz))
    zx, zy = z["lon"].to_numpy(float) * kk, z["lat"].to_numpy(float)
    pos = {zz: i for i, zz in enumerate(z.index)}
    if cand:
        cx, cy = [zx[pos[c]] for c in cand], [zy[pos[c]] for c in cand]
        fig.add_scatter(x=cx, y=cy, mode="markers", name=f"{k}'s candidate sites not chosen (ring)",
                        marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(color=color, width=3)),
                        hoverinfo="text", hovertext=[
                            f"{names.get(c, c)}: closest site needs its capex cut by {style.pct(cut[c])}"
                            if c in cut.index and cut[c] == cut[c] else f"{names.get(c, c)}: would not enter at any "
                            "capex" for c in cand])
    if len(built):
        mx = float(built.max())
        built = built[[b in pos for b in built.index]]
        fig.add_scatter(x=[zx[pos[b]] for b in built.index], y=[zy[pos[b]] for b in built.index],
                        mode="markers", name=f"{k} builds (area by MW)",
                        marker=dict(size=built.to_numpy(), sizemode="area", sizeref=2.0 * mx / 40 ** 2, sizemin=8,
                                    color=color, line=dict(color="#000", width=2)),
                        hoverinfo="text",
                        hovertext=[f"{names.get(b, b)}: {style.mw(v)} by {k}" for b, v in built.items()])
    text = []
    for zz in z.index:
        t = names.get(zz, zz)
        if zz in built.index:
            t += f"<br><b>{k} {style.mw(built[zz])}</b>"
        elif zz in cut.index and cut[zz] == cut[zz]:
            t += f"<br>needs −{style.pct(cut[zz])}"
        text.append(t)
    fig.add_scatter(x=zx, y=zy, mode="markers+text", text=text, textposition=label_sides(zx, zy), cliponaxis=False,
                    marker=dict(size=6, color="#222"), textfont=dict(size=10, color="#222"), hoverinfo="skip",
                    showlegend=False)
    fig.add_shape(type="rect", xref="x", yref="y", x0=x0 * kk, x1=x1 * kk, y0=y0, y1=y1, layer="below",
                  line=dict(width=0), fillcolor="#dcebf5")
    fig = layout(fig, f"{k}'s sites: where it builds, and the capex cut the closest site of each other zone needs",
                 height=620)
    fig.update_xaxes(range=[x0 * kk, x1 * kk], visible=False, showgrid=False)
    fig.update_yaxes(range=[y0, y1], visible=False, scaleanchor="x", scaleratio=1, showgrid=False)
    fig.update_layout(legend=dict(orientation="h", y=-0.02, yanchor="top", x=0), margin=dict(l=10, r=10, t=60, b=10))
    return fig


def section_html(tables: dict[str, pd.DataFrame], head: dict, zones: pd.DataFrame | None, name: str = "",
                 level: int = 2) -> str:
    """The section: answer, closest sites, map, programme, robustness, then every table of the study."""
    import plotly.io as pio

    from planner.report.html import table_html

    k = str(head.get("partner", ""))
    ids = set()
    for t in tables.values():
        if "zone" in t.columns:
            ids |= set(t["zone"].astype(str))
    names = style.zone_names(zones, sorted(ids))
    slug = "".join(ch if ch.isalnum() else "-" for ch in (name or f"placement-{k}"))
    h = f"h{level}"
    title = f"Placement study: where {esc(k)} should build" + (f" ({esc(name)})" if name else "")
    parts = [f"<section class='placement' id='section-{esc(slug)}'><{h}>{title}</{h}>", answer(tables, head, names),
             closest_html(tables, head, names)]

    def chart(fig, div: str) -> str:
        return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div, config={"displaylogo": False})

    fig = site_map(tables, head, zones)
    if fig is not None:
        parts.append(f"<h4>{esc(k)}'s candidate sites</h4>" + chart(fig, f"{slug}-map"))
    fig = programme_figure(tables.get("programme"))
    if fig is not None:
        parts.append(f"<h4>{esc(TITLES['programme'])}</h4>" + chart(fig, f"{slug}-programme"))
    parts.append(alternatives_html(tables, head, names))
    fig = alternatives_figure(tables.get("alternatives"), names)
    if fig is not None:
        parts.append(chart(fig, f"{slug}-alternatives"))
    for stem in [s for s in TITLES if s in tables] + sorted(s for s in tables if s not in TITLES):
        df = tables[stem]
        if stem == "where" and not len(df):
            continue  # said in a sentence above
        if stem == "break_even" and len(df) and {"break_even_capex_usd_per_kw", "capex_usd_per_kw"} <= set(df.columns):
            df = df.assign(_cut=1 - df["break_even_capex_usd_per_kw"] / df["capex_usd_per_kw"]).sort_values(
                "_cut", na_position="last", kind="stable").drop(columns="_cut")
        body = table_html(df.head(200)) if len(df) else "<p>none</p>"
        parts.append(f"<details><summary>{esc(TITLES.get(stem, stem))}: {esc(stem)}.csv ({len(df)} rows)</summary>"
                     f"{body}</details>")
    parts.append("</section>")
    return "\n".join(parts)


def write_section(folder: Path, tables: dict[str, pd.DataFrame], head: dict, zones: pd.DataFrame | None) -> Path:
    """``folder/report.html``: the section alone, self-contained (plotly inlined, nothing fetched).

    The study's tables are what it exists for: if the section cannot be made, the page says why (and so does a line
    on stderr) and the tables are written all the same."""
    import sys
    import traceback

    from plotly.offline import get_plotlyjs

    from planner.report.html import CSS

    k = str(head.get("partner", ""))
    try:
        body = section_html(tables, head, zones)
    except Exception as exc:  # noqa: BLE001 - the study's results must not be lost to its report
        body = (f"<p class='note'>The report section could not be made: {esc(type(exc).__name__)}: {esc(str(exc))}. "
                "The study's tables beside this file are complete.</p><pre>"
                + esc(traceback.format_exc()) + "</pre>")
        print(f"warning: the placement report section could not be made ({type(exc).__name__}: {exc}); the "
              "study's tables are written", file=sys.stderr)
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>planner placement: "
            f"{esc(k)} in {esc(str(head.get('model', '')))}</title><style>{CSS}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>" + body + "</body></html>")
    path = Path(folder) / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
