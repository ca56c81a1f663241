"""Partners: envelopes, cost of capital, shares, zone caps and eligibility, worked by hand.

Common setting unless stated: one period of 1 year, r = 0, one timestep of
1000 h, demand 100 MW in zone A, VOLL 1000 USD/MWh (1e6 USD per MW-yr unserved),
and a technology "solar" (kind variable, availability 1, vom 0) that partners
offer to build.
"""

from __future__ import annotations

import pytest
from casekit import demand, existing, hours, solve_case, tech, v, write_case
from pytest import approx

REL = 1e-6


def partner(name: str, wacc: float = 0.0, **kw) -> dict:
    return {"partner": name, "wacc": wacc, **kw}


def option(partner_: str, capex: float, tech_: str = "solar", zone: str = "A") -> dict:
    return {"zone": zone, "technology": tech_, "partner": partner_, "capex_usd_per_kw": capex}


@pytest.mark.family("partners")
def test_envelope_binds_with_its_dual(tmp_path):
    """Partner K can finance 6e7 USD: 60 MW of solar, the rest from gas.

    Timestep of 4000 h; gas existing 100 MW, vom 50 -> 2e5 USD/yr per MW displaced.
    K: wacc 0; solar capex 1000 USD/kW (1e6 USD/MW), lifetime 10 -> 1e5 USD/MW-yr.
    Each MW of solar saves 2e5 - 1e5 = 1e5 USD/yr, so K spends the whole envelope:
        new solar = 6e7 / 1e6 = 60 MW; gas 40 MW
        objective = 60 * 1e5 + 40 * 4000 * 50 = 1.4e7    (1e7 with no envelope)
        envelope dual = -1e5 / 1e6 = -0.1 USD per USD of financing
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("solar", "variable", lifetime_yr=10), tech("gas", vom_usd_per_mwh=50)],
        existing_capacity=[existing("A", "gas", 100)],
        partners=[partner("K")],
        partner_envelopes=[{"partner": "K", "period": 2030, "max_investment_usd": 6e7}],
        build_options=[option("K", 1000)],
        timesteps=hours([4000]),
        demand=demand({"A": [100]}),
    )
    m, d, sol = solve_case(f)
    assert v(m.new_cap["A", "solar", "K", 2030]) == approx(60, rel=REL)
    assert v(m.gen["A", "gas", 2030, 0]) == approx(40, rel=REL)
    assert sol.duals[m.partner_envelope["K", 2030]] == approx(-0.1, rel=REL)
    assert sol.objective == approx(1.4e7, rel=REL)
    assert solve_case(f, drop=("partner_envelope",))[2].objective == approx(1e7, rel=REL)


def _wacc_case(tmp_path, wacc_k2: float):
    return write_case(
        tmp_path / f"c{wacc_k2}",
        technologies=[tech("solar", "variable", lifetime_yr=20)],
        partners=[partner("K1", 0.12), partner("K2", wacc_k2)],
        partner_envelopes=[{"partner": "K1", "period": 2030, "max_investment_usd": 1e12}],
        build_options=[option("K1", 1000), option("K2", 1100)],
        timesteps=hours([1000]),
        demand=demand({"A": [100]}),
    )


@pytest.mark.family("partners")
def test_lower_wacc_wins_a_build_it_would_otherwise_lose(tmp_path):
    """K2 asks 10 % more capex but finances at 5 % against K1's 12 %, and wins.

    Lifetime 20. Annuity = capex * CRF(wacc, 20), CRF = w (1+w)^20 / ((1+w)^20 - 1):
        K1: 1e6   * CRF(0.12, 20) = 1e6   * 0.1338788 = 133878.78 USD/MW-yr
        K2: 1.1e6 * CRF(0.05, 20) = 1.1e6 * 0.0802426 =  88266.85 USD/MW-yr
    Both beat lost load (1e6), so 100 MW are built, all by K2:
        objective = 100 * 88266.846 = 8826684.59
    At K1's 12 % K2 would pay 1.1e6 * 0.1338788 = 147266.66 and lose: K1 builds
    all 100 MW, objective 13387878.00. (K1's envelope of 1e12 never binds.)
    """
    m, d, sol = solve_case(_wacc_case(tmp_path, 0.05))
    assert d.annuity_usd_per_mw_yr[("A", "solar", "K2")] == approx(88266.84590976042, rel=REL)
    assert v(m.new_cap["A", "solar", "K2", 2030]) == approx(100, rel=REL)
    assert v(m.new_cap["A", "solar", "K1", 2030]) == approx(0, abs=1e-6)
    assert sol.objective == approx(8826684.590976042, rel=REL)

    m, d, sol = solve_case(_wacc_case(tmp_path, 0.12))
    assert v(m.new_cap["A", "solar", "K1", 2030]) == approx(100, rel=REL)
    assert v(m.new_cap["A", "solar", "K2", 2030]) == approx(0, abs=1e-6)
    assert sol.objective == approx(13387878.00396606, rel=REL)


@pytest.mark.family("partners")
def test_min_and_max_share_bind(tmp_path):
    """K1 is cheapest but capped at half the new MW; K3 is dearest but must build 20 %.

    Lifetime 1, wacc 0 -> annuity = capex * 1000 USD/MW-yr.
        K1 capex 100 (1e5), max_share 0.5; K2 capex 200 (2e5); K3 capex 300 (3e5), min_share 0.2
    100 MW are built (lost load costs 1e6 per MW-yr):
        K3 = 0.2 * 100 = 20, K1 = 0.5 * 100 = 50, K2 = the other 30
        objective = 20 * 3e5 + 50 * 1e5 + 30 * 2e5 = 1.7e7
    Without min_share: K1 50, K2 50 -> 1.5e7; without max_share: K3 20, K1 80 -> 1.4e7.
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("solar", "variable", lifetime_yr=1)],
        partners=[partner("K1", max_share=0.5), partner("K2"), partner("K3", min_share=0.2)],
        build_options=[option("K1", 100), option("K2", 200), option("K3", 300)],
        timesteps=hours([1000]),
        demand=demand({"A": [100]}),
    )
    m, d, sol = solve_case(f)
    assert v(m.new_cap["A", "solar", "K1", 2030]) == approx(50, rel=REL)
    assert v(m.new_cap["A", "solar", "K2", 2030]) == approx(30, rel=REL)
    assert v(m.new_cap["A", "solar", "K3", 2030]) == approx(20, rel=REL)
    assert sol.objective == approx(1.7e7, rel=REL)
    assert solve_case(f, drop=("partner_min_share",))[2].objective == approx(50 * 1e5 + 50 * 2e5, rel=REL)
    assert solve_case(f, drop=("partner_max_share",))[2].objective == approx(20 * 3e5 + 80 * 1e5, rel=REL)


@pytest.mark.family("partners")
def test_zone_cap_and_eligibility(tmp_path):
    """K may build only solar, at most 30 MW in A; the rest is an unattributed option.

    Lifetime 1, wacc 0 and r = 0 -> annuity = capex * 1000 USD/MW-yr.
        K solar capex 100 (1e5), zone cap 30 MW in A
        K gas   capex 10  (1e4): K is eligible for solar only, so not offered
        unattributed solar capex 200 (2e5)
        K solar 30, unattributed 70; objective = 30 * 1e5 + 70 * 2e5 = 1.7e7
        zone cap dual = -(2e5 - 1e5) = -1e5 USD/MW
    Were K eligible for gas, K would build 30 MW of gas instead (3e5 + 1.4e7).
    Without the zone cap K would build all 100 MW of solar (1e7).
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("solar", "variable", lifetime_yr=1), tech("gas", lifetime_yr=1)],
        partners=[partner("K", eligible_technologies="solar")],
        partner_zone_caps=[{"partner": "K", "zone": "A", "max_new_mw": 30}],
        build_options=[option("K", 100), option("K", 10, "gas"), option("", 200)],
        timesteps=hours([1000]),
        demand=demand({"A": [100]}),
    )
    m, d, sol = solve_case(f)
    assert ("A", "gas", "K") not in d.BUILDS and len(d.excluded_builds) == 1
    assert v(m.new_cap["A", "solar", "K", 2030]) == approx(30, rel=REL)
    assert v(m.new_cap["A", "solar", "", 2030]) == approx(70, rel=REL)
    assert sol.duals[m.partner_zone_cap["K", "A"]] == approx(-1e5, rel=REL)
    assert sol.objective == approx(1.7e7, rel=REL)
    assert solve_case(f, drop=("partner_zone_cap",))[2].objective == approx(1e7, rel=REL)
