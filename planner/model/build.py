"""Stage 2: build the LP, flat, top to bottom.

sets and parameters (data.prepare) -> variables and constraint families, one
module each -> nodal balance from the registered injections -> objective from
the registered costs. ``MODULES`` lists the constraint families once; ``FAMILIES``
(family -> its constraints) is derived from it and is what the coverage test checks.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model import (
    balance,
    build_limits,
    capacity,
    co2,
    commitments,
    dispatch,
    fuel_limits,
    hydro,
    import_share,
    objective,
    partners,
    renewable_share,
    reserve,
    storage,
    trade,
    transmission,
)
from planner.model.data import ModelData
from planner.model.registry import Registry

# every constraint family, once, in build order: ``build_model`` calls each ``add`` in this order. A family
# module is a vertical slice: its rows (``add``, equation in the docstring), ``CONSTRAINTS`` (the Pyomo
# constraints it declares), ``INPUTS`` (the inputs behind each, for explaining an infeasible model), optionally
# ``SHADOW_PRICES`` (the duals results report) and its row scaling (registry.scaled). balance sums the injections
# registered before it, so a family that injects comes before balance (the registry refuses one after).
MODULES = (
    capacity,          # new_cap, cap, ecap; investment and fixed O&M
    build_limits,
    dispatch,          # gen; variable O&M and fuel
    storage,
    hydro,
    transmission,
    trade,
    balance,           # unserved energy; sums every injection registered above
    reserve,
    co2,
    renewable_share,
    import_share,
    fuel_limits,
    partners,
    commitments,       # partner_commitments.csv, when the run spec switches it on
)

# constraint family -> the Pyomo constraints it declares (the coverage test checks each has a test)
FAMILIES: dict[str, tuple[str, ...]] = {mod.__name__.rsplit(".", 1)[1]: mod.CONSTRAINTS for mod in MODULES}

# Pyomo constraint or variable name -> the input columns that set it (explaining an infeasible model)
INPUTS: dict[str, str] = {name: text for mod in MODULES for name, text in mod.INPUTS.items()}


def build_model(d: ModelData) -> pyo.ConcreteModel:
    """Every family of ``MODULES`` in order, then the objective (the sum of every registered cost)."""
    m = pyo.ConcreteModel(name="planner")
    m._registry = Registry()
    m._row_scale = {}
    m._inputs = {name: text for mod in MODULES for name, text in mod.INPUTS.items()}
    m._techs_in = {z: [g for zz, g in d.ZG if zz == z] for z in d.ZONES}
    for mod in MODULES:
        mod.add(m, d)
    objective.add(m, d)
    return m
