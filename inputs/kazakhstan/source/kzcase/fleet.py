"""Technologies and the existing fleet (SOURCES.md: technologies, existing_capacity, hydro_budgets,
min_output, and the thermal rows of availability)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .common import PERIODS, ZONES, haversine_km, hours


@dataclass(frozen=True)
class Technology:
    name: str
    kind: str
    fuel: str | None
    heat_rate_mwh_th_per_mwh: float
    capex_usd_per_kw: float
    fom_usd_per_kw_yr: float
    vom_usd_per_mwh: float
    lifetime_yr: int
    capacity_credit_pu: float
    renewable: int
    efficiency_charge: float | None = None
    efficiency_discharge: float | None = None
    duration_h: float | None = None


# Firm capacity, one rule for every technology: what it can deliver at a winter peak.
# Old fleet (WINTER_DERATED_TECHS): its DERIVED winter availability (thermal_peak_availability),
# in the capacity credit and in the Dec-Feb availability alike. New thermal plant: ASSUMPTION
# 0.95 (a new unit's forced-outage rate, ~5 %), no winter derate: the new technologies (gas_chp,
# gas_ocgt, coal_chp, coal_sub, coal_new, gas_ccgt, nuclear) are separate from the old fleet's (coal_chp_old,
# gas_chp_old, gas_ocgt_old), so a new CHP or OCGT does not inherit the worn fleet's availability.
# Hydro 0.80, small hydro 0.25 (its January availability), wind 0.10, solar 0: ASSUMPTIONS
# (SOURCES.md technologies.csv), used both here and when deriving the old fleet's availability.
NEW_THERMAL_CREDIT = 0.95
# One CCGT cost basis for every partner. DERIVED from Kazakh project evidence (FACTS): Turkestan
# CCGT $1,300-1,490/kW -> midpoint 1,395; Aksa's Shymkent CCGT $700 m / 500 MW = 1,400 lies in
# that range. Sensitivities (README): low = DNV 2023 Russia & FSU via GNESTE 1,005 $/kW; high =
# 1,490 (top of the Turkestan range). The IIASA value (511) is a model value for an unspecified
# base year, far below every Kazakh project, and is not used.
CCGT_CAPEX_USD_PER_KW = 1395
CCGT_CAPEX_SENSITIVITY = {"low": 1005, "base": 1395, "high": 1490}
# Costs: IIASA MESSAGEix-CAS Kazakhstan (2030 values, Apache-2.0), DNV 2023 Russia & FSU
# via GNESTE (CC-BY-4.0), or DERIVED from Kazakh project costs in FACTS.md. One value per
# technology (the schema has no cost trajectory): the 2030 value is used as the
# representative cost of the build periods 2025-2040.
T = Technology
TECHNOLOGIES: dict[str, Technology] = {
    "coal": T("Coal condensing (existing, subcritical)", "thermal", "coal", 3.049, 1508, 64.9, 4.0, 40, 0.95, 0),
    "coal_chp": T("Coal combined heat and power (new)", "thermal", "coal", 3.049, 2620, 64.9, 4.0, 40, NEW_THERMAL_CREDIT, 0),
    "coal_chp_old": T("Coal combined heat and power (existing fleet)", "thermal", "coal", 3.049, 2620, 64.9, 4.0, 40, 0.95, 0),
    # the committed Ekibastuz GRES-2 unit 3 (636 MW, 2026): a new unit of the subcritical condensing plant,
    # so coal's costs and heat rate (IIASA coal_ppl), but a technology of its own, as the new CHPs and OCGTs
    # are: it does not inherit the old fleet's winter availability or annual energy (WINTER_DERATED_TECHS,
    # OLD_COAL_TECHS) and counts at a new unit's credit. Was: technology coal, derated as the old fleet.
    "coal_sub": T("Coal condensing, new subcritical unit (Ekibastuz GRES-2 unit 3)", "thermal", "coal", 3.049, 1508, 64.9, 4.0, 40, NEW_THERMAL_CREDIT, 0),
    "coal_new": T("Coal supercritical (Ekibastuz GRES-3 type)", "thermal", "coal", 2.128, 2149, 94.1, 3.0, 30, NEW_THERMAL_CREDIT, 0),
    "gas_ccgt": T("Gas combined cycle", "thermal", "gas", 1.786, CCGT_CAPEX_USD_PER_KW, 22.5, 3.0, 30, NEW_THERMAL_CREDIT, 0),
    "gas_ocgt": T("Gas open-cycle turbine (new)", "thermal", "gas", 2.500, 639, 9.3, 5.0, 30, NEW_THERMAL_CREDIT, 0),
    "gas_chp": T("Gas combined heat and power (new)", "thermal", "gas", 2.500, 1785, 23.9, 3.5, 30, NEW_THERMAL_CREDIT, 0),
    "gas_steam": T("Gas steam turbine (existing; Zhambyl GRES, MAEC)", "thermal", "gas", 2.857, 549, 23.9, 4.0, 45, 0.95, 0),
    "gas_ocgt_old": T("Gas open-cycle turbine (existing fleet)", "thermal", "gas", 2.500, 639, 9.3, 5.0, 30, 0.95, 0),
    "gas_chp_old": T("Gas combined heat and power (existing fleet)", "thermal", "gas", 2.500, 1785, 23.9, 3.5, 30, 0.95, 0),
    # nuclear: capex and FOM from IIASA nuc_lc ("~GEN II, low cost"), lifetime from nuc_hc ("~GEN III+",
    # 60 years = VVER-1200 design life): an inconsistency (SOURCES.md technologies.csv lifetime_yr);
    # the capex is overridden for Balkhash (partners.NAMED_SITES), the FOM is not (nuc_hc: 169.6).
    "nuclear": T("Nuclear (VVER-1200)", "thermal", "uranium", 2.860, 4369, 103.4, 5.7, 60, NEW_THERMAL_CREDIT, 0),
    "hydro": T("Large reservoir hydro", "hydro", None, 0.0, 2555, 63.6, 1.0, 60, 0.80, 0),
    "hydro_small": T("Small hydro (<= 35 MW, run of river)", "variable", None, 0.0, 3670, 79.5, 1.0, 60, 0.25, 1),
    "wind": T("Onshore wind", "variable", None, 0.0, 1309, 27.8, 0.0, 30, 0.10, 1),
    # second resource class (profiles.WIND_CLASS1_MW): the same plant on the zone's lesser sites
    "wind_c2": T("Onshore wind, second resource class", "variable", None, 0.0, 1309, 27.8, 0.0, 30, 0.10, 1),
    "solar": T("Solar PV (fixed tilt)", "variable", None, 0.0, 893, 14.6, 0.0, 30, 0.00, 1),
    # battery capex: GNESTE row B0001 (BNEF 2019, 20 MW / 80 MWh Li-ion), 2030 value 185.30 $/kWh in
    # USD2023 (GNESTE's conversion from USD2018) x 4 h = 741.2 $/kW -> 741
    "battery": T("Battery, lithium-ion, 4 h", "storage", None, 0.0, 741, 18.5, 0.5, 15, 0.50, 0, 0.95, 0.95, 4.0),
    "pumped_hydro": T("Pumped-storage hydro, 8 h", "storage", None, 0.0, 2555, 63.6, 0.5, 60, 0.90, 0, 0.87, 0.87, 8.0),
}
del T
CHP_TECHS = ("coal_chp", "gas_chp", "coal_chp_old", "gas_chp_old")
# The old fleet's CHP technologies and the new technology that replaces each (CHP replacement sites)
REPLACED_BY = {"coal_chp_old": "coal_chp", "gas_chp_old": "gas_chp"}

THERMAL_DERATE = 0.83  # FACTS ASSUMPTION: available ~ 0.83 x installed for thermal
# SOURCED corrections (FACTS.md "Existing fleet")
EKIBASTUZ_GRES1_MW = 4000.0  # 3,500 -> 4,000 after unit restoration
# SOURCED available capacities, which replace the 0.83 derate for these plants (a published
# working capacity is not derated a second time): Zhambyl GRES 1,230 installed, 1,070 available
# (FACTS); MAEC (Mangystau) 545 MW = what the plant can deliver according to the Mangystau deputy
# akim (Astana Times Aug 2023), against 1,330 MW in the plant list, which stays its installed
# capacity. The 545 MW is spread over MAEC's three list entries in proportion to their listed MW.
AVAILABLE_OVERRIDE_MW = {"Zhambyl GES-1": 1070.0}
MAEC_PREFIX = "Kazatomprom MAEC"
MAEC_AVAILABLE_MW = 545.0
# SOURCED: Ministry of Energy April 2024 (via Trend) installed RES, MW
RES_TARGET_MW = {"wind": 1409.6, "solar": 1222.6, "hydro_small": 269.6}
TOPUP_BUILD_YEAR = 2023  # cohort year of the capacity missing from the plant list
# ASSUMPTION: reservoir plants >= 100 MW are "large hydro" (kind hydro). The plant list has a gap
# between Shardara 126 MW and Korinskaya 28.5 MW, so any threshold in it gives the same split; 100
# puts exactly FACTS's six key hydro plants in `hydro`, and the rest (228 MW listed) is close to
# the Ministry's 269.6 MW of small hydro, to which it is topped up (RES_TARGET_MW).
LARGE_HYDRO_MIN_MW = 100.0
# Plants whose nearest anchor lies across an oblast border (checked by hand
# against the plants' known locations): name -> zone.
ZONE_OVERRIDES = {
    "Kalamkas GCHP": "mangystau",  # Buzachi peninsula oil field, Mangystau oblast
    "Korday WPP": "zhambyl",  # Kordai district, Zhambyl oblast
    "Zhanatas WPP": "zhambyl",  # Sarysu district, Zhambyl oblast
    "Zhanakorgan SPP": "kyzylorda",  # Zhanakorgan district, Kyzylorda oblast
    "Sergeevskaya HPP": "north_kazakhstan",  # Sergeevka, North Kazakhstan oblast
    "Abai WPP 1,2": "east_kazakhstan",  # Aktogay area, Abai (pre-2022 East Kazakhstan)
}

# ASSUMPTION: years in service from the first unit's commissioning year (DateIn);
# no official retirement schedule exists. 65 years for old steam plant (units are
# refurbished piecemeal), 40 for gas turbines, 100 for hydro (dams and cascades are
# rehabilitated, not retired), 25 for wind and solar.
# Why not FACTS's own "50-60-year lifetimes" for steam plant: counted from DateIn they contradict the
# published fleet. 50 (60) years would have retired 7.9 (3.4) GW of the steam fleet's 13.5 GW
# available before 2024, leaving 12.4 (16.9) GW in service against the 20.4 GW published available
# on 1 Jan 2024 (Samruk-Energy). Even at 65 years 0.7 GW of 1930s-50s plant would be gone by 2024;
# RETIRE_FLOOR keeps it. (DateIn is the first unit's year, so a plant's later units are younger than
# it says: part of the gap is the list's one-year-per-plant grain.)
SERVICE_LIFE = {"coal": 65, "coal_chp_old": 65, "gas_steam": 65, "gas_chp_old": 65, "gas_ccgt": 40,
                "gas_ocgt_old": 40, "hydro": 100, "hydro_small": 100, "wind": 25, "solar": 25}
RETIRE_FLOOR = 2030  # ASSUMPTION: nothing retires before 2030 (operated through the 2025 period), except RETIRE_OVERRIDES
# Modernisation programme. SOURCED intent (FACTS): Ekibastuz GRES-1 restored to 4,000 MW;
# Ministry 2025: 26.4 GW "new or modernised" by 2035; draft coal plan (Feb 2026): 7.6 GW new or
# modernised coal by 2030; KEGOC's 2030 deficit and the government's forecasts count the
# modernised units as staying. ASSUMPTION: every steam plant (coal condensing, coal and gas CHP,
# gas steam) gets one life extension of LIFE_EXTENSION_YR years beyond its 65-year life, plant by
# plant from its own commissioning year, so retirements are staggered by age (the plant list has
# one commissioning year per plant, not per unit: the finest grain it allows) instead of a single
# step; nothing retires before RETIRE_FLOOR. Ten years = one refurbishment cycle of boiler and
# turbine parts; the cost of modernisation is not modelled (no such option in the case).
# Was: every steam unit kept to 2035, then its 65-year life: 6.6 GW retired on 1 January 2035.
LIFE_EXTENSION_TECHS = ("coal", "coal_chp_old", "gas_steam", "gas_chp_old")
LIFE_EXTENSION_YR = 10
# Almaty CHP-2 (510 MW coal) is converted to a 557 MW gas CHP by 2026 (FACTS): the coal
# cohort leaves at the start of the 2025 period and a committed gas_chp build replaces it.
RETIRE_OVERRIDES = {"Almaty CHP 2": 2025}

# Winter availability of the old thermal fleet. SOURCED: at the 2023 peak (16,626 MW) domestic
# generation covered only 15,107 MW although 20,762 MW was "available" on 1 Jan 2023 (KEGOC); at the
# 7 Dec 2022 peak (16,459 MW) it covered 15,203 MW (KEGOC press release, 15 Dec 2022): in the cold
# months worn units trip, run derated or wait for repair. DERIVED share of the old fleet's available
# capacity that ran at the observed winter peaks (thermal_peak_availability), one value for the two
# observed winters (least squares of a ratio: what the old fleet delivered over its available capacity):
#   a = sum_w (domestic_w - firm of every other technology in service_w) / sum_w old fleet_w
# where "other" counts each technology at its capacity credit (the same rule as the reserve margin).
# Applied as an hourly availability in Dec-Feb to every zone x old-fleet technology pair, and as their
# capacity credit. KEGOC's forecasts for 2024/25 (16.4 GW) and 2025/26 (16.7 GW) are forecasts, not
# observations: they are compared in models/kazakhstan_2025_forecast.toml, not fitted.
# Was: one value fitted to the 2023 observation and the two forecasts (0.939).
# gas_steam is left out: its two plants, Zhambyl GRES (1,070 MW) and MAEC (545 MW), carry a published
# working capacity (AVAILABLE_OVERRIDE_MW, MAEC_AVAILABLE_MW), what they can deliver, so it is not derated
# again in winter; it counts at its credit (0.95) in the fit as in the reserve margin. Was: derated too,
# which left Mangystau (200 MW of corridor) unserved at the January peak of 2023.
WINTER_DERATED_TECHS = ("coal", "coal_chp_old", "gas_chp_old", "gas_ocgt_old")
WINTER_MONTHS = (12, 1, 2)
# winter -> (year whose fleet serves it, domestic supply at the peak MW): KEGOC, observed (FACTS).
WINTER_PEAK_SUPPLY_MW = {"2022": (2022, 15203.0), "2023": (2023, 15107.0)}
WINTER_PEAK_FORECAST_MW = {"2024/25": (2024, 16400.0), "2025/26": (2025, 16700.0)}  # KEGOC forecasts, not fitted

# Annual energy of the old coal fleet. SOURCED: coal made 71.2 % of the 112.82 TWh generated in 2023
# (Samruk-Energy AR 2023; KEGOC) = 80.33 TWh (DERIVED), from the old coal fleet alone (no new coal plant
# ran in 2023). DERIVED annual availability: that energy over the fleet's available capacity in 2023 x
# 8,760 h (old_coal_annual_availability, 0.853): what the fleet delivered in a year in which the system
# was short (imports covered the peak), so the most it is taken to give in a year. Applied as hourly
# availability: the winter value in Dec-Feb, and outside them the value that makes the year's mean the
# annual availability. No source gives the fleet's maintenance calendar, so the non-winter value is flat
# over Mar-Nov (repairs spread over the warm months). New coal (coal_sub, coal_new, coal_chp) is not limited.
# Was: 1.0 outside Dec-Feb, which let the 2029 fleet run at 0.96-0.99 of its available capacity.
OLD_COAL_TECHS = ("coal", "coal_chp_old")
COAL_GENERATION_2023_MWH = 0.712 * 112.82e6
ANNUAL_AVAILABILITY_YEAR = 2023

# ASSUMPTION: 0.42 annual capacity factor for large hydro (IIASA MESSAGEix-CAS uses a
# 0.45 maximum; Irtysh and Ili cascades are constrained by irrigation/ice in winter).
LARGE_HYDRO_CF = 0.42
# ASSUMPTION: small hydro monthly availability (snow-melt peak May-Jul, low winter); mean 0.40.
SMALL_HYDRO_MONTHLY = (0.25, 0.25, 0.30, 0.45, 0.60, 0.65, 0.60, 0.50, 0.40, 0.30, 0.25, 0.25)
# ASSUMPTION: minimum output of CHP as a share of capacity by month. Extraction turbines
# must generate to supply district heat in the heating season (Oct-Apr); the share follows
# heating demand (deepest in Dec-Feb). 0 in May-Sep (hot water alone is not binding).
CHP_MIN_OUTPUT_MONTHLY = (0.60, 0.60, 0.50, 0.30, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30, 0.50, 0.60)


def assign_zone(name: str, lat: float, lon: float) -> str:
    """Nearest anchor city (load centre or a further major city of the oblast); overrides win."""
    if name in ZONE_OVERRIDES:
        return ZONE_OVERRIDES[name]
    best, best_d = None, 1e9
    for z, spec in ZONES.items():
        for pt in (spec.centre, *spec.anchors):
            d = haversine_km((lat, lon), pt)
            if d < best_d:
                best, best_d = z, d
    return best


def plant_technology(name: str, fuel: str, kind: str, technology: str, capacity_mw: float) -> str:
    if fuel == "Hard Coal":
        if name == "Ekibastuz TTP 2":  # Ekibastuz GRES-2 is a condensing plant, tagged CHP
            return "coal"
        return "coal_chp_old" if kind == "CHP" else "coal"
    if fuel == "CCGT":
        if name.startswith("Kazatomprom MAEC") or name == "Zhambyl GES-1":
            return "gas_steam"  # old gas steam plants tagged CCGT (FACTS defect)
        return "gas_chp_old" if kind == "CHP" else "gas_ccgt"
    if fuel == "OCGT":
        return "gas_ocgt_old"
    if fuel == "Hydro":
        big = technology == "Reservoir" and capacity_mw >= LARGE_HYDRO_MIN_MW
        return "hydro" if big else "hydro_small"
    if fuel == "Wind":
        return "wind"
    if fuel == "Solar":
        return "solar"
    raise ValueError(f"unmapped plant {name!r} ({fuel})")


def retirement_year(name: str, technology: str, build_year: int) -> int:
    if name in RETIRE_OVERRIDES:
        return RETIRE_OVERRIDES[name]
    extension = LIFE_EXTENSION_YR if technology in LIFE_EXTENSION_TECHS else 0
    return max(build_year + SERVICE_LIFE[technology] + extension, RETIRE_FLOOR)


def build_plants(ref: Path) -> pd.DataFrame:
    """Plant list -> one row per plant with zone, technology, installed and available MW."""
    raw = pd.read_csv(ref / "pypsa-kz-data" / "custom_powerplants.csv", index_col=0)
    p = raw[["Name", "Fueltype", "Technology", "Set", "Capacity", "DateIn", "lat", "lon"]].copy()
    p["Name"] = p["Name"].str.strip()
    p["technology"] = [plant_technology(n, f, k, t, c) for n, f, k, t, c in
                       zip(p["Name"], p["Fueltype"], p["Set"], p["Technology"], p["Capacity"])]
    p["zone"] = [assign_zone(n, la, lo) for n, la, lo in zip(p["Name"], p["lat"], p["lon"])]
    p["installed_mw"] = p["Capacity"].astype(float)
    p.loc[p["Name"] == "Ekibastuz TTP 1", "installed_mw"] = EKIBASTUZ_GRES1_MW
    thermal = p["technology"].map(lambda g: TECHNOLOGIES[g].kind == "thermal")
    p["available_mw"] = np.where(thermal, p["installed_mw"] * THERMAL_DERATE, p["installed_mw"])
    for name, mw in AVAILABLE_OVERRIDE_MW.items():
        p.loc[p["Name"] == name, "available_mw"] = mw
    maec = p["Name"].str.startswith(MAEC_PREFIX)
    p.loc[maec, "available_mw"] = p.loc[maec, "installed_mw"] * MAEC_AVAILABLE_MW / p.loc[maec, "installed_mw"].sum()
    p["build_year"] = p["DateIn"].astype(int)
    p["retirement_year"] = [retirement_year(n, g, y) for n, g, y in zip(p["Name"], p["technology"], p["build_year"])]
    return p


def existing_table(plants: pd.DataFrame) -> pd.DataFrame:
    rows = plants[["zone", "technology", "build_year", "retirement_year", "available_mw"]].copy()
    # Top up wind, solar and small hydro to the Ministry's April-2024 totals, by zone in
    # proportion to the capacity the plant list has there.
    tops = []
    for g, target in RES_TARGET_MW.items():
        listed = rows[rows["technology"] == g].groupby("zone")["available_mw"].sum()
        missing = target - listed.sum()
        for z, mw in listed.items():
            tops.append(dict(zone=z, technology=g, build_year=TOPUP_BUILD_YEAR,
                             retirement_year=max(TOPUP_BUILD_YEAR + SERVICE_LIFE[g], RETIRE_FLOOR),
                             available_mw=missing * mw / listed.sum()))
    rows = pd.concat([rows, pd.DataFrame(tops)], ignore_index=True)
    ex = (rows.groupby(["zone", "technology", "build_year", "retirement_year"], as_index=False)["available_mw"].sum()
          .rename(columns={"available_mw": "capacity_mw"}))
    # the key of a cohort is zone x technology x build_year: two plants of one cohort with
    # different retirement years would need two rows the schema cannot tell apart
    dup = ex.duplicated(["zone", "technology", "build_year"], keep=False)
    if dup.any():
        raise ValueError(f"cohorts with two retirement years: {ex[dup]}")
    ex["capacity_mw"] = ex["capacity_mw"].round(1)
    ex["energy_mwh"] = 0.0
    ex = ex[["zone", "technology", "build_year", "capacity_mw", "retirement_year", "energy_mwh"]]
    return ex.sort_values(["zone", "technology", "build_year"]).reset_index(drop=True)


def in_service(existing: pd.DataFrame, year: int) -> pd.Series:
    """Existing MW by technology in service during ``year``."""
    live = existing[(existing["build_year"] <= year) & (existing["retirement_year"] > year)]
    return live.groupby("technology")["capacity_mw"].sum()


def winter_firm_mw(existing: pd.DataFrame, year: int, old_fleet_availability: float) -> float:
    """Firm MW at a winter peak of ``year``: every technology at its capacity credit, the old
    fleet at ``old_fleet_availability`` (the one rule of technologies_table)."""
    live = in_service(existing, year)
    return float(sum(mw * (old_fleet_availability if g in WINTER_DERATED_TECHS else TECHNOLOGIES[g].capacity_credit_pu)
                     for g, mw in live.items()))


def thermal_peak_availability(existing: pd.DataFrame, winters: dict | None = None) -> float:
    """DERIVED winter availability of the old thermal fleet from KEGOC's observed winter peaks.

    a = sum_w (domestic_w - sum_{g not old} credit_g x MW_g,w) / sum_w old-fleet MW_w, the fleets
    being the existing capacity in service in each winter's year (available MW, already x 0.83
    for thermal).
    """
    num = den = 0.0
    for year, domestic in (winters or WINTER_PEAK_SUPPLY_MW).values():
        old = float(in_service(existing, year).reindex(list(WINTER_DERATED_TECHS)).fillna(0.0).sum())
        num += domestic - winter_firm_mw(existing, year, 0.0)
        den += old
    return round(num / den, 3)


def old_coal_annual_availability(existing: pd.DataFrame) -> float:
    """DERIVED: 2023 coal generation over the old coal fleet's available MW in 2023 x 8,760 h."""
    mw = float(in_service(existing, ANNUAL_AVAILABILITY_YEAR).reindex(list(OLD_COAL_TECHS)).fillna(0.0).sum())
    return round(COAL_GENERATION_2023_MWH / (mw * 8760), 3)


def non_winter_availability(annual: float, winter: float) -> float:
    """The flat Mar-Nov availability that, with ``winter`` in Dec-Feb, gives the year the mean ``annual``."""
    in_winter = np.isin(hours().month.to_numpy(), WINTER_MONTHS)
    n_w = int(in_winter.sum())
    return round((annual * 8760 - winter * n_w) / (8760 - n_w), 4)


def technologies_table(peak_av: float) -> pd.DataFrame:
    """The old-fleet technologies count at their DERIVED winter availability in the reserve
    margin (what runs at a winter peak); every other technology at its own credit."""
    rows = []
    for g, t in TECHNOLOGIES.items():
        credit = peak_av if g in WINTER_DERATED_TECHS else t.capacity_credit_pu
        rows.append(dict(technology=g, name=t.name, kind=t.kind, fuel=t.fuel or "",
                         heat_rate_mwh_th_per_mwh=t.heat_rate_mwh_th_per_mwh,
                         capex_usd_per_kw=t.capex_usd_per_kw, capex_usd_per_kwh=0.0,
                         fom_usd_per_kw_yr=t.fom_usd_per_kw_yr, vom_usd_per_mwh=t.vom_usd_per_mwh,
                         lifetime_yr=t.lifetime_yr, availability_pu=1.0, min_output_pu=0.0,
                         capacity_credit_pu=credit, renewable=t.renewable,
                         efficiency_charge="" if t.efficiency_charge is None else t.efficiency_charge,
                         efficiency_discharge="" if t.efficiency_discharge is None else t.efficiency_discharge,
                         duration_h="" if t.duration_h is None else t.duration_h))
    return pd.DataFrame(rows)


def hydro_budgets_table(existing: pd.DataFrame) -> pd.DataFrame:
    big = existing[existing["technology"] == "hydro"].groupby("zone")["capacity_mw"].sum()
    return pd.DataFrame([dict(zone=z, technology="hydro", period=p, energy_mwh=round(mw * LARGE_HYDRO_CF * 8760, 0))
                         for z, mw in big.items() for p in PERIODS])


def winter_availability_rows(existing: pd.DataFrame, peak_av: float) -> list[pd.DataFrame]:
    """Hourly availability of every zone x old-fleet technology: ``peak_av`` in Dec-Feb; outside them 1,
    except old coal, at the value that gives its year the annual availability of 2023's output."""
    t = hours()
    in_winter = np.isin(t.month.to_numpy(), WINTER_MONTHS)
    coal_rest = non_winter_availability(old_coal_annual_availability(existing), peak_av)
    old = existing[existing["technology"].isin(WINTER_DERATED_TECHS) & (existing["retirement_year"] > PERIODS[0])]
    return [pd.DataFrame({"zone": z, "technology": g, "timestep": np.arange(8760),
                          "availability_pu": np.where(in_winter, peak_av, coal_rest if g in OLD_COAL_TECHS else 1.0)})
            for z, g in sorted(set(zip(old["zone"], old["technology"])))]


def hydro_winter_rows(existing: pd.DataFrame) -> list[pd.DataFrame]:
    """Large hydro: its capacity credit (0.8) as hourly availability in Dec-Feb, 1 otherwise.

    The one firm rule in the dispatch too: the credit says a reservoir plant delivers 0.8 of its MW
    at a winter peak (low flow, ice on the Irtysh and Ili), so it may not run at 1.0 in the winter
    hours of the LP either. Was: 1.0 in every hour, so the 2023 peak hour had 500 MW of hydro more
    than the firm capacity the case counts (README, Calibration)."""
    t = hours()
    winter = np.where(np.isin(t.month.to_numpy(), WINTER_MONTHS), TECHNOLOGIES["hydro"].capacity_credit_pu, 1.0)
    zones = sorted(set(existing.loc[existing["technology"] == "hydro", "zone"]))
    return [pd.DataFrame({"zone": z, "technology": "hydro", "timestep": np.arange(8760), "availability_pu": winter})
            for z in zones]


def small_hydro_rows(zones: list[str]) -> list[pd.DataFrame]:
    small = np.array(SMALL_HYDRO_MONTHLY)[hours().month.to_numpy() - 1]
    return [pd.DataFrame({"zone": z, "technology": "hydro_small", "timestep": np.arange(8760), "availability_pu": small})
            for z in zones]


def min_output_table(chp_pairs: list[tuple[str, str]]) -> pd.DataFrame:
    mo_pu = np.array(CHP_MIN_OUTPUT_MONTHLY)[hours().month.to_numpy() - 1]
    return pd.concat([pd.DataFrame({"zone": z, "technology": g, "timestep": np.arange(8760), "min_output_pu": mo_pu})
                      for z, g in chp_pairs], ignore_index=True)
