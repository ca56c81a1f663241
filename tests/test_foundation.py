"""Hand-checkable optima of the engine foundation: screening curve and a congested line."""

from __future__ import annotations

import pytest
from casekit import hours, solve_case, write_case

from planner.results import extract

TWO_TECHS = [
    {"technology": "base", "kind": "thermal", "capex_usd_per_kw": 100, "vom_usd_per_mwh": 10, "lifetime_yr": 1},
    {"technology": "peak", "kind": "thermal", "capex_usd_per_kw": 20, "vom_usd_per_mwh": 50, "lifetime_yr": 1},
]


def test_screening_curve_one_zone(tmp_path):
    """One zone, two candidate technologies, two load levels, discount rate 0, lifetime 1 yr.

    Annuities (CRF(0, 1) = 1): base 100 USD/kW -> 100,000 USD/MW-yr, peak 20,000 USD/MW-yr.
    Running cost: base 10, peak 50 USD/MWh. Break-even hours: 100,000 + 10 h = 20,000 + 50 h -> h = 2,000.
    Load: 100 MW for 7,760 h, 150 MW for 1,000 h. The 50 MW slice runs 1,000 h < 2,000 -> peak;
    the 100 MW slice runs 8,760 h > 2,000 -> base.
      base = 100 MW, peak = 50 MW
      cost = 100*100,000 + 50*20,000 + 10*100*7,760 + (10*100 + 50*50)*1,000
           = 10,000,000 + 1,000,000 + 7,760,000 + 3,500,000 = 22,260,000 USD
    Prices: hour 1 (peak set): 50 + 20,000/1,000 = 70 USD/MWh.
      hour 0: one more MW all year needs 1 MW more base (100,000 + 10*7,760) and lets peak shrink by 1 MW
      (-20,000 - (50-10)*1,000): 117,600 USD over 7,760 h = 15.15464 USD/MWh.
      Check: base earns (15.15464-10)*7,760 + (70-10)*1,000 = 100,000 = its annuity.
    """
    c = write_case(tmp_path / "c", technologies=TWO_TECHS,
                   build_options=[{"zone": "A", "technology": "base"}, {"zone": "A", "technology": "peak"}],
                   timesteps=hours([7760, 1000]),
                   demand=[{"zone": "A", "timestep": 0, "demand_mw": 100},
                           {"zone": "A", "timestep": 1, "demand_mw": 150}])
    m, d, sol = solve_case(c)
    assert sol.objective == pytest.approx(22_260_000, rel=1e-6)
    assert m.new_cap["A", "base", "", 2030].value == pytest.approx(100, rel=1e-6)
    assert m.new_cap["A", "peak", "", 2030].value == pytest.approx(50, rel=1e-6)
    prices = extract(m, d, sol)["prices"].set_index("timestep")["price_usd_per_mwh"]
    assert prices[1] == pytest.approx(70, rel=1e-6)
    assert prices[0] == pytest.approx(117_600 / 7_760, rel=1e-6)


def test_two_zones_congested_line(tmp_path):
    """Zone A: 200 MW existing at 10 USD/MWh; zone B: 200 MW existing at 40 USD/MWh; B needs 100 MW.

    Line A->B 50 MW with 10 % loss. Delivering from A costs 10/0.9 = 11.1 < 40 USD/MWh, so the line fills:
      flow sent 50 MW, received 45 MW, B's own plant 55 MW
      cost = 10*50 + 40*55 = 2,700 USD (one hour of weight 1)
    Prices: B = 40 (its own plant is marginal); A = 10 (A's plant is marginal, the line is congested),
    so the prices separate instead of A = 0.9 * 40 = 36.
    """
    techs = [{"technology": "cheap", "kind": "thermal", "vom_usd_per_mwh": 10, "lifetime_yr": 100},
             {"technology": "dear", "kind": "thermal", "vom_usd_per_mwh": 40, "lifetime_yr": 100}]
    c = write_case(tmp_path / "c", zones=[{"zone": "A"}, {"zone": "B"}], technologies=techs,
                   existing_capacity=[{"zone": "A", "technology": "cheap", "build_year": 2000, "capacity_mw": 200},
                                      {"zone": "B", "technology": "dear", "build_year": 2000, "capacity_mw": 200}],
                   timesteps=hours([1]),
                   demand=[{"zone": "A", "timestep": 0, "demand_mw": 0},
                           {"zone": "B", "timestep": 0, "demand_mw": 100}],
                   corridors=[{"corridor": "AB", "from_zone": "A", "to_zone": "B", "capacity_mw": 50, "loss_pu": 0.1,
                               "max_new_mw": 0}])
    m, d, sol = solve_case(c)
    assert sol.objective == pytest.approx(2_700, rel=1e-6)
    t = extract(m, d, sol)
    flows = t["flows"].iloc[0]
    assert flows["flow_mw"] == pytest.approx(50, rel=1e-6)
    assert flows["loss_mw"] == pytest.approx(5, rel=1e-6)
    assert m.gen["B", "dear", 2030, 0].value == pytest.approx(55, rel=1e-6)
    prices = t["prices"].set_index("zone")["price_usd_per_mwh"]
    assert prices["B"] == pytest.approx(40, rel=1e-6)
    assert prices["A"] == pytest.approx(10, rel=1e-6)


def test_timestep_weights_scale_to_a_year(tmp_path):
    """The same hour weighted 8,760 or split into two hours of 4,380 gives the same annual cost.

    Existing 100 MW at 20 USD/MWh serving 80 MW: 80 * 20 * 8,760 = 14,016,000 USD either way.
    """
    techs = [{"technology": "gen", "kind": "thermal", "vom_usd_per_mwh": 20, "lifetime_yr": 100}]
    ex = [{"zone": "A", "technology": "gen", "build_year": 2000, "capacity_mw": 100}]
    one = write_case(tmp_path / "one", technologies=techs, existing_capacity=ex, timesteps=hours([8760]),
                     demand=[{"zone": "A", "timestep": 0, "demand_mw": 80}])
    two = write_case(tmp_path / "two", technologies=techs, existing_capacity=ex, timesteps=hours([4380, 4380]),
                     demand=[{"zone": "A", "timestep": i, "demand_mw": 80} for i in (0, 1)])
    assert solve_case(one)[2].objective == pytest.approx(14_016_000, rel=1e-9)
    assert solve_case(two)[2].objective == pytest.approx(14_016_000, rel=1e-9)
