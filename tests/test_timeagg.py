"""Representative days with tsam: weights, energy, and the aggregation error it introduces."""

from __future__ import annotations

import math

import pytest
from casekit import write_case

from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.solve import solve
from planner.timeagg import representative_days

TECHS = [{"technology": "gas", "kind": "thermal", "capex_usd_per_kw": 50, "vom_usd_per_mwh": 40, "lifetime_yr": 1},
         {"technology": "solar", "kind": "variable", "capex_usd_per_kw": 60, "lifetime_yr": 1}]


def hourly_case(folder, days: int, same_days: bool):
    ts, dem, av = [], [], []
    for t in range(24 * days):
        d, h = divmod(t, 24)
        ts.append({"timestep": t, "weight": 1})
        level = 100 if same_days else 100 + 30 * math.sin(2 * math.pi * d / days)
        dem.append({"zone": "A", "timestep": t, "demand_mw": round(level + 20 * math.sin(2 * math.pi * h / 24), 3)})
        sun = max(0.0, math.sin(math.pi * (h - 6) / 12)) if 6 <= h <= 18 else 0.0
        av.append({"zone": "A", "technology": "solar", "timestep": t,
                   "availability_pu": round(sun * (1 if same_days or d % 2 else 0.5), 4)})
    return write_case(folder, technologies=TECHS, timesteps=ts, demand=dem, availability=av,
                      build_options=[{"zone": "A", "technology": "gas"}, {"zone": "A", "technology": "solar"}])


def objective(case):
    d = prepare(case)
    return solve(build_model(d), {"method": "simplex"}).objective


def test_weights_and_energy_are_preserved(tmp_path):
    """14 varied days -> 3 representative days plus the peak day: weights sum to the 336 hours, demand energy
    is kept (tsam preserves means), and the peak hour survives exactly."""
    case = load_case(hourly_case(tmp_path / "c", 14, same_days=False))
    agg, info = representative_days(case, 3)
    ts = agg["timesteps"]
    assert len(ts) == 96 and sorted(ts["block"].unique()) == [0, 1, 2, 3]
    assert agg["demand"]["demand_mw"].max() == pytest.approx(case["demand"]["demand_mw"].max(), rel=1e-9)
    without, _ = representative_days(case, 3, keep_peak_day=False)
    assert len(without["timesteps"]) == 72
    assert without["demand"]["demand_mw"].max() < case["demand"]["demand_mw"].max()
    assert ts["weight"].sum() == pytest.approx(336)
    w = ts.set_index("timestep")["weight"]
    energy = (agg["demand"].set_index("timestep")["demand_mw"] * w).sum()
    assert energy == pytest.approx(case["demand"]["demand_mw"].sum(), rel=1e-6)
    assert sum(info["days_represented"].values()) == 14


def test_identical_days_aggregate_without_error(tmp_path):
    """If every day is the same, one representative day weighted 7 is exact: same optimum as the full week.

    Full week objective = 7 x (one day's operating cost) + annuities, and the aggregated LP is that same
    day with weight 7, so the objectives agree to solver precision.
    """
    case = load_case(hourly_case(tmp_path / "c", 7, same_days=True))
    agg, _ = representative_days(case, 1)
    assert objective(agg) == pytest.approx(objective(case), rel=1e-7)


def test_too_few_hours_is_an_input_error(tmp_path):
    from planner.errors import InputError
    case = load_case(hourly_case(tmp_path / "c", 2, same_days=True))
    with pytest.raises(InputError, match="representative_days needs a full hourly series"):
        representative_days(case, 2)


def test_time_error_command_reports_against_full_resolution(tmp_path):
    """On identical days the measured objective error of 1 representative day is zero (see above)."""
    import pandas as pd

    from planner.cli import main
    case = hourly_case(tmp_path / "c", 7, same_days=True)
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "h"\ninputs = "{case}"\n')
    assert main(["time-error", str(spec), "--days", "1", "2", "--results", str(tmp_path / "r")]) == 0
    df = pd.read_csv(tmp_path / "r" / "h-time-error" / "time_error.csv")
    assert list(df["resolution"]) == ["full", "1 days", "2 days"]
    assert df["objective_error_pct"].abs().max() < 1e-5


def test_time_error_against_a_finer_aggregation(tmp_path):
    """With identical days, 1 day measured against a 3-day reference is exact too."""
    from planner.spec import RunSpec
    from planner.studies.time_error import measure
    case = hourly_case(tmp_path / "c", 7, same_days=True)
    df = measure(RunSpec(name="h", inputs=case), [1], None, reference_days=3)
    assert list(df["resolution"]) == ["3 days (reference)", "1 days"]
    assert df["objective_error_pct"].abs().max() < 1e-5


def test_the_cases_warnings_survive_the_aggregation(tmp_path):
    """A valid case's warnings (here one planted on the loaded case) are printed by `planner run` and kept in
    run.json; with representative days they were dropped, so every run of the Kazakhstan models lost them."""
    from planner.errors import Problem

    case = load_case(hourly_case(tmp_path / "c", 7, same_days=False))
    case.warnings.append(Problem("existing_capacity.csv", "line 2: retires before the first period"))
    agg, _ = representative_days(case, 2)
    assert agg.warnings == case.warnings
