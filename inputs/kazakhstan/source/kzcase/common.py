"""Zones, periods, the hourly calendar and the CSV writer shared by every domain module."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Zone:
    """One pre-2022 oblast: its UPS grid zone (region), the name of its row in the consumption file,
    its load centre, the UTC offset its clocks kept in 2022, and further cities used only to place
    power plants (``assign_zone``)."""

    name: str
    region: str
    demand_name: str
    lat: float
    lon: float
    utc_offset: int
    anchors: tuple[tuple[float, float], ...] = ()

    @property
    def centre(self) -> tuple[float, float]:
        return (self.lat, self.lon)


# The 14 pre-2022 oblasts that carry published 2022 consumption (pypsa-kz-data
# official_demand_2022.csv). Cities of republican status are folded into the
# oblast around them (Astana -> Akmola, Almaty city -> Almaty, Shymkent -> Turkestan);
# the 2022 oblasts Abai, Zhetysu and Ulytau sit inside their pre-2022 parents
# (East Kazakhstan, Almaty, Karaganda). Region = UPS grid zone per FACTS.md.
# lat/lon = the zone's load centre: the oblast capital, except where a folded-in
# city dominates demand (Astana, Almaty, Shymkent).
ZONES: dict[str, Zone] = {
    "akmola": Zone("Akmola (incl. Astana city)", "North", "Akmola", 51.169, 71.449, 6, ((53.284, 69.396),)),
    "aktobe": Zone("Aktobe", "North", "Aktobe", 50.283, 57.167, 5),
    "almaty": Zone("Almaty (incl. Almaty city, Zhetysu)", "South", "Almaty", 43.238, 76.946, 6, ((45.017, 78.373),)),
    "atyrau": Zone("Atyrau", "West", "Atyrau", 47.094, 51.924, 5),
    "east_kazakhstan": Zone("East Kazakhstan (incl. Abai)", "North", "East Kazakhstan", 49.948, 82.628, 6, ((50.411, 80.227),)),
    "karaganda": Zone("Karaganda (incl. Ulytau)", "North", "Karaganda", 49.806, 73.085, 6, ((47.783, 67.768), (46.848, 74.995))),
    "kostanay": Zone("Kostanay", "North", "Kostanay", 53.214, 63.625, 6, ((50.248, 66.911),)),
    "kyzylorda": Zone("Kyzylorda", "South", "Kyzylorda", 44.853, 65.509, 5),
    "mangystau": Zone("Mangystau", "West", "Mangystau", 43.652, 51.158, 5),
    "north_kazakhstan": Zone("North Kazakhstan", "North", "North Kazakhstan", 54.865, 69.136, 6),
    "pavlodar": Zone("Pavlodar", "North", "Pavlodar", 52.287, 76.967, 6, ((51.723, 75.323),)),
    "turkestan": Zone("Turkestan (incl. Shymkent city)", "South", "Turkestan", 42.317, 69.587, 6, ((43.297, 68.252),)),
    "west_kazakhstan": Zone("West Kazakhstan", "West", "West Kazakhstan", 51.227, 51.387, 5),
    "zhambyl": Zone("Zhambyl", "South", "Zhambyl", 42.900, 71.367, 6),
}
REGIONS = ("North", "South", "West")
MODEL_UTC_OFFSET = 6  # model clock = Astana time in 2022 (UTC+6); West zones ran UTC+5
REFERENCE_YEAR = 2022  # oblast consumption year; hours laid out on the 2022 calendar

PERIODS = (2023, 2025, 2030, 2035, 2040)
PERIOD_YEARS = {2023: 2, 2025: 5, 2030: 5, 2035: 5, 2040: 5}
FIRST_BUILD_PERIOD = 2025  # 2023 is the calibration year: nothing may be built in it
BUILD_PERIODS = tuple(p for p in PERIODS if p >= FIRST_BUILD_PERIOD)


def zones_in(region: str) -> list[str]:
    return [z for z, spec in ZONES.items() if spec.region == region]


def hours() -> pd.DatetimeIndex:
    """Hour starts of the reference year on the model clock (UTC+6)."""
    return pd.date_range(f"{REFERENCE_YEAR}-01-01 00:00", periods=8760, freq="h")


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def seed_for(name: str, base: int) -> int:
    return base * 100003 + zlib.crc32(name.encode())


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Every table is written through here: no index, LF line ends, pandas' shortest float repr."""
    df.to_csv(path, index=False, lineterminator="\n")
