"""A self-contained HTML report: plotly's JavaScript inlined, no network needed.

The map is a schematic: zones drawn at their longitude (x) and latitude (y)
on plain axes, so no map tiles or topojson are fetched. Every text from the
inputs is escaped (pandas' to_html escapes, plotly's JSON escapes ``<``).
"""

from __future__ import annotations

import html as _html
from pathlib import Path

import numpy as np
import pandas as pd

from planner.report.data import StoredRun
from planner.report.tables import EXISTING

DISPATCH_MAX_STEPS = 336  # show every timestep up to two weeks, else the week around the system peak
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"]


def _colors(names: list[str]) -> dict[str, str]:
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(sorted(names))}


def _layout(fig, title: str, height: int = 420, **kw):
    fig.update_layout(title=title, height=height, margin=dict(l=60, r=20, t=50, b=40), template="plotly_white",
                      legend=dict(orientation="v"), **kw)
    return fig


def _stacked_by_technology(df: pd.DataFrame, column: str, scale: float, colors: dict[str, str], title: str, unit: str):
    import plotly.graph_objects as go
    fig = go.Figure()
    for g, grp in df.groupby("technology"):
        if grp[column].abs().sum() > 0:
            fig.add_bar(x=grp["period"].astype(str), y=grp[column] / scale, name=g, marker_color=colors[g])
    return _layout(fig, title, barmode="stack", yaxis_title=unit, xaxis_title="period")


def fig_capacity(rt: dict[str, pd.DataFrame], colors: dict[str, str]):
    return _stacked_by_technology(rt["capacity_by_technology"], "total_mw", 1000, colors,
                                  "Installed capacity by technology (GW)", "GW")


def fig_generation(rt, colors):
    return _stacked_by_technology(rt["generation_mix"], "generation_mwh", 1e6, colors,
                                  "Annual generation by technology (TWh/yr)", "TWh/yr")


def fig_costs(rt):
    import plotly.graph_objects as go
    df = rt["costs"]
    df = df[df["category"] != "total"]
    fig = go.Figure()
    cc = _colors(df["category"].unique().tolist())
    for c, grp in df.groupby("category"):
        if grp["annual_usd_per_yr"].abs().sum() > 0:
            fig.add_bar(x=grp["period"].astype(str), y=grp["annual_usd_per_yr"] / 1e6, name=c, marker_color=cc[c])
    return _layout(fig, "Annual cost by category (million USD/yr; exports are revenue)", barmode="relative",
                   yaxis_title="million USD/yr", xaxis_title="period")


def fig_map(run: StoredRun, rt) -> object | None:
    """Zones at lon/lat, new capacity per partner built in each period, corridors by capacity and use."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots
    if "zones" not in run.inputs:
        return None
    zones = run.inputs["zones"].set_index("zone")
    if zones["lat"].isna().any() or zones["lon"].isna().any():
        return None
    periods = run.periods
    fig = make_subplots(rows=1, cols=len(periods), subplot_titles=[str(p) for p in periods], horizontal_spacing=0.04)
    cap = rt["capacity"]
    partners = sorted(cap.loc[cap["partner"] != EXISTING, "partner"].unique())
    pc = _colors(partners)
    cu = rt["corridor_use"]
    span = max(float(zones["lon"].max() - zones["lon"].min()), float(zones["lat"].max() - zones["lat"].min()), 1.0)
    off = 0.04 * span
    max_new = max(float(cap["new_mw"].max()), 1.0)
    shown = set()
    for j, p in enumerate(periods, start=1):
        for r in cu[cu["period"] == p].itertuples():
            a, b = zones.loc[r.from_zone], zones.loc[r.to_zone]
            width = 1 + 8 * min(r.capacity_mw / max(float(cu["capacity_mw"].max()), 1.0), 1.0)
            text = (f"{r.corridor}: {r.capacity_mw:,.0f} MW, use {r.utilisation_pu:.0%}"
                    + (f", +{r.new_built_mw:,.0f} MW new" if r.new_built_mw > 0 else ""))
            fig.add_scatter(x=[a.lon, b.lon], y=[a.lat, b.lat], mode="lines", showlegend=False, hoverinfo="text",
                            hovertext=text, line=dict(width=width, color="#d62728" if r.new_built_mw > 0 else "#999"),
                            row=1, col=j)
            fig.add_scatter(x=[(a.lon + b.lon) / 2], y=[(a.lat + b.lat) / 2], mode="text", showlegend=False,
                            text=[f"{r.utilisation_pu:.0%}" + (f" +{r.new_built_mw:,.0f}" if r.new_built_mw > 0 else "")],
                            textfont=dict(size=10, color="#555"), hoverinfo="skip", row=1, col=j)
        fig.add_scatter(x=zones["lon"], y=zones["lat"], mode="markers+text", text=zones.index, textposition="top center",
                        marker=dict(size=12, color="#333"), showlegend=False, hoverinfo="text",
                        hovertext=[f"{z} {zones.at[z, 'name']}" for z in zones.index], row=1, col=j)
        built = cap[(cap["period"] == p) & (cap["partner"] != EXISTING)].groupby(["zone", "partner"])["new_mw"].sum()
        for i, k in enumerate(partners):
            sub = built[built.index.get_level_values("partner") == k]
            sub = sub[sub > 1e-3]
            if not len(sub):
                continue
            zs = sub.index.get_level_values("zone")
            ang = 2 * np.pi * i / max(len(partners), 1)
            fig.add_scatter(x=zones.loc[zs, "lon"] + off * np.cos(ang), y=zones.loc[zs, "lat"] - off * (0.6 + np.sin(ang)),
                            mode="markers", name=f"new MW by {k}", legendgroup=k, showlegend=k not in shown,
                            marker=dict(size=8 + 30 * np.sqrt(sub.to_numpy() / max_new), color=pc[k], opacity=0.8),
                            hovertext=[f"{z}: {v:,.0f} MW new by {k} in {p}" for z, v in zip(zs, sub)], hoverinfo="text",
                            row=1, col=j)
            shown.add(k)
    fig.update_xaxes(title_text="longitude", showgrid=False)
    fig.update_yaxes(title_text="latitude", showgrid=False, scaleanchor=None)
    fig = _layout(fig, "Schematic map (lon/lat): new MW by partner built in the period; corridor use", height=480)
    fig.update_layout(margin=dict(t=90))
    return fig


def fig_price_duration(run: StoredRun):
    import plotly.graph_objects as go
    fig = go.Figure()
    for (z, p), grp in run.tables["prices"].groupby(["zone", "period"]):
        g = grp.sort_values("price_usd_per_mwh", ascending=False)
        x = np.cumsum(g["weight"].to_numpy(float))
        # step shape: each price holds for the hours its timestep stands for
        xs = np.concatenate([[0.0], x])
        ys = np.concatenate([g["price_usd_per_mwh"].to_numpy(float), [g["price_usd_per_mwh"].iloc[-1]]])
        fig.add_scatter(x=xs, y=ys, mode="lines", line_shape="hv", name=f"{z} {p}")
    return _layout(fig, "Price duration curves (USD/MWh over the hours of a year)", xaxis_title="hours of the year",
                   yaxis_title="USD/MWh")


def dispatch_window(steps: list[int], load: pd.Series) -> list[int]:
    """Every timestep when there are few (representative days), else the 168 around the system peak."""
    if len(steps) <= DISPATCH_MAX_STEPS:
        return steps
    i = steps.index(int(load.idxmax()))
    lo = max(0, min(i - 84, len(steps) - 168))
    return steps[lo:lo + 168]


def fig_dispatch(run: StoredRun, colors, period: int):
    import plotly.graph_objects as go
    d = run.tables["dispatch"]
    d = d[d["period"] == period]
    pr = run.tables["prices"]
    load = pr[pr["period"] == period].groupby("timestep")["demand_mw"].sum()
    steps = dispatch_window(sorted(load.index.astype(int)), load)
    gen = d.pivot_table(index="timestep", columns="technology", values="generation_mw", aggfunc="sum").reindex(steps)
    charge = d.groupby("timestep")["charge_mw"].sum().reindex(steps).fillna(0.0)
    tr = run.tables["trade"]
    tr = tr[tr["period"] == period].groupby("timestep")[["import_mw", "export_mw"]].sum().reindex(steps).fillna(0.0)
    uns = pr[pr["period"] == period].groupby("timestep")["unserved_mw"].sum().reindex(steps).fillna(0.0)
    x = list(range(len(steps)))
    fig = go.Figure()
    for g in gen.columns:
        if gen[g].abs().sum() > 0:
            fig.add_scatter(x=x, y=gen[g] / 1000, name=g, stackgroup="supply", mode="lines", line=dict(width=0.5, color=colors[g]))
    if tr["import_mw"].sum() > 0:
        fig.add_scatter(x=x, y=tr["import_mw"] / 1000, name="imports", stackgroup="supply", mode="lines", line=dict(width=0.5, color="#999"))
    if uns.sum() > 0:
        fig.add_scatter(x=x, y=uns / 1000, name="unserved", stackgroup="supply", mode="lines", line=dict(width=0.5, color="#000"))
    if charge.sum() > 0:
        fig.add_scatter(x=x, y=-charge / 1000, name="storage charging", stackgroup="use", mode="lines", line=dict(width=0.5, color="#bbb"))
    if tr["export_mw"].sum() > 0:
        fig.add_scatter(x=x, y=-tr["export_mw"] / 1000, name="exports", stackgroup="use", mode="lines", line=dict(width=0.5, color="#666"))
    fig.add_scatter(x=x, y=load.reindex(steps) / 1000, name="demand", mode="lines", line=dict(color="black", width=2, dash="dot"))
    what = "all modelled timesteps (representative days in order)" if len(steps) == len(load) else "the week around the system peak"
    return _layout(fig, f"System dispatch {period}: {what} (GW)", xaxis_title=f"timestep {steps[0]}…{steps[-1]}",
                   yaxis_title="GW")


def fig_deficit(rt):
    import plotly.graph_objects as go
    df = rt.get("deficit")
    if df is None:
        return None
    x = [df["zone"], df["period"].astype(str)]
    fig = go.Figure()
    fig.add_bar(x=x, y=df["peak_demand_mw"], name="peak demand", marker_color="#bbb")
    fig.add_bar(x=x, y=df["deficit_before_mw"], name="deficit before new builds", marker_color="#e15759")
    fig.add_bar(x=x, y=df["deficit_after_mw"], name="deficit after new builds", marker_color="#4e79a7")
    return _layout(fig, "Zonal capacity deficit: peak demand x (1 + reserve margin) not covered by firm capacity in the zone (MW)", barmode="group",
                   yaxis_title="MW")


CAPTIONS = {
    "Map": "Zones at their longitude/latitude. Marker area grows with the MW a partner builds in the zone in that period. "
           "Corridor width grows with capacity; the label is utilisation (energy sent / capacity x hours) and, in red, "
           "new MW built in the period.",
    "Deficit": "Deficit = zonal peak demand minus firm capacity (capacity x capacity credit) in the zone, before "
               "transmission and imports and without a reserve margin; 'before' counts the existing fleet still in "
               "service, 'after' adds the new builds of this and earlier periods. See the reserve_margin table for "
               "the system position the model enforces.",
    "Dispatch": "Supply stacked above zero (imports and unserved energy included), exports and storage charging below.",
}

CSS = """body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.note{color:#a33}.meta td{text-align:left}
details{margin:4px 0}summary{cursor:pointer;font-weight:600}.chart{min-height:420px}"""


def _table_html(df: pd.DataFrame) -> str:
    fmt = {c: (lambda v: f"{v:,.4f}") if c.endswith("_pu") else (lambda v: f"{v:,.1f}")
           for c in df.select_dtypes("float").columns}
    return df.to_html(index=False, escape=True, na_rep="", formatters=fmt, border=0)


def write_html(path: Path, run: StoredRun, rt: dict[str, pd.DataFrame], notes: list[str], docs: dict[str, str]) -> Path:
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    techs = sorted(set(run.tables["capacity"]["technology"]))
    colors = _colors(techs)
    figs = [("Capacity", fig_capacity(rt, colors)), ("Generation", fig_generation(rt, colors)),
            ("Costs", fig_costs(rt)), ("Map", fig_map(run, rt)), ("Deficit before and after new builds", fig_deficit(rt)),
            ("Price duration curves", fig_price_duration(run))]
    figs += [(f"Dispatch {p}", fig_dispatch(run, colors, p)) for p in run.periods]
    esc = _html.escape
    m = run.meta
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>planner report: {esc(run.name)}</title>",
             f"<style>{CSS}</style><script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
             f"<h1>Run {esc(run.name)}</h1>",
             "<table class='meta'>" + "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in [
                 ("status", m.get("status")), ("present value of system cost (USD)", f"{m.get('objective_usd', 0):,.0f}"),
                 ("periods", m.get("periods")), ("base year", m.get("base_year")), ("discount rate", m.get("discount_rate")),
                 ("timesteps", m.get("timesteps")), ("solver", m.get("solver")), ("inputs", m.get("inputs")),
                 ("inputs sha256", m.get("inputs_sha256")), ("created (UTC)", m.get("created_utc")),
                 ("scenario", m.get("scenario")), ("settings overrides", m.get("settings_overrides"))]) + "</table>",
             "<p>Units: MW, MWh, t CO2, USD of the case's currency year; <code>_pu</code> = fraction; annual figures "
             "are per year of the period. Regenerate with <code>planner report RESULTS_DIR</code>.</p>"]
    parts += [f"<p class='note'>{esc(n)}</p>" for n in notes]
    for i, (title, fig) in enumerate(figs):
        if fig is None:
            parts.append(f"<h2>{esc(title)}</h2><p class='note'>not drawn: needs the input snapshot (zones with lat/lon, technologies)</p>")
            continue
        cap = CAPTIONS.get(title.split()[0], "")
        parts.append(f"<h2>{esc(title)}</h2>" + (f"<p>{esc(cap)}</p>" if cap else "") + "<div class='chart'>"
                     + pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{i}",
                                   config={"displaylogo": False, "responsive": True})
                     + "</div>")
    parts.append("<h2>Tables</h2><p>The same tables are in <code>report/*.csv</code> and <code>report.xlsx</code>.</p>")
    for name, df in rt.items():
        doc = docs.get(name, "")
        parts.append(f"<details{' open' if name in ('headline', 'deficit', 'reserve_margin') else ''}>"
                     f"<summary>{esc(name)} ({len(df)} rows)</summary><p>{esc(doc)}</p>{_table_html(df)}</details>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
