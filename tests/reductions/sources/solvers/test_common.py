"""What every source solver shares: method choice, argument checks, the solution record."""

from __future__ import annotations

import dataclasses

import pytest

from exactfit.errors import InputError
from reductions.sources import generators as gen
from reductions.sources.solvers import (
    SourceSolution,
    chromatic_number,
    colourable,
    densest_subgraph,
    max_cut,
    max_sat,
)


def test_auto_uses_brute_only_when_tiny():
    assert max_cut(gen.petersen()).method == "brute"
    assert max_cut(gen.gnp(20, 0.3, 1)).method == "cpsat"
    assert densest_subgraph(gen.karate(), 8).method == "cpsat"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: max_cut(gen.petersen(), method="gurobi"), "method: expected one of"),
        (lambda: max_cut(gen.gnp(23, 0.5, 1), method="brute"), "brute force refuses"),
        (lambda: max_sat(gen.random_3sat(22, 5, 1), method="brute"), "brute force refuses"),
        (lambda: colourable(gen.mycielski(5), 4, method="brute"), "brute force refuses"),
        (lambda: densest_subgraph(gen.karate(), 12, method="brute"), "brute force refuses"),
        (lambda: densest_subgraph(gen.petersen(), 0), "kappa: expected an integer in 1..10"),
        (lambda: densest_subgraph(gen.petersen(), 11), "kappa: expected an integer in 1..10"),
        (lambda: colourable(gen.petersen(), 0), "k: expected a number of colours ≥ 1"),
        (lambda: max_cut(gen.petersen(), time_limit=0), "time_limit: expected a positive"),
        (lambda: chromatic_number(gen.petersen(), method="x"), "method: expected one of"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_solution_is_frozen_and_validated():
    sol = SourceSolution(3, (1, 2), True, "cpsat", 0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sol.value = 4  # type: ignore[misc]
    with pytest.raises(ValueError, match="method"):
        SourceSolution(3, (), True, "auto", 0.1)
    with pytest.raises(ValueError, match="bound"):
        SourceSolution(3, (), True, "cpsat", 0.1, bound=4)
