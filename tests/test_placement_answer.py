"""What a reader takes from the placement study: the full-life premium beside the in-horizon one, ties shown as ties,
the limit that binds each range, displacement net of exchanges between other partners; worked by hand.

The hand case is tests/test_placement_hand.py's case 1 (its module docstring): one period 2030-2034, r = 8 %, base
year 2030, 20-year gas plants; KZ at 6 % builds CCGT 60 MW and OCGT 50 MW, TR at 10 % builds nothing.
    in the horizon   DF = sum_{y=0}^{4} 1.08^-y  = 4.312126840
    over a life      F  = sum_{y=0}^{19} 1.08^-y = 10.603599200
    after 2034       B  = F - DF                 = 6.291472360
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import pandas as pd
import pytest
from casekit import demand, existing, hours, tech, write_case
from pytest import approx
from test_placement import envelope_case, programme_case
from test_placement_hand import DF, KZC, KZO, SIMPLEX, TRC, TRO, case1

from planner.core.economics import crf, discount_weight
from planner.spec import RunSpec
from planner.studies import placement as study
from planner.studies.placement import alternatives, break_even, build, displaced, placement, programme_curve

F = sum(1.08 ** -y for y in range(20))
B = F - DF


def test_in_horizon_and_full_life_premium_match_the_hand_derivation(tmp_path):
    """The programme curve of case 1 (test_programme_curve_matches_the_hand_derivation for the in-horizon figures):
        30 MW:  TR OCGT 30 replaces KZ OCGT 30: a premium of TRO - KZO = 15,137.534 USD a year per MW
                in horizon 30 * DF * 15,137.534 = 1,958,248.99;  full life 30 * F * 15,137.534 = 4,815,370.27
        80 MW:  + TR CCGT 30 for KZ CCGT 30 (TRC - KZC = 30,275.068 a year per MW)
                in horizon DF * (50 * 15,137.534 + 30 * 30,275.068) = 7,180,246.28
                full life  F  * (the same)                          = 17,656,357.66
        150 MW: TR OCGT 50, TR CCGT 100; KZ builds nothing; the 40 extra CCGT MW save 21,900 USD a year of fuel each:
                in horizon DF * (50 * 15,137.534 + 60 * 30,275.068 + 40 * (117,459.625 - 21,900)) = 27,579,353.17
    Full life: the premium per year, continued for the years TR's 20-year plants serve after 2034 (B = 6.29147):
        full life = in horizon + premium per year * B = in horizon * (DF + B) / DF = in horizon * 2.459018,
        for every size here (one period, plants of one life): 30 -> 4,815,370.27; 80 -> 17,656,357.66;
        150 -> 27,579,353.17 * 2.459018 = 67,818,136.63
    On the Kazakhstan case the ratio is 2.487 (test below).
    """
    st = build(RunSpec(name="c", inputs=case1(tmp_path / "c")), "TR", solver=SIMPLEX)
    pr = programme_curve(st, [0, 30, 80, 150])["programme"].set_index("size")
    inh, full = pr["premium_in_horizon_pv_usd"], pr["premium_full_life_pv_usd"]
    assert F == approx(10.603599200045231, rel=1e-15) and B == approx(6.291472360000899, rel=1e-14)
    assert inh[30] == approx(30 * DF * (TRO - KZO), rel=1e-9) and inh[30] == approx(1_958_248.99, abs=0.01)
    assert full[30] == approx(30 * F * (TRO - KZO), rel=1e-9) and full[30] == approx(4_815_370.27, abs=0.01)
    assert full[80] == approx(F * (50 * (TRO - KZO) + 30 * (TRC - KZC)), rel=1e-9)
    assert full[80] == approx(17_656_357.66, abs=0.01)
    assert inh[150] == approx(27_579_353.17, abs=0.01)
    assert F / DF == approx(2.459018, abs=1e-6)
    assert full[150] == approx(inh[150] + pr.at[150, "premium_annual_usd_per_yr"] * B, rel=1e-9)
    assert full[150] == approx(inh[150] * F / DF, rel=1e-9) and full[150] == approx(67_818_136.63, abs=0.01)
    assert full[0] == 0 and inh[0] == 0


def test_the_kazakhstan_ratio_by_hand():
    """models/placement_kz2030.toml: one period 2030 of 5 years, r = 10 %, base year 2025; a TR OCGT MW
    (639 USD/kW, 30 years, TR 7.5 %) replacing a KZ one (6.3 %):
        annuity premium 639,000 * (CRF(7.5 %, 30) - CRF(6.3 %, 30)) = 639,000 * (0.0846712 - 0.0749961)
                        = 6,182.398 USD a year
        in the horizon  A = sum_{y=2030}^{2034} 1.1^-(y-2025) = 2.589158  ->  16,007.21 USD
        after it        B = sum_{y=2035}^{2059} 1.1^-(y-2025) = 3.849551  ->  23,799.46 USD
        full life       A + B = 6.438709                      ->  39,806.66 USD, 2.4868 times 16,007.21
    beyond_weight computes B from the periods, the technology's life and the settings."""
    premium = 639_000 * (crf(0.075, 30) - crf(0.063, 30))
    assert premium == approx(6_182.398, abs=1e-3)
    a = discount_weight(2030, 5, 2025, 0.1)
    d = types.SimpleNamespace(tech=pd.DataFrame({"lifetime_yr": [30]}, index=["gas_ocgt"]), PERIODS=[2030],
                              years={2030: 5}, settings={"discount_rate": 0.1, "base_year": 2025})
    b = study.beyond_weight(d, "gas_ocgt", 2030)
    assert a == approx(2.589158, abs=1e-6) and b == approx(3.849551, abs=1e-6)
    assert premium * a == approx(16_007.21, abs=0.01) and premium * (a + b) == approx(39_806.66, abs=0.01)
    assert (a + b) / a == approx(2.4868, abs=1e-4)


def test_options_equally_close_to_entering_are_one_tie_group(tmp_path):
    """Case 1: TR's CCGT and OCGT each replace KZ's plant of the same life, so each enters when its annuity falls to
    KZ's: capex* = capex * CRF(6 %, 20) / CRF(10 %, 20), a cut of 1 - 0.0871846 / 0.1174596 = 25.775 % for both,
    and WACC* = 6 % for both: one group of two, shown as one line with both options."""
    res = placement(RunSpec(name="c", inputs=case1(tmp_path / "c")), "TR", solver=SIMPLEX)
    be = res["tables"]["break_even"]
    assert list(be["tie_group"]) == [1, 1]
    assert list(be["capex_cut_pu"]) == approx([1 - crf(0.06, 20) / crf(0.10, 20)] * 2, rel=1e-9)
    assert list(be["capex_cut_pu"]) == approx([0.25775] * 2, abs=1e-5)  # the docstring's figure, of the study
    assert "  2 sites tie at a capex cut of 25.77% or a WACC of 6.0%:" in res["summary"].splitlines()


def three_zones(folder):
    """Zones A, B, C; demand 100 MW in A for 1000 h, one year, r = 0; lossless corridors A-B and A-C of 1000 MW.
    TR's OCGT (lifetime 1, wacc 0, no running cost) costs 100 USD/kW in A, 110 in B and in C.
    Least cost: 100 MW in A (1e7 USD). B and C: rc = 1.1e5 - 1e5 = 1e4 USD/MW each; each enters at 100 USD/kW,
    a cut of 1 - 100 / 110 = 9.09 %, and at no WACC (CRF(w, 1) = 1 + w >= 1 > 1e5 / 1.1e5): one tie group."""
    return write_case(
        folder, zones=[{"zone": z} for z in "ABC"], technologies=[tech("ocgt", lifetime_yr=1)],
        partners=[{"partner": "TR", "wacc": 0.0}],
        build_options=[{"zone": z, "technology": "ocgt", "partner": "TR", "capex_usd_per_kw": c}
                       for z, c in (("A", 100), ("B", 110), ("C", 110))],
        corridors=[{"corridor": f"A{z}", "from_zone": "A", "to_zone": z, "capacity_mw": 1000, "max_new_mw": 0}
                   for z in "BC"],
        timesteps=hours([1000]), demand=demand({"A": [100], "B": [0], "C": [0]}))


def test_top_says_which_zones_tie_with_the_last_one_picked(tmp_path):
    """three_zones with --top 1: A (where TR builds) and the closest zone, B (B and C tie; B by name); C is named
    as tying with it, not silently dropped."""
    res = placement(RunSpec(name="c", inputs=three_zones(tmp_path / "c")), "TR", solver=SIMPLEX, top=1)
    be = res["tables"]["break_even"].set_index("zone")
    assert be.at["B", "break_even_capex_usd_per_kw"] == approx(100, rel=1e-9)
    assert be.at["C", "break_even_capex_usd_per_kw"] == approx(100, rel=1e-9)
    assert be.at["B", "tie_group"] == be.at["C", "tie_group"] == 1
    assert res["headline"]["zones_ranged"] == ["A", "B"] and res["headline"]["zones_tied_beyond_top"] == ["C"]
    assert "as close as the last of them, not ranged: C" in res["summary"]
    assert "2 sites tie at a capex cut of 9.09% or a WACC of none:" in res["summary"]


def test_a_range_bound_by_the_cost_slack_says_so(tmp_path):
    """Case 1 within 1 %: TR's most is 0.01 * optimum / (DF * (TRO - KZO)) = 13.576 MW of OCGT
    (test_robustness_matches_the_hand_derivation), where the cost row binds: "cost slack"; its least is 0 MW."""
    st = build(RunSpec(name="c", inputs=case1(tmp_path / "c")), "TR", solver=SIMPLEX)
    table, head = alternatives(st, slack=0.01)
    assert head["TR_max_mw"] == approx(13.576, abs=5e-4)
    assert head["TR_max_limit"] == "cost slack" and head["TR_min_limit"] == "0 MW"
    row = table.set_index("zone").loc["A"]
    assert row["max_limit"] == "cost slack" and row["min_limit"] == "0 MW"


def test_a_range_bound_by_the_envelope_says_so(tmp_path):
    """Case 1 with TR's envelope at 5e6 USD in 2030: the most MW it buys is OCGT at 5e5 USD/MW, 10 MW, which costs
    10 * DF * (TRO - KZO) = 652,749.66 USD more, inside the 1 % room (886,171.70): the envelope binds, not the
    cost slack."""
    f = case1(tmp_path / "c", partner_envelopes=[{"partner": "TR", "period": 2030, "max_investment_usd": 5e6}])
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    table, head = alternatives(st, slack=0.01)
    assert 10 * DF * (TRO - KZO) == approx(652_749.66, abs=0.01)
    assert head["TR_max_mw"] == approx(10, rel=1e-9)
    assert head["TR_max_limit"] == "envelope"
    assert table.set_index("zone").at["A", "max_limit"] == "envelope"


def zero_case(folder):
    """Zone A, one year, r = 0, 1000 h, demand 100 MW; existing gas 200 MW at vom 50 USD/MWh; an interconnector
    exports up to 100 MW at 100 USD/MWh. Gas runs 200 MW: costs 200 * 1000 * 50 = 1e7, exports earn
    100 * 1000 * 100 = 1e7: the optimum is 0. TR offers solar (availability 1, 1000 USD/kW, 10 years, wacc 0:
    1e5 USD per MW-yr) that saves 1000 * 50 = 5e4 a year per MW: 5e4 dearer per MW, not built."""
    return write_case(
        folder, technologies=[tech("solar", "variable", lifetime_yr=10), tech("gas", vom_usd_per_mwh=50)],
        existing_capacity=[existing("A", "gas", 200)], partners=[{"partner": "TR", "wacc": 0.0}],
        build_options=[{"zone": "A", "technology": "solar", "partner": "TR", "capex_usd_per_kw": 1000}],
        interconnectors=[{"interconnector": "X-A", "zone": "A", "market": "X", "import_mw": 0, "export_mw": 100,
                          "capacity_credit_pu": 0}],
        trade_prices=[{"interconnector": "X-A", "period": 2030, "import_price_usd_per_mwh": 200,
                       "export_price_usd_per_mwh": 100}],
        timesteps=hours([1000]), demand=demand({"A": [100]}))


def test_a_zero_optimum_gets_the_slack_of_its_gross_cost(tmp_path):
    """zero_case: optimum 0, so 1 % of |optimum| left no room and TR's range was 0 to 0. The slack's base is now
    max(|optimum|, gross cost) = the 1e7 of gas: 1e5 USD of room, which buys 1e5 / 5e4 = 2 MW of TR's solar."""
    st = build(RunSpec(name="c", inputs=zero_case(tmp_path / "c")), "TR", solver=SIMPLEX)
    assert st.solver.objective() == approx(0, abs=1e-6)
    table, head = alternatives(st, slack=0.01)
    assert head["slack_base_usd"] == approx(1e7, rel=1e-9)
    assert head["TR_max_mw"] == approx(2, rel=1e-7) and head["TR_max_limit"] == "cost slack"


def test_displacement_is_net_of_exchanges_between_other_partners():
    """Zone A. Base plan: KZ ocgt 20, GULF ccgt 110. With TR's programme: GULF ocgt 10, KZ ccgt 110 (and TR's own).
        ocgt: others' change -20 + 10 = -10 MW net; 10 MW moved from KZ to GULF (min of gains 10, losses 20)
        ccgt: -110 + 110 = 0 net, 110 MW moved between them: reported as an exchange, not as displacement
    The partner split is given only where no exchange muddles it (none here); TR's own MW are not in the table."""
    base = {("A", "ocgt", "KZ", 2030): 20.0, ("A", "ccgt", "GULF", 2030): 110.0}
    new = {("A", "ocgt", "GULF", 2030): 10.0, ("A", "ccgt", "KZ", 2030): 110.0, ("A", "ocgt", "TR", 2030): 50.0}
    rows = {(z, g): rest for z, g, *rest in displaced("TR", base, new)}
    assert rows[("A", "ocgt")] == [approx(-10), approx(10), ""]
    assert rows[("A", "ccgt")] == [approx(0), approx(110), ""]
    one = displaced("TR", {("A", "ocgt", "KZ", 2030): 20.0}, {("A", "ocgt", "KZ", 2030): 5.0})
    assert one == [("A", "ocgt", approx(-15), 0.0, "KZ -15.0")]


def test_a_tie_between_two_other_partners_nets_out_end_to_end(tmp_path):
    """programme_case (tests/test_placement.py) with GULF offering the same ocgt as KZ (same capex, wacc 0): the
    split of the 20 MW ocgt between KZ and GULF is arbitrary, but a TR programme of 20 MW solar displaces
    0.5 * 20 = 10 MW of the others' ocgt, net, however the solver splits them."""
    f = programme_case(tmp_path / "c")
    pd.DataFrame({"partner": ["TR", "KZ", "GULF"], "wacc": [0.0] * 3}).to_csv(f / "partners.csv", index=False)
    bo = pd.read_csv(f / "build_options.csv")
    pd.concat([bo, bo[bo["partner"] == "KZ"].assign(partner="GULF")]).to_csv(f / "build_options.csv", index=False)
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    disp = programme_curve(st, [0, 20])["programme_displaced"].set_index(["size", "zone", "technology"])
    assert disp.at[(20, "A", "ocgt"), "new_mw_change"] == approx(-10, rel=1e-9)


def test_money_rows_are_declared_by_the_families(monkeypatch):
    """The rows in which a build's capex appears come from the families' MONEY_ROWS; a new family declaring one is
    picked up with no edit to the study."""
    from planner.model import build as model_build

    assert study.money_rows() == ("partner_envelope", "commitment_usd")
    planted = types.SimpleNamespace(__name__="planner.model.planted", MONEY_ROWS=("planted_budget",))
    monkeypatch.setattr(model_build, "MODULES", (*model_build.MODULES, planted))
    assert study.money_rows() == ("partner_envelope", "commitment_usd", "planted_budget")


def test_break_even_misses_the_envelope_when_no_family_declares_it(tmp_path, monkeypatch):
    """test_break_even_counts_the_envelope's case: solar2 breaks even at 300 USD/kW with the envelope's dual; with no
    money row declared it would be 9e5 - 2e5 / 0.1 < 0: none. So the declared rows are what break_even reads."""
    f = envelope_case(tmp_path / "c")
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    assert break_even(st).set_index("technology").at["solar2", "break_even_capex_usd_per_kw"] == approx(300, rel=1e-6)
    monkeypatch.setattr(study, "money_rows", lambda: ())
    assert pd.isna(break_even(st).set_index("technology").at["solar2", "break_even_capex_usd_per_kw"])


def test_the_study_builds_through_the_pipeline_and_leaves_the_case_as_it_was(tmp_path, monkeypatch):
    """pipeline.build with an edit: the programme row is in the model's data, not in the case the pipeline loaded."""
    from planner import pipeline

    seen = {}
    real = pipeline.load_for_run

    def spy(spec):
        seen["case"] = real(spec)[0]
        return seen["case"], {}, "hash"
    monkeypatch.setattr(pipeline, "load_for_run", spy)
    st = build(RunSpec(name="c", inputs=case1(tmp_path / "c")), "TR", solver=SIMPLEX)
    assert len(st.d.partner_commitments) == 1 and st.meta["inputs_sha256"] == "hash"
    assert len(seen["case"].tables["partner_commitments"]) == 0


def test_the_study_uses_only_public_methods_of_the_solver():
    """No HiGHS instance, compiled LP or private helper of Solver is reached into from the study."""
    text = Path(study.__file__).read_text()
    assert not re.findall(r"\.(h|comp|_scale|_col|_row|_j|_i)\b[.(\[]?", text.replace("self.", ""))


def warned_case(folder):
    """programme_case with 10 MW of gas built in 1950 (lifetime 50): it retires in 2000, before 2030, a warning."""
    f = programme_case(folder)
    ex = pd.read_csv(f / "existing_capacity.csv")
    row = ex.iloc[[0]].assign(capacity_mw=10, build_year=1950)
    pd.concat([ex, row]).to_csv(f / "existing_capacity.csv", index=False)
    return f


def test_command_line_warns_once_confirms_on_request_and_prints_sizes_in_full(tmp_path, capsys):
    from planner.cli import main

    toml = tmp_path / "m.toml"
    toml.write_text(f'name = "c"\ninputs = "{warned_case(tmp_path / "c")}"\n[solver]\nmethod = "simplex"\n')
    args = ["placement", str(toml), "--partner", "TR", "--results", str(tmp_path / "r"), "--programme", "0,1e1,20"]
    assert main([*args, "--confirm"]) == 0
    out, err = capsys.readouterr()
    assert err.count("retires in 2000") == 1
    assert err.splitlines()[0].endswith("loading the case and building the model")
    assert "programme point 1/2: 10 MW" in err and "1e+" not in err
    be = pd.read_csv(tmp_path / "r" / "c-placement-TR" / "break_even.csv")
    assert list(be["confirmed_by_resolve"]) == ["yes"]
    assert main([*args]) == 0
    capsys.readouterr()
    assert "confirmed_by_resolve" not in pd.read_csv(tmp_path / "r" / "c-placement-TR" / "break_even.csv").columns


def test_help_speaks_of_the_partner(capsys):
    from planner.cli import main

    with pytest.raises(SystemExit):
        main(["placement", "--help"])
    text = capsys.readouterr().out
    assert not re.search(r"\bK\b", text) and "the partner builds in" in text


def test_the_solver_methods_the_study_uses(tmp_path):
    """On test_break_even_counts_the_envelope's case (the envelope row is written in million USD, scale 1e-6):
    coefficients and duals read and set in the family's units (USD), one column's cost changed, and an added row
    deleted while the model's own rows cannot be.
        solar 300 USD/kW, 10 years, wacc 0: 3e4 USD/MW-yr; saves 1e5 a year per MW: TR spends the 1.5e7 envelope,
        50 MW; envelope dual -7e4 / 3e5 = -0.23333 USD per USD. Setting solar2's coefficient in the envelope to
        3e5 USD/MW and its cost to 3e4 makes it solar's twin: the objective is unchanged,
        1e7 (gas) - 50 * 7e4 = 6.5e6 USD."""
    f = envelope_case(tmp_path / "c")
    st = build(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    s, m = st.solver, st.m
    env = m.partner_envelope["TR", 2030]
    assert s.row_scale(env) == 1e-6 and s.objective() == approx(6.5e6, rel=1e-9)
    (i, con), = s.rows_of(["partner_envelope"])
    assert con is env
    j = s.col[m.new_cap["A", "solar2", "TR", 2030]]
    assert [(ii, a) for ii, c, a in s.column_rows(j) if c is env] == [(i, approx(9e5))]
    assert s.unscaled_row_duals()[i] == approx(-7e4 / 3e5, rel=1e-9) == s.duals()[env]
    assert s.dual_feasibility_tolerance == 1e-7
    s.set_coefficient(env, j, 3e5)
    s.set_col_cost(j, 3e4)
    assert s.run() == approx(6.5e6, rel=1e-9)
    r = s.add_cost_cap(7e6)
    with pytest.raises(ValueError, match="row of the model"):
        s.delete_added_rows([i])
    assert s.run() == approx(6.5e6, rel=1e-9) and s.solution().size["rows"] == r + 1
    s.delete_added_rows([r])
    assert s.run() == approx(6.5e6, rel=1e-9) and s.solution().size["rows"] == r
