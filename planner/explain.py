"""Explain an infeasible model in terms of its inputs.

HiGHS finds an irreducible infeasible subset (IIS): a smallest set of rows and
bounds that cannot hold together. Each row belongs to a constraint family, and
each family is driven by known input columns, so the IIS is reported as the
inputs to relax, with the zone, technology, period and timestep of each row.
"""

from __future__ import annotations

import highspy

# Pyomo constraint or variable name -> the input columns that set it
INPUTS: dict[str, str] = {
    "balance": "demand.csv demand_mw (x demand_growth.csv multiplier) must be met",
    "dispatch_max": "availability.csv / technologies.csv availability_pu x capacity",
    "dispatch_min": "min_output.csv / technologies.csv min_output_pu x capacity (must-run)",
    "capacity_def": "existing_capacity.csv capacity_mw and retirement_year, with new vintages",
    "energy_def": "existing_capacity.csv energy_mwh, with new storage energy",
    "build_max": "build_options.csv max_new_mw",
    "build_min": "build_options.csv min_new_mw (committed builds)",
    "build_potential": "build_potentials.csv max_new_mw (shared by all partners' options)",
    "storage_soc": "technologies.csv efficiency_charge / efficiency_discharge (storage)",
    "storage_energy": "storage energy capacity (duration_h, existing_capacity.csv energy_mwh)",
    "storage_charge": "storage power capacity",
    "storage_discharge": "storage power capacity",
    "hydro_budget": "hydro_budgets.csv energy_mwh",
    "line_fw": "corridors.csv capacity_mw / max_new_mw",
    "line_bw": "corridors.csv capacity_mw / max_new_mw",
    "line_expansion": "corridors.csv max_new_mw",
    "import_limit": "trade_prices.csv max_import_mwh",
    "import_min": "trade_prices.csv min_import_mwh (against import_mw and max_import_mwh)",
    "export_limit": "trade_prices.csv max_export_mwh",
    "reserve_margin": "reserve_margins.csv margin_pu against capacity_credit_pu of technologies, interconnectors, corridors",
    "co2_cap": "periods.csv co2_cap_t",
    "renewable_share": "periods.csv min_renewable_share",
    "import_share": "periods.csv max_net_import_share",
    "fuel_limit": "fuel_limits.csv max_use_mwh_th",
    "partner_envelope": "partner_envelopes.csv max_investment_usd",
    "partner_min_share": "partners.csv min_share",
    "partner_max_share": "partners.csv max_share",
    "partner_zone_cap": "partner_zone_caps.csv max_new_mw",
    "commitment_mw": "partner_commitments.csv quantity (MW) against the partner's build options, their periods, max_new_mw and envelopes",
    "commitment_usd": "partner_commitments.csv quantity (USD) against the partner's build options, their periods, max_new_mw and envelopes",
    "commitment_mwh": "partner_commitments.csv quantity (MWh/yr) against the partner's build options, their availability and max_new_mw",
    "unserved": "unserved energy is at most demand",
    "imports": "interconnectors.csv import_mw",
    "exports": "interconnectors.csv export_mw",
}


def _family(name: str) -> str:
    return name.split("[", 1)[0]


def explain_infeasible(comp, options: dict, limit: int = 12) -> str:
    """Text naming the inputs behind an irreducible infeasible subset, or '' if none was found."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("iis_strategy", 2)
    h.setOptionValue("time_limit", float(options.get("time_limit_s", 120.0)))
    h.passModel(comp.lp)
    h.run()
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not (len(iis.row_index_) or len(iis.col_index_)):
        return ""
    items = [comp.rows[i].name for i in iis.row_index_]
    items += [comp.columns[j].name for j in iis.col_index_ if comp.columns[j].ub is not None or
              (comp.columns[j].lb or 0) > 0]
    lines = ["These constraints cannot all hold (an irreducible infeasible set); relax one of the inputs named:"]
    for name in items[:limit]:
        lines.append(f"  - {name}: {INPUTS.get(_family(name), 'see planner/model')}")
    if len(items) > limit:
        lines.append(f"  ... and {len(items) - limit} more")
    return "\n".join(lines)
