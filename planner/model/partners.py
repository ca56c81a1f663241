"""Partners: investment envelopes, capacity shares and zone caps.

    sum_{b of k} capex_b * new_cap[b,p] (+ capex_e_b * new_energy[b,p]) <= envelope[k,p]        (USD)
    sum_{b of k} new_cap[b,p] >= min_share_k * sum_b new_cap[b,p]                               (MW)
    sum_{b of k} new_cap[b,p] <= max_share_k * sum_b new_cap[b,p]
    sum_{b of k in z, p} new_cap[b,p] <= max_new_mw[k,z]

Eligibility acts before the model: options of a partner for a technology it
is not eligible for are not offered (listed in run.json). The envelope dual
is what one more dollar of the partner's financing in that period is worth to
the system, in present-value USD per USD (reported as a saving, >= 0).
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData, overnight_usd
from planner.model.registry import guard, scaled

CONSTRAINTS = ("partner_envelope", "partner_min_share", "partner_max_share", "partner_zone_cap")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "partner_envelope": "partner_envelopes.csv max_investment_usd",
    "partner_min_share": "partners.csv min_share",
    "partner_max_share": "partners.csv max_share",
    "partner_zone_cap": "partner_zone_caps.csv max_new_mw",
}
# results' shadow_prices: constraint -> (unit, whether the dual is divided by the period's discount weight)
SHADOW_PRICES = {"partner_envelope": ("USD_pv/USD", False)}
# rows in which a build's overnight capex appears, coefficient capex (USD per MW): break-even studies move them
# with the capex (planner/studies/placement.py)
MONEY_ROWS = ("partner_envelope",)


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    by_kp: dict = {}
    all_p: dict = {p: [] for p in d.PERIODS}
    for z, g, k, q in d.BUILD_PERIODS:
        by_kp.setdefault((k, q), []).append((z, g, k, q))
        all_p[q].append((z, g, k, q))
    e_set = set(m.new_energy.keys())

    # rows of a partner with no option (all excluded or ineligible) would be trivially true: not built
    env = [(k, p) for k, p in d.partner_envelopes.index if p in d.PERIODS and by_kp.get((k, p))]
    def envelope(m, k, p):
        capex = 0
        for z, g, _, q in by_kp.get((k, p), []):
            v = (z, g, k, q)
            capex += overnight_usd(d, (z, g, k), m.new_cap[v], m.new_energy[v] if v in e_set else None)
        return capex <= float(d.partner_envelopes.at[(k, p), "max_investment_usd"])
    m.partner_envelope = pyo.Constraint(env,
                                        rule=guard("partner_envelope", scaled(m, "partner_envelope", 1e-6, envelope)),
                                        doc="Partner's overnight capex in a period at most its envelope (USD; rows in "
                                            "million USD)")

    pr = d.partners
    lo = [(k, p) for k in d.PARTNERS if pr.at[k, "min_share"] > 0 for p in d.PERIODS]
    hi = [(k, p) for k in d.PARTNERS if pr.at[k, "max_share"] < 1 for p in d.PERIODS]
    def share(sense):
        def rule(m, k, p):
            if not all_p[p]:
                return pyo.Constraint.Skip
            own = sum(m.new_cap[v] for v in by_kp.get((k, p), []))
            if sense == "min":
                return own >= pr.at[k, "min_share"] * sum(m.new_cap[v] for v in all_p[p])
            return own <= pr.at[k, "max_share"] * sum(m.new_cap[v] for v in all_p[p])
        return rule
    m.partner_min_share = pyo.Constraint(
        lo, rule=guard("partner_min_share", share("min")), doc="Partner's share of new capacity at least min_share (MW)"
    )
    m.partner_max_share = pyo.Constraint(
        hi, rule=guard("partner_max_share", share("max")), doc="Partner's share of new capacity at most max_share (MW)"
    )
    by_kz: dict = {}
    for z, g, k, q in d.BUILD_PERIODS:
        by_kz.setdefault((k, z), []).append((z, g, k, q))
    caps = [kz for kz in d.partner_zone_caps.index if kz in by_kz]
    m.partner_zone_cap = pyo.Constraint(caps, rule=guard("partner_zone_cap", lambda m, k, z: sum(
        m.new_cap[v] for v in by_kz[(k, z)]) <= float(d.partner_zone_caps.at[(k, z), "max_new_mw"])),
        doc="Partner's new capacity in a zone at most its cap (MW)")
