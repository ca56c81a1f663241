"""Storage: state of charge that wraps within each block of timesteps.

    soc[z,g,p,t] = soc[z,g,p,prev(t)] + eta_c * charge[z,g,p,t] - gen[z,g,p,t] / eta_d      (MWh, 1-h steps)
    soc[z,g,p,t] <= ecap[z,g,p]
    charge[z,g,p,t] <= cap[z,g,p],   gen[z,g,p,t] <= cap[z,g,p]

prev(t) is the previous timestep of the same block, and the first timestep of
a block follows its last (a representative day or week repeats), so a store
neither starts full for free nor ends empty. The balance gets -charge.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import registry

# the variables indexed by (..., period, timestep): operations, which a decomposition by time puts in its subproblems
TIME_VARIABLES = ("charge", "soc")
CONSTRAINTS = ("storage_soc", "storage_energy", "storage_charge", "storage_discharge")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "storage_soc": "technologies.csv efficiency_charge / efficiency_discharge (storage)",
    "storage_energy": "storage energy capacity (duration_h, existing_capacity.csv energy_mwh)",
    "storage_charge": "storage power capacity",
    "storage_discharge": "storage power capacity",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    ZS = d.of_kind("storage")
    S = [(z, g, p, t) for z, g in ZS for p in d.PERIODS for t in d.TIMESTEPS]
    m.charge = pyo.Var(S, within=pyo.NonNegativeReals, doc="Storage charging (MW)")
    m.soc = pyo.Var(S, within=pyo.NonNegativeReals, doc="Storage state of charge at the end of the timestep (MWh)")
    eta_c = d.tech["efficiency_charge"].to_dict()
    eta_d = d.tech["efficiency_discharge"].to_dict()
    m.storage_soc = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.soc[z, g, p, t] == m.soc[z, g, p, d.prev_t[t]]
                                   + eta_c[g] * m.charge[z, g, p, t] - m.gen[z, g, p, t] / eta_d[g],
                                   doc="State-of-charge continuity, cyclic within each block (MWh)")
    m.storage_energy = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.soc[z, g, p, t] <= m.ecap[z, g, p],
                                      doc="State of charge at most the energy capacity (MWh)")
    m.storage_charge = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.charge[z, g, p, t] <= m.cap[z, g, p],
                                      doc="Charging at most the power capacity (MW)")
    m.storage_discharge = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.gen[z, g, p, t] <= m.cap[z, g, p],
                                         doc="Discharging at most the power capacity (MW)")
    by_zone = {z: [g for zz, g in ZS if zz == z] for z in d.ZONES}
    registry(m).add_injection("storage_charge", lambda z, p, t: -sum(m.charge[z, g, p, t] for g in by_zone[z]))
