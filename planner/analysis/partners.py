"""Who builds what, where: the partner report, computed from stored result tables only.

Index letters as in the engine: z zone, g technology, k partner, p period, t timestep.
Owners k are the partners of the build options, plus two labels of the report's own:
``(existing)`` for the existing fleet and ``(unattributed)`` for options with no partner.

Capacity in service. A build of partner k in period q serves the share s of
period p that lies inside its lifetime, exactly as the model counts it
(capacity.py; stored per vintage in the results' ``vintages`` table):

    in_service[z,g,k,p] = sum_q s(q, p) * new_mw[z,g,k,q]          (MW)
    in_service[z,g,(existing),p] = existing_mw[z,g,p]

Attribution rule. The model dispatches a zone x technology as one fleet, so its
output is split across owners in proportion to capacity in service:

    share[z,g,k,p]      = in_service[z,g,k,p] / sum_k' in_service[z,g,k',p]
    generation[z,g,k,p] = share * sum_t w_t * gen[z,g,p,t]                        (MWh/yr)
    revenue[z,g,k,p]    = share * sum_t w_t * price[z,p,t] * (gen - charge)[z,g,p,t]   (USD/yr)
    operating[z,g,k,p]  = share * (variable O&M + fuel + CO2 price) of the fleet  (USD/yr)

The shares of a zone x technology sum to one, so every attributed quantity sums
exactly (to rounding) to its system total. Revenue is at zonal energy prices
only: capacity (reserve margin) and renewable-share payments are not included,
so firm and renewable capacity shows a lower margin than it earns in the LP.

Costs, as the model computed them (results' ``cost_terms``): annual cost = the
owner's ``investment`` terms (annuities of its vintages in service, at its
WACC) + its share of the zone x technology's ``fixed_om`` term; it sums to the
``investment`` + ``fixed_om`` rows of the costs table. Operating cost is the
share of the fleet's ``variable_om`` + ``fuel`` + ``co2`` terms. capex is the
overnight cost of the MW built in the period. margin = revenue - annual cost -
operating cost (the brief's "revenue - annual cost" less the fleet's fuel, VOM
and CO2, without which every thermal plant would look profitable).

Deficit. One definition for every report: planner/analysis/deficit.py (the system, region
and zone deficits after the transfers the corridors allow, before and after new
builds, and each owner's share of the deficit closed).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.analysis.deficit import closed_by_owner, system_deficit, zone_deficits
from planner.core.adequacy import firm_mw
from planner.core.economics import mwh
from planner.core.names import EXISTING, owner
from planner.errors import InputError, Problem
from planner.store import write_csv

NEEDED = ("capacity", "new_capacity", "vintages", "generation", "dispatch", "prices", "technologies",
          "reserve_margin_by_zone", "corridors", "adequacy_links", "cost_terms")



def _need(tables: dict[str, pd.DataFrame]) -> None:
    missing = [n for n in NEEDED if n not in tables]
    if missing:
        raise InputError([Problem("results", f"tables {missing} are missing; they are written by planner run since the "
                                  "partner report was added — run the model again")])


def in_service(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Capacity in service, capex and annuities per zone x technology x owner x period."""
    _need(tables)
    cap = tables["capacity"]
    keys = ["zone", "technology", "partner", "period"]
    # in service and annuities as the model counted them (results' vintages table: share of each period served)
    vin = tables["vintages"].copy()
    vin["partner"] = vin["partner"].map(owner)
    nc = tables["new_capacity"].copy()
    nc["partner"] = nc["partner"].map(owner)
    served = vin.groupby(keys, as_index=False)[["in_service_mw"]].sum()
    ct = tables["cost_terms"]
    inv = ct[ct["category"] == "investment"].copy()
    inv["partner"] = inv["partner"].map(owner)
    inv = inv.groupby(keys, as_index=False)["annual_usd"].sum().rename(columns={"annual_usd": "annuity_usd_per_yr"})
    served = served.merge(inv, on=keys, how="outer")
    built = nc.groupby(keys, as_index=False)[["new_mw", "capex_usd"]].sum()
    new = served.merge(built, on=keys, how="outer").fillna(0.0)
    new = new[["zone", "technology", "partner", "period", "new_mw", "in_service_mw", "capex_usd", "annuity_usd_per_yr"]]
    ex = cap[["zone", "technology", "period", "existing_mw"]].rename(columns={"existing_mw": "in_service_mw"})
    ex = ex.assign(partner=EXISTING, new_mw=0.0, capex_usd=0.0, annuity_usd_per_yr=0.0)
    out = pd.concat([ex[new.columns], new], ignore_index=True)

    # the model's capacity must be what the owners add up to: fail loudly if not
    tot = out.groupby(["zone", "technology", "period"])["in_service_mw"].sum()
    ref = cap.set_index(["zone", "technology", "period"])["total_mw"].reindex(tot.index).fillna(0.0)
    bad = (tot - ref).abs() > 1e-3 + 1e-5 * ref.abs()
    if bad.any():
        raise InputError([Problem("results/capacity.csv", f"capacity in service by owner does not add up to total_mw "
                                  f"for {list(tot.index[bad])[:5]}; are the tables from one run?")])
    return out


def _fleet_values(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per zone x technology x period: generation, charge, revenue at zonal prices, operating cost, available energy."""
    disp = tables["dispatch"].merge(tables["prices"][["zone", "period", "timestep", "weight", "price_usd_per_mwh"]],
                                    on=["zone", "period", "timestep"], how="left")
    disp["revenue_usd_per_yr"] = disp["price_usd_per_mwh"] * mwh(disp["generation_mw"] - disp["charge_mw"],
                                                                  disp["weight"])
    rev = disp.groupby(["zone", "technology", "period"], as_index=False)["revenue_usd_per_yr"].sum()
    gen = tables["generation"][["zone", "technology", "period", "generation_mwh", "available_mwh",
                                "operating_cost_usd"]]
    return gen.merge(rev, on=["zone", "technology", "period"], how="left").fillna({"revenue_usd_per_yr": 0.0})


def partner_builds(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The report's main table: zone x technology x owner x period, every column with its unit in its name."""
    u = in_service(tables)
    tech = tables["technologies"].set_index("technology")
    keys = ["zone", "technology", "period"]
    u["in_service_mw"] = u["in_service_mw"].astype(float)  # object dtype divides by zero with an exception
    total = u.groupby(keys)["in_service_mw"].transform("sum")
    u["share"] = (u["in_service_mw"] / total.where(total > 0)).fillna(0.0)
    f = _fleet_values(tables)
    u = u.merge(f, on=keys, how="left").fillna({"generation_mwh": 0.0, "revenue_usd_per_yr": 0.0,
                                                 "operating_cost_usd": 0.0, "available_mwh": 0.0})
    orphan = u.groupby(keys).agg(s=("share", "sum"), g=("generation_mwh", "first"))
    orphan = orphan[(orphan["s"] == 0) & (orphan["g"].abs() > 1e-6)]
    if len(orphan):
        raise InputError([Problem("results/generation.csv", "generation with no capacity in service: "
                                                            f"{list(orphan.index)[:5]}")])
    u["generation_mwh"] = u["share"] * u["generation_mwh"]
    u["revenue_usd_per_yr"] = u["share"] * u["revenue_usd_per_yr"]
    u["operating_cost_usd_per_yr"] = u["share"] * u["operating_cost_usd"]
    ct = tables["cost_terms"]
    fom = ct[ct["category"] == "fixed_om"].groupby(keys)["annual_usd"].sum()
    u["fixed_om_usd_per_yr"] = u["share"] * [float(fom.get(k, 0.0)) for k in zip(u.zone, u.technology, u.period)]
    u["annual_cost_usd_per_yr"] = u["annuity_usd_per_yr"] + u["fixed_om_usd_per_yr"]
    u["margin_usd_per_yr"] = u["revenue_usd_per_yr"] - u["annual_cost_usd_per_yr"] - u["operating_cost_usd_per_yr"]
    credit = tech["capacity_credit_pu"].astype(float).to_dict()
    u["firm_mw"] = [float(firm_mw(credit, ((g, x),))) for g, x in zip(u["technology"], u["in_service_mw"])]
    u["potential_mwh"] = u["share"] * u["available_mwh"] * (u["technology"].map(tech["kind"]) != "storage")
    cols = ["partner", "zone", "technology", "period", "new_mw", "in_service_mw", "share", "capex_usd",
            "annuity_usd_per_yr",
            "fixed_om_usd_per_yr", "annual_cost_usd_per_yr", "generation_mwh", "revenue_usd_per_yr",
            "operating_cost_usd_per_yr", "margin_usd_per_yr", "firm_mw", "potential_mwh"]
    u = u[cols].sort_values(["partner", "zone", "technology", "period"]).reset_index(drop=True)
    return u


def report(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """All partner tables: ``partner_builds``, ``zone_deficits``, ``deficit_closed``, ``partner_headline``."""
    b = partner_builds(tables)
    zd = zone_deficits(tables)
    closed = closed_by_owner(tables, zd)
    return {"partner_builds": b, "zone_deficits": zd, "deficit_closed": closed,
            "partner_headline": headline(b, zd, closed)}


def headline(builds: pd.DataFrame, zd: pd.DataFrame, closed: pd.DataFrame) -> pd.DataFrame:
    """Per owner of new builds and period: MW built and in service, capex, firm MW, the system deficit
    before new builds and the share of it the owner closes (planner/analysis/deficit.py), annual cost, revenue,
    margin."""
    new = builds[builds["partner"] != EXISTING]
    h = new.groupby(["partner", "period"], as_index=False)[["new_mw", "in_service_mw", "capex_usd", "firm_mw",
                                                            "annual_cost_usd_per_yr", "revenue_usd_per_yr",
                                                            "margin_usd_per_yr"]].sum()
    h["zones"] = [", ".join(sorted(set(new.loc[(new.partner == k) & (new.period == p) & (new.in_service_mw > 1e-6),
                                               "zone"])))
                  for k, p in zip(h.partner, h.period)]
    h["technologies"] = [
        ", ".join(
            sorted(set(new.loc[(new.partner == k) & (new.period == p) & (new.in_service_mw > 1e-6), "technology"]))
        )
        for k, p in zip(h.partner, h.period)
    ]
    h["system_deficit_before_mw"] = h["period"].map(system_deficit(zd, "deficit_before_mw"))
    c = closed.rename(columns={"owner": "partner"})[["partner", "period", "closed_alone_mw", "closed_mw",
                                                     "share_closed_pu"]]
    h = h.merge(c, on=["partner", "period"],
                how="left").fillna({"closed_alone_mw": 0.0, "closed_mw": 0.0, "share_closed_pu": 0.0})
    return h.sort_values(["partner", "period"]).reset_index(drop=True)


def headline_lines(tables: dict[str, pd.DataFrame], rep: dict[str, pd.DataFrame] | None = None) -> list[str]:
    """Summary lines: the system deficit per period, then per partner MW, where, what, capex and the share closed.

    ``rep`` is ``report(tables)`` when the caller has it already."""
    rep = report(tables) if rep is None else rep
    b, h, zd = rep["partner_builds"], rep["partner_headline"], rep["zone_deficits"]
    before, after = system_deficit(zd, "deficit_before_mw"), system_deficit(zd, "deficit_after_mw")
    lines = ["deficit (MW, peak x (1 + margin) not covered by firm capacity and firm imports after the transfers "
             "corridors allow; planner/analysis/deficit.py):"]
    lines += [
        f"  {p}: {before[p]:,.0f} MW with the existing fleet, {after[p]:,.0f} MW after new builds" for p in before
    ]
    lines.append("\nwho builds what, where (new MW over the horizon; share of each period's deficit closed):")
    for k, grp in h.groupby("partner"):
        if grp["new_mw"].sum() <= 1e-3:
            continue
        bk = b[(b["partner"] == k) & (b["new_mw"] > 1e-3)]
        where = bk.groupby("zone")["new_mw"].sum().sort_values(ascending=False)
        what = bk.groupby("technology")["new_mw"].sum().sort_values(ascending=False)
        shares = ", ".join(
            f"{r.period} {r.share_closed_pu:.0%}" for r in grp.itertuples() if r.system_deficit_before_mw > 0
        )
        lines.append(f"  {k}: {grp['new_mw'].sum():,.0f} MW, capex {grp['capex_usd'].sum() / 1e9:,.2f} bn USD; "
                     f"{', '.join(f'{g} {v:,.0f}' for g, v in what.items())}; in "
                     f"{', '.join(f'{z} {v:,.0f}' for z, v in where.items())}"
                     + (f"; deficit closed {shares}" if shares else ""))
    return lines


def write(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write the report tables as CSV into ``folder`` (units are in the column names; shares are fractions)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in report(tables).items():
        path = folder / f"{name}.csv"
        write_csv(df, path)
        paths.append(path)
    return paths
