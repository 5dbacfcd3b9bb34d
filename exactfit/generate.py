"""Random fitting instances with exact rational data.

``planted_fit`` draws points on a grid of step ``1/scale`` (so every coordinate is an exact
rational), plants a k-unit network with small rational weights, and adds rounded Gaussian
noise to the labels.  With ``noise = 0`` the instance is realizable: its optimum is exactly 0.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from exactfit.errors import InputError
from exactfit.limits import MAX_ENTRIES, MAX_UNITS, check_cap
from exactfit.problem import FitProblem, ReluNetwork, Unit, exact_predictions

__all__ = ["planted_fit"]


def _check_arguments(n: int, d: int, units: int, noise: float, scale: int) -> None:
    """Refuse arguments that are invalid or exceed the caps, before drawing anything."""
    if n < 1 or d < 1 or units < 1:
        raise InputError(f"planted fit: expected n, d, units ≥ 1, found n={n}, d={d}, k={units}")
    check_cap(units, MAX_UNITS, "planted fit: units", "use fewer units")
    check_cap(n * (d + 2), MAX_ENTRIES, "planted fit: numbers n·(d + 2)", "use smaller n or d")
    if noise < 0:
        raise InputError(f"planted fit: noise must be ≥ 0, found {noise}")
    # grid values are drawn as int64 (np.rint(...).astype(int)): keep them far from 2⁶³
    if not 1 <= scale <= 10**15 or noise * scale > 10**15:
        raise InputError(
            f"planted fit: expected scale ≤ 1e15 and noise·scale ≤ 1e15, found scale {scale:.3g} "
            f"and noise {noise:.3g}; use fewer digits or less noise"
        )


def planted_fit(
    n: int,
    d: int,
    *,
    units: int = 1,
    bias: bool = True,
    noise: float = 0.1,
    seed: int = 0,
    weighted: bool = False,
    weight_bound: float | None = None,
    output_signs: str | tuple[int, ...] | None = None,
    scale: int = 100,
) -> FitProblem:
    """A planted ReLU network plus rounded Gaussian noise.

    Parameters
    ----------
    n, d : int
        Number of samples and input dimension.
    units : int
        ``k``, the planted network's width and the instance's class width.
    noise : float
        Standard deviation of the label noise (rounded to the grid); 0 gives a realizable
        instance with optimum exactly 0.
    weighted : bool
        Draw sample weights from {1, 2, 3} instead of all ones.
    scale : int
        Data are multiples of ``1/scale``.

    Returns
    -------
    FitProblem
        With ``meta["generator"]`` recording every parameter and the planted network.
    """
    _check_arguments(n, d, units, noise, scale)
    rng = np.random.default_rng(seed)
    X = [
        [Fraction(int(v), scale) for v in row]
        for row in np.rint(rng.normal(size=(n, d)) * scale).astype(int)
    ]
    signs = list(output_signs) if isinstance(output_signs, tuple) else None
    planted_units = []
    for j in range(units):
        w = np.rint(rng.normal(size=d) * 10).astype(int)
        if weight_bound is not None:
            norm = float(np.linalg.norm(w)) / 10 or 1.0
            w = np.floor(w * min(1.0, 0.9 * weight_bound / norm)).astype(int)
        b = int(np.rint(rng.normal() * 3)) if bias else 0
        a = signs[j] if signs else (1 if output_signs == "nonnegative" or j % 2 == 0 else -1)
        planted_units.append(Unit(a, tuple(Fraction(int(v), 10) for v in w), Fraction(b, 10)))
    planted = ReluNetwork(tuple(planted_units))
    clean = FitProblem(X, [0] * n, units=units, bias=bias)
    f = exact_predictions(clean, planted)
    eps = np.rint(rng.normal(size=n) * noise * scale).astype(int)
    y = [fi + Fraction(int(e), scale) for fi, e in zip(f, eps, strict=True)]
    c = [int(v) for v in rng.integers(1, 4, size=n)] if weighted else None
    meta = {
        "generator": {
            "name": "planted_fit",
            "n": n,
            "d": d,
            "units": units,
            "bias": bias,
            "noise": noise,
            "seed": seed,
            "weighted": weighted,
            "weight_bound": weight_bound,
            "scale": scale,
            "output_signs": list(output_signs) if isinstance(output_signs, tuple) else output_signs,
        },
        "planted": [{"a": u.a, "w": [str(v) for v in u.w], "b": str(u.b)} for u in planted.units],
    }
    return FitProblem(X, y, c, units, bias, output_signs, weight_bound, meta)
