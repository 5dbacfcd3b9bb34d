"""Max-3-SAT → Max-2-SAT → weighted Max-Cut → a single bias-free ReLU, as one :class:`Chain`.

Construction: :mod:`reductions.sat3_to_max2sat` (Garey–Johnson–Stockmeyer gadget,
OPT₂ = 6·W₃ + OPT₃), then :mod:`reductions.max2sat_to_maxcut` (MC = Σ_x M_x + 2·OPT₂), then
:mod:`reductions.maxcut_to_relu` on the weighted graph (A = 2Δ_w·W + 1,
MC = W − ⌈(opt − A·n)/4⌉).  Every step's value map is exact, so the chain's is too:

    OPT₃ = (W − ⌈(opt − A·n)/4⌉ − Σ_x M_x)/2 − 6·W₃,

and the predicted interval for the fitting optimum is the image of OPT₃ under the composed
maps (:meth:`Chain.predicted`).  ``lift`` turns an assignment into the network w = s of the
induced cut; ``project`` reads sign(w) as a cut, separates every x from ¬x, and restricts the
assignment to the original variables.  Proofs are in the three step modules; the Max-Cut
step is a construction in the spirit of [GKMR21] (S. Goel, A. Klivans, P. Manurangsi,
D. Reichman, ITCS 2021, arXiv:2011.13550), not the paper's own gadget.  With a bias the last
step is unsound and is refused.
"""

from __future__ import annotations

from reductions.base import Chain
from reductions.max2sat_to_maxcut import Max2SatToMaxCut
from reductions.maxcut_to_relu import MaxCutToRelu
from reductions.sampling import seeded, signed_clause
from reductions.sat3_to_max2sat import Sat3ToMax2Sat
from reductions.sources.types import CNF

__all__ = ["sat3_to_relu"]


def sat3_to_relu(*, bias: bool = False, allow_unsound: bool = False) -> Chain:
    """The chain Max-3-SAT → Max-2-SAT → weighted Max-Cut → one ReLU."""
    return Chain(
        "sat3_to_relu",
        [Sat3ToMax2Sat(), Max2SatToMaxCut(), MaxCutToRelu(bias=bias, allow_unsound=allow_unsound)],
        sampler=_random_source,
    )


def _random_source(seed: int) -> CNF:
    """One 3-literal clause over 3 variables, and with probability 1/2 one more clause of 1 or
    2 literals: the smallest sources on which the 3-SAT gadget reaches the ReLU step.

    One 3-clause already makes the fitting instance 9-dimensional with 54 samples (22–44 s for
    enumeration, issue 13); two 3-clauses (74 × 11) did not finish in 60 s.  So the chain's
    random checks are slow by nature: run them with a small count (``--random 2``).
    """
    rng, _ = seeded(seed)
    clauses = [signed_clause(rng, 3, 3)]
    if rng.random() < 0.5:
        clauses.append(signed_clause(rng, 3, rng.randint(1, 2)))
    return CNF(3, tuple(clauses), None, f"random3cnf-chain:seed={seed}")
