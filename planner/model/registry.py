"""How constraint families add to the shared nodal balance and to the objective.

A family registers an injection function ``f(z, p, t) -> MW into zone z`` and
annual cost expressions ``USD/yr in period p``; the balance and the objective
sum whatever was registered, so adding imports or storage touches one module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo


@dataclass
class Registry:
    injections: dict[str, Callable] = field(default_factory=dict)   # name -> f(z, p, t)
    annual_costs: dict[str, Callable] = field(default_factory=dict)  # name -> f(p), USD/yr

    def add_injection(self, name: str, f: Callable) -> None:
        if name in self.injections:
            raise ValueError(f"injection {name!r} registered twice")
        self.injections[name] = f

    def add_cost(self, name: str, f: Callable) -> None:
        if name in self.annual_costs:
            raise ValueError(f"cost {name!r} registered twice")
        self.annual_costs[name] = f


def registry(m) -> Registry:
    return m._registry


def guard(name: str, rule: Callable) -> Callable:
    """A constraint rule whose row may hold no decision at all (no plant burns the fuel, no
    option is left in the periods run): a constant row that holds is dropped, and one that
    cannot hold stops the run as infeasible, naming the row and the inputs behind it."""
    def wrapped(m, *index):
        expr = rule(m, *index)
        if isinstance(expr, (bool, np.bool_)):
            if expr:
                return pyo.Constraint.Skip
            from planner.errors import SolveError
            from planner.explain import INPUTS

            where = ",".join(map(str, index))
            raise SolveError("Infeasible", f"{name}[{where}] cannot hold whatever is built or dispatched: {INPUTS.get(name, '')}")
        return expr
    return wrapped


def row_scale(m, name: str, scale: float) -> float:
    """Record that constraint ``name`` is written multiplied by ``scale`` (for conditioning).

    Annual energy rows are divided by the hours the year represents (average MW
    instead of MWh, RHS ~1e3 instead of ~1e10); money rows are in million USD.
    ``solve`` multiplies the duals back, so every dual reads in the units the
    family's docstring states.
    """
    m._row_scale[name] = scale
    return scale
