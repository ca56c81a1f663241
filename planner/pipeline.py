"""The stages of a run, each callable alone: prepare the case (through the cache) -> build -> solve -> extract.

    case, aggregation, digest = load_for_run(spec)      # load, check, scenario rules, time aggregation; cached
    built = build(spec)                                  # ... then ModelData and the Pyomo model (``Built``)
    solver = make_solver(built, options)                 # the compiled LP in one HiGHS instance (planner.solve)

``planner run`` (planner/runner.py), every study and the year check call these stages rather than stringing
load, scenario, aggregation and build together themselves. A study that must change the case before the build
(placement adds its programme row) passes ``edit``, which receives a copy of the tables: the cached case is
never mutated.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from planner.errors import Problem
from planner.load import Case, load_case
from planner.model.build import build_model
from planner.model.data import ModelData, prepare
from planner.progress import Progress
from planner.scenario import apply_scenario, check_against_case
from planner.spec import RunSpec

DEFAULT_SOLVER = {"method": "ipm", "threads": 2}


def inputs_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(folder).glob("*.csv")):
        if not p.is_file():  # a FIFO or device would block here: load_case refuses it by name
            continue
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def aggregate_time(case: Case, spec: RunSpec) -> tuple[Case, dict]:
    days = spec.time.get("representative_days")
    if not days:
        return case, {}
    from planner.timeagg import representative_days
    case, info = representative_days(case, int(days), bool(spec.time.get("keep_peak_day", True)))
    return case, {**info, "storage_linked_across_days": bool(spec.time.get("link_storage"))}


def load_for_run(spec: RunSpec) -> tuple[Case, dict, str]:
    """Stage 1 for a run: load and check the case, apply the scenario, aggregate time; through the cache
    (planner/cache.py) when the run aggregates an hourly year. Returns (case, aggregation info, inputs hash)."""
    from planner import cache

    k = case_hash = None
    if spec.time.get("representative_days"):  # only a cached run needs the files' hash before reading them
        case_hash = inputs_hash(spec.inputs)
        request = {"periods": spec.periods, "time": spec.time, "scenario": spec.scenario, "settings": spec.settings,
                   "cells": [c.as_dict() for c in spec.cells]}  # everything apply_scenario and aggregate_time read
        k = cache.key(case_hash, request)
        hit = cache.load(k, _case_from_cache)
        if hit is not None:
            check_against_case(hit[0].tables, spec)  # what the key leaves out is checked on every run
            return hit[0], hit[1]["aggregation"], case_hash
    case = load_case(spec.inputs)
    loaded_hash = inputs_hash(spec.inputs)  # of the files as loaded, not as they may be after a long solve
    case = apply_scenario(case, spec)
    case, agg = aggregate_time(case, spec)
    if k is not None and loaded_hash == case_hash:  # files unchanged while they were read: safe to keep
        cache.store(k, case, {"aggregation": agg})
    return case, agg, loaded_hash


def _case_from_cache(path: str, tables: dict, settings: dict, rest: dict) -> Case:
    if "warnings" in rest:
        rest = {**rest, "warnings": [Problem(**w) for w in rest["warnings"]]}
    return Case(Path(path), tables, settings, **rest)


@dataclass
class Built:
    """A run specification's case, its model data and its Pyomo model, with how long each stage took."""

    spec: RunSpec
    case: Case
    aggregation: dict
    inputs_sha256: str
    data: ModelData
    model: pyo.ConcreteModel
    timings_s: dict = field(default_factory=dict)


def build(spec: RunSpec, edit: Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]] | None = None,
          on_loaded: Callable[[Case], None] | None = None, progress: Progress | None = None) -> Built:
    """Stages 1 and 2: the case through the cache (``load_for_run``), then ``prepare`` and ``build_model``.

    ``edit`` (optional) takes a copy of the case's tables and returns the tables to build from; the case in the
    cache is left as it was. ``on_loaded`` sees the case before it is built (``planner run`` prints its warnings
    there). ``spec`` must have passed ``validate_spec``."""
    t0 = time.perf_counter()
    case, agg, digest = load_for_run(spec)
    if edit is not None:
        case = Case(case.path, edit(dict(case.tables)), dict(case.settings), list(case.warnings))
    if on_loaded is not None:
        on_loaded(case)
    d = prepare(case, spec.periods, link_storage=bool(spec.time.get("link_storage")))
    t1 = time.perf_counter()
    if progress is not None:
        progress.stage("build")
    m = build_model(d)
    return Built(spec, case, agg, digest, d, m, {"load_s": t1 - t0, "build_s": time.perf_counter() - t1})


def solver_options(spec: RunSpec, extra: dict | None = None) -> dict:
    """The HiGHS options of a run: planner's defaults, then the run specification's ``[solver]``, then ``extra``."""
    return {**DEFAULT_SOLVER, **spec.solver, **(extra or {})}
