"""Reporting and polling of enum's long phases (deadline, callback, live progress).

Nothing mathematical: the deadline test, the polling hook the long exact phases call so that a
time limit or an interrupt can stop them, and enum's reports to :mod:`exactfit.progress` (the
live display and the trace file listen there; with no observer nothing is computed).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from exactfit import progress
from exactfit.errors import LimitReached


def _check_stop(deadline: float | None) -> bool:
    return deadline is not None and time.time() >= deadline


class _Reporter:
    """enum's throttled reports (≤ 10 a second) of one shard's search."""

    def __init__(self) -> None:
        self.throttle = progress.Throttle()

    def report(self, snapshot: Callable[[], progress.Snapshot], force: bool = False) -> None:
        """Publish ``snapshot()`` (built only when someone listens and the throttle allows)."""
        if progress.active() and (self.throttle.ready() or force):
            progress.publish(snapshot())


def _poller(
    deadline: float | None,
    callback: Callable[[dict[str, Any]], None] | None,
    phase: str,
    solver: str = "",
) -> Callable[..., None]:
    """A polling hook for long exact phases (exact enumeration, certification): it reports
    ``{"phase": phase, "step": i}`` to ``callback`` (which may raise ``KeyboardInterrupt``, like
    Ctrl-C), the step count to the live progress, and raises
    :class:`~exactfit.errors.LimitReached` once ``deadline`` has passed.  Ctrl-C itself
    arrives as ``KeyboardInterrupt`` between any two Python bytecodes, so needs no polling.
    ``solver`` names the reporting solver (``""``: the exact phase proves another solver's
    answer, whose name the display keeps).

    The certificate prover polls once every 64 nodes with its node count (``check(nodes)``),
    which the live progress then shows instead of the steps; its exact cone QPs poll without
    one (``check()``), and the last count stands."""
    count = itertools.count(1)
    reporter = _Reporter()
    nodes: list[int] = []  # the last node count reported, if any

    def check(done: int | None = None) -> None:
        step = next(count)
        # the first node count changes what the phase counts (steps → nodes): report it past
        # the throttle, as a change of phase is, or a quick proof would never show its nodes
        switch = done is not None and not nodes
        if done is not None:
            nodes[:] = [done]
        reporter.report(lambda: _snapshot(solver, phase, step, nodes), force=switch)
        if callback is not None:
            callback({"phase": phase, "step": step, **({"nodes": nodes[0]} if nodes else {})})
        if _check_stop(deadline):
            raise LimitReached(f"{phase}: deadline passed")

    return check


def _snapshot(solver: str, phase: str, step: int, nodes: list[int]) -> progress.Snapshot:
    if nodes:
        return progress.Snapshot(solver, phase, done=nodes[0], unit="nodes")
    return progress.Snapshot(solver, phase, done=step, unit="steps")
