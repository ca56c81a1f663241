"""Minimum renewable share of annual generation.

    sum_{z, g renewable, t} w_t * gen[z,g,p,t] >= share[p] * sum_{z, g not storage, t} w_t * gen[z,g,p,t]   (MWh/yr)

for periods with share > 0. Storage discharge is not generation (it moves
energy in time), so it counts on neither side. The dual divided by the
discount weight is the premium per renewable MWh (USD/MWh).
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import guard, scaled

CONSTRAINTS = ("renewable_share",)
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "renewable_share": "periods.csv min_renewable_share",
}
# results' shadow_prices: constraint -> (unit, whether the dual is divided by the period's discount weight)
SHADOW_PRICES = {"renewable_share": ("USD/MWh", True)}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    share = d.periods["min_renewable_share"].to_dict()
    res = d.tech["renewable"].astype(bool).to_dict()
    P = [p for p in d.PERIODS if share[p] > 0]
    def rule(m, p):
        total = 0
        for z, g in d.ZG:
            if d.kind[g] == "storage":
                continue
            coef = (1.0 - share[p]) if res[g] else -share[p]
            total += sum(coef * d.weight[t] * m.gen[z, g, p, t] for t in d.TIMESTEPS)
        return total >= 0
    m.renewable_share = pyo.Constraint(P,
                                       rule=guard("renewable_share",
                                                  scaled(m, "renewable_share", 1.0 / d.hours, rule)),
                                                  doc="Renewable generation at least the target share (MWh/yr)")
