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

from planner.model.data import ModelData
from planner.model.registry import guard, row_scale


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    by_kp: dict = {}
    all_p: dict = {p: [] for p in d.PERIODS}
    for v in d.BUILD_PERIODS:
        by_kp.setdefault((v[2], v[3]), []).append(v)
        all_p[v[3]].append(v)
    e_set = set(m.new_energy.keys())

    # rows of a partner with no option (all excluded or ineligible) would be trivially true: not built
    env = [(k, p) for k, p in d.partner_envelopes.index if p in d.PERIODS and by_kp.get((k, p))]
    s = row_scale(m, "partner_envelope", 1e-6)  # written in million USD
    m.partner_envelope = pyo.Constraint(env, rule=guard("partner_envelope", lambda m, k, p: sum(
        s * d.capex_usd_per_mw[v[:3]] * m.new_cap[v] + (s * d.capex_usd_per_mwh[v[:3]] * m.new_energy[v] if v in e_set else 0)
        for v in by_kp.get((k, p), [])) <= s * float(d.partner_envelopes.at[(k, p), "max_investment_usd"])),
        doc="Partner's overnight capex in a period at most its envelope (USD)")

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
    m.partner_min_share = pyo.Constraint(lo, rule=guard("partner_min_share", share("min")), doc="Partner's share of new capacity at least min_share (MW)")
    m.partner_max_share = pyo.Constraint(hi, rule=guard("partner_max_share", share("max")), doc="Partner's share of new capacity at most max_share (MW)")
    by_kz: dict = {}
    for v in d.BUILD_PERIODS:
        by_kz.setdefault((v[2], v[0]), []).append(v)
    caps = [kz for kz in d.partner_zone_caps.index if kz in by_kz]
    m.partner_zone_cap = pyo.Constraint(caps, rule=guard("partner_zone_cap", lambda m, k, z: sum(
        m.new_cap[v] for v in by_kz[(k, z)]) <= float(d.partner_zone_caps.at[(k, z), "max_new_mw"])),
        doc="Partner's new capacity in a zone at most its cap (MW)")
