"""Transport-model transmission with losses and optional expansion.

    line_cap[l,p] = capacity_mw_l * s(available_from_l, inf, p) + sum_{p'} s(p', p' + life_l, p) * new_line[l,p']   (MW)
    0 <= flow_fw[l,p,t] <= line_cap[l,p],   0 <= flow_bw[l,p,t] <= line_cap[l,p]
    sum_p new_line[l,p] <= max_new_mw_l        (no row when max_new_mw is empty: no limit; 0: no expansion)

Injection into the receiving zone is (1 - loss_l) of what the sending zone
gives up. New capacity built in a period is available from that period on, for
the share s of each period it serves (see capacity.py).

Cost registered: transmission = sum_{vintages} s * capex_usd_per_mw_km * length_km * CRF(r, life) * new_line   (USD/yr)
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.core.adequacy import corridor_existing_mw
from planner.model.data import ModelData
from planner.model.registry import Key, registry


# the variables indexed by (..., period, timestep): operations, which a decomposition by time puts in its subproblems
TIME_VARIABLES = ("flow_fw", "flow_bw")
CONSTRAINTS = ("line_fw", "line_bw", "line_expansion")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "line_fw": "corridors.csv capacity_mw / max_new_mw",
    "line_bw": "corridors.csv capacity_mw / max_new_mw",
    "line_expansion": "corridors.csv max_new_mw",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    cor = d.corridor
    L = d.CORRIDORS
    EXP = [(l, p) for l in L if not cor.at[l, "max_new_mw"] <= 0 for p in d.PERIODS]  # NaN (empty): no limit
    m.new_line = pyo.Var(EXP, within=pyo.NonNegativeReals, doc="New corridor capacity built in period p (MW)")
    exp_set = set(EXP)

    def alive(l, p):
        """[(vintage, share of p it serves)]"""
        life = int(cor.at[l, "lifetime_yr"])
        return [((l, q), s) for q in d.PERIODS if (l, q) in exp_set for s in [d.in_service(q, q + life, p)] if s > 0]

    m.line_cap = pyo.Expression(
        [(l, p) for l in L for p in d.PERIODS],
        rule=lambda m, l, p: corridor_existing_mw(cor.at[l, "capacity_mw"], cor.at[l, "available_from"], p, d.years[p])
        + sum(s * m.new_line[v] for v, s in alive(l, p)),
        doc="Corridor capacity in service, each direction (MW)")
    LPT = [(l, p, t) for l in L for p in d.PERIODS for t in d.TIMESTEPS]
    m.flow_fw = pyo.Var(LPT, within=pyo.NonNegativeReals, doc="Flow from from_zone to to_zone, as sent (MW)")
    m.flow_bw = pyo.Var(LPT, within=pyo.NonNegativeReals, doc="Flow from to_zone to from_zone, as sent (MW)")
    m.line_fw = pyo.Constraint(LPT, rule=lambda m, l, p, t: m.flow_fw[l, p, t] <= m.line_cap[l, p], doc="Forward flow limit (MW)")
    m.line_bw = pyo.Constraint(LPT, rule=lambda m, l, p, t: m.flow_bw[l, p, t] <= m.line_cap[l, p], doc="Backward flow limit (MW)")
    m.line_expansion = pyo.Constraint(
        [l for l in L if cor.at[l, "max_new_mw"] > 0],
        rule=lambda m, l: sum(m.new_line[l, p] for p in d.PERIODS) <= float(cor.at[l, "max_new_mw"]),
        doc="New corridor capacity at most max_new_mw (MW)")

    eff = {l: 1.0 - float(cor.at[l, "loss_pu"]) for l in L}
    into = {z: [l for l in L if cor.at[l, "to_zone"] == z] for z in d.ZONES}
    out = {z: [l for l in L if cor.at[l, "from_zone"] == z] for z in d.ZONES}

    def injection(z, p, t):
        return (sum(eff[l] * m.flow_fw[l, p, t] - m.flow_bw[l, p, t] for l in into[z])
                + sum(eff[l] * m.flow_bw[l, p, t] - m.flow_fw[l, p, t] for l in out[z]))

    reg = registry(m)
    reg.add_injection("transmission", injection)
    reg.add_cost("transmission", lambda p: ((Key(link=l, built_period=v[1]), s * d.line_annuity_usd_per_mw_yr[l] * m.new_line[v])
                                            for l in L for v, s in alive(l, p)))
