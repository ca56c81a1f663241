"""The ``family`` marker: each behavioural test names the constraint family it covers.

``@pytest.mark.family("storage")`` declares the test covers planner/model/storage.py.
After the test, the fixture below checks that some model the test built (through
casekit.solve_case) has rows in at least one of that family's constraints, so a
test cannot claim a family its case never exercises. tests/test_coverage.py checks
that every family is claimed by at least one test.
"""

from __future__ import annotations

import casekit
import pytest

from planner.model.build import FAMILIES


def pytest_configure(config):
    config.addinivalue_line("markers", "family(name): the constraint family (planner/model/<name>.py) a test covers")


@pytest.fixture(autouse=True)
def _family_exercised(request):
    casekit.BUILT.clear()
    yield
    names = [a for mk in request.node.iter_markers("family") for a in mk.args]
    for name in names:
        comps = FAMILIES.get(name)
        assert comps, f"unknown family {name!r} in the marker of {request.node.nodeid}; known: {sorted(FAMILIES)}"
        rows = {c: max((len(getattr(m, c)) for m in casekit.BUILT), default=0) for c in comps}
        assert any(rows.values()), (f"{request.node.nodeid} claims family {name!r} but no model it built has rows in "
                                    f"any of {comps}")
    casekit.BUILT.clear()
