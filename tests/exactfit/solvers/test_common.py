"""The shared option checks and model helpers, directly and through every solver using them."""

from __future__ import annotations

import numpy as np
import pytest

from exactfit.errors import InputError
from exactfit.problem import FitProblem
from exactfit.result import Status
from exactfit.solvers import REGISTRY, get_solver
from exactfit.solvers._common import (
    check_choice,
    check_feastol,
    check_options,
    check_positive_int,
    check_time_limit,
    network_from_theta,
    symmetry_pairs,
)

TINY = FitProblem(X=[[0], [1], [2], [3]], y=[0, 1, 1, 3])

#: What each solver says it takes after an unknown option.
TAKES = {
    "scip": (
        "['bound_target', 'budget_rows', 'feastol', 'formulation', 'log', 'nlp', "
        "'node_limit', 'relu_caps', 'seed', 'start', 'symmetry', 'verbose']"
    ),
    "ortools": (
        "['backend', 'feastol', 'log', 'node_limit', 'objective', 'seed', 'start', "
        "'symmetry', 'verbose']"
    ),
    "brute": "no options",
}
MIQP = ["scip", "ortools"]


@pytest.mark.parametrize("solver", sorted(TAKES))
def test_an_unknown_option_names_the_accepted_ones(solver):
    with pytest.raises(InputError) as info:
        get_solver(solver).solve(TINY, colour="red")
    assert str(info.value) == f"{solver}: unknown option 'colour'; {solver} takes {TAKES[solver]}"


@pytest.mark.parametrize("solver", sorted(TAKES))
@pytest.mark.parametrize("limit", [0, -1.5, float("nan")])
def test_the_time_limit_must_be_positive_seconds(solver, limit):
    with pytest.raises(InputError) as info:
        get_solver(solver).solve(TINY, time_limit=limit)
    assert str(info.value) == f"time limit must be positive seconds, found {limit!r}"


@pytest.mark.parametrize("solver", sorted(TAKES))
def test_progress_is_accepted_and_ignored(solver):
    assert get_solver(solver).solve(TINY, progress=True).status is Status.OPTIMAL


@pytest.mark.parametrize("solver", MIQP)
@pytest.mark.parametrize("value", [0, -3, True, 1.5, "10"])
def test_node_limit_must_be_a_positive_integer(solver, value):
    with pytest.raises(InputError) as info:
        get_solver(solver).solve(TINY, node_limit=value)
    assert str(info.value) == f"{solver}: node_limit must be a positive integer, found {value!r}"


@pytest.mark.parametrize("solver", MIQP)
@pytest.mark.parametrize("value", [0, -1e-9, 1e-3, "tight", None])
def test_feastol_must_be_small_and_positive(solver, value):
    with pytest.raises(InputError) as info:
        get_solver(solver).solve(TINY, feastol=value)
    assert str(info.value) == f"{solver}: feastol must be in (0, 1e-3), found {value!r}"


@pytest.mark.parametrize(
    ("solver", "option", "value", "choices"),
    [
        ("scip", "formulation", "bigm", ["auto", "sos1", "indicator"]),
        ("ortools", "objective", "cubic", ["split", "quadratic", "epigraph"]),
    ],
)
def test_a_choice_outside_the_list_names_the_list(solver, option, value, choices):
    with pytest.raises(InputError) as info:
        get_solver(solver).solve(TINY, **{option: value})
    assert str(info.value) == f"{solver}: {option} must be one of {choices}, found {value!r}"


def test_check_options_for_a_solver_with_its_own_wording():
    check_options("enum", {"seed": 1, "progress": True}, {"seed"})
    with pytest.raises(InputError, match=r"^enum: unknown option 'z'; enum takes a, b$"):
        check_options("enum", {"z": 1, "seed": 1}, {"seed"}, takes="a, b")
    with pytest.raises(InputError, match="unknown option 'progress'"):
        check_options("x", {"progress": True}, (), silent=())


def test_checks_return_the_value_in_its_canonical_type():
    assert check_time_limit(None) is None and check_time_limit(2) == 2.0
    assert isinstance(check_time_limit(2), float)
    assert check_positive_int("n", None) is None
    assert check_positive_int("n", np.int64(7)) == 7 and type(check_positive_int("n", 7)) is int
    assert check_choice("c", "a", ("a", "b")) == "a"
    assert check_feastol("s", "1e-8") == 1e-8


@pytest.mark.parametrize("bias", [True, False])
def test_network_from_theta_reads_lifted_rows(bias):
    problem = FitProblem(X=[[1, 2]], y=[1], units=2, bias=bias)
    theta = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    net = network_from_theta(problem, (1, -1), theta)
    assert [u.a for u in net.units] == [1, -1]
    assert [u.w for u in net.units] == [(1.0, 2.0), (4.0, 5.0)]
    assert [u.b for u in net.units] == ([3.0, 6.0] if bias else [0.0, 0.0])
    assert all(type(v) is float for u in net.units for v in (*u.w, u.b))


@pytest.mark.parametrize("bias", [True, False])
def test_symmetry_pairs_order_adjacent_units_of_equal_sign(bias):
    problem = FitProblem(X=[[1, 2]], y=[1], units=4, bias=bias)
    W = [[f"w{j}0", f"w{j}1"] for j in range(4)]
    b = [f"b{j}" if bias else None for j in range(4)]
    pairs = symmetry_pairs(problem, (1, 1, 1, -1), W, b)
    first = "b" if bias else "w"
    tail = "" if bias else "0"
    assert pairs == [(j, f"{first}{j}{tail}", f"{first}{j + 1}{tail}") for j in (0, 1)]
    assert symmetry_pairs(problem, (1, -1, 1, -1), W, b) == []


@pytest.mark.parametrize(
    ("solver", "option"),
    [(name, opt) for name, info in REGISTRY.items() for opt in info.options if opt != "time_limit"],
)
def test_every_option_the_registry_declares_is_taken(solver, option):
    """The registry is the one declaration: a declared option is never 'unknown'."""
    try:
        get_solver(solver).solve(TINY, **{option: object()})
    except InputError as exc:
        assert "unknown option" not in str(exc)
    except (TypeError, ValueError, AttributeError):
        pass  # a nonsense value may fail inside the solver; only the option name matters here
