"""The Python API (planner/api.py, docs/api.md) on the example case, with answers worked out by hand.

The example's existing fleet in 2030 and 2035 (inputs/example; capacity credits coal 0.85, CCGT 0.9, wind 0.1,
solar 0; RU-N imports 1,500 MW at credit 0.3 = 450 MW firm, into N), at the system peak, timestep 19
(N 8,800 + S 3,850 + W 2,200 = 14,850 MW in 2030, x 1.15 in 2035), margin 0.1:

    2030  N: 1.1 x 8,800 = 9,680 required; firm 0.85 x (0.6 x 9,000 + 3,000) + 0.1 x 300 = 7,170
             (the 1975 coal retires in 2033: 3 of the period's 5 years) + 450 imports -> short 2,060
          S: 1.1 x 3,850 = 4,235; firm 0.9 x 1,500 + 0.85 x 800 = 2,030 -> short 2,205
          W: 1.1 x 2,200 = 2,420; no fleet -> short 2,420
          every zone is short, so the corridors move nothing: system deficit 2,060 + 2,205 + 2,420 = 6,685 MW
    2035  N: 11,132 - (0.85 x 3,000 + 30 + 450) = 8,102;  S: 4,870.25 - 1,350 (the S coal retires in 2035)
          = 3,520.25;  W: 2,783  ->  14,405.25 MW

After new builds only N is short in 2030: its firm MW plus what the corridors bring (W-N: 0.8 x 500 = 400 MW
sent, 5 % lost; N-S: S's surplus, 4 % lost) against its 9,680 MW; the test takes the new firm MW from the run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import planner
from planner.errors import InputError

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "models" / "example.toml"
PINNED_USD = 29_935_158_076.93  # tests/test_reference_cases.py


@pytest.fixture(scope="module")
def example():
    return planner.run(EXAMPLE)


def test_import_planner_is_quick():
    """``import planner`` loads none of the heavy libraries; they come with the first call."""
    code = "import sys, planner; print(sorted(m for m in ('pyomo', 'pandas', 'highspy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_planner_run_is_the_api_run_and_the_stage_is_planner_runner(example):
    """``planner.run`` is the API's function; the stage the command line calls is ``planner.runner.run_spec``, a
    module of another name, so neither shadows the other."""
    import planner.api
    import planner.runner as module

    assert planner.run is planner.api.run
    assert module.run_spec.__module__ == "planner.runner"
    assert {"run", "read", "load_spec", "partner_value", "placement"} <= set(dir(planner))
    assert planner.__version__


def test_run_in_memory_writes_nothing(example, tmp_path, monkeypatch):
    assert example.objective_usd == pytest.approx(PINNED_USD, rel=1e-6)
    assert example.folder is None and example.name == "example" and example.periods == [2030, 2035]
    assert example.output.model is not None  # the solved Pyomo model is there for whoever wants it
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANNER_CACHE", "off")
    assert planner.run(EXAMPLE).folder is None
    assert list(tmp_path.iterdir()) == []  # no results/ in the working folder


def test_the_deficit_by_hand(example):
    zd = example.deficit().set_index(["zone", "period"])
    assert zd.loc[("N", 2030), "firm_existing_mw"] == pytest.approx(7170)
    assert zd["deficit_before_mw"].to_dict() == pytest.approx({
        ("N", 2030): 2060, ("S", 2030): 2205, ("W", 2030): 2420,
        ("N", 2035): 8102, ("S", 2035): 3520.25, ("W", 2035): 2783})
    system = example.deficit("system").query("scope == 'system'").set_index("period")
    assert system["deficit_before_mw"].to_dict() == pytest.approx({2030: 6685, 2035: 14405.25})
    # after new builds, 2030: S and W have surplus, N receives what the corridors carry
    s_surplus = zd.loc[("S", 2030), "firm_existing_mw"] + zd.loc[("S", 2030), "firm_new_mw"] - 4235
    w_surplus = zd.loc[("W", 2030), "firm_new_mw"] - 2420
    assert s_surplus > 0 and w_surplus > 400  # W-N is full, N-S is not (limit 0.8 x 2,100 = 1,680)
    n_short = 9680 - (7170 + 450 + zd.loc[("N", 2030), "firm_new_mw"]) - 0.95 * 400 - 0.96 * s_surplus
    assert zd.loc[("N", 2030), "deficit_after_mw"] == pytest.approx(n_short, abs=1e-3)
    assert zd.loc[[("S", 2030), ("W", 2030)], "deficit_after_mw"].tolist() == pytest.approx([0, 0], abs=1e-6)
    with pytest.raises(ValueError, match="'zone' or 'system'"):
        example.deficit("region")


def test_partner_view_and_metrics(example):
    """TR's envelope (partner_envelopes.csv) is 1.5 bn USD of capex in each period, and it spends all of it."""
    head = example.partners()["partner_headline"].set_index(["partner", "period"])
    assert head.loc[("TR", 2030), "capex_usd"] == pytest.approx(1.5e9, rel=1e-6)
    assert head.loc[("TR", 2035), "capex_usd"] == pytest.approx(1.5e9, rel=1e-6)
    assert set(example.partners()) == {"partner_builds", "zone_deficits", "deficit_closed", "partner_headline"}
    m = example.metrics().set_index(["metric", "period"])["value"]
    assert m[("deficit_existing_fleet", "2030")] == pytest.approx(6685)
    new = example.table("new_capacity")
    assert example.metric("new_capacity").sum() == pytest.approx(new["new_mw"].sum())
    with pytest.raises(KeyError, match="no result table 'nope'; the tables are adequacy_links"):
        example.table("nope")


def test_notes_say_why_a_deficit_is_left(example):
    """N is short after new builds (above) while no demand goes unserved: the note says why, and the run builds
    in 2030 what serves 2035, so 'with the existing fleet' is explained too; both are in the summary."""
    notes = example.notes()
    assert "(2030, 2035) is not demand unserved (0.0000 TWh" in notes["after_new_builds"]
    assert "leaves out every plant this run builds" in notes["existing_fleet"]
    assert "closed_without_builds" not in notes  # KZ and TR build in both periods
    assert notes["after_new_builds"] in example.summary()


def test_read_gives_the_same_views(example, tmp_path):
    written = planner.run(EXAMPLE, results=tmp_path)
    assert written.folder == tmp_path / "example" and (tmp_path / "example" / "summary.txt").is_file()
    back = planner.read(tmp_path / "example")
    assert back.objective_usd == written.objective_usd
    assert back.deficit("system").equals(written.deficit("system"))
    assert back.metrics()["value"].tolist() == pytest.approx(example.metrics()["value"].tolist(), rel=1e-9)
    with pytest.raises(InputError, match="is not a results folder"):
        planner.read(tmp_path)


def test_load_spec_and_case():
    spec = planner.load_spec(EXAMPLE, periods=[2030], name="example-2030")
    assert spec.periods == [2030] and spec.name == "example-2030"
    as_case = planner.load_spec(ROOT / "inputs" / "example")
    assert as_case.name == "example" and as_case.periods is None and as_case.time == {}
    with pytest.raises(InputError, match="unknown fields \\['period'\\]"):
        planner.load_spec(EXAMPLE, period=[2030])
    with pytest.raises(InputError, match="report.highlight_partners names unknown partners"):
        planner.run(planner.load_spec(EXAMPLE, report={"highlight_partners": ["XX"]}))
    case = planner.load_case(ROOT / "inputs" / "example")
    assert sorted(case.tables["zones"]["zone"]) == ["N", "S", "W"] and case.warnings == []


def test_partner_value_returns_its_table(example):
    """Without TR the system pays more: the 'all' row's difference is the difference of the two objectives."""
    table = planner.partner_value(EXAMPLE, "TR")
    s = table.attrs["summary"]
    assert s["objective_with_usd"] == pytest.approx(PINNED_USD, rel=1e-6)
    total = table.query("metric == 'system_cost_present_value' and period == 'all'").iloc[0]
    assert total["difference"] == pytest.approx(s["objective_without_usd"] - s["objective_with_usd"], rel=1e-9)
    assert total["difference"] > 0
    assert s["partner_new_mw"] == pytest.approx(example.table("new_capacity").query("partner == 'TR'")["new_mw"].sum())
    assert table.attrs["folder"] is None


def test_placement_returns_its_tables(example):
    """The least-cost plan of the placement study is the run's: TR builds what its 2 x 1.5 bn USD buy."""
    out = planner.placement(EXAMPLE, "TR")
    assert {"where", "break_even", "alternatives"} <= set(out)
    assert out["where"]["capex_usd"].sum() == pytest.approx(3.0e9, rel=1e-6)
    tr = example.table("new_capacity").query("partner == 'TR'")
    assert out["where"]["new_mw"].sum() == pytest.approx(tr["new_mw"].sum(), rel=1e-6)
    with pytest.raises(InputError, match="tie_slack <= slack"):
        planner.placement(EXAMPLE, "TR", slack=0.01, tie_slack=0.1)


def test_sweep_of_the_case_s_own_discount_rate_is_the_pinned_run(tmp_path):
    """settings.csv has discount_rate 0.08: the variant that sets 0.08 is the example itself; 0.1 costs less in
    present value (later costs discounted harder)."""
    table = planner.sweep(EXAMPLE, {"settings.discount_rate": [0.08, 0.1]})
    assert list(table["settings.discount_rate"]) == [0.08, 0.1]
    assert table["objective_usd"].iloc[0] == pytest.approx(PINNED_USD, rel=1e-6)
    assert table["objective_usd"].iloc[1] < table["objective_usd"].iloc[0]
    assert "results" not in table.columns  # written to a temporary folder, gone with it


def test_calibrate_a_capacity_balance_by_hand(tmp_path):
    """capacity_deficit_mw of the system in 2030 is 6,685 MW (module docstring); no solve needed."""
    check = {"metric": "capacity_deficit_mw", "period": 2030, "target": 6685.0, "tolerance_abs": 0.01,
             "source": "the arithmetic of tests/test_api.py"}
    table = planner.calibrate(planner.load_spec(EXAMPLE, calibration=[check]), results=tmp_path)
    assert table["model"].tolist() == pytest.approx([6685.0]) and table["within"].tolist() == [True]
    balance = table.attrs["capacity_balance"]
    assert balance.query("scope == 'system' and period == 2035")["deficit_mw"].tolist() == pytest.approx([14405.25])
    assert (tmp_path / "example-calibrate" / "calibration.csv").is_file()


def test_time_error_reference_row_is_the_full_run(tmp_path):
    """The example as a 48-hour year (every timestep of weight 1): the reference row is the full-resolution run."""
    import casekit

    case = casekit.copy_example(tmp_path)
    ts = (case / "timesteps.csv").read_text().splitlines()
    rows = [line.split(",") for line in ts[1:]]
    (case / "timesteps.csv").write_text("\n".join([ts[0]] + [",".join([r[0], "1", *r[2:]]) for r in rows]) + "\n")
    with (case / "settings.csv").open("a") as f:
        f.write("hours_per_year,48\n")
    table = planner.time_error(case, days=[1])
    assert table["resolution"].tolist() == ["full", "1 days"]
    assert table["objective_usd"].iloc[0] == pytest.approx(planner.run(case).objective_usd, rel=1e-9)
    assert table["objective_error_pct"].iloc[0] == 0
