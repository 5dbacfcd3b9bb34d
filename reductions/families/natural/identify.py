"""Exact equality of networks as functions, and the identifiability experiment.

Write ``σ(t) = (t + |t|)/2``.  A network ``Σ_j a_j σ(w_j·x + b_j)`` is then an affine function
plus ``Σ_j (a_j/2) |w_j·x + b_j|``.  Each ``|w·x + b|`` with ``w ≠ 0`` equals ``|λ| |u·x + β|``
for the *canonical* ``(u, β) = (w, b)/λ``, where ``λ`` is the first nonzero entry of ``w``; so
the network has a unique normal form: an affine part and one coefficient per canonical
hyperplane.  Two networks are the same function iff their normal forms agree (proof:
``docs/families/natural.md``) — decided here in rationals, no sampling.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

import exactfit
from exactfit.network import ReluNetwork
from exactfit.result import Status
from reductions.families.descent import train
from reductions.families.natural.construction import generate, planted

__all__ = ["Trial", "normal_form", "same_function", "trial"]

Form = tuple[tuple[Fraction, ...], tuple[tuple[tuple[Fraction, ...], Fraction], ...]]


def normal_form(net: ReluNetwork) -> Form:
    """``(affine, kinks)``: the affine part ``(c_1..c_d, c_0)`` and the sorted nonzero
    coefficients of the canonical hyperplanes ``(u, β)``."""
    d = net.d
    affine = [Fraction(0)] * (d + 1)
    kinks: dict[tuple[Fraction, ...], Fraction] = defaultdict(Fraction)
    for unit in net.units:
        w = [Fraction(v) for v in unit.w]
        b = Fraction(unit.b)
        half = Fraction(unit.a, 2)
        for i in range(d):
            affine[i] += half * w[i]
        affine[d] += half * b
        lam = next((v for v in w if v != 0), None)
        if lam is None:  # σ(b) is the constant max(0, b): its |b|/2 half is affine too
            affine[d] += half * abs(b)
            continue
        key = (*(v / lam for v in w), b / lam)
        kinks[key] += half * abs(lam)
    return tuple(affine), tuple(sorted((key, c) for key, c in kinks.items() if c != 0))


def same_function(f: ReluNetwork, g: ReluNetwork) -> bool:
    """Whether ``f(x) = g(x)`` for every ``x ∈ R^d`` (exact)."""
    return f.d == g.d and normal_form(f) == normal_form(g)


@dataclass(frozen=True)
class Trial:
    """One identifiability trial: exact ERM and gradient descent on one planted instance.

    ``erm_zero``: exact ERM returned OPTIMAL with exact loss 0; ``erm_same``: its network is the
    planted function; ``gd_loss``: gradient descent's final mean square loss divided by the
    mean square label (1 is the zero network's).
    """

    d: int
    k: int
    n: int
    seed: int
    erm_zero: bool
    erm_same: bool
    gd_loss: float


def trial(
    d: int, k: int, n: int, seed: int, *, weights: str, solver: str = "enum", steps: int = 1500
) -> Trial:
    """Generate one instance, fit it exactly with ``solver`` and by gradient descent (width k)."""
    problem = generate(d, k, n, seed, weights=weights)
    result = exactfit.solve(problem, solver=solver)
    zero = result.status is Status.OPTIMAL and exactfit.exact_loss(problem, result.network) == 0
    same = zero and same_function(result.network, planted(problem))
    run = train(problem.Xf, problem.yf, k, steps=steps, seed=seed)
    scale = float(np.mean(problem.yf**2)) or 1.0
    return Trial(d, k, n, seed, zero, same, float(run.losses[-1]) / scale)
