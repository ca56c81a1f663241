"""Errors the command line turns into exit codes, never into tracebacks."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_INPUT = 2
EXIT_SOLVE = 3


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
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """The inputs (case folder or run specification) are not valid. Exit code 2."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("input", problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def report(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the inputs:"
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class SolveError(Exception):
    """The solver did not prove an optimum. Exit code 3."""

    exit_code = EXIT_SOLVE

    def __init__(self, status: str, detail: str = ""):
        self.status = status
        self.detail = detail
        super().__init__(f"solver status {status!r}: no optimal solution" + (f"\n{detail}" if detail else ""))

    def report(self) -> str:
        return str(self)
