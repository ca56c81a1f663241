"""One live progress line while a run works: the stage, the elapsed time, the solver's own progress.

On a terminal the line is redrawn in place (at most a few times a second);
when stdout is not a terminal (a pipe, a log file, CI) plain lines are printed
instead: one at every change of stage and one every ``plain_every_s`` seconds
during a long solve. ``Progress(enabled=False)`` (``planner run --quiet``, the
tests, library calls) prints nothing.

The solver's progress comes from HiGHS's own log, read line by line through
its logging callback (``SolverLog.feed``): interior-point iterations with their
relative gap, simplex iterations with their objective, PDLP iterations, and the
phase (presolve, crossover, postsolve). HiPO, the interior-point solver that
method "ipm" uses when highspy's extras are installed, logs no iterations:
its iteration count comes from HiGHS's interrupt callback, which carries no
gap, so the line says that the gap is not reported until the interior-point
summary gives the gap it ended at (method "ipx" logs its gap every iteration).
"""

from __future__ import annotations

import re
import sys
import threading
import time
from typing import TextIO

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# IPX and HiPO: iter, primal obj, dual obj, pinf, dinf, gap, time
_IPM = re.compile(rf"^\s*(\d+)\*?\s+({_NUM})\s+({_NUM})\s+{_NUM}\s+{_NUM}\s+({_NUM})\s+{_NUM}\s*$")
# simplex: iteration, objective, "Ph1:" | "Pr:" | "Du:"
_SIMPLEX = re.compile(rf"^\s*(\d+)\s+({_NUM})\s+(?:Ph1|Pr|Du):")
# PDLP: iter, primal obj, dual obj, gap, primal inf, dual inf, time
_PDLP = re.compile(rf"^\s*(\d+)\s+({_NUM})\s+({_NUM})\s+({_NUM})\s+{_NUM}\s+{_NUM}\s+{_NUM}s")
# the interior-point summary (IPX's, also printed after HiPO when crossover runs): the gap the solve ended at
_IPM_GAP = re.compile(rf"objective gap \(abs/rel\):\s*{_NUM}\s*/\s*({_NUM})")
_PHASES = (
    ("Presolving model", "presolve"),
    ("Solving the presolved LP", "starting the solver"),
    ("Solving LP without presolve", "starting the solver"),
    ("Interior point solve", "interior point"),
    ("Running HiPO", "interior point (HiPO)"),
    ("Using dual simplex", "dual simplex"),
    ("Using primal simplex", "primal simplex"),
    ("Solving with cuPDLP", "PDLP"),
    ("Running crossover", "crossover"),
    ("Performed postsolve", "postsolve"),
    ("Solving the original LP from the solution after postsolve", "clean-up"),
)


class SolverLog:
    """HiGHS's log as it arrives: the full text (for solver.log) and the latest progress figures."""

    def __init__(self, objective_factor: float = 1.0):
        self.chunks: list[str] = []
        self._partial = ""
        self.phase = "starting"
        self.iteration: int | None = None
        self.gap: float | None = None
        self.objective: float | None = None
        self.objective_factor = objective_factor  # 2**-user_objective_scale: log objectives back to USD
        self.iterations_unlogged = False  # iterations known only from the callback (HiPO): no gap to show
        self._lock = threading.Lock()

    def feed(self, message: str) -> None:
        with self._lock:
            self.chunks.append(message)
            text = self._partial + message
            *lines, self._partial = text.split("\n")
        for line in lines:
            self._line(line)

    def _line(self, line: str) -> None:
        for marker, phase in _PHASES:
            if marker in line:
                if phase != self.phase:
                    self.iteration = self.gap = self.objective = None
                self.phase, self.iterations_unlogged = phase, False
                return
        if m := _IPM_GAP.search(line):
            self.gap = float(m.group(1))
        elif m := _IPM.match(line):
            self.iteration, self.gap = int(m.group(1)), float(m.group(4))
            self.objective = float(m.group(2)) * self.objective_factor
        elif m := _SIMPLEX.match(line):
            self.iteration, self.gap = int(m.group(1)), None
            self.objective = float(m.group(2)) * self.objective_factor
        elif m := _PDLP.match(line):
            self.iteration, self.gap = int(m.group(1)), abs(float(m.group(4)))
            self.objective = float(m.group(2)) * self.objective_factor

    def ipm_iteration(self, n: int) -> None:
        """Iteration count from HiGHS's interior-point interrupt callback (HiPO logs its iterations only to
        the console, so this is how its progress is seen)."""
        if n >= 0 and self.phase in ("starting", "starting the solver", "interior point") and n != self.iteration:
            if self.phase != "interior point":  # no log line said which solver: HiPO, which logs no iterations
                self.phase, self.gap, self.objective = "interior point", None, None
                self.iterations_unlogged = True
            self.iteration = n

    @property
    def text(self) -> str:
        with self._lock:
            return "".join(self.chunks)

    def describe(self) -> str:
        parts = [self.phase]
        if self.iteration is not None:
            parts.append(f"iteration {self.iteration}")
        if self.gap is not None:
            parts.append(f"gap {self.gap:.1e}")
        elif self.iterations_unlogged and self.phase == "interior point":
            parts.append("gap not reported while HiPO iterates")
        if self.objective is not None:
            parts.append(f"objective ~{self.objective:.4g}")
        return ", ".join(parts)


class Progress:
    """The live line. ``stage(name)`` at each pipeline stage; ``watch(log)`` while HiGHS runs."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, plain_every_s: float = 15.0):
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.plain_every_s = plain_every_s
        self.t0 = time.perf_counter()
        self.name = ""
        self.log: SolverLog | None = None
        self._last_draw = 0.0
        self._last_text = ""
        self._dirty = False

    def stage(self, name: str) -> None:
        self.name = name
        self.log = None
        self.tick(force=True)

    def watch(self, log: SolverLog | None) -> None:
        self.log = log

    def line(self) -> str:
        el = time.perf_counter() - self.t0
        detail = f": {self.log.describe()}" if self.log is not None else ""
        return f"[{int(el // 60):d}:{el % 60:04.1f}] {self.name}{detail}"

    def tick(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if self.tty:
            if force or now - self._last_draw >= 0.2:
                self.stream.write("\r\x1b[K" + self.line()[: 200])
                self.stream.flush()
                self._last_draw, self._dirty = now, True
        elif force or now - self._last_draw >= self.plain_every_s:
            text = self.line()
            if text != self._last_text or not force:
                self.stream.write(text + "\n")
                self.stream.flush()
                self._last_text = text
            self._last_draw = now

    def close(self) -> None:
        """End the live line so that what is printed next starts on a fresh line."""
        if self.enabled and self.tty and self._dirty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._dirty = False

