"""Command line: ``planner run|validate|report|compare|docs`` and one subcommand per study.

The pipeline commands are listed in ``PIPELINE``, the studies in
``planner.studies.STUDIES``; both have the same shape (NAME, HELP,
add_arguments, run) and are registered in one loop.

Exit codes: 0 success, 2 invalid input (file, line, column named), 3 a solve
that did not reach a proven optimum. No traceback for either.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.errors import InputError, SolveError

DEFAULT_MODEL = Path("models/kazakhstan.toml")


@dataclass(frozen=True)
class Command:
    """A pipeline command, in the shape of a study (planner/studies/__init__.py): NAME, HELP, add_arguments, run."""

    NAME: str
    HELP: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?", help=f"run specification (TOML); default {DEFAULT_MODEL}")
    p.add_argument("--results", default="results", help="folder that receives results/<name>/ (default: results)")
    p.add_argument("--no-report", action="store_true", help="skip the report (regenerate later with `planner report`)")


def _run(args) -> int:
    from planner.run import run_spec
    from planner.spec import load_spec

    spec = load_spec(args.model or DEFAULT_MODEL)
    out = run_spec(spec, Path(args.results))
    print((out.folder / "summary.txt").read_text(encoding="utf-8").rstrip())
    print(f"\nresults written to {out.folder}")
    if not args.no_report:
        from planner.report import build_report

        print(f"report written to {build_report(out.folder)} (report.html, report.xlsx, one CSV per table)")
    return 0


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case")


def _validate(args) -> int:
    from planner.load import load_case

    case = load_case(args.case)
    n = {k: len(v) for k, v in case.tables.items() if len(v)}
    print(f"{args.case}: valid ({', '.join(f'{k} {v}' for k, v in n.items())} rows)")
    return 0


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results_dir", help="a run's results folder, e.g. results/example")


def _report(args) -> int:
    from planner.report import build_report

    folder = build_report(Path(args.results_dir))
    print(f"report written to {folder} (report.html, report.xlsx, one CSV per table)")
    return 0


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("runs", nargs="+", metavar="RUN", help="results folders; the first is the reference")
    p.add_argument("--out", help="output folder (default: results/compare-<names>/)")


def _compare(args) -> int:
    from planner.report.compare import run_compare

    return run_compare([Path(r) for r in args.runs], Path(args.out) if args.out else None)


def _docs_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", default="docs", help="folder that receives inputs.md and model.md (default: docs)")


def _docs(args) -> int:
    from planner.docs import write_docs

    for path in write_docs(Path(args.dir)):
        print(f"wrote {path}")
    return 0


# the pipeline's own commands; the studies follow them (planner/studies/__init__.py STUDIES)
PIPELINE = (
    Command("run", "solve a model and write results/<name>/", _run_arguments, _run),
    Command("validate", "check a case folder and report every problem", _validate_arguments, _validate),
    Command("report", "regenerate RESULTS_DIR/report/ (HTML, Excel, CSV) from stored results, no solve",
            _report_arguments, _report),
    Command("compare", "compare the headline figures, capacity and generation of two or more runs",
            _compare_arguments, _compare),
    Command("docs", "write docs/inputs.md (from the schema) and docs/model.md (from the constraint families)",
            _docs_arguments, _docs),
)


def parser() -> argparse.ArgumentParser:
    from planner.studies import all_studies

    p = argparse.ArgumentParser(prog="planner", description="Least-cost capacity-expansion planning (Pyomo + HiGHS).")
    sub = p.add_subparsers(dest="command", required=True)
    for command in (*PIPELINE, *all_studies()):
        c = sub.add_parser(command.NAME, help=command.HELP)
        command.add_arguments(c)
        c.set_defaults(func=command.run)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(exc.report(), file=sys.stderr)
        return exc.exit_code
    except SolveError as exc:
        print(f"error: {exc.report()}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
