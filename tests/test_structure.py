"""The structure every constraint family shares: one row-scaling helper, vertical slices, a reproducible LP."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest

from planner.explain import INPUTS
from planner.model.build import FAMILIES, MODULES
from planner.model.registry import scaled

ROOT = Path(__file__).resolve().parents[1]


def _model() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m._row_scale = {}
    m.x = pyo.Var()
    return m


@pytest.mark.parametrize("relation, body, lower, upper", [
    (lambda m: 4.0 * m.x <= 10.0, 2.0, None, 5.0),
    (lambda m: 4.0 * m.x >= 10.0, 2.0, 5.0, None),
    (lambda m: 4.0 * m.x == 10.0, 2.0, 5.0, 5.0),
    (lambda m: pyo.inequality(2.0, 4.0 * m.x, 10.0), 2.0, 1.0, 5.0),
])
def test_scaled_rows_have_both_sides_multiplied_and_the_factor_recorded(relation, body, lower, upper):
    """4 x <= 10 scaled by 1/2 is 2 x <= 5: the coefficient and the bound move together."""
    m = _model()
    m.c = pyo.Constraint([1], rule=scaled(m, "c", 0.5, lambda m, i: relation(m)))
    m.x.set_value(1.0)
    c = m.c[1]
    assert pyo.value(c.body) == pytest.approx(body)
    assert (pyo.value(c.lower) if c.lower is not None else None) == lower
    assert (pyo.value(c.upper) if c.upper is not None else None) == upper
    assert m._row_scale == {"c": 0.5}


def test_a_row_without_decision_passes_through_and_a_scale_is_recorded_once():
    m = _model()
    rule = scaled(m, "c", 0.5, lambda m, i: 0 <= 1)
    assert rule(m, 1) is True
    with pytest.raises(ValueError, match="recorded twice"):
        scaled(m, "c", 2.0, lambda m, i: m.x <= 1)
    with pytest.raises(TypeError, match="relation"):
        scaled(m, "d", 2.0, lambda m, i: 3 * m.x)(m, 1)


def test_the_dual_of_a_scaled_row_reads_in_the_unscaled_units():
    """min 3 x  s.t. 4 x >= 10 (written scaled by 1/8760): x = 2.5, objective 7.5, and the dual of the
    unscaled row is 3/4 = 0.75 (objective per unit of its right-hand side), whatever the scale."""
    from planner.solve import solve

    m = _model()
    m.x.setlb(0)
    m.c = pyo.Constraint([1], rule=scaled(m, "c", 1 / 8760, lambda m, i: 4 * m.x >= 10))
    m.obj = pyo.Objective(expr=3 * m.x)
    sol = solve(m, {"method": "simplex"})
    assert sol.objective == pytest.approx(7.5)
    assert sol.duals[m.c[1]] == pytest.approx(0.75)


def test_each_family_declares_exactly_the_constraints_it_lists(monkeypatch):
    """Build the example with each family's ``add`` wrapped to record the Pyomo constraints it created: they
    must be its ``CONSTRAINTS``, and together every constraint of the model (none undeclared, none twice)."""
    from planner.load import load_case
    from planner.model.data import prepare

    created: dict[str, set[str]] = {}

    def recording(mod):
        add = mod.add

        def wrapped(m, d):
            before = {c.name for c in m.component_objects(pyo.Constraint)}
            add(m, d)
            created[mod.__name__.rsplit(".", 1)[1]] = {c.name for c in m.component_objects(pyo.Constraint)} - before
        return wrapped
    for mod in MODULES:
        monkeypatch.setattr(mod, "add", recording(mod))
    from planner.model.build import build_model

    m = build_model(prepare(load_case(ROOT / "inputs" / "example")))
    assert created == {name: set(cs) for name, cs in FAMILIES.items()}
    listed = [c for cs in FAMILIES.values() for c in cs]
    assert len(listed) == len(set(listed))
    assert {c.name for c in m.component_objects(pyo.Constraint)} == set(listed)


def test_each_family_owns_its_explanations_and_shadow_prices():
    for mod in MODULES:
        name = mod.__name__.rsplit(".", 1)[1]
        assert set(mod.CONSTRAINTS) <= set(mod.INPUTS), f"{name}: a constraint without its inputs explained"
        assert set(getattr(mod, "SHADOW_PRICES", {})) <= set(mod.CONSTRAINTS)
        assert (mod.__doc__ or "").strip(), f"{name}: no docstring with its equations"
    assert {c for cs in FAMILIES.values() for c in cs} <= set(INPUTS)


_LP = """
import hashlib, sys
import numpy as np
from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.solve import compile_lp
lp = compile_lp(build_model(prepare(load_case(sys.argv[1])))).lp
h = hashlib.sha256()
for x in (lp.col_cost_, lp.row_lower_, lp.row_upper_, lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_):
    h.update(np.asarray(x).tobytes())
print(h.hexdigest())
"""


def test_the_lp_is_the_same_bit_for_bit_in_every_python_process(tmp_path):
    """Python orders a set of strings differently in each process (its hash seed). A sum taken over a
    set, such as the peak demand of a reserve region, would change in its last bit from one process to
    the next, and with it the LP, and in a degenerate LP which of the optimal dispatches is reported.
    Forty zones of demands 0.1, 0.2, ..., 4.0 MW: their float sum depends on the order of addition."""
    from casekit import demand, existing, hours, tech, write_case

    zones = [f"Z{i:02d}" for i in range(40)]
    case = write_case(tmp_path / "c", zones=[{"zone": z, "region": "R"} for z in zones],
                      technologies=[tech("gas", vom_usd_per_mwh=10, capex_usd_per_kw=500, capacity_credit_pu=0.9)],
                      existing_capacity=[existing(z, "gas", 1) for z in zones],
                      build_options=[{"zone": "Z00", "technology": "gas"}],
                      reserve_margins=[{"region": "R", "period": 2030, "margin_pu": 0.15}],
                      timesteps=hours([1]), demand=demand({z: [0.1 * (i + 1)] for i, z in enumerate(zones)}))
    digests = {subprocess.run([sys.executable, "-c", _LP, str(case)], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (1, 2, 3)}
    assert len(digests) == 1


def test_validating_a_spec_leaves_it_unchanged(tmp_path):
    from planner.spec import RunSpec, validate_spec

    spec = RunSpec(name="s", inputs=tmp_path, settings={"discount_rate": "0.05"})
    checked = validate_spec(spec)
    assert spec.settings == {"discount_rate": "0.05"}
    assert checked.settings == {"discount_rate": 0.05}
