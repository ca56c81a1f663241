"""The Kazakhstan case against published figures: the 2023 calibration and the 2030 deficit.

2023 (models/kazakhstan_2023.toml, 12 representative days, existing fleet only): the spec's
checks compare generation (112.82 TWh), coal share (71.2 %), net imports (+2.0 TWh), peak
(16,626 MW) and the peak shortfall (1,519 MW = 16,626 - 15,107 MW domestic) with the model.
Two checks miss for reasons the data cannot fix without bending it (README, "Calibration"):
net imports need a minimum-import mechanism, the peak shortfall a peak-preserving time
aggregation. They are marked xfail with that reason, so the test fails loudly if they start
to pass (strict) or if any other check slips.

2030 capacity balance (inputs only, no solve), deficit = coincident peak x (1 + 0) - sum of
credit x existing MW, with the steam fleet life-extended to 2035:
  peak 2030 ~ 16,776 MW (2023, full year) x 144.3 / 115.1 TWh ~ 21.0 GW;
  firm ~ 0.837 x 14.4 GW old thermal + 0.8 x 2.5 GW hydro + small hydro, wind, 40 MW CCGT ~ 14.3 GW;
  deficit ~ 6.8 GW (KEGOC: "up to 6.2 GW by 2030"; Deputy PM: "up to 7 GW without action").
  South: own peak ~ 4,191 MW x 1.298 = 5.44 GW vs firm ~ 2.3 GW -> ~3.2 GW;
  North: ~ 10,012 MW x 1.298 = 13.0 GW vs firm ~ 10.5 GW -> ~2.5 GW.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.calibrate import calibrate, capacity_balance
from planner.load import load_case
from planner.model.data import prepare
from planner.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
KNOWN_MISSES = {"net_imports_twh", "peak_shortfall_mw"}


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    table, _ = calibrate(load_spec(ROOT / "models" / "kazakhstan_2023.toml"), tmp_path_factory.mktemp("cal"))
    return table.set_index("metric")


@pytest.mark.parametrize("metric", ["generation_twh", "generation_share", "peak_demand_mw"])
def test_2023_check_within_tolerance(calibration, metric):
    r = calibration.loc[metric]
    assert r["within"], f"{metric}: model {r['model']:.3f} vs {r['target']:.3f} (error {r['error']:+.2f}, tolerance {r['tolerance']:g})"


@pytest.mark.xfail(strict=True, reason="needs an engine mechanism (minimum annual import / peak-preserving "
                                       "time aggregation); see inputs/kazakhstan/README.md, Calibration")
@pytest.mark.parametrize("metric", sorted(KNOWN_MISSES))
def test_2023_known_miss(calibration, metric):
    assert calibration.loc[metric, "within"]


def test_2023_imports_and_peak_shortfall_point_the_right_way(calibration):
    """Even where they miss, the 2023 trade and peak checks must not swing back: net imports
    above the -3.0 TWh of the old export-at-cap terms, peak shortfall positive."""
    assert calibration.loc["net_imports_twh", "model"] > -1.4
    assert calibration.loc["peak_shortfall_mw", "model"] > 0


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
