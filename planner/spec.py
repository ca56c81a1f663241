"""Run specifications: one TOML file per runnable model.

    name = "kazakhstan"                 # results go to results/<name>/
    inputs = "../inputs/kazakhstan"     # case folder, relative to this file
    periods = [2025, 2030]              # optional subset of periods.csv
    [time]
    representative_days = 12            # optional: aggregate a full hourly year with tsam
    keep_peak_day = true                # default: the system's peak day is kept as its own representative
    link_storage = false                # true: storage chained across the calendar's days (Kotzur et al. 2018),
                                        # not cyclic within each representative day (needs representative_days)
    year_check = true                   # after the solve, dispatch the plan over every hour (planner year-check)
    [solver]                            # HiGHS options (see planner.solve.OPTION_NAMES)
    method = "ipm"
    threads = 2
    time_limit_s = 1200
    [settings]                          # overrides of settings.csv
    discount_rate = 0.08
    [scenario]
    exclude_partners = ["TR"]           # drop every build option of these partners
    keep_committed = true               # ... except their committed ones (min_new_mw > 0); also with no_new_builds
    drop_build_requirements = true      # no reserve margin or minimum renewable share (a dispatch of the fleet as is)
    partner_commitments = true          # apply partner_commitments.csv (default false: the table is read, not applied)
    [[cells]]                           # set one column of the rows a selector picks, in any input table
    table = "partners"                  # (planner/cells.py; sweep --vary TABLE.csv:COL=V:COLUMN=V1,V2 makes these)
    where = { partner = "TR" }
    column = "wacc"
    value = 0.07
    [report]
    highlight_partners = ["TR"]         # partners the report's map and charts pick out
    [decomposition]                     # solve by Benders decomposition by time (planner/decompose.py)
    block_days = 7                      # blocks of timesteps (days at full resolution) per subproblem
    gap = 0.001                         # stop when (upper - lower) / |upper| <= gap
    relax_hours = 6                     # each block relaxed in the master, its hours averaged in steps of 6; 0: none
    [[calibration]]                     # published figures to check (planner calibrate)
    metric = "generation_twh"
    period = 2023
    target = 112.82
    tolerance_pct = 5
    source = "..."
    known_miss = "..."                  # optional: why consistent data misses it, printed under MISS
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from planner.cells import check as check_cell
from planner.cells import from_dict
from planner.errors import InputError, Problem
from planner.schema import SETTING

_KEYS = {"name", "inputs", "periods", "description", "time", "solver", "settings", "scenario", "calibration", "cells",
         "report", "decomposition"}
_REPORT = {"highlight_partners"}
_TIME = {"representative_days", "keep_peak_day", "link_storage", "year_check"}
_SCENARIO = {"exclude_partners", "keep_committed", "no_new_builds", "drop_build_requirements", "demand_multiplier",
             "partner_commitments"}


@dataclass
class RunSpec:
    name: str
    inputs: Path
    path: Path | None = None
    description: str = ""
    periods: list[int] | None = None
    time: dict = field(default_factory=dict)
    solver: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)
    calibration: list = field(default_factory=list)  # [[calibration]] checks, see planner.studies.calibrate
    cells: list = field(default_factory=list)  # [[cells]] edits of input tables (planner.cells.Cell)
    report: dict = field(default_factory=dict)  # [report] highlight_partners = ["TR"]: picked out in the report
    decomposition: dict = field(default_factory=dict)  # [decomposition]: solve by Benders (planner/decompose.py)


def load_spec(path: str | Path) -> RunSpec:
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(file, "run specification not found")])
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8-sig"))  # a byte order mark is accepted, as in a CSV
    except OSError as exc:
        raise InputError([Problem(file, f"cannot be read ({exc.strerror or exc}); check the file's permissions")]) \
            from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem(file, f"is not valid TOML: {exc}")]) from None
    problems = []
    for k in raw:
        if k not in _KEYS:
            problems.append(Problem(file, f"unknown key {k!r}; keys are {', '.join(sorted(_KEYS))}"))
    for k in ("name", "inputs"):
        if not isinstance(raw.get(k), str) or not raw.get(k):
            problems.append(Problem(file, f"{k!r} is required and must be text"))
    if not isinstance(raw.get("description", ""), str):
        problems.append(Problem(file, f"'description' must be text (in quotes), not {raw['description']!r}"))
    periods = raw.get("periods")
    if periods is not None and not (isinstance(periods, list) and periods and all(isinstance(p, int) for p in periods)):
        problems.append(Problem(file, "'periods' must be a non-empty list of years, e.g. [2030, 2035]"))
    for k in ("time", "solver", "settings", "scenario", "report", "decomposition"):
        if not isinstance(raw.get(k, {}), dict):
            problems.append(Problem(file, f"[{k}] must be a table (a [{k}] section), not {raw[k]!r}"))
    if not isinstance(raw.get("calibration", []), list):
        problems.append(Problem(file, "calibration checks are [[calibration]] tables"))
    if not isinstance(raw.get("cells", []), list):
        problems.append(Problem(file, "cell edits are [[cells]] tables"))
    if problems:
        raise InputError(problems)
    inputs = Path(raw["inputs"])
    if not inputs.is_absolute():
        inputs = (path.parent / inputs).resolve()
    spec = RunSpec(name=raw["name"], inputs=inputs, path=path, description=raw.get("description", ""),
                   periods=periods, time=raw.get("time", {}), solver=raw.get("solver", {}),
                   settings=raw.get("settings", {}), scenario=raw.get("scenario", {}),
                   calibration=list(raw.get("calibration", [])),
                   cells=[from_dict(c, file) for c in raw.get("cells", [])], report=raw.get("report", {}),
                   decomposition=raw.get("decomposition", {}))
    return validate_spec(spec)


# [decomposition] keys of a run specification, with their defaults (planner/decompose.py)
DECOMPOSITION = {"method": "benders", "block_days": 7, "gap": 1e-3, "max_iterations": 500, "time_limit_s": None,
                 "regularisation": "level", "level": 0.5, "start_days": None, "resolve": "cold", "scheduler": None,
                 "workers": 1, "relax_hours": 6}

_SOLVER_CHOICES = {"method": ("choose", "simplex", "ipm", "ipx", "hipo", "pdlp"), "crossover": ("on", "off", "choose"),
                   "presolve": ("on", "off", "choose")}


def validate_spec(spec: RunSpec) -> RunSpec:
    """Type- and range-check the sections a run uses; return a copy whose settings overrides are
    parsed as settings.csv would parse them. ``spec`` itself is left as it was.

    Called on load and again before every run, so variants made in code (sweeps,
    partner-value) are held to the same rules.
    """
    from planner.load import _parse

    file = str(spec.path) if spec.path else "run specification"
    problems: list[Problem] = []
    for k in spec.time:
        if k not in _TIME:
            problems.append(Problem(file, f"unknown key time.{k}; keys are {', '.join(sorted(_TIME))}"))
    rd = spec.time.get("representative_days")
    if rd is not None and not (isinstance(rd, int) and not isinstance(rd, bool) and rd >= 1):
        problems.append(Problem(file, "time.representative_days must be a whole number >= 1"))
    kp = spec.time.get("keep_peak_day")
    if kp is not None and not isinstance(kp, bool):
        problems.append(Problem(file, "time.keep_peak_day must be true or false"))
    ls = spec.time.get("link_storage")
    if ls is not None and not isinstance(ls, bool):
        problems.append(Problem(file, "time.link_storage must be true or false"))
    elif ls and rd is None:
        problems.append(Problem(file, "time.link_storage = true chains storage across representative days: it needs "
                                "time.representative_days (a full hourly year already chains storage over the year)"))
    yc = spec.time.get("year_check")
    if yc is not None and not isinstance(yc, bool):
        problems.append(Problem(file, "time.year_check must be true or false"))
    for k in spec.report:
        if k not in _REPORT:
            problems.append(Problem(file, f"unknown key report.{k}; keys are {', '.join(sorted(_REPORT))}"))
    hp = spec.report.get("highlight_partners")
    if hp is not None and not (isinstance(hp, list) and all(isinstance(x, str) for x in hp)):
        problems.append(Problem(file, 'report.highlight_partners must be a list of partner ids, e.g. ["TR"]'))
    for k, _ in spec.scenario.items():
        if k not in _SCENARIO:
            problems.append(Problem(file, f"unknown key scenario.{k}; keys are {', '.join(sorted(_SCENARIO))}"))
    ex = spec.scenario.get("exclude_partners")
    if ex is not None and not (isinstance(ex, list) and all(isinstance(x, str) for x in ex)):
        problems.append(Problem(file, 'scenario.exclude_partners must be a list of partner ids, e.g. ["TR"]'))
    dm = spec.scenario.get("demand_multiplier")
    if dm is not None and not (isinstance(dm, (int, float)) and not isinstance(dm, bool) and 0 <= dm <= 1000):
        problems.append(Problem(file, "scenario.demand_multiplier must be a number >= 0 and <= 1000 (as "
                                "demand_growth.csv's multiplier)"))
    for key in ("no_new_builds", "keep_committed", "drop_build_requirements", "partner_commitments"):
        if spec.scenario.get(key) is not None and not isinstance(spec.scenario[key], bool):
            problems.append(Problem(file, f"scenario.{key} must be true or false"))
    settings = dict(spec.settings)
    for k, v in spec.settings.items():
        if k not in SETTING:
            problems.append(Problem(file, f"unknown setting {k!r} under [settings]; known: {', '.join(SETTING)}"))
            continue
        n = len(problems)
        parsed = _parse(SETTING[k], str(v), f"{file} [settings]", None, problems)
        if len(problems) == n:
            settings[k] = parsed
    for cell in spec.cells:
        problems += check_cell(cell, file)
    from planner.store import name_problem

    why = name_problem(spec.name)
    if why:
        problems.append(Problem(file, f"name {why}; results go to <results>/<name>/"))
    problems += _solver_problems(spec.solver, file)
    if spec.decomposition:
        problems += _decomposition_problems(spec.decomposition, file)
    for k, v in spec.solver.items():
        if k in _SOLVER_CHOICES and v not in _SOLVER_CHOICES[k]:
            problems.append(Problem(file, f"solver.{k} = {v!r}; expected one of {', '.join(_SOLVER_CHOICES[k])}"))
        elif k == "threads" and not (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
            problems.append(Problem(file, f"solver.threads = {v!r}; expected a whole number >= 1"))
        elif k in ("time_limit_s",) and not (isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0):
            problems.append(Problem(file, f"solver.{k} = {v!r}; expected a number of seconds >= 0"))
    if problems:
        raise InputError(problems)
    return replace(spec, settings=settings)


def _solver_problems(solver: dict, file: str) -> list[Problem]:
    """[solver] names HiGHS does not know, or values it refuses, reported against the run specification.

    Checked with a throwaway HiGHS instance before anything is built, so a typo
    costs a second, not a build.
    """
    import highspy

    from planner.solve import ALLOWED_HIGHS, FILE_OPTIONS, OPTION_NAMES

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    problems = []
    for k, v in solver.items():
        if k == "log":
            if not isinstance(v, bool):
                problems.append(Problem(file, f"solver.log = {v!r}; expected true or false"))
            continue
        if k in _SOLVER_CHOICES or k in ("threads", "time_limit_s"):
            continue  # checked with a specific message below
        name = OPTION_NAMES.get(k, k)
        if name not in ALLOWED_HIGHS and name in h.getOptions().__dir__():
            why = ("makes HiGHS write or read a file, which a run specification may not ask for: a run writes only "
                   "its results folder, HiGHS's log included (solver.log)" if name in FILE_OPTIONS else
                   "is not one a run specification may set (it would change what counts as a result, or HiGHS's "
                   "output, which planner keeps)")
            problems.append(Problem(file, f"solver.{k}: HiGHS's option {name} {why}; options a run specification "
                                    f"may set: {', '.join(sorted(OPTION_NAMES))}, log, or one of HiGHS's "
                                    f"{', '.join(sorted(ALLOWED_HIGHS - set(OPTION_NAMES.values())))}"))
            continue
        if h.setOptionValue(name, v) != highspy.HighsStatus.kOk:
            known = ", ".join(sorted(OPTION_NAMES))
            problems.append(Problem(file, f"[solver] HiGHS does not accept {k} = {v!r} (a typo?); "
                                    f"planner's names: {known}, log; or any HiGHS option name with a valid value"))
    return problems


def spec_sha256(spec: RunSpec) -> str:
    """SHA-256 of everything in ``spec`` that decides a run's results (not its file's path or description): a
    study re-run after an interruption reuses a sealed result whose run.json holds the same (studies/sweep.py)."""
    import hashlib
    import json

    what = {"name": spec.name, "inputs": str(spec.inputs), "periods": spec.periods, "time": spec.time,
            "solver": spec.solver, "settings": spec.settings, "scenario": spec.scenario, "report": spec.report,
            "cells": [c.as_dict() for c in spec.cells], "decomposition": spec.decomposition}
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def _decomposition_problems(raw: dict, where: str) -> list[Problem]:
    """What is wrong with the run specification's [decomposition] table (planner/decompose.py reads it)."""
    problems = []
    for k in raw:
        if k not in DECOMPOSITION:
            problems.append(Problem(where, f"unknown key decomposition.{k}; keys are "
                                           f"{', '.join(sorted(DECOMPOSITION))}"))
    opts = {**DECOMPOSITION, **raw}
    if opts["method"] != "benders":
        problems.append(Problem(where, f"decomposition.method = {opts['method']!r}; expected \"benders\""))
    bd = opts["block_days"]
    if not (isinstance(bd, int) and not isinstance(bd, bool) and bd >= 1):
        problems.append(Problem(where, f"decomposition.block_days = {opts['block_days']!r}; expected a whole number "
                                       ">= 1 (blocks of timesteps, days at full resolution, per subproblem)"))
    for k, lo, hi in (("gap", 0.0, 1.0), ("level", 0.0, 1.0)):
        v = opts[k]
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v < hi or (k == "level" and v == 0):
            problems.append(Problem(where, f"decomposition.{k} = {v!r}; expected a number in "
                                           f"{'(' if k == 'level' else '['}{lo:g}, {hi:g})"))
    v = opts["max_iterations"]
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        problems.append(Problem(where, f"decomposition.max_iterations = {v!r}; expected a whole number >= 1"))
    v = opts["time_limit_s"]
    if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v <= 0):
        problems.append(Problem(where, f"decomposition.time_limit_s = {v!r}; expected a number of seconds > 0"))
    v = opts["start_days"]
    if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
        problems.append(Problem(where, f"decomposition.start_days = {v!r}; expected a whole number of representative "
                                       "days >= 1 (the first point: their plan)"))
    if opts["resolve"] not in ("cold", "warm"):
        problems.append(Problem(where, f"decomposition.resolve = {opts['resolve']!r}; expected \"cold\" (each "
                                       "re-solve from scratch, with presolve) or \"warm\" (from the kept basis)"))
    v = opts["scheduler"]
    if v is not None and not (isinstance(v, str) and v):
        problems.append(Problem(where, f"decomposition.scheduler = {v!r}; expected \"local\" (a Dask cluster on "
                                       "this machine) or a scheduler's address (tcp://HOST:PORT)"))
    v = opts["workers"]
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        problems.append(Problem(where, f"decomposition.workers = {v!r}; expected a whole number >= 1 (workers of "
                                       "the local Dask cluster)"))
    v = opts["relax_hours"]
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        problems.append(Problem(where, f"decomposition.relax_hours = {v!r}; expected a whole number >= 0 (timesteps "
                                       "per step of each block's relaxation in the master; 0: none)"))
    if opts["regularisation"] not in ("level", "none"):
        problems.append(Problem(where, f"decomposition.regularisation = {opts['regularisation']!r}; expected "
                                       "\"level\" or \"none\""))
    return problems
