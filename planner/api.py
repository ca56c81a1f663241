"""planner as a library, for notebooks and scripts (docs/api.md).

    import planner

    spec = planner.load_spec("models/example.toml", periods=[2030])   # a run specification (RunSpec), changed
    case = planner.load_case("inputs/example")                        # a checked case: case.tables["zones"]
    r = planner.run("models/example.toml")                            # solve; nothing written without results=
    r.objective_usd, r.tables["new_capacity"], r.table("capacity")
    r.metrics()                     # metric, period, unit, value (planner/analysis/metrics.py)
    r.deficit(), r.deficit("system")   # zone, or system and region, deficits (planner/analysis/deficit.py)
    r.partners()                    # partner_builds, zone_deficits, deficit_closed, partner_headline
    r = planner.read("results/example")                               # the same from a results folder

    planner.partner_value(spec, "TR")                         # the studies, each returning DataFrames
    planner.placement(spec, "TR", programme=[0, 500])
    planner.sweep(spec, {"settings.discount_rate": [0.06, 0.1]})
    planner.time_error(spec, days=[1, 2])
    planner.year_check("results/example")                     # the plan over every hour (also [time] year_check)
    planner.calibrate(spec)

Every function here is a thin layer over the stages the command line uses (planner/pipeline.py,
planner/runner.py ``run_spec``, the studies' own functions in planner/studies/), so a notebook and
``planner run`` give the same numbers. Errors are the command line's: ``InputError`` (bad input; its
``report()`` names file, line and column) and ``SolveError`` (no proven optimum), never a result.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planner.errors import InputError, Problem

if TYPE_CHECKING:
    from planner.load import Case
    from planner.runner import RunOutput
    from planner.spec import RunSpec



# ---------------------------------------------------------------- inputs

def load_spec(spec: RunSpec | str | Path, **changes) -> RunSpec:
    """A run specification: a TOML file (``models/*.toml``), a case folder (run as it is: every period of
    periods.csv at the case's own timesteps, planner's default solver options), or a ``RunSpec``; then
    ``changes`` to its fields (``name``, ``periods``, ``time``, ``solver``, ``settings``, ``scenario``,
    ``cells``, ``report``), checked like the TOML's. ``InputError`` names what is wrong."""
    from planner.spec import RunSpec, validate_spec
    from planner.spec import load_spec as from_toml

    if isinstance(spec, RunSpec):
        base = spec
    elif Path(spec).is_dir():
        folder = Path(spec).resolve()
        base = RunSpec(name=folder.name, inputs=folder)
    else:
        base = from_toml(spec)
    known = set(RunSpec.__dataclass_fields__) - {"path", "inputs"}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise InputError([Problem("load_spec", f"unknown fields {unknown}; a run specification has "
                                  f"{', '.join(sorted(known))}")])
    return validate_spec(replace(base, **changes)) if changes else validate_spec(base)


def load_case(folder: str | Path) -> Case:
    """A case folder loaded and checked (planner/load.py): ``case.tables`` holds one DataFrame per input table,
    ``case.warnings`` what is valid but worth a look. ``InputError`` lists every problem."""
    from planner.load import load_case as load

    return load(folder)


# ---------------------------------------------------------------- a run

@dataclass
class Run:
    """One solved run: its result tables and run.json, and the views every report shows, as DataFrames.

    Made by ``run`` (from the solve; ``output`` is the full ``RunOutput`` with the Pyomo model) or by ``read``
    (from a results folder, checksums verified). Table and column names are those of the results folder
    (docs/inputs.md for the input tables; units are in the column names)."""

    tables: dict[str, pd.DataFrame]
    meta: dict
    folder: Path | None = None
    output: RunOutput | None = field(default=None, repr=False)
    # ``[time] year_check = true``: the year check's tables (planner/studies/year_check.py), by ``run`` in memory
    # or, with ``results=``, as written to ``<results>/<name>-year-check/``; ``read`` gives the stored ones
    year_check: dict[str, pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return str(self.meta["name"])

    @property
    def objective_usd(self) -> float:
        """Present value of system cost (USD of the case's currency year, discounted to its base year)."""
        return float(self.meta["objective_usd"])

    @property
    def periods(self) -> list[int]:
        return [int(p) for p in self.meta["periods"]]

    def table(self, name: str) -> pd.DataFrame:
        """The result table ``name`` (``capacity``, ``new_capacity``, ``dispatch``, ``costs``, ...)."""
        if name not in self.tables:
            raise KeyError(f"no result table {name!r}; the tables are {', '.join(sorted(self.tables))}")
        return self.tables[name]

    def metrics(self, names: Iterable[str] | None = None) -> pd.DataFrame:
        """metric, period, unit, value: every metric of planner/analysis/metrics.py (or ``names``) per period."""
        from planner.analysis import metrics as mx

        return mx.table(self.tables, list(names) if names is not None else list(mx.METRICS), self.periods)

    def metric(self, name: str) -> pd.Series:
        """One metric of planner/analysis/metrics.py per period (its unit is
        ``planner.analysis.metrics.METRICS[name].unit``)."""
        from planner.analysis import metrics as mx

        return mx.series(self.tables, name, self.periods)

    def deficit(self, by: str = "zone") -> pd.DataFrame:
        """The deficit of planner/analysis/deficit.py (MW) before and after new builds: ``by="zone"`` one row per
        zone and period, ``by="system"`` the system (scope ``system``, name ``*``) and each region per period."""
        from planner.analysis.deficit import system_deficits

        if by == "zone":
            return self._partners["zone_deficits"]
        if by == "system":
            return system_deficits(self._partners["zone_deficits"])
        raise ValueError(f"by={by!r}: expected 'zone' or 'system'")

    def partners(self) -> dict[str, pd.DataFrame]:
        """The partner view (planner/analysis/partners.py): ``partner_builds`` (zone x technology x owner x period:
        MW, capex, annual cost, generation, revenue, margin), ``zone_deficits``, ``deficit_closed`` (each owner's
        share of the deficit closed) and ``partner_headline`` (per owner and period)."""
        return dict(self._partners)

    def notes(self) -> dict[str, str]:
        """The lines that explain this run's deficit figures (planner/explanations.py), as in summary.txt."""
        from planner.explanations import notes

        return notes(self.tables, self.meta, self._partners)

    def summary(self) -> str:
        """The terminal summary, as ``planner run`` prints it and writes to summary.txt."""
        from planner.summary import summary_text

        return summary_text(self.tables, self.meta)

    @cached_property
    def _partners(self) -> dict[str, pd.DataFrame]:
        from planner.analysis.partners import report

        return report(self.tables)


def _spec(spec: RunSpec | str | Path) -> RunSpec:
    from planner.spec import RunSpec

    return spec if isinstance(spec, RunSpec) else load_spec(spec)


def run(spec: RunSpec | str | Path, results: str | Path | None = None, report: bool = False,
        solver: Mapping | None = None, progress: bool = False) -> Run:
    """Solve a run specification (a TOML path, a case folder or a ``RunSpec``; see ``load_spec``).

    ``results``: a folder that receives ``<results>/<name>/`` as ``planner run --results`` writes it (with
    ``report/`` when ``report``); None writes nothing. ``solver``: HiGHS options over the specification's.
    ``progress``: the live progress line on stdout."""
    from planner.progress import Progress
    from planner.runner import run_spec

    out = run_spec(_spec(spec), Path(results) if results is not None else None, dict(solver or {}), report,
                   Progress(enabled=progress))
    if out.report_error:
        raise RuntimeError(f"the run solved and its results are written to {out.folder}, but not all of its "
                           f"summary and report could be made: {out.report_error}")
    return Run(out.tables, out.meta, out.folder, out, out.year_check)


def read(folder: str | Path) -> Run:
    """A run from its results folder (``results/<name>/``), every table checked against its sha256; text
    columns as text; ``year_check`` the tables of its year check when one is stored beside it. ``InputError``
    when the folder is not a run's results or was changed."""
    from planner.report.data import load_run
    from planner.report.year import stored as stored_year

    stored = load_run(folder)
    return Run(stored.tables, stored.meta, stored.folder, year_check=stored_year(stored.folder, stored.meta["name"]))


def year_check(folder: str | Path, method: str = "auto", window_h: int = 168, overlap_h: int = 24,
               scheduler: str | None = None, write: bool = True) -> dict[str, pd.DataFrame]:
    """The plan of the run in ``folder`` dispatched over every hour of each period (planner/studies/year_check.py),
    as ``planner year-check`` does: ``year_check`` (per period), ``year_unserved``, ``year_deficit_hours``,
    ``year_hourly``, ``year_prices``, ``year_price_duration``, ``year_generation``, ``year_emissions``,
    ``year_annual_rows``, ``year_costs``. ``write``: also to ``<folder's parent>/<name>-year-check/``."""
    from planner.studies.year_check import Options, check

    return check(Path(folder), Options(method, window_h, overlap_h), scheduler=scheduler, write=write)


# ---------------------------------------------------------------- studies

@contextlib.contextmanager
def _root(results: str | Path | None) -> Iterator[Path]:
    """``results``, or a temporary folder removed afterwards for a study that must write its runs somewhere."""
    if results is not None:
        yield Path(results)
        return
    with tempfile.TemporaryDirectory(prefix="planner-") as tmp:
        yield Path(tmp)


def partner_value(spec: RunSpec | str | Path, partner: str, results: str | Path | None = None,
                  keep_committed: bool = True, solver: Mapping | None = None) -> pd.DataFrame:
    """With and without ``partner``'s build options (planner/studies/partner_value.py): metric, period, unit,
    with, without, difference (= without - with; a positive system cost is what the partner saves).
    ``attrs["summary"]`` is partner_value.json's content; ``results`` writes the study's folder."""
    from planner.studies.partner_value import partner_value as study

    res = study(_spec(spec), partner, Path(results) if results is not None else None, dict(solver or {}),
                keep_committed)
    table = res["table"]
    table.attrs.update(summary=res["summary"], folder=res["folder"])
    return table


def placement(spec: RunSpec | str | Path, partner: str, programme: Iterable[float] | None = None, unit: str = "MW",
              by: int | None = None, slack: float = 0.01, tie_slack: float = 1e-4, top: int | None = None,
              results: str | Path | None = None, solver: Mapping | None = None) -> dict[str, pd.DataFrame]:
    """Where ``partner`` should build (planner/studies/placement.py), as ``planner placement`` computes it:
    ``where``, ``break_even`` and ``alternatives``, and with a ``programme`` (sizes in ``unit`` by period
    ``by``) ``programme``, ``programme_displaced``, ``programme_sites`` and ``programme_infeasible``.
    The full result, with its headline and summary text, is ``planner.studies.placement.placement``."""
    from planner.studies.placement import placement as study

    if not 0 <= tie_slack <= slack < 1:
        raise InputError([Problem("slack", "expected 0 <= tie_slack <= slack < 1")])
    if top is not None and top < 0:
        raise InputError([Problem("top", f"{top} is not a number of zones; expected a whole number >= 0")])
    sizes = [float(x) for x in programme] if programme is not None else None
    res = study(_spec(spec), partner, sizes, unit, by, slack, tie_slack, None,
                Path(results) if results is not None else None, dict(solver or {}), False, top)
    return dict(res["tables"])


def sweep(spec: RunSpec | str | Path, vary: Mapping[str, Iterable] | Iterable[str],
          results: str | Path | None = None) -> pd.DataFrame:
    """Every combination of ``vary`` (planner/studies/sweep.py), one row per variant: objective, new MW,
    emissions, unserved energy, solve time and the values varied. ``vary`` maps what the command line's
    ``--vary`` names to values, e.g. ``{"settings.discount_rate": [0.06, 0.1],
    "partners.csv:partner=TR:wacc": [0.07, 0.1]}``, or is a list of ``--vary`` texts. Each variant's results
    go to ``results`` (without it, to a temporary folder removed afterwards; the ``results`` column is then
    dropped)."""
    from planner.studies.sweep import parse_vary, run_sweep

    items = [f"{k}={','.join(str(v) for v in values)}" for k, values in vary.items()] \
        if isinstance(vary, Mapping) else list(vary)
    with _root(results) as root:
        table = run_sweep(_spec(spec), parse_vary(items), root)
    return table if results is not None else table.drop(columns=["results"], errors="ignore")


def time_error(spec: RunSpec | str | Path, days: Iterable[int], reference_days: int | None = None,
               results: str | Path | None = None) -> pd.DataFrame:
    """The error of ``days`` representative days against the case's own timesteps (or ``reference_days``),
    planner/studies/time_error.py: one row per resolution, the reference first."""
    from planner.studies.time_error import measure

    return measure(_spec(spec), [int(n) for n in days], Path(results) if results is not None else None,
                   reference_days)


def calibrate(spec: RunSpec | str | Path, results: str | Path | None = None) -> pd.DataFrame:
    """The run specification's ``[[calibration]]`` checks against the solved model (planner/studies/calibrate.py):
    metric, period, target, model, error, tolerance, within, source. ``attrs["capacity_balance"]`` is the
    capacity balance of the existing fleet. Written to ``results`` (without it, to a temporary folder removed
    afterwards)."""
    from planner.studies.calibrate import calibrate as study

    with _root(results) as root:
        table, balance = study(_spec(spec), root)
    table.attrs["capacity_balance"] = balance
    return table
