"""The README's first command, ``planner run`` with no argument, end to end (issue #14's done-when).

The default Kazakhstan model (models/kazakhstan.toml: four periods, 6 + 1 representative days) is solved
exactly as a user runs it, in a subprocess from the repository root. Its results and report must be
written, every deficit it prints must be the one of planner/analysis/deficit.py, and its report must open in
headless chromium with no network, every chart drawn, the real map, and the partner section whose
figures are the result tables'. This is the suite's heaviest test: a few minutes of HiGHS.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_report_browser import check_drawn, render

from planner.analysis.deficit import closed_by_owner, system_deficit, zone_deficits
from planner.cli import DEFAULT_MODEL
from planner.spec import load_spec
from planner.store import read_results

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("default")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANNER_CACHE_DIR": str(tmp / "cache")}
    res = subprocess.run([sys.executable, "-m", "planner", "run", "--results", str(tmp / "results")], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=3600)
    assert res.returncode == 0, res.stderr[-3000:]
    return tmp / "results" / load_spec(ROOT / DEFAULT_MODEL).name, res


def test_the_default_run_writes_results_and_report_with_one_deficit(default_run):
    folder, res = default_run
    assert "warning" not in res.stderr, res.stderr  # no fallback of any kind on the project's own case
    tables, meta = read_results(folder)
    assert meta["status"] == "optimal"
    periods = load_spec(ROOT / DEFAULT_MODEL).periods
    zd = zone_deficits(tables)
    before, after = system_deficit(zd, "deficit_before_mw"), system_deficit(zd, "deficit_after_mw")
    assert sorted(before) == sorted(periods)
    # one figure per period wherever a deficit is printed: the summary, the report's system table
    summary = (folder / "summary.txt").read_text(encoding="utf-8")
    report_system = pd.read_csv(folder / "report" / "deficit_system.csv")
    report_system = report_system[report_system["scope"] == "system"].set_index("period")
    for p in periods:
        assert f"  {p}: {before[p]:,.0f} MW with the existing fleet, {after[p]:,.0f} MW after new builds" in summary
        assert report_system.at[p, "deficit_before_mw"] == pytest.approx(before[p], rel=1e-12)
        assert report_system.at[p, "deficit_after_mw"] == pytest.approx(after[p], rel=1e-12)
    # the zones add up to the system, and the owners' closed shares to what all new builds close
    closed = closed_by_owner(tables, zd)
    for p in periods:
        if before[p] > 1e-6:
            assert closed.loc[closed["period"] == p, "closed_mw"].sum() == pytest.approx(before[p] - after[p],
                                                                                        abs=1e-3)


def test_the_default_runs_report_shows_the_partners_and_the_map_in_a_browser(default_run, tmp_path):
    folder, _ = default_run
    probe, dom = render(folder / "report" / "report.html", tmp_path)
    check_drawn(probe, dom, periods=len(load_spec(ROOT / DEFAULT_MODEL).periods))
    # the partner section, with each partner's MW as new_capacity.csv sums them
    tables, _ = read_results(folder)
    nc = tables["new_capacity"]
    partners = pd.read_csv(folder / "report" / "partners.csv").set_index("partner")
    start = dom.index('id="partners"')
    section = dom[start:dom.index("</table>", start)]
    assert "TR" in partners.index, "TR is the report's highlighted partner and must have a row"
    for k in partners.index:
        mw = nc.loc[nc["partner"] == k, "new_mw"].sum()
        assert partners.at[k, "new_mw"] == pytest.approx(mw, rel=1e-6, abs=1e-6)
        assert f">{k}</td>" in section
        assert f"{mw:,.0f}" in section
