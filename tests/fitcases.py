"""Shared test cases for the fitting solvers: tolerances, factories and hypothesis strategies.

Importable from any test as ``fitcases`` (``pythonpath = ["tests"]`` in pyproject.toml).  Every
factory is deterministic in its arguments, so a failing case can be rebuilt from its repr.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from exactfit import FitProblem, Status, get_solver
from exactfit.result import OPT_ATOL, OPT_RTOL

__all__ = ["close", "planted_decimals", "reference", "small", "tiny_problems"]


def close(a: float, b: float) -> bool:
    """``a`` and ``b`` agree within the tolerance the Result status rules document
    (``OPT_ATOL + OPT_RTOL·max(|a|, |b|)``)."""
    return abs(a - b) <= OPT_ATOL + OPT_RTOL * max(abs(a), abs(b))


def reference(problem: FitProblem):
    """An independent proven optimum: the exact brute force (rational face enumeration; its
    float predecessor needed SCIP as a fallback on rank-deficient data)."""
    rb = get_solver("brute").solve(problem)
    assert rb.status is Status.OPTIMAL
    return rb


def planted_decimals(seed: int, n: int, d: int, k: int = 1, **kw) -> FitProblem:
    """Planted ReLU units (signs alternating +, −, …) plus noise 0.2·N(0, 1), data and labels
    rounded to 3 decimals (short exact decimals); ``kw`` sets the class (bias, signs, ...)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).round(3)
    W = rng.standard_normal((k, d))
    b = rng.standard_normal(k) * 0.5
    a = np.where(np.arange(k) % 2 == 0, 1.0, -1.0)
    y = (np.maximum(X @ W.T + b, 0) @ a + 0.2 * rng.standard_normal(n)).round(3)
    return FitProblem(X.tolist(), y.tolist(), units=k, **kw)


#: Half-integers in [−3/2, 3/2]: lattice data full of ties, duplicates and collinear points.
small = st.integers(-3, 3).map(lambda v: Fraction(v, 2))


@st.composite
def tiny_problems(draw, k: int = 1, max_n: int = 6, max_d: int = 2):
    """Tiny lattice instances (``n ≤ max_n``, ``d ≤ max_d``), with or without bias and sample
    weights, free or nonnegative signs for a single unit."""
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(1, max_d))
    X = draw(st.lists(st.lists(small, min_size=d, max_size=d), min_size=n, max_size=n))
    y = draw(st.lists(small, min_size=n, max_size=n))
    weighted = draw(st.booleans())
    c = (
        draw(st.lists(st.integers(1, 4).map(Fraction), min_size=n, max_size=n))
        if weighted
        else None
    )
    bias = draw(st.booleans())
    signs = draw(st.sampled_from([None, "nonnegative"])) if k == 1 else None
    return FitProblem(X, y, sample_weight=c, units=k, bias=bias, output_signs=signs)
