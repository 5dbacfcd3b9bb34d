"""The conventions of the tiny random sources that Karp-style checking draws.

Every :meth:`~reductions.base.Reduction.random_source` starts from :func:`seeded`: one
``random.Random(seed)`` that picks the sizes, and a sub-seed drawn from it first that seeds the
source generator (:mod:`reductions.sources.generators`).  Sizes are kept tiny so that both sides
solve in well under a second: graphs on 2..4 vertices, hypergraphs on 3..6 vertices with rank
≤ 3, 3-CNF on 3..4 variables with at most 3 clauses, 2-CNF on 2..4 variables, and for the chain
to a ReLU 1- and 2-literal clauses over 1..2 variables (its graphs have 2·(variables +
3-clauses) + 1 vertices).  Changing any draw here changes every seeded source, and saved
counterexamples name their sources by seed.
"""

from __future__ import annotations

import random

__all__ = ["EDGE_PROBABILITIES", "GADGET_PROBABILITIES", "seeded", "signed_clause"]

#: Edge probabilities of the tiny random graphs, one drawn per source.
EDGE_PROBABILITIES = (0.3, 0.5, 0.7, 0.9)

#: Edge probabilities of the graph samplers on 5..9 vertices: sparse to medium, since the fit's
#: cost grows with the edges (G(10, p) with 22 edges did not finish in 60 s, issue 13).
GADGET_PROBABILITIES = (0.25, 0.35, 0.5)


def seeded(seed: int) -> tuple[random.Random, int]:
    """The size generator of the source with this seed, and the sub-seed of its generator."""
    rng = random.Random(seed)
    return rng, rng.randrange(1 << 30)


def signed_clause(rng: random.Random, num_vars: int, size: int) -> tuple[int, ...]:
    """``size`` distinct variables of ``1..num_vars``, each negated with probability 1/2."""
    return tuple(v if rng.random() < 0.5 else -v for v in rng.sample(range(1, num_vars + 1), size))
