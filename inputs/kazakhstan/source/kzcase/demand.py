"""Demand: 2022 oblast consumption shaped hourly, and its growth by zone and period (SOURCES.md:
demand, demand_growth, timesteps)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .common import MODEL_UTC_OFFSET, PERIODS, REFERENCE_YEAR, REGIONS, ZONES, hours

PEAK_2022_MW = 16459.0  # KEGOC/Trend 2022 peak
# SOURCED (FACTS "Demand", 2024 row: Ministry of Energy Jul 2025; KEGOC): winter 2024/25 maximum
# load 17.4 GW nationally, the South's above 4,500 MW -> the South's own peak is
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
# Growth by region. SOURCED (Ministry of Energy outlook to 2029, via Ranking.kz 2023, FACTS): the
# South is short 11.8-12.7 TWh a year, North+East in surplus by 8-10 TWh, the West by 1-3 TWh, one
# range per region over the outlook years. ASSUMPTION: each region keeps its balance over
# 2023-2029 (the midpoint of its range at both ends). Then a region's demand grows by what its
# own new supply adds, plus its share of the growth that no committed plant covers:
#   D_r(2029) = D_r(2023) + E_r + s_r x (D(2029) - D(2023) - sum_r E_r)
# with s_r the region's share of 2022 consumption (2023 is split like 2022: no regional figure
# is published for it), and E_r the energy of the committed projects in region r net of the
# plants they replace, at the 2023 fleet's load factor (DERIVED below). The uncovered growth is
# split like today's demand because nothing published says where it falls. The national outlook
# is kept exactly; regional shares move linearly from 2023 to 2029 and stay there after.
# Was: one multiplier for every zone, which gave every region the national growth rate.
# DERIVED: 2023 generation 112.82 TWh over the available capacity of 1 Jan 2023 (20,761.7 MW,
# KEGOC) x 8,760 h = 0.620, the energy a MW of the 2023 fleet delivered on average.
FLEET_LOAD_FACTOR_2023 = 112.82e6 / (20761.7 * 8760)
# ASSUMPTION: daily load shapes (local time, share of the daily mean before the peak
# calibration), winter = Dec-Feb, summer = Jun-Aug, blended by month in between.
DIURNAL_WINTER = (0.90, 0.88, 0.87, 0.87, 0.88, 0.90, 0.94, 0.99, 1.02, 1.03, 1.03, 1.02,
                  1.01, 1.01, 1.01, 1.02, 1.04, 1.08, 1.11, 1.12, 1.10, 1.06, 1.00, 0.95)
DIURNAL_SUMMER = (0.93, 0.91, 0.90, 0.89, 0.89, 0.90, 0.93, 0.97, 1.00, 1.02, 1.03, 1.04,
                  1.04, 1.04, 1.04, 1.03, 1.03, 1.03, 1.03, 1.04, 1.06, 1.07, 1.03, 0.97)
WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 1.0, 0.97, 0.94)  # Mon..Sun, ASSUMPTION
DAILY_WEATHER_SD = 0.025  # ASSUMPTION: sd of day-to-day load anomaly (cold spells), winter
DEMAND_SEED = 20220101
# Inter-zonal losses (SOURCES.md demand.csv): the published consumption holds every grid loss, so
# each zone's demand is net of the corridor losses that fall in it (half of each corridor's loss to
# each end zone), as a share of its demand, DERIVED by source/corridor_losses.py from a solve of the
# base year (a fixed point with this generator; no published figure is a target).
LOSS_FILE = Path(__file__).resolve().parents[1] / "corridor_losses.csv"


def loss_shares(path: Path = LOSS_FILE) -> dict[str, float]:
    """zone -> the share of its demand lost on the corridors (source/corridor_losses.csv)."""
    t = pd.read_csv(path)
    missing = sorted(set(ZONES) - set(t["zone"]))
    if missing:
        raise ValueError(f"{path}: no loss share for zones {missing}; rerun source/corridor_losses.py")
    return dict(zip(t["zone"], t["loss_share"].astype(float)))


def reference_energy_mwh(ref: Path) -> dict[str, float]:
    """2022 consumption of each zone (MWh), pypsa-kz-data official_demand_2022.csv."""
    od = pd.read_csv(ref / "pypsa-kz-data" / "official_demand_2022.csv")
    gwh = dict(zip(od["Region"], od["Consumption (GWh)"]))
    return {z: gwh[s.demand_name] * 1000.0 for z, s in ZONES.items()}


def national_twh_in(year: int) -> float:
    """National consumption of a year: 2023 published, then the Ministry outlook from 2024's actual."""
    if year == 2023:
        return CONSUMPTION_2023_TWH
    years_in_outlook = min(year, OUTLOOK_LAST_YEAR) - 2024
    after = max(0, year - OUTLOOK_LAST_YEAR)
    return CONSUMPTION_2024_TWH * (1 + OUTLOOK_GROWTH) ** years_in_outlook * (1 + GROWTH_AFTER_OUTLOOK) ** after


def national_twh() -> dict[int, float]:
    return {p: national_twh_in(p) for p in PERIODS}


def region_of(energy_mwh: dict[str, float]) -> dict[str, float]:
    """2022 consumption by region (TWh)."""
    return {r: sum(v for z, v in energy_mwh.items() if ZONES[z].region == r) / 1e6 for r in REGIONS}


def regional_shares(energy_mwh: dict[str, float], new_supply_mw: dict[str, float]) -> dict[int, dict[str, float]]:
    """Each region's share of national consumption in the years 2023 and OUTLOOK_LAST_YEAR (formula above)."""
    ref = region_of(energy_mwh)
    s = {r: v / sum(ref.values()) for r, v in ref.items()}
    d23 = {r: s[r] * CONSUMPTION_2023_TWH for r in REGIONS}
    e = {r: new_supply_mw.get(r, 0.0) * FLEET_LOAD_FACTOR_2023 * 8760 / 1e6 for r in REGIONS}
    d29_nat = national_twh_in(OUTLOOK_LAST_YEAR)
    uncovered = d29_nat - CONSUMPTION_2023_TWH - sum(e.values())
    d29 = {r: d23[r] + e[r] + s[r] * uncovered for r in REGIONS}
    return {2023: s, OUTLOOK_LAST_YEAR: {r: d29[r] / d29_nat for r in REGIONS}}


def region_share_in(shares: dict[int, dict[str, float]], region: str, year: int) -> float:
    a, b = min(shares), max(shares)
    w = min(1.0, max(0.0, (year - a) / (b - a)))
    return (1 - w) * shares[a][region] + w * shares[b][region]


def regional_twh(energy_mwh: dict[str, float], new_supply_mw: dict[str, float]) -> dict[tuple[str, int], float]:
    """Consumption by region and year (TWh), for the periods and the outlook's last year."""
    shares = regional_shares(energy_mwh, new_supply_mw)
    years = sorted(set(PERIODS) | {OUTLOOK_LAST_YEAR})
    return {(r, y): region_share_in(shares, r, y) * national_twh_in(y) for r in REGIONS for y in years}


def demand_growth_table(energy_mwh: dict[str, float], new_supply_mw: dict[str, float]) -> pd.DataFrame:
    """Multiplier of a zone = its region's consumption in the period over the region's 2022 consumption."""
    ref = region_of(energy_mwh)
    reg = regional_twh(energy_mwh, new_supply_mw)
    return pd.DataFrame([dict(zone=z, period=p, multiplier=round(reg[(ZONES[z].region, p)] / ref[ZONES[z].region], 4))
                         for z in ZONES for p in PERIODS])


def timesteps_table() -> pd.DataFrame:
    return pd.DataFrame({"timestep": np.arange(8760), "weight": 1, "block": 0, "month": hours().month})


def korem_month_shares(ref: Path) -> np.ndarray:
    """Monthly share of annual consumption: mean of KOREM 2013 and 2018 (complete years)."""
    v = pd.read_csv(ref / "pypsa-kz-data" / "kz_demand_validation.csv")
    shares = []
    for y in (2013, 2018):
        m = v[v["year"] == y].sort_values("month")["demand_korem"].astype(float).to_numpy()
        shares.append(m / m.sum())
    return np.mean(shares, axis=0)


def _day_factor(n_days: int) -> np.ndarray:
    """National day-to-day weather anomaly (AR(1)), stronger in winter.

    ASSUMPTIONS (no daily load data are in the reference data; both are judgements): persistence 0.7
    per day, so a cold spell's anomaly halves in about two days (0.7^2 = 0.49); amplitude
    DAILY_WEATHER_SD x (0.4 + 0.6 x winterness), i.e. sd 2.5 % in January and 1.0 % in July, since
    weather moves heating load more than summer load.
    """
    rng = np.random.default_rng(DEMAND_SEED)
    anom = np.zeros(n_days)
    e = rng.standard_normal(n_days)
    for d in range(1, n_days):
        anom[d] = 0.7 * anom[d - 1] + math.sqrt(1 - 0.49) * e[d]
    day_month = pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=n_days, freq="D").month.to_numpy()
    day_amp = np.array([DAILY_WEATHER_SD * (0.4 + 0.6 * _winterness(m)) for m in day_month])
    return 1 + day_amp * anom


def _winterness(month: int) -> float:
    return 0.5 * (1 + math.cos(2 * math.pi * (month - 1) / 12))  # 1 in January, 0 in July


def demand_table(ref: Path, energy_mwh: dict[str, float], loss_share: dict[str, float]) -> pd.DataFrame:
    """Hourly demand per zone: monthly KOREM energy x daily/weekly shape, peak-calibrated on the published
    consumption (losses included), then net of the zone's share of the inter-zonal losses."""
    t = hours()
    month_share = korem_month_shares(ref)
    n_days = 365
    day_factor = _day_factor(n_days)
    target_peak = PEAK_2022_MW * sum(energy_mwh.values()) / 1e6 / CONSUMPTION_2022_TWH
    winterness_m = {m: _winterness(m) for m in range(1, 13)}

    def base_shape(offset: int) -> np.ndarray:
        local = t + pd.Timedelta(hours=offset - MODEL_UTC_OFFSET)
        hrs, months, dows = local.hour.to_numpy(), local.month.to_numpy(), local.dayofweek.to_numpy()
        doy = np.clip(local.dayofyear.to_numpy() - 1, 0, n_days - 1)
        w = np.array([winterness_m[m] for m in months])
        dw, ds = np.array(DIURNAL_WINTER)[hrs], np.array(DIURNAL_SUMMER)[hrs]
        return (w * dw + (1 - w) * ds) * np.array(WEEKDAY_FACTOR)[dows] * day_factor[doy]

    shapes = {o: base_shape(o) for o in {spec.utc_offset for spec in ZONES.values()}}
    model_month = t.month.to_numpy()

    def build(alpha: float, alpha_south: float) -> dict[str, np.ndarray]:
        out = {}
        for z, spec in ZONES.items():
            s = shapes[spec.utc_offset] ** (alpha_south if spec.region == "South" else alpha)
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
        south = sum(v for z, v in prof.items() if ZONES[z].region == "South")
        return south.max() / sum(prof.values()).max()

    lo, hi = 0.2, 8.0
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if south_share(national_fit(mid)[1]) < SOUTH_PEAK_SHARE else (lo, mid)
    prof = national_fit(0.5 * (lo + hi))[1]
    rows = [pd.DataFrame({"zone": z, "timestep": np.arange(8760), "demand_mw": np.round(v * (1 - loss_share[z]), 1)})
            for z, v in prof.items()]
    return pd.concat(rows, ignore_index=True)
