"""Build the default Kazakhstan case (inputs/kazakhstan/*.csv) from public reference data.

Run from anywhere:

    python3 inputs/kazakhstan/source/build_case.py [--reference PATH] [--out PATH]

``--reference`` defaults to ``reference/`` beside this script: unchanged copies of the
public raw files the script reads, each folder with its licence and attribution
(reference/README.md). Every table below is derived (aggregated, re-keyed, corrected)
from them, plus the assumptions written here as named constants. Each
constant says whether it is SOURCED (and where), DERIVED, or an ASSUMPTION; the
same wording is repeated in ../SOURCES.md.

Deterministic: fixed seeds, sorted rows, fixed rounding, so two runs give
byte-identical CSVs. Needs numpy, pandas, scipy and pvlib (pvlib only to
regenerate the case; the engine does not need it).
"""

from __future__ import annotations

import argparse
import math
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr  # standard normal CDF

HERE = Path(__file__).resolve().parent
CASE = HERE.parent
DEFAULT_REFERENCE = HERE / "reference"  # vendored copies, see reference/README.md

# --------------------------------------------------------------------------------------
# Zones
# --------------------------------------------------------------------------------------
# The 14 pre-2022 oblasts that carry published 2022 consumption (pypsa-kz-data
# official_demand_2022.csv). Cities of republican status are folded into the
# oblast around them (Astana -> Akmola, Almaty city -> Almaty, Shymkent -> Turkestan);
# the 2022 oblasts Abai, Zhetysu and Ulytau sit inside their pre-2022 parents
# (East Kazakhstan, Almaty, Karaganda). Region = UPS grid zone per FACTS.md.
# lat/lon = the zone's load centre: the oblast capital, except where a folded-in
# city dominates demand (Astana, Almaty, Shymkent). ``anchors`` are further cities
# used only to place power plants (see assign_zone).
# zone: (name, region, demand-file name, (lat, lon), UTC offset in 2022, anchors)
ZONES: dict[str, tuple] = {
    "akmola": ("Akmola (incl. Astana city)", "North", "Akmola", (51.169, 71.449), 6, [(53.284, 69.396)]),
    "aktobe": ("Aktobe", "North", "Aktobe", (50.283, 57.167), 5, []),
    "almaty": ("Almaty (incl. Almaty city, Zhetysu)", "South", "Almaty", (43.238, 76.946), 6, [(45.017, 78.373)]),
    "atyrau": ("Atyrau", "West", "Atyrau", (47.094, 51.924), 5, []),
    "east_kazakhstan": ("East Kazakhstan (incl. Abai)", "North", "East Kazakhstan", (49.948, 82.628), 6, [(50.411, 80.227)]),
    "karaganda": ("Karaganda (incl. Ulytau)", "North", "Karaganda", (49.806, 73.085), 6, [(47.783, 67.768), (46.848, 74.995)]),
    "kostanay": ("Kostanay", "North", "Kostanay", (53.214, 63.625), 6, [(50.248, 66.911)]),
    "kyzylorda": ("Kyzylorda", "South", "Kyzylorda", (44.853, 65.509), 5, []),
    "mangystau": ("Mangystau", "West", "Mangystau", (43.652, 51.158), 5, []),
    "north_kazakhstan": ("North Kazakhstan", "North", "North Kazakhstan", (54.865, 69.136), 6, []),
    "pavlodar": ("Pavlodar", "North", "Pavlodar", (52.287, 76.967), 6, [(51.723, 75.323)]),
    "turkestan": ("Turkestan (incl. Shymkent city)", "South", "Turkestan", (42.317, 69.587), 6, [(43.297, 68.252)]),
    "west_kazakhstan": ("West Kazakhstan", "West", "West Kazakhstan", (51.227, 51.387), 5, []),
    "zhambyl": ("Zhambyl", "South", "Zhambyl", (42.900, 71.367), 6, []),
}
MODEL_UTC_OFFSET = 6  # model clock = Astana time in 2022 (UTC+6); West zones ran UTC+5

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

# --------------------------------------------------------------------------------------
# Periods, policy, settings
# --------------------------------------------------------------------------------------
PERIODS = [2023, 2025, 2030, 2035, 2040]
PERIOD_YEARS = {2023: 2, 2025: 5, 2030: 5, 2035: 5, 2040: 5}
FIRST_BUILD_PERIOD = 2025  # 2023 is the calibration year: nothing may be built in it
# SOURCED: RES share (excl. large hydro) >= 15 % by 2030 (FACTS, Policy); 0 before.
MIN_RENEWABLE_SHARE = {2023: 0.0, 2025: 0.0, 2030: 0.15, 2035: 0.15, 2040: 0.15}
# SOURCED level, ASSUMPTION path: Kazakh ETS ~400-503 KZT/t ~ $1/t (Aug 2025), held flat
# in real terms (current policy; no announced price path).
CO2_PRICE_USD_PER_T = {p: 1.0 for p in PERIODS}
# ASSUMPTION: net imports capped at 3 % of demand. 2023 net imports were
# 3.4 - 1.4 = 2.0 TWh of 115.07 TWh = 1.7 % (FACTS); policy aims at self-sufficiency.
MAX_NET_IMPORT_SHARE = 0.03
SETTINGS = {
    # ASSUMPTION: $3,000/MWh, far above any plant's running cost (peakers < $60/MWh)
    # so that shedding is the last resort, and within the $1,000-5,000/MWh range
    # commonly used for middle-income systems.
    "value_of_lost_load_usd_per_mwh": 3000,
    "discount_rate": 0.10,  # FACTS: ASSUMPTION 10 % base (Agora/PyPSA used 10/15/20 %)
    "base_year": 2025,
    "currency_year": 2023,  # GNESTE/DNV values are USD2023; IIASA's (base year unstated) taken as-is
}

# --------------------------------------------------------------------------------------
# Fuels (price ASSUMPTIONS per FACTS; emission factors SOURCED from FACTS)
# --------------------------------------------------------------------------------------
FUELS = {
    # fuel: (price USD/MWh_th, t CO2/MWh_th)
    "coal": (3.0, 0.336),  # mine-mouth coal 2-4 $/MWh_th (FACTS ASSUMPTION) -> midpoint
    "gas": (11.0, 0.198),  # regulated gas 8-15 $/MWh_th (FACTS ASSUMPTION) -> ~midpoint
    "uranium": (2.5, 0.0),  # ASSUMPTION: ~7 $/MWh_e of nuclear fuel at 35 % efficiency
}
# Gas for power, TWh_th per year. DERIVED 2023 use: generation 112.82 TWh x (1 - 0.712
# coal) minus hydro (~9.2 TWh, hydro budgets below) minus wind/solar/small hydro
# (~6.7 TWh, 5.92 % RES share) ~ 16.6 TWh_e of gas power x ~2.8 MWh_th/MWh ~ 46 TWh_th.
# ASSUMPTION: supply for power grows by ~1 bcm (~10 TWh_th) per five years from new
# processing capacity, but no faster: the Ministry warns of a domestic gas deficit.
GAS_LIMIT_TWH_TH = {2023: 50, 2025: 65, 2030: 75, 2035: 85, 2040: 95}

# --------------------------------------------------------------------------------------
# Technologies
# --------------------------------------------------------------------------------------
# Costs: IIASA MESSAGEix-CAS Kazakhstan (2030 values, Apache-2.0), DNV 2023 Russia & FSU
# via GNESTE (CC-BY-4.0), or DERIVED from Kazakh project costs in FACTS.md. One value per
# technology (the schema has no cost trajectory): the 2030 value is used as the
# representative cost of the build periods 2025-2040.
# Columns: name, kind, fuel, heat rate, capex $/kW, fom $/kW-yr, vom $/MWh, lifetime,
#          capacity credit, renewable, eff charge, eff discharge, duration h
TECHS = {
    "coal": ("Coal condensing (existing, subcritical)", "thermal", "coal", 3.049, 1508, 64.9, 4.0, 40, 0.95, 0, None, None, None),
    "coal_chp": ("Coal combined heat and power", "thermal", "coal", 3.049, 2620, 64.9, 4.0, 40, 0.95, 0, None, None, None),
    "coal_new": ("Coal supercritical (Ekibastuz GRES-3 type)", "thermal", "coal", 2.128, 2149, 94.1, 3.0, 30, 0.95, 0, None, None, None),
    "gas_ccgt": ("Gas combined cycle", "thermal", "gas", 1.786, 1005, 22.5, 3.0, 30, 0.95, 0, None, None, None),
    "gas_ocgt": ("Gas open-cycle turbine", "thermal", "gas", 2.500, 639, 9.3, 5.0, 30, 0.95, 0, None, None, None),
    "gas_chp": ("Gas combined heat and power", "thermal", "gas", 2.500, 1785, 23.9, 3.5, 30, 0.95, 0, None, None, None),
    "gas_steam": ("Gas steam turbine (existing; Zhambyl GRES, MAEC)", "thermal", "gas", 2.857, 549, 23.9, 4.0, 45, 0.95, 0, None, None, None),
    "nuclear": ("Nuclear (VVER-1200)", "thermal", "uranium", 2.860, 4369, 103.4, 5.7, 60, 0.95, 0, None, None, None),
    "hydro": ("Large reservoir hydro", "hydro", None, 0.0, 2555, 63.6, 1.0, 60, 0.80, 0, None, None, None),
    "hydro_small": ("Small hydro (<= 35 MW, run of river)", "variable", None, 0.0, 3670, 79.5, 1.0, 60, 0.25, 1, None, None, None),
    "wind": ("Onshore wind", "variable", None, 0.0, 1309, 27.8, 0.0, 30, 0.10, 1, None, None, None),
    "solar": ("Solar PV (fixed tilt)", "variable", None, 0.0, 893, 14.6, 0.0, 30, 0.00, 1, None, None, None),
    "battery": ("Battery, lithium-ion, 4 h", "storage", None, 0.0, 741, 18.5, 0.5, 15, 0.50, 0, 0.95, 0.95, 4.0),
    "pumped_hydro": ("Pumped-storage hydro, 8 h", "storage", None, 0.0, 2555, 63.6, 0.5, 60, 0.90, 0, 0.87, 0.87, 8.0),
}
CHP_TECHS = ("coal_chp", "gas_chp")

# --------------------------------------------------------------------------------------
# Existing fleet
# --------------------------------------------------------------------------------------
THERMAL_DERATE = 0.83  # FACTS ASSUMPTION: available ~ 0.83 x installed for thermal
# SOURCED corrections (FACTS.md "Existing fleet")
EKIBASTUZ_GRES1_MW = 4000.0  # 3,500 -> 4,000 after unit restoration
MAEC_TOTAL_MW = 545.0  # Mangystau deputy akim (Astana Times Aug 2023), list says 1,330
AVAILABLE_OVERRIDE_MW = {"Zhambyl GES-1": 1070.0}  # Zhambyl GRES 1,230 installed, 1,070 available
# SOURCED: Ministry of Energy April 2024 (via Trend) installed RES, MW
RES_TARGET_MW = {"wind": 1409.6, "solar": 1222.6, "hydro_small": 269.6}
TOPUP_BUILD_YEAR = 2023  # cohort year of the capacity missing from the plant list
LARGE_HYDRO_MIN_MW = 100.0  # reservoir plants >= 100 MW are "large hydro" (kind hydro)
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
# (planned repairs are scheduled in summer, within the 0.83 derate). Limitation: the engine
# has one profile per zone x technology, so a new CHP or OCGT built beside old units of its
# technology shares their winter derate (conservative); new-only pairs get none.
WINTER_DERATED_TECHS = ("coal", "coal_chp", "gas_steam", "gas_chp", "gas_ocgt")
WINTER_MONTHS = (12, 1, 2)
DOMESTIC_AT_PEAK_2023_MW = 15107.0  # KEGOC
WIND_PEAK_CREDIT = 0.10  # = the wind capacity credit of TECHS

# --------------------------------------------------------------------------------------
# Hydro
# --------------------------------------------------------------------------------------
# ASSUMPTION: 0.42 annual capacity factor for large hydro (IIASA MESSAGEix-CAS uses a
# 0.45 maximum; Irtysh and Ili cascades are constrained by irrigation/ice in winter).
LARGE_HYDRO_CF = 0.42
# ASSUMPTION: small hydro monthly availability (snow-melt peak May-Jul, low winter);
# mean 0.40.
SMALL_HYDRO_MONTHLY = [0.25, 0.25, 0.30, 0.45, 0.60, 0.65, 0.60, 0.50, 0.40, 0.30, 0.25, 0.25]

# --------------------------------------------------------------------------------------
# CHP must-run
# --------------------------------------------------------------------------------------
# ASSUMPTION: minimum output of CHP as a share of capacity by month. Extraction turbines
# must generate to supply district heat in the heating season (Oct-Apr); the share follows
# heating demand (deepest in Dec-Feb). 0 in May-Sep (hot water alone is not binding).
CHP_MIN_OUTPUT_MONTHLY = [0.60, 0.60, 0.50, 0.30, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30, 0.50, 0.60]

# --------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------
REFERENCE_YEAR = 2022  # oblast consumption year; hours laid out on the 2022 calendar
PEAK_2022_MW = 16459.0  # KEGOC/Trend 2022 peak
# SOURCED (KEGOC chair via Kazinform, 2024): winter 2024/25 maximum load 17.4 GW nationally,
# "the maximum load in the southern zone might exceed 4,500 MW" -> the South's own peak is
# >= 4,500 / 17,400 = 25.9 % of the national peak, while its share of annual energy is 23 %
# (2022 oblast consumption): the South's load (households, heating, services) is peakier than
# the North's (metallurgy, mining: flat). DERIVED: the South's shape gets its own exponent so
# that its peak is this share of the national peak.
SOUTH_PEAK_SHARE = 4500.0 / 17400.0
CONSUMPTION_2022_TWH = 112.9  # KEGOC/Trend national 2022 consumption
# DERIVED peak target: keep the published 2022 load factor (112.9 TWh / 16,459 MW) for
# the oblast total: 16,459 x 111.158 / 112.9 = 16,205 MW.
CONSUMPTION_2023_TWH = 115.07  # Samruk-Energy/KEGOC 2023
CONSUMPTION_2024_TWH = 119.9  # Ministry of Energy Jul 2025
# DERIVED: Ministry outlook 121.1 -> 146 TWh over 2023-2029 = 3.17 %/yr
OUTLOOK_GROWTH = (146.0 / 121.1) ** (1 / 6) - 1
OUTLOOK_LAST_YEAR = 2029
GROWTH_AFTER_OUTLOOK = 0.03  # ASSUMPTION: "~3 %/yr" continued after 2029
# ASSUMPTION: daily load shapes (local time, share of the daily mean before the peak
# calibration), winter = Dec-Feb, summer = Jun-Aug, blended by month in between.
DIURNAL_WINTER = [0.90, 0.88, 0.87, 0.87, 0.88, 0.90, 0.94, 0.99, 1.02, 1.03, 1.03, 1.02,
                  1.01, 1.01, 1.01, 1.02, 1.04, 1.08, 1.11, 1.12, 1.10, 1.06, 1.00, 0.95]
DIURNAL_SUMMER = [0.93, 0.91, 0.90, 0.89, 0.89, 0.90, 0.93, 0.97, 1.00, 1.02, 1.03, 1.04,
                  1.04, 1.04, 1.04, 1.03, 1.03, 1.03, 1.03, 1.04, 1.06, 1.07, 1.03, 0.97]
WEEKDAY_FACTOR = [1.0, 1.0, 1.0, 1.0, 1.0, 0.97, 0.94]  # Mon..Sun, ASSUMPTION
DAILY_WEATHER_SD = 0.025  # ASSUMPTION: sd of day-to-day load anomaly (cold spells), winter
DEMAND_SEED = 20220101

# --------------------------------------------------------------------------------------
# Wind and solar profiles
# --------------------------------------------------------------------------------------
WIND_FLEET_CF = 0.33  # FACTS DERIVED fleet capacity factor
# SOURCED site values (FACTS): Zhanatas 0.40 (Zhambyl), Arshaly 0.34 (Akmola)
WIND_ZONE_CF_FIXED = {"zhambyl": 0.40, "akmola": 0.34}
# ASSUMPTION: zones with good sites named in FACTS but no published CF get +0.03 over the
# common value solved so that the fleet (weighted by existing capacity) averages 0.33.
WIND_GOOD_SITE_UPLIFT = {"almaty": 0.03, "mangystau": 0.03}
WIND_WEIBULL_K = 2.0  # ASSUMPTION, typical steppe wind
WIND_AR_PHI = 0.97  # ASSUMPTION: hourly autocorrelation (~1.4-day weather systems)
WIND_COMMON_SHARE = 0.35  # ASSUMPTION: variance share of the nationwide weather component
WIND_SEASONAL_AMP = 0.10  # ASSUMPTION: speeds ~10 % above mean in Feb, below in Aug
WIND_DIURNAL_AMP = 0.04  # ASSUMPTION: mild afternoon maximum at hub height
WIND_CURVE = (3.0, 12.5, 25.0)  # cut-in, rated, cut-out m/s, generic turbine
WIND_LOSSES = 0.92  # ASSUMPTION: wake, availability, electrical losses
WIND_SEED = 7
SOLAR_FLEET_CF = 0.165  # FACTS DERIVED fleet 0.16-0.17 (Burnoye Solar-1 0.167)
SOLAR_TILT_DEG = 35.0  # ASSUMPTION: fixed south-facing tilt ~ latitude - 10
SOLAR_ALBEDO = 0.2
# ASSUMPTION: monthly mean clear-sky index (all-sky / clear-sky GHI), North vs South/West
# (North: more winter overcast; South: clearer summers but winter inversions/fog).
CLEARNESS_NORTH = [0.56, 0.62, 0.65, 0.68, 0.74, 0.78, 0.80, 0.80, 0.76, 0.66, 0.56, 0.52]
CLEARNESS_SOUTH = [0.50, 0.54, 0.58, 0.64, 0.72, 0.80, 0.84, 0.84, 0.80, 0.70, 0.56, 0.48]
CLEARNESS_CONCENTRATION = 6.0  # ASSUMPTION: Beta concentration of daily clearness
SOLAR_SEED = 11

# --------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------
ROUTE_FACTOR = 1.15  # ASSUMPTION: line length = great-circle x 1.15
LOSS_PER_1000KM = 0.05  # ASSUMPTION: 5 % per 1,000 km for 500 kV AC
EUR_TO_USD = 1.08  # ASSUMPTION: ~2023 average ECB reference rate (1.081)
HVAC_EUR_PER_MW_KM = 750  # Danish Energy Agency via PyPSA technology-data (FACTS)
CORRIDOR_MAX_NEW_MW = 2000  # ASSUMPTION: per corridor over the horizon
CORRIDOR_CREDIT = 0.8  # ASSUMPTION: N-1 risk (the Feb 2023 Ekibastuz-Agadyr trip)
# SOURCED: North->South transit 2,100 MW (KEGOC, Dec 2018, was 1,450). DERIVED split: the
# 1,450 MW split evenly over the two 500 kV transit paths (Agadyr-YuKGRES-Almaty and
# Agadyr-Shu), the 650 MW increment to the 2018 Shulbinsk-Aktogay-Taldykorgan-Alma line.
# corridor: (from, to, MW, available_from)
CORRIDORS = [
    ("karaganda", "almaty", 725, 0),
    ("karaganda", "zhambyl", 725, 0),
    ("east_kazakhstan", "almaty", 650, 0),
    # North internal 500 kV/1150 kV-built ring: ASSUMPTION ratings (not binding in practice)
    ("pavlodar", "akmola", 2000, 0),
    ("pavlodar", "karaganda", 2000, 0),
    ("pavlodar", "east_kazakhstan", 1500, 0),
    ("akmola", "karaganda", 1000, 0),
    ("akmola", "north_kazakhstan", 1000, 0),
    ("akmola", "kostanay", 1000, 0),
    ("kostanay", "aktobe", 500, 0),
    # South internal: ASSUMPTION ratings (500 kV Alma-Shu, Zhambyl-Shymkent; 220 kV to Kyzylorda)
    ("almaty", "zhambyl", 1000, 0),
    ("zhambyl", "turkestan", 1000, 0),
    ("turkestan", "kyzylorda", 300, 0),
    # North-South candidate without existing capacity (Zhezkazgan-Kyzylorda)
    ("karaganda", "kyzylorda", 0, 0),
    # West: SOURCED (KEGOC via PM office Nov 2023; KEGOC via Trend 2024)
    ("west_kazakhstan", "atyrau", 200, 0),
    ("atyrau", "mangystau", 200, 0),
    # Karabatan-Ulke 500 kV, due Dec 2027: first full year in service 2028
    ("atyrau", "aktobe", 500, 2028),
]

# Interconnectors: (id, zone, market, MW, capacity credit)
# ASSUMPTION Russia rating: 2,200 MW over the five border oblasts (>= 1,519 MW flowed
# 13 Dec 2023, KEGOC chair). SOURCED Kyrgyzstan 508, Uzbekistan 380 (IIASA model values).
INTERCONNECTORS = [
    ("ru_pavlodar", "pavlodar", "Russia", 800, 0.3),
    ("ru_kostanay", "kostanay", "Russia", 400, 0.3),
    ("ru_north_kazakhstan", "north_kazakhstan", "Russia", 300, 0.3),
    ("ru_aktobe", "aktobe", "Russia", 300, 0.3),
    ("ru_west_kazakhstan", "west_kazakhstan", "Russia", 400, 0.3),
    ("kg_almaty", "almaty", "Kyrgyzstan", 254, 0.0),
    ("kg_zhambyl", "zhambyl", "Kyrgyzstan", 254, 0.0),
    ("uz_turkestan", "turkestan", "Uzbekistan", 380, 0.0),
]
# ASSUMPTION trade prices USD/MWh (real, flat): imports above the marginal cost of
# domestic coal so that they serve balancing, not baseload; every export price below
# every import price so that the model cannot arbitrage through Kazakhstan.
TRADE_PRICES = {"Russia": (55.0, 35.0), "Kyrgyzstan": (45.0, 40.0), "Uzbekistan": (50.0, 40.0)}
# DERIVED annual trade limits: each country's imports and exports in its latest complete
# calendar year in electricity_exp-imp.csv (Bureau of National Statistics via pypsa-kz-data;
# Russia and Kyrgyzstan 2022, Uzbekistan 2021 - its 2022 cells are empty), with the July
# 2022 Kyrgyzstan import "1543" read as 154.3 (FACTS defect), split over a country's links
# by MW. ASSUMPTION: trade stays at recent levels (bilateral agreements, not a market).
TRADE_YEAR = {"Russia": 2022, "Kyrgyzstan": 2022, "Uzbekistan": 2021}
TRADE_FIXES = {("Jul 2022", "Kyrgyzstan - Imp"): 154.3}
# SOURCED national totals for 2023 (FACTS: imports 3.4 TWh, exports 1.4 TWh; Bureau of National
# Statistics). 2023 by country is not in the reference (the monthly file stops in Feb 2023), so
# each country's flows of its TRADE_YEAR are scaled to these totals (DERIVED split), and the
# scaled volumes are used in every period: 2023 is the latest published year, and trade moved
# from net exports (2021-2022) to net imports (2023) as the deficit grew, which the older
# years would hide. Volumes are caps; the model trades less where it is not worth it.
TRADE_TOTAL_MWH = {"Imp": 3.4e6, "Exp": 1.4e6}
# In the calibration base year trade is what was observed, not a decision: the published 2023
# imports must be taken (min_import_mwh = max_import_mwh). Later periods leave imports free up to
# the cap, so the model buys them only where they beat building or running plant at home.
OBSERVED_TRADE_PERIODS = [2023]

# --------------------------------------------------------------------------------------
# Reserve margin
# --------------------------------------------------------------------------------------
# ASSUMPTION: 0 in every period. The firm capacity it is measured against is already what
# could run at the 2023 winter peak: the old thermal fleet counts at its DERIVED winter
# availability (thermal_peak_availability, ~0.84 of available = ~0.69 of installed), which
# carries the forced outages a margin would otherwise stand for; and KEGOC's published
# deficit is peak load minus station generation with no reserve on top (winter 2024/25:
# 17.4 GW load vs 16.4 GW generation = "deficit ~1.0 GW", KEGOC chair via Kazinform), so
# a margin of 0 keeps the case's capacity balance comparable with the published forecast.
# Was 12 % on a 0.95 credit, which counted the outage allowance twice. A scenario can set
# a positive margin (e.g. 0.05-0.12) as a sensitivity.
# No row for 2023: nothing can be built in the calibration year, and the 2023 fleet did not
# cover its own peak (16,626 MW load, 15,107 MW domestic generation, imports the rest), so a
# reserve requirement there could not hold; the capacity balance reports 2023 with margin 0.
RESERVE_MARGIN = {2025: 0.0, 2030: 0.0, 2035: 0.0, 2040: 0.0}

# --------------------------------------------------------------------------------------
# Build options: (zone, technology) -> (capex override, first, last, min_new, max_new)
# --------------------------------------------------------------------------------------
# Committed projects (min_new_mw, SOURCED in FACTS): Almaty CHP-2 gas conversion 557 MW;
# Aksa Kyzylorda CHP 240 MW (full operation 2026); Turkestan CCGT 1,000 MW (2026);
# Ekibastuz GRES-2 new 636 MW unit. Max values: named pipeline (SOURCED) or ASSUMPTION.
BALKHASH_NUCLEAR = dict(capex=6040, first=2035, max=2400)  # DERIVED $5,830-6,250/kW midpoint; 2 x VVER-1200
BUILD_OPTIONS: dict[tuple[str, str], tuple] = {
    # committed: built in the 2025 period (last_period 2025; the schema's min_new_mw is
    # cumulative over the horizon, so without it the model would defer them to 2040)
    ("pavlodar", "coal"): (None, None, 2025, 636, 636),  # Ekibastuz GRES-2 new unit (subcritical extension)
    ("turkestan", "gas_ccgt"): (1395, None, 2025, 1000, 1000),  # Turkestan CCGT (2026), DERIVED $1,300-1,490/kW midpoint
    ("almaty", "gas_chp"): (None, None, 2025, 557, 557),  # Almaty CHP-2 conversion to gas
    ("kyzylorda", "gas_chp"): (1785, None, 2025, 240, 240),  # Aksa Kyzylorda CHP (2026)
    # pipeline (optional)
    ("pavlodar", "coal_new"): (None, 2030, None, 0, 2640),  # Ekibastuz GRES-3 (draft coal plan)
    ("east_kazakhstan", "coal_new"): (None, 2030, None, 0, 700),  # Kurchatov
    ("akmola", "coal_chp"): (None, None, None, 0, 240),  # Kokshetau CHP
    ("east_kazakhstan", "coal_chp"): (None, None, None, 0, 720),  # Semey 360 + Ust-Kamenogorsk 360
    ("almaty", "nuclear"): (BALKHASH_NUCLEAR["capex"], BALKHASH_NUCLEAR["first"], None, 0, BALKHASH_NUCLEAR["max"]),
}
# Replacement rights for CHP cities: a zone may build new CHP of its fuel up to the
# existing CHP capacity (installed) that retires by 2040 (ASSUMPTION, heat must be replaced),
# where that is at least CHP_REPLACEMENT_MIN_MW; plants with a named replacement excluded.
CHP_REPLACEMENT_MIN_MW = 50
GAS_ZONES = ["almaty", "zhambyl", "turkestan", "kyzylorda", "atyrau", "mangystau", "west_kazakhstan", "aktobe"]
GAS_CCGT_MAX = 1000  # ASSUMPTION per gas zone
GAS_OCGT_MAX = 500  # ASSUMPTION per gas zone
WIND_MAX = {"zhambyl": 5000, "almaty": 5000, "mangystau": 3000, "akmola": 3000, "karaganda": 3000}
WIND_MAX_DEFAULT = 1500  # ASSUMPTION: grid-integration limit per zone over the horizon
SOLAR_MAX = {"almaty": 5000, "zhambyl": 5000, "turkestan": 5000, "kyzylorda": 5000}
SOLAR_MAX_DEFAULT = 1000
BATTERY_MAX = 3000  # ASSUMPTION per zone
PUMPED_HYDRO_MAX = {"almaty": 1000, "east_kazakhstan": 1000}  # ASSUMPTION: mountain relief
SMALL_HYDRO_MAX = {"almaty": 300, "east_kazakhstan": 200, "zhambyl": 100, "turkestan": 100}

# --------------------------------------------------------------------------------------
# Partners: who finances and builds (partners.csv, partner_envelopes.csv, build_options.partner)
# --------------------------------------------------------------------------------------
# WACC: FACTS gives IRENA 6.3 % for solar in Kazakhstan (2021), the Agora/PyPSA study's
# 10/15/20 %, and the case's ASSUMPTION of 10 % base. Partner values are ASSUMPTIONS placed
# in that 6.3-15 % band by the kind of money each partner brings:
#   KZ    10 %  the case's base rate (settings discount_rate): state utilities (Samruk-Energy)
#               financed from tariffs, budget and domestic banks.
#   TR    12 %  commercial, balance-sheet finance without sovereign backing (Aksa funds its
#               Kyzylorda CHP itself, FACTS "fully funded"); above the state's 10 %, below
#               the Agora 15 % high case.
#   CN     8 %  policy-bank loans (China Exim / CDB type) blended with contractor equity:
#               between IRENA's 6.3 % and the 10 % base.
#   RU     8 %  state export credit for Rosatom-led nuclear (the usual VVER export model),
#               same band as CN; sanctions risk is a scenario, not the base.
#   GULF   7 %  state-backed developers (ACWA Power, Masdar, Qatari investors) with low
#               return hurdles and long PPAs; close to IRENA's 6.3 % for KZ solar.
#   OTHER  7 %  European developers with multilateral (EBRD/ADB/IFC-type) debt, e.g.
#               TotalEnergies Mirny; IRENA's 6.3 % is itself a market estimate with such debt.
# Eligible technologies, reasoned from the FACTS pipeline ("Turkish-partnered and other
# candidate projects", "Policy"): TR builds gas plant (Aksa Kyzylorda CHP and Shymkent CCGT,
# Yildizlar Kyzylorda gas) and solar/wind (Zorlu, Calik 50 MW solar intents); Gap/Alarko
# interest in the Kokshetau coal CHP went to Chinese contractors, so TR is not given coal.
# CN: coal (Kokshetau CHP, draft coal plan), wind, solar, battery ("Chinese projects 1.8 GW").
# RU: nuclear (Balkhash, Rosatom-led) and coal CHP/new coal (Russian state finance for the
# Kokshetau/Semey/Ust-Kamenogorsk CHPs was discussed in 2023 - press, not in FACTS).
# GULF: wind + battery (ACWA Power, Masdar 1 GW each) and gas CCGT (the Qatari CCGT in the
# South, 2028). OTHER: wind + battery (TotalEnergies Mirny 1 GW + 300 MW/600 MWh), solar.
# KZ: every technology (empty list). No min/max shares and no zone caps by default.
# partner: (name, country, wacc, eligible technologies; None = all)
PARTNERS = {
    "KZ": ("Domestic / state (Samruk-Energy and other Kazakh utilities)", "Kazakhstan", 0.10, None),
    "TR": ("Turkish developers (Aksa Enerji, Zorlu, Calik, ...)", "Türkiye", 0.12,
           ["gas_ccgt", "gas_chp", "gas_ocgt", "solar", "wind"]),
    "CN": ("Chinese contractors with policy-bank finance", "China", 0.08,
           ["coal_new", "coal_chp", "solar", "wind", "battery"]),
    "RU": ("Russian state companies (Rosatom; coal plant builders)", "Russia", 0.08,
           ["nuclear", "coal_new", "coal_chp"]),
    "GULF": ("Gulf investors (ACWA Power, Masdar, Qatari investors)", "Saudi Arabia; UAE; Qatar", 0.07,
             ["wind", "solar", "battery", "gas_ccgt"]),
    "OTHER": ("European / multilateral-backed developers (TotalEnergies, ...)", "various", 0.07,
              ["wind", "solar", "battery"]),
}
# Market access: each zone x technology potential above (max_new_mw of BUILD_OPTIONS and the
# generated rows) is written to build_potentials.csv as the zone's whole potential, shared by
# every partner eligible for the technology: the engine caps the sum of all partners' options
# (build_limits.py), so partners compete for one wind resource, one gas connection point, one
# grid connection without multiplying it. The options themselves carry no max_new_mw, except
# committed projects (min = max) and named projects with their own size (Shymkent 500 MW).
# Technologies only KZ is eligible for (hydro_small, pumped_hydro) are offered by KZ alone.
# Named pipeline projects offered by one partner only (the whole potential goes to it):
# Balkhash nuclear -> RU (FACTS: Rosatom-led); Kokshetau coal CHP 240 MW -> CN (FACTS:
# "later to Chinese contractors").
SOLE_PARTNER = {("almaty", "nuclear"): "RU", ("akmola", "coal_chp"): "CN"}
# Committed projects keep the partner building them. SOURCED: Aksa Enerji, Kyzylorda CHP
# (FACTS). The builders of the Turkestan CCGT, the Almaty CHP-2 gas conversion and the
# Ekibastuz GRES-2 unit are not in FACTS: attributed to KZ (state utilities own the plants),
# to be re-attributed when sourced.
COMMITTED_PARTNER = {("kyzylorda", "gas_chp"): "TR"}
# Partner-specific capex (USD/kW) where a reason exists; otherwise the technology's cost, so
# partners differ by WACC only. ASSUMPTION: Chinese EPC and equipment set the low end of the
# published ranges - CN solar 763 and wind 1,083 (DNV 2023 Russia & FSU, 2030, via GNESTE,
# the lower of the two sources in FACTS), CN coal CHP 2,160 (low end of new Kazakh coal CHPs
# $2,160-3,080/kW, FACTS DERIVED; Kokshetau went to Chinese contractors). Cross-check for
# GULF/OTHER wind: Mirny $1.4 bn for 1 GW wind + 300 MW/600 MWh battery; with the battery at
# half the 4 h cost (741/2 $/kW x 300 MW = $0.11 bn) the wind is ~1,290 $/kW, the IIASA
# 1,309 used for every partner's wind (FACTS "wind + battery 1,400-1,500" is the bundle).
PARTNER_CAPEX = {("CN", "solar"): 763, ("CN", "wind"): 1083, ("CN", "coal_chp"): 2160}
# Named projects with their own size, offered beside the generated options (SOURCED); their
# size is added to the zone x technology potential (build_potentials):
# (zone, technology, partner) -> (capex, first_period, last_period, min_new_mw, max_new_mw)
# Aksa Shymkent CCGT 500 MW, $700 m -> 1,400 $/kW (FACTS), non-binding MoU of Apr 2024:
# ASSUMPTION first period 2030 (the 2025 period stands for 2025-2029 and an MoU of 2024
# cannot serve from 2025; Aksa's Kyzylorda took 2022 -> 2026). Shymkent is in the Turkestan
# zone (city folded into its oblast, ZONES).
NAMED_PARTNER_OPTIONS = {
    ("turkestan", "gas_ccgt", "TR"): (1400, 2030, None, 0, 500),
}
# Investment envelopes, USD of overnight capex per period (partner_envelopes.csv). Anchors (FACTS): ~$6 bn of Turkish projects in Kazakhstan in
# all sectors; Aksa Kyzylorda 215 bn KZT (~$0.43 bn at 1,785 $/kW x 240 MW) and Shymkent
# $0.7 bn; Balkhash $14-15 bn; Mirny $1.4 bn; ACWA and Masdar 1 GW wind + battery each
# (~$1.4 bn each at the Mirny cost); Chinese projects 1.8 GW (~$1.8 bn at ~1,000 $/kW).
# ASSUMPTIONS: TR $1.0 bn in 2025 (the committed Kyzylorda CHP $0.43 bn plus as much again)
# and $1.5 bn per period after (about twice the named Turkish power pipeline per five years,
# a quarter of the $6 bn all-sector stock); RU $15 bn in 2035 (the upper Balkhash figure,
# which also bounds the 2,400 MW x 6,040 $/kW = $14.5 bn build) and $1 bn in other periods
# (coal CHPs); CN $2 bn in 2025, $3 bn after (the 1.8 GW pipeline plus coal CHPs); GULF
# $3 bn per period (ACWA + Masdar wind with battery ~$2.8 bn, or a CCGT); OTHER $1.5 bn per
# period (one Mirny-sized project).
PARTNER_ENVELOPES_BN = {
    "TR": {2025: 1.0, 2030: 1.5, 2035: 1.5, 2040: 1.5},
    "CN": {2025: 2.0, 2030: 3.0, 2035: 3.0, 2040: 3.0},
    "RU": {2025: 1.0, 2030: 1.0, 2035: 15.0, 2040: 1.0},
    "GULF": {2025: 3.0, 2030: 3.0, 2035: 3.0, 2040: 3.0},
    "OTHER": {2025: 1.5, 2030: 1.5, 2035: 1.5, 2040: 1.5},
}
# KZ (state budget, Samruk-Kazyna/Samruk-Energy, domestic banks) gets an envelope too, so that
# partners' capital is what closes the gap beyond the state's own capacity to invest. No
# public figure for the state's power-investment capacity is in FACTS; ASSUMPTION: the state
# keeps investing at the pace of the programme it carries now, held flat in real terms per
# five-year period. DERIVED at the case's own costs: the committed state-built projects of
# 2025-2029 - Ekibastuz GRES-2 unit 636 MW x 1,508, Turkestan CCGT 1,000 MW x 1,395, Almaty
# CHP-2 conversion 557 MW x 1,785 $/kW = $3.35 bn - plus the two state CHPs the government
# named beside Kokshetau (Semey 360 + Ust-Kamenogorsk 360 MW, FACTS draft coal plan) at
# 720 MW x 2,620 $/kW = $1.89 bn: $5.23 bn per period, ~$1.05 bn a year.
KZ_STATE_PROJECTS = [("pavlodar", "coal"), ("turkestan", "gas_ccgt"), ("almaty", "gas_chp")]
KZ_STATE_CHP_MW = 720.0  # Semey 360 + Ust-Kamenogorsk 360 (FACTS)


def kz_envelope_bn() -> float:
    """DERIVED KZ envelope per period (USD bn): committed state projects + Semey/Ust-Kamenogorsk CHPs."""
    committed = sum(BUILD_OPTIONS[k][3] * (BUILD_OPTIONS[k][0] or TECHS[k[1]][4]) for k in KZ_STATE_PROJECTS)
    return round((committed + KZ_STATE_CHP_MW * TECHS["coal_chp"][4]) / 1e6, 2)


PARTNER_ENVELOPES_BN["KZ"] = {p: kz_envelope_bn() for p in PERIODS if p >= FIRST_BUILD_PERIOD}


# ======================================================================================
def partner_options(opts: dict[tuple[str, str], tuple]) -> dict[tuple[str, str, str], tuple]:
    """Zone x technology options -> (zone, technology, partner) options.

    Committed rows go whole to their builder (COMMITTED_PARTNER, else KZ), with min = max;
    SOLE_PARTNER rows to the named partner alone; every other zone x technology is offered
    to every partner eligible for the technology, with no cap of its own (the shared cap is
    build_potentials.csv, see build_potentials); then the NAMED_PARTNER_OPTIONS are added
    with their project size. A partner is never offered a technology it is not eligible for
    (checked here, so that the engine's eligibility filter drops nothing).
    """
    out: dict[tuple[str, str, str], tuple] = {}
    for (z, g), (c, first, last, mn, mx) in opts.items():
        if mn > 0:
            out[(z, g, COMMITTED_PARTNER.get((z, g), "KZ"))] = (c, first, last, mn, mx)
            continue
        if (z, g) in SOLE_PARTNER:
            out[(z, g, SOLE_PARTNER[(z, g)])] = (c, first, last, mn, None)
            continue
        for k, (_, _, _, eligible) in PARTNERS.items():
            if eligible is None or g in eligible:
                out[(z, g, k)] = (c if c is not None else PARTNER_CAPEX.get((k, g)), first, last, 0, None)
    for key, terms in NAMED_PARTNER_OPTIONS.items():
        assert key not in out, f"named option {key} clashes with a generated one"
        out[key] = terms
    for (z, g, k) in out:
        eligible = PARTNERS[k][3]
        assert eligible is None or g in eligible, f"{k} offered {g} in {z} but is not eligible for it"
    return out


def build_potentials(opts: dict[tuple[str, str], tuple]) -> dict[tuple[str, str], float]:
    """Zone x technology -> potential shared by all partners' options (MW over the horizon).

    The zone's potential of BUILD_OPTIONS / the generated rows, plus the size of any named
    project in the same zone x technology (Shymkent CCGT 500 MW beside the committed 1,000 MW
    Turkestan CCGT): the named project adds to the zone's potential, as it did when each
    option carried its own cap, so the shared cap removes no capacity the case offered before.
    """
    pot = {(z, g): float(mx) for (z, g), (_, _, _, _, mx) in opts.items()}
    for (z, g, _k), (_, _, _, _, mx) in NAMED_PARTNER_OPTIONS.items():
        pot[(z, g)] = pot.get((z, g), 0.0) + float(mx)
    return pot


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


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def seed_for(name: str, base: int) -> int:
    return base * 100003 + zlib.crc32(name.encode())


def assign_zone(name: str, lat: float, lon: float) -> str:
    """Nearest anchor city (load centre or a further major city of the oblast); overrides win."""
    if name in ZONE_OVERRIDES:
        return ZONE_OVERRIDES[name]
    best, best_d = None, 1e9
    for z, spec in ZONES.items():
        for pt in [spec[3], *spec[5]]:
            d = haversine_km((lat, lon), pt)
            if d < best_d:
                best, best_d = z, d
    return best


def plant_technology(row: pd.Series) -> str:
    name, fuel, kind = row["Name"], row["Fueltype"], row["Set"]
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
        big = row["Technology"] == "Reservoir" and row["Capacity"] >= LARGE_HYDRO_MIN_MW
        return "hydro" if big else "hydro_small"
    if fuel == "Wind":
        return "wind"
    if fuel == "Solar":
        return "solar"
    raise ValueError(f"unmapped plant {name!r} ({fuel})")


def fmt(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def observed_trade_mwh(ref: Path) -> dict[tuple[str, str], float]:
    """Annual imports/exports per country (MWh) in TRADE_YEAR, from the monthly statistics."""
    raw = pd.read_csv(ref / "pypsa-kz-data" / "electricity_exp-imp.csv", dtype=str)
    raw = raw[raw["GWh"].str.match(r"^[A-Z][a-z]{2} \d{4}$", na=False)].set_index("GWh")
    out = {}
    for country, year in TRADE_YEAR.items():
        for flow in ("Imp", "Exp"):
            col = f"{country} - {flow}"
            months = [m for m in raw.index if m.endswith(str(year))]
            if len(months) != 12:
                raise ValueError(f"{country} {year}: {len(months)} months")
            vals = [TRADE_FIXES.get((m, col), float(str(raw.at[m, col]).replace(",", ".") or "nan")) for m in months]
            if any(math.isnan(v) for v in vals):
                raise ValueError(f"{col} {year} has empty months")
            out[(country, flow)] = sum(vals) * 1000.0
    return out


# ======================================================================================
def build_plants(ref: Path) -> pd.DataFrame:
    """Plant list -> one row per plant with zone, technology, installed and available MW."""
    raw = pd.read_csv(ref / "pypsa-kz-data" / "custom_powerplants.csv", index_col=0)
    p = raw[["Name", "Fueltype", "Technology", "Set", "Capacity", "DateIn", "lat", "lon"]].copy()
    p["Name"] = p["Name"].str.strip()
    p["technology"] = p.apply(plant_technology, axis=1)
    p["zone"] = [assign_zone(n, la, lo) for n, la, lo in zip(p["Name"], p["lat"], p["lon"])]
    p["installed_mw"] = p["Capacity"].astype(float)
    p.loc[p["Name"] == "Ekibastuz TTP 1", "installed_mw"] = EKIBASTUZ_GRES1_MW
    maec = p["Name"].str.startswith("Kazatomprom MAEC")
    p.loc[maec, "installed_mw"] *= MAEC_TOTAL_MW / p.loc[maec, "installed_mw"].sum()
    thermal = p["technology"].map(lambda g: TECHS[g][1] == "thermal")
    p["available_mw"] = np.where(thermal, p["installed_mw"] * THERMAL_DERATE, p["installed_mw"])
    for name, mw in AVAILABLE_OVERRIDE_MW.items():
        p.loc[p["Name"] == name, "available_mw"] = mw
    p["build_year"] = p["DateIn"].astype(int)
    p["retirement_year"] = [
        RETIRE_OVERRIDES.get(n, max(y + SERVICE_LIFE[g], LIFE_EXTENSION_TO if g in LIFE_EXTENSION_TECHS else RETIRE_FLOOR))
        for n, g, y in zip(p["Name"], p["technology"], p["build_year"])
    ]
    return p


def build_existing(plants: pd.DataFrame) -> pd.DataFrame:
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
    # two plants of one cohort with different retirement years stay separate rows only if
    # their key differs; the key is zone x technology x build_year, so merge them
    dup = ex.duplicated(["zone", "technology", "build_year"], keep=False)
    if dup.any():
        raise ValueError(f"cohorts with two retirement years: {ex[dup]}")
    ex["capacity_mw"] = ex["capacity_mw"].round(1)
    ex["energy_mwh"] = 0.0
    ex = ex[["zone", "technology", "build_year", "capacity_mw", "retirement_year", "energy_mwh"]]
    return ex.sort_values(["zone", "technology", "build_year"]).reset_index(drop=True)


# ======================================================================================
def hours() -> pd.DatetimeIndex:
    """Hour starts of the reference year on the model clock (UTC+6)."""
    return pd.date_range(f"{REFERENCE_YEAR}-01-01 00:00", periods=8760, freq="h")


def korem_month_shares(ref: Path) -> np.ndarray:
    """Monthly share of annual consumption: mean of KOREM 2013 and 2018 (complete years)."""
    v = pd.read_csv(ref / "pypsa-kz-data" / "kz_demand_validation.csv")
    shares = []
    for y in (2013, 2018):
        m = v[v["year"] == y].sort_values("month")["demand_korem"].astype(float).to_numpy()
        shares.append(m / m.sum())
    return np.mean(shares, axis=0)


def demand_profiles(ref: Path, energy_mwh: dict[str, float]) -> pd.DataFrame:
    """Hourly demand per zone: monthly KOREM energy x daily/weekly shape, peak-calibrated."""
    t = hours()
    month_share = korem_month_shares(ref)
    rng = np.random.default_rng(DEMAND_SEED)
    n_days = 365
    # national day-to-day weather anomaly (AR(1)), stronger in winter
    anom = np.zeros(n_days)
    e = rng.standard_normal(n_days)
    for d in range(1, n_days):
        anom[d] = 0.7 * anom[d - 1] + math.sqrt(1 - 0.49) * e[d]
    day_month = pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=n_days, freq="D").month.to_numpy()
    winterness_m = {m: 0.5 * (1 + math.cos(2 * math.pi * (m - 1) / 12)) for m in range(1, 13)}  # 1 Jan, 0 Jul
    day_amp = np.array([DAILY_WEATHER_SD * (0.4 + 0.6 * winterness_m[m]) for m in day_month])
    day_factor = 1 + day_amp * anom

    target_peak = PEAK_2022_MW * sum(energy_mwh.values()) / 1e6 / CONSUMPTION_2022_TWH

    def base_shape(offset: int) -> np.ndarray:
        local = t + pd.Timedelta(hours=offset - MODEL_UTC_OFFSET)
        hrs, months, dows = local.hour.to_numpy(), local.month.to_numpy(), local.dayofweek.to_numpy()
        doy = np.clip(local.dayofyear.to_numpy() - 1, 0, n_days - 1)
        w = np.array([winterness_m[m] for m in months])
        dw, ds = np.array(DIURNAL_WINTER)[hrs], np.array(DIURNAL_SUMMER)[hrs]
        return (w * dw + (1 - w) * ds) * np.array(WEEKDAY_FACTOR)[dows] * day_factor[doy]

    shapes = {o: base_shape(o) for o in {spec[4] for spec in ZONES.values()}}
    model_month = t.month.to_numpy()

    def build(alpha: float, alpha_south: float) -> dict[str, np.ndarray]:
        out = {}
        for z, spec in ZONES.items():
            s = shapes[spec[4]] ** (alpha_south if spec[1] == "South" else alpha)
            prof = np.empty(8760)
            for m in range(1, 13):
                sel = model_month == m
                prof[sel] = s[sel] / s[sel].sum() * month_share[m - 1] * energy_mwh[z]
            out[z] = prof
        return out

    def national_fit(alpha_south: float) -> tuple[float, dict[str, np.ndarray]]:
        """Exponent of the non-South zones that puts the national peak on target."""
        lo, hi = 0.2, 6.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            peak = sum(build(mid, alpha_south).values()).max()
            lo, hi = (mid, hi) if peak < target_peak else (lo, mid)
        a = 0.5 * (lo + hi)
        return a, build(a, alpha_south)

    def south_share(prof: dict[str, np.ndarray]) -> float:
        south = sum(v for z, v in prof.items() if ZONES[z][1] == "South")
        return south.max() / sum(prof.values()).max()

    lo, hi = 0.2, 8.0
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if south_share(national_fit(mid)[1]) < SOUTH_PEAK_SHARE else (lo, mid)
    prof = national_fit(0.5 * (lo + hi))[1]
    rows = [pd.DataFrame({"zone": z, "timestep": np.arange(8760), "demand_mw": np.round(v, 1)}) for z, v in prof.items()]
    return pd.concat(rows, ignore_index=True)


# ======================================================================================
def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0]
    s = math.sqrt(1 - phi * phi)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + s * e[i]
    return x


def power_curve(v: np.ndarray) -> np.ndarray:
    vin, vr, vout = WIND_CURVE
    p = np.clip((v ** 3 - vin ** 3) / (vr ** 3 - vin ** 3), 0.0, 1.0)
    p[(v < vin) | (v >= vout)] = 0.0
    return p


def wind_profiles(weights: dict[str, float]) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Seeded AR(1) weather -> Weibull speeds -> power curve, calibrated per zone."""
    t = hours()
    common = ar1(np.random.default_rng(WIND_SEED), 8760, WIND_AR_PHI)
    raw = {}
    for z, spec in ZONES.items():
        local = ar1(np.random.default_rng(seed_for(z, WIND_SEED)), 8760, WIND_AR_PHI)
        x = math.sqrt(WIND_COMMON_SHARE) * common + math.sqrt(1 - WIND_COMMON_SHARE) * local
        u = np.clip(ndtr(x), 1e-9, 1 - 1e-9)
        lt = t + pd.Timedelta(hours=spec[4] - MODEL_UTC_OFFSET)
        doy, hr = lt.dayofyear.to_numpy(), lt.hour.to_numpy()
        mod = 1 + WIND_SEASONAL_AMP * np.cos(2 * np.pi * (doy - 45) / 365) + WIND_DIURNAL_AMP * np.cos(2 * np.pi * (hr - 15) / 24)
        raw[z] = (-np.log(1 - u)) ** (1 / WIND_WEIBULL_K) * mod  # speed for Weibull scale 1

    def cf_for_scale(z: str, c: float) -> np.ndarray:
        return power_curve(c * raw[z]) * WIND_LOSSES

    def calibrate(z: str, target: float) -> np.ndarray:
        lo, hi = 1.0, 25.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if cf_for_scale(z, mid).mean() < target else (lo, mid)
        return cf_for_scale(z, 0.5 * (lo + hi))

    def targets(x: float) -> dict[str, float]:
        return {z: WIND_ZONE_CF_FIXED.get(z, x + WIND_GOOD_SITE_UPLIFT.get(z, 0.0)) for z in ZONES}

    tot = sum(weights.values())
    fixed_w = sum(w * WIND_ZONE_CF_FIXED[z] for z, w in weights.items() if z in WIND_ZONE_CF_FIXED)
    free = {z: w for z, w in weights.items() if z not in WIND_ZONE_CF_FIXED}
    x = (WIND_FLEET_CF * tot - fixed_w - sum(w * WIND_GOOD_SITE_UPLIFT.get(z, 0) for z, w in free.items())) / sum(free.values())
    tg = targets(x)
    return {z: calibrate(z, tg[z]) for z in ZONES}, tg


def solar_profiles(weights: dict[str, float]) -> tuple[dict[str, np.ndarray], float]:
    """pvlib clear-sky (Ineichen) x seeded daily clearness -> tilted-plane output, fleet-calibrated."""
    import pvlib

    t_utc = (hours() - pd.Timedelta(hours=MODEL_UTC_OFFSET) + pd.Timedelta(minutes=30)).tz_localize("UTC")
    raw = {}
    for z, spec in ZONES.items():
        lat, lon = spec[3]
        loc = pvlib.location.Location(lat, lon, tz="UTC")
        sp = loc.get_solarposition(t_utc)
        cs = loc.get_clearsky(t_utc, model="ineichen", solar_position=sp)
        clear = CLEARNESS_SOUTH if spec[1] in ("South", "West") else CLEARNESS_NORTH
        rng = np.random.default_rng(seed_for(z, SOLAR_SEED))
        days = pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=366, freq="D")  # UTC shift may reach day 366
        mu = np.array([clear[m - 1] for m in days.month])
        kd = rng.beta(mu * CLEARNESS_CONCENTRATION, (1 - mu) * CLEARNESS_CONCENTRATION)
        lt = t_utc + pd.Timedelta(hours=spec[4])
        day_idx = np.clip(((lt.normalize().tz_localize(None) - pd.Timestamp(f"{REFERENCE_YEAR}-01-01")).days).to_numpy(), 0, 365)
        ghi = cs["ghi"].to_numpy() * kd[day_idx]
        zen = sp["apparent_zenith"].to_numpy()
        dec = pvlib.irradiance.erbs(ghi, zen, t_utc)
        poa = pvlib.irradiance.get_total_irradiance(
            SOLAR_TILT_DEG, 180.0, zen, sp["azimuth"].to_numpy(), dec["dni"], ghi, dec["dhi"],
            albedo=SOLAR_ALBEDO, model="isotropic")["poa_global"]
        raw[z] = np.nan_to_num(np.asarray(poa, dtype=float) / 1000.0, nan=0.0).clip(0, None)

    tot = sum(weights.values())

    def fleet(c: float) -> float:
        return sum(w * np.minimum(c * raw[z], 1.0).mean() for z, w in weights.items()) / tot

    lo, hi = 0.1, 3.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if fleet(mid) < SOLAR_FLEET_CF else (lo, mid)
    c = 0.5 * (lo + hi)
    return {z: np.minimum(c * raw[z], 1.0) for z in ZONES}, c


# ======================================================================================
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--out", type=Path, default=CASE)
    a = ap.parse_args(argv)
    ref, out = a.reference.resolve(), a.out
    out.mkdir(parents=True, exist_ok=True)

    # zones --------------------------------------------------------------------------
    fmt(pd.DataFrame([dict(zone=z, name=s[0], region=s[1], lat=s[3][0], lon=s[3][1]) for z, s in ZONES.items()]),
        out / "zones.csv")

    # periods, settings --------------------------------------------------------------
    fmt(pd.DataFrame([dict(period=p, years=PERIOD_YEARS[p], co2_price_usd_per_t=CO2_PRICE_USD_PER_T[p], co2_cap_t="",
                           min_renewable_share=MIN_RENEWABLE_SHARE[p], max_net_import_share=MAX_NET_IMPORT_SHARE)
                      for p in PERIODS]), out / "periods.csv")
    fmt(pd.DataFrame([dict(setting=k, value=v) for k, v in SETTINGS.items()]), out / "settings.csv")

    # fuels ----------------------------------------------------------------------------
    fmt(pd.DataFrame([dict(fuel=f, price_usd_per_mwh_th=v[0], co2_t_per_mwh_th=v[1]) for f, v in FUELS.items()]),
        out / "fuels.csv")
    fmt(pd.DataFrame([dict(fuel="gas", period=p, max_use_mwh_th=GAS_LIMIT_TWH_TH[p] * 1e6) for p in PERIODS]),
        out / "fuel_limits.csv")

    # existing capacity ------------------------------------------------------------------
    plants = build_plants(ref)
    existing = build_existing(plants)
    fmt(existing, out / "existing_capacity.csv")
    peak_av = thermal_peak_availability(existing)

    # technologies ---------------------------------------------------------------------
    # The old-fleet technologies count at their DERIVED winter availability in the reserve
    # margin (what could run at the 2023 peak); new-only technologies keep TECHS' 0.95.
    tech_rows = []
    for g, (name, kind, fuel, hr, capex, fom, vom, life, credit, ren, ec, ed, dur) in TECHS.items():
        credit = peak_av if g in WINTER_DERATED_TECHS else credit
        tech_rows.append(dict(technology=g, name=name, kind=kind, fuel=fuel or "", heat_rate_mwh_th_per_mwh=hr,
                              capex_usd_per_kw=capex, capex_usd_per_kwh=0.0, fom_usd_per_kw_yr=fom,
                              vom_usd_per_mwh=vom, lifetime_yr=life, availability_pu=1.0, min_output_pu=0.0,
                              capacity_credit_pu=credit, renewable=ren,
                              efficiency_charge="" if ec is None else ec,
                              efficiency_discharge="" if ed is None else ed,
                              duration_h="" if dur is None else dur))
    fmt(pd.DataFrame(tech_rows), out / "technologies.csv")

    # hydro budgets ----------------------------------------------------------------------
    big = existing[existing["technology"] == "hydro"].groupby("zone")["capacity_mw"].sum()
    fmt(pd.DataFrame([dict(zone=z, technology="hydro", period=p, energy_mwh=round(mw * LARGE_HYDRO_CF * 8760, 0))
                      for z, mw in big.items() for p in PERIODS]), out / "hydro_budgets.csv")

    # timesteps --------------------------------------------------------------------------
    t = hours()
    fmt(pd.DataFrame({"timestep": np.arange(8760), "weight": 1, "block": 0, "month": t.month}), out / "timesteps.csv")

    # demand -----------------------------------------------------------------------------
    od = pd.read_csv(ref / "pypsa-kz-data" / "official_demand_2022.csv")
    gwh = dict(zip(od["Region"], od["Consumption (GWh)"]))
    energy = {z: gwh[s[2]] * 1000.0 for z, s in ZONES.items()}
    fmt(demand_profiles(ref, energy), out / "demand.csv")

    ref_twh = sum(energy.values()) / 1e6
    national = {2023: CONSUMPTION_2023_TWH}
    for p in PERIODS[1:]:
        years_in_outlook = min(p, OUTLOOK_LAST_YEAR) - 2024
        after = max(0, p - OUTLOOK_LAST_YEAR)
        national[p] = CONSUMPTION_2024_TWH * (1 + OUTLOOK_GROWTH) ** years_in_outlook * (1 + GROWTH_AFTER_OUTLOOK) ** after
    fmt(pd.DataFrame([dict(zone=z, period=p, multiplier=round(national[p] / ref_twh, 4)) for z in ZONES for p in PERIODS]),
        out / "demand_growth.csv")

    # availability -------------------------------------------------------------------------
    cap = existing.groupby(["technology", "zone"])["capacity_mw"].sum()
    wind, wind_targets = wind_profiles(cap["wind"].to_dict())
    solar, solar_scale = solar_profiles(cap["solar"].to_dict())
    small_zones = sorted(set(cap["hydro_small"].index) | {z for z, _ in SMALL_HYDRO_MAX.items()})
    small = np.array(SMALL_HYDRO_MONTHLY)[t.month.to_numpy() - 1]
    av = []
    for z in ZONES:
        av.append(pd.DataFrame({"zone": z, "technology": "wind", "timestep": np.arange(8760), "availability_pu": np.round(wind[z], 3)}))
        av.append(pd.DataFrame({"zone": z, "technology": "solar", "timestep": np.arange(8760), "availability_pu": np.round(solar[z], 3)}))
    for z in small_zones:
        av.append(pd.DataFrame({"zone": z, "technology": "hydro_small", "timestep": np.arange(8760), "availability_pu": small}))
    winter = np.where(np.isin(t.month.to_numpy(), WINTER_MONTHS), peak_av, 1.0)
    old = existing[existing["technology"].isin(WINTER_DERATED_TECHS) & (existing["retirement_year"] > PERIODS[0])]
    for z, g in sorted(set(zip(old["zone"], old["technology"]))):
        av.append(pd.DataFrame({"zone": z, "technology": g, "timestep": np.arange(8760), "availability_pu": winter}))
    avail = pd.concat(av, ignore_index=True).sort_values(["zone", "technology", "timestep"])
    avail["availability_pu"] = avail["availability_pu"].clip(0.0, 1.0) + 0.0  # no -0.0
    fmt(avail, out / "availability.csv")

    # build options ------------------------------------------------------------------------
    opts = dict(BUILD_OPTIONS)
    retiring = plants[(plants["retirement_year"] <= PERIODS[-1]) & ~plants["Name"].isin(list(RETIRE_OVERRIDES))]
    installed = retiring.groupby(["zone", "technology"])["installed_mw"].sum()
    for (z, g), mw in installed.items():
        if g in CHP_TECHS and mw >= CHP_REPLACEMENT_MIN_MW and (z, g) not in opts:
            opts[(z, g)] = (None, None, None, 0, round(mw, 0))
    for z in GAS_ZONES:
        opts.setdefault((z, "gas_ccgt"), (None, None, None, 0, GAS_CCGT_MAX))
        opts.setdefault((z, "gas_ocgt"), (None, None, None, 0, GAS_OCGT_MAX))
    for z in ZONES:
        opts.setdefault((z, "wind"), (None, None, None, 0, WIND_MAX.get(z, WIND_MAX_DEFAULT)))
        opts.setdefault((z, "solar"), (None, None, None, 0, SOLAR_MAX.get(z, SOLAR_MAX_DEFAULT)))
        opts.setdefault((z, "battery"), (None, None, None, 0, BATTERY_MAX))
    for z, mw in PUMPED_HYDRO_MAX.items():
        opts.setdefault((z, "pumped_hydro"), (None, None, None, 0, mw))
    for z, mw in SMALL_HYDRO_MAX.items():
        opts.setdefault((z, "hydro_small"), (None, None, None, 0, mw))
    bo = pd.DataFrame([dict(zone=z, technology=g, partner=k, capex_usd_per_kw="" if c is None else c,
                            first_period=first or FIRST_BUILD_PERIOD, last_period="" if last is None else last,
                            min_new_mw=mn, max_new_mw="" if mx is None else mx)
                       for (z, g, k), (c, first, last, mn, mx) in partner_options(opts).items()])
    fmt(bo.sort_values(["zone", "technology", "partner"]), out / "build_options.csv")
    fmt(pd.DataFrame([dict(zone=z, technology=g, max_new_mw=mw) for (z, g), mw in sorted(build_potentials(opts).items())]),
        out / "build_potentials.csv")

    # partners -------------------------------------------------------------------------------
    fmt(pd.DataFrame([dict(partner=k, name=n, country=c, wacc=w, eligible_technologies=";".join(el or []),
                           min_share=0.0, max_share=1.0) for k, (n, c, w, el) in PARTNERS.items()]),
        out / "partners.csv")
    fmt(pd.DataFrame([dict(partner=k, period=p, max_investment_usd=bn * 1e9)
                      for k, by_p in PARTNER_ENVELOPES_BN.items() for p, bn in by_p.items()]),
        out / "partner_envelopes.csv")

    # CHP must-run ------------------------------------------------------------------------
    chp_pairs = sorted({(z, g) for z, g in zip(existing["zone"], existing["technology"]) if g in CHP_TECHS}
                       | {(z, g) for (z, g) in opts if g in CHP_TECHS})
    mo_pu = np.array(CHP_MIN_OUTPUT_MONTHLY)[t.month.to_numpy() - 1]
    fmt(pd.concat([pd.DataFrame({"zone": z, "technology": g, "timestep": np.arange(8760), "min_output_pu": mo_pu})
                   for z, g in chp_pairs], ignore_index=True), out / "min_output.csv")

    # corridors ----------------------------------------------------------------------------
    cor = []
    for a_, b_, mw, avail_from in CORRIDORS:
        length = haversine_km(ZONES[a_][3], ZONES[b_][3]) * ROUTE_FACTOR
        cor.append(dict(corridor=f"{a_}-{b_}", from_zone=a_, to_zone=b_, capacity_mw=mw, available_from=avail_from,
                        loss_pu=round(LOSS_PER_1000KM * length / 1000, 4), length_km=round(length, 0),
                        capex_usd_per_mw_km=round(HVAC_EUR_PER_MW_KM * EUR_TO_USD, 1),
                        max_new_mw=CORRIDOR_MAX_NEW_MW, lifetime_yr=40, capacity_credit_pu=CORRIDOR_CREDIT))
    fmt(pd.DataFrame(cor), out / "corridors.csv")

    # interconnectors and trade ------------------------------------------------------------
    fmt(pd.DataFrame([dict(interconnector=i, zone=z, market=m, import_mw=mw, export_mw=mw, capacity_credit_pu=cc)
                      for i, z, m, mw, cc in INTERCONNECTORS]), out / "interconnectors.csv")
    trade = observed_trade_mwh(ref)
    for flow, total in TRADE_TOTAL_MWH.items():
        seen = sum(v for (m, f), v in trade.items() if f == flow)
        trade.update({(m, f): v * total / seen for (m, f), v in trade.items() if f == flow})
    country_mw = {m: sum(mw for _, _, m2, mw, _ in INTERCONNECTORS if m2 == m) for m in TRADE_YEAR}
    fmt(pd.DataFrame([dict(interconnector=i, period=p, import_price_usd_per_mwh=TRADE_PRICES[m][0],
                           export_price_usd_per_mwh=TRADE_PRICES[m][1],
                           min_import_mwh=(round(trade[(m, "Imp")] * mw / country_mw[m], 0)
                                           if p in OBSERVED_TRADE_PERIODS else ""),
                           max_import_mwh=round(trade[(m, "Imp")] * mw / country_mw[m], 0),
                           max_export_mwh=round(trade[(m, "Exp")] * mw / country_mw[m], 0))
                      for i, z, m, mw, cc in INTERCONNECTORS for p in PERIODS]), out / "trade_prices.csv")

    # reserve margins ----------------------------------------------------------------------
    fmt(pd.DataFrame([dict(region="*", period=p, margin_pu=m) for p, m in RESERVE_MARGIN.items()]),
        out / "reserve_margins.csv")

    # summary ------------------------------------------------------------------------------
    print(f"reference demand {ref_twh:.3f} TWh; national by period (TWh): "
          + ", ".join(f"{p}: {v:.1f}" for p, v in national.items()))
    print("wind zone CF targets:", {z: round(v, 3) for z, v in wind_targets.items()})
    print(f"solar output scale (POA/1000 x {solar_scale:.3f}, clipped at 1)")
    print(f"winter availability of the old thermal fleet (Dec-Feb): {peak_av}")


if __name__ == "__main__":
    main()
