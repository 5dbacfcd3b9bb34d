"""Cells of random and ill-conditioned fitting data, for tests of per-cell bounds and QPs.

Importable as ``cellcases`` (``pythonpath = ["tests"]``): :data:`PROBLEMS` names instance
factories, :func:`chambers` picks chambers of an instance's whole arrangement.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from adversarial import near_collinear, near_coplanar, near_duplicates, tiny_features

from exactfit import FitProblem
from exactfit.generate import planted_fit
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cells import _cells

__all__ = ["PROBLEMS", "chambers", "noisy"]


def noisy(n: int, d: int, sigma: float, seed: int) -> FitProblem:
    """One planted unit with bias 0.2 plus noise of deviation ``sigma`` (issue 12's data)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.maximum(X @ rng.standard_normal(d) + 0.2, 0.0) + sigma * rng.standard_normal(n)
    return FitProblem(X.tolist(), y.tolist())


#: Random and ill-conditioned data: noisy planted, rounded planted, near-flat point sets
#: rounded to 6 and 9 decimals, near-duplicate points 1e-8 apart, features scaled by 1e-6.
PROBLEMS = {
    "noisy-20x2": lambda: noisy(20, 2, 1.0, 3),
    "noisy-14x3": lambda: noisy(14, 3, 0.4, 4),
    "planted-16x2": lambda: planted_fit(16, 2, noise=0.5, seed=5),
    "near-collinear-6": lambda: near_collinear(1, 6, 12),
    "near-coplanar-9": lambda: near_coplanar(2, 9, 9),
    "near-duplicates": lambda: near_duplicates(0, Fraction(1, 10**8), 10),
    "tiny-features": lambda: tiny_features(4, Fraction(1, 10**6), 10),
}


def chambers(problem: FitProblem, count: int, seed: int) -> tuple[_Setup, np.ndarray]:
    """``count`` chambers of the whole arrangement (exact enumerator), chosen at random."""
    setup = _Setup.build(problem)
    cells = _cells(setup, "exact", None)
    keys = cells.all_keys()
    pick = np.random.default_rng(seed).choice(len(keys), min(count, len(keys)), replace=False)
    return setup, cells.signs(np.sort(keys[pick]))
