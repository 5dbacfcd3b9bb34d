"""Negative cases: configurations in which a reduction is unsound are refused, or flagged and
shown to fail, never silently run."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from exactfit.errors import InputError
from exactfit.problem import exact_loss
from reductions.base import UnsoundReduction
from reductions.check import check
from reductions.coloring_to_relus import signed_bias_counterexample
from reductions.maxcut_to_relu import bias_counterexample
from reductions.registry import get_reduction
from reductions.sources import Graph, Hypergraph
from reductions.sources.generators import fano, random_hypergraph
from reductions.sources.solvers import colourable

TRIANGLE = Graph(3, ((0, 1), (1, 2), (0, 2)), name="triangle")


@pytest.mark.parametrize(
    ("name", "params", "needle"),
    [
        ("maxcut_to_relu", {"bias": True}, "w = 0, b = 1"),
        ("dks_to_relu", {"kappa": 2, "bias": True}, "w = 0, b = 1"),
        ("coloring_to_relus", {"units": 2, "signs": "free", "bias": True}, "r/(r−1)"),
        ("sat3_to_relu", {"bias": True}, "w = 0, b = 1"),
    ],
)
def test_unsound_configuration_is_refused(name, params, needle):
    with pytest.raises(UnsoundReduction, match="unsound") as info:
        get_reduction(name, **params)
    assert needle in str(info.value)
    assert isinstance(info.value, InputError)  # the CLI turns it into one line + exit 2
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("g", "W"),
    [(TRIANGLE, 3), (Graph(4, ((0, 1), (1, 2), (2, 3)), (2, 1, 3)), 6)],
)
def test_maxcut_bias_counterexample_loss(g, W):
    red = get_reduction("maxcut_to_relu", bias=True, allow_unsound=True)
    problem, trace = red.forward(g)
    assert problem.bias and problem.meta["unsound"]
    net = bias_counterexample(problem)
    # w = 0, b = 1 fits all vertex samples; each edge sample (two per edge) costs w_e · 1
    assert exact_loss(problem, net) == 2 * W
    assert exact_loss(problem, net) < red.predicted(trace, W).lo == trace.A * g.n  # ≪ A·n


def test_dks_bias_counterexample_loss():
    red = get_reduction("dks_to_relu", kappa=2, bias=True, allow_unsound=True)
    problem, trace = red.forward(TRIANGLE)
    net = bias_counterexample(problem)
    # vertex samples fitted; 3 edges predicted 1 instead of 2; size samples: y+ = 1, y− = 0
    assert exact_loss(problem, net) == 3 * 1 + trace.B * 0 + trace.B * 1
    assert exact_loss(problem, net) < trace.A * trace.n


def test_unsound_check_fails():
    red = get_reduction("maxcut_to_relu", bias=True, allow_unsound=True)
    report = check(red, TRIANGLE, solver="enum")
    assert not report.passed
    failed = {i.name for i in report.failures}
    assert {"sound class", "relation", "decoded"} <= failed
    assert report.target.exact == Fraction(39, 7)  # < 2W = 6 < A·n = 39


@pytest.mark.parametrize("r", [2, 3, 4])
def test_signed_bias_counterexample_fits_every_uniform_instance(r):
    red = get_reduction("coloring_to_relus", units=2, signs="free", bias=True, allow_unsound=True)
    for seed in range(5):
        n = r + 3
        h = random_hypergraph(n, min(6, len(list(itertools.combinations(range(n), r)))), r, seed)
        problem, _ = red.forward(h)
        assert problem.meta["unsound"]
        assert exact_loss(problem, signed_bias_counterexample(problem, r)) == 0


def test_fano_is_fitted_in_signed_bias_class_but_not_2_colourable():
    h = fano()
    assert colourable(h, 2).value == 0
    red = get_reduction("coloring_to_relus", units=2, signs="free", bias=True, allow_unsound=True)
    problem, _ = red.forward(h)
    assert exact_loss(problem, signed_bias_counterexample(problem, 3)) == 0
    report = check(red, h, solver="scip")
    assert not report.passed
    assert {"sound class", "relation"} <= {i.name for i in report.failures}


def test_weak_class_makes_no_claim_for_no_instances():
    """C±0 with k ≥ 4: only χ ≤ max(k, 2^{k−1} − 1) is proved, so no value map is claimed."""
    red = get_reduction("coloring_to_relus", units=4, signs="free")
    assert not red.exact_value_map
    h = Hypergraph(5, tuple(itertools.combinations(range(5), 2)))  # K5, χ = 5
    _, trace = red.forward(h)
    assert red.source_value(trace, Fraction(0)) is None
    assert red.predicted(trace, 0).lo == 0 and not red.predicted(trace, 0).lo_open
