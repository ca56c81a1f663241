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

import numpy as np
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
LOSSES = pd.read_csv(CASE / "source" / "corridor_losses.csv").set_index("zone")


def test_reference_demand_is_2022_oblast_consumption_net_of_interzonal_losses(case):
    """Sum over hours of demand_mw x 1 h = the oblast's 2022 consumption x (1 - its loss share), zone by zone
    (source/corridor_losses.csv), +- 0.1 % (rounding to 0.1 MW). Over the 14 oblasts: 111,158 GWh less
    about 1.8 % of inter-zonal losses, which the corridors carry instead."""
    w = case["timesteps"].set_index("timestep")["weight"]
    d = case["demand"]
    gwh = (d["demand_mw"] * d["timestep"].map(w)).groupby(d["zone"]).sum() / 1e3
    oblast = pd.read_csv(CASE / "source" / "reference" / "pypsa-kz-data" / "official_demand_2022.csv")
    names = {"akmola": "Akmola", "aktobe": "Aktobe", "almaty": "Almaty", "atyrau": "Atyrau",
             "east_kazakhstan": "East Kazakhstan", "karaganda": "Karaganda", "kostanay": "Kostanay",
             "kyzylorda": "Kyzylorda", "mangystau": "Mangystau", "north_kazakhstan": "North Kazakhstan",
             "pavlodar": "Pavlodar", "turkestan": "Turkestan", "west_kazakhstan": "West Kazakhstan",
             "zhambyl": "Zhambyl"}
    given = dict(zip(oblast["Region"], oblast["Consumption (GWh)"]))
    for z, g in gwh.items():
        assert g == pytest.approx(given[names[z]] * (1 - LOSSES.at[z, "loss_share"]), rel=1e-3), z
    assert 0.015 < 1 - gwh.sum() / 111_158 < 0.022


def test_loss_shares_are_the_base_years_losses():
    """source/corridor_losses.csv: loss_share = loss_mwh / demand_mwh in every zone (rounded to 5 digits), and
    demand + losses = the published 2023 consumption, 115.07 TWh, +- 0.1 %: the losses are counted once."""
    assert (LOSSES["loss_share"] - LOSSES["loss_mwh"] / LOSSES["demand_mwh"]).abs().max() < 1e-5
    assert (LOSSES["loss_mwh"].sum() + LOSSES["demand_mwh"].sum()) / 1e6 == pytest.approx(115.07, rel=1e-3)


def test_national_peak_matches_published_load_factor(case):
    """Target = 2022 peak scaled to the oblast total at the published load factor:
    16,459 MW x 111.158 TWh / 112.9 TWh = 16,205 MW; allowed +-3 % = 15,719 .. 16,691 MW (the demand is
    net of the ~1.8 % of inter-zonal losses, which the corridors add back at the peak).
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


def _region_twh(case, period: int) -> dict[str, float]:
    """Consumption by region in a period: sum over zones of hourly demand x multiplier (TWh)."""
    region = case["zones"].set_index("zone")["region"]
    g = case["demand_growth"]
    mult = g[g["period"] == period].set_index("zone")["multiplier"]
    d = case["demand"].groupby("zone")["demand_mw"].sum()
    return (d * mult).groupby(region).sum().div(1e6).to_dict()


def test_regional_growth_keeps_the_national_outlook(case):
    """Regional shares move, the national total stays on the outlook: 2030 = 119.9 TWh (2024) x
    (146/121.1)^(5/6) x 1.03 = 144.3 TWh, +-0.5 % (multipliers are rounded to 4 digits), of which the
    demand is the part net of the base year's inter-zonal loss share (1 - 2.093 / 115.02)."""
    share = LOSSES["loss_mwh"].sum() / (LOSSES["loss_mwh"].sum() + LOSSES["demand_mwh"].sum())
    outlook = 119.9 * (146 / 121.1) ** (5 / 6) * 1.03
    assert sum(_region_twh(case, 2030).values()) == pytest.approx(outlook * (1 - share), rel=0.005)


def test_south_grows_faster_than_north(case):
    """The committed plants are mostly in the South (Turkestan CCGT 1,000, Almaty CHP-2 557 - 423
    coal retired, Kyzylorda 240 MW = 1,374 MW net) against 636 MW in the North (GRES-2 unit), so
    the South's consumption grows faster: 2023 -> 2030 growth South > national > North."""
    a, b = _region_twh(case, 2023), _region_twh(case, 2030)
    growth = {r: b[r] / a[r] for r in a}
    national = sum(b.values()) / sum(a.values())
    assert growth["South"] > national > growth["North"]


def test_retirements_are_staggered(case):
    """Steam plant retires plant by plant at commissioning year + 65 + 10 (life extension), not
    before 2030. Within the planning horizon (to 2040) no year retires more than Almaty CHP-3,
    Jet-7, Ural and the others of one commissioning year: at most 1,100 MW (1962: 1,058 MW in
    2037), where 6.6 GW retired on 1 January 2035 before."""
    ex = case["existing_capacity"]
    by_year = ex[ex["retirement_year"] <= 2040].groupby("retirement_year")["capacity_mw"].sum()
    assert by_year.max() <= 1100
    assert by_year.get(2035, 0.0) < 1000


def test_maec_is_counted_at_its_published_working_capacity(case):
    """MAEC (Mangystau gas steam): 545 MW available (deputy akim), not derated again by 0.83."""
    ex = case["existing_capacity"]
    maec = ex[(ex["zone"] == "mangystau") & (ex["technology"] == "gas_steam")]["capacity_mw"].sum()
    assert maec == pytest.approx(545.0, abs=0.5)


def test_wind_resource_classes(case):
    """Finding 8: a zone with a site value above the common one (Zhambyl 0.40, Akmola 0.34, Almaty and
    Mangystau common + 0.03) reaches it on a first tranche of 1,000 MW only (``wind``); the rest of
    its potential (``wind_c2``) runs at the common value, the CF of the zones without a named site
    (Pavlodar's, for one), on the same weather. Zhambyl: 1,000 MW at ~0.40 + 4,000 MW at ~0.305."""
    av = case["availability"]
    pot = case["build_potentials"].set_index(["zone", "technology"])["max_new_mw"]
    wind = av[av["technology"] == "wind"].pivot(index="timestep", columns="zone", values="availability_pu")
    c2 = av[av["technology"] == "wind_c2"].pivot(index="timestep", columns="zone", values="availability_pu")
    assert set(c2.columns) == {"zhambyl", "akmola", "almaty", "mangystau"}
    common = wind["pavlodar"].mean()
    for z in c2.columns:
        assert c2[z].mean() == pytest.approx(common, abs=0.002)
        assert wind[z].mean() >= c2[z].mean() + 0.029
        assert np.corrcoef(wind[z], c2[z])[0, 1] > 0.9
        assert pot[(z, "wind")] == 1000
    assert wind["zhambyl"].mean() == pytest.approx(0.40, abs=0.002)
    assert pot[("zhambyl", "wind")] + pot[("zhambyl", "wind_c2")] == 5000
    assert ("pavlodar", "wind_c2") not in pot.index


def test_large_hydro_runs_at_its_credit_in_winter(case):
    """Finding 3, one firm rule in the dispatch too: every zone with large hydro has an hourly
    availability equal to hydro's capacity credit (0.8) in every December-February hour and 1.0 in
    every other hour (2022 calendar: 31 + 28 + 31 = 90 winter days = 2,160 hours)."""
    credit = case["technologies"].set_index("technology").at["hydro", "capacity_credit_pu"]
    assert credit == pytest.approx(0.8)
    av = case["availability"]
    av = av[av["technology"] == "hydro"].merge(case["timesteps"][["timestep", "month"]], on="timestep")
    e = case["existing_capacity"]
    assert set(av["zone"]) == set(e.loc[e["technology"] == "hydro", "zone"])
    winter = av["month"].isin([12, 1, 2])
    assert (av.loc[winter, "availability_pu"] == credit).all()
    assert (av.loc[~winter, "availability_pu"] == 1.0).all()
    assert winter.sum() == 2160 * av["zone"].nunique()
