"""The trivial bound ``Y − Σ_S c (y^±)²`` and its allowance, against exact rationals."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from cellcases import PROBLEMS

from exactfit import FitProblem
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.solvers.enumeration import kernels
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.arrangement import NotGeneric
from exactfit.solvers.enumeration.cells import _cells, _GenericCells
from exactfit.solvers.enumeration.fused import PairSpec
from exactfit.solvers.enumeration.halfspace import trivial_allowance
from exactfit.solvers.enumeration.optima import _cell_system
from exactfit.solvers.enumeration.single import _keep_pairs

JIT = kernels.get(10**12)


def _weighted() -> FitProblem:
    """Sample weights 1e-6..1e6, labels of both signs, features rounded to 6 decimals."""
    rng = np.random.default_rng(11)
    X = rng.standard_normal((14, 2)).round(6)
    y = (3 * rng.standard_normal(14)).round(6)
    c = 10.0 ** rng.integers(-6, 7, 14).astype(float)
    return FitProblem(X.tolist(), y.tolist(), sample_weight=c.tolist())


CASES = {**PROBLEMS, "weighted": _weighted}


def _exact_trivial(problem: FitProblem, active: np.ndarray) -> list[tuple[Fraction, Fraction]]:
    """``(T_+, T_−)`` of each row of ``active`` (n,) in rationals."""
    c = problem.sample_weight or (Fraction(1),) * problem.n
    Y = problem.null_loss()
    plus = [ci * max(y, 0) ** 2 for ci, y in zip(c, problem.y, strict=True)]
    minus = [ci * max(-y, 0) ** 2 for ci, y in zip(c, problem.y, strict=True)]
    out = []
    for row in active:
        idx = np.flatnonzero(row)
        out.append(
            (
                Y - sum((plus[i] for i in idx), Fraction(0)),
                Y - sum((minus[i] for i in idx), Fraction(0)),
            )
        )
    return out


def _spec(setup: _Setup) -> PairSpec:
    G_all = setup.unpack(setup.F.sum(axis=0))[0]
    return PairSpec(
        setup.iu, setup.D, setup.Y, float(np.trace(G_all)), len(setup.F), np.array([0, 1])
    )


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("mode", ["exact", "generic"])
def test_computed_trivial_bounds_are_within_the_allowance_of_the_exact_ones(name, mode):
    # every chamber, its active sums by the enumerator's own prefix-sum route
    problem = CASES[name]()
    setup = _Setup.build(problem)
    try:
        cells = _cells(setup, mode)
        blocks = list(cells.blocks(0, 1, *setup.deltas()))
    except NotGeneric:
        pytest.skip("not in general position")
    alpha = trivial_allowance(problem.n, setup.D) * setup.Y
    worst = 0.0
    for keys, sums in blocks:
        act = setup.hp.active(cells.signs(keys))
        got = setup.trivial_bounds(sums)
        for (tp, tm), (gp, gm) in zip(_exact_trivial(problem, act), got, strict=True):
            worst = max(worst, abs(Fraction(float(gp)) - tp), abs(Fraction(float(gm)) - tm))
    assert worst <= alpha
    assert alpha <= 1e-12 * setup.Y  # the allowance costs nothing at these sizes


@pytest.mark.skipif(JIT is None, reason="numba not installed")
@pytest.mark.parametrize("name", ["noisy-20x2", "noisy-14x3", "near-duplicates", "weighted"])
def test_the_fused_sweep_drops_by_the_trivial_bound_only_what_is_above_the_cap(name):
    problem = CASES[name]()
    setup = _Setup.build(problem)
    try:
        cells = _GenericCells(setup.hp)
    except NotGeneric:
        pytest.skip("not in general position")
    cells.jit = cells.gen.jit = JIT
    delta, base = setup.deltas()
    keys = cells.all_keys()
    act = setup.hp.active(cells.signs(keys))
    exact = dict(zip(keys.tolist(), _exact_trivial(problem, act), strict=True))
    values = sorted(float(v) for pair in exact.values() for v in pair)
    alpha = trivial_allowance(problem.n, setup.D) * setup.Y
    for q in (0.3, 0.7):
        cap = values[int(q * len(values))]
        kept = set()
        for k, v, _, flagged, _ in cells.fused(0, 1, delta, base, _spec(setup), lambda c=cap: c):
            kept |= {(int(x), int(y)) for x, y in zip(k, v, strict=True)}
            if len(flagged):  # left to the caller, which bounds them from direct sums
                sums = setup.hp.active(cells.signs(flagged)).astype(float) @ setup.F
                fk, fv, _ = _keep_pairs(setup, flagged, sums, _spec(setup), cap, None)
                kept |= {(int(x), int(y)) for x, y in zip(fk, fv, strict=True)}
        for key, pair in exact.items():
            for col in (0, 1):
                if pair[col] <= Fraction(cap) - 2 * Fraction(alpha):
                    continue
                if pair[col] > Fraction(cap) + 2 * Fraction(alpha):
                    assert (key, col) not in kept  # the trivial bound alone drops it
        # what it drops is above the cap: the exact optimum of a sample of dropped pairs
        dropped = sorted({(k, c) for k in exact for c in (0, 1)} - kept)
        rng = np.random.default_rng(3)
        for i in rng.choice(len(dropped), min(8, len(dropped)), replace=False):
            key, col = dropped[i]
            signs = cells.signs(np.array([key]))[0]
            G, h, A = _cell_system(setup, [signs], (1 if col == 0 else -1,))
            assert problem.null_loss() + exact_cone_qp(G, h, A).value > Fraction(cap)
