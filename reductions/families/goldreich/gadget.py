"""The depth-3 network of the Goldreich family: Gaussian inputs → bits → predicate outputs.

Layer 1 (``2N`` units): ``σ(x_v/δ)`` and ``σ(x_v/δ − 1)``, whose difference is the clipped ramp
``b_δ(x_v) = min(1, max(0, x_v/δ))``: it equals the bit ``1[x_v > 0]`` unless ``0 < x_v < δ``
(the margin), where it lies strictly between 0 and 1.

Layer 2 (one unit per hyperedge ``j`` and pattern ``p`` with ``P(p) = 1``):
``σ(1 − Σ_t ℓ_t)`` with ``ℓ_t = b_{S_j,t}`` if ``p_t = 0`` and ``1 − b_{S_j,t}`` if ``p_t = 1``; on
bits ``Σ_t ℓ_t`` is the Hamming distance to ``p``, so the unit is ``1[b_{S_j} = p]``.

Output ``j``: the sum of edge ``j``'s layer-2 units, i.e. ``P(b_{S_j})`` on bits.  Proofs and
the margin analysis: ``docs/families/goldreich.md``.
"""

from __future__ import annotations

from fractions import Fraction

from exactfit.errors import InputError
from reductions.families.goldreich.depth3 import Depth3Network
from reductions.families.goldreich.prg import Hypergraph, Predicate

__all__ = ["bit_ramp", "goldreich_network"]


def bit_ramp(x: Fraction, margin: Fraction) -> Fraction:
    """``σ(x/δ) − σ(x/δ − 1) = min(1, max(0, x/δ))``, exactly."""
    s = Fraction(x) / margin
    return max(s, Fraction(0)) - max(s - 1, Fraction(0))


def goldreich_network(H: Hypergraph, P: Predicate, margin: Fraction) -> Depth3Network:
    """The depth-3 network ``R^N → R^M`` with ``F(x)_j = P(1[x_{S_j} > 0])`` off the margin.

    Widths: ``h₁ = 2N``, ``h₂ = M·|P⁻¹(1)|``, ``m = M``.
    """
    if margin <= 0:
        raise InputError(f"goldreich: expected a margin δ > 0, found {margin}")
    N = H.N
    zero, one = Fraction(0), Fraction(1)
    W1, b1 = [], []
    for v in range(N):
        for shift in (0, -1):
            W1.append(tuple(1 / margin if i == v else zero for i in range(N)))
            b1.append(Fraction(shift))
    patterns = P.ones()
    W2, b2 = [], []
    for e in H.edges:
        for p in patterns:
            row = [zero] * (2 * N)
            for t, v in enumerate(e):
                # 1 − Σ ℓ_t = 1 − |p| + Σ_t (2p_t − 1) b_v and b_v = h1[2v] − h1[2v + 1]
                s = Fraction(2 * p[t] - 1)
                row[2 * v] += s
                row[2 * v + 1] -= s
            W2.append(tuple(row))
            b2.append(Fraction(1 - sum(p)))
    h2 = len(W2)
    per = len(patterns)
    out = [tuple(one if i // per == j else zero for i in range(h2)) for j in range(len(H.edges))]
    return Depth3Network(
        W1=tuple(W1),
        b1=tuple(b1),
        W2=tuple(W2),
        b2=tuple(b2),
        A=tuple(out),
        c=tuple(zero for _ in H.edges),
    )
