"""Dispatch within availability, above must-run.

    gen[z,g,p,t] <= avail[z,g,t] * cap[z,g,p]        non-storage g                 (MW)
    gen[z,g,p,t] >= minout[z,g,t] * cap[z,g,p]       where minout > 0 (e.g. CHP in winter)

avail is the zone's profile where one is given, else the technology's
availability_pu; likewise minout. Storage discharge is bounded in storage.py.

Costs registered (USD/yr in period p), with w_t the hours each timestep stands for:
    variable_om = sum_{z,g,t} w_t * vom_g * gen[z,g,p,t]
    fuel        = sum_{z,g,t} w_t * heat_rate_g * price_f(g) * gen[z,g,p,t]
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.core.economics import fuel_cost_usd_per_mwh
from planner.model.data import ModelData
from planner.model.registry import Key, registry

# the variables indexed by (..., period, timestep): operations, which a decomposition by time puts in its subproblems
TIME_VARIABLES = ("gen",)
CONSTRAINTS = ("dispatch_max", "dispatch_min")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "dispatch_max": "availability.csv / technologies.csv availability_pu x capacity",
    "dispatch_min": "min_output.csv / technologies.csv min_output_pu x capacity (must-run)",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    GEN = [(z, g, p, t) for z, g in d.ZG for p in d.PERIODS for t in d.TIMESTEPS]
    m.gen = pyo.Var(GEN, within=pyo.NonNegativeReals, doc="Output of technology g in zone z (MW; storage: discharge)")

    ZG_GEN = [zg for zg in d.ZG if d.kind[zg[1]] != "storage"]
    AV = [(z, g, p, t) for z, g in ZG_GEN for p in d.PERIODS for t in d.TIMESTEPS]
    m.dispatch_max = pyo.Constraint(
        AV, rule=lambda m, z, g, p, t: m.gen[z, g, p, t] <= d.availability(z, g, t) * m.cap[z, g, p],
        doc="Output at most available capacity (MW)")
    MO = [(z, g, p, t) for z, g in ZG_GEN for t in d.TIMESTEPS if d.min_output(z, g, t) > 0 for p in d.PERIODS]
    m.dispatch_min = pyo.Constraint(
        MO, rule=lambda m, z, g, p, t: m.gen[z, g, p, t] >= d.min_output(z, g, t) * m.cap[z, g, p],
        doc="Output at least the must-run share of capacity (MW)")

    vom = d.tech["vom_usd_per_mwh"].to_dict()
    fuel_cost = fuel_cost_usd_per_mwh(d.tech, d.fuel)

    def energy_cost(coef: dict):
        def terms(p):
            return ((Key(z, g), sum(d.weight[t] * coef[g] * m.gen[z, g, p, t] for t in d.TIMESTEPS))
                    for z, g in d.ZG if coef[g])
        return terms

    reg = registry(m)
    reg.add_cost("variable_om", energy_cost(vom))
    reg.add_cost("fuel", energy_cost(fuel_cost))
    reg.add_injection("generation", lambda z, p, t: sum(m.gen[z, g, p, t] for g in m._techs_in[z]))
