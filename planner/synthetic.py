"""A synthetic case of any size: zones x hours x periods, for benchmarks and tests of the machinery.

The numbers are invented (deterministic for a seed) and stand for no country:
a chain of zones with a ring closure, thermal, wind, solar and battery options in
every zone, demand with a daily and a seasonal cycle, wind and solar profiles,
an existing fleet that covers most of the first period's peak and retires over
the horizon. It exercises every main family (capacity and vintages, dispatch,
balance, storage, transmission, trade, reserve, renewable share, partner
envelopes) so that the LP scales like a real one.

    write_synthetic_case(folder, zones=4, hours=48, periods=2)

Timesteps are whole days (``hours`` a multiple of 24) of equal weight standing
for the 8,760 hours of a year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TECHNOLOGIES = pd.DataFrame(
    [
        # technology, kind, fuel, heat rate, capex, fom, vom, life, availability, credit, renewable,
        # eff c, eff d, duration
        ("coal", "thermal", "coal", 2.9, 1800, 60, 4, 40, 0.85, 0.85, 0, None, None, None),
        ("gas_ccgt", "thermal", "gas", 1.8, 1000, 22, 3, 30, 0.9, 0.9, 0, None, None, None),
        ("gas_ocgt", "thermal", "gas", 2.6, 500, 10, 5, 30, 0.92, 0.92, 0, None, None, None),
        ("wind", "variable", None, 0, 1300, 28, 0, 25, 1, 0.1, 1, None, None, None),
        ("solar", "variable", None, 0, 800, 15, 0, 25, 1, 0.0, 1, None, None, None),
        ("battery", "storage", None, 0, 900, 10, 1, 15, 1, 0.5, 0, 0.95, 0.95, 4),
    ],
    columns=[
        "technology",
        "kind",
        "fuel",
        "heat_rate_mwh_th_per_mwh",
        "capex_usd_per_kw",
        "fom_usd_per_kw_yr",
        "vom_usd_per_mwh",
        "lifetime_yr",
        "availability_pu",
        "capacity_credit_pu",
        "renewable",
        "efficiency_charge",
        "efficiency_discharge",
        "duration_h",
    ],
)


def synthetic_tables(
    zones: int, hours: int, periods: int, seed: int = 0, weight: float | None = None
) -> dict[str, pd.DataFrame]:
    """The case's tables (name -> DataFrame). Each hour weighs ``weight`` hours of a year (default 8760 / hours;
    1 makes a series that representative days can be drawn from)."""
    if zones < 1 or periods < 1 or hours < 24 or hours % 24:
        raise ValueError("a synthetic case needs zones >= 1, periods >= 1 and hours a positive multiple of 24")
    rng = np.random.default_rng(seed)
    Z = [f"Z{i:02d}" for i in range(zones)]
    P = [2030 + 5 * k for k in range(periods)]
    peak_mw = {z: 1000.0 + 2000.0 * rng.random() for z in Z}
    tables = _calendar(Z, P, hours, weight)
    tables.update(_series(Z, P, hours, peak_mw, rng))
    tables.update(_fleet(Z, P, peak_mw))
    tables.update(_network(Z, P))
    return tables


def _calendar(Z: list[str], P: list[int], hours: int, weight: float | None) -> dict[str, pd.DataFrame]:
    """settings, periods, zones, fuels, technologies and timesteps (one block per day)."""
    t = np.arange(hours)
    day = t // 24
    n_days = hours // 24
    settings = {"value_of_lost_load_usd_per_mwh": 5000, "discount_rate": 0.08, "base_year": P[0]}
    if weight is not None and hours * weight != 8760:  # a series shorter than a year: declare the year it models
        settings["hours_per_year"] = hours * weight
    tables: dict[str, pd.DataFrame] = {}
    tables["settings"] = pd.DataFrame({"setting": list(settings), "value": list(settings.values())})
    tables["periods"] = pd.DataFrame(
        {
            "period": P,
            "years": 5,
            "co2_price_usd_per_t": [5.0 * (k + 1) for k in range(len(P))],
            "min_renewable_share": [0.1 + 0.05 * k for k in range(len(P))],
        }
    )
    tables["zones"] = pd.DataFrame(
        {
            "zone": Z,
            "name": Z,
            "region": [f"R{i % 3}" for i in range(len(Z))],
            "lat": [45.0 + i % 7 for i in range(len(Z))],
            "lon": [60.0 + i for i in range(len(Z))],
        }
    )
    tables["fuels"] = pd.DataFrame(
        {"fuel": ["coal", "gas"], "price_usd_per_mwh_th": [3, 12], "co2_t_per_mwh_th": [0.336, 0.198]}
    )
    tables["technologies"] = TECHNOLOGIES
    tables["timesteps"] = pd.DataFrame(
        {
            "timestep": t,
            "weight": 8760.0 / hours if weight is None else weight,
            "block": day,
            "month": 1 + (day * 12) // n_days,
        }
    )
    return tables


def _series(Z: list[str], P: list[int], hours: int, peak_mw: dict[str, float],
            rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """demand (daily and seasonal shape plus noise), solar and wind availability, demand growth."""
    t = np.arange(hours)
    n_days = hours // 24
    season = np.cos(2 * np.pi * ((t // 24) * 365 / n_days) / 365)  # +1 in January, -1 in July
    daily = np.sin(2 * np.pi * ((t % 24) - 6) / 24)
    dem, av = [], []
    for z in Z:
        noise = 0.03 * rng.standard_normal(hours)
        shape = 0.75 + 0.1 * daily + 0.1 * season + noise
        dem.append(
            pd.DataFrame({"zone": z, "timestep": t, "demand_mw": np.round(peak_mw[z] * np.clip(shape, 0.3, 1.0), 1)})
        )
        sun = np.clip(np.sin(np.pi * ((t % 24) - 6) / 12), 0, None) * (0.8 - 0.2 * season)
        wind = np.clip(
            0.35
            + 0.15 * np.convolve(rng.standard_normal(hours + 11), np.ones(12) / 12, "valid")[:hours] * 3
            + 0.1 * season,
            0,
            1,
        )
        av.append(pd.DataFrame({"zone": z, "technology": "solar", "timestep": t, "availability_pu": np.round(sun, 4)}))
        av.append(pd.DataFrame({"zone": z, "technology": "wind", "timestep": t, "availability_pu": np.round(wind, 4)}))
    return {
        "demand": pd.concat(dem, ignore_index=True),
        "availability": pd.concat(av, ignore_index=True),
        "demand_growth": pd.DataFrame(
            [(z, p, round(1.0 + 0.03 * k * 5, 3)) for z in Z for k, p in enumerate(P)],
            columns=["zone", "period", "multiplier"],
        ),
    }


def _fleet(Z: list[str], P: list[int], peak_mw: dict[str, float]) -> dict[str, pd.DataFrame]:
    """existing capacity, partners, the partner envelope and the build options."""
    ex = []
    for z in Z:
        ex.append((z, "coal", 1985, round(0.5 * peak_mw[z]), P[0] + 7))
        ex.append((z, "coal", 2000, round(0.2 * peak_mw[z]), None))
        ex.append((z, "gas_ccgt", 2010, round(0.2 * peak_mw[z]), None))
    bo = [(z, g, "KZ") for z in Z for g in TECHNOLOGIES["technology"]] + [
        (z, g, "TR") for z in Z for g in ("wind", "solar", "gas_ccgt")
    ]
    return {
        "existing_capacity": pd.DataFrame(
            ex, columns=["zone", "technology", "build_year", "capacity_mw", "retirement_year"]
        ),
        "partners": pd.DataFrame(
            {
                "partner": ["TR", "KZ"],
                "name": ["Partner TR", "Domestic"],
                "country": ["A", "B"],
                "wacc": [0.09, 0.1],
                "eligible_technologies": ["gas_ccgt;gas_ocgt;solar;wind", ""],
            }
        ),
        "partner_envelopes": pd.DataFrame({"partner": "TR", "period": P, "max_investment_usd": 1.5e9}),
        "build_options": pd.DataFrame(bo, columns=["zone", "technology", "partner"]),
    }


def _network(Z: list[str], P: list[int]) -> dict[str, pd.DataFrame]:
    """a ring of corridors, one interconnector with its prices, the system reserve margin."""
    cor = [(f"{Z[i]}-{Z[i + 1]}", Z[i], Z[i + 1]) for i in range(len(Z) - 1)]
    if len(Z) > 2:
        cor.append((f"{Z[-1]}-{Z[0]}", Z[-1], Z[0]))
    return {
        "corridors": pd.DataFrame(
            [(c, a, b, 800, 0.04, 500, 800, 3000, 0.8) for c, a, b in cor],
            columns=["corridor", "from_zone", "to_zone", "capacity_mw", "loss_pu", "length_km",
                     "capex_usd_per_mw_km", "max_new_mw", "capacity_credit_pu"],
        ),
        "interconnectors": pd.DataFrame(
            {
                "interconnector": ["X-Z00"],
                "zone": [Z[0]],
                "market": ["X"],
                "import_mw": [500],
                "export_mw": [500],
                "capacity_credit_pu": [0.3],
            }
        ),
        "trade_prices": pd.DataFrame(
            {
                "interconnector": "X-Z00",
                "period": P,
                "import_price_usd_per_mwh": 60,
                "export_price_usd_per_mwh": 30,
                "max_import_mwh": 2.0e6,
            }
        ),
        "reserve_margins": pd.DataFrame({"region": "*", "period": P, "margin_pu": 0.1}),
    }


def write_synthetic_case(
    folder: Path, zones: int, hours: int, periods: int, seed: int = 0, weight: float | None = None
) -> Path:
    """Write the case's CSVs into ``folder``; returns it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in synthetic_tables(zones, hours, periods, seed, weight).items():
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder
