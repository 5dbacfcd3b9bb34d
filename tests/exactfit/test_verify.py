"""verify(): exact re-evaluation of Results, solution files and bare networks."""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactfit import FitProblem, ReluNetwork, Result, Status, Unit, verify
from exactfit.io import SolutionFile
from exactfit.result import Proof

# f(x) = σ(x) on x = 0, 1, 2 with y = 0, 1, 3: loss exactly 1; f(x) = σ(1.5x − 0.5) has
# residuals 0, 0, −0.5: loss exactly 1/4.
PROBLEM = FitProblem(X=[[0], [1], [2]], y=[0, 1, 3], units=1)
NET = ReluNetwork((Unit(1, (1.0,), 0.0),))


def _names(verdict):
    return {c.name: c.passed for c in verdict.checks}


def test_bare_network_exact_loss():
    v = verify(PROBLEM, NET)
    assert v.ok
    assert v.exact_loss == Fraction(1)
    v = verify(PROBLEM, ReluNetwork((Unit(1, (Fraction(3, 2),), Fraction(-1, 2)),)))
    assert v.exact_loss == Fraction(1, 4)


@pytest.mark.parametrize(
    ("status", "objective", "bound", "failed"),
    [
        (Status.FEASIBLE, 1.0 + 1e-6, None, "claimed objective"),
        (Status.FEASIBLE, 1.0, 1.001, "bound ≤ loss"),
        (Status.FEASIBLE, 1.0, 0.5, None),
        (Status.OPTIMAL, 1.0, 0.5, "optimality claim"),
        (Status.OPTIMAL, 1.0, 1.0, None),
    ],
)
def test_claims_are_checked_against_the_exact_loss(status, objective, bound, failed):
    sol = SolutionFile(status.value, objective, bound, NET, "test", 0.0, {})
    v = verify(PROBLEM, sol)
    checks = _names(v)
    if failed is None:
        assert v.ok, v.failures
    else:
        assert checks[failed] is False
        assert not v.ok
        assert [c.name for c in v.failures] == [failed]


def test_result_objects_are_accepted():
    r = Result(Status.OPTIMAL, 1.0, 1.0, NET, "test", 0.0, proof=Proof.TOLERANCE)
    assert verify(PROBLEM, r).ok


def test_class_violations_are_reported():
    no_bias = FitProblem(X=[[0], [1], [2]], y=[0, 1, 3], units=1, bias=False)
    v = verify(no_bias, ReluNetwork((Unit(1, (1.0,), 0.5),)))
    assert not v.ok and _names(v)["class"] is False
    wrong_d = ReluNetwork((Unit(1, (1.0, 2.0), 0.0),))
    v = verify(PROBLEM, wrong_d)
    assert not v.ok and v.exact_loss is None


def test_no_network_is_fine_only_for_statuses_without_one():
    for status, ok in (("no_solution", True), ("error", True), ("optimal", False)):
        sol = SolutionFile(status, None, None, None, "test", 0.0, {})
        assert verify(PROBLEM, sol).ok is ok
