"""Cross-table rules: what each cell can be valid alone yet wrong together.

One ``check_*`` function per rule, each naming the file, line and column at
fault and what would fix it. ``RULES`` lists them in the order they run, each
with the tables it reads: a rule whose table could not be read at all is held
back (the unreadable file is the one message), and the rules run on the rows
whose cells parsed, so cell errors and cross-table errors are reported in one
pass. Rules that ask for completeness (a row for every timestep, every period)
are also held back for a table that lost rows to cell errors, since the
missing rows would be the cell errors again.

Warnings (``Problem`` in the ``warnings`` list) are traps that are valid input
but rarely what was meant; they are printed and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from planner.errors import Problem, shown

HOURS_OF_A_YEAR = (8760.0, 8784.0)  # common and leap year
WEIGHT_TOLERANCE_H = 0.5


@dataclass
class Ctx:
    """What every rule sees: the tables (rows that parsed), settings, and where to put findings."""

    t: dict[str, pd.DataFrame]
    settings: dict
    problems: list[Problem]
    warnings: list[Problem]

    def error(self, file: str, message: str, line: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(file, message, line, column))

    def warn(self, file: str, message: str, line: int | None = None, column: str | None = None) -> None:
        self.warnings.append(Problem(file, message, line, column))

    @property
    def period_list(self) -> list[int]:
        return sorted(int(p) for p in self.t["periods"]["period"])


Rule = Callable[[Ctx], None]
RULES: list[tuple[Rule, tuple[str, ...]]] = []


def rule(*tables: str) -> Callable[[Rule], Rule]:
    """Register a rule and the tables it reads (it is held back if one of them is unreadable)."""
    def register(f: Rule) -> Rule:
        RULES.append((f, tables))
        return f
    return register


def _complete(df: pd.DataFrame, group: list[str], over: str, universe: list, file: str,
              ctx: Ctx, what: str) -> None:
    """Every group present in ``df`` must carry one row for each value in ``universe``."""
    if not len(df) or df.attrs.get("dropped"):
        return
    want = set(universe)
    for keys, sub in df.groupby(group, sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        missing = sorted(want - set(sub[over]))
        if missing:
            desc = ", ".join(f"{g}={k}" for g, k in zip(group, keys))
            ctx.error(file, f"{desc} has no row for {len(missing)} of {len(want)} {what} "
                      f"(first missing: {over}={missing[0]}); give every {over}", int(sub.index[0]), over)


@rule("periods", "zones", "timesteps")
def check_tables_have_rows(ctx: Ctx) -> None:
    """A case needs at least one period, zone and timestep."""
    for name, what in (("periods", "a period"), ("zones", "a zone"), ("timesteps", "a timestep")):
        df = ctx.t[name]
        if not len(df) and not df.attrs.get("dropped"):
            ctx.error(f"{name}.csv", f"has no rows; give at least {what}")


@rule("periods")
def check_periods_do_not_overlap(ctx: Ctx) -> None:
    """A period lasts until the next one starts at the latest; the line blamed is the period that lasts too long."""
    rows = sorted((int(r.period), int(r.years), int(r.Index)) for r in ctx.t["periods"].itertuples())
    for (p, years, ln), (q, _, _) in zip(rows, rows[1:]):
        if p + years > q:
            ctx.error("periods.csv", f"period {p} lasts {years} years and so overlaps period {q}; set years <= {q - p}",
                      ln, "years")


@rule("timesteps", "settings")
def check_weights_make_a_year(ctx: Ctx) -> None:
    """Timestep weights are hours of a year: they must add up to one year (8760 h, or 8784 h in a leap year).

    A case that models a shorter 'year' (hand-checked test cases) says so with
    the setting ``hours_per_year``.
    """
    ts = ctx.t["timesteps"]
    if not len(ts) or ts.attrs.get("dropped"):
        return
    total = float(ts["weight"].sum())
    declared = ctx.settings.get("hours_per_year")
    targets = (float(declared),) if declared is not None else HOURS_OF_A_YEAR
    if not any(abs(total - h) <= WEIGHT_TOLERANCE_H for h in targets):
        want = f"{targets[0]:g}" if len(targets) == 1 else " or ".join(f"{h:g}" for h in targets)
        ctx.error("timesteps.csv", f"weights add up to {total:,.6g} h, not a year of {want} h: every result per year "
                  "(energy, fuel, emissions, costs) would be scaled wrongly; make the weights add up to a year, or "
                  "declare the modelled year with the setting hours_per_year", None, "weight")


@rule("timesteps")
def check_blocks_are_consecutive(ctx: Ctx) -> None:
    """Storage wraps within a block, so a block must be one run of consecutive timesteps."""
    ts = ctx.t["timesteps"].sort_values("timestep")
    if not len(ts):
        return
    seen: dict[int, int] = {}
    prev = None
    for r in ts.itertuples():
        b = int(r.block)
        if b != prev and b in seen:
            ctx.error("timesteps.csv", f"block {b} is interrupted: timestep {r.timestep} returns to it after another "
                      f"block (it started at line {seen[b]}); storage wraps within a block, so give each block one run "
                      "of consecutive timesteps", int(r.Index), "block")
            return
        seen.setdefault(b, int(r.Index))
        prev = b


@rule("zones", "timesteps", "demand")
def check_demand_complete(ctx: Ctx) -> None:
    """Every zone has demand in every timestep."""
    t = ctx.t
    if not len(t["demand"]):
        if not t["demand"].attrs.get("dropped"):
            ctx.error("demand.csv", "has no rows; give demand_mw for every zone and timestep")
        return
    if t["demand"].attrs.get("dropped"):
        return
    for z in sorted(set(t["zones"]["zone"]) - set(t["demand"]["zone"])):
        ctx.error("demand.csv", f"zone {z!r} has no demand rows; give demand_mw (0 if none) for every timestep",
                  None, "zone")
    _complete(t["demand"], ["zone"], "timestep", t["timesteps"]["timestep"].tolist(), "demand.csv", ctx, "timesteps")


@rule("zones", "periods", "demand_growth")
def check_demand_growth_complete(ctx: Ctx) -> None:
    """If demand grows by zone, every zone has a multiplier for every period."""
    dg = ctx.t["demand_growth"]
    if not len(dg) or dg.attrs.get("dropped"):
        return
    for z in sorted(set(ctx.t["zones"]["zone"]) - set(dg["zone"])):
        ctx.error("demand_growth.csv", f"zone {z!r} has no rows; give a multiplier for every period", None, "zone")
    _complete(dg, ["zone"], "period", ctx.period_list, "demand_growth.csv", ctx, "periods")


@rule("demand", "demand_growth")
def check_grown_demand_in_range(ctx: Ctx) -> None:
    """Grown demand (demand_mw x multiplier) stays within the bound of a demand in MW, as demand_mw itself does."""
    from planner.schema import MAX_MW, _num

    dem, dg = ctx.t["demand"], ctx.t["demand_growth"]
    if not len(dem) or not len(dg):
        return
    peak_line = dem.groupby("zone")["demand_mw"].idxmax()  # the line of each zone's peak
    for ln, r in dg.iterrows():
        if r["zone"] not in peak_line.index:
            continue
        at = peak_line[r["zone"]]
        mw = float(dem.at[at, "demand_mw"])
        grown = mw * float(r["multiplier"])
        if grown > MAX_MW:
            ctx.error("demand_growth.csv", f"multiplier {r['multiplier']:g} of zone {r['zone']} in {r['period']} "
                      f"makes its peak demand {mw:g} MW (demand.csv, line {int(at)}) {grown:.3g} MW, "
                      f"above the {_num(MAX_MW)} MW a demand may be; demand_mw x multiplier must stay <= "
                      f"{_num(MAX_MW)} MW (a wrong exponent or unit in either file?)", int(ln), "multiplier")


@rule("partner_commitments")
def check_commitment_within_its_unit(ctx: Ctx) -> None:
    """A commitment's quantity stays within the bound of its unit (MW, MWh/yr; USD is the column's own bound)."""
    from planner.schema import COMMITMENT_MAX, _num

    for ln, r in ctx.t["partner_commitments"].iterrows():
        bound = COMMITMENT_MAX.get(r["unit"])
        if bound is not None and r["quantity"] > bound:
            ctx.error("partner_commitments.csv", f"{r['quantity']:g} is out of range for unit {r['unit']}; expected "
                      f"a number >= 0 and <= {_num(bound)} ({r['unit']})", int(ln), "quantity")


@rule("timesteps", "availability", "min_output")
def check_profiles_complete(ctx: Ctx) -> None:
    """A profile given for a zone and technology covers every timestep."""
    steps = ctx.t["timesteps"]["timestep"].tolist()
    for name in ("availability", "min_output"):
        _complete(ctx.t[name], ["zone", "technology"], "timestep", steps, f"{name}.csv", ctx, "timesteps")


@rule("technologies")
def check_technology_roles(ctx: Ctx) -> None:
    """Fuel needs a heat rate, duration is for storage only, must-run at most availability."""
    for ln, row in ctx.t["technologies"].iterrows():
        if row["fuel"] and not row["heat_rate_mwh_th_per_mwh"] > 0:
            ctx.error("technologies.csv", f"technology {row['technology']!r} burns {row['fuel']!r} but its heat rate "
                      "is 0; give heat_rate_mwh_th_per_mwh > 0 or leave fuel empty",
                      int(ln), "heat_rate_mwh_th_per_mwh")
        if row["kind"] != "storage" and pd.notna(row["duration_h"]):
            ctx.error("technologies.csv", f"duration_h is only for storage; {row['technology']!r} is {row['kind']}",
                      int(ln), "duration_h")
        if row["min_output_pu"] > row["availability_pu"]:
            ctx.error("technologies.csv", f"min_output_pu {row['min_output_pu']:g} exceeds availability_pu "
                      f"{row['availability_pu']:g}: the plant could never run; lower min_output_pu",
                      int(ln), "min_output_pu")


@rule("technologies", "availability", "min_output")
def check_must_run_within_availability(ctx: Ctx) -> None:
    """Must-run never above what is available, hour by hour."""
    mo = ctx.t["min_output"]
    if not len(mo):
        return
    tech = ctx.t["technologies"].set_index("technology")
    keys = ["zone", "technology", "timestep"]
    both = mo.reset_index().merge(ctx.t["availability"], on=keys, how="left")
    cap = both["availability_pu"].fillna(both["technology"].map(tech["availability_pu"]))
    bad = both[both["min_output_pu"] > cap + 1e-9]
    if len(bad):
        r = bad.iloc[0]
        ctx.error("min_output.csv", f"min_output_pu {r['min_output_pu']:g} exceeds the availability "
                  f"{cap[bad.index[0]]:g} of {r['technology']} in {r['zone']} at timestep {r['timestep']} "
                  f"({len(bad)} rows like this); lower it", int(r["line"]), "min_output_pu")


@rule("technologies", "hydro_budgets")
def check_hydro_budgets_are_hydro(ctx: Ctx) -> None:
    """Water budgets apply to technologies of kind hydro."""
    kind = ctx.t["technologies"].set_index("technology")["kind"]
    for ln, row in ctx.t["hydro_budgets"].iterrows():
        k = kind.get(row["technology"])
        if k is not None and k != "hydro":
            ctx.error("hydro_budgets.csv", f"technology {row['technology']!r} is {k}, not hydro; water budgets apply "
                      "to kind hydro only", int(ln), "technology")


@rule("existing_capacity")
def check_retirement_after_build(ctx: Ctx) -> None:
    """A cohort retires after it was built."""
    for ln, row in ctx.t["existing_capacity"].iterrows():
        if pd.notna(row["retirement_year"]) and row["retirement_year"] <= row["build_year"]:
            ctx.error("existing_capacity.csv", f"retirement_year {int(row['retirement_year'])} is not after build_year "
                      f"{int(row['build_year'])}", int(ln), "retirement_year")


@rule("existing_capacity", "technologies", "periods")
def check_cohorts_serve_a_period(ctx: Ctx) -> None:
    """Warn when an existing cohort retires before the first period: it then plays no part at all.

    With retirement_year empty, a cohort retires at build_year + lifetime_yr of
    its technology, so a short lifetime silently retires an old fleet.
    """
    periods = ctx.period_list
    if not periods:
        return
    life = ctx.t["technologies"].set_index("technology")["lifetime_yr"]
    for ln, row in ctx.t["existing_capacity"].iterrows():
        if not row["capacity_mw"] > 0 or row["technology"] not in life.index:
            continue
        explicit = pd.notna(row["retirement_year"])
        retire = int(row["retirement_year"]) if explicit else int(row["build_year"]) + int(life[row["technology"]])
        if retire <= periods[0]:
            how = ("its retirement_year" if explicit else
                   f"build_year {int(row['build_year'])} + lifetime_yr {int(life[row['technology']])} "
                   f"of {row['technology']!r}")
            ctx.warn("existing_capacity.csv", f"{row['capacity_mw']:g} MW of {row['technology']} in {row['zone']} "
                     f"retires in {retire} ({how}), before the first period {periods[0]}: it is not in the model "
                     "at all; give retirement_year if it is still running", int(ln), "retirement_year")


@rule("periods", "build_options")
def check_build_windows(ctx: Ctx) -> None:
    """A build option's window holds a period, and its minimum is not above its maximum."""
    periods = ctx.period_list
    if not periods:
        return
    first, last = periods[0], periods[-1]
    for ln, row in ctx.t["build_options"].iterrows():
        lo = int(row["first_period"]) if pd.notna(row["first_period"]) else first
        hi = int(row["last_period"]) if pd.notna(row["last_period"]) else last
        if not any(lo <= p <= hi for p in periods):
            ctx.error("build_options.csv", f"no period lies between first_period {lo} and last_period {hi}; "
                      f"periods are {periods}", int(ln), "first_period")
        if pd.notna(row["max_new_mw"]) and row["min_new_mw"] > row["max_new_mw"]:
            ctx.error("build_options.csv", f"min_new_mw {row['min_new_mw']:g} exceeds max_new_mw {row['max_new_mw']:g}",
                      int(ln), "min_new_mw")


@rule("corridors")
def check_corridor_ends(ctx: Ctx) -> None:
    """A corridor joins two different zones, and a pair of zones has one corridor."""
    pairs: dict = {}
    for ln, row in ctx.t["corridors"].iterrows():
        if row["from_zone"] == row["to_zone"]:
            ctx.error("corridors.csv", f"corridor {row['corridor']!r} runs from {row['from_zone']!r} to itself; "
                      "to_zone must differ from from_zone", int(ln), "to_zone")
            continue
        pair = frozenset((row["from_zone"], row["to_zone"]))
        if pair in pairs:
            ctx.error("corridors.csv", f"corridor {row['corridor']!r} joins {row['from_zone']} and {row['to_zone']} "
                      f"like corridor {pairs[pair]!r}; a corridor carries capacity_mw in each direction, so "
                      "give one row per pair of zones", int(ln), "to_zone")
        pairs.setdefault(pair, row["corridor"])


@rule("corridors")
def check_corridor_expansion_cost(ctx: Ctx) -> None:
    """A corridor that may expand has a cost: capex per MW-km needs a length, and expansion is never free.

    Cost of new capacity is capex_usd_per_mw_km x length_km per MW: with the
    length empty or 0 it would be built for nothing. max_new_mw empty means no
    limit (as in build_options.csv), so a corridor with no cost must say 0.
    """
    for ln, row in ctx.t["corridors"].iterrows():
        may_expand = not (row["max_new_mw"] == 0)
        if not may_expand:
            continue
        limit = "no limit" if pd.isna(row["max_new_mw"]) else f"up to {row['max_new_mw']:g} MW"
        if row["capex_usd_per_mw_km"] > 0 and not row["length_km"] > 0:
            ctx.error("corridors.csv", f"corridor {row['corridor']!r} may expand ({limit}) at capex_usd_per_mw_km "
                      f"{row['capex_usd_per_mw_km']:g} but has no length, so its expansion would cost nothing; "
                      "give length_km", int(ln), "length_km")
        elif not row["capex_usd_per_mw_km"] > 0:
            ctx.error("corridors.csv", f"corridor {row['corridor']!r} may expand ({limit}) at no cost "
                      "(capex_usd_per_mw_km is 0); give its cost and length_km, or max_new_mw 0 for no expansion",
                      int(ln), "max_new_mw")


@rule("trade_prices")
def check_trade_terms(ctx: Ctx) -> None:
    """Minimum imports within the maximum; no export price above the import price (no arbitrage)."""
    for ln, row in ctx.t["trade_prices"].iterrows():
        lo, hi = row["min_import_mwh"], row["max_import_mwh"]
        if pd.notna(lo) and pd.notna(hi) and lo > hi:
            ctx.error("trade_prices.csv", f"min_import_mwh {lo:g} exceeds max_import_mwh {hi:g}",
                      int(ln), "min_import_mwh")
        if row["export_price_usd_per_mwh"] > row["import_price_usd_per_mwh"]:
            ctx.error("trade_prices.csv", f"export price {row['export_price_usd_per_mwh']:g} exceeds import price "
                      f"{row['import_price_usd_per_mwh']:g}: the model would buy and sell at once for profit; "
                      "export_price_usd_per_mwh must be <= import_price_usd_per_mwh",
                      int(ln), "export_price_usd_per_mwh")


@rule("technologies", "build_options", "existing_capacity")
def check_storage_energy_priced(ctx: Ctx) -> None:
    """Storage that sizes its energy separately has a price for that energy, and existing cohorts state it."""
    techs = ctx.t["technologies"]
    tech = techs.set_index("technology")
    energy_sized = tech[(tech["kind"] == "storage") & tech["duration_h"].isna()]
    built = set(ctx.t["build_options"]["technology"])
    for g, row in energy_sized.iterrows():
        if g in built and not row["capex_usd_per_kwh"] > 0:
            ln = int(techs.index[techs["technology"] == g][0])
            ctx.error("technologies.csv", f"storage {g!r} sizes its energy separately (duration_h empty) but its "
                      "energy is free; give capex_usd_per_kwh > 0 or a fixed duration_h", ln, "capex_usd_per_kwh")
    for ln, row in ctx.t["existing_capacity"].iterrows():
        if row["technology"] in energy_sized.index and not row["energy_mwh"] > 0:
            ctx.error("existing_capacity.csv", f"storage {row['technology']!r} sizes its energy separately; give "
                      "its energy_mwh (> 0)", int(ln), "energy_mwh")


@rule("periods", "interconnectors", "trade_prices")
def check_trade_prices_complete(ctx: Ctx) -> None:
    """Every interconnector has trade terms for every period."""
    if ctx.t["trade_prices"].attrs.get("dropped"):
        return
    priced = set(zip(ctx.t["trade_prices"]["interconnector"], ctx.t["trade_prices"]["period"]))
    for _, row in ctx.t["interconnectors"].iterrows():
        missing = [p for p in ctx.period_list if (row["interconnector"], p) not in priced]
        if missing:
            ctx.error("trade_prices.csv", f"interconnector {row['interconnector']!r} has no prices for period "
                      f"{missing[0]}; give a row for every period", None, "period")


@rule("zones", "reserve_margins")
def check_reserve_regions(ctx: Ctx) -> None:
    """A reserve margin applies to a region of zones.csv, or * for the whole system."""
    regions = set(ctx.t["zones"]["region"]) - {""}
    for ln, row in ctx.t["reserve_margins"].iterrows():
        if row["region"] != "*" and row["region"] not in regions:
            ctx.error("reserve_margins.csv", f"region {shown(row['region'], 40)!r} is not a region of zones.csv; "
                      f"use one of {sorted(regions)} or * for the whole system", int(ln), "region")


@rule("technologies", "partners")
def check_partner_terms(ctx: Ctx) -> None:
    """A partner's eligible technologies exist, and its minimum share is not above its maximum."""
    known = set(ctx.t["technologies"]["technology"])
    for ln, row in ctx.t["partners"].iterrows():
        for g in filter(None, (x.strip() for x in row["eligible_technologies"].split(";"))):
            if g not in known:
                ctx.error("partners.csv",
                          f"eligible technology {shown(g, 40)!r} is not a technology of technologies.csv",
                          int(ln), "eligible_technologies")
        if row["min_share"] > row["max_share"]:
            ctx.error("partners.csv", f"min_share {row['min_share']:g} exceeds max_share {row['max_share']:g}",
                      int(ln), "min_share")


def usable(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a loaded table whose cells all parsed (and whose references resolve)."""
    bad = df.attrs.get("bad_lines") or set()
    if not bad:
        return df
    out = df.drop(index=[ln for ln in bad if ln in df.index])
    out.attrs = {**df.attrs, "dropped": len(df) - len(out)}
    return out


def check_case(t: dict[str, pd.DataFrame], settings: dict, problems: list[Problem],
               warnings: list[Problem] | None = None) -> None:
    """Run every rule on the rows that parsed; a rule reading an unreadable table is held back."""
    ctx = Ctx({k: usable(v) for k, v in t.items()}, settings, problems, warnings if warnings is not None else [])
    for f, needs in RULES:
        if any(t[name].attrs.get("broken") for name in needs if name in t):
            continue
        f(ctx)

