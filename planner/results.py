"""Stage 4: tidy result tables from a solved model, units in every column name.

Prices and shadow prices are duals divided by the discount weight of the
period (and by the timestep weight for hourly rows), so they read as
undiscounted USD per unit in the period's own years.

``technologies`` (lifetime, fixed O&M, capacity credit), ``reserve_margin_by_zone``
and the ``operating_cost_usd`` column of ``generation`` are stored so that the
partner report (planner/analysis/partners.py) can be regenerated from results alone.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from planner.core.adequacy import corridor_existing_mw, margin_pu, margin_source, margins_by_region
from planner.core.economics import mwh, with_mwh
from planner.core.numbers import clean
from planner.model import build
from planner.model.capacity import Vintages
from planner.model.capacity import vintages as capacity_vintages
from planner.model.data import ModelData, overnight_usd
from planner.model.registry import registry
from planner.solve import Solution


def _frame(var, names: list[str], value: str) -> pd.DataFrame:
    rows = [(*k, v.value or 0.0) for k, v in var.items()]
    return pd.DataFrame(rows, columns=[*names, value])


def zone_margins(d: ModelData) -> pd.DataFrame:
    """Reserve margin that applies to each zone and period: its region's, else the system's (*), else 0."""
    rows = margins_by_region(d.reserve)
    out = []
    for z in d.ZONES:
        region = d.zones.at[z, "region"]
        for p in d.PERIODS:
            out.append((z, p, margin_pu(rows, region, p), margin_source(rows, region, p), region or ""))
    return pd.DataFrame(out, columns=["zone", "period", "margin_pu", "from_region", "region"])


def adequacy_links(d: ModelData) -> pd.DataFrame:
    """Corridors and interconnectors as the deficit counts them, per period (planner/analysis/deficit.py).

    kind ``corridor``: from_zone, to_zone, existing_mw = capacity in service before new builds;
    kind ``interconnector``: zone in from_zone, market in to_zone, existing_mw = import capacity.
    """
    rows = []
    cor, ic = d.corridor, d.interconnector
    for p in d.PERIODS:
        for l in d.CORRIDORS:
            ex = corridor_existing_mw(cor.at[l, "capacity_mw"], cor.at[l, "available_from"], p, d.years[p])
            rows.append(("corridor", l, cor.at[l, "from_zone"], cor.at[l, "to_zone"], p, ex,
                         float(cor.at[l, "capacity_credit_pu"]), float(cor.at[l, "loss_pu"])))
        for i in d.INTERCONNECTORS:
            rows.append(("interconnector", i, ic.at[i, "zone"], ic.at[i, "market"], p, float(ic.at[i, "import_mw"]),
                         float(ic.at[i, "capacity_credit_pu"]), 0.0))
    return pd.DataFrame(rows, columns=["kind", "link", "from_zone", "to_zone", "period", "existing_mw",
                                       "capacity_credit_pu", "loss_pu"])


def existing_fleet(d: ModelData) -> dict[str, pd.DataFrame]:
    """The tables the deficit reads (planner/analysis/deficit.py ``NEEDED``), for a case before any solve: the
    existing fleet and the existing corridors in service, nothing built (total_mw = existing_mw), demand from the
    case (prices.csv's columns without a price)."""
    links = adequacy_links(d)
    cor = links[links["kind"] == "corridor"]
    cap = pd.DataFrame([(z, g, p, mw, mw) for (z, g, p), mw in d.existing_mw.items()],
                       columns=["zone", "technology", "period", "existing_mw", "total_mw"])
    return {
        "technologies": d.tech.reset_index()[["technology", "capacity_credit_pu"]],
        "capacity": cap,
        "vintages": pd.DataFrame(columns=["zone", "technology", "partner", "built_period", "period",
                                          "in_service_mw"]),
        "new_capacity": pd.DataFrame(columns=["zone", "technology", "partner", "period", "new_mw"]),
        "corridors": pd.DataFrame({"corridor": cor["link"], "period": cor["period"],
                                   "capacity_mw": cor["existing_mw"], "new_mw": 0.0}),
        "prices": pd.DataFrame([(z, p, t, v) for (z, p, t), v in d.demand_mw.items()],
                               columns=["zone", "period", "timestep", "demand_mw"]),
        "reserve_margin_by_zone": zone_margins(d),
        "adequacy_links": links,
    }


# ---------------------------------------------------------------- capacity

def capacity(m: pyo.ConcreteModel, d: ModelData, alive: Vintages) -> pd.DataFrame:
    """Zone x technology x period: existing, new (built in the period), total in service, energy, retired (MW, MWh)."""
    rows = []
    for (z, g, p), e in m.cap.items():
        new = sum(m.new_cap[z, g, k, q].value or 0.0 for (_, _, k, q), _ in alive[(z, g, p)] if q == p)
        ex = d.existing_mw.get((z, g, p), 0.0)
        rows.append((z, g, p, ex, new, pyo.value(e), pyo.value(m.ecap[z, g, p])))
    cap = pd.DataFrame(rows,
                       columns=["zone", "technology", "period", "existing_mw", "new_mw", "total_mw", "energy_mwh"])
    cap = cap.sort_values(["zone", "technology", "period"])
    prev_ex = cap.groupby(["zone", "technology"])["existing_mw"].shift(1)
    cap["retired_mw"] = (prev_ex - cap["existing_mw"]).clip(lower=0).fillna(0.0)
    return clean(cap.reset_index(drop=True))


def _annuities(values: dict, category: str = "investment") -> dict[tuple, float]:
    """(zone, technology, partner, built period, period) -> USD/yr: the model's terms of ``category`` per vintage
    (the annuity of each vintage in service, as the objective counts it: share of the period x annuity)."""
    out: dict[tuple, float] = {}
    for (c, p), items in values.items():
        if c == category:
            for k, v in items:
                key = (k.zone, k.technology, k.partner, k.built_period, p)
                out[key] = out.get(key, 0.0) + v
    return out


def new_capacity(m: pyo.ConcreteModel, d: ModelData, alive: Vintages, values: dict) -> pd.DataFrame:
    """New builds by option (zone, technology, partner) and period, with their capex and annuity.

    The annuity (USD/yr) is what the build pays in a year of service: the model's investment term of the vintage in
    its build period (``values``: ``term_values(m)``) over the share of that period it serves (capacity.py)."""
    nb = _frame(m.new_cap, ["zone", "technology", "partner", "period"], "new_mw")
    ne = {k: v.value or 0.0 for k, v in m.new_energy.items()}
    nb["new_energy_mwh"] = [ne.get(k, 0.0) for k in zip(nb.zone, nb.technology, nb.partner, nb.period)]
    options = list(zip(nb.zone, nb.technology, nb.partner))
    nb["capex_usd"] = [overnight_usd(d, b, x, e) for b, x, e in zip(options, nb.new_mw, nb.new_energy_mwh)]
    paid = _annuities(values)
    share = {v: s for vs in alive.values() for v, s in vs}
    nb["annuity_usd_per_yr"] = [paid.get((*b, q, q), 0.0) / share[(*b, q)] for b, q in zip(options, nb.period)]
    return clean(nb)


def vintages(d: ModelData, alive: Vintages, m: pyo.ConcreteModel, values: dict) -> pd.DataFrame:
    """Each vintage in each period it serves, with the model's own share of the period (capacity.py) and the
    model's investment term of the vintage in the period (``values``: ``term_values(m)``)."""
    paid = _annuities(values)
    rows = []
    for (z, g, p), vs in alive.items():
        for (_, _, k, q), s in vs:
            x = m.new_cap[z, g, k, q].value or 0.0
            rows.append((z, g, k, q, p, s, s * x, paid.get((z, g, k, q, p), 0.0)))
    return clean(pd.DataFrame(rows, columns=["zone", "technology", "partner", "built_period", "period",
                                              "share_in_service", "in_service_mw", "annuity_usd_per_yr"]))


# ---------------------------------------------------------------- operation

def dispatch(m: pyo.ConcreteModel, d: ModelData) -> pd.DataFrame:
    """Hourly output, charging and available capacity per zone x technology (MW)."""
    disp = _frame(m.gen, ["zone", "technology", "period", "timestep"], "generation_mw")
    ch = {k: v.value or 0.0 for k, v in m.charge.items()}
    disp["charge_mw"] = [ch.get(k, 0.0) for k in zip(disp.zone, disp.technology, disp.period, disp.timestep)]
    capmap = {k: pyo.value(e) for k, e in m.cap.items()}
    disp["available_mw"] = [d.availability(z, g, t) * capmap[(z, g, p)] if d.kind[g] != "storage" else capmap[(z, g, p)]
                            for z, g, p, t in zip(disp.zone, disp.technology, disp.period, disp.timestep)]
    disp = clean(disp)
    return disp[["zone", "technology", "period", "timestep", "generation_mw", "charge_mw", "available_mw"]]


OPERATING = ("variable_om", "fuel", "co2")  # the cost categories of a plant's output


def generation(d: ModelData, disp: pd.DataFrame, cap: pd.DataFrame, terms: pd.DataFrame) -> pd.DataFrame:
    """Annual energy per zone x technology x period: generated, available, charged, curtailed (MWh/yr), the
    capacity factor, and the operating cost for partner reports: the model's variable O&M, fuel and CO2 terms
    of the zone and technology (``cost_terms``, USD/yr)."""
    dw = disp.join(pd.Series(d.weight, name="weight"), on="timestep")
    dw = with_mwh(dw, ("generation_mw", "available_mw", "charge_mw"))
    gen = dw.groupby(["zone", "technology", "period"],
                     as_index=False)[["generation_mwh", "available_mwh", "charge_mwh"]].sum()
    gen["curtailment_mwh"] = [a - g if d.kind[tech] == "variable" else 0.0
                              for tech, a, g in zip(gen.technology, gen.available_mwh, gen.generation_mwh)]
    gen = gen.merge(cap[["zone", "technology", "period", "total_mw"]], on=["zone", "technology", "period"])
    gen["capacity_factor"] = (gen["generation_mwh"] / (gen["total_mw"] * d.hours)).where(gen["total_mw"] > 0, 0.0)
    op = terms[terms["category"].isin(OPERATING)].groupby(["zone", "technology", "period"])["annual_usd"].sum()
    gen["operating_cost_usd"] = [float(op.get(k, 0.0)) for k in zip(gen.zone, gen.technology, gen.period)]
    return clean(gen.drop(columns=["total_mw"]))


def prices(m: pyo.ConcreteModel, d: ModelData, sol: Solution) -> pd.DataFrame:
    """Zonal hourly prices (balance duals, undiscounted USD/MWh), demand and unserved energy."""
    rows = []
    for (z, p, t), con in m.balance.items():
        y = sol.duals.get(con, 0.0)
        rows.append((z, p, t, d.weight[t], d.demand_mw[(z, p, t)], m.unserved[z, p, t].value or 0.0,
                     y / (d.discount_weight[p] * d.weight[t])))
    return clean(pd.DataFrame(rows, columns=["zone", "period", "timestep", "weight", "demand_mw", "unserved_mw",
                                              "price_usd_per_mwh"]))


def flows(m: pyo.ConcreteModel, d: ModelData) -> pd.DataFrame:
    """Hourly flow (forward - backward) and losses per corridor (MW)."""
    fl = _frame(m.flow_fw, ["corridor", "period", "timestep"], "forward_mw")
    fl["backward_mw"] = [m.flow_bw[k].value or 0.0 for k in zip(fl.corridor, fl.period, fl.timestep)]
    fl["flow_mw"] = fl["forward_mw"] - fl["backward_mw"]
    loss = d.corridor["loss_pu"].to_dict()
    fl["loss_mw"] = [(a + b) * loss[c] for c, a, b in zip(fl.corridor, fl.forward_mw, fl.backward_mw)]
    return clean(fl[["corridor", "period", "timestep", "flow_mw", "loss_mw"]])


def corridors(m: pyo.ConcreteModel, d: ModelData, fl: pd.DataFrame) -> pd.DataFrame:
    """Capacity, new capacity and utilisation of each corridor per period."""
    rows = []
    for (l, p), e in m.line_cap.items():
        new = m.new_line[l, p].value if (l, p) in m.new_line else 0.0
        rows.append((l, d.corridor.at[l, "from_zone"], d.corridor.at[l, "to_zone"], p, pyo.value(e), new or 0.0))
    cor = pd.DataFrame(rows, columns=["corridor", "from_zone", "to_zone", "period", "capacity_mw", "new_mw"])
    if len(fl):
        fw = fl.join(pd.Series(d.weight, name="weight"), on="timestep")
        fw["sent_mwh"] = mwh(fw["flow_mw"].abs(), fw["weight"])
        util = fw.groupby(["corridor", "period"], as_index=False)["sent_mwh"].sum()
        cor = cor.merge(util, on=["corridor", "period"], how="left")
        cor["utilisation"] = (cor["sent_mwh"] / (cor["capacity_mw"] * d.hours)).where(cor["capacity_mw"] > 0, 0.0)
    return clean(cor)


def trade(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Hourly imports and exports per interconnector (MW)."""
    tr = _frame(m.imports, ["interconnector", "period", "timestep"], "import_mw")
    tr["export_mw"] = [m.exports[k].value or 0.0 for k in zip(tr.interconnector, tr.period, tr.timestep)]
    return clean(tr)


def storage(m: pyo.ConcreteModel, d: ModelData) -> pd.DataFrame:
    """Storage operation, hour by hour: charge, discharge (MW), state of charge and energy capacity (MWh).

    With storage linked across days the model's soc is the change since the day began: the state reported is
    that change plus the state at the start of the first calendar day the representative day stands for."""
    st = _frame(m.soc, ["zone", "technology", "period", "timestep"], "soc_mwh")
    keys = list(zip(st.zone, st.technology, st.period, st.timestep))
    if d.link_storage:
        first_day = {}
        for day, k in enumerate(d.day_order):
            first_day.setdefault(k, day)
        st["soc_mwh"] += [m.soc_inter[z, g, p, first_day[d.block[t]]].value or 0.0 for z, g, p, t in keys]
    st["charge_mw"] = [m.charge[k].value or 0.0 for k in keys]
    st["discharge_mw"] = [m.gen[k].value or 0.0 for k in keys]
    st["energy_capacity_mwh"] = [pyo.value(m.ecap[z, g, p]) for z, g, p, _ in keys]
    return clean(st[["zone", "technology", "period", "timestep", "charge_mw", "discharge_mw", "soc_mwh",
                      "energy_capacity_mwh"]])


# ---------------------------------------------------------------- costs, emissions, shadow prices

def term_values(m: pyo.ConcreteModel) -> dict[tuple[str, int], list[tuple[tuple, float]]]:
    """(category, period) -> [(key, USD/yr)] of every cost term the families registered, in the objective's order."""
    return {cp: [(k, pyo.value(e)) for k, e in items] for cp, items in registry(m).keyed_costs.items()}


def costs(m: pyo.ConcreteModel, d: ModelData, values: dict | None = None) -> pd.DataFrame:
    """Annual cost per category and period (USD/yr: the sum of its terms, as the objective sums them), its
    discount weight and present value (USD). ``values``: ``term_values(m)`` when the caller has them."""
    values = term_values(m) if values is None else values
    rows = []
    for (c, p) in m.annual_cost:
        a = sum(v for _, v in values[(c, p)])
        rows.append((p, c, a, d.discount_weight[p], a * d.discount_weight[p]))
    return clean(pd.DataFrame(rows,
                               columns=["period", "category", "annual_usd", "discount_weight", "present_value_usd"]))


def cost_terms(m: pyo.ConcreteModel, d: ModelData, values: dict | None = None) -> pd.DataFrame:
    """Annual cost (USD/yr) and present value (USD) per category, zone, technology, partner, link and period: the
    values of the terms each family registered (planner/model/registry.py ``add_cost``), summed per key; "" where
    a term has no such part. Per category and period they add up to costs.csv."""
    out: dict[tuple, float] = {}
    for (c, p), items in (term_values(m) if values is None else values).items():
        for key, v in items:
            k = (c, key.zone, key.technology, key.partner, key.link, p)  # summed over vintages
            out[k] = out.get(k, 0.0) + v
    rows = [(*k, a, a * d.discount_weight[k[-1]]) for k, a in out.items()]
    return clean(pd.DataFrame(rows, columns=["category", "zone", "technology", "partner", "link", "period",
                                              "annual_usd", "present_value_usd"]))


def firm_capacity(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Firm capacity per region and period as the reserve margin row counts it (MW): credited generation,
    imports and corridors into the region, and their sum (the parts planner/model/reserve.py registers)."""
    rows = []
    for (r, p), parts in registry(m).firm.items():
        gen, imp, cor = (float(pyo.value(parts[k])) for k in ("generation", "imports", "corridors"))
        rows.append((r, p, gen, imp, cor, gen + imp + cor))
    return clean(pd.DataFrame(rows, columns=["region", "period", "firm_generation_mw", "firm_imports_mw",
                                              "firm_corridors_mw", "firm_total_mw"]))


def emission_values(m: pyo.ConcreteModel) -> dict[int, list[tuple[tuple, float]]]:
    """period -> [(key, t/yr)] of the emissions the emissions family registered (planner/model/co2.py), each
    evaluated once, in the order its emissions row sums them."""
    return {p: [(k, float(pyo.value(e))) for k, e in items] for p, items in registry(m).emissions.items()}


def emission_terms(m: pyo.ConcreteModel, values: dict | None = None) -> pd.DataFrame:
    """Annual emissions per zone, technology and period (t/yr): the registered terms, which emissions.csv sums
    per period. ``values``: ``emission_values(m)`` when the caller has them."""
    values = emission_values(m) if values is None else values
    rows = [(k.zone, k.technology, p, v) for p, items in values.items() for k, v in items]
    return clean(pd.DataFrame(rows, columns=["zone", "technology", "period", "emissions_t"]))


def emissions(m: pyo.ConcreteModel, values: dict | None = None) -> pd.DataFrame:
    """Annual emissions per period (t/yr): the model's emissions[p], the sum of its registered terms in the order
    the row sums them. ``values``: ``emission_values(m)`` when the caller has them."""
    values = emission_values(m) if values is None else values
    rows = [(p, sum((v for _, v in values.get(p, [])), 0.0)) for p in m.emissions]
    return pd.DataFrame(rows, columns=["period", "emissions_t"])


def shadow_prices(m: pyo.ConcreteModel, d: ModelData, sol: Solution) -> pd.DataFrame:
    """Shadow prices of the system-wide limits each family declares (``SHADOW_PRICES``), as the cost saved
    per unit the limit is relaxed (>= 0: a one-sided limit of a minimisation can only cost). Limits on
    annual flows are divided by the period's discount weight (undiscounted USD per unit per year); the
    partner envelope, a one-off amount, is reported as present-value USD saved per USD of extra envelope.
    The duals are already in the units of the unscaled rows (solve multiplies back each recorded row scale)."""
    rows = []
    for mod in build.MODULES:
        for name, (unit, per_year) in getattr(mod, "SHADOW_PRICES", {}).items():
            for k, con in getattr(m, name).items():
                k = k if isinstance(k, tuple) else (k,)
                p = next(x for x in k if isinstance(x, int))
                y = abs(sol.duals.get(con, 0.0))
                rows.append((name, "/".join(map(str, k)), p, y / d.discount_weight[p] if per_year else y, unit))
        if hasattr(mod, "shadow_prices"):  # a family whose rows report in a shape of their own
            rows += mod.shadow_prices(m, sol.duals)
    return clean(pd.DataFrame(rows, columns=["constraint", "index", "period", "shadow_price", "unit"]))


# ---------------------------------------------------------------- all

def extract(m: pyo.ConcreteModel, d: ModelData, sol: Solution) -> dict[str, pd.DataFrame]:
    """Every result table of a solved model, in a fixed order."""
    alive = capacity_vintages(d)
    cap = capacity(m, d, alive)
    disp = dispatch(m, d)
    fl = flows(m, d)
    values = term_values(m)  # each cost term once, for cost_terms and costs
    terms = cost_terms(m, d, values)
    emitted = emission_values(m)  # each zone's and technology's emissions once, for emissions and emission_terms
    return {
        "capacity": cap,
        "new_capacity": new_capacity(m, d, alive, values),
        "vintages": vintages(d, alive, m, values),
        "dispatch": disp,
        "generation": generation(d, disp, cap, terms),
        # what a report needs to attribute costs and deficits without the case folder
        "technologies": d.tech.reset_index()[["technology", "kind", "lifetime_yr", "fom_usd_per_kw_yr",
                                              "capacity_credit_pu"]],
        "reserve_margin_by_zone": zone_margins(d),
        "adequacy_links": adequacy_links(d),  # corridors and interconnectors as planner/analysis/deficit.py counts them
        "prices": prices(m, d, sol),
        "flows": fl,
        "corridors": corridors(m, d, fl),
        "trade": trade(m),
        "storage": storage(m, d),
        "costs": costs(m, d, values),
        "cost_terms": terms,  # what each registered cost term came to, by its keys
        "firm_capacity": firm_capacity(m),  # the reserve margin rows' firm capacity, by region
        "emissions": emissions(m, emitted),
        "emission_terms": emission_terms(m, emitted),  # the emissions by zone and technology
        "shadow_prices": shadow_prices(m, d, sol),
    }
