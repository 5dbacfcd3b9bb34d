"""``prove_bound``: a certificate of a weaker target bound, checked independently."""

from __future__ import annotations

from fractions import Fraction

import exactfit
from exactfit.certificate import check_certificate
from exactfit.network import ReluNetwork, Unit
from exactfit.problem import FitProblem, exact_loss
from exactfit.solvers.certified import prove_bound


def _problem() -> FitProblem:
    X = [[Fraction(1)], [Fraction(2)], [Fraction(-1)], [Fraction(3)]]
    y = [Fraction(1), Fraction(3), Fraction(2), Fraction(2)]
    return FitProblem(X, y, units=1, bias=True, output_signs="nonnegative")


def test_target_bound_is_proven_and_below_the_optimum():
    problem = _problem()
    zero = ReluNetwork((Unit(1, (Fraction(0),), Fraction(0)),))
    loss = exact_loss(problem, zero)
    target = loss / 100
    cert = prove_bound(problem, zero, target)
    assert cert is not None and check_certificate(problem, cert).ok
    optimum = exactfit.solve(problem, "enum").objective_exact
    # the claim is the weaker one, and true: target ≤ ... ≤ lower ≤ the exact optimum
    assert min(target, cert.upper) <= cert.lower <= optimum <= cert.upper <= loss
