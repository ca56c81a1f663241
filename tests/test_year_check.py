"""planner year-check: a plan dispatched over every hour of its year, checked by hand on small cases."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from casekit import settings, tech, write_case

from planner.cli import main
from planner.studies import year_check as yc

ROOT = Path(__file__).resolve().parents[1]


def _peak_case(tmp_path: Path) -> Path:
    """Three hourly days, one zone; demand 100 MW in every hour but day 3's hour 18 (timestep 66), 172 MW."""
    dem = [{"zone": "A", "timestep": t, "demand_mw": 172 if t == 66 else 100} for t in range(72)]
    case = write_case(tmp_path / "case", settings=settings(voll=1000),
                      timesteps=[{"timestep": t, "weight": 1, "block": 0} for t in range(72)],
                      technologies=[tech("gas", lifetime_yr=1, capex_usd_per_kw=10, vom_usd_per_mwh=20)],
                      demand=dem, build_options=[{"zone": "A", "technology": "gas"}])
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "hand"\ninputs = "{case}"\n[time]\nrepresentative_days = 1\nkeep_peak_day = false\n'
                    '[solver]\nmethod = "simplex"\n')
    return spec


@pytest.mark.parametrize("method", ["year", "rolling"])
def test_the_year_shows_the_peak_hour_the_representative_day_missed(tmp_path, method, capsys):
    """One representative day of three, without the peak day, misses the 172 MW hour.

    tsam's single cluster is the medoid day, a flat 100 MW day (two of the three days are that day), rescaled so the
    mean is kept: (71 x 100 + 172) / 72 = 101 MW in every hour. The plan builds 101 MW of gas (annuity 10 USD/kW =
    10,000 USD/MW-yr with lifetime 1 and rate 0, against 72 h x 1,000 USD/MWh of unserved energy per MW).
    Dispatched over the 72 hours, the year is short in one hour: 172 - 101 = 71 MW, 71 MWh, day 3, hour 18, where
    the price is the value of lost load, 1,000 USD/MWh. Variable O&M: the plan 101 MW x 72 h x 20 = 145,440 USD;
    the year (7,272 - 71 MWh) x 20 = 144,020 USD; unserved 71 x 1,000 = 71,000 USD. The rolling horizon (windows of
    a day, 6 h look-ahead; no storage, no annual row) gives the same.
    """
    assert main(["run", str(_peak_case(tmp_path)), "--results", str(tmp_path / "r"), "--no-report", "--quiet"]) == 0
    cap = pd.read_csv(tmp_path / "r" / "hand" / "capacity.csv")
    assert cap["total_mw"].sum() == pytest.approx(101.0, rel=1e-6)
    args = ["year-check", str(tmp_path / "r" / "hand"), "--method", method]
    args += ["--window-h", "24", "--overlap-h", "6"] if method == "rolling" else []
    assert main(args) == 0
    assert "zones short in some hour" in capsys.readouterr().out
    out = tmp_path / "r" / "hand-year-check"
    u = pd.read_csv(out / "year_unserved.csv").iloc[0]
    assert (u["unserved_mwh"], u["unserved_hours"], u["worst_hour_mw"]) == pytest.approx((71.0, 1.0, 71.0), rel=1e-6)
    assert (u["worst_timestep"], u["worst_day_of_year"], u["worst_hour_of_day"]) == (66, 3, 18)
    hours = pd.read_csv(out / "year_deficit_hours.csv")
    assert hours[["timestep", "unserved_mw", "price_usd_per_mwh"]].to_numpy().ravel() == pytest.approx([66, 71, 1000])
    costs = pd.read_csv(out / "year_costs.csv").set_index("category")
    assert costs.at["variable_om", "plan_usd_per_yr"] == pytest.approx(145_440)
    assert costs.at["variable_om", "year_usd_per_yr"] == pytest.approx(144_020)
    assert costs.at["unserved", "year_usd_per_yr"] == pytest.approx(71_000)
    summary = pd.read_csv(out / "year_check.csv").iloc[0]
    assert summary["method"] == method and summary["windows"] == (3 if method == "rolling" else 1)
    assert json.loads((out / "run.json").read_text())["written_by"] == "planner"


def _storage_case(tmp_path: Path) -> tuple:
    """Two hourly days. Gas 110 MW (20 USD/MWh), a battery 50 MW / 50 MWh with no losses (1 USD/MWh discharged, so
    that energy stored and not needed is not cycled for nothing). Demand: day 1 100 MW
    (10 MW spare each hour); day 2 110 MW until hour 17 (no spare), 150 MW at hour 18 (timestep 42), 100 MW after."""
    dem = [100.0] * 24 + [110.0] * 18 + [150.0] + [100.0] * 5
    case = write_case(tmp_path / "case", settings=settings(voll=1000),
                      timesteps=[{"timestep": t, "weight": 1, "block": 0} for t in range(48)],
                      technologies=[tech("gas", vom_usd_per_mwh=20),
                                    tech("battery", "storage", efficiency_charge=1, efficiency_discharge=1,
                                         vom_usd_per_mwh=1)],
                      demand=[{"zone": "A", "timestep": t, "demand_mw": v} for t, v in enumerate(dem)])
    from planner.spec import RunSpec

    spec = RunSpec(name="s", inputs=case, periods=[2030])
    run = {"capacity": pd.DataFrame([("A", "gas", 2030, 110.0, 0.0), ("A", "battery", 2030, 50.0, 50.0)],
                                    columns=["zone", "technology", "period", "total_mw", "energy_mwh"]),
           "corridors": pd.DataFrame(columns=["corridor", "period", "capacity_mw"])}
    return spec, run


@pytest.mark.parametrize("method, overlap_h, short_mwh", [("year", 0, 0.0), ("rolling", 24, 0.0),
                                                          ("rolling", 0, 40.0)])
def test_storage_state_is_carried_from_window_to_window(tmp_path, method, overlap_h, short_mwh):
    """The 150 MW hour needs 40 MWh from the battery, which only day 1's spare 10 MW can put there.

    - one LP (cyclic over the two days): charged on day 1, discharged at hour 18 of day 2: nothing short;
    - windows of one day with one day of look-ahead: the year starts half full (25 MWh); day 1's window sees the
      peak, charges 15 MWh to 40, and carries 40 MWh into day 2's window, which discharges them at hour 18 and
      refills to 25 MWh in the five 100 MW hours after (the year ends at least as full as it began): nothing short;
    - windows of one day without look-ahead: day 1's window sees no reason to keep energy and discharges its 25 MWh
      to save gas (20 - 1 USD/MWh); day 2 starts empty with no spare before the peak: 40 MW short, 40 MWh.
    """
    spec, run = _storage_case(tmp_path)
    done = yc.check_period(spec, run, 2030, yc.Options(method, window_h=24, overlap_h=overlap_h))
    pr = done["prices"]
    assert float(pr["unserved_mw"].sum()) == pytest.approx(short_mwh, abs=1e-6)
    if short_mwh:
        assert pr.loc[pr["unserved_mw"] > 1e-6, "timestep"].tolist() == [42]
    st = done["storage"].set_index("timestep")["soc_mwh"]
    if method == "rolling":
        assert st[23] == pytest.approx(40.0 if overlap_h else 0.0, abs=1e-6)
        assert st[47] >= 25.0 - 1e-6


@pytest.mark.parametrize("method", ["year", "rolling"])
def test_an_annual_row_the_plan_cannot_meet_is_reported_not_infeasible(tmp_path, method):
    """A CO2 cap of 1,000 t against must-run coal: 100 MW x 48 h x 1 t/MWh = 4,800 t whatever is shed.

    Coal (heat rate 1 MWh_th/MWh, fuel 1 USD/MWh_th at 1 t CO2/MWh_th, no variable O&M) must run at its full 100 MW
    (min_output_pu 1); demand 100 MW, so nothing is short. The cap's slack takes the 3,800 t the plan cannot
    avoid: the row is reported with the year's 4,800 t, missed by 4,800 - 1,000 = 3,800 t. The year's costs: fuel
    4,800 MWh_th x 1 USD = 4,800 USD/yr; the slack (a policy row, 0.1 x VOLL per t) 3,800 x 0.1 x 1,000 =
    380,000 USD/yr, its own category and not part of the year's operating cost (4,800 USD/yr). Rolling (windows of
    a day, no look-ahead, the cap shared by demand): day 1
    gets 1,000 x 1/2 = 500 t, emits 2,400 and leans on 1,900 t of slack, so it took 2,400 - 1,900 = 500 t of the cap;
    day 2 gets the 500 t left and misses it by 1,900 t too: 3,800 t of slack over the year, as one LP."""
    case = write_case(tmp_path / "case", settings=settings(voll=1000),
                      periods=[{"period": 2030, "years": 1, "co2_cap_t": 1000}],
                      timesteps=[{"timestep": t, "weight": 1, "block": 0} for t in range(48)],
                      fuels=[{"fuel": "coal", "price_usd_per_mwh_th": 1, "co2_t_per_mwh_th": 1}],
                      technologies=[tech("coal", fuel="coal", heat_rate_mwh_th_per_mwh=1, min_output_pu=1)],
                      demand=[{"zone": "A", "timestep": t, "demand_mw": 100} for t in range(48)])
    from planner.load import load_case
    from planner.spec import RunSpec

    spec = RunSpec(name="c", inputs=case, periods=[2030])
    run = {"capacity": pd.DataFrame([("A", "coal", 2030, 100.0, 0.0)],
                                    columns=["zone", "technology", "period", "total_mw", "energy_mwh"]),
           "corridors": pd.DataFrame(columns=["corridor", "period", "capacity_mw"]),
           "prices": pd.DataFrame(columns=["zone", "period", "timestep", "weight", "demand_mw", "unserved_mw",
                                           "price_usd_per_mwh"]),
           "generation": pd.DataFrame(columns=["zone", "technology", "period", "generation_mwh", "curtailment_mwh"]),
           "emissions": pd.DataFrame(columns=["period", "emissions_t"]),
           "costs": pd.DataFrame(columns=["period", "category", "annual_usd"])}
    done = yc.check_period(spec, run, 2030, yc.Options(method, window_h=24, overlap_h=0))
    out = yc.make_tables([done], run, load_case(case))
    co2 = out["year_annual_rows"].set_index("row").loc["co2_cap"]
    assert (co2["limit"], co2["year_value"], co2["missed_by"]) == pytest.approx((1000, 4800, 3800))
    assert not co2["holds"] and "slack" in co2["why"]
    costs = out["year_costs"].set_index("category")["year_usd_per_yr"]
    assert costs["fuel"] == pytest.approx(4800) and costs[yc.SLACK] == pytest.approx(380_000)
    assert costs["unserved"] == pytest.approx(0, abs=1e-6)
    assert co2["slack_used"] == pytest.approx(3800)
    summary = out["year_check"].iloc[0]
    assert summary["annual_rows_missed"] == 1 and summary["slack_penalty_usd_per_yr"] == pytest.approx(380_000)
    assert summary["operating_cost_usd_per_yr"] == pytest.approx(4800)  # the penalty is no cost of the system


def test_the_example_end_to_end_reproduces_its_run(tmp_path, capsys):
    """The example case is not aggregated (two weighted days are its own timesteps), so its year check dispatches
    exactly the LP the run solved: every operating cost category and the emissions equal the run's."""
    assert main(["run", str(ROOT / "models/example.toml"), "--results", str(tmp_path), "--no-report",
                 "--quiet"]) == 0
    capsys.readouterr()
    assert main(["year-check", str(tmp_path / "example")]) == 0
    assert "no zone is short in any hour" in capsys.readouterr().out
    out = tmp_path / "example-year-check"
    costs = pd.read_csv(out / "year_costs.csv")
    assert len(costs) and costs["year_usd_per_yr"].to_numpy() == pytest.approx(costs["plan_usd_per_yr"].to_numpy(),
                                                                               rel=1e-7, abs=1e-3)
    em = pd.read_csv(out / "year_emissions.csv")
    assert em["emissions_t"].to_numpy() == pytest.approx(em["plan_emissions_t"].to_numpy(), rel=1e-7)
    rows = pd.read_csv(out / "year_annual_rows.csv")
    assert rows["holds"].all()
    for name in ("year_hourly", "year_prices", "year_price_duration", "year_generation"):
        assert len(pd.read_csv(out / f"{name}.csv"))


def test_bad_inputs_exit_2_without_a_traceback(tmp_path, capsys):
    assert main(["year-check", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["year-check", str(ROOT / "inputs" / "example")]) == 2
    err = capsys.readouterr().err
    assert "not a run's results folder" in err and "Traceback" not in err
    spec = _peak_case(tmp_path)
    assert main(["run", str(spec), "--results", str(tmp_path / "r"), "--no-report", "--quiet"]) == 0
    assert main(["year-check", str(tmp_path / "r" / "hand"), "--window-h", "0"]) == 2
    assert "--window-h" in capsys.readouterr().err
    assert main(["year-check", str(tmp_path / "r" / "hand")]) == 0
    assert main(["year-check", str(tmp_path / "r" / "hand-year-check")]) == 2  # a study, not a run
    assert "not a run's results" in capsys.readouterr().err
    demand = tmp_path / "case" / "demand.csv"
    demand.write_text(demand.read_text().replace("172", "173"))
    assert main(["year-check", str(tmp_path / "r" / "hand")]) == 2
    assert "has changed since the run" in capsys.readouterr().err


def test_planner_run_does_the_check_when_the_specification_asks(tmp_path, capsys):
    """``[time] year_check = true``: ``planner run`` writes the run, then the year check beside it, and the run's
    report carries the year check's section (heat map and duration curves of each period)."""
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "ex"\ninputs = "{ROOT / "inputs" / "example"}"\n[time]\nyear_check = true\n'
                    '[solver]\nmethod = "simplex"\n')
    assert main(["run", str(spec), "--results", str(tmp_path / "r"), "--quiet"]) == 0
    assert "no zone is short in any hour" in capsys.readouterr().out
    page = (tmp_path / "r" / "ex" / "report" / "report.html").read_text()
    assert "id='year-check'" in page and "year-heat-2030" in page and "year-duration-2035" in page
    assert (tmp_path / "r" / "ex-year-check" / "year_check.html").is_file()
    spec.write_text(spec.read_text().replace("year_check = true", 'year_check = "yes"'))
    assert main(["run", str(spec), "--results", str(tmp_path / "r2"), "--quiet"]) == 2
    assert "time.year_check must be true or false" in capsys.readouterr().err


def test_run_spec_and_the_api_do_the_check_when_the_specification_asks(tmp_path):
    """``[time] year_check = true`` through ``run_spec``, which ``planner.run`` calls: in memory without a results
    folder, written beside the run with one, and ``planner.read`` gives the stored tables back. The example's
    timesteps are its own (not aggregated), so the year check is the run's own LP: its operating cost of each period
    equals the plan's, and nothing is short."""
    import planner

    spec = planner.load_spec(ROOT / "models/example.toml", time={"year_check": True}, solver={"method": "simplex"})
    r = planner.run(spec)
    assert r.folder is None and list(r.year_check["year_check"]["period"]) == r.periods
    s = r.year_check["year_check"]
    assert s["operating_cost_usd_per_yr"].to_numpy() == pytest.approx(s["plan_operating_cost_usd_per_yr"].to_numpy(),
                                                                      rel=1e-7)
    assert (s["unserved_mwh"] == 0).all()
    w = planner.run(spec, results=tmp_path)
    assert (tmp_path / "example-year-check" / "year_check.csv").is_file()
    stored = planner.read(tmp_path / "example").year_check
    assert stored is not None and list(stored["year_check"]["period"]) == r.periods
    assert stored["year_check"]["unserved_mwh"].to_numpy() == pytest.approx(w.year_check["year_check"]["unserved_mwh"])
    again = planner.year_check(tmp_path / "example", write=False)
    assert again["year_costs"]["year_usd_per_yr"].to_numpy() == pytest.approx(
        w.year_check["year_costs"]["year_usd_per_yr"].to_numpy(), rel=1e-7)
