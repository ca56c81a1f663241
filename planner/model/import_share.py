"""Self-sufficiency: annual net imports at most a share of annual demand.

    sum_{i,t} w_t * (imports[i,p,t] - exports[i,p,t]) <= share[p] * sum_{z,t} w_t * demand[z,p,t]     (MWh/yr)

for periods where max_net_import_share is given.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import guard, scaled

CONSTRAINTS = ("import_share",)
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "import_share": "periods.csv max_net_import_share",
}
# results' shadow_prices: constraint -> (unit, whether the dual is divided by the period's discount weight)
SHADOW_PRICES = {"import_share": ("USD/MWh", True)}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    share = d.periods["max_net_import_share"].to_dict()
    P = [p for p in d.PERIODS if pd.notna(share[p])]
    m.import_share = pyo.Constraint(P,
                                    rule=guard("import_share",
                                               scaled(m, "import_share", 1.0 / d.hours, lambda m, p: sum(
        d.weight[t] * (m.imports[i, p, t] - m.exports[i, p, t]) for i in d.INTERCONNECTORS for t in d.TIMESTEPS)
        <= share[p] * sum(d.weight[t] * d.demand_mw[(z, p, t)] for z in d.ZONES for t in d.TIMESTEPS))),
        doc="Annual net imports at most the share of demand (MWh/yr)")
