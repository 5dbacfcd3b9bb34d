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
    """1..3 clauses of 1 or 2 literals over 1..2 variables.

    A 3-clause makes the last instance 9-dimensional with 54+ samples, beyond a quick exact fit
    (measured: > 4 min for enumeration, SCIP does not terminate in 60 s), so the random chain
    sources use 1- and 2-literal clauses (the first step copies them); 3-clauses are covered by
    the step-wise checks.
    """
    rng, _ = seeded(seed)
    n = rng.randint(1, 2)
    clauses = tuple(signed_clause(rng, n, rng.randint(1, n)) for _ in range(rng.randint(1, 3)))
    return CNF(n, clauses, None, f"random12cnf:seed={seed}")
