"""The ReLU caps propagator (:mod:`exactfit.solvers._scip_relu_prop`): its caps bound σ(±t) over
the whole box, checked in rationals at the box's maximising corner on adversarial data (tiny,
huge and mixed-scale features, near-point boxes, infinite bounds), and they are tight up to the
padding; SCIP with the propagator forced on agrees with enumeration.  Those solves are a
smoke test: with a free bias, or unseeded, the propagator rarely tightens anything; where it
does act (a start network's cut-off, the reduction models) the agreement is tested in
test_scip_budget.py.  Shrinking the caps by 30 % fails 44 tests of the two files."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import exactfit
from exactfit import FitProblem
from exactfit.result import OPT_ATOL, OPT_RTOL, Status
from exactfit.solvers._scip_relu_prop import PAD, relu_caps

F = Fraction
SCALES = (1.0, 1e-6, 1e6, "mixed")


def _box(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray]:
    mid = rng.normal(size=d) * 3
    half = np.abs(rng.normal(size=d)) * 10.0 ** rng.integers(-12, 1, d)
    return mid - half, mid + half


def _rows(rng: np.random.Generator, n: int, d: int, scale) -> np.ndarray:
    X = rng.normal(size=(n, d))
    X[rng.random((n, d)) < 0.3] = 0.0  # sparse rows, as in the reduction models
    if scale == "mixed":
        return X * 10.0 ** rng.integers(-7, 7, (n, d))
    return X * scale


def _exact_max(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, b: tuple[float, float]) -> F:
    """max over the box of x·w + b, in rationals (attained at a corner chosen per sign)."""
    corner = [F(h) if v > 0 else F(l) for v, l, h in zip(x, lo, hi, strict=True)]
    return sum((F(v) * c for v, c in zip(x, corner, strict=True)), F(0)) + F(b[1])


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("seed", range(10))
def test_caps_bound_the_relu_over_the_whole_box(scale, seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 8))
    X = _rows(rng, 30, d, scale)
    lo, hi = _box(rng, d)
    b = (0.0, 0.0) if seed % 2 else tuple(sorted(rng.normal(size=2)))
    cap_p, cap_q = relu_caps(X, lo, hi, *b)
    for i, x in enumerate(X):
        up = _exact_max(x, lo, hi, b)
        down = -_exact_max(-x, lo, hi, (-b[1], -b[0]))  # min of x·w + b
        assert F(cap_p[i]) >= max(up, F(0)), (i, cap_p[i], float(up))
        assert F(cap_q[i]) >= max(-down, F(0)), (i, cap_q[i], float(down))
        mag = float(sum(abs(v) * max(abs(l), abs(h)) for v, l, h in zip(x, lo, hi, strict=True)))
        slack = 3 * PAD * (mag + max(map(abs, b)))
        assert float(cap_p[i]) - float(max(up, F(0))) <= slack  # tight up to the padding


def test_a_point_box_at_cancellation_still_covers_the_exact_value():
    """Terms that cancel (1e16 − 1e16 + 1): the float sum loses the 1, the padding covers it."""
    X = np.array([[1e16, -1e16, 1.0]])
    w = np.array([1.0, 1.0, 1.0])
    cap_p, cap_q = relu_caps(X, w, w)
    assert cap_p[0] >= 1.0 and cap_q[0] >= 0.0


def test_infinite_bounds_give_no_cap_and_zero_coefficients_ignore_them():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [-1.0, 0.0]])
    lo = np.array([-1.0, -1e20])
    hi = np.array([2.0, 1e20])
    cap_p, cap_q = relu_caps(X, lo, hi)
    assert cap_p[0] == pytest.approx(2.0) and cap_q[0] == pytest.approx(1.0)
    assert cap_p[1] == np.inf and cap_q[1] == np.inf
    assert cap_p[2] == pytest.approx(1.0) and cap_q[2] == pytest.approx(2.0)


@pytest.mark.parametrize("seed", range(6))
def test_scip_with_the_propagator_agrees_with_enumeration_with_a_bias(seed):
    """The indicator model with the propagator forced on (by default it runs only with a
    cut-off) on data with a bias and one or two units, and on bias-free mirrored data."""
    rng = np.random.default_rng(seed)
    n, d = 9, 2
    X = [tuple(F(int(v), 8) for v in rng.integers(-16, 17, d)) for _ in range(n)]
    y = [F(int(v), 4) for v in rng.integers(-2, 9, n)]
    problem = FitProblem(X=X, y=y, units=1 + seed % 2, bias=True)
    ref = exactfit.solve(problem, "enum")
    got = exactfit.solve(problem, "scip", formulation="indicator", relu_caps=True)
    assert ref.status is Status.OPTIMAL and got.status is Status.OPTIMAL
    assert abs(got.objective - ref.objective) <= OPT_ATOL + OPT_RTOL * abs(ref.objective)


@pytest.mark.parametrize("seed", range(4))
def test_scip_with_the_propagator_agrees_with_enumeration_on_mirrored_data(seed):
    rng = np.random.default_rng(50 + seed)
    base = [tuple(F(int(v), 3) for v in rng.integers(-6, 7, 3)) for _ in range(5)]
    X = base + [tuple(-v for v in r) for r in base[:3]]
    y = [F(int(v), 2) for v in rng.integers(-1, 6, len(X))]
    problem = FitProblem(X=X, y=y, units=1 + seed % 2, bias=False)
    ref = exactfit.solve(problem, "enum")
    got = exactfit.solve(problem, "scip", formulation="indicator", relu_caps=True)
    assert ref.status is Status.OPTIMAL and got.status is Status.OPTIMAL
    assert abs(got.objective - ref.objective) <= OPT_ATOL + OPT_RTOL * abs(ref.objective)
