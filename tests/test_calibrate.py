"""Calibration checks and the capacity balance, worked by hand."""

from __future__ import annotations

import pytest

from casekit import hours, write_case
from planner.studies.calibrate import capacity_balance
from planner.cli import main
from planner.load import load_case
from planner.model.data import prepare


def two_region_case(folder):
    """North: 1,000 MW coal (credit 0.9); South: 200 MW gas (credit 0.9), 100 MW import credit 0.5 of 200 MW.

    Demand (MW) in two hours: North 600 / 500, South 400 / 550. System margin 10 %.
    """
    return write_case(
        folder,
        zones=[{"zone": "N", "region": "North"}, {"zone": "S", "region": "South"}],
        technologies=[{"technology": "coal", "kind": "thermal", "lifetime_yr": 100, "capacity_credit_pu": 0.9, "vom_usd_per_mwh": 10},
                      {"technology": "gas", "kind": "thermal", "lifetime_yr": 100, "capacity_credit_pu": 0.9, "vom_usd_per_mwh": 40}],
        existing_capacity=[{"zone": "N", "technology": "coal", "build_year": 2000, "capacity_mw": 1000},
                           {"zone": "S", "technology": "gas", "build_year": 2000, "capacity_mw": 200}],
        timesteps=hours([4380, 4380]),
        demand=[{"zone": "N", "timestep": 0, "demand_mw": 600}, {"zone": "N", "timestep": 1, "demand_mw": 500},
                {"zone": "S", "timestep": 0, "demand_mw": 400}, {"zone": "S", "timestep": 1, "demand_mw": 550}],
        corridors=[{"corridor": "NS", "from_zone": "N", "to_zone": "S", "capacity_mw": 500, "max_new_mw": 0}],
        interconnectors=[{"interconnector": "X", "zone": "S", "market": "M", "import_mw": 200, "export_mw": 0,
                          "capacity_credit_pu": 0.5}],
        trade_prices=[{"interconnector": "X", "period": 2030, "import_price_usd_per_mwh": 60, "export_price_usd_per_mwh": 0}],
        reserve_margins=[{"region": "*", "period": 2030, "margin_pu": 0.1}],
    )


def test_capacity_balance_by_hand(tmp_path):
    """planner/analysis/deficit.py at the system peak hour 1 (500 + 550 = 1,050 > 600 + 400), margin 10 %:
    North: required 1.1 x 500 = 550, firm 0.9 x 1,000 = 900 -> surplus 350.
    South: required 1.1 x 550 = 605, firm 0.9 x 200 + 0.5 x 200 (import) = 280 -> short 325.
    The corridor has no capacity credit (firm transfer limit 0), so the South stays 325 MW short:
    system 325, North 0, South 325 (= zone S).
    """
    b = capacity_balance(prepare(load_case(two_region_case(tmp_path / "c")))).set_index("name")
    assert b.at["*", "required_mw"] == pytest.approx(1155)
    assert b.at["*", "deficit_mw"] == pytest.approx(325)
    assert b.at["North", "deficit_mw"] == 0
    assert b.at["South", "deficit_mw"] == pytest.approx(325)
    assert b.at["South", "firm_imports_mw"] == pytest.approx(100)
    assert b.at["S", "deficit_mw"] == pytest.approx(325)


_CHECKS = {
    "generation": 'metric = "generation_twh"\nperiod = 2030\ntarget = 8.979\ntolerance_pct = 0.01\nsource = "hand"\n',
    "coal_share": 'metric = "generation_share"\ntechnologies = ["coal"]\nperiod = 2030\ntarget = 0.5\ntolerance_abs = 0.05\n',
    "peak": 'metric = "peak_shortfall_mw"\nperiod = 2030\ntarget = 0\ntolerance_abs = 1e-6\n',
    "capability": 'metric = "peak_capability_shortfall_mw"\nperiod = 2030\ntarget = 0\ntolerance_abs = 1e-6\n',
}


def _calibration_spec(tmp_path, name, case, notes):
    """A spec with the four checks of ``_CHECKS``, ``notes`` {check: known_miss} added to some."""
    body = "".join("[[calibration]]\n" + text + (f'known_miss = "{notes[k]}"\n' if k in notes else "")
                   for k, text in _CHECKS.items())
    spec = tmp_path / f"{name}.toml"
    spec.write_text(f'name = "{name}"\ninputs = "{case}"\n' + body)
    return spec


def test_calibrate_command(tmp_path, capsys):
    """Dispatch: North coal (10 USD/MWh) serves North and sends 500 MW south; South gas fills the rest; no import
    (60 > 40). Hour 0: coal 600 + 400 = 1,000, gas 0; hour 1: coal 500 + 500, gas 50. Generation =
    (1,000 + 1,050) * 4,380 = 8.979 TWh. Coal share = (1,000 + 1,000) * 4,380 / 8.979e6 = 0.97561.
    Peak shortfall: at the peak hour (1) imports 0 and unserved 0 -> 0 MW.
    The 8.979 check passes; a coal-share target of 0.5 (tolerance 0.05) misses.

    Verdicts: without a note the coal-share miss fails the command (exit 1); with a known_miss it is a
    documented miss, printed with its reason, and the command passes (exit 0); a known_miss on the
    generation check, which passes, is a stale note and fails the command (exit 1).
    """
    case = two_region_case(tmp_path / "c")
    results = tmp_path / "r"
    undocumented = _calibration_spec(tmp_path, "cal", case, {})
    assert main(["calibrate", str(undocumented), "--results", str(results)]) == 1
    out, err = capsys.readouterr()
    assert "ok    generation_twh 2030: model 8.979" in out
    assert "MISS  generation_share (coal) 2030: model 0.976" in out
    assert "ok    peak_shortfall_mw" in out
    assert "ok    peak_capability_shortfall_mw" in out  # 1,200 MW available against the 1,050 MW peak
    assert "1 calibration check(s) failed: 1 outside tolerance without a known_miss, 0 passing" in err
    assert (results / "cal-calibrate" / "capacity_balance.csv").is_file()

    documented = _calibration_spec(tmp_path, "known", case, {"coal_share": "the hand case has no gas to speak of"})
    assert main(["calibrate", str(documented), "--results", str(results)]) == 0
    out, err = capsys.readouterr()
    assert "known generation_share (coal) 2030: model 0.976" in out
    assert "        known miss: the hand case has no gas to speak of" in out
    assert "1 documented miss(es)" in out and "failed" not in err

    stale = _calibration_spec(tmp_path, "stale", case, {"coal_share": "the hand case has no gas to speak of",
                                                        "generation": "an old reason"})
    assert main(["calibrate", str(stale), "--results", str(results)]) == 1
    out, err = capsys.readouterr()
    assert "STALE generation_twh 2030: model 8.979" in out
    assert "an old reason" not in out and "the note is out of date" in out
    assert "1 calibration check(s) failed: 0 outside tolerance without a known_miss, 1 passing with a stale" in err


def test_verdicts():
    """Each (within, note) pair has one verdict, and only an undocumented miss and a stale note fail."""
    import pandas as pd

    from planner.studies.calibrate import failures, verdict

    assert [verdict(True, ""), verdict(True, "x"), verdict(False, ""), verdict(False, "x")] == \
        ["ok", "stale", "miss", "known"]
    assert failures(pd.DataFrame({"verdict": ["ok", "known", "known"]})) == 0
    assert failures(pd.DataFrame({"verdict": ["ok", "miss", "stale", "known"]})) == 2


def test_calibration_needs_checks(tmp_path, capsys):
    spec = tmp_path / "cal.toml"
    spec.write_text(f'name = "x"\ninputs = "{two_region_case(tmp_path / "c")}"\n[[calibration]]\nmetric = "mood"\n')
    assert main(["calibrate", str(spec), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "metric 'mood' is not one of" in err and "numeric target" in err


def test_region_balance_and_balance_metrics_by_hand():
    """Two zones of region R, one of S, two hours of weight 2 h and 3 h.

    Generation in R: A coal 100 MWh + B battery 30 MWh discharged, 10 MWh charged = 120 MWh net;
    demand in R: A 10 MW x 2 h + 10 MW x 3 h = 50 MWh, B 20 x 2 + 20 x 3 = 100 MWh -> 150 MWh;
    balance R = 120 - 150 = -30 MWh = -3e-5 TWh. With corridor losses (A-B inside R: 4 MW x 2 h = 8 MWh;
    B-C across R's border: 6 MW x 3 h = 18 MWh, half to each end): R = -30 - 8 - 9 = -47 MWh; the whole
    system = 620 generated - 155 demand - 26 lost = 439 MWh. Capacity balance rows are read as they are.
    """
    import pandas as pd

    from planner.studies.calibrate import balance_metric, region_balance_twh

    gen = pd.DataFrame({"zone": ["A", "B", "C"], "technology": ["coal", "battery", "coal"], "period": [2030] * 3,
                        "generation_mwh": [100.0, 30.0, 500.0], "charge_mwh": [0.0, 10.0, 0.0]})
    prices = pd.DataFrame({"zone": ["A", "A", "B", "B", "C", "C"], "period": [2030] * 6, "timestep": [0, 1] * 3,
                           "weight": [2.0, 3.0] * 3, "demand_mw": [10.0, 10.0, 20.0, 20.0, 1.0, 1.0]})
    assert region_balance_twh({"generation": gen, "prices": prices}, 2030, {"A", "B"}) == pytest.approx(-30 / 1e6)
    # losses: corridor A-B (inside R) loses 4 MW in hour 0, corridor B-C (across the border) 6 MW in hour 1.
    # R bears all of A-B's (4 x 2 h = 8 MWh) and half of B-C's (6 x 3 h / 2 = 9 MWh): -30 - 17 = -47 MWh;
    # the whole system bears all of both, 8 + 18 = 26 MWh: 120 + 500 - 150 - 5 - 26 = 439 MWh.
    flows = pd.DataFrame({"corridor": ["A-B", "B-C"], "period": [2030, 2030], "timestep": [0, 1],
                          "flow_mw": [100.0, 50.0], "loss_mw": [4.0, 6.0]})
    corridors = pd.DataFrame({"corridor": ["A-B", "B-C"], "from_zone": ["A", "B"], "to_zone": ["B", "C"]})
    lossy = {"generation": gen, "prices": prices, "flows": flows, "corridors": corridors}
    assert region_balance_twh(lossy, 2030, {"A", "B"}) == pytest.approx(-47 / 1e6)
    assert region_balance_twh(lossy, 2030, {"A", "B", "C"}) == pytest.approx(439 / 1e6)
    bal = pd.DataFrame({"scope": ["system", "region", "zone"], "name": ["*", "R", "A"], "period": [2025] * 3,
                        "required_mw": [300.0, 200.0, 50.0], "firm_existing_mw": [250.0, 120.0, 40.0],
                        "deficit_mw": [30.0, 80.0, 10.0]})
    assert balance_metric(bal, "capacity_deficit_mw", 2025) == 30.0
    assert balance_metric(bal, "capacity_firm_mw", 2025, "R") == 120.0
    assert balance_metric(bal, "capacity_shortfall_mw", 2025) == 300.0 - 250.0  # required - firm, imports ignored
    with pytest.raises(KeyError):
        balance_metric(bal, "capacity_peak_mw", 2030)


def test_drop_build_requirements_lets_the_fleet_as_is_be_dispatched(tmp_path):
    """The example with no new builds cannot meet its 10 % reserve margin (exit 3, tests/test_run.py);
    with drop_build_requirements the reserve margin and the renewable share are not imposed, so the
    existing fleet is dispatched (exit 0) and any shortfall shows as unserved energy instead."""
    from pathlib import Path as _P

    example = _P(__file__).resolve().parent.parent / "inputs" / "example"
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "nb"\ninputs = "{example}"\n[scenario]\nno_new_builds = true\ndrop_build_requirements = true\n')
    assert main(["run", str(spec), "--results", str(tmp_path / "r"), "--no-report"]) == 0


def test_known_miss_must_be_a_reason(tmp_path, capsys):
    """known_miss = "" (or a number) is bad input: exit 2, naming the check."""
    spec = tmp_path / "cal.toml"
    spec.write_text(f'name = "x"\ninputs = "{two_region_case(tmp_path / "c")}"\n[[calibration]]\n'
                    'metric = "generation_twh"\nperiod = 2030\ntarget = 1.0\ntolerance_pct = 5\nknown_miss = ""\n')
    assert main(["calibrate", str(spec), "--results", str(tmp_path / "r")]) == 2
    assert "[[calibration]] #1: known_miss" in capsys.readouterr().err


def _no_solve(monkeypatch):
    import planner.runner

    monkeypatch.setattr(planner.runner, "run_spec", lambda *a, **k: pytest.fail("solved before the checks were checked"))


CHECK = 'metric = "generation_twh"\nperiod = 2030\ntarget = 100\ntolerance_pct = 5\n'


# the line is the check's key that is wrong, or its [[calibration]] header (line 3) for what is wrong with the
# check as a whole: name 1, inputs 2, [[calibration]] 3, then the check's keys from line 4 (CHECK: period is 5)
@pytest.mark.parametrize("check, message", [
    # a period the run does not solve: a model figure of 0 and a MISS before
    (CHECK.replace("2030", "2031"), "line 5: [[calibration]] #1 (generation_twh): period 2031 is not one of the periods this run solves: 2030"),
    (CHECK.replace("generation_twh", "capacity_deficit_mw").replace("2030", "2031"),
     "line 5: [[calibration]] #1 (capacity_deficit_mw): period 2031 is not one of periods.csv: 2030"),
    # a misspelt key was ignored, and the check computed for the whole system
    ('metric = "region_balance_twh"\nregion = "South"\nregoin = "South"\nperiod = 2030\ntarget = 1\n'
     'tolerance_abs = 1\n', "line 3: [[calibration]] #1: unknown key 'regoin'; the keys of a check are metric, period, target"),
    # a percentage of 0 is a division by zero (+inf %)
    (CHECK.replace("target = 100", "target = 0"), "line 3: [[calibration]] #1: a percentage tolerance needs a non-zero target"),
    (CHECK.replace("tolerance_pct = 5", "tolerance_pct = -5"), "line 3: [[calibration]] #1: tolerance_pct = -5; expected a number >= 0"),
    (CHECK.replace("tolerance_pct = 5", 'tolerance_pct = "5"'), "line 3: [[calibration]] #1: tolerance_pct = '5'; expected a number >= 0"),
    ('metric = "generation_share"\ntechnologies = ["cole"]\nperiod = 2030\ntarget = 0.5\ntolerance_abs = 0.1\n',
     "line 5: [[calibration]] #1 (generation_share): technologies ['cole'] are not in technologies.csv (coal, gas)"),
])
def test_a_check_that_cannot_be_computed_is_exit_2_before_the_solve(tmp_path, capsys, monkeypatch, check, message):
    _no_solve(monkeypatch)
    spec = tmp_path / "cal.toml"
    spec.write_text(f'name = "x"\ninputs = "{two_region_case(tmp_path / "c")}"\n[[calibration]]\n{check}')
    assert main(["calibrate", str(spec), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"cal.toml, {message}" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_the_results_location_is_checked_before_the_solve(tmp_path, capsys, monkeypatch):
    _no_solve(monkeypatch)
    spec = tmp_path / "cal.toml"
    spec.write_text(f'name = "x"\ninputs = "{two_region_case(tmp_path / "c")}"\n[[calibration]]\n{CHECK}')
    target = tmp_path / "r" / "x-calibrate"
    target.mkdir(parents=True)
    (target / "u.txt").write_text("mine")
    assert main(["calibrate", str(spec), "--results", str(tmp_path / "r")]) == 2
    assert "is not a results folder written by planner" in capsys.readouterr().err
    assert sorted(p.name for p in target.iterdir()) == ["u.txt"]


def test_every_problem_of_every_check_is_reported_at_once(tmp_path, capsys, monkeypatch):
    """Was: in stages: an unknown key hid a bad period of the same check (and a bad region every later problem)."""
    _no_solve(monkeypatch)
    spec = tmp_path / "cal.toml"
    spec.write_text(f'name = "x"\ninputs = "{two_region_case(tmp_path / "c")}"\n'
                    '[[calibration]]\nmetric = "generation_twh"\nperiod = 2031\ntarget = 100\ntolerance_pct = 5\n'
                    'regoin = "South"\n'
                    '[[calibration]]\nmetric = "generation_share"\ntechnologies = ["cole"]\nregion = "Nowhere"\n'
                    'period = 2030\ntarget = 0.5\ntolerance_abs = 0.1\n')
    assert main(["calibrate", str(spec), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "[[calibration]] #1: unknown key 'regoin'" in err
    assert "[[calibration]] #1 (generation_twh): period 2031 is not one of the periods this run solves" in err
    assert "[[calibration]] #2 (generation_share): technologies ['cole'] are not in technologies.csv" in err
    assert "[[calibration]] #2 (generation_share): region 'Nowhere' is not a region of zones.csv" in err
    assert "4 problems" in err and not (tmp_path / "r").exists()
