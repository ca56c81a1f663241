"""How constraint families add to the shared nodal balance and to the objective.

A family registers an injection function ``f(z, p, t) -> MW into zone z`` and
annual costs ``USD/yr in period p``; the balance and the objective sum whatever
was registered, so adding imports or storage touches one module.

A cost is registered as its terms, each with its key: ``terms(p)`` yields
``(Key(zone, technology, partner, link, built_period), expression)``, a part left "" (0 for built_period) where
the term has none. The objective's annual cost of the category is the sum of the terms, in the order they come;
the registry keeps each period's terms (``keyed_costs``), and results reads their values as the table
``cost_terms`` (by category x zone x technology x partner x link x period) and, per vintage, as the annuities of
the tables ``vintages`` and ``new_capacity``: what the model computed, with no formula typed twice.
A family whose row counts firm capacity registers its parts the same way (``add_firm``: region, period,
part -> expression), and results reads them as ``firm_capacity``; the emissions family registers each zone's and
technology's emissions (``add_emissions``), which results reads as ``emission_terms``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression

from planner.errors import SolveError


class Key(NamedTuple):
    """What a cost term belongs to; "" for a part the term does not have (a corridor has no technology)."""

    zone: str = ""
    technology: str = ""
    partner: str = ""
    link: str = ""  # corridor or interconnector
    built_period: int = 0  # the period a vintage was built in (investment, transmission); 0 for a term of none


@dataclass
class Registry:
    injections: dict[str, Callable] = field(default_factory=dict)   # name -> f(z, p, t)
    annual_costs: dict[str, Callable] = field(default_factory=dict)  # name -> f(p), USD/yr: the sum of its terms
    cost_terms: dict[str, Callable[[int], Iterable[tuple[Key, object]]]] = field(default_factory=dict)
    keyed_costs: dict[tuple[str, int], list[tuple[Key, object]]] = field(default_factory=dict)  # as the objective
    firm: dict[tuple[str, int], dict[str, object]] = field(default_factory=dict)  # (region, period) -> part -> MW
    emissions: dict[int, list[tuple[Key, object]]] = field(default_factory=dict)  # period -> [(Key, t/yr)]
    injections_closed: bool = False  # the balance rows are built: a later injection would be left out

    def add_injection(self, name: str, f: Callable) -> None:
        if self.injections_closed:
            raise ValueError(f"injection {name!r} registered after the balance was built: its family must come "
                             "before balance in planner/model/build.py MODULES")
        if name in self.injections:
            raise ValueError(f"injection {name!r} registered twice")
        self.injections[name] = f

    def add_cost(self, name: str, terms: Callable[[int], Iterable[tuple[Key, object]]]) -> None:
        """Cost category ``name``: ``terms(p)`` yields ``(Key, USD/yr expression)``; its annual cost is their sum."""
        if name in self.annual_costs:
            raise ValueError(f"cost {name!r} registered twice")
        self.cost_terms[name] = terms

        def annual(p):
            items = list(terms(p))
            self.keyed_costs[(name, p)] = items
            return sum(e for _, e in items)
        self.annual_costs[name] = annual

    def add_firm(self, region: str, period: int, parts: dict[str, object]) -> None:
        """The parts of a region's firm capacity in a period (MW expressions), as the row counting them sums them."""
        if (region, period) in self.firm:
            raise ValueError(f"firm capacity of {region!r} in {period} registered twice")
        self.firm[(region, period)] = parts


    def add_emissions(self, period: int, terms: Iterable[tuple[Key, object]]) -> None:
        """The emissions of a period (t/yr expressions) by key, the terms the family's emissions row sums."""
        if period in self.emissions:
            raise ValueError(f"emissions of {period} registered twice")
        self.emissions[period] = list(terms)


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
            where = ",".join(map(str, index))
            inputs = getattr(m, "_inputs", {})  # set by build_model from the families' INPUTS
            raise SolveError("Infeasible", f"{name}[{where}] cannot hold whatever is built or dispatched: "
                                           f"{inputs.get(name, '')}")
        return expr
    return wrapped


def scaled(m, name: str, factor: float, rule: Callable) -> Callable:
    """The rule of constraint ``name`` with both sides multiplied by ``factor``, the factor recorded.

    For conditioning: annual energy rows are divided by the hours the year
    represents (average MW instead of MWh, right-hand sides ~1e3 instead of
    ~1e10); money rows are in million USD. ``solve`` multiplies each row's dual
    by the recorded factor, so every dual reads in the units the family's
    docstring states. A family writes its row unscaled and never scales a side
    by hand, so a dual cannot be off by the factor (8,760, or 10^6).
    """
    if name in m._row_scale:
        raise ValueError(f"row scale of {name!r} recorded twice")
    m._row_scale[name] = factor

    def wrapped(m, *index):
        return scale_relation(rule(m, *index), factor)
    return wrapped


def scale_relation(expr, factor: float):
    """``a <= b``, ``a == b`` or ``a <= b <= c`` with every side multiplied by ``factor``;
    a constant truth value (a row without a decision) or ``Constraint.Skip`` is returned as it is."""
    if isinstance(expr, (bool, np.bool_)) or expr is pyo.Constraint.Skip:
        return expr
    if isinstance(expr, RangedExpression):
        return RangedExpression(tuple(factor * a for a in expr.args), expr.strict)
    if isinstance(expr, InequalityExpression):
        return InequalityExpression(tuple(factor * a for a in expr.args), expr.strict)
    if isinstance(expr, EqualityExpression):
        return EqualityExpression(tuple(factor * a for a in expr.args))
    raise TypeError(f"cannot scale {type(expr).__name__}: a constraint rule must return a relation")
