"""Capacity accounting: capacity = existing + new vintages still alive.

    cap[z,g,p]  = existing_mw[z,g,p] + sum_{b in B(z,g), p'} s(p', p' + life_g, p) * new_cap[b,p']     (MW)
    ecap[z,g,p] = existing_mwh[z,g,p] + sum_{same} s(...) * new_energy[b,p']                         (MWh)

    s(a, e, p) = |[a, e) ∩ [p, p + years_p)| / years_p     the share of period p's years in service

New capacity built in period p' is in service from the first year of p' for
lifetime_g years; an existing cohort from build_year to retirement_year
(existing_mw is already weighted by s). A cohort or vintage that retires
mid-period counts for the share of the period it serves, and pays for it.
Storage with a fixed duration has ecap = duration_h * cap instead of its own
energy variable.

Where new vintages exist, cap and ecap are variables of their own, tied to the
sums above by one equality row each (capacity_def, energy_def), so that the
many rows that use a capacity (dispatch, storage, reserve) hold one
coefficient for it rather than one per vintage and partner: the same LP,
several times fewer nonzeros for the interior-point solver. Where nothing can
be built, cap is the constant existing_mw.

Costs registered (USD/yr in period p):
    investment = sum_{vintages} s * (annuity_b * new_cap[b,p'] + annuity_e_b * new_energy[b,p'])
    fixed_om   = sum_{z,g} fom_g * 1000 * cap[z,g,p]
Annuities use the capital recovery factor of the option's partner cost of
capital (or the discount rate) over the technology lifetime, and are paid only
for years inside the horizon, so no overnight cost is lumped at the end.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from planner.core.economics import fixed_om_usd_per_mw_yr
from planner.model.data import ModelData
from planner.model.registry import Key, registry

CONSTRAINTS = ("capacity_def", "energy_def")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "capacity_def": "existing_capacity.csv capacity_mw and retirement_year, with new vintages",
    "energy_def": "existing_capacity.csv energy_mwh, with new storage energy",
}


def energy_sized(d: ModelData, g: str) -> bool:
    """Storage whose energy capacity is a decision of its own (no fixed duration)."""
    return d.kind[g] == "storage" and bool(pd.isna(d.tech.at[g, "duration_h"]))


Vintages = dict[tuple[str, str, int], list[tuple[tuple[str, str, str, int], float]]]


def vintages(d: ModelData) -> Vintages:
    """(z, g, p) -> [(build (z, g, k, q), share s of period p it serves)] for every build still in service in p."""
    life = d.tech["lifetime_yr"].astype(int).to_dict()
    out: Vintages = {(z, g, p): [] for z, g in d.ZG for p in d.PERIODS}
    for (z, g, k, q) in d.BUILD_PERIODS:
        for p in d.PERIODS:
            s = d.in_service(q, q + life[g], p)
            if s > 0:
                out[(z, g, p)].append(((z, g, k, q), s))
    return out


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    m.new_cap = pyo.Var(
        d.BUILD_PERIODS, within=pyo.NonNegativeReals, doc="New capacity of option b built in period p (MW)"
    )
    e_bp = [bp for bp in d.BUILD_PERIODS if energy_sized(d, bp[1])]
    m.new_energy = pyo.Var(e_bp, within=pyo.NonNegativeReals, doc="New storage energy of option b built in period p "
                                                                  "(MWh)")

    alive = vintages(d)
    ZGP = [(z, g, p) for z, g in d.ZG for p in d.PERIODS]

    VAR = [k for k in ZGP if alive[k]]
    m.cap_var = pyo.Var(VAR, within=pyo.NonNegativeReals, doc="Capacity in service where new vintages exist (MW)")
    m.capacity_def = pyo.Constraint(VAR, rule=lambda m, z, g, p: m.cap_var[z, g, p] == d.existing_mw.get((z, g, p), 0.0)
                                    + sum(s * m.new_cap[v] for v, s in alive[(z, g, p)]),
                                    doc="Capacity in service = existing + new vintages still in service (MW)")
    var_set = set(VAR)
    m.cap = pyo.Expression(ZGP, rule=lambda m, z, g, p: m.cap_var[z, g, p] if (z, g, p) in var_set
                           else d.existing_mw.get((z, g, p), 0.0), doc="Installed capacity in service (MW)")

    e_set = set(e_bp)
    EVAR = [(z, g, p) for z, g, p in VAR if any(v in e_set for v, _ in alive[(z, g, p)])]
    m.ecap_var = pyo.Var(EVAR, within=pyo.NonNegativeReals, doc="Storage energy in service where new vintages exist "
                                                                "(MWh)")
    m.energy_def = pyo.Constraint(EVAR, rule=lambda m, z, g,
                                  p: m.ecap_var[z, g, p] == d.existing_mwh.get((z, g, p), 0.0)
                                  + sum(s * m.new_energy[v] for v, s in alive[(z, g, p)] if v in e_set),
                                  doc="Storage energy in service = existing + new vintages (MWh)")
    evar_set = set(EVAR)

    def ecap_rule(m, z, g, p):
        if d.kind[g] != "storage":
            return 0.0
        if not energy_sized(d, g):
            return float(d.tech.at[g, "duration_h"]) * m.cap[z, g, p]
        return m.ecap_var[z, g, p] if (z, g, p) in evar_set else d.existing_mwh.get((z, g, p), 0.0)
    m.ecap = pyo.Expression(ZGP, rule=ecap_rule, doc="Storage energy capacity (MWh)")

    fom = fixed_om_usd_per_mw_yr(d.tech["fom_usd_per_kw_yr"]).to_dict()

    def investment(p):  # the annuity of every vintage in service: power, then energy
        served = [((z, g, k), (z, g, k, q), s) for zg in d.ZG for (z, g, k, q), s in alive[(*zg, p)]]
        yield from ((Key(*b, built_period=v[3]), s * d.annuity_usd_per_mw_yr[b] * m.new_cap[v]) for b, v, s in served)
        yield from ((Key(*b, built_period=v[3]), s * d.annuity_usd_per_mwh_yr[b] * m.new_energy[v])
                    for b, v, s in served if v in e_set)

    def fixed_om(p):
        return ((Key(z, g), fom[g] * m.cap[z, g, p]) for z, g in d.ZG if fom[g])

    reg = registry(m)
    reg.add_cost("investment", investment)
    reg.add_cost("fixed_om", fixed_om)
