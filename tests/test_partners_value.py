"""planner partner-value: two solves, with and without one partner's options, and their difference."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from partner_cases import envelope_case

from planner.analysis.partners import report
from planner.cli import main
from planner.errors import InputError
from planner.spec import RunSpec, load_spec
from planner.store import read_results
from planner.studies.partner_value import partner_value

ROOT = Path(__file__).resolve().parents[1]


def _row(table: pd.DataFrame, metric: str, period: str) -> pd.Series:
    return table[(table.metric == metric) & (table.period == period)].iloc[0]


def test_value_of_tr_on_the_envelope_case_by_hand(tmp_path):
    """envelope_case (df = 2). With TR: 17,380,000 USD/yr (see test_partners_finance), objective 34,760,000.
    Without TR: KZ builds all 100 MW: 100 * 150,000 + 100 * 10,000 + 876,000 * 5 = 20,380,000 USD/yr,
    objective 40,760,000. Value of TR = 3,000,000 USD/yr (60 MW * 50,000 cheaper annuity), 6,000,000 USD
    present value; emissions, imports, unserved energy and the residual deficit do not change (both 0)."""
    spec = RunSpec(name="case", inputs=envelope_case(tmp_path / "c"))
    res = partner_value(spec, "TR", tmp_path / "res", {"method": "simplex"})
    t = res["table"]
    assert _row(t, "system_cost_annual", "2030")[["with", "without", "difference"]].tolist() == pytest.approx(
        [17_380_000, 20_380_000, 3_000_000], rel=1e-9)
    assert _row(t, "system_cost_present_value", "all")["difference"] == pytest.approx(6_000_000, rel=1e-9)
    for metric in ("emissions", "imports", "unserved_energy", "deficit_after_new_builds"):
        assert _row(t, metric, "2030")["difference"] == pytest.approx(0.0, abs=1e-6)
    assert res["summary"]["partner_new_mw"] == pytest.approx(60.0)
    assert res["folder"] == tmp_path / "res" / "case-partner-value-TR"


def test_partner_value_on_the_example_end_to_end(tmp_path, capsys):
    """Through the command line on the example case; the present-value difference equals the difference
    of the two objectives, and the stored runs regenerate the partner report."""
    model = ROOT / "models/example.toml"
    assert main(["partner-value", str(model), "--partner", "TR", "--results", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "value of partner TR" in printed and "system_cost_present_value" in printed

    folder = tmp_path / "example-partner-value-TR"
    summary = json.loads((folder / "partner_value.json").read_text())
    table = pd.read_csv(folder / "partner_value.csv", dtype={"period": str})
    diff = summary["objective_without_usd"] - summary["objective_with_usd"]
    assert summary["value_present_usd"] == pytest.approx(diff, rel=1e-9)
    assert _row(table, "system_cost_present_value", "all")["difference"] == pytest.approx(diff, rel=1e-8)
    # the per-period present values add up to the horizon's
    per = table[(table.metric == "system_cost_present_value") & (table.period != "all")]["difference"].sum()
    assert per == pytest.approx(diff, rel=1e-8)
    assert diff > 0, "TR's options are cheaper finance than KZ's in the example, so dropping them costs money"

    assert (folder / "partner_headline.csv").is_file() and (folder / "partner_builds.csv").is_file()
    with_t, with_meta = read_results(folder / "with")
    without_t, without_meta = read_results(folder / "without")
    assert with_meta["objective_usd"] == pytest.approx(summary["objective_with_usd"])
    assert without_meta["scenario"]["exclude_partners"] == ["TR"]
    assert (without_t["new_capacity"]["partner"] != "TR").all()
    assert "TR" in set(report(with_t)["partner_builds"]["partner"])


def test_partner_value_rejects_an_unknown_or_already_excluded_partner(tmp_path):
    spec = load_spec(ROOT / "models/example.toml")
    with pytest.raises(InputError, match="--partner: partner 'XX' is not in partners.csv"):
        partner_value(spec, "XX", None)
    spec.scenario = {"exclude_partners": ["TR"]}
    with pytest.raises(InputError, match="already drops TR"):
        partner_value(spec, "TR", None)


def test_committed_builds_stay_in_the_run_without_the_partner(tmp_path):
    """envelope_case without an envelope, plus a TR commitment: 20 MW of chp (capex 2000 USD/kW, wacc 0,
    life 10 -> 200,000 USD/MW-yr; vom 5, no fom), min_new_mw = max_new_mw = 20. Annual costs (USD/yr;
    energy 876,000 MWh x 5 = 4,380,000 in every run; gas fom 10,000 USD/MW-yr):
      with TR:                 chp 4,000,000 + TR gas 80 x 100,000 + fom 800,000 + 4,380,000 = 17,180,000
      without TR (kept):       chp 4,000,000 + KZ gas 80 x 150,000 + fom 800,000 + 4,380,000 = 21,180,000
      without TR (dropped):    KZ gas 100 x 150,000 + fom 1,000,000 + 4,380,000              = 20,380,000
    So TR's options are worth 4,000,000 USD/yr; dropping the commitment as well would mix in the cost of
    forcing the chp (3,200,000 instead)."""
    folder = envelope_case(tmp_path / "c", envelope_usd=None)
    with open(folder / "technologies.csv", "a") as f:  # technology,kind,capex,fom,vom,lifetime,credit
        f.write("chp,thermal,2000,0,5,10,1\n")
    bo = pd.read_csv(folder / "build_options.csv", keep_default_na=False)
    commitment = {"zone": "A", "technology": "chp", "partner": "TR", "capex_usd_per_kw": 2000}
    bo = pd.concat([bo, pd.DataFrame([commitment])], ignore_index=True)
    bo["min_new_mw"] = ["", "", 20]
    bo["max_new_mw"] = ["", "", 20]
    bo.to_csv(folder / "build_options.csv", index=False)
    spec = RunSpec(name="case", inputs=folder)
    kept = partner_value(spec, "TR", None, {"method": "simplex"})["table"]
    dropped = partner_value(spec, "TR", None, {"method": "simplex"}, keep_committed=False)["table"]
    assert _row(kept, "system_cost_annual",
                "2030")[["with", "without"]].tolist() == pytest.approx([17_180_000, 21_180_000], rel=1e-9)
    assert _row(kept, "system_cost_annual", "2030")["difference"] == pytest.approx(4_000_000, rel=1e-9)
    assert _row(dropped, "system_cost_annual", "2030")["difference"] == pytest.approx(3_200_000, rel=1e-9)


def _no_solve(monkeypatch):
    import planner.runner

    never = lambda *a, **k: pytest.fail("solved before the inputs were checked")  # noqa: E731
    monkeypatch.setattr(planner.runner, "run_spec", never)


def test_an_unknown_partner_is_blamed_on_the_option_before_any_solve(tmp_path, capsys, monkeypatch):
    """--partner tr (the case has TR): the message names --partner and the known partners, not
    scenario.exclude_partners of the run specification, and nothing is solved or written."""
    _no_solve(monkeypatch)
    model = ROOT / "models/example.toml"
    assert main(["partner-value", str(model), "--partner", "tr", "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "- --partner: partner 'tr' is not in partners.csv" in err and "known partners: KZ, TR" in err
    assert "exclude_partners" not in err
    assert not (tmp_path / "r").exists()


def test_the_results_location_is_checked_before_either_solve(tmp_path, capsys, monkeypatch):
    """A user's folder where the study would write: exit 2 before the two solves, the folder left as it was."""
    _no_solve(monkeypatch)
    target = tmp_path / "pvu" / "example-partner-value-TR"
    target.mkdir(parents=True)
    (target / "u.txt").write_text("mine")
    model = ROOT / "models/example.toml"
    assert main(["partner-value", str(model), "--partner", "TR", "--results", str(tmp_path / "pvu")]) == 2
    assert "is not a results folder written by planner" in capsys.readouterr().err
    assert sorted(p.name for p in target.iterdir()) == ["u.txt"]
