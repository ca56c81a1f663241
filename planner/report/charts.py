"""The report's charts, registered like its tables: a new chart is one function and one decorator line.

    @chart("prices", "Price duration by region", caption="...")
    def price_duration(c: Context): ...        # returns a plotly figure, or None when the run lacks an input

``per_period=True`` draws the chart once per period (``c.period`` set). The
HTML report draws every chart of the modules planner/report/figures.py lists
(this one and the map), in its ``ORDER``; the browser test counts them from
there (``expected_charts``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.core.names import EXISTING
from planner.report import style
from planner.report.data import StoredRun

DISPATCH_MAX_STEPS = 336  # show every timestep up to two weeks, else the week around the system peak


@dataclass
class Context:
    run: StoredRun
    rt: dict[str, pd.DataFrame]
    colors: dict[str, str] = field(default_factory=dict)  # technology -> colour (planner/report/style.py)
    period: int | None = None

    @property
    def highlight(self) -> list[str]:
        """Partners the report picks out (run spec ``[report] highlight_partners``)."""
        return highlighted(self.run)

    @property
    def zone_names(self) -> dict[str, str]:
        """zone id -> display name (planner/report/style.py)."""
        return style.zone_names(self.run.inputs.get("zones"), self.run.zones)


def highlighted(run: StoredRun) -> list[str]:
    """Partners a run's report picks out (run spec ``[report] highlight_partners``)."""
    return list((run.meta.get("report") or {}).get("highlight_partners") or [])


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    caption: str
    draw: Callable[[Context], object | None]
    per_period: bool = False


CHARTS: list[Chart] = []


def chart(key: str, title: str, caption: str = "", per_period: bool = False):
    """Register a chart function under ``key`` (its div is ``chart-<key>`` or ``chart-<key>-<period>``)."""
    def register(f):
        CHARTS.append(Chart(key, title, caption, f, per_period))
        return f
    return register




def layout(fig, title: str, height: int = 420, **kw):
    fig.update_layout(title=title, height=height, margin=dict(l=60, r=20, t=50, b=40), template="plotly_white",
                      legend=dict(orientation="v"), **kw)
    return fig


def hover(values, unit: str = "MW", fmt=style.num) -> dict:
    """Bar or line arguments that show each value as ``fmt`` gives it (planner/report/style.py) in the hover."""
    return dict(customdata=[fmt(float(v)) for v in values],
                hovertemplate="%{fullData.name}: %{customdata} " + unit + "<extra></extra>")


def _stacked_by_technology(df: pd.DataFrame, column: str, scale: float, colors: dict[str, str], title: str, unit: str):
    import plotly.graph_objects as go
    fig = go.Figure()
    for g, grp in df.groupby("technology"):
        if grp[column].abs().sum() > 0:
            fig.add_bar(x=grp["period"].astype(str), y=grp[column] / scale, name=g, marker_color=colors[g],
                        **hover(grp[column] / scale, unit))
    return layout(fig, title, barmode="stack", yaxis_title=unit, xaxis_title="period")


@chart("capacity", "Capacity")
def fig_capacity(c: Context):
    return _stacked_by_technology(c.rt["capacity_by_technology"], "total_mw", 1000, c.colors,
                                  "Installed capacity by technology (GW)", "GW")


@chart("generation", "Generation")
def fig_generation(c: Context):
    return _stacked_by_technology(c.rt["generation_mix"], "generation_mwh", 1e6, c.colors,
                                  "Annual generation by technology (TWh/yr)", "TWh/yr")


@chart("costs", "Costs")
def fig_costs(c: Context):
    import plotly.graph_objects as go
    df = c.rt["costs"]
    df = df[df["category"] != "total"]
    fig = go.Figure()
    cc = style.category_colors(df["category"].unique())
    for cat, grp in df.groupby("category"):
        if grp["annual_usd_per_yr"].abs().sum() > 0:
            fig.add_bar(x=grp["period"].astype(str), y=grp["annual_usd_per_yr"] / 1e6, name=cat, marker_color=cc[cat],
                        **hover(grp["annual_usd_per_yr"] / 1e6, "million USD/yr"))
    return layout(fig, "Annual cost by category (million USD/yr; exports are revenue)", barmode="relative",
                  yaxis_title="million USD/yr", xaxis_title="period")


@chart("deficit", "Deficit before and after new builds",
       caption="Deficit (planner/analysis/deficit.py, docs/deficit.md) = demand at the system peak hour x "
               "(1 + reserve margin) "
               "not covered by firm capacity (capacity x capacity credit) and credited imports, after the transfers "
               "the corridors' firm limits allow. Zones add up to regions and to the system (table deficit_system). "
               "'With the existing fleet' counts the plants and corridors in service without new builds; 'after' adds "
               "this and earlier periods' builds.")
def fig_deficit(c: Context):
    from plotly.subplots import make_subplots
    df, sysd = c.rt.get("deficit"), c.rt.get("deficit_system")
    if df is None or sysd is None:
        return None
    s = sysd[sysd["scope"] == "system"]
    periods = c.run.periods
    names = c.zone_names
    order = df.groupby("zone")["deficit_before_mw"].max().sort_values(ascending=True).index  # largest on top
    labels = [names.get(z, z) for z in order]
    n = len(periods)
    fig = make_subplots(rows=2, cols=n, shared_yaxes=True, vertical_spacing=0.16, horizontal_spacing=0.02,
                        row_heights=[0.25, 0.75], specs=[[{"colspan": n}] + [None] * (n - 1), [{}] * n],
                        subplot_titles=["System (MW)"] + [f"Zones {p} (MW)" for p in periods])
    for col, name, color in (("deficit_before_mw", "with the existing fleet", style.BEFORE_COLOR),
                             ("deficit_after_mw", "after new builds", style.AFTER_COLOR)):
        fig.add_bar(x=s["period"].astype(str), y=s[col], name=name, marker_color=color, legendgroup=col,
                    text=[style.num(v) for v in s[col]], textposition="outside", cliponaxis=False, row=1, col=1,
                    **hover(s[col]))
        for j, p in enumerate(periods, start=1):
            z = df[df["period"] == p].set_index("zone").reindex(order).fillna(0.0)
            fig.add_bar(y=labels, x=z[col], orientation="h", name=name, marker_color=color, legendgroup=col,
                        showlegend=False, row=2, col=j, customdata=[style.num(v) for v in z[col]],
                        hovertemplate="%{y}: %{customdata} MW " + name + f" ({p})<extra></extra>")
    fig.update_yaxes(automargin=True, tickangle=0, row=2)
    fig.update_xaxes(matches="x2", row=2)  # one scale for every period
    fig = layout(fig, "Capacity deficit after transfers: system and zones (MW)",
                 height=max(540, 320 + 24 * len(order)), barmode="group")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
                      margin=dict(t=95, l=20))
    return fig


@chart("partner_capacity", "New capacity by partner and zone",
       caption="New MW built in each period, by zone (and period), stacked by partner; the partners table gives "
               "capex, technologies and the share of the deficit each closes.")
def fig_partner_capacity(c: Context):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots
    df = c.rt.get("partner_capacity")
    if df is None:
        return None
    g = df.groupby(["partner", "zone", "period"], as_index=False)["new_mw"].sum()
    pc = style.partner_colors(g["partner"].unique())
    names = c.zone_names
    order = g.groupby("zone")["new_mw"].sum().sort_values(ascending=True).index  # most MW on top
    labels = [names.get(z, z) for z in order]
    periods = c.run.periods
    fig = make_subplots(rows=1, cols=len(periods), shared_yaxes=True, horizontal_spacing=0.02,
                        subplot_titles=[str(p) for p in periods])
    for k, grp in g.groupby("partner"):
        strong = k in c.highlight
        for j, p in enumerate(periods, start=1):
            v = grp[grp["period"] == p].set_index("zone")["new_mw"].reindex(order).fillna(0.0)
            fig.add_trace(go.Bar(y=labels, x=v, orientation="h", name=k, legendgroup=k, showlegend=j == 1,
                                 marker_color=pc[k], customdata=[style.num(x) for x in v],
                                 hovertemplate="%{y}: %{customdata} MW new by " + k + f" in {p}<extra></extra>",
                                 marker_line=dict(color="#000", width=[2 if strong and x > 0.5 else 0 for x in v])),
                          row=1, col=j)
    fig.update_yaxes(automargin=True, tickangle=0)
    fig.update_xaxes(title_text="MW", matches="x")  # one scale for every period
    fig = layout(fig, "New MW built by partner, zone and period", barmode="stack", height=180 + 26 * max(len(order), 3))
    fig.update_layout(margin=dict(t=80, l=20, r=20, b=40))
    return fig


def _regions(run: StoredRun) -> dict[str, str]:
    if "zones" in run.inputs:
        z = run.inputs["zones"]
        return {a: (b or a) for a, b in zip(z["zone"], z["region"].fillna("").astype(str))}
    return {}


def region_prices(run: StoredRun) -> pd.DataFrame:
    """Demand-weighted price of each region (zones.region, else the zone) per period and timestep."""
    pr = run.tables["prices"].copy()
    reg = _regions(run)
    pr["region"] = pr["zone"].map(lambda z: reg.get(z, z))
    pr["pd"] = pr["price_usd_per_mwh"] * pr["demand_mw"]
    g = pr.groupby(["region", "period", "timestep"], as_index=False).agg(
        pd_=("pd", "sum"),
        demand_mw=("demand_mw", "sum"),
        price_mean=("price_usd_per_mwh", "mean"),
        weight=("weight", "first"),
    )
    g["price_usd_per_mwh"] = (g["pd_"] / g["demand_mw"]).where(g["demand_mw"] > 0, g["price_mean"])
    return g[["region", "period", "timestep", "weight", "price_usd_per_mwh"]]


@chart("prices", "Price duration by region",
       caption="One line per region and period: the demand-weighted price of the region's zones, sorted from the "
               "highest hour to the lowest over the hours of a year (each timestep holds for the hours it stands for). "
               "Zone percentiles are in the price_statistics table.")
def fig_price_duration(c: Context):
    from plotly.subplots import make_subplots
    rp = region_prices(c.run)
    periods = c.run.periods
    rc = style.category_colors(rp["region"].unique())
    fig = make_subplots(rows=1, cols=len(periods), shared_yaxes=True, subplot_titles=[str(p) for p in periods],
                        horizontal_spacing=0.03)
    for j, p in enumerate(periods, start=1):
        for r, grp in rp[rp["period"] == p].groupby("region"):
            g = grp.sort_values("price_usd_per_mwh", ascending=False)
            x = np.concatenate([[0.0], np.cumsum(g["weight"].to_numpy(float))])
            y = np.concatenate([g["price_usd_per_mwh"].to_numpy(float), [g["price_usd_per_mwh"].iloc[-1]]])
            fig.add_scatter(x=x, y=y, mode="lines", line_shape="hv", name=r, legendgroup=r, showlegend=j == 1,
                            line=dict(color=rc[r], width=2), row=1, col=j, **hover(y, "USD/MWh"))
        fig.update_xaxes(title_text="hours of the year", row=1, col=j)
    fig.update_yaxes(title_text="USD/MWh", row=1, col=1)
    return layout(fig, "Price duration by region (USD/MWh)", height=420)


def dispatch_window(steps: list[int], load: pd.Series) -> list[int]:
    """Every timestep when there are few (representative days), else the 168 around the system peak."""
    if len(steps) <= DISPATCH_MAX_STEPS:
        return steps
    i = steps.index(int(load.idxmax()))
    lo = max(0, min(i - 84, len(steps) - 168))
    return steps[lo:lo + 168]


def day_starts(run: StoredRun, steps: list[int]) -> list[int]:
    """Positions in ``steps`` where a new representative day (timesteps.block) begins, the first excluded."""
    if "timesteps" not in run.inputs or "block" not in run.inputs["timesteps"].columns:
        return []
    block = run.inputs["timesteps"].set_index("timestep")["block"]
    b = [block.get(t) for t in steps]
    return [i for i in range(1, len(b)) if b[i] != b[i - 1]]


@chart("dispatch", "Dispatch", per_period=True,
       caption="Supply stacked above zero (imports and unserved energy included), exports and storage charging "
               "below; dotted vertical lines separate the representative days.")
def fig_dispatch(c: Context):
    import plotly.graph_objects as go
    run, period = c.run, c.period
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
            fig.add_scatter(x=x, y=gen[g] / 1000, name=g, stackgroup="supply", mode="lines",
                            line=dict(width=0.5, color=c.colors[g]), **hover(gen[g].fillna(0.0) / 1000, "GW"))
    if tr["import_mw"].sum() > 0:
        fig.add_scatter(x=x, y=tr["import_mw"] / 1000, name="imports", stackgroup="supply", mode="lines",
                        line=dict(width=0.5, color=style.SERIES["imports"]), **hover(tr["import_mw"] / 1000, "GW"))
    if uns.sum() > 0:
        fig.add_scatter(x=x, y=uns / 1000, name="unserved", stackgroup="supply", mode="lines",
                        line=dict(width=0.5, color=style.SERIES["unserved"]), **hover(uns / 1000, "GW"))
    if charge.sum() > 0:
        fig.add_scatter(x=x, y=-charge / 1000, name="storage charging", stackgroup="use", mode="lines",
                        line=dict(width=0.5, color=style.SERIES["storage charging"]), **hover(-charge / 1000, "GW"))
    if tr["export_mw"].sum() > 0:
        fig.add_scatter(x=x, y=-tr["export_mw"] / 1000, name="exports", stackgroup="use", mode="lines",
                        line=dict(width=0.5, color=style.SERIES["exports"]), **hover(-tr["export_mw"] / 1000, "GW"))
    fig.add_scatter(x=x, y=load.reindex(steps) / 1000, name="demand", mode="lines",
                    line=dict(color=style.SERIES["demand"], width=2, dash="dot"),
                    **hover(load.reindex(steps) / 1000, "GW"))
    starts = day_starts(run, steps)
    for i in starts:
        fig.add_vline(x=i - 0.5, line=dict(color="#555", width=1, dash="dot"))
    what = "all modelled timesteps" if len(steps) == len(load) else "the week around the system peak"
    days = f", {len(starts) + 1} representative days" if starts else ""
    return layout(fig, f"System dispatch {period}: {what}{days} (GW)", xaxis_title=f"timestep {steps[0]}…{steps[-1]}",
                  yaxis_title="GW")


__all__ = ["CHARTS", "Chart", "Context", "chart", "EXISTING"]
