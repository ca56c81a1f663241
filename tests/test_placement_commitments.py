"""Partner commitments (planner/model/commitments.py), optima and duals worked by hand.

Common case: zone A, one period 2030 of 1 year, discount rate 0, one timestep of
1000 h, demand 100 MW, VOLL 1000 USD/MWh. Existing gas 100 MW, vom 50 USD/MWh.
Partner TR (wacc 0) offers solar at 1000 USD/kW, lifetime 10 yr, availability 0.5:
    annuity = 1e6 USD/MW / 10 = 1e5 USD/MW-yr
    each MW of solar makes 0.5 MW for 1000 h = 500 MWh and saves 500 * 50 = 2.5e4 USD/yr of gas
so solar costs 7.5e4 USD/yr more than it saves and the least-cost plan builds none:
    objective = 100 MW * 1000 h * 50 = 5e6 USD.
"""

from __future__ import annotations

import pytest
from casekit import demand, existing, hours, solve_case, tech, v, write_case
from pytest import approx

from planner.errors import InputError, SolveError
from planner.load import load_case
from planner.runner import run_spec
from planner.spec import RunSpec

REL = 1e-6


def case(folder, commitments, ocgt: bool = False):
    options = [{"zone": "A", "technology": "solar", "partner": "TR", "capex_usd_per_kw": 1000}]
    techs = [tech("solar", "variable", lifetime_yr=10, availability_pu=0.5), tech("gas", vom_usd_per_mwh=50)]
    if ocgt:
        techs.append(tech("ocgt", lifetime_yr=10, vom_usd_per_mwh=50))
        options.append({"zone": "A", "technology": "ocgt", "partner": "TR", "capex_usd_per_kw": 500})
    return write_case(
        folder, technologies=techs, existing_capacity=[existing("A", "gas", 100)],
        partners=[{"partner": "TR", "wacc": 0.0}], build_options=options,
        partner_commitments=commitments, timesteps=hours([1000]), demand=demand({"A": [100]}))


def row(quantity, unit, **kw):
    return {"partner": "TR", "period": 2030, "unit": unit, "quantity": quantity, **kw}


@pytest.mark.family("commitments")
@pytest.mark.parametrize("quantity, unit, name, dual", [
    (30, "MW", "commitment_mw", 7.5e4),           # 7.5e4 USD per MW forced in
    (3e7, "USD", "commitment_usd", 0.075),        # 30 MW x 1e6 USD/MW; 7.5e4 / 1e6 per USD
    (15000, "MWh/yr", "commitment_mwh", 150.0),   # 30 MW x 500 MWh/yr; 7.5e4 / 500 per MWh/yr
])
def test_commitment_binds_with_its_dual(tmp_path, quantity, unit, name, dual):
    """TR must build a programme of 30 MW (or 3e7 USD, or 15,000 MWh/yr: the same 30 MW).

        solar 30 MW makes 15 MW; gas 85 MW
        objective = 30 * 1e5 + 85 * 1000 * 50 = 3e6 + 4.25e6 = 7.25e6   (5e6 without the commitment)
        dual = d objective / d quantity = 7.5e4 USD/MW, divided by 1e6 USD/MW or by 500 MWh/yr per MW
    """
    f = case(tmp_path / "c", [row(quantity, unit)])
    m, d, sol = solve_case(f)
    assert v(m.new_cap["A", "solar", "TR", 2030]) == approx(30, rel=REL)
    assert v(m.gen["A", "gas", 2030, 0]) == approx(85, rel=REL)
    assert sol.objective == approx(7.25e6, rel=REL)
    assert sol.duals[getattr(m, name)["TR", 2030, "", ""]] == approx(dual, rel=REL)
    assert solve_case(f, drop=(name,))[2].objective == approx(5e6, rel=REL)


@pytest.mark.family("commitments")
def test_technology_filter(tmp_path):
    """TR also offers an OCGT at 500 USD/kW (5e4 USD/MW-yr) that burns gas at the same 50 USD/MWh: it saves nothing.

    A 30 MW programme of any technology is met by OCGTs: 5e6 + 30 * 5e4 = 6.5e6, dual 5e4 USD/MW.
    A 30 MW programme of solar: 5e6 + 30 * 7.5e4 = 7.25e6, dual 7.5e4 USD/MW.
    """
    m, d, sol = solve_case(case(tmp_path / "any", [row(30, "MW")], ocgt=True))
    assert v(m.new_cap["A", "ocgt", "TR", 2030]) == approx(30, rel=REL)
    assert sol.objective == approx(6.5e6, rel=REL)
    assert sol.duals[m.commitment_mw["TR", 2030, "", ""]] == approx(5e4, rel=REL)
    m, d, sol = solve_case(case(tmp_path / "solar", [row(30, "MW", technology="solar", zone="A")], ocgt=True))
    assert v(m.new_cap["A", "solar", "TR", 2030]) == approx(30, rel=REL)
    assert v(m.new_cap["A", "ocgt", "TR", 2030]) == approx(0, abs=1e-6)
    assert sol.objective == approx(7.25e6, rel=REL)
    assert sol.duals[m.commitment_mw["TR", 2030, "solar", "A"]] == approx(7.5e4, rel=REL)


def test_commitment_nothing_can_meet_is_infeasible_and_named(tmp_path):
    """TR is offered no gas option: a 10 MW gas programme cannot hold; the row and its input are named."""
    f = case(tmp_path / "c", [row(10, "MW", technology="gas")])
    with pytest.raises(SolveError, match=r"commitment_mw\[TR,2030,gas,\].*partner_commitments.csv quantity"):
        solve_case(f)


def test_bad_unit_is_named_by_file_line_column(tmp_path):
    f = case(tmp_path / "c", [row(30, "MW"), row(2, "GW")])
    with pytest.raises(InputError) as exc:
        load_case(f)
    text = exc.value.report()
    assert "partner_commitments.csv, line 3, column unit" in text and "one of MW, USD, MWh/yr" in text


def test_run_spec_switch_and_reported_dual(tmp_path):
    """Off by default: the table is read and validated, not applied (5e6), and run.json says so.
    On: 7.25e6, and shadow_prices reports the commitment's 7.5e4 present-value USD per MW."""
    f = case(tmp_path / "c", [row(30, "MW")])
    off = run_spec(RunSpec(name="off", inputs=f), None, {"method": "simplex"})
    assert off.meta["objective_usd"] == approx(5e6, rel=REL)
    assert off.meta["partner_commitments"]["applied"] is False and off.meta["partner_commitments"]["rows_in_case"] == 1
    on = run_spec(RunSpec(name="on", inputs=f, scenario={"partner_commitments": True}), None, {"method": "simplex"})
    assert on.meta["objective_usd"] == approx(7.25e6, rel=REL)
    assert on.meta["partner_commitments"] == {"applied": True, "rows": 1, "not_applied": []}
    sp = on.tables["shadow_prices"].set_index(["constraint", "index"])
    assert sp.at[("partner_commitment", "TR/2030/*/*/MW"), "shadow_price"] == approx(7.5e4, rel=REL)
    assert sp.at[("partner_commitment", "TR/2030/*/*/MW"), "unit"] == "USD_pv/MW"
