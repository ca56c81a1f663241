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


def explain_infeasible(comp, options: dict, examples: int = 3) -> str:
    """Text naming the inputs behind an irreducible infeasible subset, or '' if none was found.

    The rows are grouped by constraint family, and every family is named: an
    IIS of thousands of hourly balance rows and one fuel limit must show the
    fuel limit, not stop after the first dozen balance rows.
    """
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
    return group_by_family(items, examples)


def group_by_family(items: list[str], examples: int = 3) -> str:
    """One line per constraint family of the IIS (smallest families first: the unusual row is the clue)."""
    families: dict[str, list[str]] = {}
    for name in items:
        families.setdefault(_family(name), []).append(name)
    n = len(items)
    lines = [f"These constraints cannot all hold (an irreducible infeasible set of {n} row{'s' if n != 1 else ''} "
             f"in {len(families)} famil{'ies' if len(families) != 1 else 'y'}); relax one of the inputs named:"]
    for fam, names in sorted(families.items(), key=lambda kv: (len(kv[1]), kv[0])):
        line = f"  - {names[0]}: {INPUTS.get(fam, 'see planner/model')}"
        if len(names) > 1:
            more = ", ".join(names[1:examples])
            rest = len(names) - examples
            line += f" (and {len(names) - 1} more {fam} row{'s' if len(names) > 2 else ''}: {more}" + \
                (f", ... {rest} more)" if rest > 0 else ")")
        lines.append(line)
    return "\n".join(lines)
