"""The compiled kernels against the numpy reference routines and exact rational answers."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from cellcases import PROBLEMS, chambers, noisy

from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers import get_solver
from exactfit.solvers.enumeration import kernels
from exactfit.solvers.enumeration.arrangement import (
    GenericEnumerator,
    cover_count,
    exact_chambers,
    hyperplanes,
)
from exactfit.solvers.enumeration.cellqp import _ldl_values
from exactfit.solvers.enumeration.halfspace import halfspace_allowance, halfspace_bounds
from exactfit.solvers.enumeration.optima import _cell_system

JIT = kernels.get(10**12)
pytestmark = pytest.mark.skipif(JIT is None, reason="numba not installed")


def _points(rows) -> list[tuple[Fraction, ...]]:
    return [tuple(Fraction(v) for v in r) for r in rows]


def _sweep(gen: GenericEnumerator, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    parts = [gen.sweep(level, rows, delta) for level, rows in gen.work_items(batch=7)]
    return np.concatenate([k for k, _ in parts]), np.concatenate([s for _, s in parts])


@pytest.mark.parametrize(("n", "D", "seed"), [(9, 3, 1), (12, 3, 2), (11, 4, 3), (9, 5, 4)])
def test_compiled_sweep_gives_the_exact_chambers_and_the_numpy_sums(n, D, seed):
    rng = np.random.default_rng(seed)
    hp = hyperplanes(_points(rng.standard_normal((n, D)).tolist()))
    delta = rng.standard_normal((hp.m, 5))
    ref = GenericEnumerator(hp.normals, exact=hp.exact)
    gen = GenericEnumerator(hp.normals, exact=hp.exact)
    gen.jit = JIT
    keys_ref, sums_ref = _sweep(ref, delta)
    keys, sums = _sweep(gen, delta)
    assert keys.tolist() == keys_ref.tolist()
    np.testing.assert_allclose(sums, sums_ref, rtol=0, atol=1e-12)
    signs = gen.signs(keys)
    assert len(keys) == cover_count(n, D)
    assert {tuple(r) for r in signs.tolist()} == {
        tuple(r) for r in exact_chambers(hp.exact).tolist()
    }
    # the sums are Σ_{s_g=+} delta_g of the chamber each key names
    np.testing.assert_allclose(sums, signs.astype(float) @ delta, atol=1e-12)


@pytest.mark.parametrize(("n", "D", "seed"), [(9, 3, 5), (10, 4, 6), (8, 5, 7)])
def test_compiled_multiplier_signs_agree_with_the_exact_ones_on_every_ray(n, D, seed):
    rng = np.random.default_rng(seed)
    hp = hyperplanes(_points(rng.standard_normal((n, D)).tolist()))
    gen = GenericEnumerator(hp.normals, exact=hp.exact)
    gen.jit = JIT
    for level, L in enumerate(gen.levels):
        if L.dim - 1 == 0:
            continue
        T = np.array(list(itertools.combinations(range(gen.m - 1), L.dim - 1)), dtype=np.int64)
        for row, fl in zip(T, gen._kkt(level, T), strict=True):
            assert gen._exact_alpha_signs(level, row).tolist() == fl.tolist()


def test_compiled_sweep_decides_near_parallel_normals_exactly():
    # pairs of points 1e-9 apart: ill-conditioned ray systems, decided by Cramer's rule
    rng = np.random.default_rng(11)
    X = rng.standard_normal((7, 2))
    X = np.vstack([X, X[:4] + 1e-9 * rng.standard_normal((4, 2))])
    hp = hyperplanes(_points([[*x, 1.0] for x in X.tolist()]))
    gen = GenericEnumerator(hp.normals, exact=hp.exact)
    gen.jit = JIT
    keys, _ = _sweep(gen, np.eye(hp.m))
    assert {tuple(r) for r in gen.signs(keys).tolist()} == {
        tuple(r) for r in exact_chambers(hp.exact).tolist()
    }


def test_compiled_ldl_matches_the_vectorised_one_on_singular_and_regular_stacks():
    rng = np.random.default_rng(3)
    D = 4
    A = rng.standard_normal((200, 6, D))
    A[:50, :, -1] = A[:50, :, 0]  # singular members
    A[50:80] *= np.array([1.0, 1.0, 1.0, 1e-6])  # ill-conditioned ones
    G = np.einsum("bki,bkj->bij", A, A)
    H = rng.standard_normal((200, 3, D))
    iu = np.triu_indices(D)
    sums = np.hstack([G[:, iu[0], iu[1]], H[:, 0], H[:, 1], np.zeros((200, 1))])
    H[:, 2] = H[:, 1] - H[:, 0]
    scale = np.einsum("bii->bi", G).max(axis=1)
    ref, good_ref, tr_ref = _ldl_values(G / scale[:, None, None], H)
    vals, good, tinv = JIT.ldl_values(sums, *iu, D)
    assert good.tolist() == good_ref.tolist()
    assert not good[:50].any() and good[80:].all()
    np.testing.assert_allclose(vals[good], (ref / scale[:, None])[good], rtol=1e-12)
    np.testing.assert_allclose(tinv[good], (tr_ref / scale)[good], rtol=1e-12)
    assert np.all(np.isinf(tinv[~good]))


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_compiled_bounds_stay_below_the_exact_cell_optima(name):
    # The compiled least-squares and halfspace bounds agree with the numpy ones and, like
    # them, never exceed the exact rational cell optimum (adversarial data included).
    setup, signs = chambers(PROBLEMS[name](), 10, 5)
    sums = setup.hp.active(signs).astype(float) @ setup.F
    ref, tinv_ref = setup.sign_bounds(sums, trace_inv=True)
    got, tinv = setup.sign_bounds(sums, trace_inv=True, jit=JIT)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * setup.Y)
    np.testing.assert_allclose(tinv, tinv_ref, rtol=1e-12)
    Y = setup.problem.null_loss()
    G_all = setup.unpack(setup.F.sum(axis=0))[0]
    with np.errstate(invalid="ignore"):
        kappa = np.where(np.isfinite(tinv), float(np.trace(G_all)) * tinv, np.inf)
        allowance = halfspace_allowance(kappa, len(setup.F), setup.D)
    allowance = np.where(np.isfinite(allowance), allowance, np.nan)  # none: never dropped
    for col, a in enumerate((1, -1)):
        out = np.full(len(signs), a)
        half = halfspace_bounds(setup, signs, out, JIT)
        half_ref = halfspace_bounds(setup, signs, out)
        assert np.array_equal(np.isinf(half), np.isinf(half_ref))
        fin = np.isfinite(half)
        np.testing.assert_allclose(half[fin], half_ref[fin], rtol=1e-12, atol=1e-12 * setup.Y)
        # the least-squares bound is rigorous less its allowance (as the drop uses it)
        lsq = got[:, col] - allowance * setup.Y
        for s, low, hs in zip(signs, lsq, half, strict=True):
            G, h, A = _cell_system(setup, [s], (a,))
            cell = Y + exact_cone_qp(G, h, A).value
            assert np.isnan(low) or Fraction(float(low)) <= cell
            assert hs == -np.inf or Fraction(float(hs)) <= cell


@pytest.mark.parametrize(("n", "d", "sigma", "seed"), [(40, 2, 1.0, 1), (24, 3, 1.0, 2)])
def test_solve_with_the_compiled_kernels_gives_the_same_certified_optimum(
    monkeypatch, n, d, sigma, seed
):
    problem = noisy(n, d, sigma, seed)
    enum = get_solver("enum")
    ref = enum.solve(problem)
    monkeypatch.setattr(kernels, "MIN_CELLS", 0)
    got = enum.solve(problem)
    assert got.stats["enumerator"] == "generic"
    assert got.objective == ref.objective  # exact rationals
    assert got.network == ref.network
    assert got.status is ref.status


@pytest.mark.parametrize("name", ["noisy-20x2", "noisy-14x3", "planted-16x2"])
def test_an_early_stopped_halfspace_scan_prunes_exactly_the_same_cells(name):
    # Stopping a cell's row scan once its bound reaches ``enough`` gives a bound over fewer
    # rows: never above the full one, and at least ``enough`` exactly when the full one is.
    setup, signs = chambers(PROBLEMS[name](), 40, 9)
    out = np.ones(len(signs), dtype=int)
    full = halfspace_bounds(setup, signs, out, JIT)
    fin = full[np.isfinite(full)]
    assert len(fin) > 4
    for enough in np.quantile(fin, [0.1, 0.5, 0.9]):
        part = halfspace_bounds(setup, signs, out, JIT, enough=float(enough))
        assert np.all((part <= full) | (np.isinf(part) & np.isinf(full)))
        away = np.abs(full - enough) > 1e-9 * setup.Y
        assert np.array_equal((part >= enough)[away], (full >= enough)[away])
