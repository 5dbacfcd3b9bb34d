"""Merging shard outcomes into one truthful :class:`~exactfit.result.Result`.

The winner is the least ``(value, key)`` over the shards, which does not depend on the
sharding; the proven bound is the least bound over what was not visited and what was; the
certificate, when asked for, runs on the winner after the merge.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from exactfit.certificate import Certificate
from exactfit.errors import LimitReached
from exactfit.network import network_from_params
from exactfit.numbers import float_below
from exactfit.problem import FitProblem, ReluNetwork, exact_loss
from exactfit.result import Limit, Proof, Result, finalize
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.certify import _certify
from exactfit.solvers.enumeration.optima import _Best
from exactfit.solvers.enumeration.progress import _poller
from exactfit.solvers.enumeration.proofstats import record_proof
from exactfit.solvers.enumeration.prover import GAP_RTOL, prove
from exactfit.solvers.enumeration.regions import _heuristic
from exactfit.solvers.enumeration.search import PRUNE_MARGIN, ShardResult


def _network(
    setup: _Setup, best: _Best, exact_theta: list[list[Fraction]] | None = None
) -> ReluNetwork:
    params = exact_theta if exact_theta is not None else best.theta
    return network_from_params(setup.problem, best.signs, params)


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

    ``wall_s`` is the search's time; the merge and exact phase are added to it.  The
    certificate (``certify``) honours ``deadline`` (absolute ``time.time()``) and Ctrl-C:
    if either strikes during it, the search's outcome is returned as FEASIBLE with its (valid)
    bound and ``limit`` TIME or INTERRUPT, without the certificate."""
    started = time.perf_counter()  # the exact phase below counts in wall_s too
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
    exact_theta = best.exact_theta
    if exact_theta is not None:
        stats.setdefault("objective_exact", "0/1")
    network = _network(setup, best, exact_theta)
    cert = None
    if limit is None:
        proven = True
        # Pruned cells have bounds above the incumbent; visited ones were solved.
        bound = 0.0 if realizable else min([best.lower, *(p.visited_low for p in parts)])
        if realizable:
            message = "realizable: an exact zero-loss network was found"
        if certify:
            network, cert, note, cert_limit = _certified(
                problem, setup, best, network, stats, deadline, callback
            )
            message = _join(message, note)
            if cert is not None and not realizable:
                network, bound = cert.network, float_below(cert.lower)
            if cert_limit is not None:
                # The search finished (its bound stands) but the proof was cut short by a
                # limit: the answer is FEASIBLE, never OPTIMAL.
                proven, limit = False, cert_limit
    else:
        proven = False
        bound = _stopped_bound(parts, best, realizable)
        network = _heuristic_if_better(setup, network)
        message = f"stopped by {limit.value} after {stats['qps']} cell QPs"
    proof, how, bound_exact = _proof(stats, realizable, cert)
    return finalize(
        problem,
        network,
        bound=bound,
        solver="enum",
        wall_s=wall_s + (time.perf_counter() - started),
        proven=proven,
        limit=limit,
        stats=stats,
        message=message,
        proof=proof,
        proof_detail=how,
        bound_exact=bound_exact,
        certificate=cert,
    )


def _certified(
    problem: FitProblem,
    setup: _Setup,
    best: _Best,
    network: ReluNetwork,
    stats: dict[str, Any],
    deadline: float | None,
    callback: Callable[[dict[str, Any]], None] | None,
) -> tuple[ReluNetwork, Certificate | None, str, Limit | None]:
    """The exact phase: polish the winner to its exact cell optimum, then prove
    it.  ``(network, certificate or None, note, limit)``; a limit (time, Ctrl-C) leaves the
    search's network and nothing of the exact phase in ``stats``."""
    try:
        network, exact = _polished(setup, best, network, _poller(deadline, callback, "certify"))
    except (LimitReached, KeyboardInterrupt) as exc:
        lim = Limit.INTERRUPT if isinstance(exc, KeyboardInterrupt) else Limit.TIME
        return network, None, f"certificate stopped by {lim.value}", lim
    stats["objective_exact"] = f"{exact.numerator}/{exact.denominator}"
    cert, note, lim = _prove(problem, network, exact, stats, deadline, callback)
    if lim is not None:
        for key in ("objective_exact", "certificate"):
            stats.pop(key, None)
    return network, cert, note, lim


def _polished(
    setup: _Setup, best: _Best, network: ReluNetwork, check: Callable[[], None]
) -> tuple[ReluNetwork, Fraction]:
    """The winner's exact cell optimum (from its exact KKT system) when it is at least as
    good as the float network (the certificate then states the exact rational optimum), and
    the exact loss of the network kept."""
    problem = setup.problem
    loss = exact_loss(problem, network)
    if best.exact_theta is not None or not best.patterns:
        return network, loss
    theta, value, _ = _certify(setup, best, check)
    if theta is None or value is None:
        return network, loss
    exact = _network(setup, best, theta)
    polished = exact_loss(problem, exact)
    return (exact, polished) if polished <= loss else (network, loss)


def _prove(
    problem: FitProblem,
    network: ReluNetwork,
    loss: Fraction,
    stats: dict[str, Any],
    deadline: float | None,
    callback: Callable[[dict[str, Any]], None] | None,
) -> tuple[Certificate | None, str, Limit | None]:
    """Build the exact certificate of the search's answer (:func:`.prover.prove`).

    ``(certificate, message, limit)``: the certificate when it was completed (its network may
    be better than the search's: the prover corrects float answers); else ``None`` with the
    limit that stopped it (time, Ctrl-C) or, for the node budget, no limit and a message."""
    check = _poller(deadline, callback, "certify")
    t0 = time.perf_counter()
    try:
        cert = prove(problem, network, check=check, upper=loss)
    except KeyboardInterrupt:
        return None, "certificate interrupted: optimality not proven", Limit.INTERRUPT
    except LimitReached as exc:
        if _check_deadline(deadline):
            return None, "certificate stopped by the time limit", Limit.TIME
        return None, f"no certificate ({exc}); bound from float pruning", None
    seconds = time.perf_counter() - t0
    record_proof(stats, cert, seconds)
    message = ""
    if cert.upper < loss * (1 - GAP_RTOL):
        message = (
            f"the exact proof found a better network than the float search "
            f"(loss {float(cert.upper)!r} < {float(loss)!r})"
        )
    return cert, message, None


def _check_deadline(deadline: float | None) -> bool:
    return deadline is not None and time.time() >= deadline


def _proof(
    stats: dict[str, Any], realizable: bool, cert: Certificate | None
) -> tuple[Proof, str, Fraction | None]:
    """The proof level the answer has earned: exact for an exact zero-loss network (every
    loss is ≥ 0) or a completed certificate, otherwise float pruning."""
    if realizable:
        return Proof.EXACT, "an exact zero-loss network (every loss is ≥ 0)", Fraction(0)
    if cert is not None:
        gap = (
            "bound = loss: the exact optimum"
            if cert.lower == cert.upper
            else f"bound ≥ loss·(1 − {float(GAP_RTOL):g})"
        )
        how = f"certificate of {cert.size():,} nodes checked in exact rational arithmetic ({gap})"
        return Proof.EXACT, how, cert.lower
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
        "cells_tightened": sum(p.tightened for p in parts),
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


def _heuristic_if_better(setup: _Setup, network: ReluNetwork) -> ReluNetwork:
    """The search's network, or the heuristic single unit (the other units zero) when its
    exact loss is lower: a search stopped early may not have met a network as good yet."""
    _, theta, a = _heuristic(setup)
    problem = setup.problem
    if theta is None:
        return network
    signs = next(v for v in problem.sign_vectors() if a in v)
    params = [theta if j == signs.index(a) else np.zeros(setup.D) for j in range(len(signs))]
    candidate = network_from_params(problem, signs, params)
    return candidate if exact_loss(problem, candidate) < exact_loss(problem, network) else network


def _stopped_bound(parts: list[ShardResult], best: _Best, realizable: bool) -> float:
    """The proven bound of a search stopped by a limit: the least of the incumbent, every
    shard's bound on its unvisited cells and the visited cells' bounds; 0 (every loss is a sum
    of squares) when some shard stopped before it had bounded all its cells."""
    lows = [p.lower if p.enumerated else None for p in parts]
    if realizable:
        return 0.0
    if any(v is None for v in lows) and not all(p.enumerated for p in parts):
        return 0.0
    vals = [v for v in lows if v is not None]
    return min([best.value, *vals, *(p.visited_low for p in parts)])
