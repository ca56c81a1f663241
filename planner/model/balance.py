"""Nodal energy balance, with unserved energy at the value of lost load.

    sum_{registered injections} inj(z,p,t) + unserved[z,p,t] = demand[z,p,t]     for all z, p, t   (MW)
    0 <= unserved[z,p,t] <= demand[z,p,t]

Injections are registered by the other families (generation, storage charging,
corridor flows, trade). demand[z,p,t] = demand_mw[z,t] * multiplier[z,p].
The dual of this row, divided by the discount weight of p and the timestep
weight, is the zonal price in USD/MWh.

Cost registered: unserved = sum_{z,t} w_t * voll * unserved[z,p,t]   (USD/yr)
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import Key, registry

# the variables indexed by (..., period, timestep): operations, which a decomposition by time puts in its subproblems
TIME_VARIABLES = ("unserved",)
CONSTRAINTS = ("balance",)
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "balance": "demand.csv demand_mw (x demand_growth.csv multiplier) must be met",
    "unserved": "unserved energy is at most demand",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Unserved energy, its cost and the balance rows. Families that inject come before balance in
    build.MODULES; the registry refuses an injection registered after the rows are built."""
    _unserved(m, d)
    _rows(m, d)


def _unserved(m: pyo.ConcreteModel, d: ModelData) -> None:
    ZPT = [(z, p, t) for z in d.ZONES for p in d.PERIODS for t in d.TIMESTEPS]
    m.unserved = pyo.Var(ZPT, within=pyo.NonNegativeReals, bounds=lambda m, z, p, t: (0.0, d.demand_mw[(z, p, t)]),
                         doc="Demand not served (MW)")
    voll = float(d.settings["value_of_lost_load_usd_per_mwh"])
    registry(m).add_cost("unserved", lambda p: ((Key(z), sum(d.weight[t] * voll * m.unserved[z, p, t]
                                                             for t in d.TIMESTEPS)) for z in d.ZONES))


def _rows(m: pyo.ConcreteModel, d: ModelData) -> None:
    """The balance rows: every registered injection, unserved energy, demand."""
    reg = registry(m)
    inj = list(reg.injections.values())
    reg.injections_closed = True
    ZPT = list(m.unserved.keys())
    m.balance = pyo.Constraint(
        ZPT, rule=lambda m, z, p, t: sum(f(z, p, t) for f in inj) + m.unserved[z, p, t] == d.demand_mw[(z, p, t)],
        doc="Supply meets demand in every zone and timestep (MW)")
