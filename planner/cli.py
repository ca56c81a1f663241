"""Command line: ``planner run|validate|report|compare|docs`` and one subcommand per study.

The pipeline commands are listed in ``PIPELINE``, the studies in
``planner.studies.STUDIES``; both have the same shape (NAME, HELP,
add_arguments, run) and are registered in one loop.

Exit codes: 0 success, 1 a run whose results are written but whose summary or
report failed (named, with the command that makes the report again), 2 invalid
input (file, line, column named), 3 a solve that did not reach a proven
optimum, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP): one line saying
what is on disk, earlier results untouched unless the line says they were replaced. No traceback for any of them.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner import signals
from planner.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_HANGUP,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    InputError,
    SolveError,
    show_warnings,
)

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
    start = p.add_mutually_exclusive_group()
    start.add_argument("--warm-start", metavar="RESULTS_DIR",
                       help="start the solve from the basis stored in this run's results (default: from the results "
                            "this run replaces, when its LP has the same shape)")
    start.add_argument("--cold", action="store_true", help="solve from scratch, whatever basis is stored")


def specs_using(case: Path) -> list[Path]:
    """The run specifications (``models/*.toml`` here and beside the case's parent folder) whose ``inputs`` is the
    case folder ``case``: what to run when a case folder is given where a TOML is expected."""
    import tomllib

    case = case.resolve()
    found = []
    for models in dict.fromkeys([Path("models").resolve(), case.parent.parent / "models"]):
        for toml in sorted(models.glob("*.toml")):
            try:
                inputs = tomllib.loads(toml.read_text(encoding="utf-8-sig")).get("inputs")
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(inputs, str) and (toml.parent / inputs).resolve() == case:
                rel = Path(os.path.relpath(toml))
                found.append(toml if rel.parts[0] == ".." else rel)
    return found


def _not_a_case(model: Path, command: str = "run") -> None:
    """A folder given where a run specification is expected (``planner run``, the studies): an ``InputError``
    naming the run specifications whose case it is."""
    from planner.errors import Problem

    if model.is_dir():
        using = specs_using(model)
        hint = (f"it is the case of {', '.join(map(str, using))}: give {'it' if len(using) == 1 else 'one of them'} "
                f"instead, e.g. `planner {command} {using[0]}`" if using else
                "give a run specification; one whose inputs = this folder runs it as a case (models/example.toml "
                "is an example)")
        raise InputError([Problem(str(model), f"is a folder, not a run specification (TOML); {hint}")])


def _run(args) -> int:
    from planner.progress import Progress
    from planner.runner import run_spec
    from planner.spec import load_spec

    spec = load_spec(args.model or DEFAULT_MODEL)
    out = run_spec(spec, Path(args.results), report=not args.no_report, progress=Progress(enabled=not args.quiet),
                   warm_start=False if args.cold else args.warm_start)
    if out.report_error:
        print(f"error: the run solved and its results are written to {out.folder}, but not all of its summary "
              f"and report could be made: {out.report_error}\n  once that is fixed: planner report {out.folder}",
              file=sys.stderr)
        return 1
    print((out.folder / "summary.txt").read_text(encoding="utf-8").rstrip())
    print(f"\nresults written to {out.folder}")
    if out.year_check is not None:  # [time] year_check: the plan over every hour (planner/studies/year_check.py)
        from planner.studies.year_check import summary_lines

        print("\n".join(summary_lines(out.year_check)))
    if not args.no_report:
        print(f"report written to {out.folder / 'report'} (report.html, report.xlsx, one CSV per table)")
    return 0


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", metavar="CASE_DIR", help="a case folder of CSV tables, e.g. inputs/example (not a TOML: "
                   "a run specification's case is its inputs folder)")


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
    from planner.errors import Problem
    from planner.report import build_report

    if Path(args.results_dir).is_file():
        raise InputError([Problem(args.results_dir, "is a file, not a results folder; give the folder a run wrote, "
                                  "e.g. results/example")])
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


def version() -> str:
    """The installed package's version (pyproject.toml), or "unknown" when planner runs from a source tree."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("planner")
    except PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def parser() -> argparse.ArgumentParser:
    from planner.studies import all_studies

    p = argparse.ArgumentParser(prog="planner", description="Least-cost capacity-expansion planning (Pyomo + HiGHS).")
    p.add_argument("--version", action="version", version=f"planner {version()}")
    sub = p.add_subparsers(dest="command", required=True)
    for command in (*PIPELINE, *all_studies()):
        c = sub.add_parser(command.NAME, help=command.HELP)
        command.add_arguments(c)
        c.set_defaults(func=command.run)
    return p


def main(argv: list[str] | None = None) -> int:
    with signals.installed():  # SIGTERM and SIGHUP stop a command as Ctrl-C does (planner/signals.py)
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    args = parser().parse_args(argv)
    if "planner.store" in sys.modules:  # what this command writes, not what an earlier one in this process wrote
        sys.modules["planner.store"].WRITTEN.clear()
    try:
        if isinstance(getattr(args, "model", None), str):  # run and every study take a TOML, not a case folder
            _not_a_case(Path(args.model), args.command)
        code = args.func(args)
        if sys.stdout is not None:  # None when the shell closed it (`planner validate ... >&-`)
            sys.stdout.flush()  # here, so a reader that went away is met below and not at interpreter exit
        return code
    except InputError as exc:
        print(exc.report(), file=sys.stderr)
        return exc.exit_code
    except SolveError as exc:
        print(f"error: {exc.report()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP
        print(interrupted_line(exc), file=sys.stderr)
        return signals.exit_code(exc)
    except BrokenPipeError:
        # the reader went away (`planner run | head -1`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS or exc.filename is not None:
            raise
        # standard output cannot take what is printed (`> /dev/full`, a full disk): one line, not a traceback
        _drop_stdout()
        from planner.store import errno_text

        print(f"error: standard output cannot be written ({errno_text(exc)}); what was written to disk is complete",
              file=sys.stderr)
        return EXIT_INPUT


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EROFS, errno.EBADF, errno.EFBIG}


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so Python's own flush at exit meets nothing to complain about."""
    if sys.stdout is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())


def interrupted_line(exc: KeyboardInterrupt) -> str:
    """The one line an interrupted command prints: what stopped it, and what is on disk (``store.WRITTEN``)."""
    what = f"terminated ({exc.name})" if isinstance(exc, signals.Terminated) else "interrupted"
    store = sys.modules.get("planner.store")
    written = list(dict.fromkeys(store.WRITTEN)) if store is not None else []
    if not written:
        return f"{what}: nothing was written; earlier results are as they were"
    shown = ", ".join(str(w) for w in written[:5]) + (f" and {len(written) - 5} more" if len(written) > 5 else "")
    return (f"{what}: {shown} {'was' if len(written) == 1 else 'were'} written whole before it (replacing any "
            f"earlier results of the same name); nothing else was written")


def entry() -> None:
    """The console script: ``main``'s exit code, and after a Ctrl-C exactly 130.

    CPython 3.11 marks a KeyboardInterrupt "unhandled" when it passes through any ``exec`` of a source
    string (``run_eval_code_obj``), as several libraries do while being imported, even when ``main``
    then catches it; at exit the interpreter would kill itself with SIGINT (a parent sees -2, not 130).
    Every cleanup of an interrupted run has already run in ``main``'s ``finally`` blocks, so the process
    leaves at once with the documented code (143 after SIGTERM, 129 after SIGHUP, likewise)."""
    code = main()
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_HANGUP):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # a reader that went away (| head) must not turn 130 into a traceback
                stream.flush()
        os._exit(code)

    # the command has finished and written what it writes: a SIGTERM or SIGHUP during the interpreter's shutdown
    # must not turn its code into death by signal (a parent saw -15 for a run written whole). Ignored, not handled:
    # CPython's finalization puts a Python handler back to the default before the process ends, not SIG_IGN.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    entry()
