"""Reservoir hydro water budgets: annual energy at most the inflow of the period.

    sum_t w_t * gen[z,g,p,t] <= energy_mwh[z,g,p]       for each (z, g, p) in hydro_budgets   (MWh/yr)

This sits on top of the hourly availability bound in dispatch.py; hydro
without a budget row is limited by availability alone.

Across representative days (``[time] link_storage``) the water needs no chain of
its own. A reservoir level chained over the calendar's days,

    level[d+1] = level[d] + inflow[d] - sum_{t in k(d)} gen[t],   0 <= level[d] <= size,   cyclic over the year,

with hydro_budgets.csv's annual inflow spread over the days, only binds through
``size``: without an upper bound a cyclic level can start as high as it needs, so
the chain admits exactly the dispatch the annual budget admits. ASSUMPTION: the
inputs give no reservoir size (nor an inflow profile within the year), so none is
invented; the annual budget already lets water move freely between days, weeks
and seasons, which is what linking would add. The seasons still bind through the
hourly availability profile (e.g. the winter derate in availability.csv). With a
reservoir size in the data, the level above would be the family to add.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import scaled

CONSTRAINTS = ("hydro_budget",)
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "hydro_budget": "hydro_budgets.csv energy_mwh",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    zg = set(d.ZG)
    H = [k for k in d.hydro_budget_mwh if k[:2] in zg and k[2] in d.PERIODS]
    m.hydro_budget = pyo.Constraint(H, rule=scaled(m, "hydro_budget", 1.0 / d.hours, lambda m, z, g, p: sum(
        d.weight[t] * m.gen[z, g, p, t] for t in d.TIMESTEPS) <= d.hydro_budget_mwh[(z, g, p)]),
        doc="Annual hydro output at most the period's water budget (MWh/yr)")
