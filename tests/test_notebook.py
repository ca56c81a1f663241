"""docs/example.ipynb runs from start to end, headless (nbclient and ipykernel, the test extras), and computes the
example's pinned objective (tests/test_reference_cases.py: 29.935 bn USD)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent


def test_the_example_notebook_runs(monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE", "off")  # the kernel inherits it: nothing written outside the notebook's temp
    nb = nbformat.read(ROOT / "docs" / "example.ipynb", as_version=4)
    where = {"metadata": {"path": str(ROOT / "docs")}}  # the working folder of a notebook opened in docs/
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources=where)
    client.execute()
    objective = next(c for c in nb.cells if "objective" in c.metadata.get("tags", []))
    text = "".join(o.get("text", "") for o in objective.outputs)
    assert "example: optimal, objective 29.935 bn USD (present value, base year 2030)" in text
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
