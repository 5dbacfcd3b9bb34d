"""The exact-bound step's time: by default it gets what the target's solve left of the check's
``time_limit`` (so the fitting side stays within it), ``exact_time`` overrides that, and with
no time at all the step is skipped with a note (the verdict then rests on the solver)."""

from __future__ import annotations

import dataclasses
import sys
from fractions import Fraction

import pytest

from exactfit.errors import InputError
from reductions.check import check
from reductions.check.decide import MIN_SECONDS
from reductions.registry import get_reduction
from reductions.sources import generators as gen

#: Triangle, k = 2 (not 2-colourable): SCIP stopped at 5 nodes proves only 0, and the prover's
#: separating bound decides (tests/reductions/check/test_discrimination.py).
STOPPED = {"node_limit": 5}


def _triangle(**kwargs):
    red = get_reduction("coloring_to_relus", units=2)
    return check(red, gen.complete(3), solver="scip", solver_options=STOPPED, **kwargs)


def test_time_left_by_the_solve_goes_to_the_prover():
    report = _triangle(time_limit=60)
    assert isinstance(report.target.lower, Fraction) and report.target.lower > 0
    assert report.verdict == "PASS" and report.decided_by == "bound"


@pytest.mark.parametrize("seconds", [0, MIN_SECONDS / 2])
def test_no_time_skips_the_step_and_says_so(seconds):
    report = _triangle(exact_time=seconds)
    assert not isinstance(report.target.lower, Fraction)
    assert "no time left for an exact bound" in report.target.note
    assert report.verdict == "INCONCLUSIVE"


def _solve_taking(monkeypatch, seconds: float) -> None:
    """Make the target's solve report ``seconds`` of wall time."""
    steps = sys.modules["reductions.check.steps"]  # (the package name is shadowed by check)
    real = steps._target_optimum

    def slow(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), wall_s=seconds)

    monkeypatch.setattr(steps, "_target_optimum", slow)


@pytest.mark.parametrize(("limit", "took", "given"), [(60, 15.0, 45.0), (30, 29.0, 1.0)])
def test_the_prover_gets_exactly_what_the_solve_left(monkeypatch, limit, took, given):
    steps = sys.modules["reductions.check.steps"]
    seen = []
    real = steps.with_exact_bound

    def spy(*args):
        seen.append(args[-1])
        return real(*args)

    monkeypatch.setattr(steps, "with_exact_bound", spy)
    _solve_taking(monkeypatch, took)
    _triangle(time_limit=limit)
    assert seen == [pytest.approx(given)]


def test_a_fit_that_used_the_whole_limit_leaves_nothing(monkeypatch):
    """A solve reported as taking longer than the limit: the step does not start."""
    _solve_taking(monkeypatch, 100.0)
    report = _triangle(time_limit=60)
    assert "no time left for an exact bound" in report.target.note
    assert report.verdict == "INCONCLUSIVE"


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), "10", True])
def test_a_bad_exact_time_is_refused(bad):
    with pytest.raises(InputError, match="expected exact_time as a number of seconds"):
        _triangle(exact_time=bad)
