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


# Costs: IIASA MESSAGEix-CAS Kazakhstan (2030 values, Apache-2.0), DNV 2023 Russia & FSU
# via GNESTE (CC-BY-4.0), or DERIVED from Kazakh project costs in FACTS.md. One value per
# technology (the schema has no cost trajectory): the 2030 value is used as the
# representative cost of the build periods 2025-2040.
T = Technology
TECHNOLOGIES: dict[str, Technology] = {
    "coal": T("Coal condensing (existing, subcritical)", "thermal", "coal", 3.049, 1508, 64.9, 4.0, 40, 0.95, 0),
    "coal_chp": T("Coal combined heat and power", "thermal", "coal", 3.049, 2620, 64.9, 4.0, 40, 0.95, 0),
    "coal_new": T("Coal supercritical (Ekibastuz GRES-3 type)", "thermal", "coal", 2.128, 2149, 94.1, 3.0, 30, 0.95, 0),
    "gas_ccgt": T("Gas combined cycle", "thermal", "gas", 1.786, 1005, 22.5, 3.0, 30, 0.95, 0),
    "gas_ocgt": T("Gas open-cycle turbine", "thermal", "gas", 2.500, 639, 9.3, 5.0, 30, 0.95, 0),
    "gas_chp": T("Gas combined heat and power", "thermal", "gas", 2.500, 1785, 23.9, 3.5, 30, 0.95, 0),
    "gas_steam": T("Gas steam turbine (existing; Zhambyl GRES, MAEC)", "thermal", "gas", 2.857, 549, 23.9, 4.0, 45, 0.95, 0),
    "nuclear": T("Nuclear (VVER-1200)", "thermal", "uranium", 2.860, 4369, 103.4, 5.7, 60, 0.95, 0),
    "hydro": T("Large reservoir hydro", "hydro", None, 0.0, 2555, 63.6, 1.0, 60, 0.80, 0),
    "hydro_small": T("Small hydro (<= 35 MW, run of river)", "variable", None, 0.0, 3670, 79.5, 1.0, 60, 0.25, 1),
    "wind": T("Onshore wind", "variable", None, 0.0, 1309, 27.8, 0.0, 30, 0.10, 1),
    "solar": T("Solar PV (fixed tilt)", "variable", None, 0.0, 893, 14.6, 0.0, 30, 0.00, 1),
    "battery": T("Battery, lithium-ion, 4 h", "storage", None, 0.0, 741, 18.5, 0.5, 15, 0.50, 0, 0.95, 0.95, 4.0),
    "pumped_hydro": T("Pumped-storage hydro, 8 h", "storage", None, 0.0, 2555, 63.6, 0.5, 60, 0.90, 0, 0.87, 0.87, 8.0),
}
del T
CHP_TECHS = ("coal_chp", "gas_chp")

THERMAL_DERATE = 0.83  # FACTS ASSUMPTION: available ~ 0.83 x installed for thermal
# SOURCED corrections (FACTS.md "Existing fleet")
EKIBASTUZ_GRES1_MW = 4000.0  # 3,500 -> 4,000 after unit restoration
MAEC_TOTAL_MW = 545.0  # Mangystau deputy akim (Astana Times Aug 2023), list says 1,330
AVAILABLE_OVERRIDE_MW = {"Zhambyl GES-1": 1070.0}  # Zhambyl GRES 1,230 installed, 1,070 available
# SOURCED: Ministry of Energy April 2024 (via Trend) installed RES, MW
RES_TARGET_MW = {"wind": 1409.6, "solar": 1222.6, "hydro_small": 269.6}
TOPUP_BUILD_YEAR = 2023  # cohort year of the capacity missing from the plant list
LARGE_HYDRO_MIN_MW = 100.0  # reservoir plants >= 100 MW are "large hydro" (kind hydro)
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
SERVICE_LIFE = {"coal": 65, "coal_chp": 65, "gas_steam": 65, "gas_chp": 65, "gas_ccgt": 40,
                "gas_ocgt": 40, "hydro": 100, "hydro_small": 100, "wind": 25, "solar": 25}
RETIRE_FLOOR = 2030  # ASSUMPTION: nothing retires before 2030 (operated through the 2025 period)
# Modernisation programme: steam units (coal condensing, coal and gas CHP, gas steam) stay in
# service to 2035 at least. SOURCED intent (FACTS): Ekibastuz GRES-1 restored to 4,000 MW;
# Ministry 2025: 26.4 GW "new or modernised" by 2035; draft coal plan (Feb 2026): 7.6 GW new or
# modernised coal by 2030; KEGOC's 2030 deficit and the government's forecasts count the
# modernised units as staying. ASSUMPTION: every steam unit is life-extended to 2035 (then its
# 65-year life applies); the cost of modernisation is not modelled (no such option in the case).
LIFE_EXTENSION_TECHS = ("coal", "coal_chp", "gas_steam", "gas_chp")
LIFE_EXTENSION_TO = 2035
# Almaty CHP-2 (510 MW coal) is converted to a 557 MW gas CHP by 2026 (FACTS): the coal
# cohort leaves at the start of the 2025 period and a committed gas_chp build replaces it.
RETIRE_OVERRIDES = {"Almaty CHP 2": 2025}

# Winter availability of the old thermal fleet. SOURCED: at the 2023 peak (16,626 MW) domestic
# generation covered only 15,107 MW (KEGOC) although 20,762 MW was "available" on 1 Jan 2023
# (KEGOC): in the cold months worn units trip, run derated or wait for repair. DERIVED share of
# the available thermal capacity that could run at the peak (thermal_peak_availability):
#   (15,107 - large hydro at full capacity - small hydro at its January 0.25 - wind at its
#    capacity credit 0.10 - solar 0 (evening peak) - the 40 MW existing gas_ccgt)
#   / available capacity of the old-fleet technologies below, all in the case's 2023 fleet.
# Applied as an hourly availability profile in the peak months (Dec-Feb) to the zone x
# technology pairs that have existing capacity of these technologies; 1.0 in other months
# (planned repairs are scheduled in summer, within the 0.83 derate).
WINTER_DERATED_TECHS = ("coal", "coal_chp", "gas_steam", "gas_chp", "gas_ocgt")
WINTER_MONTHS = (12, 1, 2)
DOMESTIC_AT_PEAK_2023_MW = 15107.0  # KEGOC
WIND_PEAK_CREDIT = 0.10  # = the wind capacity credit of TECHNOLOGIES

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
        return "coal_chp" if kind == "CHP" else "coal"
    if fuel == "CCGT":
        if name.startswith("Kazatomprom MAEC") or name == "Zhambyl GES-1":
            return "gas_steam"  # old gas steam plants tagged CCGT (FACTS defect)
        return "gas_chp" if kind == "CHP" else "gas_ccgt"
    if fuel == "OCGT":
        return "gas_ocgt"
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
    floor = LIFE_EXTENSION_TO if technology in LIFE_EXTENSION_TECHS else RETIRE_FLOOR
    return max(build_year + SERVICE_LIFE[technology], floor)


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
    maec = p["Name"].str.startswith("Kazatomprom MAEC")
    p.loc[maec, "installed_mw"] *= MAEC_TOTAL_MW / p.loc[maec, "installed_mw"].sum()
    thermal = p["technology"].map(lambda g: TECHNOLOGIES[g].kind == "thermal")
    p["available_mw"] = np.where(thermal, p["installed_mw"] * THERMAL_DERATE, p["installed_mw"])
    for name, mw in AVAILABLE_OVERRIDE_MW.items():
        p.loc[p["Name"] == name, "available_mw"] = mw
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


def thermal_peak_availability(existing: pd.DataFrame) -> float:
    """DERIVED winter availability of the old thermal fleet from KEGOC's 2023 peak coverage.

    (15,107 MW - large hydro - 0.25 x small hydro - 0.10 x wind - gas_ccgt) / old-fleet thermal
    MW, all capacities of the 2023 fleet (available, i.e. already x 0.83 for thermal).
    """
    live = existing[existing["retirement_year"] > PERIODS[0]].groupby("technology")["capacity_mw"].sum()
    other = (live.get("hydro", 0.0) + SMALL_HYDRO_MONTHLY[0] * live.get("hydro_small", 0.0)
             + WIND_PEAK_CREDIT * live.get("wind", 0.0) + live.get("gas_ccgt", 0.0))
    thermal = sum(live.get(g, 0.0) for g in WINTER_DERATED_TECHS)
    return round((DOMESTIC_AT_PEAK_2023_MW - other) / thermal, 3)


def technologies_table(peak_av: float) -> pd.DataFrame:
    """The old-fleet technologies count at their DERIVED winter availability in the reserve
    margin (what could run at the 2023 peak); new-only technologies keep their own credit."""
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
    """Hourly availability of every zone x old-fleet technology: ``peak_av`` in Dec-Feb, 1 otherwise."""
    t = hours()
    winter = np.where(np.isin(t.month.to_numpy(), WINTER_MONTHS), peak_av, 1.0)
    old = existing[existing["technology"].isin(WINTER_DERATED_TECHS) & (existing["retirement_year"] > PERIODS[0])]
    return [pd.DataFrame({"zone": z, "technology": g, "timestep": np.arange(8760), "availability_pu": winter})
            for z, g in sorted(set(zip(old["zone"], old["technology"])))]


def small_hydro_rows(zones: list[str]) -> list[pd.DataFrame]:
    small = np.array(SMALL_HYDRO_MONTHLY)[hours().month.to_numpy() - 1]
    return [pd.DataFrame({"zone": z, "technology": "hydro_small", "timestep": np.arange(8760), "availability_pu": small})
            for z in zones]


def min_output_table(chp_pairs: list[tuple[str, str]]) -> pd.DataFrame:
    mo_pu = np.array(CHP_MIN_OUTPUT_MONTHLY)[hours().month.to_numpy() - 1]
    return pd.concat([pd.DataFrame({"zone": z, "technology": g, "timestep": np.arange(8760), "min_output_pu": mo_pu})
                      for z, g in chp_pairs], ignore_index=True)
