"""Pinned reference cases. Any change to a pinned number says why in its commit.

History:
- example: 28,284,841,186.63 USD — first pinned (engine foundation + partners).
- example: 29,935,158,076.93 USD — capacity retiring mid-period now counts only for the years it serves
  (the 9 GW North coal cohort retiring in 2033 gives 60 % of its capacity to period 2030-34, not 100 %),
  so more is built in 2030.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.run import run_spec
from planner.spec import load_spec

ROOT = Path(__file__).parent.parent


def test_example_objective_is_pinned():
    out = run_spec(load_spec(ROOT / "models" / "example.toml"), None)
    assert out.meta["objective_usd"] == pytest.approx(29_935_158_076.93, rel=1e-6)
    # the Turkish partner builds exactly what its envelopes (2 x 1.5 bn USD) buy at its capex
    tr = out.tables["new_capacity"].query("partner == 'TR'")
    assert tr["capex_usd"].sum() == pytest.approx(3.0e9, rel=1e-6)
