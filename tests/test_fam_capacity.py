"""Capacity vintages, discounting and build limits, each optimum worked out by hand."""

from __future__ import annotations

import pytest
from casekit import demand, existing, hours, settings, solve_case, tech, v, write_case
from pytest import approx

REL = 1e-6


@pytest.mark.family("capacity")
def test_retirement_forces_build_in_second_period_discounted(tmp_path):
    """A cheap coal plant retires in 2035 and forces a gas build then, not earlier.

    Periods 2030 and 2035, 5 years each; discount_rate r = 0.1, base_year 2030.
    Two timesteps of 4380 h (a full year), demand 100 MW in both.
    coal: existing 100 MW, vom 5 USD/MWh, retirement_year 2035 -> serves 2030 only.
    gas: new build, capex 1000 USD/kW, lifetime 20, vom 20 USD/MWh, unattributed,
    so annualised at the discount rate. VOLL 1000 USD/MWh.

        df[2030] = sum_{y=2030}^{2034} 1.1^-(y-2030) = 4.169865446
        df[2035] = sum_{y=2035}^{2039} 1.1^-(y-2030) = 2.589158370
        CRF(0.1, 20) = 0.1 * 1.1^20 / (1.1^20 - 1) = 0.117459625
        annuity = 1e6 USD/MW * CRF = 117459.625 USD/MW-yr

    2030: coal covers demand; building gas now would pay annuities in 2030 too
    for nothing. 2035: without coal, 1 MW of gas costs 117459.6 + 20 * 8760 =
    292659.6 USD/yr against 1000 * 8760 = 8.76e6 of lost load, so 100 MW of gas
    is built in 2035. Annuities are paid only inside the horizon (2035-2039),
    never the overnight 1e8 USD:

        objective = df30 * (5 * 8760 * 100) + df35 * (117459.625 * 100 + 20 * 8760 * 100)
                  = 4.169865446 * 4.38e6 + 2.589158370 * (11745962.48 + 17.52e6)
                  = 94038222.357

    Without the retirement the coal would keep serving and nothing would be built.
    """
    f = write_case(
        tmp_path / "c",
        settings=settings(rate=0.1, base_year=2030),
        periods=[{"period": 2030, "years": 5}, {"period": 2035, "years": 5}],
        technologies=[tech("coal", vom_usd_per_mwh=5),
                      tech("gas", lifetime_yr=20, capex_usd_per_kw=1000, vom_usd_per_mwh=20)],
        existing_capacity=[existing("A", "coal", 100, build_year=1990, retirement_year=2035)],
        build_options=[{"zone": "A", "technology": "gas"}],
        timesteps=hours([4380, 4380]),
        demand=demand({"A": [100, 100]}),
    )
    m, d, sol = solve_case(f)
    df30 = sum(1.1 ** -k for k in range(0, 5))
    df35 = sum(1.1 ** -k for k in range(5, 10))
    assert d.discount_weight[2030] == approx(4.169865446349293, rel=REL) == approx(df30, rel=REL)
    assert d.discount_weight[2035] == approx(2.589158369925856, rel=REL) == approx(df35, rel=REL)
    assert d.annuity_usd_per_mw_yr[("A", "gas", "")] == approx(117459.62477254577, rel=REL)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(0, abs=1e-6)
    assert v(m.new_cap["A", "gas", "", 2035]) == approx(100, rel=REL)
    assert v(m.cap["A", "coal", 2030]) == approx(100, rel=REL)
    assert v(m.cap["A", "coal", 2035]) == approx(0, abs=1e-9)
    assert d.existing_mw.get(("A", "coal", 2035), 0.0) == 0.0  # retired: the reason for the build
    assert sum(v(m.unserved[k]) for k in m.unserved) == approx(0, abs=1e-6)
    assert sol.objective == approx(94038222.35692963, rel=REL)
    # the present value paid for the gas plant is five annuities, not the overnight cost
    assert v(m.annual_cost["investment", 2035]) * d.discount_weight[2035] == approx(
        117459.62477254577 * 100 * df35, rel=REL
    )


@pytest.mark.family("build_limits")
def test_min_and_max_new_mw_bind(tmp_path):
    """A committed project (min_new_mw) and a site limit (max_new_mw) both bind.

    One period of 1 year, r = 0, lifetime 1 -> annuity = capex * 1000 USD/MW-yr.
    One timestep of 1000 h, demand 100 MW, VOLL 1000 -> unserved would cost 1e6
    USD/MW-yr, so 100 MW are built. All vom 0.
        gas  capex 100 USD/kW (1e5 USD/MW-yr), max_new_mw 60
        oil  capex 200 USD/kW (2e5),           no limit
        nuc  capex 500 USD/kW (5e5),           min_new_mw 10
    Cheapest first: nuc 10 (forced), gas 60 (capped), oil the rest 30.
        objective = 10 * 5e5 + 60 * 1e5 + 30 * 2e5 = 1.7e7
    Without max_new_mw: gas 90, objective 1.4e7; without min_new_mw: no nuc,
    gas 60 + oil 40, also 1.4e7.
    Duals: one more MW allowed for gas saves 2e5 - 1e5 -> build_max dual -1e5;
    one MW less of nuc committed saves 5e5 - 2e5 -> build_min dual +3e5.
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("gas", lifetime_yr=1, capex_usd_per_kw=100),
                      tech("oil", lifetime_yr=1, capex_usd_per_kw=200),
                      tech("nuc", lifetime_yr=1, capex_usd_per_kw=500)],
        build_options=[{"zone": "A", "technology": "gas", "max_new_mw": 60}, {"zone": "A", "technology": "oil"},
                       {"zone": "A", "technology": "nuc", "min_new_mw": 10}],
        timesteps=hours([1000]),
        demand=demand({"A": [100]}),
    )
    m, d, sol = solve_case(f)
    assert v(m.new_cap["A", "nuc", "", 2030]) == approx(10, rel=REL)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(60, rel=REL)
    assert v(m.new_cap["A", "oil", "", 2030]) == approx(30, rel=REL)
    assert sol.objective == approx(1.7e7, rel=REL)
    assert sol.duals[m.build_max["A", "gas", ""]] == approx(-1e5, rel=REL)
    assert sol.duals[m.build_min["A", "nuc", ""]] == approx(3e5, rel=REL)
    assert solve_case(f, drop=("build_max",))[2].objective == approx(1.4e7, rel=REL)
    assert solve_case(f, drop=("build_min",))[2].objective == approx(60 * 1e5 + 40 * 2e5, rel=REL)


@pytest.mark.family("build_limits")
def test_potential_is_shared_by_partners(tmp_path):
    """Two partners offer wind in zone A; the site holds 50 MW in all.

    One period of 1 yr, r irrelevant (wacc per partner), lifetime 1 -> CRF = 1 + wacc.
    Wind capex 100 USD/kW: P1 at wacc 0 -> 1e5 USD/MW-yr, P2 at wacc 0.5 -> 1.5e5.
    Gas: existing 100 MW, vom 200, one timestep of 1000 h, demand 100 MW, wind availability 1.
    Each MW of wind saves 2e5 USD/yr of gas, so both partners want to build; the shared potential stops
    them at 50 MW, all of it from the cheaper P1:
        objective = 50 * 1e5 + 50 * 1000 * 200 = 1.5e7
        potential dual = -(2e5 - 1e5) = -1e5 USD/MW
    Without the shared potential both options are unbounded: P1 takes all 100 MW,
        objective = 100 * 1e5 = 1e7.
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("wind", "variable", lifetime_yr=1, capex_usd_per_kw=100), tech("gas", vom_usd_per_mwh=200)],
        existing_capacity=[existing("A", "gas", 100)],
        partners=[{"partner": "P1", "wacc": 0}, {"partner": "P2", "wacc": 0.5}],
        build_options=[{"zone": "A", "technology": "wind", "partner": "P1"},
                       {"zone": "A", "technology": "wind", "partner": "P2"}],
        build_potentials=[{"zone": "A", "technology": "wind", "max_new_mw": 50}],
        timesteps=hours([1000]),
        demand=demand({"A": [100]}),
    )
    m, d, sol = solve_case(f)
    assert v(m.new_cap["A", "wind", "P1", 2030]) == approx(50, rel=REL)
    assert v(m.new_cap["A", "wind", "P2", 2030]) == approx(0, abs=1e-6)
    assert sol.objective == approx(1.5e7, rel=REL)
    assert sol.duals[m.build_potential["A", "wind"]] == approx(-1e5, rel=REL)
    assert solve_case(f, drop=("build_potential",))[2].objective == approx(1e7, rel=REL)


@pytest.mark.family("capacity")
def test_cohort_retiring_mid_period_counts_for_the_years_it_serves(tmp_path):
    """A 100 MW coal cohort retiring in 2033 serves 3 of the 5 years of period 2030: 60 MW on average.

    r = 0, one period 2030 of 5 years -> df = 5. One timestep of 1000 h, demand 80 MW.
    coal: vom 10. gas: new, capex 100 USD/kW, lifetime 5 -> CRF(0, 5) = 0.2 -> 2e4 USD/MW-yr, vom 50.
        coal in service = 100 * 3/5 = 60 MW; gas built = 80 - 60 = 20 MW
        annual = 2e4 * 20 + 10 * 60 * 1000 + 50 * 20 * 1000 = 2e6 USD/yr;  objective = 5 * 2e6 = 1e7
    Counting the cohort for the whole period would build no gas and cost 5 * 80 * 1000 * 10 = 4e6.
    """
    f = write_case(
        tmp_path / "c",
        periods=[{"period": 2030, "years": 5}],
        technologies=[tech("coal", vom_usd_per_mwh=10),
                      tech("gas", lifetime_yr=5, capex_usd_per_kw=100, vom_usd_per_mwh=50)],
        existing_capacity=[{"zone": "A", "technology": "coal", "build_year": 1980, "capacity_mw": 100,
                            "retirement_year": 2033}],
        build_options=[{"zone": "A", "technology": "gas"}],
        timesteps=hours([1000]),
        demand=demand({"A": [80]}),
    )
    m, d, sol = solve_case(f)
    assert d.existing_mw[("A", "coal", 2030)] == approx(60, rel=REL)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(20, rel=REL)
    assert sol.objective == approx(1e7, rel=REL)


@pytest.mark.family("capacity")
def test_commitment_before_the_periods_run_is_existing_capacity(tmp_path):
    """Periods 2025 and 2030 in the case; a run of 2030 alone. A 40 MW plant committed in 2025
    (min_new_mw = max_new_mw = 40, last_period 2025, lifetime 20) is in service in 2030 as existing capacity,
    not an infeasible commitment.

    2030 (1 yr, r = 0): demand 100 MW for 1000 h; the committed plant (vom 10) covers 40 MW, new gas
    (capex 100 USD/kW, lifetime 1 -> 1e5 USD/MW-yr, vom 50) the other 60 MW:
        objective = 10 * 40 * 1000 + 60 * 1e5 + 50 * 60 * 1000 = 4e5 + 6e6 + 3e6 = 9.4e6
    """
    f = write_case(
        tmp_path / "c",
        periods=[{"period": 2025, "years": 5}, {"period": 2030, "years": 1}],
        technologies=[tech("chp", lifetime_yr=20, vom_usd_per_mwh=10),
                      tech("gas", lifetime_yr=1, capex_usd_per_kw=100, vom_usd_per_mwh=50)],
        build_options=[{"zone": "A", "technology": "chp", "last_period": 2025, "min_new_mw": 40, "max_new_mw": 40},
                       {"zone": "A", "technology": "gas", "first_period": 2030}],
        timesteps=hours([1000]),
        demand=demand({"A": [100]}),
    )
    m, d, sol = solve_case(f, periods=[2030])
    assert d.existing_mw[("A", "chp", 2030)] == approx(40, rel=REL)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(60, rel=REL)
    assert sol.objective == approx(9.4e6, rel=REL)
    assert d.committed_as_existing and "counted as existing" in d.committed_as_existing[0]
