"""Wind and solar availability profiles (SOURCES.md: availability, wind and solar rows)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import ndtr  # standard normal CDF

from .common import MODEL_UTC_OFFSET, REFERENCE_YEAR, ZONES, hours, seed_for

WIND_FLEET_CF = 0.33  # FACTS DERIVED fleet capacity factor
# SOURCED site values (FACTS): Zhanatas 0.40 (Zhambyl), Arshaly 0.34 (Akmola)
WIND_ZONE_CF_FIXED = {"zhambyl": 0.40, "akmola": 0.34}
# ASSUMPTION: zones with good sites named in FACTS but no published CF get +0.03 over the
# common value solved so that the fleet (weighted by existing capacity) averages 0.33.
WIND_GOOD_SITE_UPLIFT = {"almaty": 0.03, "mangystau": 0.03}
# Wind resource classes (finding 8). No wind atlas or ERA5 profile is in the reference data, so the
# classes rest on the site values above. ASSUMPTION: a zone with a named site value better than the
# common value (Zhambyl, Akmola, Almaty, Mangystau) reaches it on a first tranche of WIND_CLASS1_MW of
# new wind (`wind`: one 1 GW project of the named pipeline - Mirny, ACWA Power, Masdar are each 1 GW -
# per good-site zone); the rest of its potential (`wind_c2`) lies on sites nobody has named, which
# the case describes by the common value (the CF that, with the named zones, gives the fleet's 0.33;
# IIASA MESSAGEix-CAS's Kazakh wind plant runs at 0.3315). Both classes see the zone's weather: the
# class-2 profile is the same speeds at a lower scale. Zones at the common value have one class.
WIND_CLASS1_MW = 1000
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
# ASSUMPTION: ground albedo 0.2, the usual value for grass and bare soil. Snow in the northern winter
# (0.6-0.8) would add about 0.05 x GHI of ground-reflected light on the 35-degree plane ((1 - cos 35)/2
# = 0.09 of albedo x GHI) in months of little sun; the fleet CF is fitted to 0.165 through one factor
# (SOLAR_FLEET_CF), so the albedo moves only the seasonal shape, slightly.
SOLAR_ALBEDO = 0.2
# ASSUMPTION: monthly mean clear-sky index (all-sky / clear-sky GHI), North vs South/West
# (North: more winter overcast; South: clearer summers but winter inversions/fog).
CLEARNESS_NORTH = (0.56, 0.62, 0.65, 0.68, 0.74, 0.78, 0.80, 0.80, 0.76, 0.66, 0.56, 0.52)
CLEARNESS_SOUTH = (0.50, 0.54, 0.58, 0.64, 0.72, 0.80, 0.84, 0.84, 0.80, 0.70, 0.56, 0.48)
CLEARNESS_CONCENTRATION = 6.0  # ASSUMPTION: Beta concentration of daily clearness
SOLAR_SEED = 11


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


def bisect(f, lo: float, hi: float, target: float, steps: int = 60) -> float:
    """The x in [lo, hi] where the increasing function f reaches target."""
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) < target else (lo, mid)
    return 0.5 * (lo + hi)


def wind_speeds() -> dict[str, np.ndarray]:
    """Seeded AR(1) weather -> Weibull speeds for scale 1, with seasonal and diurnal modulation."""
    t = hours()
    common = ar1(np.random.default_rng(WIND_SEED), 8760, WIND_AR_PHI)
    raw = {}
    for z, spec in ZONES.items():
        local = ar1(np.random.default_rng(seed_for(z, WIND_SEED)), 8760, WIND_AR_PHI)
        x = math.sqrt(WIND_COMMON_SHARE) * common + math.sqrt(1 - WIND_COMMON_SHARE) * local
        u = np.clip(ndtr(x), 1e-9, 1 - 1e-9)
        lt = t + pd.Timedelta(hours=spec.utc_offset - MODEL_UTC_OFFSET)
        doy, hr = lt.dayofyear.to_numpy(), lt.hour.to_numpy()
        mod = 1 + WIND_SEASONAL_AMP * np.cos(2 * np.pi * (doy - 45) / 365) + WIND_DIURNAL_AMP * np.cos(2 * np.pi * (hr - 15) / 24)
        raw[z] = (-np.log(1 - u)) ** (1 / WIND_WEIBULL_K) * mod
    return raw


def wind_targets(weights: dict[str, float]) -> tuple[dict[str, float], float]:
    """Zone CF targets (site values, good-site uplift, else the common value) and the common value x,
    solved so that the fleet weighted by existing MW (``weights``) averages WIND_FLEET_CF."""
    tot = sum(weights.values())
    fixed_w = sum(w * WIND_ZONE_CF_FIXED[z] for z, w in weights.items() if z in WIND_ZONE_CF_FIXED)
    free = {z: w for z, w in weights.items() if z not in WIND_ZONE_CF_FIXED}
    x = (WIND_FLEET_CF * tot - fixed_w - sum(w * WIND_GOOD_SITE_UPLIFT.get(z, 0) for z, w in free.items())) / sum(free.values())
    return {z: WIND_ZONE_CF_FIXED.get(z, x + WIND_GOOD_SITE_UPLIFT.get(z, 0.0)) for z in ZONES}, x


def wind_class2_zones(weights: dict[str, float]) -> list[str]:
    """Zones with a second wind resource class: those whose target is above the common value."""
    targets, x = wind_targets(weights)
    return [z for z in ZONES if targets[z] > x + 1e-9]


def wind_profiles(weights: dict[str, float]) -> tuple[dict[str, np.ndarray], dict[str, float], dict[str, np.ndarray], float]:
    """Per zone, the speeds scaled so that the zone's mean capacity factor hits its target; the
    second-class profiles (the same speeds scaled to the common value) of the zones whose target is
    above it; the zone targets; the common value."""
    raw = wind_speeds()

    def cf_for_scale(z: str, c: float) -> np.ndarray:
        return power_curve(c * raw[z]) * WIND_LOSSES

    targets, x = wind_targets(weights)
    out = {z: cf_for_scale(z, bisect(lambda c, z=z: cf_for_scale(z, c).mean(), 1.0, 25.0, targets[z])) for z in ZONES}
    lower = {z: cf_for_scale(z, bisect(lambda c, z=z: cf_for_scale(z, c).mean(), 1.0, 25.0, x))
             for z in wind_class2_zones(weights)}
    return out, targets, lower, x


def solar_profiles(weights: dict[str, float]) -> tuple[dict[str, np.ndarray], float]:
    """pvlib clear-sky (Ineichen) x seeded daily clearness -> tilted-plane output, fleet-calibrated."""
    import pvlib

    t_utc = (hours() - pd.Timedelta(hours=MODEL_UTC_OFFSET) + pd.Timedelta(minutes=30)).tz_localize("UTC")
    raw = {}
    for z, spec in ZONES.items():
        loc = pvlib.location.Location(spec.lat, spec.lon, tz="UTC")
        sp = loc.get_solarposition(t_utc)
        cs = loc.get_clearsky(t_utc, model="ineichen", solar_position=sp)
        clear = CLEARNESS_SOUTH if spec.region in ("South", "West") else CLEARNESS_NORTH
        rng = np.random.default_rng(seed_for(z, SOLAR_SEED))
        days = pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=366, freq="D")  # UTC shift may reach day 366
        mu = np.array([clear[m - 1] for m in days.month])
        kd = rng.beta(mu * CLEARNESS_CONCENTRATION, (1 - mu) * CLEARNESS_CONCENTRATION)
        lt = t_utc + pd.Timedelta(hours=spec.utc_offset)
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

    c = bisect(fleet, 0.1, 3.0, SOLAR_FLEET_CF)
    return {z: np.minimum(c * raw[z], 1.0) for z in ZONES}, c


def profile_rows(technology: str, profiles: dict[str, np.ndarray]) -> list[pd.DataFrame]:
    return [pd.DataFrame({"zone": z, "technology": technology, "timestep": np.arange(8760), "availability_pu": np.round(v, 3)})
            for z, v in profiles.items()]
