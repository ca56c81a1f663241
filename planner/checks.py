"""Cross-table rules: what each cell can be valid alone yet wrong together.

Each rule names the file, line and column at fault and what would fix it.
"""

from __future__ import annotations

import pandas as pd

from planner.errors import Problem


def _complete(df: pd.DataFrame, group: list[str], over: str, universe: list, file: str,
              problems: list[Problem], what: str) -> None:
    """Every group present in ``df`` must carry one row for each value in ``universe``."""
    if not len(df):
        return
    want = set(universe)
    for keys, sub in df.groupby(group, sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        missing = sorted(want - set(sub[over]))
        if missing:
            desc = ", ".join(f"{g}={k}" for g, k in zip(group, keys))
            problems.append(Problem(
                file, f"{desc} has no row for {len(missing)} of {len(want)} {what} (first missing: {over}={missing[0]}); "
                f"give every {over}", int(sub.index[0]), over))


def check_case(t: dict[str, pd.DataFrame], settings: dict, problems: list[Problem]) -> None:
    timesteps = t["timesteps"]["timestep"].tolist()
    zones = t["zones"]["zone"].tolist()
    periods = t["periods"].sort_values("period")
    period_list = periods["period"].tolist()
    tech = t["technologies"].set_index("technology")

    # periods must not overlap
    for (_, a), (ln, b) in zip(periods.iterrows(), list(periods.iterrows())[1:]):
        if a["period"] + a["years"] > b["period"]:
            problems.append(Problem("periods.csv", f"period {a['period']} lasts {a['years']} years and so overlaps period "
                                    f"{b['period']}; set years <= {b['period'] - a['period']}", int(ln), "years"))

    if not len(t["demand"]):
        problems.append(Problem("demand.csv", "has no rows; give demand_mw for every zone and timestep"))
    missing_zones = sorted(set(zones) - set(t["demand"]["zone"]))
    for z in missing_zones:
        problems.append(Problem("demand.csv", f"zone {z!r} has no demand rows; give demand_mw (0 if none) for every timestep", None, "zone"))
    _complete(t["demand"], ["zone"], "timestep", timesteps, "demand.csv", problems, "timesteps")
    if len(t["demand_growth"]):
        missing = sorted(set(zones) - set(t["demand_growth"]["zone"]))
        for z in missing:
            problems.append(Problem("demand_growth.csv", f"zone {z!r} has no rows; give a multiplier for every period", None, "zone"))
        _complete(t["demand_growth"], ["zone"], "period", period_list, "demand_growth.csv", problems, "periods")
    for name in ("availability", "min_output"):
        _complete(t[name], ["zone", "technology"], "timestep", timesteps, f"{name}.csv", problems, "timesteps")

    # technologies: kind-specific columns
    for ln, row in t["technologies"].iterrows():
        if row["fuel"] and not row["heat_rate_mwh_th_per_mwh"] > 0:
            problems.append(Problem("technologies.csv", f"technology {row['technology']!r} burns {row['fuel']!r} but its heat rate is 0; "
                                    "give heat_rate_mwh_th_per_mwh > 0 or leave fuel empty", int(ln), "heat_rate_mwh_th_per_mwh"))
        if row["kind"] != "storage" and pd.notna(row["duration_h"]):
            problems.append(Problem("technologies.csv", f"duration_h is only for storage; {row['technology']!r} is {row['kind']}",
                                    int(ln), "duration_h"))
        if row["min_output_pu"] > row["availability_pu"]:
            problems.append(Problem("technologies.csv", f"min_output_pu {row['min_output_pu']:g} exceeds availability_pu "
                                    f"{row['availability_pu']:g}: the plant could never run; lower min_output_pu", int(ln), "min_output_pu"))

    # must-run never above what is available, hour by hour
    mo = t["min_output"]
    if len(mo):
        keys = ["zone", "technology", "timestep"]
        both = mo.reset_index().merge(t["availability"], on=keys, how="left")
        cap = both["availability_pu"].fillna(both["technology"].map(tech["availability_pu"]))
        bad = both[both["min_output_pu"] > cap + 1e-9]
        if len(bad):
            r = bad.iloc[0]
            problems.append(Problem("min_output.csv", f"min_output_pu {r['min_output_pu']:g} exceeds the availability "
                                    f"{cap[bad.index[0]]:g} of {r['technology']} in {r['zone']} at timestep {r['timestep']} "
                                    f"({len(bad)} rows like this); lower it", int(r["line"]), "min_output_pu"))

    for ln, row in t["hydro_budgets"].iterrows():
        if tech.at[row["technology"], "kind"] != "hydro":
            problems.append(Problem("hydro_budgets.csv", f"technology {row['technology']!r} is {tech.at[row['technology'], 'kind']}, "
                                    "not hydro; water budgets apply to kind hydro only", int(ln), "technology"))

    for ln, row in t["existing_capacity"].iterrows():
        if pd.notna(row["retirement_year"]) and row["retirement_year"] <= row["build_year"]:
            problems.append(Problem("existing_capacity.csv", f"retirement_year {row['retirement_year']} is not after build_year "
                                    f"{row['build_year']}", int(ln), "retirement_year"))

    first, last = period_list[0], period_list[-1]
    for ln, row in t["build_options"].iterrows():
        lo = row["first_period"] if pd.notna(row["first_period"]) else first
        hi = row["last_period"] if pd.notna(row["last_period"]) else last
        if not any(lo <= p <= hi for p in period_list):
            problems.append(Problem("build_options.csv", f"no period lies between first_period {lo} and last_period {hi}; "
                                    f"periods are {period_list}", int(ln), "first_period"))
        if pd.notna(row["max_new_mw"]) and row["min_new_mw"] > row["max_new_mw"]:
            problems.append(Problem("build_options.csv", f"min_new_mw {row['min_new_mw']:g} exceeds max_new_mw {row['max_new_mw']:g}",
                                    int(ln), "min_new_mw"))

    pairs: dict = {}
    for ln, row in t["corridors"].iterrows():
        if row["from_zone"] == row["to_zone"]:
            problems.append(Problem("corridors.csv", f"corridor {row['corridor']!r} runs from {row['from_zone']!r} to itself; "
                                    "to_zone must differ from from_zone", int(ln), "to_zone"))
            continue
        pair = frozenset((row["from_zone"], row["to_zone"]))
        if pair in pairs:
            problems.append(Problem("corridors.csv", f"corridor {row['corridor']!r} joins {row['from_zone']} and {row['to_zone']} "
                                    f"like corridor {pairs[pair]!r}; a corridor carries capacity_mw in each direction, so "
                                    "give one row per pair of zones", int(ln), "to_zone"))
        pairs.setdefault(pair, row["corridor"])

    for ln, row in t["trade_prices"].iterrows():
        if pd.notna(row["min_import_mwh"]) and pd.notna(row["max_import_mwh"]) and row["min_import_mwh"] > row["max_import_mwh"]:
            problems.append(Problem("trade_prices.csv", f"min_import_mwh {row['min_import_mwh']:g} exceeds max_import_mwh "
                                    f"{row['max_import_mwh']:g}", int(ln), "min_import_mwh"))
        if row["export_price_usd_per_mwh"] > row["import_price_usd_per_mwh"]:
            problems.append(Problem("trade_prices.csv", f"export price {row['export_price_usd_per_mwh']:g} exceeds import price "
                                    f"{row['import_price_usd_per_mwh']:g}: the model would buy and sell at once for profit; "
                                    "export_price_usd_per_mwh must be <= import_price_usd_per_mwh", int(ln), "export_price_usd_per_mwh"))

    energy_sized = tech[(tech["kind"] == "storage") & tech["duration_h"].isna()]
    built = set(t["build_options"]["technology"])
    for g, row in energy_sized.iterrows():
        if g in built and not row["capex_usd_per_kwh"] > 0:
            ln = int(t["technologies"].index[t["technologies"]["technology"] == g][0])
            problems.append(Problem("technologies.csv", f"storage {g!r} sizes its energy separately (duration_h empty) but its "
                                    "energy is free; give capex_usd_per_kwh > 0 or a fixed duration_h", ln, "capex_usd_per_kwh"))
    for ln, row in t["existing_capacity"].iterrows():
        if row["technology"] in energy_sized.index and not row["energy_mwh"] > 0:
            problems.append(Problem("existing_capacity.csv", f"storage {row['technology']!r} sizes its energy separately; give "
                                    "its energy_mwh (> 0)", int(ln), "energy_mwh"))

    priced = set(zip(t["trade_prices"]["interconnector"], t["trade_prices"]["period"]))
    for ln, row in t["interconnectors"].iterrows():
        missing = [p for p in period_list if (row["interconnector"], p) not in priced]
        if missing:
            problems.append(Problem("trade_prices.csv", f"interconnector {row['interconnector']!r} has no prices for period "
                                    f"{missing[0]}; give a row for every period", None, "period"))

    regions = set(t["zones"]["region"]) - {""}
    for ln, row in t["reserve_margins"].iterrows():
        if row["region"] != "*" and row["region"] not in regions:
            problems.append(Problem("reserve_margins.csv", f"region {row['region']!r} is not a region of zones.csv; "
                                    f"use one of {sorted(regions)} or * for the whole system", int(ln), "region"))

    known = set(tech.index)
    for ln, row in t["partners"].iterrows():
        for g in filter(None, (x.strip() for x in row["eligible_technologies"].split(";"))):
            if g not in known:
                problems.append(Problem("partners.csv", f"eligible technology {g!r} is not a technology of technologies.csv",
                                        int(ln), "eligible_technologies"))
        if row["min_share"] > row["max_share"]:
            problems.append(Problem("partners.csv", f"min_share {row['min_share']:g} exceeds max_share {row['max_share']:g}",
                                    int(ln), "min_share"))
