"""Run specifications: one TOML file per runnable model.

    name = "kazakhstan"                 # results go to results/<name>/
    inputs = "../inputs/kazakhstan"     # case folder, relative to this file
    periods = [2025, 2030]              # optional subset of periods.csv
    [time]
    representative_days = 12            # optional: aggregate a full hourly year with tsam
    [solver]                            # HiGHS options (see planner.solve.OPTION_NAMES)
    method = "ipm"
    threads = 2
    time_limit_s = 1200
    [settings]                          # overrides of settings.csv
    discount_rate = 0.08
    [scenario]
    exclude_partners = ["TR"]           # drop every build option of these partners
    [[calibration]]                     # published figures to check (planner calibrate)
    metric = "generation_twh"
    period = 2023
    target = 112.82
    tolerance_pct = 5
    source = "..."
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import InputError, Problem
from planner.schema import SETTING

_KEYS = {"name", "inputs", "periods", "description", "time", "solver", "settings", "scenario", "calibration"}
_TIME = {"representative_days", "segments"}
_SCENARIO = {"exclude_partners", "no_new_builds", "demand_multiplier"}


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
    calibration: list = field(default_factory=list)  # [[calibration]] checks, see planner.calibrate


def load_spec(path: str | Path) -> RunSpec:
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(file, "run specification not found")])
    try:
        raw = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem(file, f"is not valid TOML: {exc}")]) from None
    problems = []
    for k in raw:
        if k not in _KEYS:
            problems.append(Problem(file, f"unknown key {k!r}; keys are {', '.join(sorted(_KEYS))}"))
    for k in ("name", "inputs"):
        if not isinstance(raw.get(k), str) or not raw.get(k):
            problems.append(Problem(file, f"{k!r} is required and must be text"))
    periods = raw.get("periods")
    if periods is not None and not (isinstance(periods, list) and periods and all(isinstance(p, int) for p in periods)):
        problems.append(Problem(file, "'periods' must be a non-empty list of years, e.g. [2030, 2035]"))
    time = raw.get("time", {})
    for k in time:
        if k not in _TIME:
            problems.append(Problem(file, f"unknown key time.{k}; keys are {', '.join(sorted(_TIME))}"))
    rd = time.get("representative_days")
    if rd is not None and not (isinstance(rd, int) and rd >= 1):
        problems.append(Problem(file, "time.representative_days must be a whole number >= 1"))
    scenario = raw.get("scenario", {})
    for k in scenario:
        if k not in _SCENARIO:
            problems.append(Problem(file, f"unknown key scenario.{k}; keys are {', '.join(sorted(_SCENARIO))}"))
    settings = raw.get("settings", {})
    for k in settings:
        if k not in SETTING:
            problems.append(Problem(file, f"unknown setting {k!r} under [settings]; known: {', '.join(SETTING)}"))
    if problems:
        raise InputError(problems)
    inputs = Path(raw["inputs"])
    if not inputs.is_absolute():
        inputs = (path.parent / inputs).resolve()
    return RunSpec(name=raw["name"], inputs=inputs, path=path, description=raw.get("description", ""),
                   periods=periods, time=time, solver=raw.get("solver", {}), settings=settings, scenario=scenario,
                   calibration=list(raw.get("calibration", [])))
