"""Reports regenerated from stored results, the Excel workbook, and comparisons of runs.

The example case (3 zones, 2 periods, 48 timesteps) solves in about a second;
it is run once per module into a temporary folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.cli import main
from planner.report import build_report, style
from planner.report.data import load_run
from planner.report.excel import safe_text, write_excel
from planner.report.tables import report_tables
from planner.runner import run_spec
from planner.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models" / "example.toml"


def spec_copy(folder: Path, name: str, extra: str = "") -> Path:
    """A copy of the example spec under another name, with extra TOML appended (e.g. a [settings] override)."""
    text = EXAMPLE.read_text().replace('name = "example"', f'name = "{name}"')
    text = text.replace('inputs = "../inputs/example"', f'inputs = "{(ROOT / "inputs" / "example").as_posix()}"')
    path = folder / f"{name}.toml"
    path.write_text(text + "\n" + extra)
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("results")
    run_spec(load_spec(EXAMPLE), root)
    return root


@pytest.fixture(scope="module")
def example(results) -> Path:
    return results / "example"


def read_report(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "report").glob("*.csv"))}


class Solved(AssertionError):
    pass


def forbid_solving(monkeypatch) -> None:
    """Every name a report could reach a build or a solve through, including those bound at import
    (planner.runner took ``Solver`` and ``build`` with ``from ... import``), raises ``Solved``."""
    import planner.pipeline
    import planner.runner
    import planner.solve

    def no(*a, **k):
        raise Solved("report must not solve")
    for mod, name in ((planner.solve, "solve"), (planner.runner, "Solver"), (planner.runner, "build"),
                      (planner.pipeline, "build"), (planner.pipeline, "build_model")):
        monkeypatch.setattr(mod, name, no)


def test_the_no_solve_guard_fires_on_a_run(tmp_path, monkeypatch):
    """The guard below is only worth something if a path that solves trips it: a run does."""
    forbid_solving(monkeypatch)
    with pytest.raises(Solved):
        run_spec(load_spec(EXAMPLE), tmp_path)


def test_report_regenerates_identical_tables_without_solving(example, monkeypatch):
    forbid_solving(monkeypatch)
    assert main(["report", str(example)]) == 0
    first = read_report(example)
    assert main(["report", str(example)]) == 0
    assert read_report(example) == first
    assert {"capacity.csv", "deficit.csv", "lcoe.csv", "reserve_margin.csv", "price_statistics.csv"} <= set(first)
    assert (example / "report" / "report.html").stat().st_size > 1_000_000  # plotly inlined
    assert (example / "report" / "report.xlsx").is_file()
    assert not list(example.parent.glob(".report.tmp-*")) and not list(example.glob(".report.tmp-*"))


def test_report_tables_agree_with_the_stored_results(example):
    """Derived tables add up to what the run stored: capacity over partners, LCOE costs over technologies."""
    run = load_run(example)
    rt, notes = report_tables(run)
    assert notes == []
    by_partner = rt["capacity"].groupby(["zone", "technology", "period"])["total_mw"].sum()
    stored = run.tables["capacity"].set_index(["zone", "technology", "period"])["total_mw"]
    # results are stored at round-trip precision; the owners' MW are sums of vintage shares x MW, so they agree
    # with the model's total to rounding
    assert by_partner.reindex(stored.index).fillna(0).to_numpy() == pytest.approx(stored.to_numpy(), rel=1e-5, abs=1e-6)
    costs = run.tables["costs"].pivot(index="period", columns="category", values="annual_usd")
    lcoe = rt["lcoe"].groupby("period").sum(numeric_only=True)
    for cat in ("investment", "fixed_om", "variable_om", "fuel", "co2"):
        assert lcoe[f"{cat}_usd_per_yr"].to_numpy() == pytest.approx(costs[cat].to_numpy(), rel=1e-4, abs=1.0)
    # the reserve margin binds in the example (positive shadow price), so firm = required
    rm = rt["reserve_margin"]
    assert rm["binding"].all()
    assert rm["firm_total_mw"].to_numpy() == pytest.approx(rm["required_firm_mw"].to_numpy(), rel=1e-5)
    d = rt["deficit"]
    assert (d["deficit_after_mw"] <= d["deficit_before_mw"] + 1e-9).all()


def test_results_older_than_the_keyed_tables_say_what_their_report_leaves_out(example, tmp_path):
    """Results written before cost_terms.csv, firm_capacity.csv and emission_terms.csv existed (a copy of the
    example's without them, sealed again as that planner sealed it) still get a report; each table made from the
    missing ones is left out, and the report names the missing file, in the page and in the workbook's notes."""
    from planner.store import seal

    old = Path(shutil.copytree(example, tmp_path / "old"))
    shutil.rmtree(old / "report", ignore_errors=True)
    for name in ("cost_terms", "firm_capacity", "emission_terms"):
        (old / f"{name}.csv").unlink()
    seal(old, "run")
    rt, notes = report_tables(load_run(old))
    gone = {"lcoe": "cost_terms.csv", "reserve_margin": "firm_capacity.csv",
            "emissions_by_technology": "emission_terms.csv", "partners": "cost_terms.csv",
            "partners_by_period": "cost_terms.csv", "partner_capacity": "cost_terms.csv",
            "deficit_closed": "cost_terms.csv"}
    assert not set(gone) & set(rt) and {"capacity", "costs", "deficit", "emissions"} <= set(rt)
    assert sorted(n.split(":")[0] for n in notes) == sorted(gone)
    for n in notes:
        assert f"these results have no {gone[n.split(':')[0]]}" in n and "re-run `planner run`" in n
    assert main(["report", str(old)]) == 0
    html = (old / "report" / "report.html").read_text(encoding="utf-8")
    assert "lcoe: left out: these results have no cost_terms.csv" in html
    assert "reserve_margin: left out: these results have no firm_capacity.csv" in html


def test_report_refuses_folder_that_is_not_results(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "is not a results folder" in capsys.readouterr().err


def test_excel_never_writes_formulas(tmp_path):
    from openpyxl import load_workbook
    evil = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "plain", "a=b"]
    df = pd.DataFrame({"zone": evil, "value_mw": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    path = write_excel(tmp_path / "x.xlsx", {"t": df}, [("run", "=cmd|' /C calc'!A0")])
    wb = load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    got = [ws_c.value for ws_c in wb["t"]["A"][1:]]
    assert got == ["'" + v if v[0] in "=+-@\t" else v for v in evil]
    assert [c.value for c in wb["t"]["B"][1:]] == [1.0, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0]  # negative numbers stay numbers
    assert wb["about"]["B1"].value == "'=cmd|' /C calc'!A0"
    assert safe_text(-1.0) == -1.0


def test_compare_gives_the_differences_of_two_runs(results, example, tmp_path, capsys):
    spec = spec_copy(tmp_path, "example_dr3", "[settings]\ndiscount_rate = 0.03\n")
    run_spec(load_spec(spec), results)
    other = results / "example_dr3"
    out = tmp_path / "cmp"
    assert main(["compare", str(example), str(other), "--out", str(out)]) == 0
    assert "comparison against 'example'" in capsys.readouterr().out
    h = pd.read_csv(out / "headline.csv", keep_default_na=False).set_index(["metric", "period"])
    a, b = load_run(example), load_run(other)
    obj = h.loc[("objective", "all")]
    assert float(obj["value_example"]) == pytest.approx(a.meta["objective_usd"], rel=1e-9)
    assert float(obj["diff_example_dr3"]) == pytest.approx(
        b.meta["objective_usd"] - a.meta["objective_usd"], rel=1e-9)
    assert float(obj["rel_example_dr3"]) == pytest.approx(
        b.meta["objective_usd"] / a.meta["objective_usd"] - 1, rel=1e-9)
    new = h.loc[("new_capacity", "all")]
    assert float(new["diff_example_dr3"]) == pytest.approx(
        b.tables["new_capacity"]["new_mw"].sum() - a.tables["new_capacity"]["new_mw"].sum(), abs=1e-3)
    cap = pd.read_csv(out / "capacity_total.csv")
    assert cap["diff_example_dr3"].sum() == pytest.approx(
        b.tables["capacity"]["total_mw"].sum() - a.tables["capacity"]["total_mw"].sum(), abs=1e-3)
    assert (out / "compare.html").is_file()
    # partner capacity by zone side by side: each run's column sums that run's new_capacity per partner and zone
    pc = pd.read_csv(out / "partner_capacity_new.csv", keep_default_na=False)
    for n, run in (("example", a), ("example_dr3", b)):
        got = pc.groupby(["partner", "zone"])[f"new_mw_{n}"].sum()
        nc = run.tables["new_capacity"]
        want = (nc.assign(partner=nc["partner"].replace("", "(unattributed)"))
                .groupby(["partner", "zone"])["new_mw"].sum())
        assert got.reindex(want.index).to_numpy() == pytest.approx(want.to_numpy(), abs=1e-6)
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot") >= 3 and "compare-chart-0" in html


def test_compare_refuses_runs_over_other_periods_or_zones(results, example, tmp_path, capsys):
    spec = spec_copy(tmp_path, "example_2030", "")
    spec.write_text(spec.read_text().replace("[solver]", "periods = [2030]\n\n[solver]"))
    run_spec(load_spec(spec), results)
    assert main(["compare", str(example), str(results / "example_2030"), "--out", str(tmp_path / "c1")]) == 2
    assert "only runs over the same periods can be compared" in capsys.readouterr().err
    assert not (tmp_path / "c1").exists()

    renamed = tmp_path / "renamed"  # the same run with zone W called X
    shutil.copytree(example, renamed)
    for p in list(renamed.glob("*.csv")) + list((renamed / "inputs").glob("*.csv")):
        df = pd.read_csv(p, keep_default_na=False)
        for c in ("zone", "from_zone", "to_zone"):
            if c in df.columns:
                df[c] = df[c].replace("W", "X")
        df.to_csv(p, index=False)
    from planner.store import seal
    seal(renamed, "run")  # a consistent run over other zones: its checksums recorded again
    assert main(["compare", str(example), str(renamed), "--out", str(tmp_path / "c2")]) == 2
    assert "only runs over the same zones can be compared" in capsys.readouterr().err
    assert main(["compare", str(example)]) == 2


def test_weighted_quantile_by_hand():
    """Prices 10, 20, 30 standing for 1, 1, 2 hours: half the 4 hours are at or below 20, 90 % at or below 30."""
    import numpy as np

    from planner.report.tables import weighted_quantile
    v, w = np.array([30.0, 10.0, 20.0]), np.array([2.0, 1.0, 1.0])
    assert weighted_quantile(v, w, 0.25) == 10.0
    assert weighted_quantile(v, w, 0.5) == 20.0
    assert weighted_quantile(v, w, 0.9) == 30.0


def test_dispatch_window_is_the_week_around_the_peak():
    from planner.report.charts import dispatch_window
    steps = list(range(8760))
    load = pd.Series(1.0, index=steps)
    load[5000] = 9.0
    win = dispatch_window(steps, load)
    assert len(win) == 168 and 5000 in win
    load[5000], load[3] = 1.0, 9.0
    assert dispatch_window(steps, load) == list(range(168))  # clipped at the start of the year
    assert dispatch_window(steps[:48], load[:48]) == steps[:48]  # representative days: all of them


def test_report_of_a_one_zone_case_with_a_formula_like_name(tmp_path):
    """No corridors, no trade, no partners, and a technology called '=gas': the report is still made,
    and the workbook holds '=gas' as text, never as a formula."""
    from casekit import hours, write_case
    from openpyxl import load_workbook

    from planner.spec import RunSpec

    case = write_case(tmp_path / "case", timesteps=hours([1, 1, 1]),
                      demand=[{"zone": "A", "timestep": t, "demand_mw": d} for t, d in enumerate([10, 20, 30])],
                      technologies=[{"technology": "=gas", "kind": "thermal", "vom_usd_per_mwh": 50, "lifetime_yr": 30,
                                     "capex_usd_per_kw": 1}],
                      build_options=[{"zone": "A", "technology": "=gas"}])
    out = run_spec(RunSpec(name="mini", inputs=case), tmp_path / "results")
    folder = build_report(out.folder)
    cap = pd.read_csv(folder / "capacity.csv")
    # building costs 1000 USD/MW / 30 yr = 33 USD/MW-yr, an unserved MWh 1000 USD: build to the 30 MW peak
    assert cap["total_mw"].max() == pytest.approx(30.0)
    wb = load_workbook(folder / "report.xlsx")
    assert wb["capacity"]["B2"].value == "'=gas"
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_partner_section_equals_the_result_tables(example):
    """The partners table (CSV, HTML, workbook) holds each partner's MW and capex as new_capacity.csv sums them,
    and the share of the deficit closed as planner/analysis/deficit.py computes it from the stored results."""
    import re

    from openpyxl import load_workbook

    from planner.analysis.deficit import closed_by_owner
    from planner.store import read_results

    build_report(example)
    tables, _ = read_results(example)
    nc = tables["new_capacity"]
    p = pd.read_csv(example / "report" / "partners.csv").set_index("partner")
    assert set(nc.loc[nc["new_mw"] > 1e-6, "partner"]) <= set(p.index)
    closed = closed_by_owner(tables).set_index(["owner", "period"])["share_closed_pu"]
    html = (example / "report" / "report.html").read_text(encoding="utf-8")
    section = html[html.index("id='partners'"):html.index("</table>", html.index("id='partners'"))]
    for k in p.index:
        assert p.at[k, "new_mw"] == pytest.approx(nc.loc[nc["partner"] == k, "new_mw"].sum(), rel=1e-6)
        assert p.at[k, "capex_usd"] == pytest.approx(nc.loc[nc["partner"] == k, "capex_usd"].sum(), rel=1e-6)
        for period in (2030, 2035):
            assert p.at[k, f"share_closed_{period}_pu"] == pytest.approx(closed[(k, period)], abs=1e-9)
            assert style.pct(closed[(k, period)]) in section
        assert style.num(p.at[k, "new_mw"]) in section
        assert style.musd(p.at[k, "capex_usd"]) in section
    assert re.search(r"<td class='text'>TR</td>", section)

    wb = load_workbook(example / "report" / "report.xlsx")
    assert wb.sheetnames[:3] == ["about", "headline", "partners"]
    ws = wb["partners"]
    head = [c.value for c in ws[1]]
    assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "B2" and ws.auto_filter.ref
    col = {h: i for i, h in enumerate(head)}
    row = next(r for r in ws.iter_rows(min_row=2) if r[col["partner"]].value == "TR")
    assert row[col["new_mw"]].value == pytest.approx(p.at["TR", "new_mw"], rel=1e-9)
    assert row[col["new_mw"]].number_format == "#,##0"
    assert row[col["capex_usd"]].number_format == "#,##0"
    assert row[col["share_closed_2030_pu"]].number_format == "0.0%"
    assert wb["prices" if "prices" in wb.sheetnames else "price_statistics"]["C2"].number_format == "#,##0.00"
    ws = wb["assumptions"]
    head = [c.value for c in ws[1]]
    wacc = next(r for r in ws.iter_rows(min_row=2) if str(r[0].value).startswith("cost of capital"))
    assert wacc[head.index("value")].number_format == "0.0##%"  # 0.09 shows as 9%, 0.075 as 7.5%


def test_assumption_sources_are_quoted_not_guessed():
    """A SOURCES.md cell lists items one by one: the clause of the item is quoted with its own label; a clause
    without a label takes the cell's only when the cell uses one kind; a figure without a row says so."""
    from planner.report.assumptions import parse_sources, source_of

    text = ("""## `technologies.csv`

| column | source |
|---|---|
| `capex_usd_per_kw` | coal 1,508 (IIASA coal_ppl 2030; not buildable); """  # one table row, split to fit the line
            """gas_ocgt 639 (DERIVED: DNV CCGT x ratio); wind 1,309 (IIASA). [`CAPEX`] |

## `partners.csv`

| column | source |
|---|---|
| `wacc` | ASSUMPTION, per year: KZ 0.10 = base rate. TR 0.12: commercial finance (no sovereign backing). |
""")
    src = parse_sources(text)
    assert source_of(src, "technologies.csv", "capex_usd_per_kw", "gas_ocgt") == (
        "derived", "gas_ocgt 639 (DERIVED: DNV CCGT x ratio)")
    # wind's clause has no label of its own: gas_ocgt's DERIVED is not borrowed
    assert source_of(src, "technologies.csv", "capex_usd_per_kw", "wind") == (
        "see the source text", "wind 1,309 (IIASA).")
    # the wacc cell opens with ASSUMPTION, a label for the whole list
    assert source_of(src, "partners.csv", "wacc", "TR") == (
        "assumption", "TR 0.12: commercial finance (no sovereign backing).")
    assert source_of(src, "partners.csv", "wacc", "KZ")[1] == "ASSUMPTION, per year: KZ 0.10 = base rate"
    assert source_of(src, "fuels.csv", "price_usd_per_mwh_th", "gas") == ("not documented in the case", "")


def test_placement_tables_beside_the_run_join_the_partner_section(results, example):
    """A placement study's folder beside the run (results/<name>-placement-<K>/) is read: its tables appear in the
    HTML partner section (the programme curve and robustness ranges also as charts) and as workbook sheets."""
    from openpyxl import load_workbook

    folder = results / "example-placement-TR"
    folder.mkdir(exist_ok=True)
    pd.DataFrame({"size": [0, 500, 1000], "unit": "MW", "period": 2030,
                  "premium_present_value_usd": [0.0, 1e8, 3e8]}).to_csv(folder / "programme.csv", index=False)
    pd.DataFrame({"zone": ["N", "S"], "least_cost_mw": [0.0, 900.0], "min_mw": [0.0, 700.0],
                  "max_mw": [200.0, 1000.0]}).to_csv(folder / "alternatives.csv", index=False)
    pd.DataFrame({"zone": ["N", "S"], "technology": ["gas_ccgt", "wind"], "period": [2030, 2030],
                  "capex_usd_per_kw": [912.5, None], "note": ["", None]}).to_csv(folder / "break_even.csv", index=False)
    try:
        build_report(example)
        html = (example / "report" / "report.html").read_text(encoding="utf-8")
        section = html[html.index("id='partners'"):html.index("<h2>", html.index("id='partners'") + 5)]
        assert "Placement study: where" in section and "Break-even capex and WACC of every site" in section
        assert "912" in section  # 912.5 USD/kW at three significant digits
        assert "id=\"example-placement-TR-programme\"" in section
        assert "id=\"example-placement-TR-alternatives\"" in section
        wb = load_workbook(example / "report" / "report.xlsx")
        assert {"placement_programme", "placement_alternatives", "placement_break_even"} <= set(wb.sheetnames)
        assert wb["placement_break_even"]["D2"].value == 912.5
    finally:
        shutil.rmtree(folder)
        build_report(example)
