"""A programme point's equally cheap sitings (planner/studies/placement.py, 3.): the same whichever plan the solver
returns, a plan that splits the MW between the tied zones included.

two_zones: zones A and B joined by a lossless 1000 MW corridor; demand 100 MW in A for 1000 h, one period of one
year, r = 0 (present value = the year's cost). OCGTs without running cost, lifetime 1, both partners at WACC 0, so a
MW costs its capex a year: KZ's in A 90 USD/kW (9e4 USD/MW); TR's in A 100 USD/kW and in B ``b_usd_per_kw``, at most
30 MW in each zone (build_options.csv max_new_mw).

Least cost: KZ builds all 100 MW, 100 * 9e4 = 9e6 USD; TR nothing.
TR's programme of 40 MW by 2030 (at least 40; TR's MW cost more than KZ's, so exactly 40, and KZ builds 60):
    tie (B at 100): every split with A + B = 40, A <= 30, B <= 30 costs the same,
        objective 60 * 9e4 + 40 * 1e5 = 9.4e6 USD, premium 4e5, marginal 1e5 - 9e4 = 1e4 USD/MW;
        TR's MW in A range over [10, 30] and in B over [10, 30]: 20 MW > TIE_MW (1 MW), both are equally cheap.
    no tie (B at 101): A takes its 30 MW, B the other 10; each MW moved from A to B costs 1e3 USD, far above the
        room of TIE_MW * 1e-7 * 1.01e5 = 0.0101 USD the test allows: objective 9.4e6 + 10 * 1e3 = 9.41e6 USD,
        premium 4.1e5, marginal 1.1e4 USD/MW (the 40th MW is B's); nothing is equally cheap.
Each is solved from two starting plans: TR's A made dearer for one solve (the solver then ends at A 10 / B 30), or
TR's B made dearer (A 30 / B 10), the cost put back before the point is solved. Both splits put MW in both zones,
so no tied column is at 0 for a reduced-cost test to find.
"""

from __future__ import annotations

import pytest
from casekit import demand, hours, tech, write_case
from pytest import approx

from planner.spec import RunSpec
from planner.studies.placement import _curve_tables, _point, _programme_lines, build, placement

SIMPLEX = {"method": "simplex", "threads": 1}


def two_zones(folder, b_usd_per_kw: float = 100.0):
    """The module docstring's case."""
    return write_case(
        folder, zones=[{"zone": "A"}, {"zone": "B"}], technologies=[tech("ocgt", lifetime_yr=1)],
        partners=[{"partner": "TR", "wacc": 0.0}, {"partner": "KZ", "wacc": 0.0}],
        build_options=[{"zone": "A", "technology": "ocgt", "partner": "KZ", "capex_usd_per_kw": 90},
                       {"zone": "A", "technology": "ocgt", "partner": "TR", "capex_usd_per_kw": 100,
                        "max_new_mw": 30},
                       {"zone": "B", "technology": "ocgt", "partner": "TR", "capex_usd_per_kw": b_usd_per_kw,
                        "max_new_mw": 30}],
        corridors=[{"corridor": "AB", "from_zone": "A", "to_zone": "B", "capacity_mw": 1000, "max_new_mw": 0}],
        timesteps=hours([1000]), demand=demand({"A": [100], "B": [0]}))


def from_start(folder, dearer: str, size: float = 40.0) -> tuple[dict, dict, list[str]]:
    """The programme point at ``size`` solved warm from the plan the solver ends at with TR's OCGT in zone ``dearer``
    costing twice as much (its cost restored before the point is solved): the point, its tables, its summary
    lines."""
    st = build(RunSpec(name="c", inputs=folder), "TR", solver=SIMPLEX)
    s = st.solver
    assert s.objective() == approx(9e6, rel=1e-9)
    base = _point(st, 0.0)
    j = s.col[st.m.new_cap[dearer, "ocgt", "TR", 2030]]
    cost = float(s.cost[j])
    s.set_row_bounds(st.programme, size, None)
    s.set_col_cost(j, 2 * cost)
    s.run()
    s.set_col_cost(j, cost)
    pt = _point(st, size)
    out = _curve_tables(st, [base, pt], base)
    return pt, out, _programme_lines(st, out)


def split(pt: dict) -> dict[str, float]:
    return {z: round(mw, 6) for (z, g, k, p), mw in pt["new"].items() if k == "TR" and mw > 1e-6}


@pytest.mark.parametrize("dearer, shown", [("A", {"A": 10.0, "B": 30.0}), ("B", {"A": 30.0, "B": 10.0})])
def test_a_tie_split_between_two_zones_is_a_tie_from_either_start(tmp_path, dearer, shown):
    """Tie (B at 100 USD/kW): the solver returns A 10 / B 30 from one start and A 30 / B 10 from the other; both cost
    9.4e6 USD (premium 4e5) and both are reported as equally cheap between A and B."""
    pt, out, lines = from_start(two_zones(tmp_path / "c"), dearer)
    assert split(pt) == shown  # the start decides the split the solver returns: both splits are covered
    assert pt["objective"] == approx(9.4e6, rel=1e-9)
    pr = out["programme"].set_index("size")
    assert pr.at[40, "premium_in_horizon_pv_usd"] == approx(4e5, rel=1e-9)
    assert pr.at[40, "marginal_in_horizon_usd_pv_per_MW"] == approx(1e4, rel=1e-9)
    assert [v[0] for v in pt["equally_cheap"]] == ["A", "B"]
    sites = out["programme_sites"].set_index(["size", "zone"])
    assert sites.at[(40, "A"), "equally_cheap_with"] == "B" and sites.at[(40, "B"), "equally_cheap_with"] == "A"
    assert sites.at[(40, "A"), "new_mw"] + sites.at[(40, "B"), "new_mw"] == approx(40, rel=1e-9)
    assert ("  equally cheap sitings at 40 MW: TR's ocgt MW can go to any of A, B at the same cost; the split shown "
            "is one of them") in lines


@pytest.mark.parametrize("dearer", ["A", "B"])
def test_one_usd_per_kw_dearer_is_no_tie_from_either_start(tmp_path, dearer):
    """No tie (B at 101 USD/kW): from either start the solver ends at the one optimum, A 30 / B 10, 9.41e6 USD
    (premium 4.1e5, marginal 1.1e4 USD/MW), and nothing is reported as equally cheap."""
    pt, out, lines = from_start(two_zones(tmp_path / "c", b_usd_per_kw=101.0), dearer)
    assert split(pt) == {"A": 30.0, "B": 10.0}
    assert pt["objective"] == approx(9.41e6, rel=1e-9)
    pr = out["programme"].set_index("size")
    assert pr.at[40, "premium_in_horizon_pv_usd"] == approx(4.1e5, rel=1e-9)
    assert pr.at[40, "marginal_in_horizon_usd_pv_per_MW"] == approx(1.1e4, rel=1e-9)
    assert pt["equally_cheap"] == []
    assert list(out["programme_sites"].query("size == 40")["equally_cheap_with"]) == ["", ""]
    assert not any("equally cheap sitings" in x for x in lines)


def test_the_study_says_so_and_restores_the_model(tmp_path):
    """End to end: the summary of the tie names A and B at 40 MW and nothing at 0 MW (TR builds nothing; its OCGTs
    cost 1e4 USD/MW more than KZ's); after the curve the model solves to the least-cost plan, 9e6 USD."""
    res = placement(RunSpec(name="c", inputs=two_zones(tmp_path / "c")), "TR", [0, 40], solver=SIMPLEX)
    lines = [x for x in res["summary"].splitlines() if "equally cheap sitings" in x]
    assert lines == ["  equally cheap sitings at 40 MW: TR's ocgt MW can go to any of A, B at the same cost; the split "
                     "shown is one of them"]
    assert res["setup"].solver.run() == approx(9e6, rel=1e-9)
