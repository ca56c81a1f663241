"""Command line: ``planner run|validate|report|compare|docs`` and one subcommand per study.

The pipeline commands are listed in ``PIPELINE``, the studies in
``planner.studies.STUDIES``; both have the same shape (NAME, HELP,
add_arguments, run) and are registered in one loop.

Exit codes: 0 success, 1 a run whose results are written but whose summary or
report failed (named, with the command that makes the report again), 2 invalid
input (file, line, column named), 3 a solve that did not reach a proven
optimum, 130 interrupted (Ctrl-C: one line, earlier
results untouched). No traceback for any of them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, InputError, SolveError, show_warnings

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
    p.add_argument("--quiet", action="store_true", help="no progress line while the run works")


def _run(args) -> int:
    from planner.progress import Progress
    from planner.run import run_spec
    from planner.spec import load_spec

    spec = load_spec(args.model or DEFAULT_MODEL)
    out = run_spec(spec, Path(args.results), report=not args.no_report, progress=Progress(enabled=not args.quiet))
    if out.report_error:
        print(f"error: the run solved and its results are written to {out.folder}, but not all of its summary "
              f"and report could be made: {out.report_error}\n  once that is fixed: planner report {out.folder}",
              file=sys.stderr)
        return 1
    print((out.folder / "summary.txt").read_text(encoding="utf-8").rstrip())
    print(f"\nresults written to {out.folder}")
    if spec.time.get("year_check"):  # the plan over every hour of its year (planner/studies/year_check.py)
        from planner.studies.year_check import check, summary_lines

        print("\n".join(summary_lines(check(out.folder))))
        if not args.no_report:
            from planner.report import build_report

            build_report(out.folder)  # again, now with the year check's section
    if not args.no_report:
        print(f"report written to {out.folder / 'report'} (report.html, report.xlsx, one CSV per table)")
    return 0


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case")


def _validate(args) -> int:
    from planner.load import load_case

    case = load_case(args.case)
    show_warnings(case.warnings)
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
    from planner.errors import Problem

    folder = Path(args.dir)
    for up in [folder, *folder.parents]:  # the nearest thing that exists on the way must be a folder
        if up.exists():
            if not up.is_dir():
                raise InputError([Problem("--dir", f"{str(up)!r} is a file, not a folder; --dir takes a folder "
                                          "(existing, or one that can be made) to receive inputs.md and model.md")])
            break
    try:
        paths = write_docs(folder)
    except OSError as exc:
        raise InputError([Problem("--dir", f"{args.dir!r} cannot be written ({exc.strerror or exc}); --dir takes a "
                                  "folder you can write to")]) from None
    for path in paths:
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
        code = args.func(args)
        sys.stdout.flush()  # here, so a reader that went away is met below and not at interpreter exit
        return code
    except InputError as exc:
        print(exc.report(), file=sys.stderr)
        return exc.exit_code
    except SolveError as exc:
        print(f"error: {exc.report()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was written; earlier results are as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`planner run | head -1`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def entry() -> None:
    """The console script: ``main``'s exit code, and after a Ctrl-C exactly 130.

    CPython 3.11 marks a KeyboardInterrupt "unhandled" when it passes through any ``exec`` of a source
    string (``run_eval_code_obj``), as several libraries do while being imported, even when ``main``
    then catches it; at exit the interpreter would kill itself with SIGINT (a parent sees -2, not 130).
    Every cleanup of an interrupted run has already run in ``main``'s ``finally`` blocks, so the process
    leaves at once with the documented code."""
    code = main()
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # a reader that went away (| head) must not turn 130 into a traceback
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
