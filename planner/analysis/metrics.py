"""Named metrics of a run, each with its unit, computed once from the result tables.

Every figure that the run summary, the report's headline, ``planner compare``
and the studies (sweep, time error, partner value, calibration) quote comes
from here, so a metric means the same thing everywhere. Index letters as in the
engine: z zone, g technology, i interconnector, p period, t timestep; w_t is the
hours of a year timestep t stands for (``weight`` of the prices table).

Per period p, from the tables ``planner run`` writes (results.py):

    system_cost_annual[p]        = sum_c annual_usd[c,p]                        USD/yr
    system_cost_present_value[p] = sum_c present_value_usd[c,p]                 USD (base year)
    emissions[p]                 = emissions_t[p]                               t/yr
    demand[p]                    = sum_{z,t} w_t demand_mw[z,p,t]               MWh/yr
    unserved_energy[p]           = sum_{z,t} w_t unserved_mw[z,p,t]             MWh/yr
    imports[p]                   = sum_{i,t} w_t import_mw[i,p,t]               MWh/yr
    exports[p]                   = sum_{i,t} w_t export_mw[i,p,t]               MWh/yr
    net_imports[p]               = imports[p] - exports[p]                      MWh/yr
    new_capacity[p]              = sum new_mw built in p                        MW
    total_capacity[p]            = sum_{z,g} total_mw[z,g,p]                    MW
    new_corridor_capacity[p]     = sum_l new_mw[l,p]                            MW
    curtailment[p]               = sum_{z,g} curtailment_mwh[z,g,p]             MWh/yr
    demand_weighted_price[p]     = sum_{z,t} w_t d price / sum_{z,t} w_t d      USD/MWh (d = demand_mw)

and the system deficit with the existing fleet and after new builds (MW), whose
one definition is planner/analysis/deficit.py (docs/deficit.md): peak x (1 + margin) not
covered by firm capacity and firm imports after the transfers corridors allow.

The formulas on inputs the model, the results and the reports share (fuel and
CO2 per MWh, firm capacity, margins) are in planner/core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from planner.analysis.deficit import zone_deficits  # the one deficit definition
from planner.core.economics import with_mwh

Tables = Mapping[str, pd.DataFrame]


# ---------------------------------------------------------------- metrics of a run

def weighted(tables: Tables, name: str, columns: Iterable[str]) -> pd.DataFrame:
    """Table ``name`` with each ``<x>_mw`` column of ``columns`` also as energy ``<x>_mwh`` = w_t x MW."""
    w = tables["prices"].drop_duplicates("timestep").set_index("timestep")["weight"]
    df = tables[name]
    df = df.assign(weight=df["weight"] if "weight" in df.columns else df["timestep"].map(w))
    return with_mwh(df, columns)


def _by_period(df: pd.DataFrame, column: str) -> pd.Series:
    return df.groupby("period")[column].sum()


def _trade(tables: Tables) -> pd.DataFrame:
    return weighted(tables, "trade", ("import_mw", "export_mw"))


def _deficits(tables: Tables) -> pd.DataFrame:
    return zone_deficits(tables).groupby("period")[["deficit_before_mw", "deficit_after_mw"]].sum()


def _demand_weighted_price(tables: Tables) -> pd.Series:
    pr = weighted(tables, "prices", ("demand_mw",))
    pr = pr.assign(value_usd=pr["price_usd_per_mwh"] * pr["demand_mwh"])
    g = pr.groupby("period")[["value_usd", "demand_mwh"]].sum()
    return (g["value_usd"] / g["demand_mwh"]).where(g["demand_mwh"] > 0)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    meaning: str
    per_period: Callable[[Tables], pd.Series]


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("system_cost_annual", "USD/yr", "sum of the cost categories of the period",
           lambda t: _by_period(t["costs"], "annual_usd")),
    Metric("system_cost_present_value", "USD", "the same, discounted to the base year as in the objective",
           lambda t: _by_period(t["costs"], "present_value_usd")),
    Metric("emissions", "t/yr", "CO2 emitted", lambda t: t["emissions"].set_index("period")["emissions_t"]),
    Metric("demand", "MWh/yr", "demand of all zones",
           lambda t: _by_period(weighted(t, "prices", ("demand_mw",)), "demand_mwh")),
    Metric("unserved_energy", "MWh/yr", "demand not served",
           lambda t: _by_period(weighted(t, "prices", ("unserved_mw",)), "unserved_mwh")),
    Metric("imports", "MWh/yr", "imports over interconnectors", lambda t: _by_period(_trade(t), "import_mwh")),
    Metric("exports", "MWh/yr", "exports over interconnectors", lambda t: _by_period(_trade(t), "export_mwh")),
    Metric("net_imports", "MWh/yr", "imports - exports",
           lambda t: _by_period(_trade(t), "import_mwh") - _by_period(_trade(t), "export_mwh")),
    Metric("new_capacity", "MW", "capacity built in the period", lambda t: _by_period(t["new_capacity"], "new_mw")),
    Metric("new_corridor_capacity", "MW", "transmission built in the period",
           lambda t: _by_period(t["corridors"], "new_mw")),
    Metric("total_capacity", "MW", "capacity in service", lambda t: _by_period(t["capacity"], "total_mw")),
    Metric("curtailment", "MWh/yr", "variable renewable energy available but not used",
           lambda t: _by_period(t["generation"], "curtailment_mwh")),
    Metric("demand_weighted_price", "USD/MWh", "zonal prices weighted by the energy demanded (NaN without demand)",
           _demand_weighted_price),
    Metric("deficit_existing_fleet", "MW", "system deficit with the existing fleet (planner/analysis/deficit.py)",
           lambda t: _deficits(t)["deficit_before_mw"]),
    Metric("deficit_after_new_builds", "MW", "what new builds leave of it",
           lambda t: _deficits(t)["deficit_after_mw"]),
)}


def series(tables: Tables, name: str, periods: Iterable[int] | None = None) -> pd.Series:
    """Metric ``name`` per period; with ``periods``, one value for each (0 where the table has no row)."""
    s = METRICS[name].per_period(tables)
    return s if periods is None else s.reindex(list(periods), fill_value=0.0)


def value(tables: Tables, name: str, period: int | None = None) -> float:
    """Metric ``name`` in ``period``, or summed over every period (None)."""
    s = METRICS[name].per_period(tables)
    return float(s.sum()) if period is None else float(s.get(period, 0.0))


def table(tables: Tables, names: Iterable[str], periods: Iterable[int]) -> pd.DataFrame:
    """Long table: metric, period (text), unit, value; one row per metric and period."""
    periods = list(periods)
    rows = []
    for name in names:
        s = series(tables, name, periods)
        rows += [(name, str(p), METRICS[name].unit, float(s[p])) for p in periods]
    return pd.DataFrame(rows, columns=["metric", "period", "unit", "value"])
