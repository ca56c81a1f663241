"""The capacity deficit: one definition, counting what the network can move.

Index letters: z zone, g technology, i interconnector, l corridor, k owner of
new builds, p period, t timestep. Everything is in MW, for one period p at the
hour t* of the system's peak demand (the highest sum over zones of demand).

Requirement and firm supply of each zone:

    required[z]  = demand[z,p,t*] * (1 + margin[z,p])
    firm[z]      = sum_g credit_g * cap[z,g,p] + sum_{i at z} credit_i * import_mw_i

margin is the zone's reserve margin (its region's, else the system's, else 0),
credit the capacity credits of the inputs. Corridors move firm power between
zones up to their firm transfer limit, losing loss_l of what is sent:

    limit[l] = credit_l * line_cap[l,p]

The system deficit is the least shortfall the zones are left with once every
transfer the corridors allow is made (a transport relaxation):

    D = min sum_z u[z]
        s.t. firm[z] + sum_{l into z} (1 - loss_l) x[l] - sum_{l out of z} x[l] + u[z] >= required[z]
             0 <= x[l] <= limit[l]  (each direction),   0 <= u[z] <= max(0, required[z] - firm[z])

u[z] is zone z's deficit: no zone is short by more than it would be alone,
and a zone with a surplus is never short. Where zones compete for the same
limited transfers the least total D can be reached in several ways; the zone
deficits are then the unique split that makes the largest share short,
u[z] / max(required[z], 1 MW), as small as it can be, then the next largest, and so on
(the lexicographic min-max): competing zones are short by the same fraction of
their requirement as far as the corridors allow, and a zone the corridors
could relieve further is relieved further. A region's deficit is the sum of
its zones' deficits, so zones, regions and the system always agree. With
unlimited corridors and no losses D = max(0, sum_z required - sum_z firm);
with no corridors D = sum_z max(0, required[z] - firm[z]).

Before and after new builds:

    before: cap = the existing fleet in service in p; line_cap = existing corridors in service in p
    after:  cap = all capacity in service in p (existing + new vintages); line_cap with new corridors

Share of the deficit closed by an owner k of new builds (a partner, the
options without one, and new corridors): what k's builds would close alone,
scaled so that the owners together close exactly what all new builds close:

    alone[k]  = D_before - D(existing fleet + k's builds in service in p)
    closed[k] = alone[k] * (D_before - D_after) / sum_k' alone[k']
    share[k]  = closed[k] / D_before        (0 when D_before = 0)

(when no owner closes anything alone, the joint closure is split by firm MW
added). Capacity built behind a congested corridor closes nothing alone.

The transport relaxation is solved in planner/deficit_lp.py; the links it counts are stored with the
results (planner/results.py ``adequacy_links``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from planner.core.adequacy import firm_imports_mw, firm_mw, required_mw
from planner.core.names import NEW_CORRIDORS, owner
from planner.deficit_lp import TOL, Link, transfer_deficit

__all__ = ["Link", "transfer_deficit", "owner", "zone_deficits", "system_deficits", "system_deficit",
           "closed_by_owner", "case_deficits", "period_inputs", "PeriodInputs", "has_inputs"]


# ---------------------------------------------------------------- inputs of the definition


@dataclass
class PeriodInputs:
    """Everything the definition needs for one period."""
    period: int
    peak_timestep: int
    demand_mw: dict[str, float]        # at the system peak hour
    margin_pu: dict[str, float]
    region: dict[str, str]
    firm_imports_mw: dict[str, float]
    corridors: pd.DataFrame            # link, from_zone, to_zone, existing_mw, capacity_credit_pu, loss_pu

    @property
    def required_mw(self) -> dict[str, float]:
        return {z: required_mw(v, self.margin_pu.get(z, 0.0)) for z, v in self.demand_mw.items()}

    def links(self, line_cap_mw: dict[str, float] | None = None) -> list[Link]:
        c = self.corridors
        cap = c["existing_mw"] if line_cap_mw is None else c["link"].map(line_cap_mw).fillna(c["existing_mw"])
        return [Link(a, b, float(k * x), float(s)) for a, b, k, x, s in
                zip(c["from_zone"], c["to_zone"], c["capacity_credit_pu"], cap, c["loss_pu"])]

    def deficit(self, firm_gen_mw: dict[str, float], line_cap_mw: dict[str, float] | None = None,
                by_zone: bool = True) -> pd.Series:
        firm = {z: firm_gen_mw.get(z, 0.0) + self.firm_imports_mw.get(z, 0.0) for z in self.demand_mw}
        return transfer_deficit(self.required_mw, firm, self.links(line_cap_mw), by_zone)


def period_inputs(demand: pd.DataFrame, margins: pd.DataFrame, regions: dict[str, str],
                  links: pd.DataFrame) -> list[PeriodInputs]:
    """demand: zone, period, timestep, demand_mw; margins: zone, period, margin_pu; links: adequacy_links()."""
    out = []
    for p, dp in demand.groupby("period"):
        p = int(p)
        system = dp.groupby("timestep", sort=True)["demand_mw"].sum()
        t = int(system.idxmax())
        at = dp[dp["timestep"] == t].groupby("zone")["demand_mw"].sum()
        m = margins[margins["period"] == p].set_index("zone")["margin_pu"].astype(float).to_dict()
        lk = links[links["period"] == p]
        ic = lk[lk["kind"] == "interconnector"]
        ic = ic.rename(columns={"from_zone": "zone", "existing_mw": "import_mw"})
        imports = {z: firm_imports_mw(ic, {z}) for z in sorted(set(ic["zone"]))}
        zones = sorted(dp["zone"].unique())
        out.append(PeriodInputs(p, t, {z: float(at.get(z, 0.0)) for z in zones}, m,
                                {z: regions.get(z, "") for z in zones}, imports,
                                lk[lk["kind"] == "corridor"].reset_index(drop=True)))
    return out


# ---------------------------------------------------------------- from stored results

NEEDED = ("capacity", "vintages", "new_capacity", "corridors", "prices", "technologies", "reserve_margin_by_zone",
          "adequacy_links")


def has_inputs(tables: dict[str, pd.DataFrame]) -> bool:
    return all(n in tables for n in NEEDED)


def _inputs(tables: dict[str, pd.DataFrame]) -> list[PeriodInputs]:
    m = tables["reserve_margin_by_zone"]
    regions = dict(zip(m["zone"], m["region"].fillna("").astype(str))) if "region" in m.columns else {}
    return period_inputs(tables["prices"][["zone", "period", "timestep", "demand_mw"]], m, regions,
                         tables["adequacy_links"])


def _firm(df: pd.DataFrame, column: str, credit: dict[str, float]) -> dict[str, float]:
    """Firm capacity (core's ``firm_mw``) of each zone of ``df`` from its MW in ``column``."""
    return {z: float(firm_mw(credit, zip(g["technology"], g[column]))) for z, g in df.groupby("zone", sort=True)}


def zone_deficits(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Zone x period: requirement, firm supply and deficit before and after new builds (MW)."""
    credit = tables["technologies"].set_index("technology")["capacity_credit_pu"].astype(float).to_dict()
    cap = tables["capacity"]
    cor = tables["corridors"]
    rows = []
    for pi in _inputs(tables):
        c = cap[cap["period"] == pi.period]
        before_gen, after_gen = _firm(c, "existing_mw", credit), _firm(c, "total_mw", credit)
        after_lines = cor[cor["period"] == pi.period].set_index("corridor")["capacity_mw"].astype(float).to_dict()
        before, after = pi.deficit(before_gen), pi.deficit(after_gen, after_lines)
        req = pi.required_mw
        for z in pi.demand_mw:
            imp = pi.firm_imports_mw.get(z, 0.0)
            rows.append((z, pi.region.get(z, ""), pi.period, pi.peak_timestep, pi.demand_mw[z],
                         pi.margin_pu.get(z, 0.0), req[z], before_gen.get(z, 0.0), imp, float(before[z]),
                         after_gen.get(z, 0.0) - before_gen.get(z, 0.0), float(after[z])))
    return pd.DataFrame(rows, columns=["zone", "region", "period", "peak_timestep", "demand_at_peak_mw", "margin_pu",
                                       "required_mw", "firm_existing_mw", "firm_imports_mw", "deficit_before_mw",
                                       "firm_new_mw", "deficit_after_mw"])


def system_deficits(zd: pd.DataFrame) -> pd.DataFrame:
    """Per period: the system (scope ``system``, name ``*``) and each region, as sums of their zones."""
    cols = [c for c in ("required_mw", "firm_existing_mw", "firm_imports_mw", "firm_new_mw", "deficit_before_mw",
                        "deficit_after_mw") if c in zd.columns]
    s = zd.groupby("period", as_index=False)[cols].sum().assign(scope="system", name="*")
    r = zd[zd["region"] != ""].groupby(["region", "period"], as_index=False)[cols].sum()
    r = r.rename(columns={"region": "name"}).assign(scope="region")
    out = pd.concat([s, r], ignore_index=True)[["scope", "name", "period", *cols]]
    return out.sort_values(["period", "scope", "name"],
                           key=lambda c: c.map({"system": 0, "region": 1}) if c.name == "scope" else c,
                           kind="stable").reset_index(drop=True)


def system_deficit(zd: pd.DataFrame, column: str = "deficit_before_mw") -> dict[int, float]:
    """period -> system deficit (MW): the one figure quoted wherever a deficit is printed."""
    return {int(p): float(v) for p, v in zd.groupby("period")[column].sum().items()}


def closed_by_owner(tables: dict[str, pd.DataFrame], zd: pd.DataFrame | None = None) -> pd.DataFrame:
    """Owner x period: new MW, firm MW added, what the owner's builds close alone, closed share of the deficit."""
    zd = zone_deficits(tables) if zd is None else zd
    credit = tables["technologies"].set_index("technology")["capacity_credit_pu"].astype(float).to_dict()
    cap, cor = tables["capacity"], tables["corridors"]
    vin = tables["vintages"].assign(owner=lambda x: x["partner"].map(owner))
    nc = tables["new_capacity"].assign(owner=lambda x: x["partner"].map(owner))
    before_d = system_deficit(zd, "deficit_before_mw")
    after_d = system_deficit(zd, "deficit_after_mw")
    rows = []
    for pi in _inputs(tables):
        p = pi.period
        base = _firm(cap[cap["period"] == p], "existing_mw", credit)
        v = vin[vin["period"] == p]
        owners = sorted(set(v.loc[v["in_service_mw"] > TOL, "owner"])
                        | set(nc.loc[(nc["period"] == p) & (nc["new_mw"] > TOL), "owner"]))
        lines = cor[cor["period"] == p].set_index("corridor")["capacity_mw"].astype(float).to_dict()
        existing_lines = dict(zip(pi.corridors["link"], pi.corridors["existing_mw"]))
        new_lines = {l: x - existing_lines.get(l, 0.0) for l, x in lines.items()}
        alone, added, built = {}, {}, {}
        for k in owners:
            add = _firm(v[v["owner"] == k], "in_service_mw", credit)
            firm = {z: base.get(z, 0.0) + add.get(z, 0.0) for z in set(base) | set(add)}
            alone[k] = before_d[p] - float(pi.deficit(firm, by_zone=False).sum())
            added[k] = sum(add.values())
            built[k] = float(nc.loc[(nc["period"] == p) & (nc["owner"] == k), "new_mw"].sum())
        if any(x > TOL for x in new_lines.values()):
            k = NEW_CORRIDORS
            alone[k] = before_d[p] - float(pi.deficit(base, lines, by_zone=False).sum())
            added[k] = sum(max(x, 0.0) for x in new_lines.values())
            built[k] = float(cor.loc[cor["period"] == p, "new_mw"].sum())
        total = before_d[p] - after_d[p]
        weights = alone if sum(max(a, 0.0) for a in alone.values()) > TOL else added
        wsum = sum(max(x, 0.0) for x in weights.values())
        for k in alone:
            closed = max(weights[k], 0.0) * total / wsum if wsum > TOL else 0.0
            rows.append((k, p, built[k], added[k], max(alone[k], 0.0), closed,
                         closed / before_d[p] if before_d[p] > TOL else 0.0))
    out = pd.DataFrame(rows, columns=["owner", "period", "new_mw", "firm_added_mw", "closed_alone_mw", "closed_mw",
                                      "share_closed_pu"])
    num = ["new_mw", "firm_added_mw", "closed_alone_mw", "closed_mw", "share_closed_pu"]
    out[num] = out[num].astype(float).mask(out[num].abs() < TOL, 0.0)
    return out


# ---------------------------------------------------------------- from a case, before any solve


def case_deficits(d) -> pd.DataFrame:
    """Zone x period deficit of the existing fleet and existing corridors of a case (ModelData), before any solve.

    The same definition on the same tables as ``zone_deficits``: results' ``existing_fleet`` writes the case's
    fleet, corridors, demand and margins as the tables a run stores, so the deficit has one input path. Columns
    of ``zone_deficits`` without the ``after`` ones; ``system_deficits`` sums it.
    """
    from planner.results import existing_fleet  # here: results loads Pyomo, the stored tables need it not

    zd = zone_deficits(existing_fleet(d))
    return zd.drop(columns=["firm_new_mw", "deficit_after_mw"])
