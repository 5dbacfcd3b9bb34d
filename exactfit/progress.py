"""Live progress: what solvers report while they run, and who listens.

A solver publishes a :class:`Snapshot` (incumbent, bound, work done) with :func:`publish`;
whoever wants to watch registers an observer with :func:`observing` for the duration of a
solve: the live terminal display (:mod:`exactfit.live`) and the trace recorder
(:mod:`exactfit.trace`).  With no observer, :func:`active` is false and a solver skips the
work of reporting altogether (SCIP and MathOpt then get no callback at all), so progress costs
nothing unless someone watches.

Observers are process-wide, not per thread: a backend's callbacks run in the helper thread of
:func:`exactfit.interrupt.call`, where a context variable set by the caller would not be seen.
Observers must therefore be thread-safe.  :class:`Throttle` keeps callbacks fired per node
cheap: a publisher reports at most every ``interval`` seconds.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["Observer", "Snapshot", "Throttle", "active", "observing", "publish"]

#: Seconds between two reports of one publisher (≤ 10 updates a second).
INTERVAL_S = 0.1


@dataclass(frozen=True)
class Snapshot:
    """One report of a running solve, in the problem's units.

    Attributes
    ----------
    solver : str
        Registry name of the reporting solver; ``""`` keeps the last one reported (an exact
        phase shared by several solvers does not know whose answer it proves).
    phase : str
        What is running: ``"enumerate"``, ``"search"``, ``"certify"``, ``"model 2/3"``...
    incumbent : float or None
        The best loss found so far; ``None``: this report does not know it (keep the last).
    bound : float or None
        A proven lower bound on the optimum; ``None``: keep the last.
    done, total : int or None
        Work done and, where the work is countable, its total (an upper estimate), for an ETA.
    unit : str
        What ``done`` counts: ``"cells"``, ``"combinations"``, ``"nodes"``, ``"steps"``.
    """

    solver: str = ""
    phase: str = ""
    incumbent: float | None = None
    bound: float | None = None
    done: int | None = None
    total: int | None = None
    unit: str = ""


Observer = Callable[[Snapshot], None]

_LOCK = threading.Lock()
_OBSERVERS: list[Observer] = []


def active() -> bool:
    """Whether anyone observes: publishers skip all reporting work when not."""
    return bool(_OBSERVERS)


def publish(snapshot: Snapshot) -> None:
    """Hand ``snapshot`` to every observer (from any thread)."""
    with _LOCK:
        observers = list(_OBSERVERS)
    for observer in observers:
        observer(snapshot)


@contextlib.contextmanager
def observing(observer: Observer) -> Iterator[Observer]:
    """Register ``observer`` for the scope (nested scopes add observers)."""
    with _LOCK:
        _OBSERVERS.append(observer)
    try:
        yield observer
    finally:
        with _LOCK:
            _OBSERVERS.remove(observer)


class Throttle:
    """``ready()`` is true at most once every ``interval`` seconds (the first call is)."""

    def __init__(self, interval: float = INTERVAL_S) -> None:
        self.interval = interval
        self.last = -float("inf")

    def ready(self) -> bool:
        now = time.monotonic()
        if now - self.last < self.interval:
            return False
        self.last = now
        return True
