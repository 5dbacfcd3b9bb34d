"""Trace files: the incumbent and the bound of one solve over time (``solve --trace``).

One JSON object per line (the format is in ``docs/formats.md``, "Trace files")::

    {"t": 0.41, "solver": "scip", "event": "incumbent", "incumbent": 0.245, "bound": 0.0}

``event`` is ``"incumbent"`` (the incumbent improved), ``"bound"`` (the bound improved),
``"progress"`` (neither, at most once a second) or ``"final"``: the last line, always present,
with the :class:`~exactfit.result.Result`'s loss and bound.  ``t`` is seconds since the solve
started and never decreases.

A :class:`Recorder` observes :mod:`exactfit.progress` during the solve and keeps the events in
memory; :meth:`Recorder.write` adds the final line and writes the file atomically (a temporary
file renamed over the target), so the file is either absent or complete.  An interrupted solve
returns a Result (the first Ctrl-C), so its trace is complete too; a second Ctrl-C, which
abandons the solve, leaves no file, as it leaves no solution file.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from exactfit.errors import InputError
from exactfit.files import atomic_write
from exactfit.progress import Snapshot

__all__ = ["EVENTS", "Recorder", "TraceEvent", "read_trace"]

#: The values of the ``event`` field.
EVENTS = ("incumbent", "bound", "progress", "final")
#: Seconds between two ``progress`` events (improvements are recorded as they are reported).
PROGRESS_EVERY_S = 1.0


@dataclass(frozen=True)
class TraceEvent:
    """One line of a trace file (see the module docstring)."""

    t: float
    solver: str
    event: str
    incumbent: float | None
    bound: float | None

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise InputError(
                f"trace event: expected one of {', '.join(EVENTS)}, found {self.event!r}"
            )
        if not (math.isfinite(self.t) and self.t >= 0):
            raise InputError(f"trace event: t must be a finite number ≥ 0, found {self.t!r}")
        for name in ("incumbent", "bound"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise InputError(f"trace event: {name} must be finite or null, found {value!r}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), allow_nan=False)


class Recorder:
    """An :mod:`exactfit.progress` observer that turns snapshots into :class:`TraceEvent`\\ s.

    Thread-safe (backends report from their helper thread).  The clock starts when the
    recorder is made: make it just before the solve.
    """

    def __init__(self, solver: str = "") -> None:
        self.began = time.monotonic()
        self.lock = threading.Lock()
        self.events: list[TraceEvent] = []
        self.solver = solver
        self.incumbent: float | None = None
        self.bound: float | None = None
        self._last_progress = -math.inf

    def _now(self) -> float:
        # monotone even if two threads race to append: never below the last event's t
        t = time.monotonic() - self.began
        return max(t, self.events[-1].t) if self.events else t

    def __call__(self, snap: Snapshot) -> None:
        with self.lock:
            self.solver = snap.solver or self.solver
            improved = []
            if _better(snap.incumbent, self.incumbent, lower=True):
                self.incumbent = snap.incumbent
                improved.append("incumbent")
            if _better(snap.bound, self.bound, lower=False):
                self.bound = snap.bound
                improved.append("bound")
            t = self._now()
            if not improved:
                if t - self._last_progress < PROGRESS_EVERY_S:
                    return
                improved = ["progress"]
            self._last_progress = t
            for event in improved[:1]:  # one line per report; both values are on it
                self.events.append(TraceEvent(t, self.solver, event, self.incumbent, self.bound))

    def final(self, result: Any) -> TraceEvent:
        """The closing event: the Result's loss (``objective``) and bound."""
        with self.lock:
            return TraceEvent(
                self._now(),
                result.solver,
                "final",
                _finite(result.objective),
                _finite(result.bound),
            )

    def write(self, path: str | os.PathLike[str], result: Any) -> None:
        """Write every event and the final line (from ``result``) to ``path``, atomically."""
        last = self.final(result)
        with self.lock:
            events = [*self.events, last]
        with atomic_write(path) as fh:
            for event in events:
                fh.write(event.to_json() + "\n")


def _better(new: float | None, old: float | None, *, lower: bool) -> bool:
    """Whether a reported value ``new`` improves on ``old`` (an incumbent goes down, a bound
    up); ``None`` and non-finite reports improve nothing."""
    if new is None or not math.isfinite(new):
        return False
    return old is None or (new < old if lower else new > old)


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def read_trace(path: str | os.PathLike[str]) -> list[TraceEvent]:
    """The events of a trace file (one-line :class:`InputError` for a malformed line)."""
    from exactfit.files import parse_json, read_text

    events = []
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        data = parse_json(line, f"{path}:{number}")
        keys = {"t", "solver", "event", "incumbent", "bound"}
        if not isinstance(data, dict) or set(data) != keys:
            raise InputError(
                f"{path}:{number}: expected a trace event with keys {sorted(keys)} (is this a "
                f"trace file?), found "
                f"{line[:80]!r}"
            )
        events.append(_event(data, f"{path}:{number}"))
    return events


def _event(data: dict[str, Any], where: str) -> TraceEvent:
    """``data`` as a :class:`TraceEvent`, or a one-line error naming the bad field."""
    number = (int, float)
    for key, kinds, nullable in (
        ("t", number, False),
        ("incumbent", number, True),
        ("bound", number, True),
        ("solver", (str,), False),
        ("event", (str,), False),
    ):
        value = data[key]
        if (value is None and not nullable) or (
            value is not None and (isinstance(value, bool) or not isinstance(value, kinds))
        ):
            what = "a string" if kinds == (str,) else "a number" + (" or null" * nullable)
            raise InputError(f"{where}: {key} must be {what}, found {value!r}")
    try:
        return TraceEvent(**data)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
