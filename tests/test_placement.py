"""The placement study (planner/studies/placement.py), on small cases worked by hand."""

from __future__ import annotations

import pytest
from casekit import demand, existing, hours, settings, tech, write_case
from pytest import approx

from planner.core.economics import crf
from planner.runner import run_spec
from planner.spec import RunSpec
from planner.studies.placement import alternatives, break_even, build, placement, programme_curve

SIMPLEX = {"method": "simplex"}


def solar_case(folder, capex_usd_per_kw: float = 1000.0, wacc: float = 0.10):
    """Zone A, one period 2030 of 2 years, discount rate 5 % from 2030, one timestep of 1000 h, demand 100 MW.

    Existing gas 200 MW (more than demand, so gas sets the price) at vom 100 USD/MWh. TR offers solar
    (availability 1, lifetime 20 yr) at ``capex_usd_per_kw`` and ``wacc``. Per MW of solar and per year:
        annuity = capex * 1000 * CRF(wacc, 20),
        saving = 1000 h * 100 USD/MWh = 1e5 USD.
    """
    return write_case(
        folder, settings=settings(rate=0.05, base_year=2030), periods=[{"period": 2030, "years": 2}],
        technologies=[tech("solar", "variable", lifetime_yr=20), tech("gas", vom_usd_per_mwh=100)],
        existing_capacity=[existing("A", "gas", 200)],
        partners=[{"partner": "TR", "wacc": wacc}],
        build_options=[{"zone": "A", "technology": "solar", "partner": "TR", "capex_usd_per_kw": capex_usd_per_kw}],
        timesteps=hours([1000]), demand=demand({"A": [100]}))


def solar_built(folder) -> float:
    out = run_spec(RunSpec(name="c", inputs=folder), None, SIMPLEX)
    return float(out.tables["new_capacity"]["new_mw"].sum())


def test_break_even_capex_and_wacc_are_the_thresholds_of_a_re_solve(tmp_path):
    """At 1000 USD/kW and 10 %: annuity = 1e6 * CRF(0.10, 20) = 1e6 * 0.1174596 = 117,459.62 USD/MW-yr > 1e5 saved.

    The objective counts each year of 2030-2031 with df = 1 + 1/1.05 = 1.952381 and the annuity for the same years
    in service (A = df), so the reduced cost of solar is rc = df * (117,459.62 - 1e5) = 34,087.36 USD_pv per MW.
    Lowering capex by D lowers rc by D * CRF * A, so solar enters at
        capex* = 1e6 - rc / (CRF * A) = 1e6 * 0.1 / CRF(0.10, 20) = 851,356.37 USD/MW = 851.356 USD/kW,
    where the annuity equals the 1e5 saved; the WACC at which it enters solves CRF(w*, 20) = 0.1: w* = 7.7547 %.
    Re-solving the case: at 0.01 % below either threshold TR builds all 100 MW, at 0.01 % above, none.
    """
    st = build(RunSpec(name="c", inputs=solar_case(tmp_path / "c")), "TR", solver=SIMPLEX)
    df = 1 + 1 / 1.05
    assert st.solver.objective() == approx(df * 100 * 1000 * 100, rel=1e-9)  # gas serves all: 1e7 a year
    be = break_even(st, confirm=True).iloc[0]
    assert be["confirmed_by_resolve"] == "yes"
    assert be["reduced_cost_usd_per_mw"] == approx(df * (1e6 * crf(0.10, 20) - 1e5), rel=1e-6)
    assert be["break_even_capex_usd_per_kw"] == approx(851.3563719758565, rel=1e-6)
    assert be["break_even_wacc"] == approx(0.07754689530010515, rel=1e-6)
    capex, wacc = be["break_even_capex_usd_per_kw"], be["break_even_wacc"]
    assert solar_built(solar_case(tmp_path / "capex-below", capex * (1 - 1e-4))) == approx(100, rel=1e-6)
    assert solar_built(solar_case(tmp_path / "capex-above", capex * (1 + 1e-4))) == approx(0, abs=1e-6)
    assert solar_built(solar_case(tmp_path / "wacc-below", wacc=wacc * (1 - 1e-4))) == approx(100, rel=1e-6)
    assert solar_built(solar_case(tmp_path / "wacc-above", wacc=wacc * (1 + 1e-4))) == approx(0, abs=1e-6)


def envelope_case(folder):
    """Zone A, 1 year, r = 0, 1000 h, demand 100 MW, existing gas 200 MW at vom 100; TR (wacc 0) offers solar at 300
    USD/kW and solar2 at 900 USD/kW (both lifetime 10), within an envelope of 1.5e7 USD in 2030."""
    return write_case(
        folder,
        technologies=[tech("solar", "variable", lifetime_yr=10), tech("solar2", "variable", lifetime_yr=10),
                      tech("gas", vom_usd_per_mwh=100)],
        existing_capacity=[existing("A", "gas", 200)], partners=[{"partner": "TR", "wacc": 0.0}],
        partner_envelopes=[{"partner": "TR", "period": 2030, "max_investment_usd": 1.5e7}],
        build_options=[{"zone": "A", "technology": "solar", "partner": "TR", "capex_usd_per_kw": 300},
                       {"zone": "A", "technology": "solar2", "partner": "TR", "capex_usd_per_kw": 900}],
        timesteps=hours([1000]), demand=demand({"A": [100]}))


def test_break_even_counts_the_envelope(tmp_path):
    """With TR's envelope binding, capex also buys envelope room: the break-even moves by the envelope's dual.

    Zone A, 1 year, r = 0, 1000 h, demand 100 MW, existing gas 200 MW at vom 100 (1e5 USD per MW-yr).
    TR (wacc 0) offers solar at 300 USD/kW (lifetime 10: 3e4 USD/MW-yr) in A and at 900 USD/kW (9e4) in A
    as technology "solar2"; envelope 1.5e7 USD. Solar saves 1e5 - 3e4 = 7e4 per MW, i.e. 7e4 / 3e5 = 0.2333 per USD
    of envelope, so TR spends the envelope on solar: 50 MW; envelope dual y = -0.23333 USD per USD.
    solar2 is not chosen: rc = 9e4 - 1e5 - 9e5 * y = -1e4 + 2.1e5 = 2e5 USD/MW.
    d rc / d capex = CRF * A - y * 1 = 0.1 + 0.23333 = 0.33333 per USD/MW, so
        capex* = 9e5 - 2e5 / 0.33333 = 3e5 USD/MW = 300 USD/kW   (as good as solar, per dollar of envelope).
    Without the envelope term the estimate would be 9e5 - 2e5 / 0.1 < 0: wrong.
    """
    f = envelope_case(tmp_path / "c")
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    assert st.solver.value(st.m.new_cap["A", "solar", "TR", 2030]) == approx(50, rel=1e-9)
    be = break_even(st).set_index("technology").loc["solar2"]
    assert be["reduced_cost_usd_per_mw"] == approx(2e5, rel=1e-6)
    assert be["break_even_capex_usd_per_kw"] == approx(300, rel=1e-6)


def programme_case(folder):
    """Zone A, 1 year, r = 0, one timestep of 1000 h, demand 100 MW, VOLL 1000 USD/MWh.

    Fuel gas: price 0, 0.5 t/MWh_th; gas and ocgt burn 2 MWh_th/MWh: 1 t CO2 per MWh.
    Existing gas 80 MW, vom 50. KZ builds ocgt (vom 60, 100 USD/kW, lifetime 10: 1e4 USD/MW-yr) for the other
    20 MW. TR offers solar (availability 0.5 in every hour, 1000 USD/kW, lifetime 10, wacc 0: 1e5 USD/MW-yr).
    Least cost: gas 80, ocgt 20 MW built and run; objective = 80*1000*50 + 20*1000*60 + 20*1e4 = 5.4e6.
    """
    return write_case(
        folder, fuels=[{"fuel": "gas", "price_usd_per_mwh_th": 0, "co2_t_per_mwh_th": 0.5}],
        technologies=[tech("solar", "variable", lifetime_yr=10, availability_pu=0.5),
                      tech("gas", fuel="gas", heat_rate_mwh_th_per_mwh=2, vom_usd_per_mwh=50),
                      tech("ocgt", fuel="gas", heat_rate_mwh_th_per_mwh=2, vom_usd_per_mwh=60, lifetime_yr=10)],
        existing_capacity=[existing("A", "gas", 80)],
        partners=[{"partner": "TR", "wacc": 0.0}, {"partner": "KZ", "wacc": 0.0}],
        build_options=[{"zone": "A", "technology": "solar", "partner": "TR", "capex_usd_per_kw": 1000},
                       {"zone": "A", "technology": "ocgt", "partner": "KZ", "capex_usd_per_kw": 100}],
        timesteps=hours([1000]), demand=demand({"A": [100]}))


def test_programme_curve_premium_and_displacement(tmp_path):
    """A TR programme of S MW of solar (S <= 40) makes 0.5 S MW in every hour, which the ocgt no longer makes nor needs:
    per MW of solar 1e5 of annuity against 500 MWh * 60 = 3e4 of ocgt running cost and 0.5 * 1e4 of ocgt capacity,
    a premium of 6.5e4 USD per MW (the programme's marginal cost):
        S = 20: premium 1.3e6, KZ ocgt -10 MW, ocgt generation -10,000 MWh, emissions -10,000 t
        S = 40: premium 2.6e6, KZ ocgt -20 MW, ocgt generation -20,000 MWh, emissions -20,000 t
    (r = 0 and one year: the premium per year equals its present value.)
    """
    st = build(RunSpec(name="c", inputs=programme_case(tmp_path / "c")), "TR", solver=SIMPLEX)
    assert st.solver.objective() == approx(5.4e6, rel=1e-9)
    out = programme_curve(st, [0, 20, 40])
    pr = out["programme"].set_index("size")
    assert list(pr["premium_in_horizon_pv_usd"]) == approx([0, 1.3e6, 2.6e6], rel=1e-9, abs=1e-6)
    assert list(pr["premium_annual_usd_per_yr"]) == approx([0, 1.3e6, 2.6e6], rel=1e-9, abs=1e-6)
    assert list(pr["emissions_change_t_per_yr"]) == approx([0, -1e4, -2e4], rel=1e-9, abs=1e-6)
    assert pr.at[20, "emissions_t_per_yr"] == approx(1e5 - 1e4, rel=1e-9)
    assert pr.at[20, "marginal_in_horizon_usd_pv_per_MW"] == approx(6.5e4, rel=1e-9)
    disp = out["programme_displaced"].set_index(["size", "zone", "technology"])
    assert disp.at[(20, "A", "ocgt"), "new_mw_change"] == approx(-10, rel=1e-9)
    assert disp.at[(40, "A", "ocgt"), "new_mw_change"] == approx(-20, rel=1e-9)
    assert disp.at[(40, "A", "ocgt"), "by_partner"] == "KZ -20.0"
    assert set(disp.index.get_level_values("technology")) == {"ocgt"}  # TR's own MW are not displacement
    gen = out["programme_displaced_generation"].set_index(["size", "technology"])["generation_mwh_change"]
    assert gen[(40, "ocgt")] == approx(-2e4, rel=1e-9) and gen[(40, "solar")] == approx(2e4, rel=1e-9)
    sites = out["programme_sites"].set_index("size")
    assert sites.at[40, "zone"] == "A" and sites.at[40, "new_mw"] == approx(40, rel=1e-9)
    # the curve left the programme row at 0: the model solves to the least-cost plan again
    assert st.solver.run() == approx(5.4e6, rel=1e-9)


def tie_case(folder):
    """Zones A and B joined by a lossless 1000 MW corridor; demand 100 MW in A only, one period of 1 year, r = 0,
    one timestep of 1000 h, VOLL 1000 USD/MWh (1e6 USD per MW-yr unserved).

    TR offers an ocgt (no fuel, vom 0, 100 USD/kW, lifetime 1, wacc 0: 1e5 USD/MW-yr) in A and in B: 100 MW anywhere,
    objective 1e7 — a perfect tie between A and B.
    """
    return write_case(
        folder, zones=[{"zone": "A"}, {"zone": "B"}],
        technologies=[tech("ocgt", lifetime_yr=1)], partners=[{"partner": "TR", "wacc": 0.0}],
        build_options=[{"zone": z, "technology": "ocgt", "partner": "TR", "capex_usd_per_kw": 100} for z in "AB"],
        corridors=[{"corridor": "AB", "from_zone": "A", "to_zone": "B", "capacity_mw": 1000, "max_new_mw": 0}],
        timesteps=hours([1000]), demand=demand({"A": [100], "B": [0]}))


def test_near_optimal_ranges_cover_the_whole_tie(tmp_path):
    """Within 1 % of 1e7 (1e5 USD to spare):
        TR's total: min 100 - 1e5 / (1e6 - 1e5) = 99.8889 MW (lost load is 9e5 dearer per MW),
                    max 100 + 1e5 / 1e5 = 101 MW
        each zone: min 0, max 101 MW — the whole tie and the spare MW; at the tie slack 1e-4 (1e3 USD):
        0 to 100.01 MW, so both zones are flagged as a near-tie.
    """
    st = build(RunSpec(name="c", inputs=tie_case(tmp_path / "c")), "TR", solver=SIMPLEX)
    assert st.solver.objective() == approx(1e7, rel=1e-9)
    table, head = alternatives(st, slack=0.01, tie_slack=1e-4)
    assert head["TR_min_mw"] == approx(100 - 1e5 / 9e5, rel=1e-7)
    assert head["TR_max_mw"] == approx(101, rel=1e-7)
    t = table.set_index("zone")
    for z in "AB":
        assert t.at[z, "min_mw"] == approx(0, abs=1e-6) and t.at[z, "max_mw"] == approx(101, rel=1e-7)
        assert t.at[z, "min_mw_at_tie_slack"] == approx(0, abs=1e-6)
        assert t.at[z, "max_mw_at_tie_slack"] == approx(100.01, rel=1e-7)
        assert t.at[z, "siting"] == "near-tie"
    assert head["near_tie_zones"] == ["A", "B"]
    assert t["least_cost_mw"].sum() == approx(100, rel=1e-9)
    assert st.solver.run() == approx(1e7, rel=1e-9)  # the cost row is gone and the objective restored


def test_firm_siting_is_not_flagged(tmp_path):
    """Make B's ocgt 10 % dearer (110 USD/kW): building it instead of A's costs 1e4 per MW, so within 1 % (1e5 USD)
    B can take at most 10 MW; at the tie slack (1e3 USD) at most 0.1 MW: flexible, not a tie."""
    f = tie_case(tmp_path / "c")
    bo = (f / "build_options.csv").read_text().splitlines()
    (f / "build_options.csv").write_text("\n".join([bo[0], bo[1], bo[2].replace(",100", ",110")]) + "\n")
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    table, head = alternatives(st, slack=0.01, tie_slack=1e-4)
    t = table.set_index("zone")
    assert t.at["B", "max_mw"] == approx(10, rel=1e-7) and t.at["B", "max_mw_at_tie_slack"] == approx(0.1, rel=1e-6)
    assert t.at["B", "siting"] == "flexible" and head["near_tie_zones"] == []


def test_placement_writes_its_tables(tmp_path):
    res = placement(RunSpec(name="c", inputs=programme_case(tmp_path / "c")), "TR", [0, 20],
                    results_root=tmp_path / "r", solver=SIMPLEX)
    folder = res["folder"]
    for name in ("where", "break_even", "programme", "programme_displaced", "programme_sites", "alternatives"):
        assert (folder / f"{name}.csv").is_file()
    assert (folder / "run.json").is_file() and "programme curve" in (folder / "summary.txt").read_text()


def test_programme_points_on_a_dask_cluster_match_the_warm_solves(tmp_path):
    """The same curve with its points solved on a local Dask cluster (one model per chunk of points)."""
    st = build(RunSpec(name="c", inputs=programme_case(tmp_path / "c")), "TR", solver=SIMPLEX)
    here = programme_curve(st, [0, 20, 40])["programme"]
    there = programme_curve(st, [0, 20, 40], scheduler="local")["programme"]
    assert list(there["premium_in_horizon_pv_usd"]) == approx(list(here["premium_in_horizon_pv_usd"]),
                                                              rel=1e-9, abs=1e-6)
    assert list(there["premium_in_horizon_pv_usd"]) == approx([0, 1.3e6, 2.6e6], rel=1e-9, abs=1e-6)


def test_a_programme_no_plan_can_carry_is_reported_not_fatal(tmp_path):
    """The tie case with TR's envelope at 1.5e7 USD (150 MW at 1e5 USD/MW): 100 MW is the least-cost plan anyway
    (premium 0); 120 MW costs 20 more MW of ocgt, 20 * 1e5 = 2e6; 200 MW cannot be financed, and the envelope
    is named."""
    f = tie_case(tmp_path / "c")
    (f / "partner_envelopes.csv").write_text("partner,period,max_investment_usd\nTR,2030,1.5e7\n")
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    out = programme_curve(st, [0, 100, 120, 200])
    assert list(out["programme"]["premium_in_horizon_pv_usd"]) == approx([0, 0, 2e6], abs=1e-3)
    bad = out["programme_infeasible"]
    assert list(bad["size"]) == [200] and "partner_envelope[TR,2030]" in bad.iloc[0]["why"]
    assert st.solver.run() == approx(1e7, rel=1e-9)


def test_command_line_bad_arguments_exit_2(tmp_path, capsys):
    from planner.cli import main

    toml = tmp_path / "m.toml"
    toml.write_text(f'name = "c"\ninputs = "{programme_case(tmp_path / "c")}"\n')
    assert main(["placement", str(toml), "--partner", "TR", "--programme", "0,ten"]) == 2
    assert "--programme" in capsys.readouterr().err
    assert main(["placement", str(toml), "--partner", "XX"]) == 2
    assert "partner 'XX' is not in partners.csv" in capsys.readouterr().err


def test_a_cheap_move_is_not_a_tie(tmp_path):
    """B's ocgt 0.5 % dearer (100.5 USD/kW): moving a MW from A to B costs 500 USD.
        at 1 % (1e5 USD): all 100 MW can move (5e4) and 5e4 / 1.005e5 = 0.4975 MW more fit: B max 100.4975 MW
        at the tie slack (1e3 USD): B max 2 MW, more than 1 MW but 2 % of its range at 1 %: flexible, not a near-tie
    (a move at a steady cost per MW grows with the slack; a tie is mostly there at the tie slack already)."""
    f = tie_case(tmp_path / "c")
    bo = (f / "build_options.csv").read_text().splitlines()
    (f / "build_options.csv").write_text("\n".join([bo[0], bo[1], bo[2].replace(",100", ",100.5")]) + "\n")
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    t = alternatives(st, slack=0.01, tie_slack=1e-4)[0].set_index("zone")
    assert t.at["B", "max_mw"] == approx(100 + 5e4 / 1.005e5, rel=1e-7)
    assert t.at["B", "max_mw_at_tie_slack"] == approx(2, rel=1e-6)
    assert t.at["B", "siting"] == "flexible"


def _toml(tmp_path) -> str:
    toml = tmp_path / "m.toml"
    toml.write_text(f'name = "c"\ninputs = "{programme_case(tmp_path / "c")}"\n')
    return str(toml)


@pytest.mark.parametrize("args, option, valid", [
    (["--programme", "nan"], "--programme", "finite numbers >= 0"),
    (["--programme", "0,inf"], "--programme", "finite numbers >= 0"),
    (["--programme", "1e400"], "--programme", "finite numbers >= 0"),   # float() reads it as inf
    (["--programme", "0,-5"], "--programme", "finite numbers >= 0"),
    (["--top", "-1"], "--top", "whole number >= 0"),
    (["--slack", "nan"], "--slack", "--slack < 1"),
])
def test_command_line_rejects_sizes_that_are_not_finite_or_negative(tmp_path, capsys, monkeypatch, args, option,
                                                                    valid):
    """nan and inf parse as floats; an infinite programme at zero premium is not an answer: exit 2, nothing built."""
    from planner.cli import main
    from planner.studies import placement as study

    monkeypatch.setattr(study, "build", lambda *a, **k: pytest.fail("built a model for bad arguments"))
    assert main(["placement", _toml(tmp_path), "--partner", "TR", "--results", str(tmp_path / "r"), *args]) == 2
    err = capsys.readouterr().err
    assert f"- {option}:" in err and valid in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_an_unknown_partner_is_blamed_on_the_option(tmp_path, capsys, monkeypatch):
    from planner.cli import main
    from planner.studies import placement as study

    monkeypatch.setattr(study, "build", lambda *a, **k: pytest.fail("built a model for an unknown partner"))
    assert main(["placement", _toml(tmp_path), "--partner", "tr", "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "- --partner: partner 'tr' is not in partners.csv" in err and "known partners: KZ, TR" in err
    assert not (tmp_path / "r").exists()


def test_the_results_location_is_checked_before_anything_is_solved(tmp_path, capsys, monkeypatch):
    """A folder planner did not write stands where the study would write: exit 2 before the model is built."""
    from planner.cli import main
    from planner.studies import placement as study

    toml = _toml(tmp_path)
    target = tmp_path / "r" / "c-placement-TR"
    target.mkdir(parents=True)
    (target / "mine.txt").write_text("the user's")
    monkeypatch.setattr(study, "build", lambda *a, **k: pytest.fail("solved before checking the results location"))
    assert main(["placement", toml, "--partner", "TR", "--results", str(tmp_path / "r")]) == 2
    assert "is not a results folder written by planner" in capsys.readouterr().err
    assert sorted(p.name for p in target.iterdir()) == ["mine.txt"]
