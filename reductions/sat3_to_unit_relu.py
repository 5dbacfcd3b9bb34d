"""The Gap-ETH chain: Max-3-SAT → Max-2-SAT → weighted Max-Cut → unweighted Max-Cut → one ReLU
with ‖w‖₂ ≤ 1, as one :class:`Chain`.

Steps: :mod:`reductions.sat3_to_max2sat` (OPT₂ = 6·W₃ + OPT₃), :mod:`reductions.max2sat_to_maxcut`
(MC = Σ_x M_x + 2·OPT₂), :mod:`reductions.weightedmaxcut_to_maxcut` (MC′ = MC + 2(W − m), an
unweighted graph of maximum degree max(Δ_w, 2)), then :mod:`reductions.gapmaxcut_to_unit_relu`
(two-sided: lo(MC′) ≤ opt ≤ hi(MC′)).  The first three maps are exact and affine, so

    MC′ = Σ_x M_x + 2(W − m) + 12·W₃ + 2·OPT₃,

and the predicted interval of the fitting optimum is the gap step's interval at that MC′
(:meth:`Chain.predicted`); the map is not exact (``source_value`` is ``None``).  Proof, degree
bound and what the chain's checks can show: docs/reductions/sat3_to_unit_relu.md.
"""

from __future__ import annotations

from typing import Any

from reductions.base import Chain
from reductions.gapmaxcut_to_unit_relu import GapMaxCutToUnitRelu
from reductions.max2sat_to_maxcut import Max2SatToMaxCut
from reductions.sampling import seeded, signed_clause
from reductions.sat3_to_max2sat import Sat3ToMax2Sat
from reductions.sources.types import CNF
from reductions.weightedmaxcut_to_maxcut import WeightedMaxCutToMaxCut

__all__ = ["sat3_to_unit_relu"]


def sat3_to_unit_relu(*, alpha: Any = None, q: Any = None) -> Chain:
    """The chain 3-SAT → Max-2-SAT → weighted Max-Cut → Max-Cut → one unit-ball ReLU;
    ``alpha`` and ``q`` are the last step's parameters."""
    return Chain(
        "sat3_to_unit_relu",
        [
            Sat3ToMax2Sat(),
            Max2SatToMaxCut(),
            WeightedMaxCutToMaxCut(),
            GapMaxCutToUnitRelu(alpha=alpha, q=q),
        ],
        sampler=_random_source,
    )


def _random_source(seed: int) -> CNF:
    """One unit clause over one variable, (x1) or (¬x1): the only CNFs whose fitting side
    finishes here.  The expanded graph has 9 vertices and 11 edges (fit: 40 points × 9 d);
    a single 2-clause gives 13 vertices and one 3-clause 97 (see the docs page)."""
    rng, _ = seeded(seed)
    return CNF(1, (signed_clause(rng, 1, 1),), None, f"random-unit-cnf:seed={seed}")
