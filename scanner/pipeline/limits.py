"""Time limits of a scan: per file (`--file-timeout`) and for the whole scan (`--deadline`).
Detection runs each parse under `Limits.timer`; attribution checks `Limits.passed`."""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.model import (
    ScanError,
)

DEFAULT_FILE_TIMEOUT = 10.0  # seconds one file may take to parse (the largest real file: ~0.3 s)


class TimeLimit(Exception):
    """Raised inside a parse by the timer's signal; caught by scan_file only."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Time limits: per file (`file_timeout`) and for the whole scan (`deadline`, a
    time.monotonic() instant, and the `seconds` it was given as)."""

    file_timeout: float = DEFAULT_FILE_TIMEOUT
    deadline: float | None = None
    seconds: float | None = None

    def passed(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def late(self, path: str, what: str) -> ScanError:
        message = f"{what}: the scan's deadline ({self.seconds:g} s) passed"
        return ScanError(path=path, line=None, message=message)

    @contextlib.contextmanager
    def timer(self) -> Iterator[None]:
        """Interrupt the block after file_timeout seconds (or at the deadline, if sooner).

        SIGALRM interrupts pure-Python parsing between bytecodes. Only the main thread of a
        process gets signals (the pool's workers parse in theirs); elsewhere, no limit."""
        seconds = self.file_timeout
        if self.deadline is not None:
            seconds = min(seconds, max(0.001, self.deadline - time.monotonic()))
        usable = hasattr(signal, "setitimer") and threading.current_thread() is \
            threading.main_thread()  # fmt: skip
        if not usable or seconds <= 0:
            yield
            return

        def expire(_signum: int, _frame: object) -> None:
            raise TimeLimit

        previous = signal.signal(signal.SIGALRM, expire)
        # The interruption must land in the parser: no garbage collection (whose callbacks
        # swallow exceptions) during the parse, and the alarm repeats every 50 ms in case one
        # is swallowed anyway (a finaliser).
        collecting = gc.isenabled()
        gc.disable()
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if collecting:
                gc.enable()
