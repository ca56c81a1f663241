"""docs/inputs.md and docs/model.md are generated from the code and must not drift from it."""

import csv
import re
from pathlib import Path

import pytest

from planner.docs import inputs_markdown, model_markdown
from planner.model.build import MODULES

ROOT = Path(__file__).parent.parent
CASES = sorted(p.parent for p in (ROOT / "inputs").glob("*/settings.csv"))


def test_inputs_doc_is_current():
    committed = (ROOT / "docs" / "inputs.md").read_text()
    assert committed == inputs_markdown(), "docs/inputs.md is stale: run `planner docs`"


def test_model_doc_is_current():
    committed = (ROOT / "docs" / "model.md").read_text()
    assert committed == model_markdown(), "docs/model.md is stale: run `planner docs`"


def _documented() -> dict[str, dict[str, str]]:
    """file -> {column: meaning}, read back from the committed docs/inputs.md."""
    out: dict[str, dict[str, str]] = {}
    file = None
    for line in (ROOT / "docs" / "inputs.md").read_text().splitlines():
        heading = re.match(r"## `([^`]+\.csv)`", line)
        if heading:
            file = heading.group(1)
            out[file] = {}
        row = re.match(r"\| `([^`]+)` \|(.*)\|$", line)
        if row and file:
            out[file][row.group(1)] = row.group(2).split("|")[-1].strip()
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_column_of_every_shipped_case_is_documented_with_its_meaning(case):
    """Read from the files on disk and the committed document, not from the schema that generates it."""
    documented = _documented()
    for path in sorted(case.glob("*.csv")):
        with open(path, newline="") as f:
            header = next(csv.reader(f))
        assert path.name in documented, f"{path.name} of {case.name} is not in docs/inputs.md"
        undocumented = [c for c in header if not documented[path.name].get(c)]
        assert not undocumented, f"{case.name}/{path.name}: columns without a meaning in docs/inputs.md: {undocumented}"


def test_every_constraint_family_is_in_the_model_doc_with_its_equations():
    text = (ROOT / "docs" / "model.md").read_text()
    for mod in MODULES:
        name = mod.__name__.rsplit(".", 1)[1]
        assert f"## `{name}`" in text
        assert "=" in (mod.__doc__ or ""), f"{name}: no equation in its docstring"
        for c in mod.CONSTRAINTS:
            assert f"| `{c}` |" in text


@pytest.mark.parametrize("sub", ["", "sub"])
def test_docs_into_a_file_is_exit_2_naming_the_option(tmp_path, capsys, sub):
    """``--dir afile`` and ``--dir afile/sub``: a clear message naming --dir, no traceback, the file untouched."""
    from planner.cli import main

    afile = tmp_path / "afile"
    afile.write_text("mine")
    assert main(["docs", "--dir", str(afile / sub) if sub else str(afile)]) == 2
    err = capsys.readouterr().err
    assert "- --dir:" in err and "is a file, not a folder" in err and "Traceback" not in err
    assert afile.read_text() == "mine"


def test_docs_into_a_folder_that_cannot_be_written_is_exit_2(tmp_path, capsys, monkeypatch):
    import planner.docs
    from planner.cli import main

    def refuse(folder):
        raise PermissionError(13, "Permission denied", str(folder))
    monkeypatch.setattr(planner.docs, "write_docs", refuse)
    assert main(["docs", "--dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "- --dir:" in err and "cannot be written (Permission denied)" in err
