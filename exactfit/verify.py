"""Independent, exact re-evaluation of a solution against an instance.

``verify`` trusts nothing the solver said: it recomputes the loss of the network in rational
arithmetic, checks that the network lies in the instance's class (dimensions, number of units,
output signs, bias, the norm bound compared exactly as ``Σ w² ≤ B²``), and checks the solver's
claims against that exact value: the claimed objective must equal the exact loss up to float
rounding, a claimed bound may not exceed it, and a claim of optimality needs a bound that meets it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.problem import FitProblem, ReluNetwork, exact_loss, network_violations
from exactfit.result import OPT_ATOL, OPT_RTOL, Result, Status, bound_meets

__all__ = ["CERT_RTOL", "CLAIM_RTOL", "Check", "Verdict", "verify"]

#: A claimed objective is a float rounding of the exact loss; allow float round-off only.
CLAIM_RTOL = 1e-9
#: A certificate proves a solution optimal when its bound is within this relative distance
#: of the solution's exact loss (compared in rationals).
CERT_RTOL = Fraction(1, 10**9)


@dataclass(frozen=True)
class Check:
    """One named check: whether it passed and what was seen."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Verdict:
    """Outcome of :func:`verify`.

    Attributes
    ----------
    ok : bool
        All checks passed.
    exact_loss : Fraction or None
        The exact loss of the network (``None`` if the network could not be evaluated).
    checks : tuple of Check
    notes : tuple of str
        What was *not* checked (today: optimality itself, which needs a certificate).
    """

    ok: bool
    exact_loss: Fraction | None
    checks: tuple[Check, ...]
    notes: tuple[str, ...] = ()

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)


def _claims(solution: Any) -> tuple[ReluNetwork | None, str | None, float | None, float | None]:
    if isinstance(solution, Result):
        return solution.network, solution.status.value, solution.objective, solution.bound
    if isinstance(solution, ReluNetwork):
        return solution, None, None, None
    # A SolutionFile from exactfit.io (duck-typed to avoid an import cycle).
    return solution.network, solution.status, solution.objective, solution.bound


def _proof_claim(solution: Any) -> str:
    proof = getattr(solution, "proof", None)
    level = getattr(proof, "value", proof)
    detail = getattr(solution, "proof_detail", "")
    return f"{level} ({detail})" if level and detail else str(level or "none given")


def verify(
    problem: FitProblem, solution: Result | ReluNetwork | Any, certificate: Any = None
) -> Verdict:
    """Check ``solution`` (a Result, a SolutionFile or a bare network) against ``problem``.

    With ``certificate`` (an :class:`exactfit.certificate.Certificate`) optimality itself is
    checked: the certificate must pass the independent checker and its proven lower bound
    must meet the solution's exact loss within ``CERT_RTOL`` (relative)."""
    network, status, claimed, bound = _claims(solution)
    checks: list[Check] = []
    if network is None:
        ok = status in (Status.NO_SOLUTION.value, Status.INFEASIBLE.value, Status.ERROR.value)
        checks.append(Check("network", ok, f"no network; status {status}"))
        return Verdict(ok, None, tuple(checks))
    bad = network_violations(problem, network)
    checks.append(Check("class", not bad, "; ".join(bad) if bad else "network is in the class"))
    if network.d != problem.d:
        return Verdict(False, None, tuple(checks))
    exact = exact_loss(problem, network)
    value = _float(exact)
    checks.append(Check("exact loss", True, f"{_exact_text(exact)} ≈ {value:.12g}"))
    if claimed is not None:
        err = abs(claimed - value)
        # an exact loss beyond the float range cannot be any finite claim (inf - inf is nan)
        ok = math.isfinite(value) and err <= CLAIM_RTOL * max(1.0, abs(value))
        checks.append(
            Check("claimed objective", ok, f"claimed {claimed!r}, exact {value!r}, |Δ| = {err:.3g}")
        )
    bound_valid = True
    if bound is not None:
        bound_valid = bound - value <= OPT_ATOL + OPT_RTOL * abs(value)
        checks.append(
            Check("bound ≤ loss", bound_valid, f"bound {bound!r} vs exact loss {value!r}")
        )
    notes: tuple[str, ...] = ()
    if status == Status.OPTIMAL.value:
        # a bound above the loss is false, so it proves nothing: it cannot "meet" the loss
        ok = bound_valid and math.isfinite(value) and bound_meets(value, bound)
        how = "meets" if ok else ("is above" if not bound_valid else "misses")
        checks.append(Check("optimality claim", ok, f"bound {bound!r} {how} the loss"))
    if certificate is not None:
        checks.append(_certificate_check(problem, exact, certificate))
    elif status == Status.OPTIMAL.value:
        notes = (
            "optimality not checked: the bound is the solver's claim, proof "
            f"{_proof_claim(solution)}; no certificate was given",
        )
    return Verdict(all(c.passed for c in checks), exact, tuple(checks), notes)


def _float(q: Fraction) -> float:
    """``q`` as a float, ±inf beyond the float range (a network with huge weights has a huge
    exact loss; the claims are floats and compare with it as infinite)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def _exact_text(q: Fraction, limit: int = 2000) -> str:
    """``p/q`` when it is short enough to print, else its size (Python refuses to print
    integers of more than 4300 digits, and nobody reads them)."""
    bits = max(q.numerator.bit_length(), q.denominator.bit_length())
    if bits <= limit * 3.32:
        return str(q)
    return f"(a rational with about {int(bits / 3.3219):,}-digit numerator or denominator)"


def _certificate_check(problem: FitProblem, exact: Fraction, certificate: Any) -> Check:
    """Run the independent checker and compare its bound with the solution's exact loss."""
    from exactfit.certificate import check_certificate

    v = check_certificate(problem, certificate)
    if not v.ok:
        return Check("certificate", False, f"rejected: {v.reason}")
    if v.bound is None:  # an accepted certificate always walks at least one leaf
        return Check("certificate", False, "rejected: the certificate proves no bound")
    gap = exact - v.bound
    ok = gap <= CERT_RTOL * abs(exact)
    detail = (
        f"checked exactly ({v.nodes:,} nodes, {v.leaves:,} leaves): opt ≥ "
        f"{float(v.bound)!r}; the solution's loss is "
        + ("optimal within 1e-9 relative" if ok else f"{float(gap)!r} above it")
    )
    return Check("certificate", ok, detail)
