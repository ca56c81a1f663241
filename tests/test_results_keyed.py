"""What the model computed, by key: results' cost_terms and firm_capacity (the families' registered terms)."""

from __future__ import annotations

import pytest
from casekit import EXAMPLE, demand, hours, solve_case, south_reserve_case, tech, write_case
from pytest import approx

from planner.results import cost_terms, costs, extract, firm_capacity

REL = 1e-6


def test_costs_and_firm_capacity_by_key_by_hand(tmp_path):
    """Two zones, region South = {B}; one hour of weight 1 (a "year" of 1 h), one period of 1 year, rate 0.

    Corridor A->B: 50 MW, no loss, credit 0.8 -> 40 MW firm into South.
    coal (A): existing 100 MW, vom 10 USD/MWh, fixed O&M 2 USD/kW-yr = 2,000 USD/MW-yr, credit 0.9 (not in South).
    peak (B): new, capex 50 USD/kW, lifetime 1 -> 5e4 USD/MW-yr, credit 1.
        reserve: 1.1 x 100 = 110 MW firm in South; peak = 110 - 40 = 70 MW, serving 70 MW of B's 100;
        the line carries the other 30 MW from coal.
    cost_terms:
        investment  (B, peak, partner "")  = 70 x 5e4      = 3,500,000
        fixed_om    (A, coal)              = 100 x 2,000   =   200,000 (existing plant: a constant of the objective)
        variable_om (A, coal)              = 30 x 10       =       300
        unserved    (A), (B)               = 0
    firm_capacity (South, 2030): generation 70, imports 0, corridors 40, total 110.
    objective = 3,500,000 + 200,000 + 300 = 3,700,300.
    """
    f = south_reserve_case(tmp_path / "c", fom_usd_per_kw_yr=2)
    m, d, sol = solve_case(f)
    assert sol.objective == approx(3_700_300, rel=REL)
    ct = cost_terms(m, d).set_index(["category", "zone", "technology", "partner", "link", "period"])["annual_usd"]
    assert ct[("investment", "B", "peak", "", "", 2030)] == approx(3_500_000, rel=REL)
    assert ct[("fixed_om", "A", "coal", "", "", 2030)] == approx(200_000, rel=REL)
    assert ct[("variable_om", "A", "coal", "", "", 2030)] == approx(300, rel=REL)
    assert ct[("unserved", "B", "", "", "", 2030)] == approx(0, abs=1e-6)
    assert ("variable_om", "B", "peak", "", "", 2030) not in ct.index  # no cost, no term
    assert ct.sum() == approx(sol.objective, rel=REL)
    fc = firm_capacity(m).set_index(["region", "period"])
    assert fc.loc[("South", 2030)].to_dict() == approx({"firm_generation_mw": 70, "firm_imports_mw": 0,
                                                        "firm_corridors_mw": 40, "firm_total_mw": 110}, rel=REL)


@pytest.fixture(scope="module")
def example():
    m, d, sol = solve_case(EXAMPLE)
    return m, d, sol, extract(m, d, sol)


def test_cost_terms_add_up_to_each_category_of_the_example(example):
    """Every registered category, summed over its keys, is the model's annual cost of the category (costs.csv),
    and the present values add up to the objective."""
    m, d, sol, t = example
    ct = t["cost_terms"].groupby(["category", "period"])[["annual_usd", "present_value_usd"]].sum()
    c = costs(m, d).set_index(["category", "period"])
    assert set(ct.index) == set(c.index)
    for k in c.index:
        assert ct.at[k, "annual_usd"] == approx(c.at[k, "annual_usd"], rel=1e-9, abs=1e-6)
    assert ct["present_value_usd"].sum() == approx(sol.objective, rel=1e-9)
    keyed = t["cost_terms"]
    assert (keyed.loc[keyed["category"] == "investment", "partner"] != "").any()  # builds keep their partner
    assert (keyed.loc[keyed["category"] == "transmission", "link"] != "").all()


def test_firm_capacity_is_the_reserve_rows_left_side(example):
    """firm_total_mw is the body of each reserve_margin row at the optimum, and at least its right-hand side."""
    import pyomo.environ as pyo

    m, _, _, t = example
    fc = t["firm_capacity"].set_index(["region", "period"])
    assert len(fc) == len(m.reserve_margin) > 0
    for (r, p), con in m.reserve_margin.items():
        required, firm = con.expr.args  # required <= firm, as reserve.py writes it
        assert fc.at[(r, p), "firm_total_mw"] == approx(pyo.value(firm), rel=1e-9)
        assert fc.at[(r, p), "firm_total_mw"] >= pyo.value(required) - 1e-6


def test_vintage_annuities_and_emissions_are_the_models_terms(tmp_path):
    """One zone, one period of 10 years (2030-2039), one timestep of 8,760 h, rate 0; demand 100 MW.

    gas: new only, capex 700 USD/kW, lifetime 7 yr -> annuity = 7e5 / 7 = 1e5 USD/MW-yr; it serves 7 of the
    period's 10 years, s = 0.7, so 100 MW in service needs new_cap = 100 / 0.7 = 142.857 MW.
    heat rate 2 MWh_th/MWh of a fuel of 0.25 t/MWh_th at price 0, CO2 price 0: 0.5 t/MWh.
        vintages (2030 build, 2030): share 0.7, in service 100 MW, annuity 0.7 x 1e5 x 142.857 = 1e7 USD/yr
        new_capacity (2030): annuity of a year in service 1e5 x 142.857 = 14,285,714 USD/yr, capex 1e8 USD
        emission_terms (A, gas, 2030): 100 MW x 8,760 h x 0.5 t/MWh = 438,000 t/yr
    objective = 10 years x 1e7 = 1e8 USD.
    """
    f = write_case(tmp_path / "c", periods=[{"period": 2030, "years": 10}],
                   fuels=[{"fuel": "gas", "price_usd_per_mwh_th": 0, "co2_t_per_mwh_th": 0.25}],
                   technologies=[tech("gas", lifetime_yr=7, capex_usd_per_kw=700, fuel="gas",
                                      heat_rate_mwh_th_per_mwh=2)],
                   build_options=[{"zone": "A", "technology": "gas"}],
                   timesteps=hours([8760]), demand=demand({"A": [100]}))
    m, d, sol = solve_case(f)
    assert sol.objective == approx(1e8, rel=REL)
    t = extract(m, d, sol)
    vin = t["vintages"].set_index(["built_period", "period"])
    assert vin.at[(2030, 2030), "share_in_service"] == approx(0.7, rel=REL)
    assert vin.at[(2030, 2030), "in_service_mw"] == approx(100, rel=REL)
    assert vin.at[(2030, 2030), "annuity_usd_per_yr"] == approx(1e7, rel=REL)
    nc = t["new_capacity"].set_index("period")
    assert nc.at[2030, "new_mw"] == approx(100 / 0.7, rel=REL)
    assert nc.at[2030, "annuity_usd_per_yr"] == approx(1e7 / 0.7, rel=REL)
    assert nc.at[2030, "capex_usd"] == approx(1e8, rel=REL)
    em = t["emission_terms"].set_index(["zone", "technology", "period"])["emissions_t"]
    assert em[("A", "gas", 2030)] == approx(438_000, rel=REL)
    assert em.sum() == approx(t["emissions"]["emissions_t"].sum(), rel=REL)
