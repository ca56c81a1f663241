"""Self-sufficiency: annual net imports at most a share of annual demand.

    sum_{i,t} w_t * (imports[i,p,t] - exports[i,p,t]) <= share[p] * sum_{z,t} w_t * demand[z,p,t]     (MWh/yr)

for periods where max_net_import_share is given.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import guard, row_scale


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    share = d.periods["max_net_import_share"].to_dict()
    P = [p for p in d.PERIODS if share[p] == share[p]]
    s = row_scale(m, "import_share", 1.0 / d.hours)
    m.import_share = pyo.Constraint(P, rule=guard("import_share", lambda m, p: sum(
        s * d.weight[t] * (m.imports[i, p, t] - m.exports[i, p, t]) for i in d.INTERCONNECTORS for t in d.TIMESTEPS)
        <= s * share[p] * sum(d.weight[t] * d.demand_mw[(z, p, t)] for z in d.ZONES for t in d.TIMESTEPS)),
        doc="Annual net imports at most the share of demand (MWh/yr)")
