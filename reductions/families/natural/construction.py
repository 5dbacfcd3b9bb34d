"""Random depth-2 networks with natural weights, rationalised, and realizable data.

A network ``g(x) = Σ_j v_j σ(w_j·x + b_j)`` has every weight drawn independently from
``N(0, 1)`` (``normal``) or ``U[−1, 1]`` (``uniform``) and rounded to a multiple of
``10^−digits``.  Positive homogeneity, ``v σ(t) = sign(v) σ(|v| t)``, turns it into exactfit's
form ``Σ_j a_j σ(w'_j·x + b'_j)`` with ``a_j = sign v_j``, ``w'_j = |v_j| w_j``,
``b'_j = |v_j| b_j`` — the same function, in exact rationals.  The labels are its exact values,
so the planted network has loss 0 and ``opt = 0`` by construction.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from exactfit.errors import InputError
from exactfit.limits import MAX_ENTRIES, MAX_UNITS, check_cap
from exactfit.network import ReluNetwork, Unit, exact_predictions
from exactfit.problem import FitProblem

__all__ = ["WEIGHTS", "generate", "natural_value", "planted", "random_network", "raw_weights"]

#: The weight laws: name → a sampler of ``size`` draws.
WEIGHTS = {
    "normal": lambda rng, size: rng.normal(size=size),
    "uniform": lambda rng, size: rng.uniform(-1.0, 1.0, size=size),
}

PAPER = "Daniely, Vardi, NeurIPS 2020 (arXiv 2006.03177)"


def _rational(values: np.ndarray, scale: int) -> list[Fraction]:
    return [Fraction(int(v), scale) for v in np.rint(values * scale).astype(np.int64)]


def random_network(
    d: int, k: int, weights: str, rng: np.random.Generator, *, digits: int = 1, bias: bool = False
) -> ReluNetwork:
    """``k`` units with weights from the law ``weights``, rounded, signs absorbed (module doc).

    A unit whose output weight rounds to 0 contributes nothing and is stored as
    ``σ(0·x + 0)`` with sign +1.
    """
    units = []
    for w, b, v in raw_weights(d, k, weights, rng, digits=digits, bias=bias):
        if v == 0:
            units.append(Unit(1, (Fraction(0),) * d, Fraction(0)))
        else:
            units.append(Unit(1 if v > 0 else -1, tuple(abs(v) * wi for wi in w), abs(v) * b))
    return ReluNetwork(tuple(units))


def raw_weights(
    d: int, k: int, weights: str, rng: np.random.Generator, *, digits: int = 1, bias: bool = False
) -> list[tuple[tuple[Fraction, ...], Fraction, Fraction]]:
    """The rounded draws ``(w_j, b_j, v_j)`` of ``g`` before the signs are absorbed, in the
    order of the module docstring (``b_j = 0`` without ``bias``)."""
    if weights not in WEIGHTS:
        raise InputError(f"natural: expected --weights normal or uniform, found {weights!r}")
    check_cap(k, MAX_UNITS, "natural: units", "use fewer units")
    scale = 10**digits
    draw = WEIGHTS[weights]
    out = []
    for _ in range(k):
        w = tuple(_rational(draw(rng, d), scale))
        b = _rational(draw(rng, 1), scale)[0] if bias else Fraction(0)
        v = _rational(draw(rng, 1), scale)[0]
        out.append((w, b, v))
    return out


def natural_value(
    raw: list[tuple[tuple[Fraction, ...], Fraction, Fraction]], x: tuple[Fraction, ...]
) -> Fraction:
    """``g(x) = Σ_j v_j σ(w_j·x + b_j)`` from the raw draws, exactly (no sign absorption)."""
    total = Fraction(0)
    for w, b, v in raw:
        t = sum((wi * xi for wi, xi in zip(w, x, strict=True)), b)
        total += v * max(t, Fraction(0))
    return total


def generate(
    d: int,
    k: int,
    n: int,
    seed: int,
    *,
    weights: str = "normal",
    digits: int = 1,
    bias: bool = False,
) -> FitProblem:
    """``n`` standard normal points (rounded to 1/100) labelled exactly by a random natural
    network with ``k`` units; the class is ``k`` units with free signs (and a bias iff
    ``bias``), so the planted network (``meta["planted"]``) fits with loss exactly 0."""
    for what, v in (("D", d), ("K", k), ("N", n)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(f"natural: expected {what} ≥ 1, found {v!r}")
    check_cap(n * (d + 1), MAX_ENTRIES, "natural: numbers n·(d + 1)", "use smaller N or D")
    rng = np.random.default_rng(seed)
    net = random_network(d, k, weights, rng, digits=digits, bias=bias)
    grid = np.rint(rng.normal(size=(n, d)) * 100).astype(np.int64)
    X = tuple(tuple(Fraction(int(v), 100) for v in row) for row in grid)
    y = exact_predictions(FitProblem(X, [0] * n, units=k, bias=bias), net)
    meta = {
        "generator": {
            "name": "natural",
            "d": d,
            "k": k,
            "samples": n,
            "weights": weights,
            "digits": digits,
            "bias": bias,
            "seed": seed,
        },
        "family": "natural",
        "paper": PAPER,
        "planted": [{"a": u.a, "w": [str(x) for x in u.w], "b": str(u.b)} for u in net.units],
        "planted_loss": "0",
        "property": "labels are the exact values of a random depth-2 network with "
        f"{weights} weights; opt = 0 (the planted network is in the class)",
    }
    return FitProblem(X, y, None, k, bias, None, None, meta)


def planted(problem: FitProblem) -> ReluNetwork:
    """The planted network recorded in ``problem.meta["planted"]``, in exact rationals."""
    units = problem.meta["planted"]
    return ReluNetwork(
        tuple(Unit(u["a"], tuple(Fraction(v) for v in u["w"]), Fraction(u["b"])) for u in units)
    )
