"""Adversarial fitting instances: ordinary-looking data on which float decisions go wrong.

Importable from any test or script as ``adversarial`` (``pythonpath = ["tests"]`` in
pyproject.toml; scripts put ``tests/`` on ``sys.path``).  Every generator is a deterministic
function of its arguments and returns a :class:`~exactfit.FitProblem` with exact ``Fraction``
data: coordinates are written as decimals (``Fraction("0.123457")``, as a CSV would carry
them), so "rounded to 9 decimals" means exactly that.  The kinds are those of issue 10:

* ``near-collinear``: 2-D points within ``~10^{1−q}`` of a line, rounded to ``q ∈ {3, 6, 9}``
  decimals; the best fits use the normal direction with weights up to ``10^q``.
* ``near-coplanar``: the same in 3-D around a plane.
* ``near-duplicates``: pairs of points ``10^{−4}..10^{−12}`` apart with different labels.
* ``tiny-features``: planted realizable data (optimum exactly 0) scaled by ``10^{−5}..10^{−7}``.
* ``weight-bound``: ordinary data with ``‖w‖ ≤ B``, ``B ∈ {10^{−12}, …, 10^{−3}}``.
* ``few-points``: 2 to 5 points, some nearly coincident.
* ``two-units``: ``k = 2`` on near-collinear or near-duplicate data (``n ≤ 4``).
* ``extreme-weights``: sample weights ``10^{−6}..10^{6}``.

Sizes stay within the exact brute-force reference's comfort (n ≤ 6 for k = 1, n ≤ 4 for
k = 2, d ≤ 3): each instance is solved exactly in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from exactfit import FitProblem

__all__ = [
    "KINDS",
    "extreme_weights",
    "few_points",
    "near_collinear",
    "near_coplanar",
    "near_duplicates",
    "suite",
    "tiny_features",
    "tiny_weight_bound",
    "two_units",
]


def _dec(v: float, places: int) -> Fraction:
    """``v`` rounded to ``places`` decimals, as the exact decimal a file would hold."""
    return Fraction(f"{v:.{places}f}")


def _rows(A: np.ndarray, places: int) -> list[list[Fraction]]:
    return [[_dec(float(v), places) for v in row] for row in A]


def _labels(rng: np.random.Generator, t: np.ndarray, noise: float) -> list[Fraction]:
    """A kinked target along the coordinate ``t`` plus noise, to 3 decimals."""
    y = np.maximum(t - rng.uniform(-0.5, 0.5), 0.0) * rng.choice([-2.0, 2.0])
    return [_dec(float(v), 3) for v in y + noise * rng.standard_normal(len(t))]


def _class(seed: int) -> dict:
    """Cycle through the classes: bias / no bias, free / nonnegative signs."""
    return {"bias": seed % 4 != 3, "output_signs": "nonnegative" if seed % 5 == 4 else None}


def _near_flat(seed: int, n: int, d: int, decimals: int) -> tuple[list, np.ndarray]:
    """``n`` points within ``10^{1−decimals}`` of a random hyperplane of R^d, and their
    coordinate along its first direction."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    t = rng.uniform(-1.0, 1.0, size=(n, d - 1))
    eps = rng.standard_normal(n) * 10.0 ** (1 - decimals)
    X = t @ Q[:, : d - 1].T + np.outer(eps, Q[:, d - 1]) + rng.uniform(-0.5, 0.5, d)
    return _rows(X, decimals), t[:, 0]


def near_collinear(seed: int, decimals: int = 6, n: int = 5) -> FitProblem:
    """2-D points near a line, rounded to ``decimals``; kinked noisy labels along the line."""
    X, t = _near_flat(seed, n, 2, decimals)
    y = _labels(np.random.default_rng(seed + 1), t, 0.3)
    return FitProblem(X, y, **_class(seed))


def near_coplanar(seed: int, decimals: int = 6, n: int = 5) -> FitProblem:
    """3-D points near a plane, rounded to ``decimals``; kinked noisy labels in the plane."""
    X, t = _near_flat(seed, n, 3, decimals)
    y = _labels(np.random.default_rng(seed + 1), t, 0.3)
    return FitProblem(X, y, **_class(seed))


def near_duplicates(seed: int, gap: Fraction = Fraction(1, 10**8), n: int = 5) -> FitProblem:
    """``n`` points (d = 1 or 2, 3 decimals), two of them moved to within ``gap`` (exactly) of
    another point and given a label differing by about 1."""
    rng = np.random.default_rng(seed)
    d = 1 + seed % 2
    X = _rows(rng.uniform(-1.0, 1.0, size=(n - 2, d)), 3)
    y = [_dec(float(v), 3) for v in rng.standard_normal(n - 2)]
    for _ in range(2):
        j = int(rng.integers(len(X)))
        step = [gap * int(s) for s in rng.choice([-1, 1], size=d)]
        X.append([a + b for a, b in zip(X[j], step, strict=True)])
        y.append(y[j] + _dec(float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5)), 3))
    return FitProblem(X, y, **_class(seed))


def tiny_features(seed: int, scale: Fraction = Fraction(1, 10**6), n: int = 5) -> FitProblem:
    """Planted realizable data (optimum exactly 0) whose features are multiplied by ``scale``:
    a unit with 2-decimal weights on 3-decimal points, labels its exact outputs."""
    rng = np.random.default_rng(seed)
    d = 1 + seed % 3
    X0 = _rows(rng.uniform(-1.0, 1.0, size=(n, d)), 3)
    w = [_dec(float(v), 2) for v in rng.standard_normal(d)]
    b = _dec(float(rng.uniform(-0.5, 0.5)), 2)
    a = 1 if seed % 2 == 0 else -1
    y = [a * max(sum((wi * xi for wi, xi in zip(w, x, strict=True)), b), Fraction(0)) for x in X0]
    X = [[v * scale for v in x] for x in X0]
    return FitProblem(X, y, meta={"planted": "realizable"})


def tiny_weight_bound(seed: int, bound: Fraction = Fraction(1, 10**12), n: int = 4) -> FitProblem:
    """Ordinary 3-decimal data (d = 1 or 2) under the weight bound ``‖w_j‖₂ ≤ bound``."""
    rng = np.random.default_rng(seed)
    d = 1 + seed % 2
    X = _rows(rng.uniform(-1.0, 1.0, size=(n, d)), 3)
    y = [_dec(float(v), 3) for v in rng.uniform(0.0, 3.0, n)]
    return FitProblem(X, y, weight_bound=bound, **_class(seed))


def few_points(seed: int, n: int = 3) -> FitProblem:
    """``n ∈ 2..5`` points in d = 1..3, 6 decimals, one point within ``10^{−6}`` of another."""
    rng = np.random.default_rng(seed)
    d = 1 + seed % 3
    A = rng.uniform(-1.0, 1.0, size=(n, d))
    A[-1] = A[0] + 1e-6 * rng.choice([-1.0, 1.0], size=d)
    y = [_dec(float(v), 3) for v in rng.standard_normal(n)]
    return FitProblem(_rows(A, 6), y, **_class(seed))


def two_units(seed: int) -> FitProblem:
    """k = 2 on 3 or 4 near-collinear (9 decimals) or near-duplicate (gap 10^{−8}) points."""
    n = 3 + seed % 2
    base = near_collinear(seed, 9, n) if seed % 3 else near_duplicates(seed, Fraction(1, 10**8), n)
    return base.with_changes(units=2)


def extreme_weights(seed: int, n: int = 5) -> FitProblem:
    """Near-collinear 6-decimal data with sample weights ``10^e``, ``e`` uniform in −6..6."""
    base = near_collinear(seed, 6, n)
    rng = np.random.default_rng(seed + 2)
    c = [Fraction(10) ** int(e) for e in rng.integers(-6, 7, size=n)]
    return base.with_changes(sample_weight=c)


def _cycle(seed: int, values: tuple) -> object:
    return values[seed % len(values)]


#: Each kind as a function of the seed only; parameters cycle with the seed.
KINDS: dict[str, Callable[[int], FitProblem]] = {
    "near-collinear": lambda s: near_collinear(s, _cycle(s, (3, 6, 9)), 4 + s % 3),
    "near-coplanar": lambda s: near_coplanar(s, _cycle(s, (3, 6, 9)), 4 + s % 2),
    "near-duplicates": lambda s: near_duplicates(
        s, Fraction(1, 10 ** _cycle(s, (4, 6, 8, 10, 12))), 4 + s % 3
    ),
    "tiny-features": lambda s: tiny_features(s, Fraction(1, 10 ** _cycle(s, (5, 6, 7)))),
    "weight-bound": lambda s: tiny_weight_bound(s, Fraction(1, 10 ** _cycle(s, (12, 9, 6, 3)))),
    "few-points": lambda s: few_points(s, 2 + s % 4),
    "two-units": two_units,
    "extreme-weights": extreme_weights,
}


def suite(per_kind: int, kinds: tuple[str, ...] | None = None) -> list[tuple[str, int, FitProblem]]:
    """``(kind, seed, problem)`` for seeds ``0..per_kind−1`` of every kind (or of ``kinds``)."""
    names = kinds if kinds is not None else tuple(KINDS)
    return [(name, seed, KINDS[name](seed)) for name in names for seed in range(per_kind)]
