"""Orbit-leader rows of the data's signed-permutation symmetries (exactfit.solvers.datasym):
the orbits against the exhaustive group for d ≤ 3, the budget, and MIQPs with the rows against
exact optima."""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

from exactfit import solve
from exactfit.io import read_instance
from exactfit.problem import FitProblem
from exactfit.result import Status
from exactfit.solvers.datasym import LeaderRow, orbit_leader_rows

LIB = "instances/reductions"


def _signed_perms(d: int):
    for perm in itertools.permutations(range(d)):
        for signs in itertools.product((1, -1), repeat=d):
            yield perm, signs  # P e_u = signs[u] e_{perm[u]}


def _apply(perm, signs, x):
    out = [Fraction(0)] * len(x)
    for u, v in enumerate(x):
        out[perm[u]] = signs[u] * v
    return tuple(out)


def _reference_rows(problem: FitProblem) -> set[LeaderRow]:
    """The stabiliser-chain orbits computed from the whole group (all signed permutations)."""
    c = problem.sample_weight or (Fraction(1),) * problem.n
    data = Counter((tuple(x), y, w) for x, y, w in zip(problem.X, problem.y, c, strict=True))
    group = [
        (perm, signs)
        for perm, signs in _signed_perms(problem.d)
        if Counter((_apply(perm, signs, x), y, w) for (x, y, w) in data.elements()) == data
    ]
    first = 0
    if not problem.bias and any(len(set(v)) < len(v) for v in problem.sign_vectors()):
        group = [(p, s) for p, s in group if p[0] == 0 and s[0] == 1]
        first = 1
    rows = set()
    for v in range(first, problem.d):
        for perm, signs in group:  # the image of +e_v is signs[v]·e_{perm[v]}
            if (perm[v], signs[v]) != (v, 1):
                rows.add(LeaderRow(v, signs[v], perm[v]))
        group = [(p, s) for p, s in group if p[v] == v and s[v] == 1]
    return rows


def _symmetric(seed: int) -> FitProblem:
    """Random points closed under a random group of signed permutations (labels and sample
    weights constant on orbits), with a random class."""
    rng = np.random.default_rng(seed)
    d = 1 + seed % 3
    perms = list(_signed_perms(d))
    gens = [perms[int(i)] for i in rng.integers(len(perms), size=int(rng.integers(0, 3)))]
    X, y, c = [], [], []
    for _ in range(int(rng.integers(1, 3))):
        orbit = {tuple(Fraction(int(v), 4) for v in rng.integers(-4, 5, size=d))}
        while True:
            grown = orbit | {_apply(p, s, x) for p, s in gens for x in orbit}
            if grown == orbit:
                break
            orbit = grown
        label, weight = Fraction(int(rng.integers(-3, 6)), 2), Fraction(int(rng.integers(1, 4)))
        for x in sorted(orbit):
            X.append(list(x))
            y.append(label)
            c.append(weight)
    if seed % 5 == 0 and len(X) > 1:
        y[0] += 1  # break the symmetry now and then
    units = 1 + seed % 2
    return FitProblem(X, y, sample_weight=c, units=units, bias=seed % 4 != 1)


@pytest.mark.parametrize("seed", range(60))
def test_rows_are_the_orbits_of_the_whole_group(seed):
    problem = _symmetric(seed)
    assert set(orbit_leader_rows(problem)) == _reference_rows(problem)


def test_petersen_max_cut_rows_make_the_first_weight_the_largest_in_absolute_value():
    problem = read_instance(f"{LIB}/maxcut_to_relu/maxcut_petersen.json")
    rows = orbit_leader_rows(problem)
    level0 = {(r.sign, r.other) for r in rows if r.lead == 0}
    # Aut(Petersen) is vertex-transitive and the data are closed under x ↦ −x.
    assert level0 == {(s, u) for u in range(10) for s in (1, -1)} - {(1, 0)}
    # Stab(vertex 0) has the orbits {neighbours} and {non-neighbours}; vertex 1 is a neighbour.
    assert {(r.sign, r.other) for r in rows if r.lead == 1} == {(1, 4), (1, 5)}


def test_asymmetric_data_give_no_rows():
    problem = FitProblem([[0, 1], [2, 3], [5, -1]], [1, 2, 3])
    assert orbit_leader_rows(problem) == ()


def test_a_search_out_of_time_returns_part_of_the_rows():
    problem = read_instance(f"{LIB}/maxcut_to_relu/maxcut_petersen.json")
    ticks = [0]

    def clock() -> float:  # one tick per reading: the search's work, not the wall clock
        ticks[0] += 1
        return float(ticks[0])

    full = set(orbit_leader_rows(problem, budget_s=1e9, clock=clock))
    needed = ticks[0]
    parts = []
    for share in (0.1, 0.3, 0.5, 0.7, 0.9):
        ticks[0] = 0
        parts.append(set(orbit_leader_rows(problem, budget_s=share * needed, clock=clock)))
    assert all(part <= full for part in parts)
    assert any(0 < len(part) < len(full) for part in parts)
    assert orbit_leader_rows(problem, budget_s=-1.0) == ()


@pytest.mark.parametrize("sign", [2, 0])
def test_a_leader_row_checks_its_sign(sign):
    with pytest.raises(ValueError, match="sign"):
        LeaderRow(0, sign, 1)


SMALL = [
    f"{LIB}/maxcut_to_relu/maxcut_c5.json",
    f"{LIB}/maxcut_to_relu/maxcut_k4.json",
    f"{LIB}/gapmaxcut_to_unit_relu/gapmaxcut_triangle.json",
    f"{LIB}/dks_to_relu/dks_k4_k2.json",
    f"{LIB}/coloring_to_relus/coloring_triangle_k2.json",
]


@pytest.mark.parametrize("solver", ["scip", "ortools"])
@pytest.mark.parametrize("path", SMALL)
def test_miqp_with_leader_rows_finds_the_exact_optimum(solver, path):
    problem = read_instance(path)
    assert orbit_leader_rows(problem), "the instance should have symmetries"
    exact = solve(problem, solver="enum", time_limit=120)
    assert exact.status is Status.OPTIMAL
    result = solve(problem, solver=solver, time_limit=120)
    assert result.status is Status.OPTIMAL
    assert float(result.objective_exact) == pytest.approx(float(exact.objective_exact), rel=1e-6)


@pytest.mark.parametrize("seed", [s for s in range(40) if s % 5 != 0][:16])
def test_scip_with_leader_rows_agrees_with_brute_force_on_symmetric_data(seed):
    problem = _symmetric(seed)
    reference = solve(problem, solver="brute")
    result = solve(problem, solver="scip", time_limit=60)
    assert result.status is Status.OPTIMAL
    assert float(result.objective_exact) == pytest.approx(
        float(reference.objective_exact), rel=1e-6, abs=1e-9
    )


def test_repeated_samples_are_one_node_and_keep_their_symmetry():
    # 300 copies each: without merging twins the search would backtrack through every copy.
    problem = FitProblem([[1, 0]] * 300 + [[0, 1]] * 300 + [[0, 0]], [2] * 600 + [1])
    assert orbit_leader_rows(problem) == (LeaderRow(0, 1, 1),)
    lopsided = FitProblem([[1, 0]] * 300 + [[0, 1]] * 299, [2] * 599)
    assert orbit_leader_rows(lopsided) == ()
