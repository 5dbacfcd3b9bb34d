"""The exact brute-force reference: its own rules, hand-computed exact optima on degenerate data,
and its place below every other solver on adversarial data (its agreement with the other solvers
on ordinary data is in tests/exactfit/solvers/test_agree.py)."""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction

import numpy as np
import pytest
from adversarial import KINDS

import exactfit
from exactfit.errors import BudgetExceeded, InputError
from exactfit.exact.cells import cell_system, lifted_points
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.generate import planted_fit
from exactfit.problem import FitProblem, exact_loss, network_violations
from exactfit.result import Limit, Proof, Status
from exactfit.solvers.brute import MAX_COMPOSITIONS, MAX_WORK, BruteSolver, work_estimate
from exactfit.solvers.brute.faces import arrangement_faces, composition_bound, face_count_bound

E6, E8, E9 = Fraction(1, 10**6), Fraction(1, 10**8), Fraction(1, 10**9)


def test_a_time_limit_reached_before_the_first_candidate_claims_nothing():
    problem = planted_fit(5, 1, seed=3)
    r = BruteSolver().solve(problem, time_limit=1e-9)
    assert r.status is Status.NO_SOLUTION and r.limit is Limit.TIME
    assert r.bound is None and r.network is None


def test_seed_is_accepted_and_the_search_is_deterministic():
    problem = planted_fit(5, 1, units=2, seed=4)
    a, b = BruteSolver().solve(problem, seed=1), BruteSolver().solve(problem, seed=2)
    assert a.status is Status.OPTIMAL and a.network == b.network
    assert a.stats["least_squares"] == b.stats["least_squares"] > 0


def test_the_weight_bound_is_refused():
    problem = FitProblem(X=[[1]], y=[1], weight_bound=1)
    assert BruteSolver().unsupported(problem) is not None
    with pytest.raises(InputError, match=r"^brute: the brute force does not support a weight"):
        BruteSolver().solve(problem)


def test_instances_above_the_work_budget_are_refused():
    problem = planted_fit(12, 2, units=2, seed=5)
    assert work_estimate(problem) > MAX_WORK
    with pytest.raises(BudgetExceeded, match="least-squares solves estimated"):
        BruteSolver().solve(problem)


def test_instances_above_the_face_budget_are_refused():
    problem = planted_fit(20, 3, seed=5)
    assert work_estimate(problem) <= MAX_WORK
    assert composition_bound(20, 4) > MAX_COMPOSITIONS
    with pytest.raises(BudgetExceeded, match="face compositions estimated"):
        BruteSolver().solve(problem)


# ------------------------------------------------------------------ faces of the arrangement
def _realisable(Z: list[tuple[int, ...]], X: tuple[int, ...]) -> bool:
    """Whether some θ has sign(Z θ) = X, decided by an exact cone QP: minimise (t − 1)² over
    {X_i z_i·θ ≥ t (X_i ≠ 0), z_i·θ = 0 (X_i = 0), t ≥ 0}; value 0 iff t = 1 is reachable."""
    D = len(Z[0])
    rows = [[*(x * v for v in z), -abs(x)] if x else [*z, 0] for z, x in zip(Z, X, strict=True)]
    rows += [[-v for v in z] + [0] for z, x in zip(Z, X, strict=True) if x == 0]
    rows.append([0] * D + [1])
    G = [[int(r == s == D) for s in range(D + 1)] for r in range(D + 1)]
    h = [0] * D + [1]
    return exact_cone_qp(G, h, rows).value == -1


POINT_SETS = {
    # (x, 1) for distinct x: 2n rays and 2n sectors around L₀ = {0}: 4n + 1 faces
    "line, 4 distinct points": [(-2, 1), (0, 1), (1, 1), (3, 1)],
    "line, duplicates": [(0, 1), (0, 1), (1, 1)],
    "antipodal, no bias": [(1, 0), (-1, 0), (0, 1)],
    "a zero point": [(0, 0), (1, 0)],
    # 4 points in general position in R³: 4n(n − 1) + 3 faces
    "plane, general position": [(0, 0, 1), (1, 0, 1), (0, 1, 1), (2, 3, 1)],
    "plane, three collinear": [(0, 0, 1), (1, 1, 1), (2, 2, 1), (0, 1, 1)],
    "plane, near-collinear": [(0, 0, 10**9), (10**9, 1, 10**9), (2 * 10**9, 0, 10**9)],
}
FACE_COUNTS = {
    "line, 4 distinct points": 17,
    "line, duplicates": 9,
    "antipodal, no bias": 9,
    "a zero point": 3,
    "plane, general position": 51,
    # three planes through one line (6 sectors) cut by a fourth: 8 rays, 18 plane pieces,
    # 12 regions (Euler on the sphere: 8 − 18 + 12 = 2), plus L₀
    "plane, three collinear": 39,
    "plane, near-collinear": 27,
}


@pytest.mark.parametrize("name", sorted(POINT_SETS))
def test_the_faces_are_exactly_the_realisable_sign_vectors(name):
    Z = POINT_SETS[name]
    arrangement = arrangement_faces(Z)
    found = {F.signs for F in arrangement.faces}
    assert len(found) == len(arrangement.faces) == FACE_COUNTS[name]
    every = set(itertools.product((-1, 0, 1), repeat=len(Z)))
    assert found == {X for X in every if _realisable(Z, X)}
    assert len(found) <= face_count_bound(len(Z), len(Z[0]))
    for F in arrangement.faces:
        # the basis spans the face's subspace modulo L₀, with the stated features
        assert all(F.features[i] == tuple(sum(a * b for a, b in zip(z, col, strict=True))
                   for col in F.basis) for i, z in enumerate(Z))  # fmt: skip
        assert all(not any(F.features[i]) for i in range(len(Z)) if F.signs[i] == 0)


@pytest.mark.parametrize("name", sorted(POINT_SETS))
def test_covers_are_the_faces_one_dimension_up_with_the_face_in_their_closure(name):
    faces = arrangement_faces(POINT_SETS[name])
    for F, up in zip(faces.faces, faces.covers, strict=True):
        expected = {
            g
            for g, G in enumerate(faces.faces)
            if G.dim == F.dim + 1
            and all(f in (0, s) for f, s in zip(F.signs, G.signs, strict=True))
        }
        assert set(up) == expected


@pytest.mark.parametrize(("n", "D", "count"), [(4, 2, 17), (4, 3, 51), (6, 3, 123), (8, 3, 227)])
def test_the_face_bound_is_attained_in_general_position(n, D, count):
    assert face_count_bound(n, D) == count
    rng = np.random.default_rng(n * D)
    Z = [tuple(int(v) for v in row) for row in rng.integers(-50, 50, size=(n, D))]
    assert len(arrangement_faces(Z).faces) == count


# ---------------------------------------------------------------- hand-computed exact optima
# Each optimum is derived in the comment; every one needs weights of 1e6..1e9 or a loss that a
# float rank cut moves, the data of issue 10.
EXACT = {
    # f(1) = 0, f(1 + 1e-8) = 1 by σ(1e8·(x − 1)): optimum 0 (the audit's "0.0205" case).
    "near-duplicate pair": (FitProblem([[1], [1 + E8]], [0, 1]), Fraction(0)),
    # σ(1e6·(x − 1)) fits all but x = 0 exactly, where f ≥ 0 against y = −1 costs 1; a negative
    # unit (f ≤ 0) costs ≥ 1e12 at x = 2.  Optimum exactly 1 (the audit's "1.4999970").
    "five points, pair at 1 and 1 + 1e-6": (
        FitProblem([[0], [1], [1 + E6], [2], [3]], [-1, 0, 1, 10**6, 2 * 10**6]),
        Fraction(1),
    ),
    # (1, 1e-9) is 1e-9 off the segment from (0, 0) to (2, 0): σ(1e9·x₂) fits exactly.
    "near-collinear triple": (FitProblem([[0, 0], [1, E9], [2, 0]], [0, 1, 0]), Fraction(0)),
    # A hat on points 1e-6 apart: σ(1e6·x) − σ(2e6·x − 2) with two units fits exactly ...
    "hat, two units": (FitProblem([[0], [E6], [2 * E6]], [0, 1, 0], units=2), Fraction(0)),
    # ... one unit cannot: a positive unit is convex, f(x₁) ≤ (f₀ + f₂)/2 at the midpoint, and
    # min f₀² + (f₁ − 1)² + f₂² under that is at f ≡ 1/3 (value 2/3, reached by b = 1/3); a
    # negative unit has (f₁ − 1)² ≥ 1.
    "hat, one unit": (FitProblem([[0], [E6], [2 * E6]], [0, 1, 0]), Fraction(2, 3)),
    # One point twice with weights 1e6 and 1e-6: the best constant is the weighted mean and
    # the loss c₁c₂(y₁ − y₂)²/(c₁ + c₂) = 1/(1e6 + 1e-6).
    "weights 1e6 and 1e-6": (
        FitProblem([[0], [0]], [1, 0], sample_weight=[10**6, E6]),
        Fraction(10**6, 10**12 + 1),
    ),
    # Realizable with features 1e-7: σ(1e7·x − 2) is 0, 0, 1 on the three points.
    "features 1e-7": (FitProblem([[E6 / 10], [E6 / 5], [3 * E6 / 10]], [0, 0, 1]), Fraction(0)),
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_exact_optimum_on_degenerate_data(name):
    problem, expected = EXACT[name]
    r = BruteSolver().solve(problem)
    assert r.status is Status.OPTIMAL and r.proof is Proof.EXACT
    assert r.objective_exact == expected
    assert exact_loss(problem, r.network) == expected
    assert r.stats["objective_exact"] == f"{expected.numerator}/{expected.denominator}"
    assert r.bound == float(expected)
    assert network_violations(problem, r.network) == []
    assert all(isinstance(v, Fraction) for u in r.network.units for v in (*u.w, u.b))


def _all_cells_optimum(problem: FitProblem) -> Fraction:
    """An independent exact optimum: the exact cone QP on every closed cell (2^{nk} patterns
    per sign vector), a different algorithm from brute's face enumeration."""
    Z = lifted_points(problem)
    best = problem.null_loss()
    for a in problem.sign_vectors():
        for S in itertools.product(
            itertools.product((False, True), repeat=problem.n), repeat=problem.units
        ):
            # the cell's rows are the points themselves: z_i·θ_j ≥ 0 on S_j, ≤ 0 off it
            G, h, A = cell_system(Z, problem.sample_weight, problem.y, Z, S, S, a)
            qp = exact_cone_qp(G, h, A)
            assert qp.certified
            best = min(best, qp.value + problem.null_loss())
    return best


#: Small adversarial instances (n ≤ 4 for k = 1, n = 3 for k = 2) for the all-cells check.
SMALL = [
    (kind, seed)
    for kind in ("near-collinear", "near-coplanar", "near-duplicates", "few-points", "two-units")
    for seed in range(4)
    if KINDS[kind](seed).n * KINDS[kind](seed).units <= 6
]


@pytest.mark.parametrize(("kind", "seed"), SMALL)
def test_agrees_with_the_exact_cone_qp_on_every_cell(kind, seed):
    problem = KINDS[kind](seed)
    r = BruteSolver().solve(problem)
    assert r.objective_exact == exact_loss(problem, r.network) == _all_cells_optimum(problem)


# ------------------------------------------------------------ below every other solver's answer
#: About 30 adversarial instances: the first four seeds of every kind brute takes.
ADVERSARIAL = [(kind, seed) for kind in KINDS if kind != "weight-bound" for seed in range(4)]
OTHERS = [("enum", {}), ("enum", {"certify": True}), ("scip", {}), ("ortools", {})]


@functools.cache
def _brute(kind: str, seed: int):
    problem = KINDS[kind](seed)
    return problem, BruteSolver().solve(problem)


@pytest.mark.parametrize(("solver", "options"), OTHERS, ids=["enum", "certify", "scip", "ortools"])
@pytest.mark.parametrize(("kind", "seed"), ADVERSARIAL)
def test_the_exact_optimum_is_below_every_returned_network(kind, seed, solver, options):
    # brute's optimum is the minimum over all cells, so no network of any solver (right or
    # wrong, optimal or stopped by its 0.5 s limit) may have a lower exact loss.  Nothing is
    # asserted about the other solvers' statuses: on these data they are known to be wrong.
    problem, ref = _brute(kind, seed)
    assert ref.status is Status.OPTIMAL
    assert ref.objective_exact == exact_loss(problem, ref.network)
    assert Fraction(ref.stats["objective_exact"]) == ref.objective_exact
    other = exactfit.solve(problem, solver, time_limit=0.5, **options)
    if other.network is not None:
        assert ref.objective_exact <= exact_loss(problem, other.network)
