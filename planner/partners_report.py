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

Costs. annual cost = annuities of the vintages in service (at the partner's
WACC, as in the objective) + fixed O&M of the capacity in service; it sums to
the ``investment`` + ``fixed_om`` rows of the costs table. capex is the
overnight cost of the MW built in the period. margin = revenue - annual cost -
operating cost (the brief's "revenue - annual cost" less the fleet's fuel, VOM
and CO2, without which every thermal plant would look profitable).

Deficits, per zone z and period p, measured against the existing fleet alone
(what the country would be short of if nothing were built):

    capacity_deficit[z,p] = max(0, peak[z,p] * (1 + margin[z,p]) - sum_g credit_g * existing_mw[z,g,p])   (MW)
    energy_deficit[z,p]   = max(0, demand[z,p] - sum_{g not storage} potential_existing[z,g,p])         (MWh/yr)

peak is the zone's own highest hourly demand; margin is the reserve margin of
the zone's region, else the system-wide (*) margin, else 0; potential_existing
is the available energy of the zone x technology (sum_t w_t avail cap) times the
existing share of its capacity. Hydro budgets and transfers between zones are
not netted, so a zone's deficit is local. A partner closes the deficit with the
firm capacity (credit_g * in_service) and the generation (non-storage) of its
new builds in the zone; when all new builds together add more than the
deficit, each is scaled down pro rata:

    closed[z,k,p] = added[z,k,p] * min(1, deficit[z,p] / sum_k' added[z,k',p])
    share_closed[z,k,p] = closed / deficit      (0 where there is no deficit)

so the closed amounts of all owners sum to min(deficit, all new additions).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, Problem

EXISTING = "(existing)"
UNATTRIBUTED = "(unattributed)"
NEEDED = ("capacity", "new_capacity", "vintages", "generation", "dispatch", "prices", "technologies", "reserve_margin_by_zone")



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
    vin["partner"] = vin["partner"].fillna("").astype(str).replace("", UNATTRIBUTED)
    nc = tables["new_capacity"].copy()
    nc["partner"] = nc["partner"].fillna("").astype(str).replace("", UNATTRIBUTED)
    served = vin.groupby(keys, as_index=False)[["in_service_mw", "annuity_usd_per_yr"]].sum()
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
    disp["revenue_usd_per_yr"] = disp["weight"] * disp["price_usd_per_mwh"] * (disp["generation_mw"] - disp["charge_mw"])
    rev = disp.groupby(["zone", "technology", "period"], as_index=False)["revenue_usd_per_yr"].sum()
    gen = tables["generation"][["zone", "technology", "period", "generation_mwh", "available_mwh", "operating_cost_usd"]]
    return gen.merge(rev, on=["zone", "technology", "period"], how="left").fillna({"revenue_usd_per_yr": 0.0})


def partner_builds(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The report's main table: zone x technology x owner x period, every column with its unit in its name."""
    u = in_service(tables)
    tech = tables["technologies"].set_index("technology")
    keys = ["zone", "technology", "period"]
    total = u.groupby(keys)["in_service_mw"].transform("sum")
    u["share"] = (u["in_service_mw"] / total).where(total > 0, 0.0)
    f = _fleet_values(tables)
    u = u.merge(f, on=keys, how="left").fillna({"generation_mwh": 0.0, "revenue_usd_per_yr": 0.0,
                                                 "operating_cost_usd": 0.0, "available_mwh": 0.0})
    orphan = u.groupby(keys).agg(s=("share", "sum"), g=("generation_mwh", "first"))
    orphan = orphan[(orphan["s"] == 0) & (orphan["g"].abs() > 1e-6)]
    if len(orphan):
        raise InputError([Problem("results/generation.csv", f"generation with no capacity in service: {list(orphan.index)[:5]}")])
    u["generation_mwh"] = u["share"] * u["generation_mwh"]
    u["revenue_usd_per_yr"] = u["share"] * u["revenue_usd_per_yr"]
    u["operating_cost_usd_per_yr"] = u["share"] * u["operating_cost_usd"]
    u["fixed_om_usd_per_yr"] = u["technology"].map(tech["fom_usd_per_kw_yr"]) * 1000.0 * u["in_service_mw"]
    u["annual_cost_usd_per_yr"] = u["annuity_usd_per_yr"] + u["fixed_om_usd_per_yr"]
    u["margin_usd_per_yr"] = u["revenue_usd_per_yr"] - u["annual_cost_usd_per_yr"] - u["operating_cost_usd_per_yr"]
    u["firm_mw"] = u["technology"].map(tech["capacity_credit_pu"]) * u["in_service_mw"]
    u["potential_mwh"] = u["share"] * u["available_mwh"] * (u["technology"].map(tech["kind"]) != "storage")
    cols = ["partner", "zone", "technology", "period", "new_mw", "in_service_mw", "share", "capex_usd", "annuity_usd_per_yr",
            "fixed_om_usd_per_yr", "annual_cost_usd_per_yr", "generation_mwh", "revenue_usd_per_yr",
            "operating_cost_usd_per_yr", "margin_usd_per_yr", "firm_mw", "potential_mwh"]
    u = u[cols].sort_values(["partner", "zone", "technology", "period"]).reset_index(drop=True)
    return u


def zone_deficits(tables: dict[str, pd.DataFrame], builds: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(deficit per zone x period, deficit closed per owner x zone x period); definitions in the module docstring."""
    b = partner_builds(tables) if builds is None else builds
    tech = tables["technologies"].set_index("technology")
    pr = tables["prices"].assign(demand_mwh=lambda x: x["demand_mw"] * x["weight"])
    zp = pr.groupby(["zone", "period"]).agg(peak_mw=("demand_mw", "max"), demand_mwh=("demand_mwh", "sum")).reset_index()
    zp = zp.merge(tables["reserve_margin_by_zone"][["zone", "period", "margin_pu"]], on=["zone", "period"], how="left")
    zp["margin_pu"] = zp["margin_pu"].fillna(0.0)
    ex = b[b["partner"] == EXISTING].groupby(["zone", "period"])[["firm_mw", "potential_mwh"]].sum()
    ex.columns = ["firm_existing_mw", "existing_potential_mwh"]
    zp = zp.merge(ex.reset_index(), on=["zone", "period"], how="left").fillna({"firm_existing_mw": 0.0, "existing_potential_mwh": 0.0})
    zp["capacity_deficit_mw"] = (zp["peak_mw"] * (1 + zp["margin_pu"]) - zp["firm_existing_mw"]).clip(lower=0.0)
    zp["energy_deficit_mwh"] = (zp["demand_mwh"] - zp["existing_potential_mwh"]).clip(lower=0.0)

    new = b[b["partner"] != EXISTING].assign(
        energy_added_mwh=lambda x: x["generation_mwh"] * (x["technology"].map(tech["kind"]) != "storage"))
    k = new.groupby(["partner", "zone", "period"], as_index=False).agg(
        new_mw=("new_mw", "sum"), in_service_mw=("in_service_mw", "sum"), capex_usd=("capex_usd", "sum"),
        firm_added_mw=("firm_mw", "sum"), energy_added_mwh=("energy_added_mwh", "sum"))
    k = k.merge(zp[["zone", "period", "capacity_deficit_mw", "energy_deficit_mwh"]], on=["zone", "period"], how="left")
    for added, deficit, closed, share in (("firm_added_mw", "capacity_deficit_mw", "capacity_deficit_closed_mw", "capacity_deficit_share"),
                                          ("energy_added_mwh", "energy_deficit_mwh", "energy_deficit_closed_mwh", "energy_deficit_share")):
        tot = k.groupby(["zone", "period"])[added].transform("sum")
        scale = np.where(tot > k[deficit], k[deficit] / tot.where(tot > 0, 1.0), 1.0)
        k[closed] = k[added] * scale
        k[share] = (k[closed] / k[deficit]).where(k[deficit] > 0, 0.0)
    closed = k.groupby(["zone", "period"])[["firm_added_mw", "capacity_deficit_closed_mw",
                                            "energy_added_mwh", "energy_deficit_closed_mwh"]].sum().reset_index()
    zp = zp.merge(closed, on=["zone", "period"], how="left").fillna(0.0)
    zp["residual_capacity_deficit_mw"] = zp["capacity_deficit_mw"] - zp["capacity_deficit_closed_mw"]
    zp["residual_energy_deficit_mwh"] = zp["energy_deficit_mwh"] - zp["energy_deficit_closed_mwh"]
    k = k.drop(columns=["capacity_deficit_mw", "energy_deficit_mwh"])
    return zp.sort_values(["zone", "period"]).reset_index(drop=True), k.sort_values(["partner", "zone", "period"]).reset_index(drop=True)


def report(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """All report tables: ``partner_builds``, ``zone_deficits``, ``partner_deficits``, ``partner_headline``."""
    b = partner_builds(tables)
    zd, kd = zone_deficits(tables, b)
    return {"partner_builds": b, "zone_deficits": zd, "partner_deficits": kd, "partner_headline": headline(b, zd, kd)}


def headline(builds: pd.DataFrame, zd: pd.DataFrame, kd: pd.DataFrame) -> pd.DataFrame:
    """Per owner of new builds and period: MW built, capex, and the share of the system's deficits it closes.

    The system deficit of a period is the sum of the zones' deficits; an owner's
    share is the sum of what it closes in each zone over that sum.
    """
    sys_ = zd.groupby("period")[["capacity_deficit_mw", "energy_deficit_mwh"]].sum()
    h = kd.groupby(["partner", "period"], as_index=False)[["new_mw", "in_service_mw", "capex_usd",
                                                           "capacity_deficit_closed_mw", "energy_deficit_closed_mwh"]].sum()
    h = h.join(sys_, on="period")
    h["capacity_deficit_share"] = (h["capacity_deficit_closed_mw"] / h["capacity_deficit_mw"]).where(h["capacity_deficit_mw"] > 0, 0.0)
    h["energy_deficit_share"] = (h["energy_deficit_closed_mwh"] / h["energy_deficit_mwh"]).where(h["energy_deficit_mwh"] > 0, 0.0)
    money = builds[builds["partner"] != EXISTING].groupby(["partner", "period"])[
        ["annual_cost_usd_per_yr", "revenue_usd_per_yr", "margin_usd_per_yr"]].sum()
    return h.join(money, on=["partner", "period"]).drop(columns=["capacity_deficit_mw", "energy_deficit_mwh"])


def headline_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """A few lines for the run summary: per partner, MW and capex, where, and the deficit share it closes."""
    rep = report(tables)
    b, h, zd = rep["partner_builds"], rep["partner_headline"], rep["zone_deficits"]
    sys_ = zd.groupby("period")[["capacity_deficit_mw", "energy_deficit_mwh"]].sum()
    lines = ["  deficit against the existing fleet (sum of zones): " + ", ".join(
        f"{p} {r.capacity_deficit_mw:,.0f} MW / {r.energy_deficit_mwh / 1e6:,.2f} TWh" for p, r in sys_.iterrows())]
    for k, grp in h.groupby("partner"):
        if grp["new_mw"].sum() <= 1e-3:
            continue
        bk = b[(b["partner"] == k) & (b["new_mw"] > 1e-3)]
        where = bk.groupby("zone")["new_mw"].sum().sort_values(ascending=False)
        shares = "; ".join(f"{r.period} {r.capacity_deficit_share:.0%} of MW, {r.energy_deficit_share:.0%} of TWh"
                           for r in grp.itertuples())
        lines.append(f"  {k}: {grp['new_mw'].sum():,.0f} MW ({', '.join(f'{z} {v:,.0f}' for z, v in where.items())}), "
                     f"capex {grp['capex_usd'].sum() / 1e9:,.2f} bn USD; deficit closed {shares}")
    return lines


def write(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write the report tables as CSV into ``folder`` (units are in the column names; shares are fractions)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in report(tables).items():
        path = folder / f"{name}.csv"
        df.to_csv(path, index=False, float_format="%.9g")
        paths.append(path)
    return paths
