"""Storage: state of charge cyclic within each block, or chained across the calendar's days.

Per block (the default):

    soc[z,g,p,t] = soc[z,g,p,prev(t)] + eta_c * charge[z,g,p,t] - gen[z,g,p,t] / eta_d      (MWh, 1-h steps)
    0 <= soc[z,g,p,t] <= ecap[z,g,p]
    charge[z,g,p,t] <= cap[z,g,p],   gen[z,g,p,t] <= cap[z,g,p]

prev(t) is the previous timestep of the same block, and the first timestep of
a block follows its last (a representative day or week repeats), so a store
neither starts full for free nor ends empty. The balance gets -charge.

Linked across days (``[time] link_storage = true``; Kotzur et al., "Time series
aggregation for energy system design: modeling seasonal storage", Applied
Energy 213, 2018). Each calendar day d = 0..D-1 is played by its representative
block k(d) (the ``calendar`` time aggregation keeps, tsam's cluster order).
soc becomes the intra-day deviation from the state at the start of the day, free
in sign and starting from 0 in each block; soc_inter[z,g,p,d] >= 0 is the state
of charge at the start of calendar day d, chained in calendar order and cyclic
over the year (the last day wraps to the first):

    soc[z,g,p,t] = [soc[z,g,p,prev(t)] unless t is the first of its block, else 0]
                   + eta_c * charge[z,g,p,t] - gen[z,g,p,t] / eta_d                          (MWh)
    soc_inter[z,g,p,d+1 mod D] = soc_inter[z,g,p,d] + soc[z,g,p,last(k(d))]                   (MWh)
    soc_max[z,g,p,k] >= soc[z,g,p,t],   soc_min[z,g,p,k] <= soc[z,g,p,t]     t in block k;   soc_max >= 0 >= soc_min
    soc_inter[z,g,p,d] + soc_max[z,g,p,k(d)] <= ecap[z,g,p]                                  (MWh)
    soc_inter[z,g,p,d] + soc_min[z,g,p,k(d)] >= 0                                            (MWh)

so the state soc_inter[d] + soc[t] stays within [0, ecap] in every hour of every
calendar day, modelled or not. Kotzur's chain decays soc_inter by the
self-discharge over a day, (1 - loss)^24; the technologies table has no
self-discharge (batteries and pumped storage lose little in a day), so the factor
is 1 and the bounds above are exact, not the conservative envelope Kotzur (and,
tighter, Parolin, Colbertaldo and Macdonald, arXiv 2409.19079) derive for a
decaying store. With every day its own block, the linked LP is the full hourly
year with storage cyclic over the year. Per store, linking adds a column and three
rows per calendar day, two columns per block and two rows per timestep (the
block's max and min), and drops the timestep's row soc <= ecap: a few hundred rows
per store, instead of a row per hour of the year.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import registry

# the variables indexed by (..., period, timestep): operations, which a decomposition by time puts in its subproblems
TIME_VARIABLES = ("charge", "soc")
CONSTRAINTS = ("storage_soc", "storage_energy", "storage_charge", "storage_discharge", "storage_soc_inter",
               "storage_intra_max", "storage_intra_min", "storage_energy_days", "storage_floor_days")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "storage_soc": "technologies.csv efficiency_charge / efficiency_discharge (storage)",
    "storage_energy": "storage energy capacity (duration_h, existing_capacity.csv energy_mwh)",
    "storage_charge": "storage power capacity",
    "storage_discharge": "storage power capacity",
    "storage_soc_inter": "the calendar of representative days (time.link_storage, time.representative_days)",
    "storage_intra_max": "the calendar of representative days (time.link_storage)",
    "storage_intra_min": "the calendar of representative days (time.link_storage)",
    "storage_energy_days": "storage energy capacity (duration_h, existing_capacity.csv energy_mwh), linked days",
    "storage_floor_days": "storage energy capacity (duration_h, existing_capacity.csv energy_mwh), linked days",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    ZS = d.of_kind("storage")
    S = [(z, g, p, t) for z, g in ZS for p in d.PERIODS for t in d.TIMESTEPS]
    link = d.link_storage
    m.charge = pyo.Var(S, within=pyo.NonNegativeReals, doc="Storage charging (MW)")
    m.soc = pyo.Var(S, within=pyo.Reals if link else pyo.NonNegativeReals,
                    doc="Storage state of charge at the end of the timestep (MWh; linked: change since the day began)")
    eta_c = d.tech["efficiency_charge"].to_dict()
    eta_d = d.tech["efficiency_discharge"].to_dict()
    first = set(_ends(d, min).values())

    def before(m, z, g, p, t):
        return 0.0 if link and t in first else m.soc[z, g, p, d.prev_t[t]]

    m.storage_soc = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.soc[z, g, p, t] == before(m, z, g, p, t)
                                   + eta_c[g] * m.charge[z, g, p, t] - m.gen[z, g, p, t] / eta_d[g],
                                   doc="State-of-charge continuity, cyclic within each block or from 0 in each "
                                   "block when linked (MWh)")
    m.storage_energy = pyo.Constraint([] if link else S,
                                      rule=lambda m, z, g, p, t: m.soc[z, g, p, t] <= m.ecap[z, g, p],
                                      doc="State of charge at most the energy capacity (MWh)")
    m.storage_charge = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.charge[z, g, p, t] <= m.cap[z, g, p],
                                      doc="Charging at most the power capacity (MW)")
    m.storage_discharge = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.gen[z, g, p, t] <= m.cap[z, g, p],
                                         doc="Discharging at most the power capacity (MW)")
    _add_days(m, d, ZS if link else [])
    by_zone = {z: [g for zz, g in ZS if zz == z] for z in d.ZONES}
    registry(m).add_injection("storage_charge", lambda z, p, t: -sum(m.charge[z, g, p, t] for g in by_zone[z]))


def _ends(d: ModelData, end) -> dict[int, int]:
    """The first (``end=min``) or last (``max``) timestep of each block."""
    out: dict[int, int] = {}
    for x in d.TIMESTEPS:
        k = d.block[x]
        out[k] = end(out.get(k, x), x)
    return out


def _add_days(m: pyo.ConcreteModel, d: ModelData, ZS: list[tuple[str, str]]) -> None:
    """The rows that chain the calendar's days (empty unless storage is linked): see the module docstring."""
    order = d.day_order
    D = len(order)
    last = _ends(d, max)
    blocks = sorted(last)
    SD = [(z, g, p, day) for z, g in ZS for p in d.PERIODS for day in range(D)]
    SK = [(z, g, p, k) for z, g in ZS for p in d.PERIODS for k in blocks]
    S = [(z, g, p, t) for z, g in ZS for p in d.PERIODS for t in d.TIMESTEPS]
    m.soc_inter = pyo.Var(SD, within=pyo.NonNegativeReals, doc="Storage state of charge at the start of each "
                          "calendar day (MWh)")
    m.soc_max = pyo.Var(SK, within=pyo.NonNegativeReals, doc="Highest intra-day deviation of a block (MWh)")
    m.soc_min = pyo.Var(SK, within=pyo.NonPositiveReals, doc="Lowest intra-day deviation of a block (MWh)")
    m.storage_soc_inter = pyo.Constraint(SD, rule=lambda m, z, g, p, day: m.soc_inter[z, g, p, (day + 1) % D] == (
        m.soc_inter[z, g, p, day] + m.soc[z, g, p, last[order[day]]]),
        doc="State of charge at the start of the next calendar day: this day's plus its block's net change (MWh)")
    m.storage_intra_max = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.soc_max[z, g, p, d.block[t]]
                                         >= m.soc[z, g, p, t], doc="Highest intra-day deviation of the block (MWh)")
    m.storage_intra_min = pyo.Constraint(S, rule=lambda m, z, g, p, t: m.soc_min[z, g, p, d.block[t]]
                                         <= m.soc[z, g, p, t], doc="Lowest intra-day deviation of the block (MWh)")
    m.storage_energy_days = pyo.Constraint(SD, rule=lambda m, z, g, p, day: m.soc_inter[z, g, p, day]
                                           + m.soc_max[z, g, p, order[day]] <= m.ecap[z, g, p],
                                           doc="State of charge at most the energy capacity on every day (MWh)")
    m.storage_floor_days = pyo.Constraint(SD, rule=lambda m, z, g, p, day: m.soc_inter[z, g, p, day]
                                          + m.soc_min[z, g, p, order[day]] >= 0,
                                          doc="State of charge never below empty on any day (MWh)")
