"""Random K-CNF of any clause width K: planted (satisfiable by a hidden assignment) and uniform,
and the clause count of the refutation regime ``m = ⌈n^s⌉``.

The 3-CNF generators of :mod:`reductions.sources.generators` are the case ``K = 3``: for the
same seed, :func:`planted_ksat` and :func:`random_ksat` with ``k = 3`` draw the same clauses as
``planted_3sat`` and ``random_3sat`` (same random stream, same order of draws), so those stay
as they are and this module generalises them without changing any written file.
"""

from __future__ import annotations

import itertools
import math
import random

from exactfit.errors import InputError
from exactfit.limits import MAX_SOURCE_ITEMS, MAX_SOURCE_VERTICES, check_cap
from reductions.sources.types import CNF

__all__ = ["planted_ksat", "random_ksat", "refutation_clauses"]

#: Widest clause: the planted generator lists the 2^K sign patterns of each clause.
MAX_WIDTH = 16


def _check(n_vars: int, n_clauses: int, k: int, seed: int) -> random.Random:
    for what, v, low in (("k", k, 1), ("n_vars", n_vars, 1), ("n_clauses", n_clauses, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise InputError(f"K-CNF: expected an integer {what} ≥ {low}, found {v!r}")
    if k > MAX_WIDTH or k > n_vars:
        raise InputError(
            f"K-CNF: expected a clause width K ≤ min(n_vars, {MAX_WIDTH}), found K = {k} "
            f"with {n_vars} variables"
        )
    check_cap(n_vars, MAX_SOURCE_VERTICES, "K-CNF: variables", "choose fewer variables")
    check_cap(n_clauses * k, MAX_SOURCE_ITEMS, "K-CNF: literals m·K", "choose fewer clauses")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"K-CNF: expected an integer seed ≥ 0, found {seed!r}")
    return random.Random(seed)


def refutation_clauses(n_vars: int, exponent: float) -> int:
    """``⌈n^s⌉``: the clause count of the regime where random K-CNF is unsatisfiable with high
    probability (for ``s > 1`` it exceeds the satisfiability threshold ``≈ 2^K ln 2 · n`` once
    ``n`` is large) but refuting it is believed hard for ``s`` below about ``K/2``."""
    if not 1 <= exponent <= 8:
        raise InputError(f"K-CNF: expected a clause exponent s in [1, 8], found {exponent}")
    return math.ceil(n_vars**exponent)


def planted_clauses(
    rng: random.Random, n_vars: int, n_clauses: int, k: int
) -> tuple[list[bool], list[tuple[int, ...]]]:
    """A hidden assignment ``τ`` and clauses it satisfies: each clause ``k`` distinct uniform
    variables and a sign pattern uniform among the ``2^k − 1`` that ``τ`` satisfies (the one
    making every literal false is excluded).  The 3-CNF generators draw through this too."""
    tau = [rng.random() < 0.5 for _ in range(n_vars)]
    clauses = []
    for _ in range(n_clauses):
        vs = sorted(rng.sample(range(1, n_vars + 1), k))
        patterns = [
            s
            for s in itertools.product((1, -1), repeat=k)
            if any((sg > 0) == tau[v - 1] for sg, v in zip(s, vs, strict=True))
        ]
        signs = rng.choice(patterns)
        clauses.append(tuple(sg * v for sg, v in zip(signs, vs, strict=True)))
    return tau, clauses


def random_clauses(
    rng: random.Random, n_vars: int, n_clauses: int, k: int
) -> list[tuple[int, ...]]:
    """Clauses of ``k`` distinct uniform variables with uniform signs."""
    clauses = []
    for _ in range(n_clauses):
        vs = sorted(rng.sample(range(1, n_vars + 1), k))
        clauses.append(tuple(v if rng.random() < 0.5 else -v for v in vs))
    return clauses


def planted_ksat(n_vars: int, n_clauses: int, k: int, seed: int) -> CNF:
    """A K-CNF satisfied by a hidden uniform assignment ``τ``: each clause takes ``K`` distinct
    variables uniformly and a sign pattern uniformly among the ``2^K − 1`` that ``τ`` satisfies.
    ``τ`` is recorded in :attr:`CNF.comments` as ``planted: l1 l2 ...``."""
    rng = _check(n_vars, n_clauses, k, seed)
    tau, clauses = planted_clauses(rng, n_vars, n_clauses, k)
    planted = " ".join(str(v + 1 if t else -(v + 1)) for v, t in enumerate(tau))
    comments = (
        f"generator: planted-ksat k={k} n_vars={n_vars} n_clauses={n_clauses} seed={seed}",
        f"planted: {planted}",
    )
    name = f"planted{k}sat:{n_vars}:{n_clauses}:seed={seed}"
    return CNF(n_vars, tuple(clauses), None, name, comments)


def random_ksat(n_vars: int, n_clauses: int, k: int, seed: int) -> CNF:
    """Uniform random K-CNF: each clause ``K`` distinct uniform variables and uniform signs."""
    rng = _check(n_vars, n_clauses, k, seed)
    clauses = random_clauses(rng, n_vars, n_clauses, k)
    comments = (f"generator: random-ksat k={k} n_vars={n_vars} n_clauses={n_clauses} seed={seed}",)
    name = f"random{k}sat:{n_vars}:{n_clauses}:seed={seed}"
    return CNF(n_vars, tuple(clauses), None, name, comments)
