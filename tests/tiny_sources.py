"""The tiny random sources (2..4-vertex graphs, at most 3 clauses) that the reductions sampled
before issue 13 gave each one a gadget-sized sampler.  The 20-seed closed loop of
tests/reductions/test_random_sources.py runs on these, since it must stay fast; the declared
samplers are exercised with small counts in tests/reductions/test_samplers.py."""

from __future__ import annotations

import math
from typing import Any

from reductions.base import Reduction
from reductions.sampling import EDGE_PROBABILITIES, seeded, signed_clause
from reductions.sources import generators as gen
from reductions.sources.types import CNF


def tiny_source(red: Reduction, seed: int) -> Any:
    """A tiny random source for ``red`` (the pre-issue-13 sizes), deterministic in ``seed``."""
    rng, sub = seeded(seed)
    if red.name == "maxcut_to_relu":
        n = rng.randint(2, 4)
        if rng.random() < 0.3:
            return gen.random_weighted_graph(n, rng.choice((0.4, 0.6, 0.8)), 3, sub)
        return gen.gnp(n, rng.choice(EDGE_PROBABILITIES), sub)
    if red.name == "dks_to_relu":
        return gen.gnp(rng.randint(max(red.kappa, 2), 4), rng.choice(EDGE_PROBABILITIES), sub)
    if red.name == "gapmaxcut_to_unit_relu":
        return gen.gnp(rng.randint(2, 4), rng.choice(EDGE_PROBABILITIES), sub)
    if red.name == "coloring_to_relus":
        n = rng.randint(3, 6)
        r = rng.choice((2, 2, 3))
        return gen.random_hypergraph(n, rng.randint(1, min(6, math.comb(n, r))), r, sub)
    if red.name == "sat3_to_max2sat":
        return gen.random_3sat(rng.randint(3, 4), rng.randint(1, 3), sub)
    if red.name == "max2sat_to_maxcut":
        n, m = rng.randint(2, 4), rng.randint(1, 5)
        clauses = tuple(signed_clause(rng, n, rng.choice((1, 2, 2, 2))) for _ in range(m))
        return CNF(n, clauses, None, f"random2cnf:seed={seed}")
    if red.name == "weightedmaxcut_to_maxcut":
        return gen.random_weighted_graph(rng.randint(2, 4), rng.choice((0.4, 0.6, 0.8)), 3, sub)
    if red.name == "sat3_to_relu":
        n = rng.randint(1, 2)
        clauses = tuple(signed_clause(rng, n, rng.randint(1, n)) for _ in range(rng.randint(1, 3)))
        return CNF(n, clauses, None, f"random12cnf:seed={seed}")
    raise ValueError(f"no tiny sampler for {red.name}")
