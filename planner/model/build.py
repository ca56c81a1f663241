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

# every constraint family, once, in build order. A family module is a vertical slice: its rows
# (``add``, equation in the docstring), ``CONSTRAINTS`` (the Pyomo constraints it declares), ``INPUTS``
# (the inputs behind each, for explaining an infeasible model), optionally ``SHADOW_PRICES`` (the
# duals results report) and its row scaling (registry.scaled).
MODULES = (capacity, build_limits, dispatch, balance, storage, hydro, transmission, trade, reserve, co2,
           renewable_share, import_share, fuel_limits, partners, commitments)

# constraint family -> the Pyomo constraints it declares (the coverage test checks each has a test)
FAMILIES: dict[str, tuple[str, ...]] = {mod.__name__.rsplit(".", 1)[1]: mod.CONSTRAINTS for mod in MODULES}


def build_model(d: ModelData) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name="planner")
    m._registry = Registry()
    m._row_scale = {}
    m._techs_in = {z: [g for zz, g in d.ZG if zz == z] for z in d.ZONES}

    capacity.add(m, d)          # new_cap, cap, ecap; investment and fixed O&M
    build_limits.add(m, d)
    dispatch.add(m, d)          # gen; variable O&M and fuel
    storage.add(m, d)
    hydro.add(m, d)
    transmission.add(m, d)
    trade.add(m, d)
    balance.add_unserved(m, d)
    balance.add(m, d)           # sums every registered injection
    reserve.add(m, d)
    co2.add(m, d)
    renewable_share.add(m, d)
    import_share.add(m, d)
    fuel_limits.add(m, d)
    partners.add(m, d)
    commitments.add(m, d)       # partner_commitments.csv, when the run spec switches it on
    objective.add(m, d)         # sums every registered cost
    return m
