"""Stopping the fit once its bound decides (``check(..., stop_when_decided=True)``): the stop
bound leaves only the true source value consistent, sits just under the true value's predicted
interval and below the exact optimum (so a correct solver reaches it); SCIP's
``bound_target`` stops with limit "budget" and a bound at least the target; a check stopped
that way is a PASS decided by the bound."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import pytest

import exactfit
from exactfit.errors import InputError
from exactfit.network import exact_loss
from exactfit.result import Limit, Status
from reductions.check import check
from reductions.check.decide import decisive_bound
from reductions.check.discrimination import consistent_values
from reductions.registry import get_reduction
from reductions.sources import generators as gen

TOL = Fraction(1, 10**6)
CASES = [
    ("maxcut_to_relu", {}, gen.petersen),
    ("maxcut_to_relu", {}, lambda: gen.gnp(7, 0.5, 3)),
    ("dks_to_relu", {"kappa": 3}, lambda: gen.gnp(7, 0.5, 2)),
]


def _setup(name, params, make) -> SimpleNamespace:
    red = get_reduction(name, **params)
    g = make()
    problem, trace = red.forward(g)
    src = red.source_problem.solve(g)
    lift = red.lift(g, trace, src.certificate)
    domain = tuple(red.source_problem.value_range(g))
    return SimpleNamespace(red=red, problem=problem, trace=trace, src=src, lift=lift, domain=domain)


@pytest.mark.parametrize(("name", "params", "make"), CASES)
def test_the_stop_bound_decides_and_lies_below_the_optimum(name, params, make):
    c = _setup(name, params, make)
    upper = exact_loss(c.problem, c.lift)

    def pred(v):
        return c.red.predicted(c.trace, v)

    stop = decisive_bound(pred, c.domain, c.src.value, upper, TOL)
    assert stop is not None
    assert consistent_values(pred, c.domain, Fraction(stop), upper, TOL) == (c.src.value,)
    # reachable (the true value's interval, which holds the optimum, starts above it) and
    # tight against it, so the stopped bracket also tests the relation
    lo = pred(c.src.value).lo
    assert lo - 3 * TOL <= Fraction(stop) < lo
    assert Fraction(stop) <= exactfit.solve(c.problem, "enum").objective_exact


def test_no_stop_bound_when_the_map_cannot_discriminate():
    """Gap-Max-Cut on Petersen: every cut value is consistent with the true one's interval."""
    c = _setup("gapmaxcut_to_unit_relu", {}, gen.petersen)
    upper = exact_loss(c.problem, c.lift)
    pred = lambda v: c.red.predicted(c.trace, v)  # noqa: E731
    assert decisive_bound(pred, c.domain, c.src.value, upper, TOL) is None


def test_scip_stops_at_the_bound_target_with_a_budget_limit():
    c = _setup(*CASES[0])
    target = 900.0  # below Petersen's optimum 921.74..., above SCIP's root bound
    r = exactfit.solve(c.problem, "scip", bound_target=target, start=c.lift)
    assert r.status is Status.FEASIBLE and r.limit is Limit.BUDGET
    assert r.bound >= target * (1 - 1e-9)
    above = exactfit.solve(c.problem, "scip", bound_target=1e9, start=c.lift)
    assert above.status is Status.OPTIMAL


@pytest.mark.parametrize("bad", [-1.0, float("inf"), float("nan"), "1", True])
def test_a_bad_bound_target_is_refused(bad):
    problem = _setup(*CASES[1]).problem
    with pytest.raises(InputError, match="bound_target must be a finite loss ≥ 0"):
        exactfit.solve(problem, "scip", bound_target=bad)


def test_a_check_stopped_at_the_deciding_bound_passes_by_the_bound():
    name, params, make = CASES[0]
    report = check(get_reduction(name, **params), make(), solver="scip", stop_when_decided=True,
                   exact_bound=False)  # fmt: skip
    assert "asked to stop at bound" in report.target.note
    # it did stop there: SCIP's "duallimit" is a budget limit, before the optimum was proven
    assert report.target.result.limit is Limit.BUDGET, report.text()
    assert report.verdict == "PASS" and report.decided_by == "bound", report.text()
    assert report.discrimination.consistent == (report.source_value,)
