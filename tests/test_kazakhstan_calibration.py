"""The Kazakhstan case against published figures: 2023, KEGOC's winters, the 2029 outlook, 2030.

2023 (models/kazakhstan_2023.toml, 12 representative days, existing fleet only): generation
(112.82 TWh), coal share (71.2 %), net imports (+2.0 TWh, imports imposed as observed), peak
(16,626 MW), the peak capability shortfall (1,519 MW = 16,626 - 15,107 MW domestic) and no unserved
energy (<= 0.01 TWh). The same spec compares, from the inputs alone, KEGOC's winter FORECASTS with the
2025 period (peak 17.4 / 17.6 GW within 5 %, domestic supply 16.4 / 16.7 GW within 1,000 MW) and the
2030 system deficit with the published bracket (6,600 +- 1,000 MW), as KEGOC counts it: peak minus
domestic firm capacity, imports not counted.

The old fleet's winter availability is fitted to the two observed winters (2022, 2023): 0.862. The
forecasts imply 0.953 and 1.007 for the same fleet, so the two forecast supply checks miss, each with a
known_miss saying it is a forecast. The Ministry's regional ranges ("for all seven years") are checked
in 2023, an ordinary year; the North misses by 0.9 TWh beyond tolerance, its known_miss naming the
unpublished flows per Russian interconnector. These three are the only 2023 checks allowed to miss.

2029 (models/kazakhstan_2029.toml: the fleet of 2029, i.e. the 2030 period cut to one year with the
plants the case retires on 1 January 2030 still in service, plus the committed projects, no other build,
at 2029 demand): the regional ranges with the tolerance widened by 4.25 TWh (2029's -5.5 TWh against the
ranges' -1.25) and the national -5.5 TWh as its own check, with trade bounded by the ties alone (each tie's
annual import by its MW x 8,760 h, no national cap), so the net import and the national balance are outputs,
never the target. The three regions pass; the national balance misses by 0.75 TWh beyond tolerance (the gas
cap, 75 TWh_th, an assumption, is made up by imports) and the unserved energy (target 0) by 0.125 TWh (the
peak hours behind Mangystau's and Aktobe's links), each with its known_miss.
A known_miss makes a documented miss: `planner calibrate` passes when every check is ok or documented.

2030 capacity balance (inputs only, no solve), the deficit of planner/analysis/deficit.py: demand at the
system peak hour not covered by credit x existing MW and credited imports (Russia 0.3 x 2.2 GW),
after the transfers the existing corridors allow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.studies.calibrate import calibrate, capacity_balance, failures
from planner.load import load_case
from planner.model.data import prepare
from planner.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def calibration_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("cal")
    table, _ = calibrate(load_spec(ROOT / "models" / "kazakhstan_2023.toml"), root)
    return table, root / "kazakhstan_2023"


@pytest.fixture(scope="module")
def calibration(calibration_run):
    return calibration_run[0].set_index("metric")


def _misses(table):
    rows = [((k, r["region"], r["target"]), r) for k, r in table.iterrows()]
    misses = {check for check, r in rows if not r["within"]}
    return misses, {check for check, r in rows if r["known_miss"]}


def test_2023_every_check_within_tolerance(calibration):
    """Every observed 2023 figure and the 2030 deficit are within tolerance; only the two forecast supply
    checks and the North's 2023 balance may miss, each with its known_miss (see the module docstring)."""
    assert {"generation_twh", "generation_share", "net_imports_twh", "peak_demand_mw", "peak_capability_shortfall_mw",
            "unserved_twh", "capacity_peak_mw", "capacity_firm_mw", "capacity_shortfall_mw",
            "region_balance_twh"} == set(calibration.index)
    misses, noted = _misses(calibration)
    assert misses <= {("capacity_firm_mw", "", 16400.0), ("capacity_firm_mw", "", 16700.0),
                      ("region_balance_twh", "North", 9.0)}
    # a documented miss is documented because it misses: a note on a check that passes is stale
    assert noted == misses
    # so `planner calibrate models/kazakhstan_2023.toml` passes: every check ok or a documented miss
    assert set(calibration["verdict"]) <= {"ok", "known"} and failures(calibration.reset_index()) == 0
    firm = calibration.loc["capacity_firm_mw"]
    assert firm["known_miss"].str.contains("A forecast, not an observation").all()


def test_2023_observed_checks(calibration):
    """Generation within 1 % of 112.82 TWh now that the losses are counted once (was +2.0 %), the peak
    capability shortfall within 1,000 MW of KEGOC's 1,519 MW, and at most 0.01 TWh unserved."""
    assert abs(calibration.at["generation_twh", "error"]) < 1.0
    assert calibration.at["peak_capability_shortfall_mw", "within"]
    assert calibration.at["unserved_twh", "model"] <= 0.01


def test_2023_regional_balances(calibration):
    """The Ministry's regional ranges checked in the base year: South -12.25 +- 2.45 TWh and West
    +2.0 +- 3.0 within tolerance, the North in surplus beyond its +9 +- 3 by less than 1.5 TWh (the
    documented miss: the Russian trade split)."""
    regions = calibration.loc["region_balance_twh"].set_index("region")
    assert regions.loc["South", "within"] and regions.loc["West", "within"]
    assert regions.loc["South", "model"] < 0 < regions.loc["North", "model"]
    assert 9.0 + 3.0 < regions.loc["North", "model"] < 9.0 + 3.0 + 1.5
    assert "flows per Russian interconnector" in regions.loc["North", "known_miss"]
    assert "output of the Pavlodar" in regions.loc["North", "known_miss"]
    winters = calibration.loc["capacity_peak_mw"]
    assert len(winters) == 2 and winters["within"].all()


def test_2023_corridor_losses_are_the_fixed_point(calibration_run):
    """The losses the 2023 solve carries, zone by zone, are those its demand was made net of
    (source/corridor_losses.csv), to 0.02 TWh in every zone and 0.05 TWh in all: the fixed point holds."""
    import sys

    import pandas as pd

    sys.path.insert(0, str(ROOT / "inputs" / "kazakhstan" / "source"))
    from corridor_losses import zone_losses

    folder = calibration_run[1]
    tables = {k: pd.read_csv(folder / f"{k}.csv") for k in ("flows", "prices", "corridors")}
    now = zone_losses(tables, 2023).set_index("zone")["loss_mwh"]
    used = pd.read_csv(ROOT / "inputs" / "kazakhstan" / "source" / "corridor_losses.csv").set_index("zone")["loss_mwh"]
    assert (now - used).abs().max() < 0.02e6
    assert abs(now.sum() - used.sum()) < 0.05e6


@pytest.fixture(scope="module")
def outlook_2029(tmp_path_factory):
    table, _ = calibrate(load_spec(ROOT / "models" / "kazakhstan_2029.toml"), tmp_path_factory.mktemp("cal29"))
    return table


def test_2029_regional_and_national_checks(outlook_2029):
    """With the fleet of 2029 (one-year period, the plants retired on 1 January 2030 still in service, the
    Ekibastuz GRES-2 unit at a new unit's availability) and trade bounded by the ties alone, the three regions
    are within their multi-year tolerances; the national -5.5 TWh and the unserved energy miss, and only they
    carry a known_miss: the balance's names the gas for power and its bounding test, the unserved energy's
    MAEC's working capacity and its bounding test."""
    t = outlook_2029.set_index("metric")
    regions = t.loc["region_balance_twh"].set_index("region")
    assert regions["within"].all() and not t.loc["balance_twh", "within"]
    noted = {(r["metric"], r["region"]) for _, r in outlook_2029.iterrows() if r["known_miss"]}
    missed = {(r["metric"], r["region"]) for _, r in outlook_2029.iterrows() if not r["within"]}
    assert noted == missed == {("balance_twh", ""), ("unserved_twh", "")}
    assert set(outlook_2029["verdict"]) == {"ok", "known"} and failures(outlook_2029) == 0
    assert all("Bounding test" in r["known_miss"] for _, r in outlook_2029.iterrows() if r["known_miss"])
    assert "gas for power" in t.at["balance_twh", "known_miss"]
    assert "MAEC" in t.at["unserved_twh", "known_miss"]
    # balance = -(net imports + unserved). The balance misses on the short side, by less than 1 TWh beyond
    # its tolerance; the unserved energy is the peak hours behind the western links, under 0.2 TWh; the net
    # imports are beyond the 2023 volume (3.4 TWh) that the case's planning periods carry
    assert -5.5 - 2.0 - 1.0 < t.at["balance_twh", "model"] < -5.5 - 2.0
    assert 0.01 < t.at["unserved_twh", "model"] < 0.2
    assert -t.at["balance_twh", "model"] - t.at["unserved_twh", "model"] > 3.4


def test_2029_trade_is_bounded_by_the_ties_alone():
    """The 2029 spec sets no national cap on net imports and bounds each tie's annual import by its MW x
    8,760 h, so the national balance it checks against the outlook's -5.5 TWh is not an input of the model."""
    from planner.scenario import apply_scenario

    spec = load_spec(ROOT / "models" / "kazakhstan_2029.toml")
    tables = apply_scenario(load_case(spec.inputs), spec).tables
    periods = tables["periods"].set_index("period")
    assert periods["max_net_import_share"].isna().loc[2030]
    ties = tables["interconnectors"].set_index("interconnector")["import_mw"]
    trade = tables["trade_prices"]
    bound = trade[trade["period"] == 2030].set_index("interconnector")["max_import_mwh"]
    assert set(bound.index) == set(ties.index)
    assert bound.to_dict() == pytest.approx((ties * 8760.0).to_dict())


def test_2029_south_short_north_in_surplus(outlook_2029):
    """The Ministry's pattern: the South is short, the North (with the East) in surplus."""
    regions = outlook_2029[outlook_2029["metric"] == "region_balance_twh"].set_index("region")
    assert regions.loc["South", "model"] < 0 < regions.loc["North", "model"]


@pytest.fixture(scope="module")
def balance_2030():
    b = capacity_balance(prepare(load_case(ROOT / "inputs" / "kazakhstan")))
    return b[b["period"] == 2030].set_index("name")


def test_2030_system_deficit_near_published(balance_2030):
    """System deficit of the existing fleet in 2030 in 5-8 GW: KEGOC's 6.2 GW and the Deputy
    PM's 7 GW (docstring of the module for the arithmetic)."""
    assert 5000 <= balance_2030.loc["*", "deficit_mw"] <= 8000


def test_2030_deficit_mainly_south(balance_2030):
    """The South's deficit exceeds the North's (Ministry outlook: South short, North surplus)."""
    assert balance_2030.loc["South", "deficit_mw"] > balance_2030.loc["North", "deficit_mw"]
