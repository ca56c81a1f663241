"""Sets and parameters of the LP, derived once from a validated case.

Everything the constraint families index over is computed here with pandas,
sparse: only (zone, technology) pairs that have existing capacity or a build
option exist, only build periods an option allows, only corridors that could
carry power.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.core.economics import annuity, discount_weight, share_in_service
from planner.load import Case


@dataclass
class ModelData:
    """Index sets (UPPER case) and parameters (lower_snake with units) of one run."""

    ZONES: list[str]
    TECHS: list[str]
    PERIODS: list[int]
    TIMESTEPS: list[int]
    ZG: list[tuple[str, str]]                 # (zone, tech) pairs that can have capacity
    BUILDS: list[tuple[str, str, str]]        # build options (zone, tech, partner)
    BUILD_PERIODS: list[tuple[str, str, str, int]]
    CORRIDORS: list[str]
    INTERCONNECTORS: list[str]
    PARTNERS: list[str]

    kind: dict[str, str]
    weight: dict[int, float]                  # hours of a year per timestep
    block: dict[int, int]
    prev_t: dict[int, int]                    # previous timestep in the same block, cyclic
    years: dict[int, int]
    discount_weight: dict[int, float]         # present value of 1 USD/yr over each period (years)
    demand_mw: dict[tuple[str, int, int], float]
    existing_mw: dict[tuple[str, str, int], float]
    existing_mwh: dict[tuple[str, str, int], float]
    avail_pu: dict[tuple[str, str, int], float]      # profiles only; else the technology's availability_pu
    minout_pu: dict[tuple[str, str, int], float]
    tech: pd.DataFrame
    build: pd.DataFrame                      # indexed by (zone, technology, partner)
    annuity_usd_per_mw_yr: dict[tuple[str, str, str], float]
    annuity_usd_per_mwh_yr: dict[tuple[str, str, str], float]
    capex_usd_per_mw: dict[tuple[str, str, str], float]
    capex_usd_per_mwh: dict[tuple[str, str, str], float]
    corridor: pd.DataFrame
    line_annuity_usd_per_mw_yr: dict[str, float]
    interconnector: pd.DataFrame
    trade: pd.DataFrame                       # indexed by (interconnector, period)
    fuel: pd.DataFrame
    fuel_limits: pd.DataFrame
    hydro_budget_mwh: dict[tuple[str, str, int], float]
    periods: pd.DataFrame                     # indexed by period
    zones: pd.DataFrame
    reserve: pd.DataFrame
    partners: pd.DataFrame
    partner_envelopes: pd.DataFrame
    partner_zone_caps: pd.DataFrame
    settings: dict
    potentials: dict[tuple[str, str], float] = field(default_factory=dict)
    partner_commitments: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows of partner_commitments.csv, by line
    excluded_builds: list[str] = field(default_factory=list)
    committed_as_existing: list[str] = field(default_factory=list)
    day_order: list[int] = field(default_factory=list)  # block of each calendar day, in order (calendar table)
    link_storage: bool = False                # storage chained across day_order (storage.py), not cyclic per block

    @property
    def hours(self) -> float:
        """Hours of a year the timesteps stand for (8760 for a full year)."""
        return float(sum(self.weight.values()))

    def in_service(self, first_year: int, end_year: int, period: int) -> float:
        """Share of ``period``'s years that capacity in service from ``first_year`` up to (not including)
        ``end_year`` serves: a cohort retiring mid-period counts for the years it is there."""
        return share_in_service(first_year, end_year, period, self.years[period])

    def availability(self, z: str, g: str, t: int) -> float:
        return self.avail_pu.get((z, g, t), self._avail_default[g])

    def min_output(self, z: str, g: str, t: int) -> float:
        return self.minout_pu.get((z, g, t), self._minout_default[g])

    def __post_init__(self) -> None:
        self._avail_default = self.tech["availability_pu"].astype(float).to_dict()
        self._minout_default = self.tech["min_output_pu"].astype(float).to_dict()

    def of_kind(self, *kinds: str) -> list[tuple[str, str]]:
        return [(z, g) for z, g in self.ZG if self.kind[g] in kinds]


@dataclass
class _Periods:
    table: pd.DataFrame                      # periods.csv rows run, sorted
    PERIODS: list[int]
    years: dict[int, int]
    base_year: int
    rate: float
    discount_weight: dict[int, float]


def _periods(t: dict[str, pd.DataFrame], s: dict, periods: list[int] | None) -> _Periods:
    """The periods run, their lengths, the base year and each period's discount weight."""
    per = t["periods"].sort_values("period")
    if periods is not None:
        per = per[per["period"].isin(periods)]
    PERIODS = [int(p) for p in per["period"]]
    rate = float(s["discount_rate"])
    base = int(s["base_year"]) if s.get("base_year") is not None else PERIODS[0]
    years = dict(zip(PERIODS, per["years"].astype(int)))
    dfw = {p: discount_weight(p, years[p], base, rate) for p in PERIODS}
    return _Periods(per, PERIODS, years, base, rate, dfw)


def _timesteps(ts: pd.DataFrame) -> tuple[list[int], dict[int, float], dict[int, int], dict[int, int]]:
    """TIMESTEPS, hours each stands for, its block, and the previous timestep of its block (cyclic)."""
    ts = ts.sort_values("timestep")
    TIMESTEPS = [int(x) for x in ts["timestep"]]
    weight = dict(zip(TIMESTEPS, ts["weight"].astype(float)))
    block = dict(zip(TIMESTEPS, ts["block"].astype(int)))
    prev_t: dict[int, int] = {}
    for _, grp in ts.groupby("block", sort=False):
        steps = grp["timestep"].astype(int).tolist()
        for i, x in enumerate(steps):
            prev_t[x] = steps[i - 1]
    return TIMESTEPS, weight, block, prev_t


def _demand(t: dict[str, pd.DataFrame], ZONES: list[str], PERIODS: list[int]) -> dict[tuple[str, int, int], float]:
    """demand_mw[z, p, t] = demand of the profile x the zone's growth multiplier of the period (1 if none)."""
    dem = t["demand"]
    growth = t["demand_growth"]
    mult = {(z, p): 1.0 for z in ZONES for p in PERIODS}
    if len(growth):
        mult.update({(r.zone, int(r.period)): float(r.multiplier) for r in growth.itertuples()})
    demand_mw: dict = {}
    for z, ts_, mw in zip(dem["zone"], dem["timestep"], dem["demand_mw"]):
        for p in PERIODS:
            demand_mw[(z, p, int(ts_))] = float(mw) * mult[(z, p)]
    return demand_mw


def _existing(ex: pd.DataFrame, tech: pd.DataFrame, PERIODS: list[int], years: dict[int, int]) -> tuple[dict, dict]:
    """existing_mw and existing_mwh per (z, g, p): each cohort weighted by the share of the period it is in service."""
    ex = ex.copy()
    if len(ex):
        life = ex["technology"].map(tech["lifetime_yr"])
        ex["retire"] = ex["retirement_year"].where(ex["retirement_year"].notna(), ex["build_year"] + life).astype(int)
    existing_mw: dict = {}
    existing_mwh: dict = {}
    for r in ex.itertuples():
        for p in PERIODS:
            share = share_in_service(r.build_year, r.retire, p, years[p])
            if share > 0:  # the years of the period the cohort is in service
                key = (r.zone, r.technology, p)
                existing_mw[key] = existing_mw.get(key, 0.0) + float(r.capacity_mw) * share
                existing_mwh[key] = existing_mwh.get(key, 0.0) + float(r.energy_mwh) * share
    return existing_mw, existing_mwh


def _eligible(bo: pd.DataFrame, partners: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Build options whose partner is eligible for their technology, and a line for each one dropped."""
    excluded: list[str] = []
    if not (len(bo) and len(partners)):
        return bo, excluded
    keep = []
    for r in bo.itertuples():
        ok = True
        if r.partner:
            elig = [x.strip() for x in partners.at[r.partner, "eligible_technologies"].split(";") if x.strip()]
            ok = not elig or r.technology in elig
        keep.append(ok)
        if not ok:
            excluded.append(f"{r.zone}/{r.technology}/{r.partner} (line {r.Index}): {r.partner} is not eligible for {r.technology}")
    return bo[keep], excluded


def _early_commitments(bo: pd.DataFrame, tech: pd.DataFrame, PERIODS: list[int], years: dict[int, int],
                       existing_mw: dict) -> tuple[pd.DataFrame, list[str]]:
    """Committed builds (min_new_mw) whose window closes before the first period run, e.g. a run of
    2030 alone: they are in service by then, so they join existing_mw from their last_period on and
    leave the build options. Returns the remaining options and a line for each commitment moved."""
    early = bo["last_period"].notna() & (bo["last_period"] < PERIODS[0]) & (bo["min_new_mw"] > 0)
    committed = []
    for r in bo[early].itertuples():
        start, life = int(r.last_period), int(tech.at[r.technology, "lifetime_yr"])
        for p in PERIODS:
            share = share_in_service(start, start + life, p, years[p])
            if share > 0:
                key = (r.zone, r.technology, p)
                existing_mw[key] = existing_mw.get(key, 0.0) + float(r.min_new_mw) * share
        committed.append(f"{r.zone}/{r.technology}/{r.partner} (line {r.Index}): {r.min_new_mw:g} MW committed by "
                         f"{int(r.last_period)}, before the first period {PERIODS[0]}: counted as existing")
    return bo[~early], committed


@dataclass
class _Options:
    BUILD_PERIODS: list[tuple[str, str, str, int]]
    annuity_usd_per_mw_yr: dict
    annuity_usd_per_mwh_yr: dict
    capex_usd_per_mw: dict
    capex_usd_per_mwh: dict


def _options(bo: pd.DataFrame, tech: pd.DataFrame, partners: pd.DataFrame, PERIODS: list[int], rate: float) -> _Options:
    """Build periods of each option (bo indexed by zone, technology, partner) and its costs: overnight
    capex, and the annuity at the partner's cost of capital (the discount rate without a partner)."""
    out = _Options([], {}, {}, {}, {})
    for b, r in bo.iterrows():
        zone, g, partner = b
        lo = r["first_period"] if pd.notna(r["first_period"]) else -np.inf
        hi = r["last_period"] if pd.notna(r["last_period"]) else np.inf
        out.BUILD_PERIODS += [(zone, g, partner, p) for p in PERIODS if lo <= p <= hi]
        wacc = float(partners.at[partner, "wacc"]) if partner else rate
        capex = r["capex_usd_per_kw"] if pd.notna(r["capex_usd_per_kw"]) else tech.at[g, "capex_usd_per_kw"]
        out.capex_usd_per_mw[b] = float(capex) * 1000.0
        life = int(tech.at[g, "lifetime_yr"])
        out.annuity_usd_per_mw_yr[b] = annuity(out.capex_usd_per_mw[b], wacc, life)
        out.capex_usd_per_mwh[b] = float(tech.at[g, "capex_usd_per_kwh"]) * 1000.0
        out.annuity_usd_per_mwh_yr[b] = annuity(out.capex_usd_per_mwh[b], wacc, life)
    return out


def _profile(df: pd.DataFrame, col: str) -> dict[tuple[str, str, int], float]:
    return {(z, g, int(x)): float(v) for z, g, x, v in zip(df["zone"], df["technology"], df["timestep"], df[col])}


def _corridors(cor: pd.DataFrame, rate: float, last_period: int) -> tuple[list[str], dict[str, float]]:
    """Corridors that could carry power (built, or expandable) and the annuity of new capacity on each."""
    line_annuity = {l: annuity(float(r["capex_usd_per_mw_km"] * r["length_km"]), rate, int(r["lifetime_yr"]))
                    for l, r in cor.iterrows()}
    CORRIDORS = [l for l, r in cor.iterrows()
                 if not r["max_new_mw"] <= 0 or (r["capacity_mw"] > 0 and r["available_from"] <= last_period)]  # NaN: no limit
    return CORRIDORS, line_annuity


def _calendar(t: dict[str, pd.DataFrame], weight: dict[int, float], block: dict[int, int],
              link_storage: bool) -> list[int]:
    """The block of each calendar day, in calendar order (the ``calendar`` table time aggregation adds; [] when
    there is none). Linking storage needs it, and needs each block to stand for as many days as the calendar gives
    it (every timestep's weight = the days its block stands for)."""
    cal = t.get("calendar")
    order = [] if cal is None or not len(cal) else [int(b) for b in cal.sort_values("day")["block"]]
    if not link_storage:
        return order
    if not order:
        raise ValueError("storage linked across days needs the calendar of representative days "
                         "(time.representative_days in the run specification)")
    days = pd.Series(order).value_counts().to_dict()
    wrong = sorted({b for x, b in block.items() if abs(weight[x] - days.get(b, 0)) > 1e-9})
    if wrong:
        raise ValueError(f"blocks {wrong}: the timestep weights differ from the days the calendar gives each block")
    return order


def prepare(case: Case, periods: list[int] | None = None, link_storage: bool = False) -> ModelData:
    """Derive the sets and parameters of the LP from a validated case; ``link_storage`` chains storage across
    the calendar days (the run specification's ``time.link_storage``)."""
    t = case.tables
    s = case.settings
    per = _periods(t, s, periods)
    PERIODS = per.PERIODS
    TIMESTEPS, weight, block, prev_t = _timesteps(t["timesteps"])
    tech = t["technologies"].set_index("technology")
    ZONES = t["zones"]["zone"].tolist()
    existing_mw, existing_mwh = _existing(t["existing_capacity"], tech, PERIODS, per.years)

    partners = t["partners"].set_index("partner")
    bo, excluded = _eligible(t["build_options"].copy(), partners)
    bo, committed = _early_commitments(bo, tech, PERIODS, per.years, existing_mw)
    bo = bo.set_index(["zone", "technology", "partner"])
    opt = _options(bo, tech, partners, PERIODS, per.rate)
    BUILDS = list(bo.index)
    ZG = sorted({(z, g) for z, g, _ in existing_mw} | {(z, g) for z, g, _ in BUILDS})

    cor = t["corridors"].set_index("corridor")
    CORRIDORS, line_annuity = _corridors(cor, per.rate, PERIODS[-1])
    hb = t["hydro_budgets"]

    return ModelData(
        ZONES=ZONES, TECHS=tech.index.tolist(), PERIODS=PERIODS, TIMESTEPS=TIMESTEPS, ZG=ZG,
        BUILDS=BUILDS, BUILD_PERIODS=opt.BUILD_PERIODS, CORRIDORS=CORRIDORS,
        INTERCONNECTORS=t["interconnectors"]["interconnector"].tolist(),
        PARTNERS=partners.index.tolist(),
        kind=tech["kind"].to_dict(), weight=weight, block=block, prev_t=prev_t, years=per.years,
        discount_weight=per.discount_weight, demand_mw=_demand(t, ZONES, PERIODS),
        existing_mw=existing_mw, existing_mwh=existing_mwh,
        avail_pu=_profile(t["availability"], "availability_pu"), minout_pu=_profile(t["min_output"], "min_output_pu"),
        tech=tech, build=bo, annuity_usd_per_mw_yr=opt.annuity_usd_per_mw_yr, annuity_usd_per_mwh_yr=opt.annuity_usd_per_mwh_yr,
        capex_usd_per_mw=opt.capex_usd_per_mw, capex_usd_per_mwh=opt.capex_usd_per_mwh,
        corridor=cor, line_annuity_usd_per_mw_yr=line_annuity,
        interconnector=t["interconnectors"].set_index("interconnector"),
        trade=t["trade_prices"].set_index(["interconnector", "period"]),
        fuel=t["fuels"].set_index("fuel"), fuel_limits=t["fuel_limits"].set_index(["fuel", "period"]),
        hydro_budget_mwh={(r.zone, r.technology, int(r.period)): float(r.energy_mwh) for r in hb.itertuples()},
        periods=per.table.set_index("period"), zones=t["zones"].set_index("zone"),
        reserve=t["reserve_margins"], partners=partners,
        partner_envelopes=t["partner_envelopes"].set_index(["partner", "period"]),
        partner_zone_caps=t["partner_zone_caps"].set_index(["partner", "zone"]),
        settings={**s, "base_year": per.base_year}, excluded_builds=excluded, committed_as_existing=committed,
        potentials={(r.zone, r.technology): float(r.max_new_mw) for r in t["build_potentials"].itertuples()},
        partner_commitments=t.get("partner_commitments", pd.DataFrame()),
        day_order=_calendar(t, weight, block, link_storage), link_storage=link_storage,
    )


def overnight_usd(d: ModelData, b: tuple[str, str, str], mw, mwh=None):
    """Overnight capex of building option b (USD) = capex_usd_per_mw_b x MW (+ capex_usd_per_mwh_b x MWh of storage
    energy sized on its own); MW and MWh may be numbers or LP variables."""
    capex = d.capex_usd_per_mw[b] * mw
    return capex if mwh is None else capex + d.capex_usd_per_mwh[b] * mwh
