"""Each reduction's declared sampler draws sources that exercise its gadget (issue 13), and
``check --random`` runs on them with small counts; progress lines print rationals faithfully."""

from __future__ import annotations

from fractions import Fraction

import pytest

from reductions.check import check_random
from reductions.cli import progress_line
from reductions.registry import get_reduction
from reductions.sources.solvers import colourable

SEEDS = range(40)


@pytest.mark.parametrize(
    ("name", "params", "low", "high"),
    [
        ("maxcut_to_relu", {}, 5, 9),
        ("dks_to_relu", {"kappa": 2}, 5, 9),
        ("dks_to_relu", {"kappa": 6}, 7, 9),
        ("gapmaxcut_to_unit_relu", {}, 5, 6),
        ("coloring_to_relus", {"units": 2}, 5, 7),
        ("coloring_to_relus", {"units": 3}, 5, 6),
    ],
)
def test_graph_samplers_have_gadget_sizes(name, params, low, high):
    red = get_reduction(name, **params)
    sizes = {red.random_source(s).n for s in SEEDS}
    assert sizes <= set(range(low, high + 1)) and len(sizes) >= 2
    assert red.random_source(3) == red.random_source(3)


@pytest.mark.parametrize("k", [2, 3])
def test_colouring_sampler_draws_both_answers(k):
    red = get_reduction("coloring_to_relus", units=k)
    answers = {}
    for s in SEEDS:
        h = red.random_source(s)
        value = colourable(h, k, method="brute").value
        # a planted source is colourable; a blocked one is not (unless every r-set is)
        if h.name.startswith("planted"):
            assert value == 1
        answers.setdefault(value, s)
    assert set(answers) == {0, 1}, answers


def test_cnf_samplers_have_three_literal_clauses():
    for s in SEEDS:
        f = get_reduction("sat3_to_max2sat").random_source(s)
        assert all(len(c) == 3 for c in f.clauses) and 3 <= f.num_vars <= 6
        chain = get_reduction("sat3_to_relu").random_source(s)
        assert len(chain.clauses[0]) == 3 and chain.num_vars == 3
        two = get_reduction("max2sat_to_maxcut").random_source(s)
        assert all(len(c) <= 2 for c in two.clauses) and 3 <= two.num_vars <= 8


#: Seeds whose sources are among the sampler's smallest (5 vertices), so the suite stays fast;
#: coloring seed 4 is a NO instance (edges added until not 2-colourable).
RANDOM_RUNS = [
    ("maxcut_to_relu", {}, (2, 15), {}),
    ("dks_to_relu", {"kappa": 3}, (2, 15), {}),
    ("coloring_to_relus", {"units": 2}, (2, 4), {"solver": "scip"}),
    ("sat3_to_max2sat", {}, (0, 1), {}),
    ("max2sat_to_maxcut", {}, (0, 1), {}),
    ("weightedmaxcut_to_maxcut", {}, (0, 1), {}),
    ("gapmaxcut_to_unit_relu", {}, (2, 22), {}),
]


@pytest.mark.parametrize(("name", "params", "seeds", "options"), RANDOM_RUNS)
def test_check_random_on_declared_samplers(name, params, seeds, options, tmp_path):
    lines = []
    for seed in seeds:
        rr = check_random(
            get_reduction(name, **params),
            1,
            seed,
            outdir=tmp_path,
            progress=lambda i, r: lines.append(progress_line(r)),
            **options,
        )
        assert rr.ok and rr.passed == 1, rr.first_failure and rr.first_failure.text()
    assert len(lines) == 2
    assert all(line.endswith(("PASS", "PASS (non-discriminating)")) for line in lines)


def test_chain_random_source_reaches_the_relu_step_and_is_never_failed(tmp_path):
    """One chain source (a 3-clause: 54 points in 9 dimensions) with a short time limit: the
    target is built and checked; a time limit may leave it INCONCLUSIVE, never FAIL."""
    red = get_reduction("sat3_to_relu")
    rr = check_random(red, 1, 0, outdir=tmp_path, time_limit=3)
    assert rr.ok and rr.passed + rr.inconclusive == 1


def test_gap_eth_chain_random_source_is_a_unit_clause_and_is_never_failed(tmp_path):
    """The Gap-ETH chain samples (x1) or (¬x1) (40 points in 9 dimensions after the weight
    expansion); with a short time limit it may stay INCONCLUSIVE, never FAIL."""
    red = get_reduction("sat3_to_unit_relu")
    assert {red.random_source(s).clauses for s in SEEDS} == {((1,),), ((-1,),)}
    rr = check_random(red, 1, 0, outdir=tmp_path, time_limit=3)
    assert rr.ok and rr.passed + rr.inconclusive == 1


class _Report:
    """The fields progress_line reads, for a value near 2.2 with a 24-digit numerator."""

    source_name = "g"
    source_value = 3
    verdict = "PASS"
    discrimination = None

    class target:
        exact = Fraction(428327408818587249543440, 194694276735721477065197)
        lower = upper = exact


def test_progress_line_never_truncates_a_rational():
    line = progress_line(_Report())
    # 47 characters: a float approximation and the length (the full p/q is in --json)
    assert "target ≈2.2 (exact rational, 47 characters) PASS" in line
    assert "4283274088" not in line
    short = _Report()
    short.target = type("T", (), {"exact": Fraction(11, 5), "lower": None})
    assert "target 11/5 (≈2.2) PASS" in progress_line(short)
    long = _Report()
    long.target = type("T", (), {"exact": Fraction(10**50 + 1, 10**49), "lower": None})
    line = progress_line(long)
    assert "≈10" in line and "exact rational, 102 characters" in line
    assert str(10**50 + 1)[:24] not in line
