"""CONTRIBUTING.md's counts of files to touch, checked by adding a dummy of each.

A constraint family is its module plus one entry in ``build.MODULES`` (and its test); a study is one module
in planner/studies/ (and its test), its section of a run's report included; a chart is one function under
``@chart`` in planner/report/charts.py.
Each dummy below is added exactly that way (the one entry monkeypatched in, the module written to a
temporary folder), and what CONTRIBUTING.md says reads the module without an edit is then checked.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

ROOT = Path(__file__).resolve().parents[1]


def _dummy_family() -> types.ModuleType:
    mod = types.ModuleType("planner.model.dummy_family", """Dummy family: cap[z,g,p] <= 10^9 (MW);
    a dummy output y[z,p,t] >= 0 costing 1 USD/MW-step, registered per zone (cost ``dummy``).""")

    def add(m, d):
        from planner.model.registry import Key, registry

        m.dummy_cap = pyo.Constraint(list(m.cap.keys()), rule=lambda m, z, g, p: m.cap[z, g, p] <= 1e9,
                                     doc="A limit that never binds (MW)")
        m.dummy_y = pyo.Var(d.ZONES, d.PERIODS, d.TIMESTEPS, within=pyo.NonNegativeReals)
        registry(m).add_cost("dummy", lambda p: ((Key(z), sum(m.dummy_y[z, p, t] for t in d.TIMESTEPS))
                                                 for z in d.ZONES))
    mod.add = add
    mod.CONSTRAINTS = ("dummy_cap",)
    mod.INPUTS = {"dummy_cap": "nothing: a dummy"}
    mod.SHADOW_PRICES = {"dummy_cap": ("USD/MW", False)}
    mod.TIME_VARIABLES = ("dummy_y",)
    mod.MONEY_ROWS = ("dummy_cap",)  # (not in USD: declared here only to see that placement reads the list)
    return mod


def test_a_family_is_its_module_and_one_entry_in_modules(monkeypatch):
    """build_model adds its rows, an infeasible row would be explained with its INPUTS, the docs list it and
    the shadow-price table reads it: nothing but ``MODULES`` was edited."""
    from planner.docs import model_markdown
    from planner.load import load_case
    from planner.model import build
    from planner.model.data import prepare
    from planner.results import cost_terms, shadow_prices
    from planner.solve import Solution

    mod = _dummy_family()
    monkeypatch.setattr(build, "MODULES", (*build.MODULES, mod))
    m = build.build_model(prepare(load_case(ROOT / "inputs" / "example")))
    assert len(m.dummy_cap) == len(m.cap) > 0
    assert m._inputs["dummy_cap"] == "nothing: a dummy"
    assert "dummy_family" in model_markdown()
    d = prepare(load_case(ROOT / "inputs" / "example"))
    sp = shadow_prices(m, d, Solution(status="optimal", objective=0.0, duals={}))
    assert (sp["constraint"] == "dummy_cap").sum() == len(m.dummy_cap)
    # its registered cost is in the objective and, by key, in results' cost_terms; decomposition and placement
    # read its TIME_VARIABLES and MONEY_ROWS
    for v in m.component_data_objects(pyo.Var):
        v.set_value(1.0 if v.parent_component() is m.dummy_y else 0.0, skip_validation=True)
    ct = cost_terms(m, d)
    dummy = ct[ct["category"] == "dummy"]
    assert sorted(dummy["zone"].unique()) == sorted(d.ZONES)
    assert dummy["annual_usd"].tolist() == [float(len(d.TIMESTEPS))] * len(d.ZONES) * len(d.PERIODS)
    from planner.decompose import time_variables
    from planner.studies.placement import money_rows

    assert "dummy_y" in time_variables() and "dummy_cap" in money_rows()


DUMMY_STUDY = '''NAME = "dummy-study"
HELP = "a dummy"


def add_arguments(p):
    p.add_argument("--x", type=int)


def run(args):
    return 0 if args.x == 7 else 1


def report_section(run):
    from pathlib import Path

    from planner.studies import Section

    mark = Path(run.folder).parent / f"{run.name}-dummy-study.txt"
    if not mark.is_file():
        return None
    import pandas as pd

    return Section(f"<h2 id='dummy-study'>{mark.read_text()}</h2>", {"dummy_sheet": pd.DataFrame({"a": [1]})})
'''


def test_a_study_is_one_module(tmp_path, monkeypatch):
    """A module with the study contract, in the package's folder, is a subcommand of the CLI and runs; its
    ``report_section`` puts what it stored beside a run into that run's report (HTML after the partner section,
    its table as a sheet of report.xlsx) and adds nothing where it stored nothing."""
    import planner.studies as studies
    from planner.cli import main, parser
    from planner.report import build_report
    from planner.runner import run_spec
    from planner.spec import load_spec

    code = tmp_path / "code"
    code.mkdir()
    (code / "dummy_study.py").write_text(DUMMY_STUDY)
    monkeypatch.setattr(studies, "__path__", [*studies.__path__, str(code)])
    monkeypatch.delitem(sys.modules, "planner.studies.dummy_study", raising=False)
    try:
        assert "dummy_study" in studies.study_names()
        sub = next(a for a in parser()._actions if a.dest == "command")
        assert "dummy-study" in sub.choices
        assert main(["dummy-study", "--x", "7"]) == 0

        spec = load_spec(ROOT / "models" / "example.toml")
        out = run_spec(spec, tmp_path / "results", report=False)
        assert studies.report_sections(types.SimpleNamespace(folder=out.folder, name="example")) == []
        (tmp_path / "results" / "example-dummy-study.txt").write_text("dummy section")
        report = build_report(out.folder)
        html = (report / "report.html").read_text(encoding="utf-8")
        assert html.index("id='partners'") < html.index("<h2 id='dummy-study'>dummy section</h2>") < html.index(
            'id="chart-map"')
        from openpyxl import load_workbook

        assert load_workbook(report / "report.xlsx")["dummy_sheet"]["A2"].value == 1
    finally:
        sys.modules.pop("planner.studies.dummy_study", None)


def test_a_chart_is_one_function_under_its_decorator(monkeypatch):
    """@chart registers it: the report draws it and the browser test's count includes it."""
    from planner.report import charts, figures

    before = figures.expected_charts(2)
    monkeypatch.setattr(charts, "CHARTS", list(charts.CHARTS))

    @charts.chart("dummy", "Dummy", "a dummy chart", per_period=True)
    def fig_dummy(c):
        return f"figure {c.period}"

    assert figures.expected_charts(2) == before + 2
    monkeypatch.setattr(charts, "CHARTS", [c for c in charts.CHARTS if c.key == "dummy"])
    run = types.SimpleNamespace(tables={"capacity": pd.DataFrame({"technology": []}),
                                        "dispatch": pd.DataFrame({"technology": []})}, periods=[2030, 2040],
                                meta={})
    drawn = figures.draw_all(run, {})
    assert [(div, fig) for div, _, _, fig in drawn] == [("chart-dummy-2030", "figure 2030"),
                                                        ("chart-dummy-2040", "figure 2040")]
