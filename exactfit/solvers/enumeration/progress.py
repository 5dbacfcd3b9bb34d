"""Progress display and the polling of long phases (deadline, callback, Ctrl-C).

Nothing mathematical: a one-line progress display on a terminal, the deadline test, and the
polling hook the long exact phases call so that a time limit or an interrupt can stop them.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any, TextIO

from exactfit.errors import LimitReached


class _Progress:
    """A one-line progress display on a stream, only when enabled."""

    def __init__(self, enabled: bool, stream: TextIO, total: int | None, label: str) -> None:
        self.enabled, self.stream, self.total, self.label = enabled, stream, total, label
        self.last = 0.0
        self.t0 = time.monotonic()

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        frac = f" {100.0 * done / self.total:5.1f}%" if self.total else ""
        self.stream.write(f"\r{self.label}: {done:,} cells{frac} {extra} {now - self.t0:6.1f}s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _progress_enabled(progress: bool | None, stream: TextIO) -> bool:
    if progress is not None:
        return bool(progress)
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _check_stop(deadline: float | None) -> bool:
    return deadline is not None and time.time() >= deadline


def _poller(
    deadline: float | None,
    callback: Callable[[dict[str, Any]], None] | None,
    phase: str,
    bar: _Progress | None = None,
) -> Callable[[], None]:
    """A no-argument hook for long exact phases (exact enumeration, certification): it reports
    ``{"phase": phase, "step": i}`` to ``callback`` (which may raise ``KeyboardInterrupt``, like
    Ctrl-C) and raises :class:`~exactfit.errors.LimitReached` once ``deadline`` has passed.
    Ctrl-C itself arrives as ``KeyboardInterrupt`` between any two Python bytecodes, so needs
    no polling."""
    count = itertools.count(1)

    def check() -> None:
        step = next(count)
        if bar is not None and step % 16 == 0:
            bar.update(0, f"{phase}: step {step:,}")
        if callback is not None:
            callback({"phase": phase, "step": step})
        if _check_stop(deadline):
            raise LimitReached(f"{phase}: deadline passed")

    return check
