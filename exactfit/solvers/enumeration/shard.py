"""One shard's search state: its counters and result, its limits and live reporting.

:class:`ShardState` is what the search of one shard has found so far, :class:`ShardResult` its
picklable snapshot, :class:`_ShardRun` the run (setup, share of the cells, deadline, reporting)
that the single-unit (:mod:`.single`) and multi-unit (:mod:`.search`) searches update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from exactfit import progress
from exactfit.result import Limit
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.certify import _certify
from exactfit.solvers.enumeration.optima import _Best
from exactfit.solvers.enumeration.progress import _check_stop, _poller, _Reporter

#: A cell is pruned only when its float bound exceeds the incumbent by more than
#: ``PRUNE_MARGIN·(Σ c y²)``: an allowance for the rounding of batched normal equations.
PRUNE_MARGIN = 1e-9
#: Incumbents with float loss below this fraction of Σ c y² are checked for an exact zero fit.
REALIZABLE_TOL = 1e-9


@dataclass(frozen=True)
class ShardResult:
    """Picklable outcome of one shard: the final :class:`ShardState` (field by field, see
    there), the shard's number and seconds, and ``not_generic``: the float enumerator met a
    degenerate configuration, so the shard has no answer and must run again in exact mode."""

    shard: int
    not_generic: bool
    best: _Best | None = None
    cells: int = 0
    combos: int = 0
    visited: int = 0
    pruned: int = 0
    qps: int = 0
    tightened: int = 0
    enumerated: bool = False
    lower: float | None = None
    limit: Limit | None = None
    realizable: bool = False
    seconds: float = 0.0
    visited_low: float = math.inf
    region: dict[str, Any] | None = None


@dataclass
class ShardState:
    """What the search of one shard has found so far; the search functions update it."""

    best: _Best  # the incumbent: the least (value, key) so far, first the zero network
    cells: int = 0  # cells enumerated (k ≥ 2: the chambers each unit may take)
    combos: int = 0  # unit-cell combinations bounded (k ≥ 2)
    visited: int = 0  # cells (combinations) whose cone QP was solved
    pruned: int = 0  # cells (combinations) left unvisited: their bound exceeds the incumbent
    qps: int = 0  # cone QPs solved
    tightened: int = 0  # cells (single unit) whose halfspace bound was computed
    enumerated: bool = False  # every cell of the shard has a bound
    lower: float | None = None  # valid lower bound on the shard's cells when stopped early
    limit: Limit | None = None  # what stopped the search early
    realizable: bool = False  # an exact zero-loss network was proven (the optimum is 0)
    visited_low: float = math.inf  # least lower bound of the visited cells' optima
    region: dict[str, Any] | None = None  # the incumbent regions used (single unit)

    def snapshot(self, shard: int, seconds: float) -> ShardResult:
        """The picklable result of a shard that ran to its end (or to a limit)."""
        now = {f.name: getattr(self, f.name) for f in fields(self)}
        return ShardResult(shard=shard, not_generic=False, seconds=seconds, **now)


@dataclass
class _ShardRun:
    """One shard's search: its setup and share of the cells, its limits and reporting, and the
    state it updates.  ``total``: the cells (combinations) the shard may enumerate, an upper
    estimate (Cover's bound), for the ETA of the live progress."""

    setup: _Setup
    shard: int
    num_shards: int
    deadline: float | None
    total: int
    callback: Callable[[dict[str, Any]], None] | None
    state: ShardState
    reporter: _Reporter = field(default_factory=_Reporter)

    def snapshot(self, phase: str, done: int) -> progress.Snapshot:
        """The live report: the incumbent and what the shard has proven so far (0 until every
        cell is bounded; then the least bound of what is not yet visited and what was)."""
        state = self.state
        incumbent = state.best.value
        if state.region is not None and state.region.get("upper") is not None:
            incumbent = min(incumbent, float(state.region["upper"]))
        bound = 0.0
        if state.enumerated and not state.realizable:
            # the heuristic's loss too: the regions hold only networks better than it
            lows = [incumbent, state.visited_low]
            bound = min([*lows, *([state.lower] if state.lower is not None else [])])
        enumerating = phase == "enumerate"
        return progress.Snapshot(
            solver="enum",
            phase=phase,
            incumbent=incumbent,
            bound=max(bound, 0.0),
            done=done if enumerating else state.visited,
            total=self.total if enumerating else None,
            unit=("cells" if self.setup.problem.units == 1 else "combinations")
            if enumerating
            else "visited",
        )

    def report(self, done: int, note: str, event: dict[str, Any]) -> bool:
        """Publish the live progress (one shard only: a shard's bound is not the solve's) and
        send ``event`` to the callback; mark the time limit and return True when it has
        passed."""
        if self.num_shards == 1:
            self.reporter.report(lambda: self.snapshot(event["phase"], done))
        if self.callback is not None:
            self.callback(event)
        if _check_stop(self.deadline):
            self.state.limit = Limit.TIME
            return True
        return False

    def tick(self, done: int) -> bool:
        """Report search progress; mark the time limit and return True when it has passed."""
        visited = self.state.visited
        return self.report(done, f"visited {visited:,}", {"phase": "search", "visited": visited})

    def prove_zero(self) -> bool:
        """Realizable short-circuit: if the incumbent's cell has exact optimum 0, keep the
        exact zero-loss network and report it (the loss is ≥ 0, so it is optimal)."""
        state = self.state
        best = state.best
        check = _poller(self.deadline, self.callback, "certify", "enum")
        theta, value, _ = _certify(self.setup, best, check)
        if theta is None or value != 0:
            return False
        best.exact_theta = theta
        state.realizable = True
        state.lower = 0.0
        return True
