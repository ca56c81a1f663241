"""Build limits: cumulative new capacity of each option within its bounds.

    min_new_mw_b <= sum_{p in P(b)} new_cap[b,p] <= max_new_mw_b        for every option b   (MW)

    sum_{b in B(z,g)} sum_{p in P(b)} new_cap[b,p] <= potential[z,g]     for each row of build_potentials  (MW)

P(b) are the periods between the option's first_period and last_period. An
empty max_new_mw is no limit, so only options with a bound get a row. The
potential is shared by every partner offering the same zone × technology (a
wind resource, a gas connection point), so several partners can compete for
one site without multiplying it.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import guard

CONSTRAINTS = ("build_max", "build_min", "build_potential")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "build_max": "build_options.csv max_new_mw",
    "build_min": "build_options.csv min_new_mw (committed builds)",
    "build_potential": "build_potentials.csv max_new_mw (shared by all partners' options)",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    periods_of: dict = {b: [] for b in d.BUILDS}
    for z, g, k, q in d.BUILD_PERIODS:
        periods_of[(z, g, k)].append((z, g, k, q))
    max_new = d.build["max_new_mw"].to_dict()  # one lookup table: DataFrame.at per option cost ~1 ms each
    min_new = d.build["min_new_mw"].to_dict()
    upper = [b for b in d.BUILDS if pd.notna(max_new[b])]
    lower = [b for b in d.BUILDS if min_new[b] > 0]
    m.build_max = pyo.Constraint(
        upper,
        rule=guard("build_max", lambda m, *b: sum(m.new_cap[v] for v in periods_of[b]) <= max_new[b]),
        doc="Cumulative new capacity of an option at most max_new_mw (MW)",
    )
    pot = d.potentials
    by_zg: dict = {}
    for z, g, k, q in d.BUILD_PERIODS:
        by_zg.setdefault((z, g), []).append((z, g, k, q))
    m.build_potential = pyo.Constraint([zg for zg in pot if zg in by_zg],
                                       rule=guard("build_potential", lambda m, z, g: sum(
        m.new_cap[v] for v in by_zg[(z, g)]) <= pot[(z, g)]), doc="New capacity of a zone x technology at most its "
                                                                  "potential (MW)")
    m.build_min = pyo.Constraint(
        lower,
        rule=guard("build_min", lambda m, *b: sum(m.new_cap[v] for v in periods_of[b]) >= min_new[b]),
        doc="Cumulative new capacity of an option at least min_new_mw (MW)",
    )
