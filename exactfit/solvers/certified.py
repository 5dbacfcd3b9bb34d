"""The exact route for any solver's answer: certify its network with the enumeration prover.

:func:`certify_result` hands the network of a (MIQP or other) result to
:func:`exactfit.solvers.enumeration.prover.prove` as the incumbent.  The prover either returns
a certificate, checked in exact arithmetic, for that network or a better one (then the answer is
OPTIMAL with proof "exact"), or stops at its node budget, the deadline or Ctrl-C (then the
original result is returned unchanged but for a note).  Any number of units, with or
without a norm bound.
"""

from __future__ import annotations

import dataclasses
import time
from fractions import Fraction

from exactfit.certificate import Certificate
from exactfit.errors import LimitReached
from exactfit.numbers import float_below
from exactfit.problem import FitProblem, ReluNetwork
from exactfit.result import Proof, Result, finalize
from exactfit.solvers.enumeration.progress import _poller
from exactfit.solvers.enumeration.proofstats import record_proof
from exactfit.solvers.enumeration.prover import GAP_RTOL, prove

#: ``solve(…, solver="auto")`` offers an MIQP's OPTIMAL answer to the prover for at most
#: max(AUTO_MIN_S, the solve's own seconds) unless ``certify`` is given (exactfit/__init__.py).
AUTO_MIN_S = 1.0


def certify_result(problem: FitProblem, result: Result, deadline: float | None = None) -> Result:
    """``result`` proven exactly (see the module docstring), or ``result`` with a note."""
    if result.network is None:
        return result
    t0 = time.perf_counter()
    try:
        check = _poller(deadline, None, "certify")
        cert = prove(problem, result.network, check=check, upper=result.objective_exact)
    except (LimitReached, KeyboardInterrupt) as exc:
        why = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc) or "time limit"
        note = f"no exact certificate ({why})"
        message = f"{result.message}; {note}" if result.message else note
        return dataclasses.replace(result, message=message)
    seconds = time.perf_counter() - t0
    stats = dict(result.stats)
    record_proof(stats, cert, seconds)
    message = result.message
    if result.objective_exact is not None and cert.upper < result.objective_exact:
        note = (
            f"the exact proof found a better network than {result.solver} "
            f"(loss {float(cert.upper)!r} < {float(result.objective_exact)!r})"
        )
        message = f"{message}; {note}" if message else note
    return finalize(
        problem,
        cert.network,
        bound=float_below(cert.lower),
        solver=result.solver,
        wall_s=result.wall_s + seconds,
        proven=True,
        stats=stats,
        message=message,
        proof=Proof.EXACT,
        proof_detail=(
            f"{result.solver}'s network certified by an exact certificate of {cert.size():,} "
            f"nodes (bound ≥ loss·(1 − {float(GAP_RTOL):g}))"
        ),
        bound_exact=cert.lower,
        certificate=cert,
    )


def prove_bound(
    problem: FitProblem, network: ReluNetwork, target: Fraction, deadline: float | None = None
) -> Certificate | None:
    """An exact certificate of ``opt ≥ min(target, loss(network)·(1 − GAP_RTOL))``, or ``None``
    when the prover's node budget, ``deadline`` (absolute ``time.time()``) or Ctrl-C stops it.

    A decision (is the optimum above ``target``?) needs only this weaker claim, which the prover
    reaches with far fewer nodes than the optimum; the certificate passes the exact checker like
    any other (:func:`exactfit.certificate.check_certificate`).  Its network may be better than
    ``network`` (the prover corrects its incumbent), and its ``lower`` is then possibly below
    ``target``: read the bound off the certificate, never off ``target``."""
    try:
        return prove(problem, network, check=_poller(deadline, None, "certify"), target=target)
    except (LimitReached, KeyboardInterrupt):
        return None
