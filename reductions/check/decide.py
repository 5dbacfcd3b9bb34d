"""An exact bound that decides: when the fitting solve did not finish, ask the certificate
prover for just the lower bound that separates the true source value from the smaller ones.

A target bracket [lower, upper] excludes a source value v from below when ``predicted(v)``
lies entirely under ``lower``.  The values that *can* be excluded that way are those whose
interval ends below the true value's; the largest of their upper ends, ``t*``, is the bound
to beat.  The prover (:func:`exactfit.solvers.certified.prove_bound`) is asked for
``opt ≥ t`` with ``t`` a small share (:data:`SHARE`) of the way from ``t*`` to what the
true value promises (its
predicted lower end, or the network's exact loss when that end is ``t*`` itself, as for an
open interval): a weaker claim than the optimum, so far fewer nodes, and an exact
certificate (checked in rationals) when it succeeds.  Its exact ``lower`` then replaces the
solver's float bound even when that one is higher: a bound that separates with an exact proof
decides, a higher one at tolerance does not add to it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterable
from fractions import Fraction

from exactfit.certificate import check_certificate
from exactfit.errors import InputError
from exactfit.network import ReluNetwork
from exactfit.problem import FitProblem
from exactfit.solvers.certified import prove_bound
from reductions.check.discrimination import consistent_values
from reductions.check.target import TargetOptimum
from reductions.interval import Interval

__all__ = [
    "DEFAULT_SECONDS",
    "MIN_SECONDS",
    "SHARE",
    "check_exact_time",
    "decisive_bound",
    "separating_target",
    "with_exact_bound",
]

#: Where in (t*, promised] the target sits: near t*, since any bound above t* decides and a
#: lower target needs fewer prover nodes (C5, k = 2, from a loss-5 incumbent: 1/2 of the way
#: was not proven in 20 s, 1/100 was in 19.7 s; the triangle in 3.1 s and 1.1 s).
SHARE = Fraction(1, 100)
#: The prover's seconds when the check has no time limit (its node budget alone can take
#: minutes on a NO colouring instance the prover cannot separate, e.g. K4 with k = 3).
DEFAULT_SECONDS = 20.0
#: Fewer seconds than this are not worth starting the prover for (its set-up alone is ~0.1 s).
MIN_SECONDS = 0.5


def check_exact_time(seconds: float | None) -> float | None:
    """``seconds`` as a float when it is a finite number ≥ 0 (or ``None``), else InputError."""
    if seconds is None:
        return None
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not (math.isfinite(seconds) and seconds >= 0)
    ):
        raise InputError(
            f"check: expected exact_time as a number of seconds ≥ 0, found {seconds!r}; "
            "pass e.g. --exact-time 30"
        )
    return float(seconds)


def separating_target(
    predicted: Callable[[int], Interval], domain: Iterable[int], true: int, upper: Fraction
) -> Fraction | None:
    """The bound ``t`` to prove (module docstring), or ``None`` when no value lies wholly
    below the true value's interval or ``upper`` (the exact loss found) does not exceed ``t*``."""
    mine = predicted(true)
    below = [
        p.hi
        for v in domain
        if v != true
        for p in [predicted(v)]
        if p.hi is not None and (mine.lo is None or p.hi <= mine.lo)
    ]
    if not below or mine.lo is None:
        return None
    t_star = max(below)
    promised = mine.lo if mine.lo > t_star else upper
    if promised <= t_star:
        return None
    return t_star + (min(promised, upper) - t_star) * SHARE


def decisive_bound(
    predicted: Callable[[int], Interval],
    domain: Iterable[int],
    true: int,
    upper: Fraction,
    tol: Fraction,
) -> float | None:
    """A float lower bound at which a solver may stop: with ``upper`` (the exact loss of a
    network in hand, e.g. the lift) as the bracket's other end and ``tol`` the float tolerance
    of a solver's bound, ``[stop, upper]`` lies in the true value's predicted interval up to
    the tolerance (so the relation is tested, not only the other values excluded) and is
    consistent with the true value alone; ``None`` when the true value's interval has no lower
    end or no such bound exists.

    It is the predicted lower end minus ``2·tol``: a correct reduction's optimum lies above it,
    so a correct solver reaches it, while a target optimum below the predicted interval (a
    wrong reduction) keeps the bound below it and the solve goes on.  Checked with
    :func:`~reductions.check.discrimination.consistent_values` before it is returned."""
    domain = tuple(domain)
    lo = predicted(true).lo
    if lo is None:
        return None
    stop = lo - 2 * tol
    if stop <= 0 or stop >= upper:
        return None
    if consistent_values(predicted, domain, stop, upper, tol) != (true,):
        return None
    return float(stop) * (1 + 1e-15)  # a float at or above the rational


def with_exact_bound(
    problem: FitProblem,
    opt: TargetOptimum,
    predicted: Callable[[int], Interval],
    domain: Iterable[int],
    true: int,
    seconds: float,
) -> TargetOptimum:
    """``opt`` with an exact separating lower bound when the prover gives one within
    ``seconds`` (else ``opt``, with a note saying why not).

    Tried only for an unproven fitting optimum with a network and no exact bound yet, and only
    with at least :data:`MIN_SECONDS`.  The certificate is re-checked by the independent
    checker before its bound is used."""
    network = opt.certificate
    if opt.proven or not isinstance(network, ReluNetwork) or isinstance(opt.lower, Fraction):
        return opt
    if opt.upper is None:
        return opt
    upper = Fraction(opt.upper)
    target = separating_target(predicted, domain, true, upper)
    if target is None:
        return opt
    if seconds < MIN_SECONDS:
        note = f"no time left for an exact bound ≥ {float(target):.6g} (--exact-time gives it some)"
        return dataclasses.replace(opt, note=f"{opt.note}; {note}".strip("; "))
    deadline = time.time() + seconds
    began = time.perf_counter()
    cert = prove_bound(problem, network, target, deadline)
    seconds = time.perf_counter() - began
    if cert is None or not check_certificate(problem, cert).ok:
        note = f"no exact bound ≥ {float(target):.6g} within the prover's budget"
        return dataclasses.replace(opt, note=f"{opt.note}; {note}".strip("; "))
    note = (
        f"exact bound {float(cert.lower):.10g} by a certificate of {cert.size():,} nodes "
        f"(asked for ≥ {float(target):.6g}, {seconds:.1f} s)"
    )
    return dataclasses.replace(
        opt,
        lower=cert.lower,
        upper=min(upper, cert.upper),
        certificate=cert.network if cert.upper < upper else network,
        note=f"{opt.note}; {note}".strip("; "),
    )
