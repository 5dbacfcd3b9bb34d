"""The fused compiled sweep (circles to kept pairs) against the numpy route and exact optima."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from cellcases import PROBLEMS, noisy

from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers import get_solver
from exactfit.solvers.enumeration import kernels
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.arrangement import NotGeneric, cover_count
from exactfit.solvers.enumeration.cells import _GenericCells
from exactfit.solvers.enumeration.fused import PairSpec
from exactfit.solvers.enumeration.halfspace import halfspace_allowance
from exactfit.solvers.enumeration.optima import _cell_system
from exactfit.solvers.enumeration.single import _keep_pairs

JIT = kernels.get(10**12)
pytestmark = pytest.mark.skipif(JIT is None, reason="numba not installed")


class _Run:  # the two fields of a shard run the reference route reads
    shard, num_shards = 0, 1


def _spec(setup: _Setup) -> PairSpec:
    G_all = setup.unpack(setup.F.sum(axis=0))[0]
    return PairSpec(
        setup.iu, setup.D, setup.Y, float(np.trace(G_all)), len(setup.F), np.array([0, 1])
    )


def _reference(setup: _Setup, cap: float, allow: dict | None = None) -> dict:
    """Kept (key, column) pairs of the whole arrangement by the numpy route, their bounds;
    ``allow`` receives each chamber's error allowance (× Y; ``inf`` where there is none)."""
    cells = _GenericCells(setup.hp)
    delta, base = setup.deltas()
    spec = _spec(setup)
    out = {}
    for keys, sums in cells.blocks(0, 1, delta, base):
        few = sums[:, -1] < 2 * setup.D - 0.5
        if np.any(few):
            sums[few] = setup.hp.active(cells.signs(keys[few])).astype(float) @ setup.F
        k, v, b = _keep_pairs(setup, keys, sums, spec, cap, None)
        out.update({(int(x), int(y)): float(z) for x, y, z in zip(k, v, b, strict=True)})
        if allow is not None:
            tinv = setup.sign_bounds(sums, trace_inv=True)[1]
            with np.errstate(invalid="ignore"):
                kappa = np.where(np.isfinite(tinv), spec.trace_all * tinv, np.inf)
            a = halfspace_allowance(kappa, spec.n_all, setup.D) * setup.Y
            allow.update(zip(keys.tolist(), a.tolist(), strict=True))
    return out


def _fused(setup: _Setup, cap: float) -> tuple[dict[tuple[int, int], float], int]:
    """The same by the fused kernel (flagged chambers by the reference code, as the search
    does), and the number of chambers swept."""
    cells = _GenericCells(setup.hp)
    cells.jit = cells.gen.jit = JIT
    delta, base = setup.deltas()
    out, swept = {}, 0
    for k, v, b, flagged, n in cells.fused(0, 1, delta, base, _spec(setup), lambda: cap):
        swept += n
        if len(flagged):
            sums = setup.hp.active(cells.signs(flagged)).astype(float) @ setup.F
            fk, fv, fb = _keep_pairs(setup, flagged, sums, _spec(setup), cap, None)
            k, v, b = np.concatenate([k, fk]), np.concatenate([v, fv]), np.concatenate([b, fb])
        out.update({(int(x), int(y)): float(z) for x, y, z in zip(k, v, b, strict=True)})
    return out, swept


def _generic(name: str) -> _Setup:
    setup = _Setup.build(PROBLEMS[name]())
    try:
        _GenericCells(setup.hp)
    except NotGeneric:
        pytest.skip("not in general position: the exact enumerator's case")
    return setup


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_fused_sweep_keeps_the_pairs_of_the_numpy_route(name):
    setup = _generic(name)
    allow: dict[int, float] = {}
    try:
        ref_all = _reference(setup, np.inf, allow)
    except NotGeneric:
        with pytest.raises(NotGeneric):
            _fused(setup, np.inf)
        return
    got_all, swept = _fused(setup, np.inf)
    assert swept == len({k for k, _ in ref_all}) == cover_count(setup.hp.m, setup.D)
    assert got_all.keys() == ref_all.keys()  # every pair (nothing dropped at cap = ∞)
    # the same bounds, up to the rounding of the prefix sums (summed in another order), which
    # the allowance covers (on ill-conditioned cells it is far above 1e-12)
    keys = sorted(ref_all)
    gap = np.array([abs(got_all[k] - ref_all[k]) for k in keys])
    tol = np.array([1e-12 * (abs(ref_all[k]) + setup.Y) + 2 * allow[k[0]] for k in keys])
    assert np.all(gap <= tol)
    assert np.mean(gap <= 1e-12 * setup.Y) > 0.4  # most cells are well conditioned
    gen = _GenericCells(setup.hp).gen
    Y = setup.problem.null_loss()
    for q in (0.2, 0.6):  # a finite cap drops what the numpy route drops, away from the cap
        cap = float(np.quantile(list(ref_all.values()), q))
        ref, got = _reference(setup, cap), _fused(setup, cap)[0]
        near = {k for k, b in ref_all.items() if abs(b - cap) <= 1e-9 * setup.Y + 3 * allow[k[0]]}
        assert set(got) - near <= set(ref) - near
        # and more: Lemma H on the rays' own rows; each extra drop's exact optimum is above
        extra = sorted(set(ref) - set(got) - near)
        for key, col in extra[:: max(1, len(extra) // 25)]:
            signs = gen.signs(np.array([key]))[0]
            G, h, A = _cell_system(setup, [signs], (1 if col == 0 else -1,))
            assert Y + exact_cone_qp(G, h, A).value > Fraction(cap)


@pytest.mark.parametrize("name", ["noisy-20x2", "noisy-14x3", "planted-16x2", "near-duplicates"])
def test_pairs_the_fused_sweep_drops_have_exact_optima_above_the_cap(name):
    setup = _generic(name)
    everything, _ = _fused(setup, np.inf)
    cap = float(np.quantile(list(everything.values()), 0.3))
    kept, _ = _fused(setup, cap)
    dropped = sorted(set(everything) - set(kept))
    assert dropped
    gen = _GenericCells(setup.hp).gen
    pick = np.random.default_rng(1).choice(len(dropped), min(12, len(dropped)), replace=False)
    Y = setup.problem.null_loss()
    for i in pick:
        key, col = dropped[i]
        signs = gen.signs(np.array([key]))[0]
        G, h, A = _cell_system(setup, [signs], (1 if col == 0 else -1,))
        assert Y + exact_cone_qp(G, h, A).value > Fraction(cap)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_compiled_sign_vectors_and_active_sums_match_numpy(name):
    setup = _generic(name)
    ref = _GenericCells(setup.hp)
    got = _GenericCells(setup.hp)
    got.jit = got.gen.jit = JIT
    keys = ref.all_keys()
    signs = got.signs(keys)
    assert np.array_equal(signs, ref.signs(keys))
    hp = setup.hp
    sums = JIT.active_sums(np.ascontiguousarray(signs), hp.group, hp.orient, setup.F)
    want = hp.active(signs).astype(float) @ setup.F
    assert np.all(np.abs(sums - want) <= 1e-13 * np.abs(setup.F).sum(axis=0))


@pytest.mark.parametrize(("n", "d", "seed"), [(40, 2, 1), (24, 3, 2)])
def test_whole_arrangement_solve_is_the_same_with_the_fused_sweep(monkeypatch, n, d, seed):
    # regions off: no heuristic cap, the drop runs on the incumbents the search solves
    problem = noisy(n, d, 1.0, seed)
    enum = get_solver("enum")
    ref = enum.solve(problem, regions=False)
    monkeypatch.setattr(kernels, "MIN_CELLS", 0)
    got = enum.solve(problem, regions=False)
    assert got.stats["enumerator"] == "generic"
    assert got.objective == ref.objective  # exact rationals
    assert got.network == ref.network
    assert got.stats["cells"] == ref.stats["cells"]
