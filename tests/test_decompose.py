"""Benders decomposition by time (planner/decompose/): each answer equals the monolithic optimum."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pyomo.environ as pyo
import pytest
from casekit import demand, existing, settings, tech, v, write_case
from pytest import approx

from planner.decompose import Master, solve_decomposed, time_variables
from planner.decompose.blocks import peak_hours
from planner.errors import InputError, SolveError
from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.solve import solve

ROOT = Path(__file__).resolve().parent.parent
FUELS = [{"fuel": "coal", "price_usd_per_mwh_th": 5, "co2_t_per_mwh_th": 0.5},
         {"fuel": "gas", "price_usd_per_mwh_th": 15, "co2_t_per_mwh_th": 0.25}]


def two_blocks(tmp_path: Path) -> Path:
    return write_case(
        tmp_path / "c",
        settings=settings(rate=0),
        periods=[{"period": 2030, "years": 1, "co2_cap_t": 525_600}],
        fuels=FUELS,
        technologies=[tech("coal", fuel="coal", heat_rate_mwh_th_per_mwh=2),
                      tech("gas", fuel="gas", heat_rate_mwh_th_per_mwh=2, lifetime_yr=20, capex_usd_per_kw=1000)],
        existing_capacity=[existing("A", "coal", 100)],
        build_options=[{"zone": "A", "technology": "gas"}],
        timesteps=[{"timestep": 0, "weight": 4380, "block": 0}, {"timestep": 1, "weight": 4380, "block": 1}],
        demand=demand({"A": [100, 60]}),
    )


def test_two_blocks_with_a_binding_annual_co2_cap(tmp_path):
    """Two blocks of one 4,380-h timestep each; the year's CO2 cap links them, so each block gets a budget.

    coal: existing 100 MW, heat rate 2 x 5 USD/MWh_th -> 10 USD/MWh, 2 x 0.5 -> 1 t/MWh.
    gas: new, 1,000 USD/kW over 20 years at a 0 discount rate -> 50,000 USD/MW-yr; 30 USD/MWh, 0.5 t/MWh.
    Demand 100 MW then 60 MW: 700,800 MWh. Cap 525,600 t.
        coal energy E_c = 700,800 - E_g;  E_c + 0.5 E_g <= 525,600  ->  E_g >= 350,400 MWh
        gas capacity G >= max(g0, g1) with 4,380 (g0 + g1) = E_g  ->  G = 40 MW at g0 = g1 = 40
        cost = 10 E_c + 30 E_g + 50,000 G = 10 * 350,400 + 30 * 350,400 + 50,000 * 40 = 16,016,000 USD
    One tonne more of cap lets 2 MWh move from gas to coal (20 USD each) and 2 / 8,760 MW less gas:
        d cost / d cap = -(2 * 20 + 2 * 50,000 / 8,760) = -51.415525 USD/t
    The subproblems see the capacity and their CO2 budgets fixed; neither block alone knows the cap.
    """
    case = two_blocks(tmp_path)
    d = prepare(load_case(case))
    mono = solve(build_model(d), {"method": "simplex"})
    assert mono.objective == approx(16_016_000, rel=1e-9)
    m = build_model(d)
    sol = solve_decomposed(m, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9})
    assert sol.notes["decomposition"]["subproblems"] == 2
    assert sol.notes["decomposition"]["stopped"] == "gap"
    assert sol.objective == approx(16_016_000, rel=1e-6)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(40, rel=1e-6)
    assert v(m.gen["A", "gas", 2030, 0]) + v(m.gen["A", "gas", 2030, 1]) == approx(80, rel=1e-6)
    assert v(m.gen["A", "coal", 2030, 0]) == approx(60, rel=1e-6)
    assert v(m.emissions[2030]) == approx(525_600, rel=1e-6)
    assert sol.duals[m.co2_cap[2030]] == approx(-51.415525, rel=1e-4)


def test_example_case_equals_the_monolithic_optimum():
    """inputs/example (two periods, two representative days each): one subproblem a day, 1e-6 relative."""
    from planner.pipeline import build, solver_options
    from planner.spec import load_spec

    spec = load_spec(ROOT / "models" / "example.toml")
    mono = solve(build(spec).model, solver_options(spec))
    b = build(spec)
    sol = solve_decomposed(b.model, b.data, solver_options(spec), {"block_days": 1, "gap": 1e-7})
    assert sol.notes["decomposition"]["subproblems"] == 4
    assert abs(sol.objective / mono.objective - 1) < 1e-6


def test_a_run_through_the_specification_writes_the_same_tables(tmp_path):
    """`[decomposition]` in a run specification: the same tables as the monolithic run, at the same cost.

    The example has equally cheap plans (OCGT of KZ or TR, in S or W), so the MW may differ between the two
    optima; the objective and every table's columns may not."""
    from planner.runner import run_spec
    from planner.spec import load_spec

    base = (ROOT / "models" / "example.toml").read_text()
    inputs = (ROOT / "inputs" / "example").as_posix()
    text = base.replace('inputs = "../inputs/example"', f'inputs = "{inputs}"')
    (tmp_path / "mono.toml").write_text(text)
    (tmp_path / "dec.toml").write_text(text.replace('name = "example"', 'name = "example-dec"')
                                       + '\n[decomposition]\nblock_days = 1\ngap = 1e-7\n')
    a = run_spec(load_spec(tmp_path / "mono.toml"), tmp_path / "r")
    b = run_spec(load_spec(tmp_path / "dec.toml"), tmp_path / "r")
    assert b.meta["decomposition"]["stopped"] == "gap"
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        assert list(a.tables[name].columns) == list(b.tables[name].columns), name
    assert abs(b.meta["objective_usd"] / a.meta["objective_usd"] - 1) < 1e-6
    assert (tmp_path / "r" / "example-dec" / "run.json").is_file()


def test_iteration_limit_is_an_error_never_a_result(tmp_path):
    """Without the blocks' relaxations in the master (with them, this case's one-timestep blocks are exact and one
    iteration closes the gap: test_a_block_of_one_timestep_is_its_own_relaxation)."""
    d = prepare(load_case(two_blocks(tmp_path)))
    with pytest.raises(SolveError, match="Iteration limit"):
        solve_decomposed(build_model(d), d, {"method": "simplex"},
                         {"block_days": 1, "gap": 0.0, "max_iterations": 1, "relax_hours": 0})


@pytest.mark.parametrize("table, message", [
    ({"block_days": 0}, "decomposition.block_days = 0"),
    ({"gap": -1}, "decomposition.gap = -1"),
    ({"regularisation": "trust"}, "decomposition.regularisation = 'trust'"),
    ({"blocks": 7}, "unknown key decomposition.blocks"),
    ({"resolve": "hot"}, "decomposition.resolve = 'hot'"),
    ({"workers": 0}, "decomposition.workers = 0"),
    ({"scheduler": ""}, "decomposition.scheduler = ''"),
    ({"relax_hours": -1}, "decomposition.relax_hours = -1"),
    ({"relax_peaks": "yes"}, "decomposition.relax_peaks = 'yes'"),
    ({"relax_peaks": 0}, "decomposition.relax_peaks = 0"),
])
def test_bad_decomposition_options_are_named(tmp_path, table, message):
    from planner.spec import load_spec

    body = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in table.items())
    path = tmp_path / "bad.toml"
    path.write_text(f'name = "x"\ninputs = "{(ROOT / "inputs" / "example").as_posix()}"\n[decomposition]\n{body}\n')
    with pytest.raises(InputError) as err:
        load_spec(path)
    assert message.replace("'", '"') in str(err.value) or message in str(err.value)


def test_every_variable_indexed_by_period_and_timestep_is_declared(tmp_path):
    """A family's operations variable left out of TIME_VARIABLES would land in the master problem unnoticed."""
    from planner.pipeline import build
    from planner.spec import load_spec

    b = build(load_spec(ROOT / "models" / "example.toml"))
    d, m = b.data, b.model
    steps, periods = set(d.TIMESTEPS), set(d.PERIODS)
    declared = time_variables()
    for var in m.component_objects(pyo.Var, descend_into=True):
        idx = [i if isinstance(i, tuple) else (i,) for i in var.index_set()]
        timed = bool(idx) and all(len(i) >= 2 and i[-2] in periods and i[-1] in steps for i in idx) \
            and len(idx) >= len(steps)
        assert timed == (var.local_name in declared), var.local_name


def test_linked_storage_across_blocks_equals_the_monolithic_optimum(tmp_path):
    """Storage linked across representative days (tests/test_storage_link.py's seasonal case, 3,600 by hand):
    the state at the start of each calendar day is a master column, each representative day a subproblem.

    Calendar [0, 0, 1, 1]: two cheap days charge 40 MWh each, two dear days spend them; the store is 40 MW and
    80 MWh: objective = 2 x 60 x 10 + 2 x 60 x 10 + 10 x 40 + 10 x 80 = 3,600 USD (derivation there)."""
    import pandas as pd
    from test_storage_link import _seasons_case

    case = load_case(_seasons_case(tmp_path / "c"))
    case.tables["calendar"] = pd.DataFrame({"day": range(4), "block": [0, 0, 1, 1]})
    d = prepare(case, link_storage=True)
    m = build_model(d)
    sol = solve_decomposed(m, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9})
    assert sol.notes["decomposition"]["subproblems"] == 2
    assert sol.objective == approx(3600, rel=1e-6)
    assert v(m.ecap["A", "store", 2030]) == approx(80, rel=1e-6)
    assert [v(m.soc_inter["A", "store", 2030, day]) for day in range(4)] == approx([0, 40, 80, 40], abs=1e-4)


@pytest.mark.parametrize("relax_hours, said", [(0, "master columns from the start point"),
                                               (6, "the start plan gives the elastic penalties only")])
def test_full_resolution_with_a_start_point_equals_the_monolithic_optimum(tmp_path, relax_hours, said):
    """A synthetic hourly case (2 zones, 6 days of weight-1 hours, 1 period) at full resolution, two days a
    subproblem, a 2-representative-day plan as the start: the monolithic optimum to 1e-6, the gap closed. Without
    relaxations the start plan's capacities are the first point; with each block relaxed in steps of 6 hours the
    master's own point is, and the start plan gives the elastic penalties; the log says which."""
    import dataclasses

    from planner.decompose import start_point
    from planner.pipeline import build, solver_options
    from planner.spec import RunSpec, validate_spec
    from planner.synthetic import write_synthetic_case

    folder = write_synthetic_case(tmp_path / "syn", zones=2, hours=6 * 24, periods=1, seed=3, weight=1.0)
    spec = validate_spec(RunSpec(name="syn", inputs=folder, solver={"method": "simplex"}))
    mono = solve(build(spec).model, solver_options(spec))
    b = build(spec)
    dec = {"block_days": 2, "gap": 1e-7, "start_days": 2, "relax_hours": relax_hours}
    start = start_point(dataclasses.replace(spec, decomposition=dec), solver_options(spec))
    assert any(name.startswith("new_cap[") for name in start)
    sol = solve_decomposed(b.model, b.data, solver_options(spec), dec, start=start)
    assert sol.notes["decomposition"]["subproblems"] == 3
    assert said in sol.log
    assert abs(sol.objective / mono.objective - 1) < 1e-6


def test_a_year_long_block_is_cut_into_days():
    """The hourly year is one block of 8,760 steps: grouped by block alone it was one subproblem. Seven-day groups
    of its 365 days of 24 steps: 52 weeks and one day, 53 groups, hour 167 in week 0 and hour 168 in week 1.
    Representative days (blocks of 24 steps) keep one group per block_days blocks."""
    from types import SimpleNamespace

    from planner.decompose import day_groups

    year = SimpleNamespace(TIMESTEPS=list(range(8760)), block=dict.fromkeys(range(8760), 0))
    g = day_groups(year, 7)
    assert len(set(g.values())) == 53
    assert (g[0], g[167], g[168], g[8759]) == (0, 0, 1, 52)
    days = SimpleNamespace(TIMESTEPS=list(range(72)), block={t: t // 24 for t in range(72)})
    assert sorted(set(day_groups(days, 2).values())) == [0, 1]
    assert day_groups(days, 1)[30] == 1


def must_run_case(tmp_path: Path) -> Path:
    return write_case(
        tmp_path / "m",
        settings=settings(rate=0),
        periods=[{"period": 2030, "years": 1}],
        fuels=FUELS,
        technologies=[tech("chp", fuel="coal", heat_rate_mwh_th_per_mwh=2, lifetime_yr=20, capex_usd_per_kw=200,
                           min_output_pu=0.5),
                      tech("gas", fuel="gas", heat_rate_mwh_th_per_mwh=2, lifetime_yr=20, capex_usd_per_kw=1000)],
        build_options=[{"zone": "A", "technology": "chp"}, {"zone": "A", "technology": "gas"}],
        timesteps=[{"timestep": 0, "weight": 4380, "block": 0}, {"timestep": 1, "weight": 4380, "block": 1}],
        demand=demand({"A": [100, 20]}),
    )


def test_a_capacity_a_block_cannot_absorb_is_cut_off_by_a_feasibility_cut(tmp_path):
    """A must-run plant: the master may build more than block 1 can take; that block is then infeasible (no
    elastic column), and its phase 1 gives the feasibility cut cap_chp <= 40.

    chp: new, 200 USD/kW over 20 years -> 10,000 USD/MW-yr, 2 x 5 = 10 USD/MWh, output >= 0.5 x its capacity.
    gas: new, 50,000 USD/MW-yr, 30 USD/MWh. Demand 100 MW then 20 MW, 4,380 h each; nowhere to send a surplus.
        block 1: 0.5 C <= 20  ->  C <= 40 (a larger C makes the block infeasible whatever it dispatches)
        C chp and 100 - C gas: d cost / d C = 10,000 - 50,000 + 4,380 x (10 - 30) < 0, so C = 40, G = 60
        cost = 10,000 x 40 + 50,000 x 60 + 4,380 x (10 x 40 + 30 x 60) + 4,380 x 10 x 20
             = 400,000 + 3,000,000 + 9,636,000 + 876,000 = 13,912,000 USD
    The master's first steps (a cheap plant, dear lost load) go past 40 MW, so the cut must be made on the way:
    without the blocks' relaxations, since a one-timestep block's relaxation is the block itself and holds the
    master within C <= 40 from the start."""
    d = prepare(load_case(must_run_case(tmp_path)))
    mono = solve(build_model(d), {"method": "simplex"})
    assert mono.objective == approx(13_912_000, rel=1e-9)
    m = build_model(d)
    sol = solve_decomposed(m, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9, "relax_hours": 0})
    dec = sol.notes["decomposition"]
    assert dec["stopped"] == "gap"
    assert dec["feasibility_cuts"] >= 1 and dec["infeasible_points"] >= 1
    assert sol.objective == approx(13_912_000, rel=1e-6)
    assert v(m.new_cap["A", "chp", "", 2030]) == approx(40, rel=1e-6)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(60, rel=1e-6)
    assert v(m.gen["A", "chp", 2030, 1]) == approx(20, rel=1e-6)


def test_implied_budget_bounds_keep_a_budget_within_what_a_block_can_use(tmp_path):
    """The two-block CO2 case: each block's emissions are >= 0 (every column >= 0, every coefficient >= 0), and at
    most 1 t/MWh x 100 MW x 4,380 h + 0.5 x its gas; the cap row is <=, so only the lower bound is implied: 0."""
    from planner.decompose import Subproblem, _csr, partition
    from planner.solve import compile_lp

    d = prepare(load_case(two_blocks(tmp_path)))
    comp = compile_lp(build_model(d))
    A = _csr(comp)
    part = partition(comp, d, 1)
    for k in range(2):
        lo, hi = Subproblem(k, comp, A, part).budget_bounds()
        assert list(lo) == [0.0] and list(hi) == [float("inf")]


def test_on_one_dask_worker_the_answer_is_the_in_process_one(tmp_path):
    """The subproblems on a local Dask cluster of one worker (a Blocks actor holding their HiGHS instances, the
    client only the master): the same iterations and the same optimum as in this process, since the same solves
    are made in the same order. The two-block CO2 case (16,016,000 USD by hand, above)."""
    d = prepare(load_case(two_blocks(tmp_path)))
    m0 = build_model(d)
    here = solve_decomposed(m0, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9})
    m = build_model(d)
    there = solve_decomposed(m, d, {"method": "simplex"},
                             {"block_days": 1, "gap": 1e-9, "scheduler": "local", "workers": 1})
    assert there.notes["decomposition"]["dask_workers"] == 1
    assert here.notes["decomposition"]["dask_workers"] == 0
    assert there.iterations["benders"] == here.iterations["benders"]
    assert there.objective == here.objective == approx(16_016_000, rel=1e-6)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(40, rel=1e-6)
    assert there.duals[m.co2_cap[2030]] == approx(here.duals[m0.co2_cap[2030]], rel=1e-9)


def test_elastic_budget_penalties_are_ten_times_the_start_plans_dual(tmp_path):
    """The two-block CO2 case: the cap's dual is -51.415525 USD/t (derived above). Given as the start plan's dual,
    each block's CO2 budget row gets 10 x 51.415525 USD/t in the LP's units (the row is scaled by 1 / hours, so
    a unit of the LP's row is ``1 / scale`` t); a row without a dual keeps the structural penalty."""
    from planner.decompose import Subproblem, _csr, dual_penalties, partition
    from planner.solve import compile_lp

    d = prepare(load_case(two_blocks(tmp_path)))
    m = build_model(d)
    comp = compile_lp(m)
    A = _csr(comp)
    part = partition(comp, d, 1)
    subs = [Subproblem(k, comp, A, part) for k in range(2)]
    structural = [s.penalty.copy() for s in subs]
    assert dual_penalties(subs, comp, m, {"dual:other_row[2030]": 5.0}) == 0
    assert [list(s.penalty) for s in subs] == [list(p) for p in structural]
    assert dual_penalties(subs, comp, m, {"dual:co2_cap[2030]": -51.415525}) == 2
    scale = m._row_scale["co2_cap"]
    for s in subs:
        assert s.penalty == approx([10 * 51.415525 / scale], rel=1e-12)
        assert s.cost[s.slack_cols] == approx([10 * 51.415525 / scale] * 2, rel=1e-12)


def test_a_block_of_one_timestep_is_its_own_relaxation(tmp_path):
    """The two-block CO2 case (16,016,000 USD by hand, above), each block relaxed in the master: a block of one
    timestep has one step, so its relaxation is the block itself and the master's LP is the monolithic LP. Its
    lower bound before any cut is the optimum, its point is optimal, and the first iteration closes the gap."""
    d = prepare(load_case(two_blocks(tmp_path)))
    m = build_model(d)
    sol = solve_decomposed(m, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9, "relax_hours": 6})
    first = [ln for ln in sol.log.splitlines() if ln.startswith("first point: the master's own")]
    assert float(first[0].split("lower bound ")[1].split()[0]) == approx(16_016_000, rel=1e-9)
    assert sol.iterations["benders"] == 1
    assert sol.objective == approx(16_016_000, rel=1e-6)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(40, rel=1e-6)


def three_hours(tmp_path: Path) -> Path:
    return write_case(
        tmp_path / "avg",
        settings=settings(rate=0),
        periods=[{"period": 2030, "years": 1}],
        fuels=FUELS,
        technologies=[tech("gas", fuel="gas", heat_rate_mwh_th_per_mwh=2, lifetime_yr=20, capex_usd_per_kw=1000)],
        build_options=[{"zone": "A", "technology": "gas"}],
        timesteps=[{"timestep": t, "weight": 2920, "block": 0} for t in range(3)],
        demand=demand({"A": [20, 100, 60]}),
    )


def test_hours_averaged_into_a_step_give_a_lower_bound(tmp_path):
    """One block of three timesteps of 2,920 h, demand 20, 100, 60 MW; gas only: new, 50,000 USD/MW-yr, 30 USD/MWh
    (1,000 USD/kW over 20 years at a 0 discount rate; 2 x 15 USD/MWh_th); lost load 1,000 USD/MWh.
    Steps of 2 timesteps: {0} (the block's first alone), {1, 2} at their mean demand, 80 MW.
        energy: 2,920 x (20 + 100 + 60) = 525,600 MWh at 30 USD/MWh = 15,768,000 USD either way
        relaxation: capacity 80 MW (the step's mean) -> 4,000,000 + 15,768,000 = 19,768,000 USD
        true: capacity 100 MW (an MW short costs 2,920 h x (1,000 - 30) USD of lost load, above 50,000)
              -> 5,000,000 + 15,768,000 = 20,768,000 USD
    The master's bound before any cut is the relaxation's; the decomposition still reaches the true optimum."""
    d = prepare(load_case(three_hours(tmp_path)))
    mono = solve(build_model(d), {"method": "simplex"})
    assert mono.objective == approx(20_768_000, rel=1e-9)
    m = build_model(d)
    sol = solve_decomposed(m, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9, "relax_hours": 2,
                                                         "relax_peaks": False})
    first = [ln for ln in sol.log.splitlines() if ln.startswith("first point: the master's own")]
    assert float(first[0].split("lower bound ")[1].split()[0]) == approx(19_768_000, rel=1e-9)
    assert sol.notes["decomposition"]["stopped"] == "gap"
    assert sol.objective == approx(20_768_000, rel=1e-6)
    assert v(m.new_cap["A", "gas", "", 2030]) == approx(100, rel=1e-6)


def test_a_level_step_stopped_at_its_cap_still_reaches_the_optimum(tmp_path, monkeypatch):
    """The three timesteps above, averaged ({0} {1 2}: bound 19,768,000 USD before any cut), with every level step
    capped at 0 s: each step stops at HiGHS's time limit, the log says so, and the master's own point is taken
    instead (Kelley's cutting planes, which need no step to converge). The loop still closes the gap at the true
    optimum, 5,000,000 + 15,768,000 = 20,768,000 USD."""
    monkeypatch.setattr(Master, "step_cap", lambda self: 0.0)
    d = prepare(load_case(three_hours(tmp_path)))
    m = build_model(d)
    sol = solve_decomposed(m, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9, "relax_hours": 2,
                                                         "relax_peaks": False})
    assert sol.iterations["capped_steps"] >= 1
    assert any("stopped at its cap of 0 s" in ln for ln in sol.log.splitlines())
    assert sol.notes["decomposition"]["stopped"] == "gap"
    assert sol.objective == approx(20_768_000, rel=1e-6)


@pytest.mark.parametrize("peaks", [True, 1])
def test_the_peak_hour_alone_makes_the_relaxation_exact(tmp_path, peaks):
    """The three timesteps above (20, 100, 60 MW; 2,920 h each) with ``relax_peaks``: the peak, timestep 1, is a
    step of its own, so the steps are {0} {1} {2} and the relaxation is the block itself. Its bound before any cut
    is the true optimum, 5,000,000 + 15,768,000 = 20,768,000 USD (against 19,768,000 with 1 and 2 averaged), and
    the first iteration closes the gap. With ``relax_peaks = 1`` the same: the one block holds the highest peak."""
    d = prepare(load_case(three_hours(tmp_path)))
    m = build_model(d)
    sol = solve_decomposed(m, d, {"method": "simplex"}, {"block_days": 1, "gap": 1e-9, "relax_hours": 2,
                                                         "relax_peaks": peaks})
    first = [ln for ln in sol.log.splitlines() if ln.startswith("first point: the master's own")]
    assert float(first[0].split("lower bound ")[1].split()[0]) == approx(20_768_000, rel=1e-9)
    assert sol.iterations["benders"] == 1
    assert sol.objective == approx(20_768_000, rel=1e-6)
    said = ("peak-demand timesteps alone in each series' 1 blocks of highest peak" if peaks is not True
            else "each block's peak-demand timesteps alone")
    assert said in sol.log.splitlines()[0]


def test_peaks_alone_only_in_the_blocks_of_the_highest_peaks():
    """Three blocks of two timesteps, zones A and B (MW):
        block 0: t0 A 10 B 30 (total 40), t1 A 50 B 5 (55)
        block 1: t2 A 70 B 10 (80),       t3 A 20 B 40 (60)
        block 2: t4 A 60 B 35 (95),       t5 A 65 B 30 (95)
    Each block's peaks: A t1 50 | t2 70 | t5 65; B t0 30 | t3 40 | t4 35; total t1 55 | t2 80 | t4 95 (the tie
    in block 2 goes to its first timestep). Every block: {0 1} {2 3} {4 5}. Only in the highest block of each series
    (top 1): A's in block 1 (t2), B's in block 1 (t3), the total's in block 2 (t4): {} {2 3} {4}. Top 2: A adds t5
    (block 2), B t4, the total t2: {} {2 3} {4 5}."""
    mw = {"A": [10, 50, 70, 20, 60, 65], "B": [30, 5, 10, 40, 35, 30]}
    d = SimpleNamespace(ZONES=["A", "B"], demand_mw={(z, 2030, t): v for z, vs in mw.items() for t, v in enumerate(vs)})
    blocks = [(2030, [0, 1]), (2030, [2, 3]), (2030, [4, 5])]
    assert peak_hours(d, blocks) == [{0, 1}, {2, 3}, {4, 5}]
    assert peak_hours(d, blocks, 1) == [set(), {2, 3}, {4}]
    assert peak_hours(d, blocks, 2) == [set(), {2, 3}, {4, 5}]


def test_steps_put_the_timesteps_given_alone():
    """Steps of 3 over one cycle of 10 timesteps with 4 kept alone: {0} (the cycle's first), {1 2 3}, {4}, then the
    run starts again after it: {5 6 7} {8 9}."""
    from planner.relaxation import steps

    got = steps(list(range(10)), {t: 0 for t in range(10)}, 3, frozenset({4}))
    assert [got[t] for t in range(10)] == [0, 1, 1, 1, 2, 3, 3, 3, 4, 4]


def test_steps_start_each_storage_cycle_alone():
    """Steps of 3 over two cycles of 5 timesteps (0-4 in cycle 0, 5-9 in cycle 1): each cycle's first alone, then
    runs of 3 within the cycle: {0} {1 2 3} {4} | {5} {6 7 8} {9}."""
    from planner.relaxation import steps

    cycle = {t: t // 5 for t in range(10)}
    got = steps(list(range(10)), cycle, 3)
    assert [got[t] for t in range(10)] == [0, 1, 1, 1, 2, 3, 4, 4, 4, 5]


def test_a_raise_of_the_penalties_reaches_the_relaxations_in_the_master(tmp_path):
    """The two-block CO2 case, each block relaxed in the master: a tenfold raise of the elastic penalties
    (what the loop does when the best point leans on them) multiplies each relaxation's penalty in its cost row
    by 10 as well, in both the master and the level step's instance, so that a relaxation stays below its block
    at the raised penalties and prices a budget short of what the block uses as the block now does."""
    import numpy as np

    from planner.decompose import Subproblem, _csr, partition, relaxations
    from planner.solve import compile_lp

    d = prepare(load_case(two_blocks(tmp_path)))
    comp = compile_lp(build_model(d))
    A = _csr(comp)
    part = partition(comp, d, 1)
    subs = [Subproblem(k, comp, A, part) for k in range(len(part.blocks))]
    master = Master(comp, A, part, subs, {"method": "simplex"})
    master.add_relaxations(relaxations(comp, d, subs, part, 6))
    assert len(master.elastic) == 2 and len(master.instances) == 2

    def coefficients(h, row, cols):
        _, _, index, value = h.getRowsEntries(1, np.array([row], dtype=np.int32))
        at = dict(zip(index.tolist(), value.tolist()))
        return [at[int(j)] for j in cols]

    row, cols, pen = master.elastic[0]
    before = [-p for p in pen]
    assert coefficients(master.h, row, cols) == approx(before, rel=1e-12)
    master.raise_penalty(10.0)
    for h in master.instances:
        assert coefficients(h, row, cols) == approx([10 * b for b in before], rel=1e-12)
