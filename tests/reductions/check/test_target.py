"""Solving the target side: exact values from the KKT refit of a float solver's optimum."""

from __future__ import annotations

from fractions import Fraction

import pytest

import exactfit
from exactfit import exact_loss
from exactfit.result import OPT_ATOL, OPT_RTOL
from reductions.check import solve_fit
from reductions.registry import get_reduction
from reductions.sources import Graph

TRIANGLE = Graph(3, ((0, 1), (1, 2), (0, 2)), name="triangle")


@pytest.mark.parametrize(
    ("name", "params", "source", "expected"),
    [
        ("maxcut_to_relu", {}, TRIANGLE, Fraction(5057, 119)),
        ("dks_to_relu", {"kappa": 2}, TRIANGLE, Fraction(4273648, 9715)),
        ("coloring_to_relus", {"units": 2}, "fano", Fraction(1)),
        ("coloring_to_relus", {"units": 3}, "K4", Fraction(1)),
        ("coloring_to_relus", {"units": 3}, "C5", Fraction(0)),
    ],
)
def test_kkt_refit_of_scip_optimum_is_exact(name, params, source, expected):
    """SCIP's float optimum, refitted exactly on its activation cell (KKT system in
    Fractions), gives the same rational optimum as the enumeration certificate."""
    from reductions.check import rational_refit
    from reductions.sources.generators import complete, cycle, fano

    src = {"fano": fano(), "K4": complete(4), "C5": cycle(5)}.get(source, source)
    problem, _ = get_reduction(name, **params).forward(src)
    result = exactfit.solve(problem, "scip", node_limit=20_000)
    refit = rational_refit(problem, result.network)
    assert exact_loss(problem, refit) == expected
    opt = solve_fit(problem, "scip", options={"node_limit": 20_000})
    assert opt.exact == expected and "KKT" in opt.note


def test_rational_refit_is_the_exact_one():
    """``reductions.check.rational_refit`` is the refit of :mod:`exactfit.exact.refit`."""
    from exactfit.exact.refit import rational_refit
    from reductions.check import rational_refit as reexported

    assert reexported is rational_refit


@pytest.mark.parametrize(
    ("name", "params", "source"),
    [("maxcut_to_relu", {}, "C5"), ("gapmaxcut_to_unit_relu", {}, "triangle")],
)
def test_check_seeds_the_mip_with_the_lift_and_agrees_with_enumeration(name, params, source):
    """``check`` hands the lifted network to SCIP as its first incumbent (``start``): the
    solve records the lift's exact loss as ``start_loss``, and the optimum is enum's."""
    from reductions.check import check
    from reductions.sources import generators as gen

    red = get_reduction(name, **params)
    src = gen.cycle(5) if source == "C5" else TRIANGLE
    report = check(red, src, solver="scip")
    enum = check(red, src, solver="enum")
    assert report.passed and enum.passed
    assert report.target.result.stats["start_loss"] == float(report.lifted_value)
    assert "seeded with a start network" in report.target.note
    a, b = float(report.target.upper), float(enum.target.upper)
    assert abs(a - b) <= OPT_ATOL + OPT_RTOL * abs(b)
