"""Objective: present value of every registered annual cost.

    min  sum_p df[p] * sum_{c in registered costs} cost_c[p]                       (USD of the currency year)

    df[p] = sum_{y = p}^{p + years_p - 1} (1 + r)^-(y - base_year)

Each annual cost (USD/yr) stands for every year of its period; df discounts
those years to the base year at the settings' discount rate.
"""

from __future__ import annotations

import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import registry


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    costs = registry(m).annual_costs
    m.COST_TERMS = pyo.Set(initialize=list(costs), ordered=True, doc="Cost categories")
    m.annual_cost = pyo.Expression(m.COST_TERMS, d.PERIODS, rule=lambda m, c, p: costs[c](p),
                                   doc="Annual cost of a category in a period (USD/yr)")
    m.total_cost = pyo.Objective(expr=sum(d.discount_weight[p] * m.annual_cost[c, p] for c in costs for p in d.PERIODS),
                                 sense=pyo.minimize, doc="Present value of system cost (USD)")
