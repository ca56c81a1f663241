"""Periods, policy, settings, fuels and the reserve margin (SOURCES.md: periods, settings, fuels,
fuel_limits, reserve_margins)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .common import PERIOD_YEARS, PERIODS, ZONES


@dataclass(frozen=True)
class Fuel:
    price_usd_per_mwh_th: float
    co2_t_per_mwh_th: float


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

# Fuel price ASSUMPTIONS per FACTS; emission factors SOURCED from FACTS.
FUELS = {
    "coal": Fuel(3.0, 0.336),  # mine-mouth coal 2-4 $/MWh_th (FACTS ASSUMPTION) -> midpoint
    "gas": Fuel(11.0, 0.198),  # regulated gas 8-15 $/MWh_th (FACTS ASSUMPTION) -> ~midpoint
    "uranium": Fuel(2.5, 0.0),  # ASSUMPTION: ~7 $/MWh_e of nuclear fuel at 35 % efficiency
}
# Gas for power, TWh_th per year. DERIVED 2023 use: generation 112.82 TWh x (1 - 0.712
# coal) minus hydro (~9.2 TWh, hydro budgets below) minus wind/solar/small hydro
# (~6.7 TWh, 5.92 % RES share) ~ 16.6 TWh_e of gas power x ~2.8 MWh_th/MWh ~ 46 TWh_th.
# ASSUMPTION (no published figure gives the steps): 2023 = that use plus ~4 TWh_th slack; 2025 +15
# TWh_th for the committed gas plants of the 2025 period (Turkestan CCGT 1,000 MW x 1.786, Almaty
# CHP-2 557 MW and Kyzylorda CHP 240 MW x 2.5 = 33 TWh_th at full output all year; 65 - 46 = 19
# lets them run at ~0.57 on average); then supply for power grows by ~1 bcm (~10 TWh_th) per
# five years from new processing capacity, but no faster: the Ministry warns of a domestic gas deficit.
GAS_LIMIT_TWH_TH = {2023: 50, 2025: 65, 2030: 75, 2035: 85, 2040: 95}

# ASSUMPTION: 0 in every period. The firm capacity it is measured against is already what
# could run at a winter peak (fleet.py: every technology counts at its winter-peak
# availability), which carries the forced outages a margin would otherwise stand for; and
# KEGOC's published deficit is peak load minus station generation with no reserve on top
# (winter 2024/25: 17.4 GW load vs 16.4 GW generation, a deficit of 1.0 GW; Ministry of Energy
# Jul 2025; KEGOC, FACTS), so a margin of 0 keeps the case's capacity balance comparable with the published
# forecast. A scenario can set a positive margin (e.g. 0.05-0.12) as a sensitivity.
# No row for 2023: nothing can be built in the calibration year, and the 2023 fleet did not
# cover its own peak (16,626 MW load, 15,107 MW domestic generation, imports the rest).
RESERVE_MARGIN = {2025: 0.0, 2030: 0.0, 2035: 0.0, 2040: 0.0}


def zones_table() -> pd.DataFrame:
    return pd.DataFrame([dict(zone=z, name=s.name, region=s.region, lat=s.lat, lon=s.lon) for z, s in ZONES.items()])


def periods_table() -> pd.DataFrame:
    return pd.DataFrame([dict(period=p, years=PERIOD_YEARS[p], co2_price_usd_per_t=CO2_PRICE_USD_PER_T[p], co2_cap_t="",
                              min_renewable_share=MIN_RENEWABLE_SHARE[p], max_net_import_share=MAX_NET_IMPORT_SHARE)
                         for p in PERIODS])


def settings_table() -> pd.DataFrame:
    return pd.DataFrame([dict(setting=k, value=v) for k, v in SETTINGS.items()])


def fuels_table() -> pd.DataFrame:
    return pd.DataFrame([dict(fuel=f, price_usd_per_mwh_th=v.price_usd_per_mwh_th, co2_t_per_mwh_th=v.co2_t_per_mwh_th)
                         for f, v in FUELS.items()])


def fuel_limits_table() -> pd.DataFrame:
    return pd.DataFrame([dict(fuel="gas", period=p, max_use_mwh_th=GAS_LIMIT_TWH_TH[p] * 1e6) for p in PERIODS])


def reserve_margins_table() -> pd.DataFrame:
    return pd.DataFrame([dict(region="*", period=p, margin_pu=m) for p, m in RESERVE_MARGIN.items()])
