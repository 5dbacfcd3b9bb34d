"""The OR-Tools MathOpt (GSCIP) solver: agreement with independent solvers, strict statuses,
and the unwrapped MathOpt error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exactfit
from exactfit import FitProblem, Limit, Status
from exactfit.errors import InputError
from exactfit.problem import network_violations

mathopt = pytest.importorskip("ortools.math_opt.python.mathopt")

from fitcases import close  # noqa: E402

from exactfit.solvers.ortools_mathopt import (  # noqa: E402
    MathOptUnsupported,
    OrtoolsSolver,
    _outcome,
    build_model,
    classify,
    data_scale,
    mathopt_error_message,
)

REL = 1e-7


def random_problem(seed: int, n: int, d: int, k: int, **kw) -> FitProblem:
    """Planted two-ReLU data plus noise, rounded to 3 decimals (exact short decimals)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).round(3)
    y = np.maximum(X @ rng.normal(size=d) + 0.3, 0) - np.maximum(X @ rng.normal(size=d), 0)
    y = (y + 0.1 * rng.normal(size=n)).round(3)
    return FitProblem(X=X, y=y, units=k, **kw)


SMALL = [
    pytest.param(1, 6, 2, 1, {}, id="n6-d2-k1"),
    pytest.param(2, 7, 1, 1, {}, id="n7-d1-k1"),
    pytest.param(3, 6, 2, 1, {"bias": False}, id="n6-d2-k1-nobias"),
    pytest.param(4, 6, 2, 1, {"output_signs": "nonnegative"}, id="n6-d2-k1-nonneg"),
    pytest.param(5, 4, 1, 2, {}, id="n4-d1-k2"),
    pytest.param(6, 4, 2, 2, {"output_signs": [1, -1]}, id="n4-d2-k2-fixed"),
    pytest.param(7, 5, 2, 2, {"output_signs": "nonnegative", "bias": False}, id="n5-d2-k2-nb"),
    pytest.param(
        8, 6, 2, 1, {"sample_weight": ["1/2", 3, 1, "7/4", 2, "1/10"]}, id="n6-d2-k1-weighted"
    ),
]


# SCIP through PySCIPOpt stalls (bound 0 for minutes) on the realizable n4-d1-k2 case, so the
# SCIP comparison uses the other cases plus a larger one brute force cannot take.
CASES = (
    [pytest.param("brute", *p.values, id=f"brute-{p.id}") for p in SMALL]
    + [pytest.param("scip", *p.values, id=f"scip-{p.id}") for p in SMALL if p.id != "n4-d1-k2"]
    + [pytest.param("scip", 9, 14, 2, 1, {}, id="scip-n14-d2-k1")]
)


@pytest.mark.parametrize(("reference", "seed", "n", "d", "k", "kw"), CASES)
def test_agrees_with_independent_solvers(reference, seed, n, d, k, kw):
    problem = random_problem(seed, n, d, k, **kw)
    ours = OrtoolsSolver().solve(problem, time_limit=120)
    ref = exactfit.get_solver(reference).solve(problem, time_limit=120)
    assert ref.status is Status.OPTIMAL, ref.message
    assert ours.status is Status.OPTIMAL, (ours.message, dict(ours.stats))
    assert close(ours.objective, ref.objective), (ours.objective, ref.objective)
    # Both bounds are proven: neither may exceed the other's feasible objective.
    assert ours.bound <= ref.objective * (1 + REL) + 1e-9
    assert ref.bound <= ours.objective * (1 + REL) + 1e-9
    assert ours.objective == float(ours.objective_exact)
    assert network_violations(problem, ours.network) == []


def test_weight_bound_agrees_with_scip_and_is_respected_exactly():
    problem = random_problem(11, 6, 2, 1, weight_bound="1/2")
    free = OrtoolsSolver().solve(random_problem(11, 6, 2, 1), time_limit=120)
    ours = OrtoolsSolver().solve(problem, time_limit=120)
    ref = exactfit.get_solver("scip").solve(problem, time_limit=120)
    assert ours.status is Status.OPTIMAL and ref.status is Status.OPTIMAL
    assert close(ours.objective, ref.objective)
    # The bound binds on this instance (else the test would not exercise it).
    assert ours.objective > free.objective * (1 + 1e-3)
    for unit in ours.network.units:
        assert sum(exactfit.problem.to_fraction(v) ** 2 for v in unit.w) <= problem.weight_bound**2


def test_realizable_data_gives_zero_loss_optimal():
    # y = σ(x1 − 2 x2 + 1/2) exactly: the optimum is 0, attained by the planted unit.
    X = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1], [-1, 0], [3, 1]]
    y = [max(0, x1 - 2 * x2 + 0.5) for x1, x2 in X]
    result = OrtoolsSolver().solve(FitProblem(X=X, y=y), time_limit=60)
    assert result.status is Status.OPTIMAL
    assert result.bound == 0.0
    assert result.objective <= 1e-9


@pytest.mark.parametrize(
    "option", [{"objective": "quadratic"}, {"objective": "epigraph"}, {"symmetry": False}]
)
def test_formulation_options_agree(option):
    # k = 1 and small n: the aggregated forms are much slower than the default (module doc).
    problem = random_problem(21, 8, 2, 1)
    base = OrtoolsSolver().solve(problem, time_limit=120)
    other = OrtoolsSolver().solve(problem, time_limit=120, **option)
    assert base.status is Status.OPTIMAL and other.status is Status.OPTIMAL
    assert close(base.objective, other.objective)


def test_tiny_time_limit_is_never_optimal():
    problem = random_problem(31, 40, 2, 2)
    result = OrtoolsSolver().solve(problem, time_limit=1e-3)
    assert result.status in (Status.FEASIBLE, Status.NO_SOLUTION)
    assert result.limit is Limit.TIME
    if result.objective is not None:
        assert result.bound is None or result.bound <= result.objective


def test_node_limit_is_reported_as_nodes():
    problem = random_problem(32, 12, 2, 2)
    result = OrtoolsSolver().solve(problem, node_limit=1, time_limit=60)
    assert result.status is Status.FEASIBLE
    assert result.limit is Limit.NODES
    assert result.bound <= result.objective
    first = result.stats["models"][0]
    assert first["termination"].startswith(("FEASIBLE/NODE", "NO_SOLUTION_FOUND/NODE"))


@pytest.mark.parametrize("backend", ["highs", "cp_sat", "glop"])
def test_unsupported_backend_message_is_unwrapped(backend):
    problem = random_problem(41, 4, 1, 1)
    assert OrtoolsSolver().unsupported(problem, backend=backend) is not None
    with pytest.raises(MathOptUnsupported) as info:
        OrtoolsSolver().solve(problem, backend=backend)
    message = str(info.value)
    assert "canonical_code" not in message
    assert backend in message
    expected = {
        "highs": "does not support quadratic constraints",
        "cp_sat": "does not currently support CP-SAT models with quadratic constraints",
        "glop": "does not support integer variables",
    }[backend]
    assert expected in message
    assert isinstance(info.value, InputError)  # the CLI prints one line and exits 2


def test_mathopt_error_message_reads_the_context():
    model = mathopt.Model()
    x = model.add_binary_variable()
    model.minimize(x * x)
    with pytest.raises(AttributeError) as info:
        mathopt.solve(model, mathopt.SolverType.HIGHS)
    assert "canonical_code" in str(info.value)  # the MathOpt bug this module works around
    code, message = mathopt_error_message(info.value)
    assert code == "UNIMPLEMENTED"
    assert "quadratic objectives" in message
    assert mathopt_error_message(AttributeError("something else")) is None
    assert mathopt_error_message(ValueError("x")) is None


def _termination(reason, limit=None):
    return mathopt.Termination(reason=reason, limit=limit, detail="")


TR, ML = mathopt.TerminationReason, mathopt.Limit
CLASSIFY = [
    (TR.OPTIMAL, None, False, "optimal", None),
    (TR.FEASIBLE, ML.TIME, False, "limit", Limit.TIME),
    (TR.NO_SOLUTION_FOUND, ML.TIME, True, "limit", Limit.TIME),
    (TR.FEASIBLE, ML.NODE, False, "limit", Limit.NODES),
    (TR.NO_SOLUTION_FOUND, ML.INTERRUPTED, False, "limit", Limit.INTERRUPT),
    (TR.FEASIBLE, ML.SOLUTION, False, "error", None),
    (TR.FEASIBLE, ML.MEMORY, False, "error", None),
    (TR.NO_SOLUTION_FOUND, ML.UNDETERMINED, False, "error", None),
    (TR.INFEASIBLE, None, True, "cutoff", None),
    (TR.INFEASIBLE, None, False, "error", None),
    (TR.UNBOUNDED, None, False, "error", None),
    (TR.INFEASIBLE_OR_UNBOUNDED, None, False, "error", None),
    (TR.IMPRECISE, None, False, "error", None),
    (TR.NUMERICAL_ERROR, None, False, "error", None),
    (TR.OTHER_ERROR, None, False, "error", None),
]


@pytest.mark.parametrize(("reason", "limit", "objlimit", "kind", "ours"), CLASSIFY)
def test_every_termination_is_mapped_explicitly(reason, limit, objlimit, kind, ours):
    got_kind, got_limit, raw = classify(_termination(reason, limit), objective_limit=objlimit)
    assert (got_kind, got_limit) == (kind, ours)
    assert reason.name in raw


def test_every_termination_reason_is_covered_by_the_table():
    assert {row[0] for row in CLASSIFY} == set(TR)


MAPPED_LIMITS = {ML.TIME: Limit.TIME, ML.NODE: Limit.NODES, ML.INTERRUPTED: Limit.INTERRUPT}


@pytest.mark.parametrize("reason", [TR.FEASIBLE, TR.NO_SOLUTION_FOUND])
@pytest.mark.parametrize("limit", list(ML))
def test_every_mathopt_limit_is_mapped_explicitly(reason, limit):
    # Only the limits this solver sets are limits; any other one is unexplained: ERROR.
    got_kind, got_limit, raw = classify(_termination(reason, limit), objective_limit=False)
    if limit in MAPPED_LIMITS:
        assert (got_kind, got_limit) == ("limit", MAPPED_LIMITS[limit])
    else:
        assert (got_kind, got_limit) == ("error", None)
    assert raw == f"{reason.name}/{limit.name}"


@pytest.mark.parametrize(("reason", "limit", "objlimit", "kind", "ours"), CLASSIFY)
def test_every_termination_becomes_a_sign_model_outcome(reason, limit, objlimit, kind, ours):
    problem = random_problem(71, 4, 1, 1)
    _, W, b = build_model(problem, (1,), scale=2.0)
    bounds = mathopt.ObjectiveBounds(primal_bound=8.0, dual_bound=4.0)  # model units: × 2²
    term = mathopt.Termination(reason=reason, limit=limit, objective_bounds=bounds)
    result = mathopt.SolveResult(termination=term)
    out = _outcome(problem, (1,), result, W, b, 2.0, 0.75 if objlimit else None, "gscip")
    assert reason.name in out.status and out.network is None
    if kind == "error":
        assert out.error == f"MathOpt/gscip terminated with {out.status} for signs (1,)"
        return
    assert out.error is None and out.limit is ours
    # Cut off: the objective limit (the incumbent) is the bound; else the dual bound, unscaled.
    assert out.bound == (0.75 if kind == "cutoff" else 1.0)
    assert out.extra["dual_bound"] == 1.0
    if kind != "cutoff":
        assert out.objective == 2.0


def test_the_network_is_read_back_in_the_problem_units():
    problem = random_problem(72, 4, 2, 1)
    scale = data_scale(problem)
    model, W, b = build_model(problem, (1,), scale=scale)
    values = dict.fromkeys(model.variables(), 0.0)
    values.update({W[0][0]: 0.5 * scale, W[0][1]: -1.0 * scale, b[0]: 0.25 * scale})
    primal = mathopt.PrimalSolution(
        variable_values=values, feasibility_status=mathopt.SolutionStatus.FEASIBLE
    )
    term = mathopt.Termination(
        reason=TR.OPTIMAL, objective_bounds=mathopt.ObjectiveBounds(primal_bound=1.0)
    )
    result = mathopt.SolveResult(
        termination=term, solutions=[mathopt.Solution(primal_solution=primal)]
    )
    out = _outcome(problem, (1,), result, W, b, scale, None, "gscip")
    (unit,) = out.network.units
    assert unit.a == 1
    assert unit.w == pytest.approx((0.5, -1.0), rel=1e-15)
    assert unit.b == pytest.approx(0.25, rel=1e-15)


def test_bad_options_are_input_errors():
    problem = random_problem(51, 4, 1, 1)
    with pytest.raises(InputError, match="unknown option 'formulation'"):
        OrtoolsSolver().solve(problem, formulation="sos1")
    with pytest.raises(InputError, match="backend must be one of"):
        OrtoolsSolver().solve(problem, backend="cplex")
    with pytest.raises(InputError, match="time limit must be positive"):
        OrtoolsSolver().solve(problem, time_limit=0)


def test_registered_and_reachable_through_solve():
    problem = random_problem(61, 5, 1, 1)
    result = exactfit.solve(problem, "ortools", time_limit=60)
    assert result.solver == "ortools"
    assert result.status is Status.OPTIMAL
    assert math.isfinite(result.bound)


@given(
    data=st.data(),
    n=st.integers(3, 6),
    d=st.integers(1, 2),
    bias=st.booleans(),
    signs=st.sampled_from([None, "nonnegative"]),
)
@settings(max_examples=15, deadline=None)
def test_property_matches_brute_force_on_integer_data(data, n, d, bias, signs):
    """Small integer data (exact, often degenerate: repeated points, ties) for k = 1."""
    X = data.draw(st.lists(st.lists(st.integers(-3, 3), min_size=d, max_size=d), min_size=n,
                           max_size=n))  # fmt: skip
    y = data.draw(st.lists(st.integers(-4, 4), min_size=n, max_size=n))
    problem = FitProblem(X=X, y=y, bias=bias, output_signs=signs)
    ours = OrtoolsSolver().solve(problem, time_limit=60)
    ref = exactfit.get_solver("brute").solve(problem)
    assert ours.status is Status.OPTIMAL, (ours.message, dict(ours.stats))
    # Claimed optimal: no network brute force finds may be better, nor its bound higher.
    assert ours.objective <= ref.objective * (1 + REL) + 1e-9, (ours.objective, ref.objective)
    assert ref.bound is None or ref.bound <= ours.objective * (1 + REL) + 1e-9
    if ref.status is Status.OPTIMAL:
        assert close(ours.objective, ref.objective), (ours.objective, ref.objective)
