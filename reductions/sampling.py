"""The conventions of the random sources that Karp-style checking draws.

Every :meth:`~reductions.base.Reduction.random_source` starts from :func:`seeded`: one
``random.Random(seed)`` that picks the sizes, and a sub-seed drawn from it first that seeds the
source generator (:mod:`reductions.sources.generators`).  Each reduction's docstring gives its
sizes, chosen to exercise its gadget (issue 13): graphs on 5..9 vertices (5..6 for the unit-ball
gap reduction, whose fit is slowest), hypergraphs of both answers on 5..7 vertices, 3-CNF with
3-literal clauses only, 2-CNF on 3..8 variables, and for the chain to a ReLU one 3-literal
clause over 3 variables (54 points × 9 dimensions: tens of seconds per source, so use small
counts).  The pre-issue-13 tiny sizes live on in ``tests/tiny_sources.py`` for the fast closed
loop.  Changing any draw here changes every seeded source, and saved counterexamples name
their sources by seed.
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
