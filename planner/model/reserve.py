"""Planning reserve margin: firm capacity covers peak demand plus a margin.

    sum_{z in R, g} credit_g * cap[z,g,p]
      + sum_{i in R} credit_i * import_mw_i
      + sum_{l into R from outside} credit_l * line_cap[l,p]
      >= (1 + margin[R,p]) * max_t sum_{z in R} demand[z,p,t]                (MW)

for every (region R, period p) in reserve_margins; R = * is the whole system
(no corridor is then "into" it). The peak is the coincident peak of the
region's zones. The dual, divided by the discount weight of p, is a capacity
price in USD/MW-yr.

Firm capacity registered (results' firm_capacity): the three sums of the left side per row, by region and period.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.core.adequacy import crosses, firm_imports_mw, firm_mw, margins_by_region, region_zones, required_mw
from planner.model.data import ModelData
from planner.model.registry import guard, registry

CONSTRAINTS = ("reserve_margin",)
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "reserve_margin": "reserve_margins.csv margin_pu against capacity_credit_pu of technologies, interconnectors, "
                      "corridors",
}
# results' shadow_prices: constraint -> (unit, whether the dual is divided by the period's discount weight)
SHADOW_PRICES = {"reserve_margin": ("USD/MW-yr", True)}


def members(d: ModelData, region: str) -> set[str]:
    return region_zones(d.zones["region"].to_dict(), region)


def peak_mw(d: ModelData, zones: set[str], p: int) -> float:
    """Coincident peak demand of ``zones`` (MW), summed in the case's zone order: a set's order changes
    from one Python process to the next, and with it the last bit of the sum and the LP."""
    ordered = [z for z in d.ZONES if z in zones]
    return max(sum(d.demand_mw[(z, p, t)] for z in ordered) for t in d.TIMESTEPS)


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    rows = {(r, p): v for (r, p), v in margins_by_region(d.reserve).items() if p in d.PERIODS}
    credit = d.tech["capacity_credit_pu"].to_dict()
    ic, cor = d.interconnector, d.corridor

    def rule(m, region, p):
        zs = members(d, region)
        generation = firm_mw(credit, ((g, m.cap[z, g, p]) for z, g in d.ZG if z in zs and credit[g]))
        imports = firm_imports_mw(ic, zs)
        lines = [float(cor.at[l, "capacity_credit_pu"]) * m.line_cap[l, p] for l in d.CORRIDORS
                 if crosses(cor.at[l, "from_zone"], cor.at[l, "to_zone"], zs) and cor.at[l, "capacity_credit_pu"] > 0]
        # the parts as results reads them (firm_capacity.csv); the row sums them in this order
        registry(m).add_firm(region, p, {"generation": generation, "imports": imports, "corridors": sum(lines)})
        firm = generation
        firm += imports
        for x in lines:
            firm += x
        return firm >= required_mw(peak_mw(d, zs, p), rows[(region, p)])

    m.reserve_margin = pyo.Constraint(
        list(rows), rule=guard("reserve_margin", rule), doc="Firm capacity at least peak demand times (1 + margin) (MW)"
    )
