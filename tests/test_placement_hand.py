"""The placement study against a case worked by hand (an independent review's case 1), and the defects it found.

Case 1: zone A, one period 2030 of 5 years, discount rate 8 % from 2030, so every per-year figure counts with
    df = sum_{y=0..4} 1.08^-y = 4.312126840044332.
Gas 10 USD/MWh_th, 0.2 t/MWh_th. CCGT 1000 USD/kW, heat rate 2 (20 USD/MWh); OCGT 500 USD/kW, heat rate 3
(30 USD/MWh); both 20-year lives, no O&M, capacity credit 1. Reserve margin 10 %. Demand 100 MW for 2190 h and
60 MW for 6570 h (peak 110 MW firm). KZ (WACC 6 %) may build both without limit; TR (WACC 10 %) may build at most
100 MW of CCGT and 50 MW of OCGT.
    CRF(6 %, 20) = 0.0871845569768514, CRF(10 %, 20) = 0.11745962477254576
    annuities (USD per MW-yr): KZ CCGT 87,184.5570, KZ OCGT 43,592.2785, TR CCGT 117,459.6248, TR OCGT 58,729.8124
Least cost: KZ builds CCGT 60 MW (runs all year) and OCGT 50 MW (40 MW runs 2190 h, 10 MW reserve):
    a CCGT MW costs 87,184.56 + 20 * h a year, an OCGT MW 43,592.28 + 30 * h: the OCGT is cheaper below
    h = 4,359.2 h, so it serves the 40 MW of 2190 h; the reserve is met by the cheapest MW, the OCGT.
    annual = 60 * 87,184.557 + 50 * 43,592.278 + 60 * 8760 * 20 + 40 * 2190 * 30 = 20,550,687.343 USD
    objective = df * annual = 88,617,170.47 USD.
TR builds nothing: each TR MW is dearer than the KZ MW it would replace by the annuity difference.
"""

from __future__ import annotations

import pandas as pd
import pytest
from casekit import demand, existing, hours, settings, tech, write_case
from pytest import approx

from planner.core.economics import crf
from planner.spec import RunSpec
from planner.studies.placement import alternatives, break_even, build, placement, programme_curve

SIMPLEX = {"method": "simplex", "threads": 1}
DF = sum(1.08 ** -y for y in range(5))
KZC, KZO = 1e6 * crf(0.06, 20), 5e5 * crf(0.06, 20)
TRC, TRO = 1e6 * crf(0.10, 20), 5e5 * crf(0.10, 20)


def case1(folder, **replace):
    """The review's case 1 (module docstring); ``replace`` replaces or adds tables (name -> rows)."""
    tables = dict(
        settings=settings(voll=5000, rate=0.08, base_year=2030), periods=[{"period": 2030, "years": 5}],
        zones=[{"zone": "A", "region": "R1"}],
        fuels=[{"fuel": "gas", "price_usd_per_mwh_th": 10, "co2_t_per_mwh_th": 0.2}],
        technologies=[tech(g, fuel="gas", heat_rate_mwh_th_per_mwh=hr, capex_usd_per_kw=capex, lifetime_yr=20,
                           capacity_credit_pu=1) for g, hr, capex in (("gas_ccgt", 2, 1000), ("gas_ocgt", 3, 500))],
        partners=[{"partner": "TR", "wacc": 0.10, "eligible_technologies": "gas_ccgt;gas_ocgt"},
                  {"partner": "KZ", "wacc": 0.06}],
        build_options=[{"zone": "A", "technology": "gas_ccgt", "partner": "KZ"},
                       {"zone": "A", "technology": "gas_ocgt", "partner": "KZ"},
                       {"zone": "A", "technology": "gas_ccgt", "partner": "TR", "max_new_mw": 100},
                       {"zone": "A", "technology": "gas_ocgt", "partner": "TR", "max_new_mw": 50}],
        reserve_margins=[{"region": "*", "period": 2030, "margin_pu": 0.1}],
        timesteps=hours([2190, 6570]), demand=demand({"A": [100, 60]}))
    return write_case(folder, **{**tables, **replace})


def tie_case(folder):
    """Case 1 with TR at 5 % (cheaper than KZ's 6 %), uncapped, and a zone B without demand joined to A by a lossless
    500 MW corridor, where TR may build the same CCGT as in A (the review's case 2). TR also offers solar in A that
    never runs (availability 0, no capacity credit); it changes nothing in the plan, but with it the simplex
    reports the tie's reduced cost as -5.8e-11 rather than +5.8e-11 (HiGHS as pinned).
    Least cost: TR builds CCGT 60 MW in A and OCGT 50 MW; TR's CCGT in B costs exactly the same: rc = 0.
    """
    gas = [tech(g, fuel="gas", heat_rate_mwh_th_per_mwh=hr, capex_usd_per_kw=capex, lifetime_yr=20,
                capacity_credit_pu=1) for g, hr, capex in (("gas_ccgt", 2, 1000), ("gas_ocgt", 3, 500))]
    solar = tech("solar", "variable", lifetime_yr=25, capex_usd_per_kw=800, fom_usd_per_kw_yr=10, availability_pu=0,
                 capacity_credit_pu=0, renewable=1)
    return case1(
        folder, zones=[{"zone": "A", "region": "R1"}, {"zone": "B", "region": "R1"}], technologies=[*gas, solar],
        partners=[{"partner": "TR", "wacc": 0.05}, {"partner": "KZ", "wacc": 0.06}],
        build_options=[{"zone": z, "technology": g, "partner": k} for z, g, k in (
            ("A", "gas_ccgt", "KZ"), ("A", "gas_ocgt", "KZ"), ("A", "gas_ccgt", "TR"), ("B", "gas_ccgt", "TR"),
            ("A", "gas_ocgt", "TR"), ("A", "solar", "TR"))],
        corridors=[{"corridor": "A-B", "from_zone": "A", "to_zone": "B", "capacity_mw": 500, "loss_pu": 0,
                    "length_km": 100, "capex_usd_per_mw_km": 800, "max_new_mw": 0, "capacity_credit_pu": 1}],
        demand=demand({"A": [100, 60], "B": [0, 0]}))


def test_least_cost_plan_and_break_even_match_the_hand_derivation(tmp_path):
    """objective = df * annual = 4.312126840 * 20,550,687.343 = 88,617,170.47 USD (module docstring).

    TR's CCGT, held at 0, would replace a KZ CCGT MW: rc = df * (117,459.625 - 87,184.557) = 130,549.93 USD/MW;
    TR's OCGT would replace a KZ OCGT MW: rc = df * (58,729.812 - 43,592.278) = 65,274.97 USD/MW.
    They enter where their annuity falls to KZ's:
        capex* = capex * CRF(6 %) / CRF(10 %): CCGT 1000 * 0.742251 = 742.2512812 USD/kW, OCGT 371.1256406 USD/kW
        WACC* = 6 % (KZ's), both. No money rows, no tie.
    """
    st = build(RunSpec(name="c", inputs=case1(tmp_path / "c")), "TR", solver=SIMPLEX)
    assert DF == approx(4.312126840044332, rel=1e-15)
    annual = 60 * KZC + 50 * KZO + 60 * 8760 * 20 + 40 * 2190 * 30
    assert annual == approx(20_550_687.343032368, rel=1e-12)
    assert st.solver.objective() == approx(DF * annual, rel=1e-9)
    assert st.solver.objective() == approx(88_617_170.47, abs=0.01)
    be = break_even(st, confirm=True).set_index("technology")
    assert be.at["gas_ccgt", "reduced_cost_usd_per_mw"] == approx(DF * (TRC - KZC), rel=1e-7)
    assert be.at["gas_ccgt", "reduced_cost_usd_per_mw"] == approx(130_549.93, abs=0.01)
    assert be.at["gas_ocgt", "reduced_cost_usd_per_mw"] == approx(65_274.97, abs=0.01)
    assert be.at["gas_ccgt", "break_even_capex_usd_per_kw"] == approx(742.2512812, rel=1e-9)
    assert be.at["gas_ocgt", "break_even_capex_usd_per_kw"] == approx(371.1256406, rel=1e-9)
    assert list(be["break_even_wacc"]) == approx([0.06, 0.06], rel=1e-9)
    assert list(be["tie"]) == [False, False] and list(be["confirmed_by_resolve"]) == ["yes", "yes"]


def test_programme_curve_matches_the_hand_derivation(tmp_path):
    """A TR programme of X MW by 2030 fills TR's OCGT first (it replaces a KZ OCGT at 15,137.53 USD/yr per MW,
    half the CCGT's 30,275.07), then TR's CCGT replaces KZ's base-load CCGT:
        X <= 50:        premium/yr = X * 15,137.534;            marginal df * 15,137.534 = 65,274.97 USD/MW
        50 < X <= 110:  + (X - 50) * 30,275.068;                marginal df * 30,275.068 = 130,549.93 USD/MW
        110 < X <= 150: TR CCGT beyond KZ's 60 MW displaces nothing it needs but moves the 40 MW of 2190 h from
                        OCGT to CCGT (saves 10 USD/MWh * 2190 h): + (X - 110) * (117,459.625 - 21,900);
                        marginal df * 95,559.625 = 412,065.22 USD/MW; at 150 all energy is CCGT:
                        emissions (100 * 2190 + 60 * 6570) * 2 * 0.2 = 245,280 t against 262,800 (-17,520 t)
    Present values (df * premium/yr): 30 -> 1,958,248.99; 50 -> 3,263,748.31; 80 -> 7,180,246.28;
    110 -> 11,096,744.26; 150 -> 27,579,353.17 USD.
    """
    st = build(RunSpec(name="c", inputs=case1(tmp_path / "c")), "TR", solver=SIMPLEX)
    out = programme_curve(st, [0, 30, 50, 80, 110, 150])
    pr = out["programme"].set_index("size")

    def premium(x):
        ocgt, ccgt, extra = min(x, 50), min(max(x - 50, 0), 60), max(x - 110, 0)
        return DF * (ocgt * (TRO - KZO) + ccgt * (TRC - KZC) + extra * (TRC - 10 * 2190))

    sizes = [0, 30, 50, 80, 110, 150]
    assert list(pr.index) == sizes
    assert list(pr["premium_in_horizon_pv_usd"]) == approx([premium(x) for x in sizes], rel=1e-9, abs=1e-6)
    assert list(pr["premium_in_horizon_pv_usd"]) == approx(
        [0, 1_958_248.99, 3_263_748.31, 7_180_246.28, 11_096_744.26, 27_579_353.17], abs=0.01)
    assert list(pr["premium_annual_usd_per_yr"]) == approx([premium(x) / DF for x in sizes], rel=1e-9, abs=1e-6)
    marginal = pr["marginal_in_horizon_usd_pv_per_MW"]
    assert marginal[30] == approx(65_274.97, abs=0.01) and marginal[80] == approx(130_549.93, abs=0.01)
    assert marginal[150] == approx(DF * (TRC - 10 * 2190), rel=1e-9)
    assert marginal[150] == approx(412_065.22, abs=0.01)
    assert pr.at[0, "emissions_t_per_yr"] == approx((60 * 8760 * 2 + 40 * 2190 * 3) * 0.2, rel=1e-9)
    assert pr.at[150, "emissions_change_t_per_yr"] == approx(-17_520, rel=1e-9)
    sites = out["programme_sites"].groupby(["size", "technology"])["new_mw"].sum()
    assert sites[(80, "gas_ocgt")] == approx(50, rel=1e-9) and sites[(80, "gas_ccgt")] == approx(30, rel=1e-9)


def test_robustness_matches_the_hand_derivation(tmp_path):
    """Within 1 % of the optimum (886,171.70 USD) TR's cheapest MW are its OCGT at 65,274.97 USD each:
    TR builds 0 to 886,171.70 / 65,274.97 = 13.576 MW."""
    st = build(RunSpec(name="c", inputs=case1(tmp_path / "c")), "TR", solver=SIMPLEX)
    table, head = alternatives(st, slack=0.01)
    opt = DF * (60 * KZC + 50 * KZO + 60 * 8760 * 20 + 40 * 2190 * 30)
    assert head["TR_min_mw"] == approx(0, abs=1e-6)
    assert head["TR_max_mw"] == approx(0.01 * opt / (DF * (TRO - KZO)), rel=1e-7)
    assert head["TR_max_mw"] == approx(13.576, abs=5e-4)
    assert table.set_index("zone").at["A", "siting"] == "flexible"


def test_a_site_that_ties_with_the_plan_is_a_tie_not_a_crash(tmp_path):
    """tie_case: TR's CCGT in B ties with the 60 MW TR builds in A. The simplex reports its reduced cost as
    -5.8e-11 USD/MW (noise); CRF(w*) = CRF(5 %) - rc / (capex * A) then lay a hair above CRF(5 %), the break-even
    WACC search on [0, 5 %] had no sign change and the whole study crashed (ValueError from brentq).
    Now |rc| is within HiGHS's dual feasibility tolerance (1e-7) times the column's cost
    (1e6 * CRF(5 %, 20) * df = 346,018 USD/MW): B's CCGT is a tie, breaks even at its own 1000 USD/kW and TR's 5 %,
    and the table and the summary say so.
    """
    f = tie_case(tmp_path / "c")
    res = placement(RunSpec(name="c", inputs=f), "TR", solver=SIMPLEX)
    where = res["tables"]["where"].set_index(["zone", "technology"])["new_mw"]
    assert where[("A", "gas_ccgt")] == approx(60, rel=1e-9) and where[("A", "gas_ocgt")] == approx(50, rel=1e-9)
    be = res["tables"]["break_even"].set_index(["zone", "technology"])
    b = be.loc[("B", "gas_ccgt")]
    assert abs(b["reduced_cost_usd_per_mw"]) < 1e-7 * 1e6 * crf(0.05, 20) * DF
    assert b["break_even_capex_usd_per_kw"] == 1000.0 and b["break_even_wacc"] == 0.05
    assert b["tie"] and b["note"].startswith("tie:")
    assert not be.loc[("A", "solar"), "tie"]
    line = next(x for x in res["summary"].splitlines() if x.split()[:2] == ["B", "gas_ccgt"])
    assert "1,000 -> 1,000 $/kW, as cheap as what TR builds in the plan" in line
    assert res["tables"]["break_even"].set_index(["zone", "technology"]).at[("B", "gas_ccgt"), "tie_group"] == 1


@pytest.mark.parametrize("noise", [-6e-11, 6e-11, -1e-3, 0.0])
def test_a_tie_is_a_tie_whatever_the_sign_of_its_noise(tmp_path, monkeypatch, noise):
    """The same tie with the reduced costs HiGHS reports shifted by ``noise`` USD/MW (all within the tolerance of
    1e-7 * 346,018 = 0.035 USD/MW): the tie's break-even is its own capex and WACC either way (a negative shift
    crashed the break-even WACC search, a positive one gave the same figures with no tie label)."""
    from planner.solve import Solver

    true_rc = Solver.reduced_costs
    monkeypatch.setattr(Solver, "reduced_costs", lambda self: true_rc(self) + noise)
    st = build(RunSpec(name="c", inputs=tie_case(tmp_path / "c")), "TR", solver=SIMPLEX)
    be = break_even(st).set_index(["zone", "technology"])
    b = be.loc[("B", "gas_ccgt")]
    assert b["tie"] and b["break_even_capex_usd_per_kw"] == 1000.0 and b["break_even_wacc"] == 0.05


def export_case(folder):
    """Case 1 (module docstring) with 1000 MW of existing CCGT (no fixed cost) and an interconnector to market
    Xland exporting up to 1000 MW at 100 USD/MWh: every MWh exported earns 100 - 20 = 80 USD (CCGT) or 70 (OCGT).
    The existing CCGT serves demand and exports the rest; exports fill the line when KZ adds
        CCGT 60 MW (exports all year: 80 * 8760 = 700,800 > 87,184.56 a year) and
        OCGT 40 MW (exports 2190 h: 70 * 2190 - 43,592.28 = 109,707.7 a year, more than a CCGT's
                    80 * 2190 - 87,184.56 = 88,015.4).
    annual = 60 * 87,184.557 + 40 * 43,592.278 + 20 * 1060 * 8760 + 30 * 40 * 2190 - 100 * 1000 * 8760
           = -680,694,093.51 USD, objective = df * annual = -2,935,201,073.37 USD: negative.
    """
    return case1(folder, existing_capacity=[existing("A", "gas_ccgt", 1000, build_year=2020)],
                 interconnectors=[{"interconnector": "X-A", "zone": "A", "market": "Xland", "import_mw": 0,
                                   "export_mw": 1000, "capacity_credit_pu": 0}],
                 trade_prices=[{"interconnector": "X-A", "period": 2030, "import_price_usd_per_mwh": 200,
                                "export_price_usd_per_mwh": 100}])


def test_a_negative_optimum_gets_its_slack_above_it(tmp_path):
    """The export case (export_case): optimum -2,935,201,073.37 USD. The cost row of the near-optimal ranges
    was (1 + 1 %) * optimum, 29.35 M USD *below* the optimum: no plan met it and the study failed ("Infeasible").
    It is now optimum + 1 % * |optimum|, 29,352,010.73 USD of room.

    TR's programme premium (per MW, present value; the OCGT replaces KZ's peaking OCGT first, as in case 1):
        up to 40 MW OCGT: df * 15,137.53 = 65,274.97; then 60 MW CCGT: df * 30,275.07 = 130,549.93;
        then 10 MW OCGT idle (the line is full): df * 58,729.81 = 253,250.38;
        then CCGT beyond: moves 2190 h from OCGT to CCGT: df * (117,459.62 - 21,900) = 412,065.22.
    P(110) = 40 * 65,274.97 + 60 * 130,549.93 + 10 * 253,250.38 = 12,976,498.60 USD, so within the room TR
    builds at most 110 + (29,352,010.73 - 12,976,498.60) / 412,065.22 = 149.7401 MW, at least 0.
    """
    f = export_case(tmp_path / "c")
    res = placement(RunSpec(name="c", inputs=f), "TR", [0, 50, 110], solver=SIMPLEX)
    head = res["headline"]
    opt = DF * (60 * KZC + 40 * KZO + 20 * 1060 * 8760 + 30 * 40 * 2190 - 100 * 1000 * 8760)
    assert opt == approx(-2_935_201_073.37, abs=0.01)
    assert head["least_cost_objective_usd"] == approx(opt, rel=1e-9)
    p110 = DF * (40 * (TRO - KZO) + 60 * (TRC - KZC) + 10 * TRO)
    assert p110 == approx(12_976_498.60, abs=0.01)
    assert head["TR_min_mw"] == approx(0, abs=1e-6)
    assert head["TR_max_mw"] == approx(110 + (0.01 * abs(opt) - p110) / (DF * (TRC - 10 * 2190)), rel=1e-7)
    assert head["TR_max_mw"] == approx(149.7401, abs=1e-4)
    pr = res["tables"]["programme"].set_index("size")["premium_in_horizon_pv_usd"]
    assert pr[110] == approx(p110, rel=1e-9)
    assert pr[50] == approx(DF * (40 * (TRO - KZO) + 10 * (TRC - KZC)), rel=1e-9)


def _cli(tmp_path, capsys, *args) -> str:
    from planner.cli import main

    toml = tmp_path / "m.toml"
    toml.write_text(f'name = "c"\ninputs = "{case1(tmp_path / "c")}"\n[solver]\nmethod = "simplex"\nthreads = 1\n')
    assert main(["placement", str(toml), "--partner", "TR", "--results", str(tmp_path / "r"), *args]) == 0
    return capsys.readouterr().out


def _rows(text: str) -> list[list[str]]:
    """The programme curve's rows of the summary, split on whitespace."""
    lines = text.split("programme curve")[1].split("\n\n")[0].splitlines()[3:]
    return [x.split() for x in lines[:next(i for i, x in enumerate(lines) if x.startswith("  in horizon:"))]]


def test_the_summary_prints_the_marginal_of_a_usd_programme_with_its_digits(tmp_path, capsys):
    """A programme in USD of capex: each USD buys CCGT at 1e6 USD/MW (premium 130,549.93 per MW) or OCGT at 5e5
    (65,274.97 per MW) — the same df * (CRF(10 %) - CRF(6 %)) = 0.1305499 USD of present value per USD.
    The summary printed it with no decimals: 0."""
    rows = _rows(_cli(tmp_path, capsys, "--unit", "USD", "--programme", "0,25000000,80000000"))
    assert DF * (crf(0.10, 20) - crf(0.06, 20)) == approx(0.1305499, abs=1e-7)
    assert [r[0] for r in rows] == ["0", "25,000,000", "80,000,000"]
    assert [r[5] for r in rows[1:]] == ["0.1305", "0.1305"]
    assert [r[1] for r in rows[1:]] == ["3.3", "10.4"]  # 25e6 and 80e6 * 0.1305499 USD, in M USD


def test_a_repeated_programme_size_is_solved_and_reported_once(tmp_path, capsys):
    """--programme 80,30,80: 80 MW is TR's OCGT 50 and CCGT 30 (test_programme_curve_matches_the_hand_derivation),
    shown once as 80 MW (it showed CCGT 60 and OCGT 100, the sites of both repeats summed); sizes in order."""
    text = _cli(tmp_path, capsys, "--programme", "80,30,80")
    rows = _rows(text)
    assert [r[0] for r in rows] == ["30", "80"]
    assert " ".join(rows[1][6:]) == "A gas_ccgt 30, A gas_ocgt 50"
    assert " ".join(rows[0][6:]) == "A gas_ocgt 30"
    pr = pd.read_csv(tmp_path / "r" / "c-placement-TR" / "programme.csv")
    assert list(pr["size"]) == [30, 80]
