"""The Result gate and finalize: OPTIMAL only with a proven bound that meets the exact loss."""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactfit import FitProblem, Limit, ReluNetwork, Result, Status, Unit
from exactfit.result import OPT_ATOL, OPT_RTOL, Proof, bound_meets, finalize

# f(x) = σ(x) on x = 0, 1, 2 with y = 0, 1, 3: residuals 0, 0, −1, loss exactly 1.
PROBLEM = FitProblem(X=[[0], [1], [2]], y=[0, 1, 3], units=1)
NET = ReluNetwork((Unit(1, (1.0,), 0.0),))


def _result(status, objective=1.0, bound=1.0, network=NET, limit=None):
    return Result(status, objective, bound, network, "test", 0.0, limit)


def test_bound_meets_at_the_documented_tolerance():
    obj = 2.0
    edge = obj - (OPT_ATOL + OPT_RTOL * obj)
    assert bound_meets(obj, edge)
    assert not bound_meets(obj, edge - 1e-6)
    assert not bound_meets(obj, None)
    assert not bound_meets(obj, float("nan"))
    assert not bound_meets(obj, float("-inf"))
    assert bound_meets(0.0, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bound": None}, "refusing OPTIMAL"),
        ({"bound": 0.5}, "refusing OPTIMAL"),
        ({"bound": float("nan")}, "refusing OPTIMAL"),
        ({"limit": Limit.TIME}, "limit cannot be OPTIMAL"),
        ({"network": None}, "needs a network"),
        ({"objective": None}, "needs a network"),
    ],
)
def test_optimal_is_refused_without_its_proof(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _result(Status.OPTIMAL, **kwargs)


def test_feasible_needs_a_network_and_no_solution_cannot_carry_one():
    with pytest.raises(ValueError, match="FEASIBLE result needs"):
        _result(Status.FEASIBLE, network=None)
    for status in (Status.NO_SOLUTION, Status.INFEASIBLE):
        with pytest.raises(ValueError, match="cannot carry a network"):
            _result(status, objective=None, bound=None)


def test_gap():
    assert _result(Status.FEASIBLE, objective=2.0, bound=1.0).gap == 0.5
    assert _result(Status.FEASIBLE, objective=0.0, bound=0.0).gap == 0.0
    assert _result(Status.FEASIBLE, bound=None).gap is None


def test_finalize_recomputes_the_objective_exactly():
    r = finalize(PROBLEM, NET, bound=1.0, solver="t", wall_s=0.0, proven=True)
    assert r.status is Status.OPTIMAL
    assert r.objective_exact == Fraction(1)
    assert r.objective == 1.0


def test_finalize_proven_but_bound_misses_is_feasible_with_a_note():
    r = finalize(PROBLEM, NET, bound=0.9, solver="t", wall_s=0.0, proven=True)
    assert r.status is Status.FEASIBLE
    assert r.limit is None
    assert "does not meet" in r.message


def test_finalize_a_limit_is_never_optimal():
    r = finalize(PROBLEM, NET, bound=1.0, solver="t", wall_s=0.0, proven=True, limit=Limit.TIME)
    assert r.status is Status.FEASIBLE
    assert r.limit is Limit.TIME


def test_finalize_clips_a_bound_above_the_exact_loss_and_says_so():
    r = finalize(PROBLEM, NET, bound=1.5, solver="t", wall_s=0.0, proven=False)
    assert r.bound == 1.0
    assert "clipped" in r.message
    # Within tolerance: clipped silently.
    r = finalize(PROBLEM, NET, bound=1.0 + 1e-12, solver="t", wall_s=0.0, proven=True)
    assert r.bound == 1.0 and r.message == "" and r.status is Status.OPTIMAL


def test_finalize_no_network_is_no_solution():
    r = finalize(PROBLEM, None, bound=0.5, solver="t", wall_s=0.0, proven=False, limit=Limit.TIME)
    assert r.status is Status.NO_SOLUTION
    assert r.objective is None


def test_finalize_rejects_a_network_outside_the_class():
    biased = ReluNetwork((Unit(1, (1.0,), 0.5),))
    no_bias = FitProblem(X=[[0], [1], [2]], y=[0, 1, 3], units=1, bias=False)
    with pytest.raises(RuntimeError, match="outside the class"):
        finalize(no_bias, biased, bound=0.0, solver="t", wall_s=0.0, proven=False)


def test_optimal_must_say_how_it_was_proven_and_nothing_else_may():
    with pytest.raises(ValueError, match="must say how it was proven"):
        _result(Status.OPTIMAL)
    ok = Result(Status.OPTIMAL, 1.0, 1.0, NET, "t", 0.0, proof=Proof.EXACT, proof_detail="x")
    assert ok.proof is Proof.EXACT
    with pytest.raises(ValueError, match="has no proof of optimality"):
        Result(Status.FEASIBLE, 1.0, 0.5, NET, "t", 0.0, proof=Proof.TOLERANCE)


def test_finalize_defaults_to_a_tolerance_proof_and_keeps_its_detail():
    r = finalize(PROBLEM, NET, bound=1.0, solver="t", wall_s=0.0, proven=True, proof_detail="d")
    assert r.proof is Proof.TOLERANCE and r.proof_detail == "d"
    r = finalize(PROBLEM, NET, bound=0.5, solver="t", wall_s=0.0, proven=False, proof_detail="d")
    assert r.proof is None and r.proof_detail == ""


@pytest.mark.parametrize(
    ("bound_exact", "kept"),
    [
        (Fraction(1), True),
        (Fraction(1) - Fraction(OPT_ATOL) - Fraction(OPT_RTOL), True),  # exactly at the edge
        (Fraction(1) - Fraction(OPT_ATOL) - Fraction(OPT_RTOL) - Fraction(1, 10**30), False),
        (None, False),
    ],
)
def test_an_exact_proof_is_kept_only_when_its_rational_bound_meets_the_exact_loss(
    bound_exact, kept
):
    r = finalize(
        PROBLEM,
        NET,
        bound=1.0,
        solver="t",
        wall_s=0.0,
        proven=True,
        proof=Proof.EXACT,
        bound_exact=bound_exact,
    )
    assert r.status is Status.OPTIMAL
    assert r.proof is (Proof.EXACT if kept else Proof.TOLERANCE)
    assert ("kept as tolerance" in r.message) is not kept
