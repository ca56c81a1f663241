"""CO2 cap, renewable share and fuel limits, each optimum worked out by hand."""

from __future__ import annotations

import pytest
from casekit import demand, existing, hours, solve_case, tech, v, write_case
from pytest import approx

from planner.results import extract

REL = 1e-6
FUELS = [{"fuel": "coal", "price_usd_per_mwh_th": 5, "co2_t_per_mwh_th": 0.5},
         {"fuel": "gas", "price_usd_per_mwh_th": 15, "co2_t_per_mwh_th": 0.25}]
PLANTS = [tech("coal", fuel="coal", heat_rate_mwh_th_per_mwh=2), tech("gas", fuel="gas", heat_rate_mwh_th_per_mwh=2)]


@pytest.mark.family("co2")
def test_co2_cap_dual_is_the_switching_cost(tmp_path):
    """Cap 150 t/yr: half the energy moves from coal to gas; the dual is 36 USD/t.

    Two 1-h timesteps, demand 100 MW (200 MWh). Heat rate 2 for both plants.
        coal: fuel 5 USD/MWh_th, 0.5 t/MWh_th -> 10 USD/MWh, 1 t/MWh
        gas:  fuel 15,            0.25         -> 30 USD/MWh, 0.5 t/MWh
    CO2 price 4 USD/t: coal 14 USD/MWh, gas 32 USD/MWh all in.
    Uncapped: all coal, 200 t. Cap: c + 0.5 (200 - c) <= 150 -> coal 100, gas 100 MWh.
        objective = 14 * 100 + 32 * 100 = 4600
        CO2 shadow price = (32 - 14) / (1 - 0.5) = 36 USD/t; the cap is
        emissions <= cap, so the dual (d cost / d cap) is -36
    """
    f = write_case(
        tmp_path / "c",
        periods=[{"period": 2030, "years": 1, "co2_price_usd_per_t": 4, "co2_cap_t": 150}],
        fuels=FUELS, technologies=PLANTS,
        existing_capacity=[existing("A", "coal", 100), existing("A", "gas", 100)],
        timesteps=hours([1, 1]),
        demand=demand({"A": [100, 100]}),
    )
    m, d, sol = solve_case(f)
    assert sum(v(m.gen["A", "coal", 2030, t]) for t in range(2)) == approx(100, rel=REL)
    assert sum(v(m.gen["A", "gas", 2030, t]) for t in range(2)) == approx(100, rel=REL)
    assert v(m.emissions[2030]) == approx(150, rel=REL)
    assert sol.duals[m.co2_cap[2030]] == approx(-36, rel=REL)
    sp = extract(m, d, sol)["shadow_prices"].set_index("constraint")
    assert sp.at["co2_cap", "shadow_price"] == approx(36, rel=REL)  # saving per tonne of cap relaxed
    assert sol.objective == approx(4600, rel=REL)
    assert solve_case(f, drop=("co2_cap",))[2].objective == approx(14 * 200, rel=REL)


@pytest.mark.family("renewable_share")
def test_renewable_share_binds(tmp_path):
    """30 % of 200 MWh must be renewable: 60 MWh of wind at 40 against gas at 20.

    Two 1-h timesteps, demand 100 MW. wind (renewable): existing 100 MW, vom 40.
    gas: existing 100 MW, vom 20.
        wind 60 MWh, gas 140 MWh; objective = 40 * 60 + 20 * 140 = 5200  (4000 uncapped)
    The row is 0.7 wind - 0.3 gas >= 0; moving x MWh from gas to wind raises it
    by x and costs 20 x, so the dual is +20 USD per renewable MWh.
    """
    f = write_case(
        tmp_path / "c",
        periods=[{"period": 2030, "years": 1, "min_renewable_share": 0.3}],
        technologies=[tech("wind", "variable", vom_usd_per_mwh=40, renewable=1), tech("gas", vom_usd_per_mwh=20)],
        existing_capacity=[existing("A", "wind", 100), existing("A", "gas", 100)],
        timesteps=hours([1, 1]),
        demand=demand({"A": [100, 100]}),
    )
    m, d, sol = solve_case(f)
    assert sum(v(m.gen["A", "wind", 2030, t]) for t in range(2)) == approx(60, rel=REL)
    assert sum(v(m.gen["A", "gas", 2030, t]) for t in range(2)) == approx(140, rel=REL)
    assert sol.duals[m.renewable_share[2030]] == approx(20, rel=REL)
    assert sol.objective == approx(5200, rel=REL)
    assert solve_case(f, drop=("renewable_share",))[2].objective == approx(4000, rel=REL)


@pytest.mark.family("fuel_limits")
def test_gas_supply_limit_binds(tmp_path):
    """300 MWh_th of gas a year runs the gas plant for 150 MWh; oil covers the rest.

    Two 1-h timesteps, demand 100 MW (200 MWh). gas: heat rate 2, fuel 10
    USD/MWh_th -> 20 USD/MWh. oil: no fuel, vom 50.
        gas 150 MWh (2 * 150 = 300 MWh_th), oil 50 MWh
        objective = 20 * 150 + 50 * 50 = 5500        (4000 without the limit)
        fuel_limit dual = -(50 - 20) / 2 = -15 USD/MWh_th
    """
    f = write_case(
        tmp_path / "c",
        fuels=[{"fuel": "gas", "price_usd_per_mwh_th": 10}],
        fuel_limits=[{"fuel": "gas", "period": 2030, "max_use_mwh_th": 300}],
        technologies=[tech("gas", fuel="gas", heat_rate_mwh_th_per_mwh=2), tech("oil", vom_usd_per_mwh=50)],
        existing_capacity=[existing("A", "gas", 100), existing("A", "oil", 100)],
        timesteps=hours([1, 1]),
        demand=demand({"A": [100, 100]}),
    )
    m, d, sol = solve_case(f)
    assert sum(v(m.gen["A", "gas", 2030, t]) for t in range(2)) == approx(150, rel=REL)
    assert sum(v(m.gen["A", "oil", 2030, t]) for t in range(2)) == approx(50, rel=REL)
    assert sol.duals[m.fuel_limit["gas", 2030]] == approx(-15, rel=REL)
    assert sol.objective == approx(5500, rel=REL)
    assert solve_case(f, drop=("fuel_limit",))[2].objective == approx(4000, rel=REL)
