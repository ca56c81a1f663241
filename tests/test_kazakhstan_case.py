"""The default Kazakhstan case: it loads, every column is sourced, headline figures hold.

Published figures used below (see inputs/kazakhstan/SOURCES.md):
  2022 oblast consumption sum 111,158 GWh (pypsa-kz-data official_demand_2022.csv);
  2022 national peak 16,459 MW at 112.9 TWh consumption (KEGOC; Trend);
  available capacity 1 Jan 2024 20,428.4 MW (Samruk-Energy Annual Report 2023);
  wind fleet capacity factor ~0.33, solar fleet ~0.16-0.17 (FACTS.md, DERIVED).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from planner.errors import InputError
from planner.load import load_case

CASE = Path(__file__).resolve().parent.parent / "inputs" / "kazakhstan"


@pytest.fixture(scope="module")
def case():
    return load_case(CASE)


# --------------------------------------------------------------------------- (a) loads
def test_case_loads_without_problems():
    try:
        load_case(CASE)
    except InputError as e:  # pragma: no cover - the message is the point
        pytest.fail("the Kazakhstan case has input problems:\n" + e.report())


# --------------------------------------------------------------- (b) SOURCES.md coverage
def documented_columns(sources_md: str) -> dict[str, set[str]]:
    """Parse SOURCES.md: each '## `file.csv`' section's table rows '| `column` | source... |'.

    A column counts as documented only if its row has non-empty source text.
    """
    out: dict[str, set[str]] = {}
    current = None
    for line in sources_md.splitlines():
        head = re.match(r"^##\s+`?([\w.-]+\.csv)`?\s*$", line.strip())
        if head:
            current = head.group(1)
            out.setdefault(current, set())
            continue
        if line.startswith("## "):
            current = None
            continue
        row = re.match(r"^\|\s*`([\w-]+)`\s*\|(.*)\|\s*$", line.strip())
        if current and row and row.group(2).replace("|", "").strip():
            out[current].add(row.group(1))
    return out


def undocumented(folder: Path) -> list[str]:
    """Every CSV file of ``folder`` and column of it that SOURCES.md does not document."""
    sources = folder / "SOURCES.md"
    doc = documented_columns(sources.read_text()) if sources.exists() else {}
    missing = []
    for csv in sorted(folder.glob("*.csv")):
        if csv.name not in doc:
            missing.append(f"{csv.name}: no section in SOURCES.md")
            continue
        for col in pd.read_csv(csv, nrows=0).columns:
            if col not in doc[csv.name]:
                missing.append(f"{csv.name}: column {col!r} has no SOURCES.md entry")
    return missing


def test_every_file_and_column_is_sourced():
    assert undocumented(CASE) == []


def test_source_check_catches_gaps(tmp_path):
    """The coverage check itself must fail on a missing file section and a missing column."""
    (tmp_path / "zones.csv").write_text("zone,lat\nA,1\n")
    (tmp_path / "fuels.csv").write_text("fuel\ncoal\n")
    (tmp_path / "SOURCES.md").write_text("## `zones.csv`\n\n| column | source |\n|---|---|\n| `zone` | ASSUMPTION |\n| `lat` | |\n")
    assert undocumented(tmp_path) == [
        "fuels.csv: no section in SOURCES.md",
        "zones.csv: column 'lat' has no SOURCES.md entry",
    ]


# ------------------------------------------------------------------- (c) sanity figures
def test_reference_demand_matches_2022_oblast_total(case):
    """Sum over zones and hours of demand_mw x 1 h = 111,158 GWh (the 14 oblasts, 2022).

    111,158 GWh +- 0.5 % = 110,602 .. 111,714 GWh.
    """
    w = case["timesteps"].set_index("timestep")["weight"]
    d = case["demand"]
    gwh = (d["demand_mw"] * d["timestep"].map(w)).sum() / 1e3
    assert gwh == pytest.approx(111_158, rel=0.005)


def test_national_peak_matches_published_load_factor(case):
    """Target = 2022 peak scaled to the oblast total at the published load factor:
    16,459 MW x 111.158 TWh / 112.9 TWh = 16,205 MW; allowed +-3 % = 15,719 .. 16,691 MW.
    """
    peak = case["demand"].groupby("timestep")["demand_mw"].sum().max()
    assert peak == pytest.approx(16_459 * 111.158 / 112.9, rel=0.03)


def test_2023_demand_matches_published_consumption(case):
    """2023 multiplier x 111.158 TWh = 115.07 TWh (published 2023 consumption), +-0.5 %."""
    g = case["demand_growth"]
    mult = g[g["period"] == 2023]["multiplier"]
    assert mult.nunique() == 1
    assert 111.158 * mult.iloc[0] == pytest.approx(115.07, rel=0.005)


def _in_service(case, year: int) -> pd.DataFrame:
    e = case["existing_capacity"]
    return e[(e["build_year"] <= year) & (e["retirement_year"] > year)]


@pytest.mark.parametrize("tech,target", [("wind", 0.33), ("solar", 0.165)])
def test_fleet_capacity_factors(case, tech, target):
    """Fleet CF = sum_z cap_z x mean_t(avail_z,t) / sum_z cap_z, with cap = existing MW in 2023.

    Calibration targets: wind 0.33 (FACTS DERIVED fleet), solar 0.165 (FACTS 0.16-0.17);
    allowed +-0.01.
    """
    cap = _in_service(case, 2023)
    cap = cap[cap["technology"] == tech].groupby("zone")["capacity_mw"].sum()
    av = case["availability"]
    cf = av[av["technology"] == tech].groupby("zone")["availability_pu"].mean()
    assert set(cap.index) <= set(cf.index)
    fleet = (cap * cf.reindex(cap.index)).sum() / cap.sum()
    assert fleet == pytest.approx(target, abs=0.01)


def test_existing_available_capacity_near_published(case):
    """Available capacity in service in 2023 vs 20,428.4 MW on 1 Jan 2024 (Samruk-Energy).

    Band +-5 %: 19,407 .. 21,450 MW. (Thermal is derated 0.83 x installed; hydro, wind and
    solar counted at installed capacity, as in the official available figure.)
    """
    total = _in_service(case, 2023)["capacity_mw"].sum()
    assert 0.95 * 20_428.4 <= total <= 1.05 * 20_428.4


def test_no_builds_in_calibration_year(case):
    """2023 is the calibration year: every build option starts in 2025 or later."""
    assert (case["build_options"]["first_period"] >= 2025).all()
