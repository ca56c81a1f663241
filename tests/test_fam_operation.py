"""Dispatch, balance, storage and hydro, each optimum worked out by hand."""

from __future__ import annotations

import pytest
from casekit import demand, existing, hours, price, profile, settings, solve_case, tech, v, write_case
from pytest import approx

from planner.results import extract

REL = 1e-6


@pytest.mark.family("dispatch")
def test_availability_profile_bounds_output(tmp_path):
    """Solar output follows its hourly profile; gas is held to availability_pu.

    One zone, three 1-h timesteps, demand [95, 80, 80] MW, VOLL 1000.
    solar: existing 100 MW, vom 0, profile [0, 0.5, 1.0].
    gas:   existing 100 MW, vom 30, availability_pu 0.9 (no profile) -> 90 MW.
        t0: solar 0,  gas 90, unserved 5 -> price 1000
        t1: solar 50, gas 30             -> price 30
        t2: solar 80 (20 curtailed), gas 0 -> price 0
        objective = 30 * (90 + 30) + 1000 * 5 = 8600
    Without the availability bounds solar would serve everything at no cost.
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("solar", "variable"), tech("gas", vom_usd_per_mwh=30, availability_pu=0.9)],
        existing_capacity=[existing("A", "solar", 100), existing("A", "gas", 100)],
        availability=profile("A", "solar", [0, 0.5, 1.0]),
        timesteps=hours([1, 1, 1]),
        demand=demand({"A": [95, 80, 80]}),
    )
    m, d, sol = solve_case(f)
    assert [v(m.gen["A", "solar", 2030, t]) for t in range(3)] == approx([0, 50, 80], rel=REL, abs=1e-6)
    assert [v(m.gen["A", "gas", 2030, t]) for t in range(3)] == approx([90, 30, 0], rel=REL, abs=1e-6)
    assert v(m.unserved["A", 2030, 0]) == approx(5, rel=REL)
    assert [price(m, d, sol, "A", 2030, t) for t in range(3)] == approx([1000, 30, 0], rel=REL, abs=1e-6)
    assert sol.objective == approx(8600, rel=REL)
    assert solve_case(f, drop=("dispatch_max",))[2].objective == approx(0, abs=1e-6)


@pytest.mark.family("dispatch")
def test_must_run_chp_in_winter_runs_at_a_loss(tmp_path):
    """A CHP plant must run at 60 % in the two winter hours although wind is free.

    Three 1-h timesteps, demand 80 MW each. wind: existing 100 MW, vom 0.
    chp: existing 100 MW, vom 40, min_output profile [0.6, 0.6, 0] (winter, winter, summer).
        winter: chp 60 (must-run), wind 20 (80 curtailed); price 0: chp loses 40/MWh
        summer: chp 0, wind 80
        objective = 40 * 60 * 2 = 4800        (0 without the must-run)
    The must-run row is held by Pyomo as 0.6 * cap - gen <= 0; its dual is the
    change in cost per MW that bound is relaxed (one MW less must-run): -40 USD.
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("wind", "variable"), tech("chp", vom_usd_per_mwh=40)],
        existing_capacity=[existing("A", "wind", 100), existing("A", "chp", 100)],
        min_output=profile("A", "chp", [0.6, 0.6, 0.0], "min_output_pu"),
        timesteps=hours([1, 1, 1]),
        demand=demand({"A": [80, 80, 80]}),
    )
    m, d, sol = solve_case(f)
    assert [v(m.gen["A", "chp", 2030, t]) for t in range(3)] == approx([60, 60, 0], rel=REL, abs=1e-6)
    assert [v(m.gen["A", "wind", 2030, t]) for t in range(3)] == approx([20, 20, 80], rel=REL, abs=1e-6)
    assert [price(m, d, sol, "A", 2030, t) for t in range(3)] == approx([0, 0, 0], abs=1e-6)
    assert sol.duals[m.dispatch_min["A", "chp", 2030, 0]] == approx(-40, rel=REL)
    assert sol.objective == approx(4800, rel=REL)
    assert solve_case(f, drop=("dispatch_min",))[2].objective == approx(0, abs=1e-6)


@pytest.mark.family("balance")
def test_unserved_at_voll_and_zonal_price_is_marginal_cost(tmp_path):
    """Capacity capped at 50 MW: 20 MW unserved at VOLL in the peak hour.

    One period 2030 of 3 years, r = 0.05: df = 1 + 1.05^-1 + 1.05^-2 = 2.859410431.
    Timestep weights [3000, 5760] h; demand [40, 70] MW; gas existing 50 MW, vom 25;
    VOLL 1000 USD/MWh.
        t0: gas 40, price 25 (gas marginal)
        t1: gas 50, unserved 20, price 1000 (VOLL marginal)
        annual cost = 25 * (40 * 3000 + 50 * 5760) + 1000 * 20 * 5760 = 1.254e8 USD/yr
        objective = df * 1.254e8 = 358569968.25
    price = balance dual / (df * weight) reads 25 and 1000 in USD/MWh; the raw
    duals are 25 * df * 3000 and 1000 * df * 5760.
    """
    f = write_case(
        tmp_path / "c",
        settings=settings(voll=1000, rate=0.05),
        periods=[{"period": 2030, "years": 3}],
        technologies=[tech("gas", vom_usd_per_mwh=25)],
        existing_capacity=[existing("A", "gas", 50)],
        timesteps=hours([3000, 5760]),
        demand=demand({"A": [40, 70]}),
    )
    m, d, sol = solve_case(f)
    df = 1 + 1.05 ** -1 + 1.05 ** -2
    assert d.discount_weight[2030] == approx(df, rel=REL)
    assert v(m.unserved["A", 2030, 0]) == approx(0, abs=1e-6)
    assert v(m.unserved["A", 2030, 1]) == approx(20, rel=REL)
    assert sol.objective == approx(df * 1.254e8, rel=REL)
    assert sol.duals[m.balance["A", 2030, 0]] == approx(25 * df * 3000, rel=REL)
    assert sol.duals[m.balance["A", 2030, 1]] == approx(1000 * df * 5760, rel=REL)
    prices = extract(m, d, sol)["prices"].set_index("timestep")
    assert prices["price_usd_per_mwh"].tolist() == approx([25, 1000], rel=REL)
    assert prices["unserved_mw"].tolist() == approx([0, 20], abs=1e-6)


@pytest.mark.family("storage")
def test_two_hour_arbitrage_with_losses_cyclic(tmp_path):
    """A 10 MW / 2 h battery charges at 10 USD/MWh and discharges at 50, round trip 0.72.

    One block of two 1-h timesteps, demand [30, 80] MW.
    base: existing 50 MW, vom 10.  peak: existing 100 MW, vom 50.
    battery: existing 10 MW, duration_h 2 (20 MWh), eta_c 0.9, eta_d 0.8.
    The state of charge wraps within the block, so what is discharged must have
    been charged: 0.9 * charge = gen / 0.8 -> gen = 0.72 * charge.
    Charging 1 MWh at 10 makes 0.72 MWh worth 50 -> +26, so charge the most:
    charge = 10 (power limit; base has 20 spare), discharge 7.2, stored 9 MWh <= 20.
        t0: base 30 + 10 = 40; t1: base 50, battery 7.2, peak 22.8
        objective = 10 * 40 + 10 * 50 + 50 * 22.8 = 2040   (2300 without storage)
        prices: t0 10, t1 50
    Without the state-of-charge continuity the store would discharge energy it
    never charged and the objective would fall below 2040.
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("base", vom_usd_per_mwh=10), tech("peak", vom_usd_per_mwh=50),
                      tech("battery", "storage", efficiency_charge=0.9, efficiency_discharge=0.8, duration_h=2)],
        existing_capacity=[existing("A", "base", 50), existing("A", "peak", 100), existing("A", "battery", 10)],
        timesteps=hours([1, 1]),
        demand=demand({"A": [30, 80]}),
    )
    m, d, sol = solve_case(f)
    assert v(m.charge["A", "battery", 2030, 0]) == approx(10, rel=REL)
    assert v(m.charge["A", "battery", 2030, 1]) == approx(0, abs=1e-6)
    assert v(m.gen["A", "battery", 2030, 1]) == approx(7.2, rel=REL)
    assert v(m.gen["A", "peak", 2030, 1]) == approx(22.8, rel=REL)
    assert v(m.ecap["A", "battery", 2030]) == approx(20, rel=REL)
    assert v(m.soc["A", "battery", 2030, 0]) - v(m.soc["A", "battery", 2030, 1]) == approx(9, rel=REL)
    assert [price(m, d, sol, "A", 2030, t) for t in range(2)] == approx([10, 50], rel=REL)
    assert sol.objective == approx(2040, rel=REL)
    st = extract(m, d, sol)["storage"]  # the storage operation reported: charge 10 then discharge 7.2
    assert st["charge_mw"].tolist() == approx([10, 0], abs=1e-6)
    assert st["discharge_mw"].tolist() == approx([0, 7.2], abs=1e-6)
    assert st["energy_capacity_mwh"].tolist() == approx([20, 20])
    # the cycle must close: without continuity the store would discharge energy it never charged
    assert solve_case(f, drop=("storage_soc",))[2].objective < 2040 - 1


def _shift_case(tmp_path, battery: dict):
    return write_case(
        tmp_path / "c",
        technologies=[tech("base"), tech("peak", vom_usd_per_mwh=100), battery],
        existing_capacity=[existing("A", "base", 50), existing("A", "peak", 50)],
        build_options=[{"zone": "A", "technology": "bat"}],
        timesteps=hours([2190, 2190, 2190, 2190]),
        demand=demand({"A": [20, 20, 70, 70]}),
    )


@pytest.mark.family("storage")
def test_energy_sized_storage_builds_power_and_energy_separately(tmp_path):
    """Storage with empty duration_h sizes MW and MWh separately: 20 MW / 40 MWh.

    One block of four timesteps of 2190 h, demand [20, 20, 70, 70] MW, efficiencies 1.
    base: existing 50 MW, vom 0.  peak: existing 50 MW, vom 100.
    bat: new, capex 100 USD/kW + 50 USD/kWh, lifetime 1, r = 0 -> annuities
    1e5 USD/MW-yr and 5e4 USD/MWh-yr.
    Shifting x MW into both evening hours needs x MW and 2x MWh: cost 2e5 x,
    saving 2 * 2190 * 100 x = 4.38e5 x, so shift all 20 MW above base:
        cap 20 MW, energy 40 MWh, charge 20 in t0, t1, discharge 20 in t2, t3
        objective = 20 * 1e5 + 40 * 5e4 = 4e6        (peak and base cost nothing else)
    """
    f = _shift_case(tmp_path, tech("bat", "storage", lifetime_yr=1, capex_usd_per_kw=100, capex_usd_per_kwh=50))
    m, d, sol = solve_case(f)
    assert v(m.new_cap["A", "bat", "", 2030]) == approx(20, rel=REL)
    assert v(m.new_energy["A", "bat", "", 2030]) == approx(40, rel=REL)
    assert [v(m.gen["A", "bat", 2030, t]) for t in range(4)] == approx([0, 0, 20, 20], abs=1e-6)
    assert [v(m.charge["A", "bat", 2030, t]) for t in range(4)] == approx([20, 20, 0, 0], abs=1e-6)
    assert sum(v(m.gen["A", "peak", 2030, t]) for t in range(4)) == approx(0, abs=1e-6)
    assert sol.objective == approx(4e6, rel=REL)


@pytest.mark.family("storage")
def test_fixed_duration_storage_oversizes_power_for_energy(tmp_path):
    """Same shift with a fixed 1-hour battery: 40 MWh needs 40 MW.

    As the energy-sized case, but bat has duration_h 1 and capex 150 USD/kW only
    (1.5e5 USD/MW-yr; energy comes with power). Shifting x MW into two hours
    needs 2x MWh and so 2x MW: cost 3e5 x < saving 4.38e5 x, so x = 20:
        cap 40 MW, energy 40 MWh, discharge 20 in t2 and t3 (not 40)
        objective = 40 * 1.5e5 = 6e6
    """
    f = _shift_case(tmp_path, tech("bat", "storage", lifetime_yr=1, capex_usd_per_kw=150, duration_h=1))
    m, d, sol = solve_case(f)
    assert len(m.new_energy) == 0
    assert v(m.new_cap["A", "bat", "", 2030]) == approx(40, rel=REL)
    assert v(m.ecap["A", "bat", 2030]) == approx(40, rel=REL)
    assert [v(m.gen["A", "bat", 2030, t]) for t in range(4)] == approx([0, 0, 20, 20], abs=1e-6)
    assert sol.objective == approx(6e6, rel=REL)


@pytest.mark.family("hydro")
def test_water_budget_binds_and_next_plant_sets_price(tmp_path):
    """40 MWh of water go to the hour where they displace oil; oil sets the price.

    Three 1-h timesteps, demand [50, 100, 150] MW.
    hydro: existing 100 MW, vom 0, budget 40 MWh/yr.  gas: 100 MW, vom 40.  oil: 100 MW, vom 90.
    Without hydro, t2 needs gas 100 + oil 50. Water is worth most against oil (90)
    so all 40 MWh go to t2: oil 10 remains there.
        gas 50, 100, 100; hydro 0, 0, 40; oil 0, 0, 10
        objective = 40 * 250 + 90 * 10 = 10900      (without the budget hydro runs
        50, 100, 100 and gas only 50 in t2: 40 * 50 = 2000)
        prices: 40, 40, 90; water value (budget dual) -90 USD/MWh
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("hydro", "hydro"), tech("gas", vom_usd_per_mwh=40), tech("oil", vom_usd_per_mwh=90)],
        existing_capacity=[existing("A", "hydro", 100), existing("A", "gas", 100), existing("A", "oil", 100)],
        hydro_budgets=[{"zone": "A", "technology": "hydro", "period": 2030, "energy_mwh": 40}],
        timesteps=hours([1, 1, 1]),
        demand=demand({"A": [50, 100, 150]}),
    )
    m, d, sol = solve_case(f)
    assert [v(m.gen["A", "hydro", 2030, t]) for t in range(3)] == approx([0, 0, 40], abs=1e-6)
    assert [v(m.gen["A", "oil", 2030, t]) for t in range(3)] == approx([0, 0, 10], abs=1e-6)
    assert [price(m, d, sol, "A", 2030, t) for t in range(3)] == approx([40, 40, 90], rel=REL)
    assert sol.duals[m.hydro_budget["A", "hydro", 2030]] == approx(-90, rel=REL)
    assert sol.objective == approx(10900, rel=REL)
    assert solve_case(f, drop=("hydro_budget",))[2].objective == approx(2000, rel=REL)
