"""Chamber enumeration: completeness against Cover's count and against brute-force LP
realisability of every sign pattern, on generic and degenerate point sets."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from ortools.linear_solver import pywraplp

from exactfit.solvers.enumeration.arrangement import (
    GenericEnumerator,
    NotGeneric,
    cover_count,
    exact_chambers,
    hyperplanes,
)
from exactfit.solvers.enumeration.arrangement import exact as arrangement


def _points(rows) -> list[tuple[Fraction, ...]]:
    return [tuple(Fraction(v) for v in r) for r in rows]


def _generic_cells(normals: np.ndarray, shard: int = 0, num_shards: int = 1, delta=None):
    gen = GenericEnumerator(normals)
    delta = np.eye(len(normals)) if delta is None else delta
    keys, sums = [], []
    for level, rows in gen.work_items(shard, num_shards):
        k, s = gen.sweep(level, rows, delta)
        keys.append(k)
        sums.append(s)
    return gen, np.concatenate(keys), np.concatenate(sums)


def _realisable(normals: list[tuple[int, ...]], signs: tuple[int, ...]) -> bool:
    """Is there θ with s_g·(n_g·θ) ≥ 1 for all g (an open chamber)?  LP by GLOP."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    D = len(normals[0])
    th = [solver.NumVar(-solver.infinity(), solver.infinity(), f"t{j}") for j in range(D)]
    for nrm, s in zip(normals, signs, strict=True):
        solver.Add(sum(s * v * t for v, t in zip(nrm, th, strict=True)) >= 1)
    solver.Minimize(0)
    return solver.Solve() == pywraplp.Solver.OPTIMAL


def _brute(normals: list[tuple[int, ...]]) -> set[tuple[int, ...]]:
    return {s for s in itertools.product((-1, 1), repeat=len(normals)) if _realisable(normals, s)}


def test_cover_count_closed_form():
    # 2·Σ_{i<D} C(m−1, i); the (n, d) table of docs/solvers/enumeration.md with a bias (D = d + 1)
    assert cover_count(20, 3) == 382
    assert cover_count(40, 4) == 19840
    assert cover_count(80, 3) == 6322
    assert cover_count(80, 4) == 164480
    assert cover_count(5, 1) == 2
    assert cover_count(3, 5) == 8  # m < D: all 2^m patterns
    assert cover_count(0, 3) == 1


@pytest.mark.parametrize(
    ("n", "D", "seed"), [(5, 2, 0), (9, 3, 1), (12, 3, 2), (9, 4, 3), (9, 5, 4)]
)
def test_generic_and_exact_match_cover_in_general_position(n, D, seed):
    rng = np.random.default_rng(seed)
    hp = hyperplanes(_points(rng.standard_normal((n, D)).tolist()))
    assert hp.m == n
    exact = exact_chambers(hp.exact)
    gen, keys, sums = _generic_cells(hp.normals)
    signs = gen.signs(keys)
    assert len(exact) == len(keys) == cover_count(n, D)
    assert len(np.unique(keys)) == len(keys)
    assert {tuple(r) for r in exact.tolist()} == {tuple(r) for r in signs.tolist()}
    # the prefix-sum sweep reports Σ_{s_g=+} delta_g for exactly those signs
    np.testing.assert_allclose(sums, signs.astype(float), atol=1e-9)


def test_generic_shards_partition_the_cells():
    rng = np.random.default_rng(7)
    hp = hyperplanes(_points(rng.standard_normal((14, 3)).tolist()))
    _, whole, _ = _generic_cells(hp.normals)
    parts = [_generic_cells(hp.normals, i, 3)[1] for i in range(3)]
    joined = np.concatenate(parts)
    assert len(joined) == len(whole)
    assert set(joined.tolist()) == set(whole.tolist())


def test_exact_matches_lp_brute_force_on_random_small_sets():
    rng = np.random.default_rng(11)
    for _ in range(4):
        hp = hyperplanes(_points(rng.integers(-3, 4, (6, 3)).tolist()))
        cells = {tuple(1 if v else -1 for v in r) for r in exact_chambers(hp.exact).tolist()}
        assert cells == _brute(list(hp.exact))


DEGENERATE = {
    # repeated points and a negative multiple (same hyperplane, opposite orientation)
    "duplicates": [[1, 0, 1], [1, 0, 1], [-1, 0, -1], [0, 1, 1], [2, 0, 2]],
    # collinear points with a bias: lifted (x, 1) all lie in a plane → arrangement not essential
    "collinear": [[0, 0, 1], [1, 1, 1], [2, 2, 1], [3, 3, 1], [-1, -1, 1]],
    # coplanar lifted points in R^4
    "coplanar": [
        [0, 0, 0, 1],
        [1, 0, 0, 1],
        [0, 1, 0, 1],
        [1, 1, 0, 1],
        [2, 1, 0, 1],
        [0, 0, 1, 1],
    ],
    # 0/±1 lattice without bias (as reductions produce): e_v, −e_v, e_u + e_v, −(e_u + e_v)
    "lattice": [
        [1, 0, 0],
        [-1, 0, 0],
        [0, 1, 0],
        [0, -1, 0],
        [0, 0, 1],
        [1, 1, 0],
        [-1, -1, 0],
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 1],
    ],
    # three lines through one point (three hyperplanes sharing a ray) plus a generic one
    "concurrent": [[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, 2, 3]],
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_exact_matches_lp_brute_force_on_degenerate_sets(name):
    hp = hyperplanes(_points(DEGENERATE[name]))
    table = exact_chambers(hp.exact)
    cells = [tuple(1 if v else -1 for v in r) for r in table.tolist()]
    assert len(set(cells)) == len(cells)  # each chamber once
    assert set(cells) == _brute(list(hp.exact))
    assert len(cells) <= cover_count(hp.m, len(hp.exact[0]))


def test_lattice_cube_counts():
    # the coordinate hyperplanes of R^3 have the 8 octants as chambers
    hp = hyperplanes(_points([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    assert len(exact_chambers(hp.exact)) == 8
    # the braid arrangement x_i = x_j in R^3 (normals e_i − e_j) has 3! = 6 chambers
    hp = hyperplanes(_points([[1, -1, 0], [0, 1, -1], [1, 0, -1]]))
    assert len(exact_chambers(hp.exact)) == math.factorial(3)
    # braid arrangement in R^4: 4! = 24 chambers (6 hyperplanes, 3 through each 2-flat)
    rows = [
        [1 if t == i else -1 if t == j else 0 for t in range(4)]
        for i, j in itertools.combinations(range(4), 2)
    ]
    hp = hyperplanes(_points(rows))
    assert len(exact_chambers(hp.exact)) == 24


def test_hyperplane_grouping():
    hp = hyperplanes(_points([[2, 4], [1, 2], [-1, -2], [0, 0], [3, 1]]))
    assert hp.exact == ((1, 2), (3, 1))
    assert hp.group.tolist() == [0, 0, 0, -1, 1]
    assert hp.orient.tolist() == [1, 1, -1, 0, 1]
    act = hp.active(np.array([True, False]))
    assert act.tolist() == [True, True, False, False, False]


@pytest.mark.parametrize("name", ["concurrent", "lattice", "coplanar"])
def test_generic_refuses_degenerate_input(name):
    hp = hyperplanes(_points(DEGENERATE[name]))
    with pytest.raises(NotGeneric):
        _generic_cells(hp.normals)


# ---------------------------------------------------------- exact enumerator: fast paths
def _grid_points(n: int, d: int, seed: int, scale: int = 100) -> list[tuple[Fraction, ...]]:
    """Lifted grid points (x, 1), x a multiple of 1/scale: many exactly collinear triples."""
    rng = np.random.default_rng(seed)
    X = np.rint(rng.normal(size=(n, d)) * scale).astype(int)
    return [(*(Fraction(int(v), scale) for v in row), Fraction(1)) for row in X]


def test_plane_base_case_matches_lp_brute_force():
    rows = [[1, 0], [0, 1], [1, 1], [1, -1], [2, 1], [1, 2], [-5, 3], [7, 11]]
    hp = hyperplanes(_points(rows))
    cells = [tuple(1 if v else -1 for v in r) for r in exact_chambers(hp.exact).tolist()]
    assert len(cells) == 2 * hp.m  # m lines through the origin: 2m sectors
    assert set(cells) == _brute(list(hp.exact))


def test_plane_base_case_with_nearly_parallel_lines():
    # Angles 1e-30 apart: the float angular sort cannot order them, the exact comparison sort
    # must take over (and an LP cannot check such thin sectors, so witnesses are checked).
    big = 10**30
    rows = [[big, 1], [big + 1, 1], [big + 2, 1], [1, 0], [0, 1], [-3, 7]]
    normals = np.array(rows, dtype=object)
    signs, wit = arrangement._chambers_plane(normals)
    assert len(signs) == 2 * len(rows)  # all 2m sectors, the most m lines can make
    assert len({tuple(r) for r in signs.tolist()}) == len(signs)
    for s, w in zip(signs.tolist(), wit.tolist(), strict=True):
        for sg, n in zip(s, rows, strict=True):
            assert sg * (int(w[0]) * n[0] + int(w[1]) * n[1]) > 0  # exact interior witness


@pytest.mark.parametrize(("n", "d", "seed"), [(11, 2, 0), (9, 3, 2), (8, 4, 1)])
def test_exact_matches_lp_brute_force_on_grid_data(n, d, seed):
    # coarse grids: collinear and coplanar subsets, large witnesses in dimension ≥ 4
    hp = hyperplanes(_grid_points(n, d, seed, scale=3))
    table = exact_chambers(hp.exact)
    cells = [tuple(1 if v else -1 for v in r) for r in table.tolist()]
    assert len(set(cells)) == len(cells)
    assert set(cells) == _brute(list(hp.exact))


def test_braid_arrangement_in_r5_has_120_chambers():
    rows = [
        [1 if t == i else -1 if t == j else 0 for t in range(5)]
        for i, j in itertools.combinations(range(5), 2)
    ]
    hp = hyperplanes(_points(rows))
    assert len(exact_chambers(hp.exact)) == math.factorial(5)


def test_row_lookup_survives_hash_collisions():
    # all-zero hash weights: every row collides, so the exact fallback must find the rows
    rng = np.random.default_rng(0)
    signs = np.unique(rng.choice([-1, 1], size=(40, 6)).astype(np.int8), axis=0)
    keys = signs[::3]
    R = np.zeros(6, dtype=np.uint64)
    H = np.zeros(len(signs), dtype=np.uint64)
    before = arrangement._FALLBACKS[0]
    rows = arrangement._find_rows(signs, H, keys, R)
    assert np.array_equal(signs[rows], keys)
    assert arrangement._FALLBACKS[0] == before + 1  # the verification caught the collisions


def test_shrunk_witnesses_keep_their_signs():
    normals = np.array([[3, 1, 0], [1, -2, 5], [0, 1, 1]], dtype=np.int64)
    wit = np.array([[2**50 + 3, -(2**49), 7], [5, 1, 2**45]], dtype=np.int64)
    signs = np.sign(wit.astype(object) @ normals.T.astype(object)).astype(np.int8)
    out = arrangement._shrink(wit, normals, signs)
    assert np.abs(out[0]).max() < 2**40  # rescaled and rounded: same signs, so kept
    # rounding the second row to 30 bits zeroes its first entries and puts it on the
    # hyperplane (3, 1, 0)·θ = 0: the check rejects it and the original stays
    assert out[1].tolist() == wit[1].tolist()
    assert np.array_equal(np.sign(out.astype(object) @ normals.T.astype(object)), signs)


def test_check_hook_can_abandon_the_enumeration():
    hp = hyperplanes(_grid_points(60, 2, seed=1))
    calls = []

    class Stop(Exception):
        pass

    def check():
        calls.append(1)
        if len(calls) == 5:
            raise Stop

    with pytest.raises(Stop):
        exact_chambers(hp.exact, check)
    assert len(calls) == 5


@pytest.mark.parametrize(("n", "D", "seed"), [(9, 3, 5), (10, 4, 6), (8, 5, 7)])
def test_exact_multiplier_signs_agree_with_float_on_every_ray(n, D, seed):
    # The exact Cramer-rule decision and the float solve must name the same chamber at every
    # ray of every level (on well-conditioned data the float answer is certain).
    rng = np.random.default_rng(seed)
    hp = hyperplanes(_points(rng.standard_normal((n, D)).tolist()))
    gen = GenericEnumerator(hp.normals, exact=hp.exact)
    checked = 0
    for level, L in enumerate(gen.levels):
        r = L.dim - 1
        if r == 0:
            continue
        T = np.array(list(itertools.combinations(range(gen.m - 1), r)), dtype=np.int64)
        floats = gen._kkt(level, T)
        for row, fl in zip(T, floats, strict=True):
            assert gen._exact_alpha_signs(level, row).tolist() == fl.tolist()
            checked += 1
    assert checked >= math.comb(n - 1, D - 1)


def test_near_parallel_normals_are_decided_exactly_not_refused():
    # Pairs of points 1e-9 apart make the KKT systems of their rays ill-conditioned: without
    # the exact normals the float enumerator must refuse; with them it decides those rays
    # exactly and still finds every chamber (Cover's count, and the exact enumerator's set).
    rng = np.random.default_rng(11)
    X = rng.standard_normal((7, 2))
    X = np.vstack([X, X[:4] + 1e-9 * rng.standard_normal((4, 2))])
    pts = _points([[*x, 1.0] for x in X.tolist()])
    hp = hyperplanes(pts)
    with pytest.raises(NotGeneric):
        _generic_cells(hp.normals)
    gen = GenericEnumerator(hp.normals, exact=hp.exact)
    keys = np.concatenate([gen.sweep(lv, rows, np.eye(hp.m))[0] for lv, rows in gen.work_items()])
    signs = gen.signs(keys)
    assert len(keys) == cover_count(hp.m, 3)
    exact = exact_chambers(hp.exact)
    assert {tuple(r) for r in exact.tolist()} == {tuple(r) for r in signs.tolist()}
