"""docs/inputs.md is generated from the schema and must not drift from it."""

from pathlib import Path

from planner.docs import inputs_markdown
from planner.schema import TABLES

ROOT = Path(__file__).parent.parent


def test_inputs_doc_is_current():
    committed = (ROOT / "docs" / "inputs.md").read_text()
    assert committed == inputs_markdown(), "docs/inputs.md is stale: run `planner docs`"


def test_every_column_is_documented():
    text = inputs_markdown()
    for t in TABLES:
        assert f"`{t.file}`" in text
        for c in t.columns:
            assert f"`{c.name}`" in text and c.meaning in text
