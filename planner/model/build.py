"""Stage 2: build the LP, flat, top to bottom.

sets and parameters (data.prepare) -> variables and constraint families, one
module each -> nodal balance from the registered injections -> objective from
the registered costs. ``FAMILIES`` is the list the coverage test checks.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model import (balance, build_limits, capacity, co2, commitments, dispatch, fuel_limits, hydro, import_share,
                           objective, partners, renewable_share, reserve, storage, trade, transmission)
from planner.model.data import ModelData
from planner.model.registry import Registry

# constraint family module -> the Pyomo constraints it declares
FAMILIES: dict[str, tuple[str, ...]] = {
    "capacity": ("capacity_def", "energy_def"),
    "build_limits": ("build_max", "build_min", "build_potential"),
    "dispatch": ("dispatch_max", "dispatch_min"),
    "balance": ("balance",),
    "storage": ("storage_soc", "storage_energy", "storage_charge", "storage_discharge"),
    "hydro": ("hydro_budget",),
    "transmission": ("line_fw", "line_bw", "line_expansion"),
    "trade": ("import_limit", "import_min", "export_limit"),
    "reserve": ("reserve_margin",),
    "co2": ("co2_cap",),
    "renewable_share": ("renewable_share",),
    "import_share": ("import_share",),
    "fuel_limits": ("fuel_limit",),
    "partners": ("partner_envelope", "partner_min_share", "partner_max_share", "partner_zone_cap"),
    "commitments": ("commitment_mw", "commitment_usd", "commitment_mwh"),
}


def build_model(d: ModelData) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name="planner")
    m._registry = Registry()
    m._row_scale = {}
    m._data = d
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
