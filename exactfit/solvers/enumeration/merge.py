"""Merging shard outcomes into one truthful :class:`~exactfit.result.Result`.

The winner is the least ``(value, key)`` over the shards, which does not depend on the
sharding; the proven bound is the least bound over what was not visited and what was; the
certificate, when asked for, runs on the winner after the merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from exactfit.errors import LimitReached
from exactfit.problem import FitProblem, ReluNetwork, Unit, clip_to_bound
from exactfit.result import Limit, Proof, Result, finalize
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.certify import _certify, _rigorous_recheck
from exactfit.solvers.enumeration.optima import _Best
from exactfit.solvers.enumeration.progress import _poller
from exactfit.solvers.enumeration.search import PRUNE_MARGIN, ShardResult


def _network(
    setup: _Setup, best: _Best, exact_theta: list[list[Fraction]] | None = None
) -> ReluNetwork:
    d = setup.problem.d
    units = []
    for j, aj in enumerate(best.signs):
        th = exact_theta[j] if exact_theta is not None else [float(v) for v in best.theta[j]]
        b = th[d] if setup.problem.bias else 0.0
        units.append(Unit(int(aj), tuple(th[:d]), b))
    return clip_to_bound(setup.problem, ReluNetwork(tuple(units)))


def merge_shards(
    problem: FitProblem,
    parts: Iterable[ShardResult],
    *,
    wall_s: float,
    certify: bool = False,
    mode: str = "",
    deadline: float | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> Result:
    """Combine shard outcomes into one :class:`Result` (winner = min ``(value, key)``).

    The certificate (``certify``) honours ``deadline`` (absolute ``time.time()``) and Ctrl-C:
    if either strikes during it, the search's outcome is returned as FEASIBLE with its (valid)
    bound and ``limit`` TIME or INTERRUPT, without the certificate."""
    parts = sorted(parts, key=lambda p: p.shard)
    setup = _Setup.build(problem)
    best = min((p.best for p in parts if p.best is not None), key=lambda b: (b.value, b.key))
    # An interrupt anywhere stops the whole solve; otherwise the first shard's limit.
    limit = next((p.limit for p in parts if p.limit is Limit.INTERRUPT), None) or next(
        (p.limit for p in parts if p.limit is not None), None
    )
    realizable = any(p.realizable for p in parts)
    stats = _stats(problem, setup, parts, best, mode)
    message = ""
    exact_theta = None
    cert_limit = None
    if certify and limit is None:
        exact_theta, message, cert_limit = _certificate(
            setup, best, mode, stats, deadline, callback
        )
    if exact_theta is None and best.exact_theta is not None:
        exact_theta = best.exact_theta
        stats.setdefault("objective_exact", "0/1")
    network = _network(setup, best, exact_theta)
    if limit is None:
        proven = True
        # Pruned cells have bounds above the incumbent; visited ones were solved.
        bound = 0.0 if realizable else min([best.lower, *(p.visited_low for p in parts)])
        if stats.get("rigorous_recheck") is False and not realizable:
            # The exact re-check found a cell whose exact bound is below the value found (or
            # could not certify one): the float pruning bound is not a proof, so claim none.
            proven, bound = False, None
            message = _join(message, "exact re-check failed: optimality not proven")
        if realizable:
            message = _join(message, "realizable: an exact zero-loss network was found")
        if cert_limit is not None:
            # The search finished (its bound stands) but the certificate was cut short: a
            # limit was hit, so the answer is reported FEASIBLE, never OPTIMAL.
            proven, limit = False, cert_limit
            note = f"certificate stopped by {limit.value}; search bound from float pruning"
            message = _join(message, note)
    else:
        proven = False
        bound = _stopped_bound(parts, best, realizable)
        message = f"stopped by {limit.value} after {stats['qps']} cell QPs"
    proof, how, bound_exact = _proof(stats, realizable)
    return finalize(
        problem,
        network,
        bound=bound,
        solver="enum",
        wall_s=wall_s,
        proven=proven,
        limit=limit,
        stats=stats,
        message=message,
        proof=proof,
        proof_detail=how,
        bound_exact=bound_exact,
    )


def _proof(stats: dict[str, Any], realizable: bool) -> tuple[Proof, str, Fraction | None]:
    """The proof level the search's bound has earned: exact for an exact zero-loss network
    (every loss is ≥ 0) or after the rigorous re-check (every cell's bound checked in
    rationals against the certified optimum), otherwise float pruning."""
    if realizable:
        return Proof.EXACT, "an exact zero-loss network (every loss is ≥ 0)", Fraction(0)
    if stats.get("rigorous_recheck") is True:
        how = "exact cell enumeration with every cell's bound re-checked in rationals"
        return Proof.EXACT, how, Fraction(stats["objective_exact"])
    how = (
        f"float cell bounds and cell QPs, pruned with margin {PRUNE_MARGIN:g}·Σcy² "
        "(no proven error bound)"
    )
    return Proof.TOLERANCE, how, None


def _join(message: str, note: str) -> str:
    return f"{message}; {note}" if message else note


def _stats(
    problem: FitProblem, setup: _Setup, parts: list[ShardResult], best: _Best, mode: str
) -> dict[str, Any]:
    """The search's counters over all shards, and the winner's pattern and KKT residual."""
    stats: dict[str, Any] = {
        "cells": parts[0].cells if problem.units > 1 else sum(p.cells for p in parts),
        "cells_pruned": sum(p.pruned for p in parts),
        "qps": sum(p.qps for p in parts),
        "pattern": [np.flatnonzero(setup.hp.active(pt)).tolist() for pt in best.patterns],
        "kkt_residual": best.kkt,
        "enumerator": mode,
        "shards": len(parts),
    }
    if problem.units > 1:
        stats["combinations"] = sum(p.combos for p in parts)
    if parts[0].region is not None:
        stats["region"] = parts[0].region
    return stats


def _certificate(
    setup: _Setup,
    best: _Best,
    mode: str,
    stats: dict[str, Any],
    deadline: float | None,
    callback: Callable[[dict[str, Any]], None] | None,
) -> tuple[list[list[Fraction]] | None, str, Limit | None]:
    """Certify the winner exactly, recording the outcome in ``stats``.

    Returns ``(exact θ or None, message, limit)``; ``limit`` is the limit that cut the
    certificate short (then nothing of it is kept in ``stats``), else ``None``."""
    check = _poller(deadline, callback, "certify")
    try:
        exact_theta, value, note = _certify(setup, best, check)
        if value is not None:
            stats["objective_exact"] = f"{value.numerator}/{value.denominator}"
        stats["certificate"] = note
        message = ""
        if value is not None and exact_theta is not None:
            message = _recheck(setup, mode, value, check, stats)
        return exact_theta, message, None
    except (LimitReached, KeyboardInterrupt) as exc:
        for key in ("objective_exact", "certificate", "rigorous_recheck"):
            stats.pop(key, None)
        return None, "", Limit.TIME if isinstance(exc, LimitReached) else Limit.INTERRUPT


def _recheck(
    setup: _Setup, mode: str, value: Fraction, check: Callable[[], None], stats: dict[str, Any]
) -> str:
    """Run the rigorous re-check where it applies, into ``stats``; the message it earns."""
    checked = _rigorous_recheck(setup, mode, value, check, stats["cells"])
    if checked is None:
        return ""
    stats["rigorous_recheck"] = checked
    if not checked:
        return ""
    return (
        "every cell's lower bound was re-checked in exact arithmetic "
        "(exact cell enumeration, rational bounds and cell optima)"
    )


def _stopped_bound(parts: list[ShardResult], best: _Best, realizable: bool) -> float | None:
    """The proven bound of a search stopped by a limit: the least of the incumbent, every
    shard's bound on its unvisited cells and the visited cells' bounds; ``None`` when some
    shard stopped before it had bounded all its cells."""
    lows = [p.lower if p.enumerated else None for p in parts]
    if realizable:
        return 0.0
    if any(v is None for v in lows) and not all(p.enumerated for p in parts):
        return None
    vals = [v for v in lows if v is not None]
    return min([best.value, *vals, *(p.visited_low for p in parts)])
