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
    [decomposition]                     # solve by Benders decomposition by time (planner/decompose/)
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

A problem with the file names its line, as a CSV's do: the key that is wrong, or the header of the [[cells]] or
[[calibration]] table it is in (``key_lines``; a specification made in code names none).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
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
    decomposition: dict = field(default_factory=dict)  # [decomposition]: solve by Benders (planner/decompose/)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def key_lines(text: str) -> dict[str, int]:
    """The line (1 = the first) of every table header and key of a TOML text, by dotted path: ``time``,
    ``time.representative_days``, ``cells[0]`` (the first ``[[cells]]``), ``cells[0].value``.

    Only where things are: ``tomllib`` has parsed the text already, and a key this does not find (one inside a
    multi-line value, say) is just not located. Lines inside multi-line strings and arrays are skipped.
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    prefix, open_brackets, in_string = "", 0, None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:  # inside a multi-line string: look only for its end
            if in_string in line:
                in_string = None
            continue
        if open_brackets > 0:  # inside a multi-line array or inline table
            open_brackets += _brackets(line)
            continue
        header = _HEADER.match(line)
        if header:
            name = _dotted(header.group(2))
            if header.group(1) == "[[":
                index = counts[name] = counts.get(name, -1) + 1
                name = f"{name}[{index}]"
            prefix = name
            lines.setdefault(prefix, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(f"{prefix}.{_dotted(key.group(1))}" if prefix else _dotted(key.group(1)), number)
            value = line[key.end():]
            for quote in ('"""', "'''"):
                if value.count(quote) % 2 == 1:
                    in_string = quote
            if not in_string:
                open_brackets = _brackets(value)
    return lines


def _dotted(key: str) -> str:
    return ".".join(part.strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+", key))


def _brackets(text: str) -> int:
    """Opening minus closing brackets and braces of a line, outside its strings and its comment."""
    text = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'", "", text).split("#", 1)[0]
    return text.count("[") + text.count("{") - text.count("]") - text.count("}")


def spec_lines(spec: RunSpec) -> Callable[[str], int | None]:
    """``at(key)``: the line of ``key`` (a dotted path, see ``key_lines``) in the file ``spec`` was read from, or None
    (a specification made in code, a key the file does not hold, a file no longer readable)."""
    try:
        lines = key_lines(spec.path.read_bytes().decode("utf-8-sig")) if spec.path else {}
    except (OSError, UnicodeDecodeError):
        lines = {}
    return lines.get


def load_spec(path: str | Path) -> RunSpec:
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(file, "run specification not found")])
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte order mark is accepted, as in a CSV
        raw = tomllib.loads(text)
    except OSError as exc:
        raise InputError([Problem(file, f"cannot be read ({exc.strerror or exc}); check the file's permissions")]) \
            from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem(file, f"is not valid TOML: {exc}")]) from None
    at = key_lines(text).get
    problems = []
    for k in raw:
        if k not in _KEYS:
            problems.append(Problem(file, f"unknown key {k!r}; keys are {', '.join(sorted(_KEYS))}", at(k)))
    for k in ("name", "inputs"):
        if not isinstance(raw.get(k), str) or not raw.get(k):
            problems.append(Problem(file, f"{k!r} is required and must be text", at(k)))
    if not isinstance(raw.get("description", ""), str):
        problems.append(Problem(file, f"'description' must be text (in quotes), not {raw['description']!r}",
                                at("description")))
    periods = raw.get("periods")
    if periods is not None and not (isinstance(periods, list) and periods and all(isinstance(p, int) for p in periods)):
        problems.append(Problem(file, "'periods' must be a non-empty list of years, e.g. [2030, 2035]", at("periods")))
    for k in ("time", "solver", "settings", "scenario", "report", "decomposition"):
        if not isinstance(raw.get(k, {}), dict):
            problems.append(Problem(file, f"[{k}] must be a table (a [{k}] section), not {raw[k]!r}", at(k)))
    if not isinstance(raw.get("calibration", []), list):
        problems.append(Problem(file, "calibration checks are [[calibration]] tables", at("calibration")))
    if not isinstance(raw.get("cells", []), list):
        problems.append(Problem(file, "cell edits are [[cells]] tables", at("cells")))
    if problems:
        raise InputError(problems)
    cells = []
    for i, c in enumerate(raw.get("cells", [])):
        try:
            cells.append(from_dict(c, file))
        except InputError as exc:
            raise InputError(located(exc.problems, at(f"cells[{i}]"))) from None
    inputs = Path(raw["inputs"])
    if not inputs.is_absolute():
        inputs = (path.parent / inputs).resolve()
    spec = RunSpec(name=raw["name"], inputs=inputs, path=path, description=raw.get("description", ""),
                   periods=periods, time=raw.get("time", {}), solver=raw.get("solver", {}),
                   settings=raw.get("settings", {}), scenario=raw.get("scenario", {}),
                   calibration=list(raw.get("calibration", [])),
                   cells=cells, report=raw.get("report", {}),
                   decomposition=raw.get("decomposition", {}))
    return validate_spec(spec)


# [decomposition] keys of a run specification, with their defaults (planner/decompose/)
DECOMPOSITION = {"method": "benders", "block_days": 7, "gap": 1e-3, "max_iterations": 500, "time_limit_s": None,
                 "regularisation": "level", "level": 0.5, "start_days": None, "resolve": "cold", "scheduler": None,
                 "workers": 1, "relax_hours": 6, "relax_peaks": True}

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
    at = spec_lines(spec)
    problems: list[Problem] = []
    for k in spec.time:
        if k not in _TIME:
            problems.append(Problem(file, f"unknown key time.{k}; keys are {', '.join(sorted(_TIME))}",
                                    at(f"time.{k}")))
    rd = spec.time.get("representative_days")
    if rd is not None and not (isinstance(rd, int) and not isinstance(rd, bool) and rd >= 1):
        problems.append(Problem(file, "time.representative_days must be a whole number >= 1",
                                at("time.representative_days")))
    kp = spec.time.get("keep_peak_day")
    if kp is not None and not isinstance(kp, bool):
        problems.append(Problem(file, "time.keep_peak_day must be true or false", at("time.keep_peak_day")))
    ls = spec.time.get("link_storage")
    if ls is not None and not isinstance(ls, bool):
        problems.append(Problem(file, "time.link_storage must be true or false", at("time.link_storage")))
    elif ls and rd is None:
        problems.append(Problem(file, "time.link_storage = true chains storage across representative days: it needs "
                                "time.representative_days (a full hourly year already chains storage over the year)",
                                at("time.link_storage")))
    yc = spec.time.get("year_check")
    if yc is not None and not isinstance(yc, bool):
        problems.append(Problem(file, "time.year_check must be true or false", at("time.year_check")))
    for k in spec.report:
        if k not in _REPORT:
            problems.append(Problem(file, f"unknown key report.{k}; keys are {', '.join(sorted(_REPORT))}",
                                    at(f"report.{k}")))
    hp = spec.report.get("highlight_partners")
    if hp is not None and not (isinstance(hp, list) and all(isinstance(x, str) for x in hp)):
        problems.append(Problem(file, 'report.highlight_partners must be a list of partner ids, e.g. ["TR"]',
                                at("report.highlight_partners")))
    for k, _ in spec.scenario.items():
        if k not in _SCENARIO:
            problems.append(Problem(file, f"unknown key scenario.{k}; keys are {', '.join(sorted(_SCENARIO))}",
                                    at(f"scenario.{k}")))
    ex = spec.scenario.get("exclude_partners")
    if ex is not None and not (isinstance(ex, list) and all(isinstance(x, str) for x in ex)):
        problems.append(Problem(file, 'scenario.exclude_partners must be a list of partner ids, e.g. ["TR"]',
                                at("scenario.exclude_partners")))
    dm = spec.scenario.get("demand_multiplier")
    if dm is not None and not (isinstance(dm, (int, float)) and not isinstance(dm, bool) and 0 <= dm <= 1000):
        problems.append(Problem(file, "scenario.demand_multiplier must be a number >= 0 and <= 1000 (as "
                                "demand_growth.csv's multiplier)", at("scenario.demand_multiplier")))
    for key in ("no_new_builds", "keep_committed", "drop_build_requirements", "partner_commitments"):
        if spec.scenario.get(key) is not None and not isinstance(spec.scenario[key], bool):
            problems.append(Problem(file, f"scenario.{key} must be true or false", at(f"scenario.{key}")))
    settings = dict(spec.settings)
    for k, v in spec.settings.items():
        if k not in SETTING:
            problems.append(Problem(file, f"unknown setting {k!r} under [settings]; known: {', '.join(SETTING)}",
                                    at(f"settings.{k}")))
            continue
        n = len(problems)
        parsed = _parse(SETTING[k], str(v), f"{file} [settings]", at(f"settings.{k}"), problems)
        if len(problems) == n:
            settings[k] = parsed
    for i, cell in enumerate(spec.cells):
        problems += located(check_cell(cell, file), at(f"cells[{i}]"))
    from planner.store import name_problem

    why = name_problem(spec.name)
    if why:
        problems.append(Problem(file, f"name {why}; results go to <results>/<name>/", at("name")))
    problems += _solver_problems(spec.solver, file, at)
    if spec.decomposition:
        problems += _decomposition_problems(spec.decomposition, file, at)
    for k, v in spec.solver.items():
        if k in _SOLVER_CHOICES and v not in _SOLVER_CHOICES[k]:
            problems.append(Problem(file, f"solver.{k} = {v!r}; expected one of {', '.join(_SOLVER_CHOICES[k])}",
                                    at(f"solver.{k}")))
        elif k == "threads" and not (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
            problems.append(Problem(file, f"solver.threads = {v!r}; expected a whole number >= 1",
                                    at("solver.threads")))
        elif k in ("time_limit_s",) and not (isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0):
            problems.append(Problem(file, f"solver.{k} = {v!r}; expected a number of seconds >= 0", at(f"solver.{k}")))
    if problems:
        raise InputError(problems)
    return replace(spec, settings=settings)


def _solver_problems(solver: dict, file: str, at: Callable[[str], int | None]) -> list[Problem]:
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
                problems.append(Problem(file, f"solver.log = {v!r}; expected true or false", at("solver.log")))
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
                                    f"{', '.join(sorted(ALLOWED_HIGHS - set(OPTION_NAMES.values())))}",
                                    at(f"solver.{k}")))
            continue
        if h.setOptionValue(name, v) != highspy.HighsStatus.kOk:
            known = ", ".join(sorted(OPTION_NAMES))
            problems.append(Problem(file, f"[solver] HiGHS does not accept {k} = {v!r} (a typo?); "
                                    f"planner's names: {known}, log; or any HiGHS option name with a valid value",
                                    at(f"solver.{k}")))
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


def _decomposition_problems(raw: dict, where: str, at: Callable[[str], int | None]) -> list[Problem]:
    """What is wrong with the run specification's [decomposition] table (planner/decompose/ reads it)."""
    problems = []
    for k in raw:
        if k not in DECOMPOSITION:
            problems.append(Problem(where, f"unknown key decomposition.{k}; keys are "
                                           f"{', '.join(sorted(DECOMPOSITION))}", at(f"decomposition.{k}")))
    opts = {**DECOMPOSITION, **raw}
    if opts["method"] != "benders":
        problems.append(Problem(where, f"decomposition.method = {opts['method']!r}; expected \"benders\"",
                                at("decomposition.method")))
    bd = opts["block_days"]
    if not (isinstance(bd, int) and not isinstance(bd, bool) and bd >= 1):
        problems.append(Problem(where, f"decomposition.block_days = {opts['block_days']!r}; expected a whole number "
                                       ">= 1 (blocks of timesteps, days at full resolution, per subproblem)",
                                at("decomposition.block_days")))
    for k, lo, hi in (("gap", 0.0, 1.0), ("level", 0.0, 1.0)):
        v = opts[k]
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v < hi or (k == "level" and v == 0):
            problems.append(Problem(where, f"decomposition.{k} = {v!r}; expected a number in "
                                           f"{'(' if k == 'level' else '['}{lo:g}, {hi:g})", at(f"decomposition.{k}")))
    v = opts["max_iterations"]
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        problems.append(Problem(where, f"decomposition.max_iterations = {v!r}; expected a whole number >= 1",
                                at("decomposition.max_iterations")))
    v = opts["time_limit_s"]
    if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v <= 0):
        problems.append(Problem(where, f"decomposition.time_limit_s = {v!r}; expected a number of seconds > 0",
                                at("decomposition.time_limit_s")))
    v = opts["start_days"]
    if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
        problems.append(Problem(where, f"decomposition.start_days = {v!r}; expected a whole number of representative "
                                       "days >= 1 (the first point: their plan)", at("decomposition.start_days")))
    if opts["resolve"] not in ("cold", "warm"):
        problems.append(Problem(where, f"decomposition.resolve = {opts['resolve']!r}; expected \"cold\" (each "
                                       "re-solve from scratch, with presolve) or \"warm\" (from the kept basis)",
                                at("decomposition.resolve")))
    v = opts["scheduler"]
    if v is not None and not (isinstance(v, str) and v):
        problems.append(Problem(where, f"decomposition.scheduler = {v!r}; expected \"local\" (a Dask cluster on "
                                       "this machine) or a scheduler's address (tcp://HOST:PORT)",
                                at("decomposition.scheduler")))
    v = opts["workers"]
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        problems.append(Problem(where, f"decomposition.workers = {v!r}; expected a whole number >= 1 (workers of "
                                       "the local Dask cluster)", at("decomposition.workers")))
    v = opts["relax_hours"]
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        problems.append(Problem(where, f"decomposition.relax_hours = {v!r}; expected a whole number >= 0 (timesteps "
                                       "per step of each block's relaxation in the master; 0: none)",
                                at("decomposition.relax_hours")))
    v = opts["relax_peaks"]
    if not (isinstance(v, bool) or (isinstance(v, int) and v >= 1)):
        problems.append(Problem(where, f"decomposition.relax_peaks = {v!r}; expected true (each block's peak-demand "
                                       "timesteps a step of their own in its relaxation), a whole number N >= 1 (only "
                                       "in the N blocks of each period with the highest peak of each zone, and of "
                                       "all zones together) or false", at("decomposition.relax_peaks")))
    if opts["regularisation"] not in ("level", "none"):
        problems.append(Problem(where, f"decomposition.regularisation = {opts['regularisation']!r}; expected "
                                       "\"level\" or \"none\"", at("decomposition.regularisation")))
    return problems


def located(problems: list[Problem], line: int | None) -> list[Problem]:
    """``problems`` with ``line`` where they have none (a [[cells]] or [[calibration]] table's header line)."""
    return [p if p.line is not None else replace(p, line=line) for p in problems]
