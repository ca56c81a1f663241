"""Fuel availability: annual fuel burned at most the supply limit.

    sum_{z, g burning f, t} w_t * heat_rate_g * gen[z,g,p,t] <= max_use_mwh_th[f,p]       (MWh_th/yr)
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.core.economics import fuel_use_mwh_th_per_mwh
from planner.model.data import ModelData
from planner.model.registry import guard, scaled

CONSTRAINTS = ("fuel_limit",)
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "fuel_limit": "fuel_limits.csv max_use_mwh_th",
}
# results' shadow_prices: constraint -> (unit, whether the dual is divided by the period's discount weight)
SHADOW_PRICES = {"fuel_limit": ("USD/MWh_th", True)}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    rows = [(f, p) for f, p in d.fuel_limits.index if p in d.PERIODS]
    fuel_of = d.tech["fuel"].to_dict()
    use = {f: fuel_use_mwh_th_per_mwh(d.tech, f) for f, _ in rows}  # MWh_th per MWh (planner/core/economics.py)
    m.fuel_limit = pyo.Constraint(rows,
                                  rule=guard("fuel_limit", scaled(m, "fuel_limit", 1.0 / d.hours, lambda m, f, p: sum(
        d.weight[t] * use[f][g] * m.gen[z, g, p, t] for z, g in d.ZG if fuel_of[g] == f for t in d.TIMESTEPS)
        <= float(d.fuel_limits.at[(f, p), "max_use_mwh_th"]))), doc="Annual fuel use at most the supply (MWh_th/yr)")
