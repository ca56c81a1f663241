"""Errors the command line turns into exit codes, never into tracebacks."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

EXIT_INPUT = 2
EXIT_SOLVE = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM (schedulers, containers, CI runners): handled as a Ctrl-C
EXIT_HANGUP = 129  # 128 + SIGHUP (the terminal closed): handled as a Ctrl-C
EXIT_LOST = 4  # a worker of a distributed study was lost (its task named); the finished parts are kept
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of our output went away


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the inputs, located as precisely as it can be."""

    file: str
    message: str
    line: int | None = None  # line in the file, header = 1
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {shown(self.column, 80)}"
        return f"{where}: {shown(self.message, 1000)}"


WARNINGS_SHOWN = 20  # warnings printed before "... and N more"; run.json keeps every one


def show_warnings(warnings: list, stream=None, limit: int = WARNINGS_SHOWN) -> None:
    """Print a valid case's warnings ("warning: ..."), at most ``limit`` of them, then how many more there are."""
    stream = stream if stream is not None else sys.stderr
    for w in warnings[:limit]:
        print(f"warning: {w}", file=stream)
    if len(warnings) > limit:
        print(f"warning: ... and {len(warnings) - limit} more (every one is in run.json of the run's results)",
              file=stream)


def shown(value: object, limit: int = 60) -> str:
    """``value`` as text for a message, cut to about ``limit`` characters (a 1 MB cell is not echoed whole)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def cell(text: str, limit: int = 60) -> str:
    """A cell's text quoted for a message, cut like ``shown``."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


class InputError(Exception):
    """The inputs (case folder or run specification) are not valid. Exit code 2."""

    exit_code = EXIT_INPUT
    heading = "in the inputs"

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("input", problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self):  # a Dask worker's error crosses to the client pickled: keep file, line and column
        return type(self), (self.problems,)

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} {self.heading}:"
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class StoredResultsError(InputError):
    """Stored results that are refused: not a run's results folder, damaged, or changed since written. Exit 2."""

    heading = "with the stored results"


class SolveError(Exception):
    """The solver did not prove an optimum. Exit code 3."""

    exit_code = EXIT_SOLVE

    def __init__(self, status: str, detail: str = ""):
        self.status = status
        self.detail = detail
        super().__init__(f"solver status {status!r}: no optimal solution" + (f"\n{detail}" if detail else ""))

    def __reduce__(self):  # pickled across processes with its status and detail, not its text alone
        return type(self), (self.status, self.detail)

    def report(self) -> str:
        return str(self)


class WorkerLost(SolveError):
    """A task of a distributed study failed outside planner: its worker died (killed, out of memory) more often
    than the scheduler retries, or the scheduler went away. Exit code 4; the message names the task and what was
    kept."""

    exit_code = EXIT_LOST

    def __init__(self, task: str, detail: str = ""):
        super().__init__("worker lost", detail)
        self.task = task

    def report(self) -> str:
        return f"the worker running {self.task} was lost" + (f"; {self.detail}" if self.detail else "")

    def __reduce__(self):
        return type(self), (self.task, self.detail)


class _OwnErrors(logging.Filter):
    """Pyomo logs "ERROR: Rule failed ..." when a rule raises; for planner's own errors, which the
    command line reports in one clear message, that log line would only repeat it (on stdout)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not isinstance(sys.exc_info()[1], (InputError, SolveError))


logging.getLogger("pyomo.core").addFilter(_OwnErrors())
