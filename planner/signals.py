"""Termination signals: SIGTERM and SIGHUP are handled as a Ctrl-C (SIGINT) is.

Schedulers, containers and CI runners stop a process with SIGTERM; a closed terminal sends SIGHUP. Both raise
``Terminated`` (a ``KeyboardInterrupt``), so every cleanup that an interrupted run performs (temporary folders,
the results lock, a HiGHS solve stopped at its next iteration) runs for them too; the command line then prints one
line and exits with 128 + the signal's number (143 for SIGTERM, 129 for SIGHUP), as shells report it.

``deferred()`` holds these signals back for a few statements that must not be cut in two (the renames that swap a
results folder in, the removal of a lock): a signal that arrives meanwhile is acted on when the block ends.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: handled as a Ctrl-C, exit 128 + its number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def exception(signum: int) -> KeyboardInterrupt:
    """What ``signum`` raises: ``KeyboardInterrupt`` for SIGINT, ``Terminated`` for the others."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + (exc.signum if isinstance(exc, Terminated) else int(signal.SIGINT))


def _raise(signum, frame) -> None:
    raise exception(signum)


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``Terminated`` inside the block (in the main thread; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back until the block ends, then act on the first that came (as its
    handler before the block would have). Outside the main thread signals cannot arrive here: nothing is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in STOPPING}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    if pending:
        handler = previous[pending[0]]
        if callable(handler):
            handler(pending[0], None)
        elif handler != signal.SIG_IGN:
            raise exception(pending[0])
