"""Discrimination (which source values a target bracket is consistent with) and decisive
verdicts (a proven bound that separates is a PASS), on named sources with exact values."""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactfit.errors import InputError
from reductions.check import check
from reductions.check.decide import separating_target
from reductions.check.discrimination import (
    Discrimination,
    consistent_values,
    format_values,
    least_consistent,
    meets,
)
from reductions.interval import Interval
from reductions.registry import get_reduction
from reductions.sources import CNF, Graph
from reductions.sources import generators as gen

TRIANGLE = Graph(3, ((0, 1), (1, 2), (0, 2)), name="triangle")


def test_meets_respects_open_ends_exactly_and_widens_by_the_tolerance():
    positive = Interval(Fraction(0), None, lo_open=True)
    assert not meets(positive, Fraction(-1), Fraction(0), Fraction(0))
    assert meets(positive, Fraction(-1), Fraction(0), Fraction(1, 10**9))
    assert not meets(Interval.point(0), Fraction(1, 2), Fraction(1), Fraction(1, 10**9))
    assert meets(Interval(Fraction(1), Fraction(2)), Fraction(2), Fraction(3), Fraction(0))
    assert meets(Interval(Fraction(1), Fraction(2)), None, None, Fraction(0))


def test_format_and_least_consistent():
    assert format_values((0, 1, 2, 5, 7, 8)) == "{0..2, 5, 7..8}"
    assert format_values(()) == "{}"

    # predicted(v) = [v, v + 1]: every interior point lies in one interval, an integer in two
    def pred(v: int) -> Interval:
        return Interval(Fraction(v), Fraction(v + 1))

    assert consistent_values(pred, range(5), Fraction(3, 2), Fraction(2)) == (1, 2)
    assert least_consistent(pred, range(5), Fraction(3, 2), Fraction(2)) == 1
    assert least_consistent(pred, range(5), Fraction(2), Fraction(2)) == 2
    with pytest.raises(InputError, match="empty bracket"):
        least_consistent(pred, range(5), Fraction(2), Fraction(1))


def test_discrimination_is_validated():
    with pytest.raises(InputError, match="outside"):
        Discrimination((3,), 1, range(2), None, None, Fraction(0), "exact")
    with pytest.raises(InputError, match="proof level"):
        Discrimination((1,), 1, range(2), None, None, Fraction(0), "float")


@pytest.mark.parametrize(
    ("name", "params", "source", "consistent", "solver"),
    [
        ("maxcut_to_relu", {}, gen.cycle(5), (4,), "enum"),
        ("maxcut_to_relu", {}, TRIANGLE, (2,), "enum"),
        ("dks_to_relu", {"kappa": 2}, TRIANGLE, (1,), "enum"),
        ("coloring_to_relus", {"units": 2}, gen.cycle(5), (0,), "scip"),
        ("coloring_to_relus", {"units": 3}, gen.cycle(5), (1,), "scip"),
        ("sat3_to_max2sat", {}, CNF(3, ((1, 2, 3), (-1, -2, -3)), None, "two"), (2,), "auto"),
        ("max2sat_to_maxcut", {}, CNF(2, ((1, 2), (-1,), (-2,)), None, "three"), (2,), "auto"),
        ("sat3_to_relu", {}, CNF(1, ((1,), (-1,)), None, "x and not x"), (1,), "enum"),
        # the triangle's optimum ≈ 10.9475 lies in predicted(v) for every cut value v ≤ 2
        ("gapmaxcut_to_unit_relu", {}, TRIANGLE, (0, 1, 2), "enum"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_discrimination_on_named_sources(name, params, source, consistent, solver):
    report = check(get_reduction(name, **params), source, solver=solver)
    assert report.verdict == "PASS", report.text()
    disc = report.discrimination
    assert disc.consistent == consistent
    assert disc.discriminating == (len(consistent) == 1)
    assert disc.holds and report.source_value in consistent
    data = report.as_json()["discrimination"]
    assert data["consistent_values"] == list(consistent)
    assert data["discriminating"] == disc.discriminating
    word = "discriminating" if disc.discriminating else "non-discriminating"
    assert f"discrim.    consistent with {format_values(consistent)}" in report.text()
    assert word in report.text()


def test_gap_maxcut_is_non_discriminating_on_petersen_from_the_closed_form():
    """Petersen (MC = 12): the optimum lies in [predicted(12).lo, lifted loss of the maximum
    cut]; that bracket meets predicted(v) for v = 2..15, and every single point of it lies in
    predicted(v) for at least 4 cut values, so no solve, however exact, could discriminate."""
    red = get_reduction("gapmaxcut_to_unit_relu")
    _, t = red.forward(gen.petersen())
    lo, up = red.predicted(t, 12).lo, red.lifted_value(t, 12)
    assert float(lo) == pytest.approx(59.22188515, abs=1e-8)
    assert float(up) == pytest.approx(65.69321666, abs=1e-8)
    domain = red.source_problem.value_range(gen.petersen())
    assert domain == range(16)

    def pred(v: int) -> Interval:
        return red.predicted(t, v)

    assert consistent_values(pred, domain, lo, up) == tuple(range(2, 16))
    assert least_consistent(pred, domain, lo, up) == 4


def test_maxcut_closed_form_bracket_discriminates_on_petersen():
    """The exact map's intervals are disjoint: the closed-form bracket of MC = 12 (its predicted
    interval) meets predicted(12) only."""
    red = get_reduction("maxcut_to_relu")
    _, t = red.forward(gen.petersen())
    p = red.predicted(t, 12)
    values = consistent_values(lambda v: red.predicted(t, v), range(16), p.lo, p.hi)
    assert values == (12,)


def test_colouring_no_instance_with_a_separating_bound_is_a_pass():
    """Fano, k = 2 (not 2-colourable): SCIP stopped at 400 nodes has proven loss ≥ 0.49999 > 0,
    which only a NO instance allows: a PASS decided by the bound, at tolerance level.  (With
    the orbit-leader rows of the data's symmetries SCIP closes this model within 600 nodes.)"""
    red = get_reduction("coloring_to_relus", units=2)
    report = check(red, gen.fano(), solver="scip", solver_options={"node_limit": 400})
    assert not report.target.proven and report.source_value == 0
    assert float(report.target.lower) == pytest.approx(0.5, abs=1e-3)
    assert report.verdict == "PASS" and report.decided_by == "bound", report.text()
    assert report.discrimination.consistent == (0,)
    assert report.discrimination.proof == "tolerance"
    data = report.as_json()
    assert data["decided_by"] == "bound" and data["target"]["bound_proof"] == "tolerance"
    text = report.text()
    assert "decided     by a proven bound (backend tolerance)" in text
    assert "[moot] target optimal" in text and text.rstrip().endswith("PASS")


def test_colouring_bound_that_does_not_separate_stays_inconclusive():
    """At 50 nodes SCIP's bound is still 0: consistent with both answers, INCONCLUSIVE."""
    red = get_reduction("coloring_to_relus", units=2)
    report = check(red, gen.fano(), solver="scip", solver_options={"node_limit": 50})
    assert report.target.lower == 0.0
    assert report.discrimination.consistent == (0, 1)
    assert report.verdict == "INCONCLUSIVE" and report.decided_by is None
    assert report.as_json()["decided_by"] is None


def test_k4_three_colours_decided_by_bound():
    """K4, k = 3: SCIP at 300 nodes proves loss ≥ 0.49997: not 3-colourable, PASS."""
    red = get_reduction("coloring_to_relus", units=3)
    report = check(red, gen.complete(4), solver="scip", solver_options={"node_limit": 300})
    assert not report.target.proven
    assert report.verdict == "PASS" and report.decided_by == "bound", report.text()


def test_colouring_no_instance_decided_by_an_exact_bound():
    """Triangle, k = 2 (not 2-colourable): SCIP stopped at 5 nodes proves only 0, so the check
    asks the certificate prover for a separating bound; its exact certificate (re-checked by the
    independent checker) proves loss ≥ a positive rational: a PASS decided by an exact bound."""
    red = get_reduction("coloring_to_relus", units=2)
    report = check(red, gen.complete(3), solver="scip", solver_options={"node_limit": 5})
    t = report.target
    assert not t.proven and report.source_value == 0
    assert t.result.bound == 0.0  # SCIP's own bound does not separate
    assert isinstance(t.lower, Fraction) and 0 < t.lower <= t.upper
    assert report.verdict == "PASS" and report.decided_by == "bound", report.text()
    assert report.discrimination.consistent == (0,)
    assert report.discrimination.proof == "exact"
    data = report.as_json()
    assert data["decided_by"] == "bound" and data["target"]["bound_proof"] == "exact"
    assert "decided     by a proven bound (exact certificate)" in report.text()


def test_separating_target_lies_between_the_values_below_and_the_truth():
    """Colouring's map: predicted(1) = [0, 0] (colourable), predicted(0) = (0, ∞): the values
    below the truth end at 0, so t = 0 + (upper − 0)/100; a YES instance has nothing below."""
    red = get_reduction("coloring_to_relus", units=2)
    _, trace = red.forward(gen.complete(3))

    def pred(v: int) -> Interval:
        return red.predicted(trace, v)

    assert separating_target(pred, (0, 1), 0, Fraction(3)) == Fraction(3, 100)
    assert separating_target(pred, (0, 1), 1, Fraction(3)) is None
