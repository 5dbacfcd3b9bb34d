"""Source generators: random graphs, hypergraphs and 3-CNF formulas, and named graphs.

Every random generator takes an integer ``seed`` and uses its own ``random.Random(seed)``, so the
same arguments give the same instance on every platform and networkx version.  Names record the
generator and its parameters (``gnp:10:0.5:seed=3``) so a written file says where it came from.
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction
from typing import Any

import networkx as nx

from exactfit.errors import InputError
from exactfit.limits import MAX_SOURCE_ITEMS, MAX_SOURCE_VERTICES, check_cap
from reductions.sources.ksat import planted_clauses, random_clauses
from reductions.sources.types import CNF, Graph, Hypergraph

__all__ = [
    "NAMED",
    "complete",
    "cycle",
    "fano",
    "gnp",
    "hamming",
    "johnson",
    "karate",
    "mycielski",
    "named_graph",
    "petersen",
    "planted_3sat",
    "random_3sat",
    "random_hypergraph",
    "random_weighted_graph",
]


def _int(value: Any, what: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what}: expected an integer, found {value!r}")
    if value < low or (high is not None and value > high):
        rng = f"≥ {low}" if high is None else f"in {low}..{high}"
        raise InputError(f"{what}: expected an integer {rng}, found {value}")
    return value


#: Pairs a construction may visit (G(n, p) draws once per pair; johnson and hamming compare
#: every pair of vertices): 10⁷ keeps every generator within seconds.
MAX_PAIRS = 10**7


def _sizes(
    what: str, vertices: int, items: int, pairs: int = 0, names: tuple[str, str] = ("", "")
) -> None:
    """Refuse a generator call whose output or work exceeds the caps, before any work."""
    fix = "choose smaller parameters"
    check_cap(vertices, MAX_SOURCE_VERTICES, f"{what}: {names[0] or 'vertices'}", fix)
    check_cap(items, MAX_SOURCE_ITEMS, f"{what}: {names[1] or 'edges'}", fix)
    check_cap(pairs, MAX_PAIRS, f"{what}: vertex pairs the construction visits", fix)


def _prob(p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float | Fraction) or not 0 <= p <= 1:
        raise InputError(f"p: expected a probability in [0, 1], found {p!r}")
    return float(p)


def _rng(seed: Any) -> random.Random:
    return random.Random(_int(seed, "seed", 0))


# --------------------------------------------------------------------------- random graphs
def gnp(n: int, p: float, seed: int) -> Graph:
    """Erdős–Rényi ``G(n, p)``: each of the ``C(n, 2)`` pairs is an edge independently with
    probability ``p`` (pairs visited in lexicographic order, one uniform draw each)."""
    _int(n, "n", 1)
    p = _prob(p)
    _sizes("gnp", n, math.ceil(p * math.comb(n, 2)), math.comb(n, 2))
    rng = _rng(seed)
    edges = tuple(pair for pair in itertools.combinations(range(n), 2) if rng.random() < p)
    return Graph(n, edges, None, f"gnp:{n}:{p}:seed={seed}")


def random_weighted_graph(n: int, p: float, max_weight: int, seed: int) -> Graph:
    """``G(n, p)`` with independent uniform integer weights in ``1..max_weight``."""
    _int(n, "n", 1)
    p = _prob(p)
    _int(max_weight, "max_weight", 1)
    _sizes("gnp", n, math.ceil(p * math.comb(n, 2)), math.comb(n, 2))
    rng = _rng(seed)
    edges, weights = [], []
    for pair in itertools.combinations(range(n), 2):
        if rng.random() < p:
            edges.append(pair)
            weights.append(rng.randint(1, max_weight))
    return Graph(n, tuple(edges), tuple(weights), f"wgnp:{n}:{p}:{max_weight}:seed={seed}")


def random_hypergraph(n: int, m: int, r: int, seed: int) -> Hypergraph:
    """``m`` distinct r-subsets of ``{0..n−1}`` drawn uniformly without replacement."""
    _int(n, "n", 2)
    _int(r, "r", 2, n)
    _sizes("hypergraph", n, m, names=("vertices", "hyperedges"))
    _int(m, "m", 0, math.comb(n, r))
    # rejection sampling draws r vertices per try; the complement branch lists C(n, r) sets
    check_cap(m * r, MAX_PAIRS, "hypergraph: vertex incidences m·r", "choose smaller m or r")
    if m > math.comb(n, r) // 2:
        check_cap(math.comb(n, r), MAX_PAIRS, "hypergraph: C(n, r)", "choose smaller m")
    rng = _rng(seed)
    chosen: set[tuple[int, ...]] = set()
    edges = []
    # rejection sampling is fast while m is at most half of C(n, r); otherwise sample the complement
    if m <= math.comb(n, r) // 2:
        while len(edges) < m:
            e = tuple(sorted(rng.sample(range(n), r)))
            if e not in chosen:
                chosen.add(e)
                edges.append(e)
    else:
        edges = [tuple(e) for e in rng.sample(list(itertools.combinations(range(n), r)), m)]
    return Hypergraph(n, tuple(edges), f"hyper:{n}:{m}:{r}:seed={seed}")


# --------------------------------------------------------------------------- named graphs
def complete(n: int) -> Graph:
    """The complete graph ``K_n``."""
    _int(n, "n", 1)
    _sizes(f"k{n}", n, math.comb(n, 2))
    return Graph(n, tuple(itertools.combinations(range(n), 2)), None, f"k{n}")


def cycle(n: int) -> Graph:
    """The cycle ``C_n`` (n ≥ 3): edges ``{i, i+1 mod n}``."""
    _int(n, "n", 3)
    _sizes(f"c{n}", n, n)
    return Graph(n, tuple((i, (i + 1) % n) for i in range(n)), None, f"c{n}")


def petersen() -> Graph:
    """The Petersen graph: outer 5-cycle ``0..4``, spokes ``i–i+5``, inner pentagram on ``5..9``.

    3-regular on 10 vertices, 15 edges, girth 5, χ = 3, maximum cut 12.
    """
    outer = [(i, (i + 1) % 5) for i in range(5)]
    spokes = [(i, i + 5) for i in range(5)]
    inner = [(5 + i, 5 + (i + 2) % 5) for i in range(5)]
    return Graph(10, tuple(outer + spokes + inner), None, "petersen")


def johnson(n: int, k: int) -> Graph:
    """Johnson graph ``J(n, k)``: the k-subsets of ``{0..n−1}`` (lexicographic order), two
    adjacent iff they share ``k − 1`` elements.  Clique number ``max(k + 1, n − k + 1)`` for
    ``1 ≤ k ≤ n − 1``."""
    _int(n, "n", 2)
    _int(k, "k", 1, n - 1)
    v = math.comb(n, k)
    _sizes(f"johnson:{n}:{k}", v, v * k * (n - k) // 2, v * (v - 1) // 2)
    verts = list(itertools.combinations(range(n), k))
    edges = tuple(
        (i, j)
        for i, j in itertools.combinations(range(len(verts)), 2)
        if len(set(verts[i]) & set(verts[j])) == k - 1
    )
    return Graph(len(verts), edges, None, f"johnson:{n}:{k}")


def hamming(d: int, q: int) -> Graph:
    """Hamming graph ``H(d, q)``: words of ``{0..q−1}^d`` (lexicographic order), adjacent iff
    they differ in exactly one coordinate.  Clique number ``q`` (for q ≥ 2)."""
    _int(d, "d", 1)
    _int(q, "q", 2)
    # q**d can be astronomically large: compare digit counts before computing it
    if d * math.log10(q) > 9:
        raise InputError(
            f"hamming:{d}:{q}: vertices q^d: expected at most {MAX_SOURCE_VERTICES:,}, found "
            f"about 1e{int(d * math.log10(q))}; choose smaller d or q"
        )
    v = q**d
    _sizes(f"hamming:{d}:{q}", v, v * d * (q - 1) // 2, v * (v - 1) // 2)
    words = list(itertools.product(range(q), repeat=d))
    edges = tuple(
        (i, j)
        for i, j in itertools.combinations(range(len(words)), 2)
        if sum(a != b for a, b in zip(words[i], words[j], strict=True)) == 1
    )
    return Graph(len(words), edges, None, f"hamming:{d}:{q}")


def mycielski(k: int) -> Graph:
    """Mycielski graph ``M_k``: ``M_1 = K_1``, ``M_2 = K_2`` and ``M_{j+1} = μ(M_j)``.

    ``μ(G)`` on ``G``'s vertices ``0..n−1`` adds a shadow ``n + i`` of each vertex ``i``, adjacent
    to the neighbours of ``i``, and an apex ``2n`` adjacent to every shadow.  ``M_k`` is
    triangle-free with ``χ(M_k) = k`` (``M_3 = C_5``, ``M_4`` the Grötzsch graph).
    """
    _int(k, "k", 1)
    # M_k has 3·2^(k−2) − 1 vertices (k ≥ 2): k = 17 already exceeds the vertex cap
    check_cap(k, 16, "mycielski: k", "choose k ≤ 16")
    n, edges = 1, []
    if k >= 2:
        n, edges = 2, [(0, 1)]
    for _ in range(3, k + 1):
        new = list(edges)
        for a, b in edges:
            new += [(a, n + b), (b, n + a)]
        new += [(n + i, 2 * n) for i in range(n)]
        n, edges = 2 * n + 1, new
    return Graph(n, tuple(edges), None, f"mycielski:{k}")


def fano() -> Hypergraph:
    """The Fano plane: 7 points, 7 lines of 3 points, any two points on exactly one line.

    A 3-uniform hypergraph that is not 2-colourable (χ = 3).
    """
    lines = ((0, 1, 2), (0, 3, 4), (0, 5, 6), (1, 3, 5), (1, 4, 6), (2, 3, 6), (2, 4, 5))
    return Hypergraph(7, lines, "fano")


def karate() -> Graph:
    """Zachary's karate club (networkx), unweighted: 34 vertices, 78 edges."""
    return Graph.from_networkx(nx.karate_club_graph(), name="karate")


def _social(name: str) -> Graph:
    builders = {
        "florentine": nx.florentine_families_graph,
        "davis": nx.davis_southern_women_graph,
        "les-miserables": nx.les_miserables_graph,
    }
    return Graph.from_networkx(builders[name](), name=name)


#: Names accepted by :func:`named_graph` (``:``-separated integer parameters where shown).
NAMED = (
    "petersen",
    "fano",
    "karate",
    "florentine",
    "davis",
    "les-miserables",
    "kN",
    "cN",
    "complete:N",
    "cycle:N",
    "johnson:N:K",
    "hamming:D:Q",
    "mycielski:K",
)


def named_graph(name: str) -> Graph | Hypergraph:
    """A named graph or hypergraph, e.g. ``"petersen"``, ``"johnson:6:3"``, ``"hamming:3:2"``,
    ``"mycielski:4"``, ``"fano"``, ``"karate"``, ``"k4"``, ``"c5"`` (see :data:`NAMED`).

    The networkx social graphs ``florentine``, ``davis`` and ``les-miserables`` are unweighted.
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"named graph: expected a name like 'petersen', found {name!r}")
    key, *args = name.strip().lower().split(":")
    try:
        params = [int(a) for a in args]
    except ValueError:
        raise InputError(
            f"named graph {name!r}: expected integer parameters after ':', found {args}"
        ) from None
    fixed = {"petersen": petersen, "fano": fano, "karate": karate}
    arity = {
        "johnson": (2, johnson),
        "hamming": (2, hamming),
        "mycielski": (1, mycielski),
        "complete": (1, complete),
        "cycle": (1, cycle),
    }
    if key in fixed and not params:
        return fixed[key]()
    if key in ("florentine", "davis", "les-miserables") and not params:
        return _social(key)
    if key in arity and len(params) == arity[key][0]:
        return arity[key][1](*params)
    if not params and len(key) > 1 and key[0] in "kc" and key[1:].isdigit():
        return complete(int(key[1:])) if key[0] == "k" else cycle(int(key[1:]))
    raise InputError(f"named graph: unknown name {name!r}; expected one of {', '.join(NAMED)}")


# --------------------------------------------------------------------------- 3-CNF
def planted_3sat(n_vars: int, n_clauses: int, seed: int) -> CNF:
    """A satisfiable 3-CNF with a hidden assignment.

    A uniform assignment ``τ`` is drawn; each clause takes 3 distinct variables uniformly and a
    sign pattern uniformly among the 7 that ``τ`` satisfies.  ``τ`` is recorded in
    :attr:`CNF.comments` as ``planted: l1 l2 ...`` (DIMACS literals true under ``τ``).
    """
    _int(n_vars, "n_vars", 3)
    _int(n_clauses, "n_clauses", 0)
    _sizes("3-CNF", n_vars, n_clauses, names=("variables", "clauses"))
    tau, clauses = planted_clauses(_rng(seed), n_vars, n_clauses, 3)
    planted = " ".join(str(v + 1 if t else -(v + 1)) for v, t in enumerate(tau))
    comments = (
        f"generator: planted-3sat n_vars={n_vars} n_clauses={n_clauses} seed={seed}",
        f"planted: {planted}",
    )
    return CNF(
        n_vars, tuple(clauses), None, f"planted3sat:{n_vars}:{n_clauses}:seed={seed}", comments
    )


def planted_assignment(cnf: CNF) -> tuple[bool, ...] | None:
    """The assignment recorded by :func:`planted_3sat` in ``cnf.comments`` (None if absent)."""
    for c in cnf.comments:
        if c.startswith("planted:"):
            lits = [int(t) for t in c.split(":", 1)[1].split()]
            if len(lits) != cnf.num_vars:
                return None
            return tuple(lit > 0 for lit in lits)
    return None


def random_3sat(n_vars: int, n_clauses: int, seed: int) -> CNF:
    """Uniform random 3-CNF: each clause 3 distinct variables and 3 uniform signs.

    At clause density ``Δ = n_clauses / n_vars`` well above the threshold ≈ 4.27 the formula is
    unsatisfiable with high probability, and for large Δ no assignment satisfies more than about a
    ``7/8 + O(1/√Δ)`` fraction of the clauses: the far-from-satisfiable side of Gap-ETH.
    """
    _int(n_vars, "n_vars", 3)
    _int(n_clauses, "n_clauses", 0)
    _sizes("3-CNF", n_vars, n_clauses, names=("variables", "clauses"))
    clauses = random_clauses(_rng(seed), n_vars, n_clauses, 3)
    comments = (f"generator: random-3sat n_vars={n_vars} n_clauses={n_clauses} seed={seed}",)
    return CNF(
        n_vars, tuple(clauses), None, f"random3sat:{n_vars}:{n_clauses}:seed={seed}", comments
    )
