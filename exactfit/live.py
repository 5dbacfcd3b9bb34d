"""The live terminal display of running solves, drawn by ``rich`` on standard error.

One :class:`LiveDisplay` per command: ``solve`` shows one line for its solve, ``bench`` a
header line (its ``[i/N]`` count and the last finished run) with a nested line for each run
in progress (in this process, or forwarded by a worker: :mod:`exactfit.bench.relay`).  Each
run line shows the solver, the phase, the elapsed time, the incumbent, the proven bound, the
gap, the work done (cells, combinations or nodes) and, where that work is countable, an ETA.
The display is an observer of :mod:`exactfit.progress`; rich redraws it in place (cursor
movement and line erasure), so no stale characters are left behind, and keeps the final
frame when it stops.

Only on a terminal: :func:`terminal_stream` returns ``None`` for anything that is not a TTY
(a pipe, a file, ``--quiet``).  The display draws on a *duplicate* of the terminal's file
descriptor, taken when it starts: the MIQP backends point descriptors 1 and 2 at
``/dev/null`` while they run (:mod:`exactfit.solvers._backend`), and the display must survive
that.  While it runs it takes over ``sys.stdout`` and ``sys.stderr`` (rich's redirection), so
that a message of ours printed meanwhile appears above its lines, on that duplicate, instead
of tearing them or vanishing with the silenced descriptors.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, TextIO

from exactfit.progress import Snapshot
from exactfit.result import relative_gap

__all__ = ["LiveDisplay", "RunLine", "terminal_stream"]

#: Redraws per second (the elapsed time ticks even when no solver reports).
REFRESH_PER_S = 4


def terminal_stream(stream: TextIO | None = None, enabled: bool | None = None) -> TextIO | None:
    """The stream to draw on: ``stream`` (default ``sys.stderr``) when it is a terminal or
    ``enabled`` forces it, ``None`` when ``enabled`` is false or it is no terminal."""
    stream = sys.stderr if stream is None else stream
    if enabled is False:
        return None
    isatty = getattr(stream, "isatty", None)
    if enabled is None and not (isatty is not None and isatty()):
        return None
    return stream


@dataclass
class RunLine:
    """What one run line shows: the last values reported, merged (``None`` keeps the last)."""

    label: str
    began: float = field(default_factory=time.monotonic)
    solver: str = ""
    phase: str = ""
    incumbent: float | None = None
    bound: float | None = None
    done: int | None = None
    total: int | None = None
    unit: str = ""
    phase_began: float = field(default_factory=time.monotonic)
    finished: str = ""
    stopped: float | None = None  # when the run ended: the elapsed time stops there

    def update(self, snap: Snapshot) -> None:
        if snap.phase and snap.phase != self.phase:
            self.phase, self.phase_began = snap.phase, time.monotonic()
            self.done = self.total = None
        self.solver = snap.solver or self.solver
        if snap.incumbent is not None:
            self.incumbent = snap.incumbent
        if snap.bound is not None:
            self.bound = snap.bound
        if snap.done is not None:
            self.done, self.total, self.unit = snap.done, snap.total, snap.unit or self.unit

    def text(self, now: float) -> str:
        """The line, e.g. ``enum search 1.2s  incumbent 0.25  bound 0.19  gap 24%  …``."""
        parts = [p for p in (self.label, self.solver, self.phase) if p]
        parts.append(f"{now - self.began:.1f}s")
        if self.incumbent is not None:
            parts.append(f"incumbent {self.incumbent:.6g}")
        if self.bound is not None:
            parts.append(f"bound {self.bound:.6g}")
        gap = relative_gap(self.incumbent, self.bound)
        if gap is not None:
            parts.append(f"gap {100 * gap:.3g}%")
        parts.extend(self._work(now))
        if self.finished:
            parts.append(self.finished)
        return "  ".join(parts)

    def _work(self, now: float) -> list[str]:
        if self.done is None:
            return []
        if not self.total:
            return [f"{self.done:,} {self.unit}".rstrip()]
        out = [f"{self.done:,}/{self.total:,} {self.unit}".rstrip()]
        spent = now - self.phase_began
        if 0 < self.done < self.total and spent > 0 and not self.finished:
            # total is an upper estimate of the work (Cover's bound on the cells), so is the ETA
            left = spent * (self.total - self.done) / self.done
            out.append(f"ETA ≤ {_duration(left)}")
        return out


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds // 60:.0f}m{seconds % 60:02.0f}s"
    return f"{seconds // 3600:.0f}h{seconds % 3600 // 60:02.0f}m"


class LiveDisplay:
    """A rich ``Live`` display of a header and run lines; an :mod:`exactfit.progress` observer.

    Use as a context manager around the work; while it is open, :meth:`begin` starts a run
    line (``solve`` has one, ``bench`` one per run), and :meth:`end` closes it (a nested
    ``bench`` line disappears when its run ends; ``keep`` leaves it as the final frame).

    Lines have keys.  The line of the run in *this* process has the key ``None``: snapshots
    published here (the display observes :mod:`exactfit.progress`) update it, and are dropped
    when there is none.  Runs in other processes (``bench -j N``, a Dask cluster) get a line
    each under their own key, fed by :meth:`update` with the snapshots their workers forward
    (:mod:`exactfit.bench.relay`).  Thread-safe: backends and relays report from their own
    threads.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lock = threading.Lock()
        self.header = ""
        self.lines: dict[Hashable, RunLine] = {}
        self._live: Any = None
        self._own: TextIO | None = None

    def __enter__(self) -> LiveDisplay:
        from rich.console import Console
        from rich.live import Live

        out = self._own = _duplicate(self.stream)
        console = Console(file=out or self.stream, force_terminal=True, highlight=False)
        self._live = Live(
            get_renderable=self._render,
            console=console,
            refresh_per_second=REFRESH_PER_S,
            # our own messages (sys.stdout/sys.stderr) appear above the lines, on `out`,
            # which the backends' silencing of descriptors 1 and 2 does not reach
            redirect_stdout=True,
            redirect_stderr=True,
        )
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._live.stop()  # draws the final frame, leaves the cursor below it
        finally:
            if self._own is not None:
                with contextlib.suppress(OSError):
                    self._own.close()

    def __call__(self, snapshot: Snapshot) -> None:
        self.update(None, snapshot)

    def update(self, key: Hashable, snapshot: Snapshot) -> None:
        """Merge ``snapshot`` into the line ``key`` (nothing if it has none)."""
        with self.lock:
            line = self.lines.get(key)
            if line is not None:
                line.update(snapshot)

    def begin(self, label: str, key: Hashable = None, solver: str = "") -> None:
        """Start the run line ``key`` named ``label`` (replacing one of the same key), of
        ``solver`` if known before it reports."""
        with self.lock:
            self.lines.pop(key, None)
            self.lines[key] = RunLine(label, solver=solver)
        self.refresh()

    def end(self, note: str = "", *, keep: bool = True, key: Hashable = None) -> None:
        """Close the run line ``key``: ``keep`` it with ``note``, or remove it."""
        with self.lock:
            line = self.lines.get(key)
            if line is None:
                return
            if keep:
                line.finished, line.stopped = note, time.monotonic()
            else:
                del self.lines[key]
        self.refresh()

    def set_header(self, text: str) -> None:
        with self.lock:
            self.header = text
        self.refresh()

    def refresh(self) -> None:
        if self._live is not None:
            self._live.refresh()

    def _render(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        now = time.monotonic()
        with self.lock:
            rows = [self.header] if self.header else []
            indent = "  ↳ " if self.header else ""
            for line in self.lines.values():
                rows.append(indent + line.text(now if line.stopped is None else line.stopped))
        return Group(*(Text(row, no_wrap=True, overflow="ellipsis") for row in rows))


def _duplicate(stream: TextIO) -> TextIO | None:
    """A new file on a duplicate of ``stream``'s descriptor (see the module docstring), or
    ``None`` for a stream without one (a test's fake terminal: drawn on directly)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    stream.flush()
    return os.fdopen(os.dup(fd), "w", encoding=getattr(stream, "encoding", None) or "utf-8")
