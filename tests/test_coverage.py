"""Fails when a constraint family has no behavioural test.

A test claims a family with ``@pytest.mark.family("<name>")`` (see conftest.py,
whose fixture also fails that test when none of the family's constraints has a
row in the models it built). Here we check the claims cover everything:
every family in ``FAMILIES`` and every constraint module in planner/model/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pyomo.environ as pyo

import planner.model
from planner.load import load_case
from planner.model.build import FAMILIES, build_model
from planner.model.data import prepare

TESTS = Path(__file__).parent
MODEL_DIR = Path(planner.model.__file__).parent
EXAMPLE = TESTS.parent / "inputs" / "example"
NOT_FAMILIES = {"__init__", "data", "registry", "build", "objective"}


def constraint_modules() -> set[str]:
    return {p.stem for p in MODEL_DIR.glob("*.py")} - NOT_FAMILIES


def claimed_families() -> dict[str, list[str]]:
    """family -> tests that carry @pytest.mark.family(family), read from the test sources."""
    out: dict[str, list[str]] = {}
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test"):
                continue
            for dec in node.decorator_list:
                if (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "family"):
                    for arg in dec.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            out.setdefault(arg.value, []).append(f"{path.name}::{node.name}")
    return out


def test_every_constraint_module_is_a_family():
    missing = constraint_modules() - set(FAMILIES)
    assert not missing, f"planner/model/ has constraint modules not listed in build.FAMILIES: {sorted(missing)}"


def test_every_family_has_a_behavioural_test():
    claimed = claimed_families()
    missing = sorted((set(FAMILIES) | constraint_modules()) - set(claimed))
    assert not missing, (f"constraint families with no test marked @pytest.mark.family(...): {missing}; "
                         "add a small case whose optimum is worked out by hand")


def test_families_name_real_constraints():
    """FAMILIES must list the constraints the build really declares (built, not solved)."""
    m = build_model(prepare(load_case(EXAMPLE)))
    for family, names in FAMILIES.items():
        for name in names:
            comp = getattr(m, name, None)
            assert isinstance(comp,
                              pyo.Constraint), f"FAMILIES[{family!r}] names {name!r}, which the model does not declare"
    declared = {c.local_name for c in m.component_objects(pyo.Constraint)}
    listed = {n for names in FAMILIES.values() for n in names}
    assert declared <= listed, f"constraints declared by no family in FAMILIES: {sorted(declared - listed)}"
