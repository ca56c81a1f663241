"""Report tables derived from a stored run; units in every column name.

Every table here is a pure function of the stored result tables, run.json and
the input snapshot (``results/<name>/inputs/``). Base units as in the run:
MW, MWh, t CO2, USD of the case's currency year; ``_pu`` is a fraction,
``_h`` hours of a year. Annual figures (``_usd_per_yr``, ``_mwh``) are per year
of the period; present values (``present_value_usd``) are discounted to the
base year as in the objective.

Tables that need an input the snapshot lacks (results written before
snapshots were stored) are left out and named in ``notes``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.analysis import metrics
from planner.analysis.deficit import has_inputs as has_deficit_inputs
from planner.core.adequacy import region_zones, required_mw
from planner.core.economics import (
    emission_factor_t_per_mwh,
    mwh,
    with_mwh,
)
from planner.core.names import EXISTING  # partner label of the existing fleet
from planner.core.numbers import clean
from planner.report.data import StoredRun

PCTS = (10, 25, 50, 75, 90)


# ---------------------------------------------------------------- helpers

def weights(run: StoredRun) -> pd.Series:
    """Hours of a year each timestep stands for (from prices.csv, which has every timestep)."""
    pr = run.tables["prices"]
    return pr.drop_duplicates("timestep").set_index("timestep")["weight"].astype(float)


def hours_per_year(run: StoredRun) -> float:
    return float(weights(run).sum())


def weighted_quantile(values: np.ndarray, w: np.ndarray, q: float) -> float:
    """Smallest value v with (weight of values <= v) >= q * total weight (a step-function quantile)."""
    order = np.argsort(values, kind="stable")
    v, cw = values[order], np.cumsum(w[order])
    return float(v[np.searchsorted(cw, q * cw[-1] - 1e-9 * cw[-1])])


def _tech(run: StoredRun) -> pd.DataFrame | None:
    return run.inputs["technologies"].set_index("technology") if run.has_inputs("technologies") else None


def _round(df: pd.DataFrame) -> pd.DataFrame:
    """Stable numbers: tiny solver noise to 0, so regenerated tables are identical and readable."""
    return clean(df).reset_index(drop=True)


# ---------------------------------------------------------------- capacity

def capacity(run: StoredRun) -> pd.DataFrame:
    """Zone x technology x partner x period: new_mw built in the period, retired_mw, total_mw in service.

    The existing fleet has partner ``(existing)``. New vintages are in service
    for the share of each period their lifetime covers, as the model counts
    them (results' ``vintages`` table); retired_mw = total of the previous
    period + new - total. Summed over partners, total_mw equals capacity.csv.
    """
    cap = run.tables["capacity"]
    rows = [(r.zone, r.technology, EXISTING, int(r.period), 0.0, float(r.retired_mw), float(r.existing_mw))
            for r in cap.itertuples()]
    nb = run.tables["new_capacity"]
    served = run.tables["vintages"].groupby(["zone", "technology", "partner",
                                             "period"])["in_service_mw"].sum().to_dict()
    for (z, g, k), grp in nb.groupby(["zone", "technology", "partner"], sort=False):
        built = dict(zip(grp["period"].astype(int), grp["new_mw"].astype(float)))
        prev = 0.0
        for p in run.periods:
            total = served.get((z, g, k, p), 0.0)
            new = built.get(p, 0.0)
            rows.append((z, g, k, p, new, max(prev + new - total, 0.0), total))
            prev = total
    df = pd.DataFrame(rows, columns=["zone", "technology", "partner", "period", "new_mw", "retired_mw", "total_mw"])
    df = df[(df[["new_mw", "retired_mw", "total_mw"]].abs() > 1e-6).any(axis=1)]
    return _round(df.sort_values(["zone", "technology", "partner", "period"]))


def capacity_by_technology(run: StoredRun) -> pd.DataFrame:
    """System capacity per technology and period (MW), for the stacked chart."""
    cap = run.tables["capacity"]
    df = cap.groupby(["technology", "period"],
                     as_index=False)[["existing_mw", "new_mw", "retired_mw", "total_mw"]].sum()
    return _round(df)


# ---------------------------------------------------------------- energy

def generation(run: StoredRun) -> pd.DataFrame:
    """Generation mix and capacity factors by zone, technology and period."""
    gen = run.tables["generation"].merge(run.tables["capacity"][["zone", "technology", "period", "total_mw"]],
                                         on=["zone", "technology", "period"], how="left")
    zone_total = gen.groupby(["zone", "period"])["generation_mwh"].transform("sum")
    out = gen[["zone", "technology", "period", "total_mw", "generation_mwh"]].copy()
    out["share_of_zone_pu"] = (gen["generation_mwh"] / zone_total).where(zone_total > 0, 0.0)
    out["capacity_factor_pu"] = gen["capacity_factor"]
    return _round(out)


def generation_mix(run: StoredRun) -> pd.DataFrame:
    """System generation by technology and period, share of the total and capacity factor."""
    g = run.tables["generation"].merge(run.tables["capacity"][["zone", "technology", "period", "total_mw"]],
                                       on=["zone", "technology", "period"], how="left")
    df = g.groupby(["technology", "period"], as_index=False)[["total_mw", "generation_mwh"]].sum()
    tot = df.groupby("period")["generation_mwh"].transform("sum")
    df["share_pu"] = (df["generation_mwh"] / tot).where(tot > 0, 0.0)
    h = hours_per_year(run)
    df["capacity_factor_pu"] = (df["generation_mwh"] / (df["total_mw"] * h)).where(df["total_mw"] > 0, 0.0)
    return _round(df)


def curtailment(run: StoredRun) -> pd.DataFrame:
    """Energy variable renewables could have produced but did not, by zone, technology and period."""
    g = run.tables["generation"]
    t = _tech(run)
    if t is not None:
        g = g[g["technology"].map(t["kind"]).eq("variable")]
    else:
        g = g[g["curtailment_mwh"] > 0]
    out = g[["zone", "technology", "period", "available_mwh", "generation_mwh", "curtailment_mwh"]].copy()
    out["curtailment_pu"] = (out["curtailment_mwh"] / out["available_mwh"]).where(out["available_mwh"] > 0, 0.0)
    return _round(out)


def unserved(run: StoredRun) -> pd.DataFrame:
    """Demand not served by zone and period: energy, share, deepest hour, hours affected."""
    pr = run.tables["prices"].copy()
    pr = with_mwh(pr, ("demand_mw", "unserved_mw"))
    pr["unserved_h"] = pr["weight"].where(pr["unserved_mw"] > 1e-6, 0.0)
    df = pr.groupby(["zone", "period"], as_index=False).agg(
        demand_mwh=("demand_mwh", "sum"), unserved_mwh=("unserved_mwh", "sum"),
        peak_unserved_mw=("unserved_mw", "max"), unserved_h=("unserved_h", "sum"))
    df["unserved_pu"] = (df["unserved_mwh"] / df["demand_mwh"]).where(df["demand_mwh"] > 0, 0.0)
    return _round(df)


def corridor_use(run: StoredRun) -> pd.DataFrame:
    """Flows per corridor and period: energy each way, losses, utilisation, hours at the limit."""
    fl = run.tables["flows"].join(weights(run).rename("weight"), on="timestep")
    cor = run.tables["corridors"][["corridor", "from_zone", "to_zone", "period", "capacity_mw", "new_mw"]]
    fl = fl.merge(cor[["corridor", "period", "capacity_mw"]], on=["corridor", "period"], how="left")
    fl["forward_mwh"] = mwh(fl["flow_mw"].clip(lower=0), fl["weight"])
    fl["backward_mwh"] = mwh((-fl["flow_mw"]).clip(lower=0), fl["weight"])
    fl["losses_mwh"] = mwh(fl["loss_mw"], fl["weight"])
    fl["congested_h"] = fl["weight"].where(
        (fl["capacity_mw"] > 0) & (fl["flow_mw"].abs() >= fl["capacity_mw"] * (1 - 1e-4)), 0.0
    )
    agg = fl.groupby(["corridor", "period"],
                     as_index=False)[["forward_mwh", "backward_mwh", "losses_mwh", "congested_h"]].sum()
    df = cor.merge(agg, on=["corridor", "period"], how="left").fillna(
        {"forward_mwh": 0.0, "backward_mwh": 0.0, "losses_mwh": 0.0, "congested_h": 0.0}
    )
    df = df.rename(columns={"new_mw": "new_built_mw"})
    sent = df["forward_mwh"] + df["backward_mwh"]
    df["utilisation_pu"] = (sent / (df["capacity_mw"] * hours_per_year(run))).where(df["capacity_mw"] > 0, 0.0)
    return _round(df)


def trade(run: StoredRun) -> pd.DataFrame:
    """Imports and exports per interconnector and period (MWh/yr), with the trade prices where the snapshot has
    them and the net trade cost (USD/yr) the model's imports and exports terms come to."""
    tr = run.tables["trade"].join(weights(run).rename("weight"), on="timestep")
    tr = with_mwh(tr, ("import_mw", "export_mw"))
    df = tr.groupby(["interconnector", "period"], as_index=False).agg(
        import_mwh=("import_mwh", "sum"), export_mwh=("export_mwh", "sum"),
        peak_import_mw=("import_mw", "max"), peak_export_mw=("export_mw", "max"))
    df["net_import_mwh"] = df["import_mwh"] - df["export_mwh"]
    if run.has_inputs("interconnectors"):
        ic = run.inputs["interconnectors"].set_index("interconnector")
        df.insert(1, "zone", df["interconnector"].map(ic["zone"]))
        df.insert(2, "market", df["interconnector"].map(ic["market"]))
    if run.has_inputs("trade_prices") and len(df):
        tp = run.inputs["trade_prices"][["interconnector", "period", "import_price_usd_per_mwh",
                                         "export_price_usd_per_mwh"]]
        df = df.merge(tp, on=["interconnector", "period"], how="left")
        ct = run.tables.get("cost_terms")
        if ct is not None:  # the model's imports and exports terms of the interconnector (cost_terms.csv)
            net = ct[ct["category"].isin(("imports", "exports"))].groupby(["link", "period"])["annual_usd"].sum()
            df["net_cost_usd_per_yr"] = [float(net.get((i, p), 0.0)) for i, p in zip(df.interconnector, df.period)]
    return _round(df)


# ---------------------------------------------------------------- emissions and costs

def _emission_factor(run: StoredRun) -> dict[str, float] | None:
    """t CO2 per MWh generated per technology = heat rate x fuel emission factor."""
    t = _tech(run)
    if t is None or not run.has_inputs("fuels"):
        return None
    return emission_factor_t_per_mwh(t, run.inputs["fuels"].set_index("fuel"))


def emissions(run: StoredRun) -> pd.DataFrame:
    """Annual emissions per period (t CO2/yr) and the average intensity of generation (t/MWh)."""
    em = run.tables["emissions"].copy()
    gen = run.tables["generation"].groupby("period")["generation_mwh"].sum()
    em["generation_mwh"] = em["period"].map(gen)
    em["intensity_t_per_mwh"] = (em["emissions_t"] / em["generation_mwh"]).where(em["generation_mwh"] > 0, 0.0)
    return _round(em)


def emissions_by_technology(run: StoredRun) -> pd.DataFrame | None:
    """Annual emissions per zone, technology and period as the model counted them (results' emission_terms.csv,
    t CO2/yr), beside generation and the technology's emission factor (t/MWh)."""
    ef, terms = _emission_factor(run), run.tables.get("emission_terms")
    if ef is None or terms is None:
        return None
    g = run.tables["generation"][["zone", "technology", "period", "generation_mwh"]].copy()
    g["emission_factor_t_per_mwh"] = g["technology"].map(ef).fillna(0.0)
    by = terms.set_index(["zone", "technology", "period"])["emissions_t"].to_dict()
    g["emissions_t"] = [float(by.get(k, 0.0)) for k in zip(g.zone, g.technology, g.period)]
    return _round(g[g["emission_factor_t_per_mwh"] > 0])


def costs(run: StoredRun) -> pd.DataFrame:
    """Cost breakdown per period and category, with a ``total`` row per period.

    Categories are the model's: investment (annuities), fixed_om, variable_om,
    fuel, co2, imports, exports (revenue, negative), transmission, unserved.
    Trade = imports + exports.
    """
    c = run.tables["costs"][["period", "category", "annual_usd", "present_value_usd"]].copy()
    c = c.rename(columns={"annual_usd": "annual_usd_per_yr"})
    tot = c.groupby("period", as_index=False)[["annual_usd_per_yr", "present_value_usd"]].sum().assign(category="total")
    return _round(pd.concat([c, tot[c.columns]]).sort_values(["period"], kind="stable"))


ATTRIBUTED = ("investment", "fixed_om", "variable_om", "fuel", "co2")  # the cost categories lcoe charges a plant


def lcoe(run: StoredRun) -> pd.DataFrame | None:
    """Levelised cost by zone, technology and period = attributable annual costs / annual generation.

    Attributable (USD/yr): the model's own terms of each zone and technology (cost_terms.csv): annuities of new
    vintages in service, fixed O&M on all capacity in service, variable O&M, fuel and CO2 price on generation.
    The existing fleet carries no investment (sunk); storage charging energy and transmission are not
    attributed. Summed over zones and technologies these equal the cost categories of costs.csv.
    """
    ct = run.tables.get("cost_terms")
    if ct is None:
        return None
    ct = ct[ct["category"].isin(ATTRIBUTED) & (ct["technology"] != "")]
    by = ct.groupby(["category", "zone", "technology", "period"])["annual_usd"].sum().to_dict()
    g = run.tables["generation"].merge(run.tables["capacity"][["zone", "technology", "period", "total_mw"]],
                                       on=["zone", "technology", "period"], how="left")
    df = g[["zone", "technology", "period", "total_mw", "generation_mwh"]].copy()
    keys = list(zip(df.zone, df.technology, df.period))
    for c in ATTRIBUTED:
        df[f"{c}_usd_per_yr"] = [by.get((c, *k), 0.0) for k in keys]
    cost_cols = [c for c in df.columns if c.endswith("_usd_per_yr")]
    df["total_usd_per_yr"] = df[cost_cols].sum(axis=1)
    df["lcoe_usd_per_mwh"] = (df["total_usd_per_yr"] / df["generation_mwh"]).where(df["generation_mwh"] > 0)
    df = df[(df["total_mw"] > 0) | (df["generation_mwh"] > 0)]
    return _round(df)


# ---------------------------------------------------------------- prices

def price_statistics(run: StoredRun) -> pd.DataFrame:
    """Zonal price per period: time-weighted mean, demand-weighted mean, min, percentiles, max (USD/MWh).

    Timesteps are weighted by the hours of a year they stand for; percentiles
    are of those hours (p90: 90 % of the year's hours are at or below it).
    """
    rows = []
    for (z, p), grp in run.tables["prices"].groupby(["zone", "period"]):
        v, w = grp["price_usd_per_mwh"].to_numpy(float), grp["weight"].to_numpy(float)
        dw = w * grp["demand_mw"].to_numpy(float)
        row = {"zone": z, "period": p, "mean_usd_per_mwh": float(np.average(v, weights=w)),
               "demand_weighted_mean_usd_per_mwh": float(np.average(v, weights=dw)) if dw.sum() > 0 else float("nan"),
               "min_usd_per_mwh": float(v.min())}
        for q in PCTS:
            row[f"p{q}_usd_per_mwh"] = weighted_quantile(v, w, q / 100)
        row["max_usd_per_mwh"] = float(v.max())
        rows.append(row)
    return _round(pd.DataFrame(rows))


def market_value(run: StoredRun) -> pd.DataFrame:
    """Generation-weighted price each technology earns per zone and period, and its value factor.

    market_value = sum_t w_t gen_t price_t / sum_t w_t gen_t;
    value_factor = market_value / time-weighted mean price of the zone.
    """
    d = run.tables["dispatch"].merge(run.tables["prices"][["zone", "period", "timestep", "weight",
                                                           "price_usd_per_mwh"]],
                                     on=["zone", "period", "timestep"], how="left")
    d = with_mwh(d, ("generation_mw",))
    d["revenue_usd"] = d["generation_mwh"] * d["price_usd_per_mwh"]
    df = d.groupby(["zone", "technology", "period"], as_index=False)[["generation_mwh", "revenue_usd"]].sum()
    df = df[df["generation_mwh"] > 1e-6].copy()
    df["market_value_usd_per_mwh"] = df["revenue_usd"] / df["generation_mwh"]
    mean = price_statistics(run).set_index(["zone", "period"])["mean_usd_per_mwh"]
    m = pd.Series([mean.get(k, np.nan) for k in zip(df.zone, df.period)], index=df.index)
    df["value_factor_pu"] = (df["market_value_usd_per_mwh"] / m).where(m.abs() > 1e-9)
    return _round(df.rename(columns={"revenue_usd": "revenue_usd_per_yr"}))


# ---------------------------------------------------------------- adequacy

def _peaks(run: StoredRun, zones: set[str]) -> dict[int, float]:
    pr = run.tables["prices"]
    pr = pr[pr["zone"].isin(zones)]
    return pr.groupby(["period", "timestep"])["demand_mw"].sum().groupby("period").max().to_dict()


def reserve_margin(run: StoredRun) -> pd.DataFrame | None:
    """Position against each planning reserve margin, as the model's reserve constraint counts it.

    firm = sum credit_g cap[z,g,p] + credit_i import_mw_i + credit_l line_cap[l,p] (corridors into
    the region from outside), the model's own sums (firm_capacity.csv); required = (1 + margin) x coincident
    peak of the region's zones. surplus_mw = firm - required (0 when binding); the shadow price is the capacity
    price (USD/MW-yr).
    """
    fc = run.tables.get("firm_capacity")
    if fc is None or not run.has_inputs("reserve_margins", "zones"):
        return None
    rm = run.inputs["reserve_margins"]
    rm = rm[rm["period"].astype(int).isin(run.periods)]
    zone_region = run.inputs["zones"].set_index("zone")["region"].to_dict()
    firm_of = fc.set_index(["region", "period"])
    sp = run.tables["shadow_prices"]
    sp = sp[sp["constraint"] == "reserve_margin"].set_index("index")["shadow_price"]
    rows = []
    for r in rm.itertuples():
        region, p = str(r.region), int(r.period)
        peak = _peaks(run, region_zones(zone_region, region)).get(p, 0.0)
        required = required_mw(peak, float(r.margin_pu))
        f = firm_of.loc[(region, p)]
        firm = float(f["firm_total_mw"])
        price = float(sp.get(f"{region}/{p}", 0.0))
        rows.append((region, p, peak, float(r.margin_pu), required, float(f["firm_generation_mw"]),
                     float(f["firm_imports_mw"]), float(f["firm_corridors_mw"]), firm, firm - required,
                     price, bool(price > 1e-6 or abs(firm - required) <= 1e-6 * max(required, 1.0))))
    return _round(pd.DataFrame(rows, columns=[
        "region", "period", "peak_demand_mw", "margin_pu", "required_firm_mw", "firm_generation_mw", "firm_imports_mw",
        "firm_corridors_mw", "firm_total_mw", "surplus_mw", "shadow_price_usd_per_mw_yr", "binding"]))


def deficit(run: StoredRun) -> pd.DataFrame | None:
    """Capacity deficit per zone and period before and after new builds (MW), as planner/analysis/deficit.py defines it.

    required = demand at the system peak hour x (1 + reserve margin); firm = capacity credits x capacity in the
    zone + credited imports; the deficit is what is left short once the corridors have moved what their firm
    transfer limits allow. Zones add up to their region and to the system (table deficit_system).
    """
    from planner.analysis.deficit import has_inputs, zone_deficits

    return _round(zone_deficits(run.tables)) if has_inputs(run.tables) else None


def deficit_system(run: StoredRun) -> pd.DataFrame | None:
    """The system (*) and each region per period: sums of their zones' deficits before and after new builds (MW)."""
    from planner.analysis.deficit import has_inputs, system_deficits, zone_deficits

    return _round(system_deficits(zone_deficits(run.tables))) if has_inputs(run.tables) else None


# ---------------------------------------------------------------- partners


def partner_report(run: StoredRun) -> dict[str, pd.DataFrame] | None:
    """planner.analysis.partners.report of the run, computed once per report."""
    from planner.analysis.partners import NEEDED, report

    if any(n not in run.tables for n in NEEDED):
        return None
    if not hasattr(run, "_partner_report"):
        run._partner_report = report(run.tables)
    return run._partner_report


def partners(run: StoredRun) -> pd.DataFrame | None:
    """Per partner over the horizon: name, country, new MW, overnight capex (USD), technologies and zones built,
    and per period the share of the system deficit its builds close (planner/analysis/deficit.py); sums of
    partners_by_period."""
    rep = partner_report(run)
    if rep is None:
        return None
    h = rep["partner_headline"]
    info = run.inputs["partners"].set_index("partner") if "partners" in run.inputs else None
    b = rep["partner_builds"]
    b = b[(b["partner"] != EXISTING) & (b["new_mw"] > 1e-6)]
    rows = []
    for k, grp in h.groupby("partner"):
        bk = b[b["partner"] == k]
        row = {
            "partner": k,
            "name": str(info.at[k, "name"]) if info is not None and k in info.index else "",
            "country": str(info.at[k, "country"])
            if info is not None and k in info.index and "country" in info.columns
            else "",
            "new_mw": float(grp["new_mw"].sum()),
            "capex_usd": float(grp["capex_usd"].sum()),
            "technologies": ", ".join(bk.groupby("technology")["new_mw"].sum().sort_values(ascending=False).index),
            "zones": ", ".join(bk.groupby("zone")["new_mw"].sum().sort_values(ascending=False).index),
        }
        for r in grp.itertuples():
            row[f"share_closed_{r.period}_pu"] = float(r.share_closed_pu)
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out):
        out = out.sort_values("new_mw", ascending=False)
    return _round(out)


def partners_by_period(run: StoredRun) -> pd.DataFrame | None:
    """Per partner and period: new MW, MW in service, overnight capex (USD), zones and technologies built, firm MW,
    the system deficit before new builds and the MW and share of it the partner closes (planner/analysis/deficit.py),
    annual cost, revenue at zonal prices and margin (USD/yr; planner/analysis/partners.py)."""
    rep = partner_report(run)
    return None if rep is None else _round(rep["partner_headline"].copy())


def partner_capacity(run: StoredRun) -> pd.DataFrame | None:
    """New MW built per partner, zone, technology and period, with overnight capex (USD); partner '(unattributed)'
    for options without one."""
    rep = partner_report(run)
    if rep is None:
        return None
    b = rep["partner_builds"]
    b = b[(b["partner"] != EXISTING) & (b["new_mw"] > 1e-6)]
    return _round(b[["partner", "zone", "technology", "period", "new_mw", "capex_usd"]].copy())


def deficit_closed(run: StoredRun) -> pd.DataFrame | None:
    """Per owner of new builds (partners, '(unattributed)', '(new corridors)') and period: firm MW added, what its
    builds would close alone, and its part of the deficit closed by all new builds (MW and share of the system
    deficit before new builds), as planner/analysis/deficit.py defines it."""
    rep = partner_report(run)
    return None if rep is None else _round(rep["deficit_closed"].copy())


def assumptions(run: StoredRun) -> pd.DataFrame | None:
    """Key assumptions: WACC by partner, discount rate, capex of the technologies built, fuel and CO2 prices, demand
    growth by region; each with its label (sourced, derived, assumption) and source text from the case's SOURCES.md."""
    from planner.report.assumptions import key_assumptions

    return key_assumptions(run)


# ---------------------------------------------------------------- headline

HEADLINE = (  # name in the headline table -> metric of planner/analysis/metrics.py, per period
    ("new_capacity", "new_capacity"), ("total_capacity", "total_capacity"), ("annual_cost", "system_cost_annual"),
    ("emissions", "emissions"), ("demand", "demand"), ("unserved", "unserved_energy"), ("imports", "imports"),
    ("exports", "exports"), ("curtailment", "curtailment"), ("demand_weighted_price", "demand_weighted_price"),
)
DEFICITS = (("deficit_existing_fleet", "deficit_existing_fleet"),
            ("deficit_after_new_builds", "deficit_after_new_builds"))


def headline(run: StoredRun) -> pd.DataFrame:
    """The figures people quote, one row each: metric, period (or ``all``), unit, value
    (planner/analysis/metrics.py)."""
    t = run.tables
    rows: list[tuple[str, str, str, float]] = [("objective", "all", "USD", float(run.meta["objective_usd"]))]
    for cat, v in t["costs"].groupby("category")["present_value_usd"].sum().items():
        rows.append((f"cost_pv_{cat}", "all", "USD", float(v)))
    rows.append(("new_capacity", "all", "MW", metrics.value(t, "new_capacity")))
    rows.append(("new_corridor_capacity", "all", "MW", metrics.value(t, "new_corridor_capacity")))
    names = HEADLINE + (DEFICITS if has_deficit_inputs(t) else ())
    per = {name: metrics.series(t, metric, run.periods) for name, metric in names}
    for p in run.periods:
        rows += [(name, str(p), metrics.METRICS[metric].unit, float(per[name][p])) for name, metric in names]
    return _round(pd.DataFrame(rows, columns=["metric", "period", "unit", "value"]))


# ---------------------------------------------------------------- all

BUILDERS = {  # the order of the workbook's sheets: the answer first
    "headline": headline,
    "partners": partners,
    "partners_by_period": partners_by_period,
    "partner_capacity": partner_capacity,
    "deficit_system": deficit_system,
    "deficit": deficit,
    "deficit_closed": deficit_closed,
    "assumptions": assumptions,
    "capacity": capacity,
    "capacity_by_technology": capacity_by_technology,
    "generation": generation,
    "generation_mix": generation_mix,
    "curtailment": curtailment,
    "unserved": unserved,
    "corridor_use": corridor_use,
    "trade": trade,
    "emissions": emissions,
    "emissions_by_technology": emissions_by_technology,
    "costs": costs,
    "lcoe": lcoe,
    "price_statistics": price_statistics,
    "market_value": market_value,
    "reserve_margin": reserve_margin,
}


# the stored result tables each builder needs beyond those every run has (report/data.py REQUIRED); results written
# before a table existed (cost_terms.csv, firm_capacity.csv, emission_terms.csv) lack it
PARTNER_TABLES = ("partners", "partners_by_period", "partner_capacity", "deficit_closed")
NEEDS = {"lcoe": ("cost_terms",), "reserve_margin": ("firm_capacity",), "emissions_by_technology": ("emission_terms",),
         "deficit": None, "deficit_system": None, **{name: "partners" for name in PARTNER_TABLES}}


def needs(name: str) -> tuple[str, ...]:
    """The stored result tables report table ``name`` is made from, beyond those of every run."""
    from planner.analysis.deficit import NEEDED as DEFICIT
    from planner.analysis.partners import NEEDED as PARTNERS

    n = NEEDS.get(name, ())
    return DEFICIT if n is None else PARTNERS if n == "partners" else n


def left_out(run: StoredRun, name: str) -> str:
    """Why report table ``name`` could not be made from ``run``: the result tables it lacks, named, or the input
    snapshot."""
    missing = [f"{t}.csv" for t in needs(name) if t not in run.tables]
    if missing:
        return (f"{name}: left out: these results have no {', '.join(missing)} (written by a planner older than "
                "that table); re-run `planner run` to store it")
    return (f"{name}: left out: the input snapshot (inputs/) of these results lacks a table it needs (written by a "
            "planner older than the snapshot); re-run `planner run` to store it")


def report_tables(run: StoredRun) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every report table, in a fixed order, and notes on those that could not be made."""
    out, notes = {}, []
    for name, f in BUILDERS.items():
        df = f(run)
        if df is None:
            notes.append(left_out(run, name))
            continue
        out[name] = df
    return out, notes
