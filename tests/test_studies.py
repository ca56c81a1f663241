"""The study contract (planner/studies/__init__.py): every study listed once, registered by the CLI, one folder rule."""

from __future__ import annotations

from pathlib import Path

import pytest

import planner.studies as studies
from planner.cli import PIPELINE, parser
from planner.spec import RunSpec


@pytest.mark.parametrize("name", studies.STUDIES)
def test_each_study_keeps_the_contract(name):
    mod = studies.load(name)
    assert isinstance(mod.NAME, str) and mod.NAME and isinstance(mod.HELP, str) and mod.HELP
    assert callable(mod.add_arguments) and callable(mod.run)


def test_the_cli_registers_every_study_and_pipeline_command_once():
    sub = next(a for a in parser()._actions if a.dest == "command")
    names = [c.NAME for c in PIPELINE] + [s.NAME for s in studies.all_studies()]
    assert list(sub.choices) == names
    assert len(set(names)) == len(names)


def test_a_module_without_the_contract_is_refused(monkeypatch):
    monkeypatch.setattr(studies, "CONTRACT", (*studies.CONTRACT, "no_such_attribute"))
    with pytest.raises(TypeError, match="no_such_attribute"):
        studies.load("sweep")


def test_one_rule_names_every_results_folder(tmp_path):
    spec = RunSpec(name="kz", inputs=tmp_path)
    assert studies.results_folder(spec, "sweep") == Path("results/kz-sweep")
    assert studies.results_folder(spec, "partner-value", "TR", tmp_path) == tmp_path / "kz-partner-value-TR"


def test_study_tables_are_written_whole(tmp_path):
    import pandas as pd

    folder = studies.write_tables(tmp_path / "s", {"a": pd.DataFrame({"x": [1.5]})},
                                  extra=lambda tmp: (tmp / "note.txt").write_text("n"))
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv", "note.txt", "run.json"]  # run.json: the marker

    def fail(tmp: Path) -> None:
        raise RuntimeError("interrupted")
    with pytest.raises(RuntimeError):
        studies.write_tables(tmp_path / "s", {"b": pd.DataFrame({"x": [2]})}, extra=fail)
    # the earlier result stands
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["a.csv", "note.txt", "run.json"]
