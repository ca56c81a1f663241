"""Corridors between zones, interconnectors to neighbours, trade (SOURCES.md: corridors,
interconnectors, trade_prices)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .common import PERIODS, ZONES, haversine_km


@dataclass(frozen=True)
class Corridor:
    from_zone: str
    to_zone: str
    capacity_mw: float
    available_from: int = 0


@dataclass(frozen=True)
class Interconnector:
    id: str
    zone: str
    market: str
    mw: float
    capacity_credit_pu: float


@dataclass(frozen=True)
class TradePrice:
    import_usd_per_mwh: float
    export_usd_per_mwh: float


ROUTE_FACTOR = 1.15  # ASSUMPTION: line length = great-circle x 1.15
LOSS_PER_1000KM = 0.05  # ASSUMPTION: 5 % per 1,000 km for 500 kV AC
EUR_TO_USD = 1.08  # ASSUMPTION: ~2023 average ECB reference rate (1.081)
HVAC_EUR_PER_MW_KM = 750  # Danish Energy Agency via PyPSA technology-data (FACTS)
CORRIDOR_MAX_NEW_MW = 2000  # ASSUMPTION: per corridor over the horizon
CORRIDOR_CREDIT = 0.8  # ASSUMPTION: N-1 risk (the Feb 2023 Ekibastuz-Agadyr trip)
CORRIDOR_LIFETIME_YR = 40  # ASSUMPTION, schema default
# SOURCED: North->South transit 2,100 MW (KEGOC, Dec 2018, was 1,450). FACTS gives only the total.
# ASSUMPTION, the split over three corridors: the 1,450 MW before 2018 is taken to be the two 500 kV
# transit paths south of Agadyr (Agadyr-YuKGRES-Almaty, Agadyr-Shu), evenly, since no per-path
# rating is published; the 650 MW increment is taken to be the 2018 Shulbinsk-Aktogay-Taldykorgan-
# Alma line (East Kazakhstan -> Almaty), the new North-South path of that year. Neither the paths
# nor the line is in FACTS or the reference data. The three sum to the sourced 2,100 MW.
C = Corridor
CORRIDORS = (
    C("karaganda", "almaty", 725),
    C("karaganda", "zhambyl", 725),
    C("east_kazakhstan", "almaty", 650),
    # North internal 500 kV/1150 kV-built ring: ASSUMPTION ratings (not binding in practice)
    C("pavlodar", "akmola", 2000),
    C("pavlodar", "karaganda", 2000),
    C("pavlodar", "east_kazakhstan", 1500),
    C("akmola", "karaganda", 1000),
    C("akmola", "north_kazakhstan", 1000),
    C("akmola", "kostanay", 1000),
    C("kostanay", "aktobe", 500),
    # South internal: ASSUMPTION ratings (500 kV Alma-Shu, Zhambyl-Shymkent; 220 kV to Kyzylorda)
    C("almaty", "zhambyl", 1000),
    C("zhambyl", "turkestan", 1000),
    C("turkestan", "kyzylorda", 300),
    # North-South candidate without existing capacity (Zhezkazgan-Kyzylorda)
    C("karaganda", "kyzylorda", 0),
    # West: SOURCED (KEGOC via PM office Nov 2023; KEGOC via Trend 2024)
    C("west_kazakhstan", "atyrau", 200),
    C("atyrau", "mangystau", 200),
    # Karabatan-Ulke 500 kV, due Dec 2027: first full year in service 2028
    C("atyrau", "aktobe", 500, 2028),
)
del C

# ASSUMPTION Russia rating: 2,200 MW over the five border oblasts (>= 1,519 MW flowed
# 13 Dec 2023, KEGOC chair). SOURCED Kyrgyzstan 508, Uzbekistan 380 (IIASA model values).
I = Interconnector
INTERCONNECTORS = (
    I("ru_pavlodar", "pavlodar", "Russia", 800, 0.3),
    I("ru_kostanay", "kostanay", "Russia", 400, 0.3),
    I("ru_north_kazakhstan", "north_kazakhstan", "Russia", 300, 0.3),
    I("ru_aktobe", "aktobe", "Russia", 300, 0.3),
    I("ru_west_kazakhstan", "west_kazakhstan", "Russia", 400, 0.3),
    I("kg_almaty", "almaty", "Kyrgyzstan", 254, 0.0),
    I("kg_zhambyl", "zhambyl", "Kyrgyzstan", 254, 0.0),
    I("uz_turkestan", "turkestan", "Uzbekistan", 380, 0.0),
)
del I
# ASSUMPTION trade prices USD/MWh (real, flat): imports above the marginal cost of
# domestic coal so that they serve balancing, not baseload; every export price below
# every import price so that the model cannot arbitrage through Kazakhstan.
TRADE_PRICES = {"Russia": TradePrice(55.0, 35.0), "Kyrgyzstan": TradePrice(45.0, 40.0), "Uzbekistan": TradePrice(50.0, 40.0)}
# DERIVED annual trade limits: each country's imports and exports in its latest complete
# calendar year in electricity_exp-imp.csv (Bureau of National Statistics via pypsa-kz-data;
# Russia and Kyrgyzstan 2022, Uzbekistan 2021 - its 2022 cells are empty), with the July
# 2022 Kyrgyzstan import "1543" read as 154.3 (FACTS defect), split over a country's links
# by MW, then scaled to the SOURCED 2023 national totals (FACTS: imports 3.4 TWh, exports
# 1.4 TWh; Bureau of National Statistics). ASSUMPTION: trade stays at that level.
TRADE_YEAR = {"Russia": 2022, "Kyrgyzstan": 2022, "Uzbekistan": 2021}
TRADE_FIXES = {("Jul 2022", "Kyrgyzstan - Imp"): 154.3}
TRADE_TOTAL_MWH = {"Imp": 3.4e6, "Exp": 1.4e6}
# In the calibration base year trade is what was observed, not a decision: the published 2023
# imports must be taken (min_import_mwh = max_import_mwh). Later periods leave imports free.
OBSERVED_TRADE_PERIODS = (2023,)


def corridors_table() -> pd.DataFrame:
    rows = []
    for c in CORRIDORS:
        length = haversine_km(ZONES[c.from_zone].centre, ZONES[c.to_zone].centre) * ROUTE_FACTOR
        rows.append(dict(corridor=f"{c.from_zone}-{c.to_zone}", from_zone=c.from_zone, to_zone=c.to_zone,
                         capacity_mw=c.capacity_mw, available_from=c.available_from,
                         loss_pu=round(LOSS_PER_1000KM * length / 1000, 4), length_km=round(length, 0),
                         capex_usd_per_mw_km=round(HVAC_EUR_PER_MW_KM * EUR_TO_USD, 1),
                         max_new_mw=CORRIDOR_MAX_NEW_MW, lifetime_yr=CORRIDOR_LIFETIME_YR,
                         capacity_credit_pu=CORRIDOR_CREDIT))
    return pd.DataFrame(rows)


def interconnectors_table() -> pd.DataFrame:
    return pd.DataFrame([dict(interconnector=i.id, zone=i.zone, market=i.market, import_mw=i.mw, export_mw=i.mw,
                              capacity_credit_pu=i.capacity_credit_pu) for i in INTERCONNECTORS])


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


def trade_prices_table(ref: Path) -> pd.DataFrame:
    trade = observed_trade_mwh(ref)
    for flow, total in TRADE_TOTAL_MWH.items():
        seen = sum(v for (m, f), v in trade.items() if f == flow)
        trade.update({(m, f): v * total / seen for (m, f), v in trade.items() if f == flow})
    country_mw = {m: sum(i.mw for i in INTERCONNECTORS if i.market == m) for m in TRADE_YEAR}
    rows = []
    for i in INTERCONNECTORS:
        imp = trade[(i.market, "Imp")] * i.mw / country_mw[i.market]
        exp = trade[(i.market, "Exp")] * i.mw / country_mw[i.market]
        for p in PERIODS:
            rows.append(dict(interconnector=i.id, period=p, import_price_usd_per_mwh=TRADE_PRICES[i.market].import_usd_per_mwh,
                             export_price_usd_per_mwh=TRADE_PRICES[i.market].export_usd_per_mwh,
                             min_import_mwh=round(imp, 0) if p in OBSERVED_TRADE_PERIODS else "",
                             max_import_mwh=round(imp, 0), max_export_mwh=round(exp, 0)))
    return pd.DataFrame(rows)
