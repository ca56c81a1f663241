"""Fuel availability: annual fuel burned at most the supply limit.

    sum_{z, g burning f, t} w_t * heat_rate_g * gen[z,g,p,t] <= max_use_mwh_th[f,p]       (MWh_th/yr)
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import guard, row_scale


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    rows = [(f, p) for f, p in d.fuel_limits.index if p in d.PERIODS]
    hr = d.tech["heat_rate_mwh_th_per_mwh"].to_dict()
    s = row_scale(m, "fuel_limit", 1.0 / d.hours)
    fuel_of = d.tech["fuel"].to_dict()
    m.fuel_limit = pyo.Constraint(rows, rule=guard("fuel_limit", lambda m, f, p: sum(
        s * d.weight[t] * hr[g] * m.gen[z, g, p, t] for z, g in d.ZG if fuel_of[g] == f for t in d.TIMESTEPS)
        <= s * float(d.fuel_limits.at[(f, p), "max_use_mwh_th"])), doc="Annual fuel use at most the supply (MWh_th/yr)")
