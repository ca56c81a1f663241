"""The Kazakhstan case against published figures: 2023, KEGOC's winters, the 2029 outlook, 2030.

2023 (models/kazakhstan_2023.toml, 12 representative days, existing fleet only): generation
(112.82 TWh), coal share (71.2 %), net imports (+2.0 TWh, imports imposed as observed), peak
(16,626 MW) and the peak capability shortfall (1,519 MW = 16,626 - 15,107 MW domestic). The same
spec checks, from the inputs alone, KEGOC's winter balances against the 2025 period (peak 17.4 /
17.6 GW within 5 %, domestic supply 16.4 / 16.7 GW within 1,000 MW) and the 2030 system deficit
against the published bracket (KEGOC up to 6.2 GW, Deputy PM up to 7 GW: 6,600 +- 1,000 MW), as
KEGOC counts it: peak minus domestic firm capacity, imports not counted.

The old fleet's winter availability is one value fitted to the three KEGOC winters (2023
observed, 2024/25 and 2025/26 forecast): a fleet that barely changes cannot deliver both 15.1 GW
(2023) and 16.7 GW (2025/26), so the fit leaves the 2023 fleet ~1.1 GW stronger than observed and
the 2023 peak capability check misses (documented in inputs/kazakhstan/README.md and in the
check's known_miss). The Ministry's regional balances are checked in 2023 too: the North's surplus
misses there as in 2029. These two are the only 2023 checks allowed to miss.

2029 (models/kazakhstan_2029.toml: the 2030 fleet with the committed projects, no other build, at
2029 demand): the Ministry's regional balances, South -11.8..-12.7 TWh, North+East +8..10, West
+1..3. South and West fall within tolerance; the North exports more than the outlook says (the
case's cheap North coal replaces imports the outlook counts on), a miss the README quantifies; the
test asserts the Ministry's pattern (South short, North in surplus) beside the two checks.

2030 capacity balance (inputs only, no solve), the deficit of planner/deficit.py: demand at the
system peak hour not covered by credit x existing MW and credited imports (Russia 0.3 x 2.2 GW),
after the transfers the existing corridors allow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.studies.calibrate import calibrate, capacity_balance
from planner.load import load_case
from planner.model.data import prepare
from planner.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    table, _ = calibrate(load_spec(ROOT / "models" / "kazakhstan_2023.toml"), tmp_path_factory.mktemp("cal"))
    return table.set_index("metric")


def test_2023_every_check_within_tolerance(calibration):
    """Every 2023 check, KEGOC's two winters and the 2030 deficit are within tolerance; only the 2023
    peak capability check and the North's 2023 balance may miss (see the module docstring)."""
    assert {"generation_twh", "generation_share", "net_imports_twh", "peak_demand_mw", "peak_capability_shortfall_mw",
            "capacity_peak_mw", "capacity_firm_mw", "capacity_shortfall_mw",
            "region_balance_twh"} == set(calibration.index)
    rows = [((k, r["region"] if k == "region_balance_twh" else ""), r) for k, r in calibration.iterrows()]
    misses = {check for check, r in rows if not r["within"]}
    assert misses <= {("peak_capability_shortfall_mw", ""), ("region_balance_twh", "North")}
    # a documented miss is documented because it misses: a note on a check that passes is stale
    assert {check for check, r in rows if r["known_miss"]} == misses


def test_2023_regional_balances(calibration):
    """The Ministry's regional ranges checked in the base year: South -12.25 +- 2.45 TWh and West
    +2.0 +- 3.0 within tolerance, the North in surplus beyond its +9 +- 3 (the documented miss: the
    West's and the South's fleets give less than their ranges, and the North carries the rest)."""
    regions = calibration.loc["region_balance_twh"].set_index("region")
    assert regions.loc["South", "within"] and regions.loc["West", "within"]
    assert regions.loc["South", "model"] < 0 < regions.loc["North", "model"]
    assert regions.loc["North", "model"] > 9.0 + 3.0
    winters = calibration.loc[["capacity_peak_mw", "capacity_firm_mw"]]
    assert len(winters) == 4 and winters["within"].all()


@pytest.fixture(scope="module")
def outlook_2029(tmp_path_factory):
    table, _ = calibrate(load_spec(ROOT / "models" / "kazakhstan_2029.toml"), tmp_path_factory.mktemp("cal29"))
    return table.set_index("region")


def test_2029_south_and_west_balances_within_tolerance(outlook_2029):
    """South -12.25 +- 2.45 TWh and West +2.0 +- 3.0 TWh (Ministry outlook to 2029)."""
    assert outlook_2029.loc["South", "within"] and outlook_2029.loc["West", "within"]


def test_2029_north_miss_is_the_documented_one(outlook_2029):
    """The North balance misses (README: the case's fleet covers the 5.5 TWh the outlook imports) and
    is the one 2029 check with a known_miss note; the note goes stale the day the check passes."""
    assert not outlook_2029.loc["North", "within"]
    assert {k for k, r in outlook_2029.iterrows() if r["known_miss"]} == {"North"}


def test_2029_south_short_north_in_surplus(outlook_2029):
    """The Ministry's pattern: the South is short, the North (with the East) in surplus. With one growth
    rate for every zone the North was short (finding 1 of the audit)."""
    assert outlook_2029.loc["South", "model"] < 0 < outlook_2029.loc["North", "model"]


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
