"""Storage linked across representative days (planner/model/storage.py, Kotzur et al. 2018), optima by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from casekit import BUILT, demand, existing, tech, v, write_case

from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.results import extract
from planner.solve import solve
from planner.timeagg import cluster_days

REL = 1e-6


def _seasons_case(folder):
    """Two representative days of one hour each: block 0 (t0) a cheap-surplus day standing for 2 calendar days,
    block 1 (t1) an expensive-deficit day standing for 2 (weights 2 and 2: a "year" of 4 one-hour days)."""
    return write_case(
        folder,
        technologies=[tech("base", vom_usd_per_mwh=10), tech("peak", vom_usd_per_mwh=100),
                      tech("store", "storage", lifetime_yr=1, capex_usd_per_kw=0.01, capex_usd_per_kwh=0.01,
                           efficiency_charge=1, efficiency_discharge=1)],
        existing_capacity=[existing("A", "base", 60), existing("A", "peak", 100)],
        build_options=[{"zone": "A", "technology": "store"}],
        timesteps=[{"timestep": 0, "weight": 2, "block": 0}, {"timestep": 1, "weight": 2, "block": 1}],
        demand=demand({"A": [20, 100]}),
    )


def _solve(folder, order: list[int] | None):
    case = load_case(folder)
    if order is not None:
        case.tables["calendar"] = pd.DataFrame({"day": range(len(order)), "block": order})
    d = prepare(case, link_storage=order is not None)
    m = build_model(d)
    BUILT.append(m)
    return m, d, solve(m, {"method": "simplex"})


@pytest.mark.family("storage")
def test_linked_storage_moves_energy_between_seasons(tmp_path):
    """Energy charged on cheap days is spent on dear days; per-day cyclic storage cannot do it.

    base 60 MW at 10 USD/MWh, peak 100 MW at 100; demand 20 MW on the cheap day (block 0, w1 = 2 days) and 100
    on the dear day (block 1, w2 = 2 days); one hour a day. The store is new: 0.01 USD/kW and 0.01 USD/kWh,
    lifetime 1, r = 0: 10 USD/MW-yr and 10 USD/MWh-yr; efficiencies 1.
    - cyclic per day (the default): a one-hour block must end where it began, so the store can do nothing:
          objective = 2 x 20 x 10 + 2 x (60 x 10 + 40 x 100) = 400 + 9200 = 9600
    - linked, calendar [0, 0, 1, 1] (two cheap days, then two dear ones): charge x on each cheap day, spend it on
      the dear days. Each MWh moved saves 100 - 10 = 90 and needs a MW (10) for one day and, held over the two
      cheap days, up to 2 MWh of energy capacity: moving x = 40 a day (the dear day's peak; base has 40 spare)
      costs 10 x 40 + 10 x 80 and saves 2 x 90 x 40, so the store takes all of it:
          state at the start of days 0..3: 0, 40, 80, 40 -> energy capacity 80 MWh (day 1 starts at 40, +40)
          objective = 2 x 60 x 10 + 2 x 60 x 10 + 10 x 40 + 10 x 80 = 1200 + 1200 + 400 + 800 = 3600
    - linked, calendar [0, 1, 0, 1] (alternating): the same energy, held one day at a time: 40 MWh
          objective = 2400 + 400 + 400 = 3200
    """
    f = _seasons_case(tmp_path / "c")
    m, d, sol = _solve(f, None)
    assert sol.objective == pytest.approx(9600, rel=REL)
    assert v(m.ecap["A", "store", 2030]) == pytest.approx(0, abs=1e-6)

    m, d, sol = _solve(f, [0, 0, 1, 1])
    assert sol.objective == pytest.approx(3600, rel=REL)
    assert v(m.new_cap["A", "store", "", 2030]) == pytest.approx(40, rel=REL)
    assert v(m.ecap["A", "store", 2030]) == pytest.approx(80, rel=REL)
    assert [v(m.soc_inter["A", "store", 2030, day]) for day in range(4)] == pytest.approx([0, 40, 80, 40], abs=1e-6)
    assert v(m.charge["A", "store", 2030, 0]) == pytest.approx(40, rel=REL)
    assert v(m.gen["A", "store", 2030, 1]) == pytest.approx(40, rel=REL)
    assert v(m.gen["A", "peak", 2030, 1]) == pytest.approx(0, abs=1e-6)
    # reported state: the change since the day began plus the state at the start of the block's first day
    # (block 0: day 0, 0 + 40; block 1: day 2, 80 - 40)
    assert extract(m, d, sol)["storage"]["soc_mwh"].tolist() == pytest.approx([40, 40], rel=REL)

    m, d, sol = _solve(f, [0, 1, 0, 1])
    assert sol.objective == pytest.approx(3200, rel=REL)
    assert v(m.ecap["A", "store", 2030]) == pytest.approx(40, rel=REL)


@pytest.mark.family("storage")
def test_linked_storage_keeps_every_day_within_capacity(tmp_path):
    """The bounds hold on every calendar day, not only at the start of each day.

    One block of two hours standing for 2 days (weights 2): demand [20, 100], base 60 MW (10 USD/MWh), peak 100
    MW (100), an existing 40 MW store of 20 MWh (efficiencies 1), calendar [0, 0].
    The day's intra-day deviation: +x after hour 0, 0 after hour 1 (both days alike, so it must close: the
    chain gives soc_inter[1] = soc_inter[0] + 0). With the state s at the start of a day, s + x <= 20 and
    s >= 0, so x <= 20: 20 MWh moved per day, saving 90 each:
        objective = 2 x (40 x 10 + 60 x 10 + 20 x 100) = 2 x 3000 = 6000      (cyclic per block: the same)
    Without storage_energy_days the store would move 40 (its power):
        objective = 2 x (60 x 10 + 60 x 10) = 2400
    """
    f = write_case(
        tmp_path / "c",
        technologies=[tech("base", vom_usd_per_mwh=10), tech("peak", vom_usd_per_mwh=100),
                      tech("store", "storage", efficiency_charge=1, efficiency_discharge=1)],
        existing_capacity=[existing("A", "base", 60), existing("A", "peak", 100),
                           existing("A", "store", 40, energy_mwh=20)],
        timesteps=[{"timestep": 0, "weight": 2, "block": 0}, {"timestep": 1, "weight": 2, "block": 0}],
        demand=demand({"A": [20, 100]}),
    )
    m, d, sol = _solve(f, [0, 0])
    assert sol.objective == pytest.approx(6000, rel=REL)
    assert v(m.gen["A", "store", 2030, 1]) == pytest.approx(20, rel=REL)
    assert _solve(f, None)[2].objective == pytest.approx(6000, rel=REL)
    m.storage_energy_days.deactivate()
    assert solve(m, {"method": "simplex"}).objective == pytest.approx(2400, rel=REL)


def _year_case(folder, days: int):
    """An hourly "year" of ``days`` days whose demand swings with the season (solar too), with a store whose
    energy capacity is cheap enough to carry energy between seasons, all in one block (cyclic over the year)."""
    ts, dem, av = [], [], []
    for t in range(24 * days):
        day, h = divmod(t, 24)
        ts.append({"timestep": t, "weight": 1, "block": 0})
        season = math.sin(2 * math.pi * day / days)
        dem.append({"zone": "A", "timestep": t, "demand_mw": round(100 + 30 * season + 20 * math.sin(
            2 * math.pi * h / 24), 3)})
        sun = max(0.0, math.sin(math.pi * (h - 6) / 12)) if 6 <= h <= 18 else 0.0
        av.append({"zone": "A", "technology": "solar", "timestep": t,
                   "availability_pu": round(sun * (0.7 - 0.3 * season), 4)})
    techs = [tech("gas", capex_usd_per_kw=1, vom_usd_per_mwh=40, lifetime_yr=1),
             tech("solar", "variable", capex_usd_per_kw=1, lifetime_yr=1),
             tech("store", "storage", capex_usd_per_kw=0.1, capex_usd_per_kwh=0.01, lifetime_yr=1,
                  efficiency_charge=0.95, efficiency_discharge=0.95)]
    return write_case(folder, technologies=techs, timesteps=ts, demand=dem, availability=av,
                      build_options=[{"zone": "A", "technology": g} for g in ("gas", "solar", "store")])


@pytest.mark.family("storage")
def test_every_day_its_own_representative_equals_the_full_year(tmp_path):
    """tsam with as many clusters as days: linked storage reproduces the full hourly year exactly.

    Each of the 12 days is its own block of weight 1 (tsam's cluster order is not the calendar's: the calendar
    table maps them back). The chain soc_inter[d+1] = soc_inter[d] + (net change of day d) and the bounds
    soc_inter[d] + deviation in [0, ecap] are then the hourly state of charge of the full year, cyclic over the
    year, row for row, so both LPs have the same optimum (to solver tolerance). A per-day cyclic store cannot
    carry the summer's solar into winter, so the unlinked aggregation costs more.
    """
    case = load_case(_year_case(tmp_path / "c", 12))
    full = solve(build_model(prepare(case)), {"method": "simplex"}).objective
    agg, info = cluster_days(case, 12)
    assert sorted(info["day_order"]) == list(range(12))   # each day its own block
    assert agg["timesteps"]["weight"].tolist() == [1.0] * 288
    d = prepare(agg, link_storage=True)
    m = build_model(d)
    BUILT.append(m)
    linked = solve(m, {"method": "simplex"})
    assert linked.objective == pytest.approx(full, rel=1e-7)
    assert v(m.ecap["A", "store", 2030]) > 100  # the store carries energy across days
    unlinked = solve(build_model(prepare(agg)), {"method": "simplex"}).objective
    assert unlinked > full * (1 + 1e-3)


def test_link_storage_needs_the_calendar(tmp_path):
    """A case without representative days has no calendar to chain."""
    case = load_case(_seasons_case(tmp_path / "c"))
    with pytest.raises(ValueError, match="needs the calendar"):
        prepare(case, link_storage=True)
    case.tables["calendar"] = pd.DataFrame({"day": [0, 1, 2], "block": [0, 0, 1]})
    with pytest.raises(ValueError, match=r"blocks \[1\]"):
        prepare(case, link_storage=True)


def test_calendar_maps_the_peak_day_to_its_own_block(tmp_path):
    """14 varied days -> 3 representative days plus the peak day: the calendar gives every day a block, each
    block as many days as its weight, and the peak demand's day the peak block (weight 1) whose hours are that
    day's own (tsam's extreme period is the day itself, not a mean)."""
    from test_timeagg import hourly_case

    case = load_case(hourly_case(tmp_path / "c", 14, same_days=False))
    agg, info = cluster_days(case, 3)
    order = info["day_order"]
    assert agg["calendar"]["block"].tolist() == order and len(order) == 14
    ts = agg["timesteps"]
    weight = ts.groupby("block")["weight"].first()
    assert pd.Series(order).value_counts().sort_index().tolist() == weight.tolist()
    dem = case["demand"]["demand_mw"].to_numpy()
    peak_day = int(dem.argmax()) // 24
    peak_block = order[peak_day]
    assert weight[peak_block] == 1 and order.count(peak_block) == 1
    steps = ts.loc[ts["block"] == peak_block, "timestep"]
    kept = agg["demand"].set_index("timestep").loc[steps, "demand_mw"].to_numpy()
    assert kept == pytest.approx(dem[peak_day * 24:(peak_day + 1) * 24], rel=1e-9)


def test_unlinked_default_builds_the_same_lp_as_before(tmp_path):
    """Without time.link_storage the calendar changes nothing: the LP of an aggregated case, with or without its
    calendar table, is the same matrix, costs and bounds, and the linked rows are empty. Every pinned objective
    (tests/test_reference_cases.py, unlinked) therefore stays as it was."""
    from planner.load import Case
    from planner.solve import compile_lp

    agg, _ = cluster_days(load_case(_year_case(tmp_path / "c", 12)), 3)
    bare = Case(agg.path, {k: t for k, t in agg.tables.items() if k != "calendar"}, agg.settings)
    a, b = (compile_lp(build_model(prepare(c))) for c in (agg, bare))
    for x, y in ((a.lp.col_cost_, b.lp.col_cost_), (a.lp.a_matrix_.value_, b.lp.a_matrix_.value_),
                 (a.lp.a_matrix_.index_, b.lp.a_matrix_.index_), (a.lp.row_lower_, b.lp.row_lower_),
                 (a.lp.row_upper_, b.lp.row_upper_), (a.lp.col_lower_, b.lp.col_lower_)):
        assert list(x) == list(y)
    m = build_model(prepare(agg))
    assert all(len(getattr(m, n)) == 0 for n in ("storage_soc_inter", "storage_intra_max", "storage_intra_min",
                                                   "storage_energy_days", "storage_floor_days"))
    assert len(m.storage_energy) == len(m.soc) > 0


@pytest.mark.parametrize("time, message", [
    ('link_storage = "yes"\nrepresentative_days = 3', "time.link_storage must be true or false"),
    ("link_storage = true", "time.link_storage = true chains storage across representative days: it needs "
                            "time.representative_days"),
])
def test_bad_link_storage_is_an_input_error(tmp_path, capsys, time, message):
    """The run specification's option is checked before anything is loaded: exit 2, the file named."""
    from planner.cli import main

    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "s"\ninputs = "{_seasons_case(tmp_path / "c")}"\n[time]\n{time}\n')
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert message in err and "m.toml" in err and "Traceback" not in err


def test_a_linked_run_writes_its_calendar_and_a_state_within_capacity(tmp_path, monkeypatch):
    """``planner run`` with link_storage: the same optimum as the model built by hand from the same aggregation,
    run.json keeps the calendar (day_order), and the reported state of charge stays within [0, energy capacity]."""
    from planner.runner import run_spec
    from planner.spec import load_spec

    monkeypatch.setenv("PLANNER_CACHE", "off")
    folder = _year_case(tmp_path / "c", 12)
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "s"\ninputs = "{folder}"\n[time]\nrepresentative_days = 3\nlink_storage = true\n'
                    '[solver]\nmethod = "simplex"\n')
    out = run_spec(load_spec(spec), tmp_path / "r")
    agg, info = cluster_days(load_case(folder), 3)
    assert out.meta["objective_usd"] == pytest.approx(solve(build_model(prepare(agg, link_storage=True)),
                                                            {"method": "simplex"}).objective, rel=1e-7)
    assert out.meta["time_aggregation"]["day_order"] == info["day_order"]
    assert out.meta["time_aggregation"]["storage_linked_across_days"] is True
    st = out.tables["storage"]
    assert (st["soc_mwh"] >= -1e-6).all() and (st["soc_mwh"] <= st["energy_capacity_mwh"] + 1e-6).all()
    assert (tmp_path / "r" / "s" / "inputs" / "calendar.csv").is_file()
