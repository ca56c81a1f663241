"""Partner commitments: a partner's minimum programme by a period (partner_commitments.csv).

For each row (partner k, period p, optional technology g*, optional zone z*, unit):

    sum_{b in B(k, g*, z*)} sum_{q in PERIODS, q <= p} size_unit[b] * new_cap[b,q] (+ capex_e_b * new_energy[b,q])
        >= quantity[k,p,g*,z*]

    B(k, g*, z*) = build options of partner k (of technology g* and in zone z* when given)
    size_MW[b]     = 1                                        (MW)        commitment_mw
    size_USD[b]    = capex_b, plus capex_e_b per MWh of energy   (USD)       commitment_usd
    size_MWh/yr[b] = sum_t weight_t * availability(z,g,t)     (MWh/yr)    commitment_mwh
                     (0 for storage, which makes no energy of its own)

"By period p" means built in p or an earlier period run; a build before the first
period run is not a decision of the model and does not count. MWh/yr is the energy
the programme's new capacity can make available in a year (capacity × availability
× hours), not what it dispatches: the engine dispatches by zone and technology, not
by partner. The USD row is written in million USD, the MWh/yr row in average MW
(divided by the hours of the year), so all three are about as large as the MW row;
``solve`` multiplies the duals back.

Dual: what one more unit of programme costs the system, in present-value USD per
MW, per USD of capex, or per MWh/yr (reported >= 0 in shadow_prices). A row of a
period not run (e.g. 2035 in a 2030-only run) is not applied and is listed in
run.json. A row that no option can meet (the partner is offered nothing that
matches, or nothing by then) stops the run as infeasible, naming the row.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData, overnight_usd
from planner.model.registry import guard, scaled

CONSTRAINTS = ("commitment_mw", "commitment_usd", "commitment_mwh")
# the inputs behind each row, named when the model is infeasible (planner/explain.py)
INPUTS = {
    "commitment_mw": "partner_commitments.csv quantity (MW) against the partner's build options, their periods, "
                     "max_new_mw and envelopes",
    "commitment_usd": "partner_commitments.csv quantity (USD) against the partner's build options, their periods, "
                      "max_new_mw and envelopes",
    "commitment_mwh": "partner_commitments.csv quantity (MWh/yr) against the partner's build options, their "
                      "availability and max_new_mw",
}
# rows in which a build's overnight capex appears, coefficient capex (USD per MW): break-even studies move them
# with the capex (planner/studies/placement.py)
MONEY_ROWS = ("commitment_usd",)
UNITS = {"MW": "commitment_mw", "USD": "commitment_usd", "MWh/yr": "commitment_mwh"}
DUAL_UNIT = {"MW": "USD_pv/MW", "USD": "USD_pv/USD", "MWh/yr": "USD_pv/(MWh/yr)"}


def rows(d: ModelData, unit: str) -> list[tuple[str, int, str, str]]:
    """(partner, period, technology, zone) of the rows of ``unit`` applied in this run."""
    c = d.partner_commitments
    if not len(c):
        return []
    c = c[(c["unit"] == unit) & c["period"].isin(d.PERIODS)]
    return [(r.partner, int(r.period), r.technology, r.zone) for r in c.itertuples()]


def not_applied(d: ModelData) -> list[str]:
    """Rows whose period is not among the periods run, as text for run.json."""
    c = d.partner_commitments
    if not len(c):
        return []
    return [f"line {ln}: {r.partner} {r.quantity:g} {r.unit} by {r.period}: period not run" for ln, r in c.iterrows()
            if int(r.period) not in d.PERIODS]


def matching(d: ModelData, k: str, p: int, g: str, z: str) -> list[tuple[str, str, str, int]]:
    """Build columns (zone, technology, partner, period) that count towards a commitment."""
    return [(zv, gv, kv, q) for zv, gv, kv, q in d.BUILD_PERIODS
            if kv == k and q <= p and (not g or gv == g) and (not z or zv == z)]


def energy_mwh_per_mw_yr(d: ModelData, z: str, g: str) -> float:
    """Energy one MW of (z, g) can make available in a year: sum_t weight_t * availability (0 for storage)."""
    if d.kind[g] == "storage":
        return 0.0
    return sum(d.weight[t] * d.availability(z, g, t) for t in d.TIMESTEPS)


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    e_set = set(m.new_energy.keys())
    quantity = {(r.partner, int(r.period), r.technology, r.zone, r.unit): float(r.quantity)
                for r in d.partner_commitments.itertuples()} if len(d.partner_commitments) else {}
    energy = {(z, g): energy_mwh_per_mw_yr(d, z, g) for z, g in {(z, g) for z, g, _k, _q in d.BUILD_PERIODS}}

    def size(unit: str, v) -> object:
        z, g, k, _q = v  # a build column: zone, technology, partner, period
        if unit == "MW":
            return m.new_cap[v]
        if unit == "USD":
            return overnight_usd(d, (z, g, k), m.new_cap[v], m.new_energy[v] if v in e_set else None)
        return energy[z, g] * m.new_cap[v]

    for unit, name in UNITS.items():
        def rule(m, k, p, g, z, unit=unit):
            return sum(size(unit, v) for v in matching(d, k, p, g, z)) >= quantity[(k, p, g, z, unit)]
        factor = {"MW": 1.0, "USD": 1e-6, "MWh/yr": 1.0 / d.hours}[unit]
        setattr(m, name, pyo.Constraint(rows(d, unit), rule=guard(name, scaled(m, name, factor, rule)),
                                        doc=f"Partner's programme by a period at least its commitment ({unit})"))


def shadow_prices(m: pyo.ConcreteModel, duals: dict) -> list[tuple]:
    """(constraint, index, period, shadow price >= 0, unit) of every commitment row: present-value USD per unit."""
    out = []
    for unit, name in UNITS.items():
        for (k, p, g, z), con in getattr(m, name).items():
            out.append(("partner_commitment", "/".join((k, str(p), g or "*", z or "*", unit)), p,
                        abs(duals.get(con, 0.0)), DUAL_UNIT[unit]))
    return out
