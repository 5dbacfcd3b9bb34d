"""Symmetries of the data, and the orbit-leader rows they make valid in an MIQP.

A *data symmetry* is a signed permutation matrix ``P`` (``P e_u = s e_v``, ``s = ±1``) of the
feature space together with a permutation ``π`` of the samples such that

    P x_i = x_{π(i)},   y_{π(i)} = y_i,   c_{π(i)} = c_i      for every sample i.

For any network, replacing every unit's weights ``w_j`` by ``P w_j`` (biases and output signs
kept) gives ``(P w_j)·x_{π(i)} = w_j·x_i``, so the new network predicts at ``x_{π(i)}`` what
the old one predicted at ``x_i``, and its loss is the same sum in another order; ``‖P w_j‖ =
‖w_j‖``.  The symmetries form a group ``Γ`` acting on unit weights, and the loss is constant on
its orbits.  The reductions' instances have large groups (the Max-Cut gadget of the Petersen
graph: its 120 automorphisms times ``x ↦ −x``), which an MIQP otherwise explores once per image.

**Orbit-leader rows.**  Pick coordinates ``v_1, v_2, …`` and let ``Γ_0 = Γ``, ``Γ_t`` the
elements of ``Γ_{t−1}`` that fix ``+e_{v_t}``.  For each ``t`` and each signed coordinate
``s e_u`` in the ``Γ_{t−1}``-orbit of ``e_{v_t}`` the row ``w_{v_t} ≥ s·w_u`` (on the first
unit) is valid: some optimal network satisfies all of them at once.  *Proof.*  Take any
network ``w``.  The values ``(g w)_{v_1}`` for ``g ∈ Γ_0`` are exactly ``s·w_u`` over the
orbit of ``e_{v_1}`` (``(P w)_{v} = s w_u`` when ``P e_u = s e_v``); pick ``g_1`` attaining
their maximum, so ``g_1 w`` satisfies every level-1 row.  Inductively pick ``g_t ∈ Γ_{t−1}``
maximising ``(g_t g_{t−1}⋯g_1 w)_{v_t}`` over the level-``t`` orbit: ``g_t`` fixes ``e_{v_1},
…, e_{v_{t−1}}``, hence those coordinates, and maps each earlier orbit onto itself, so the
earlier rows (a coordinate against the members of its own orbit) still hold.  The final image
has the loss of ``w`` and satisfies every row.  ∎  Rows from only *part* of an orbit are
implied by the full orbit's, so a search stopped early (the time budget below) still gives
valid rows.  With several units the same ``P`` is applied to all of them and the rows bind the
first unit; this keeps the unit-order rows of :func:`exactfit.solvers._common.symmetry_pairs`
valid when they compare biases (``P`` leaves biases alone).  Bias-free with two interchangeable
units they compare first weights, which ``P`` may move; the rows are then those of the
subgroup fixing ``+e_0`` (the same proof with ``Γ`` replaced by it), whose elements keep every
first weight.

**Finding the orbits.**  ``Γ`` is the automorphism group of a coloured graph: a node per
signed coordinate ``±e_l`` (a "pair" edge joins ``+e_l`` and ``−e_l``), a node per sample
coloured by its exact ``(y_i, c_i)``, and an edge from sample ``i`` to ``+e_l`` labelled
``x_il`` and to ``−e_l`` labelled ``−x_il`` wherever ``x_il ≠ 0``.  An automorphism maps pairs
to pairs, hence induces a signed permutation ``P``, and preserves the labels, hence ``P x_i =
x_{π(i)}``; every data symmetry is one.  Candidates for the orbit of ``+e_v`` are first
filtered by colour refinement with the fixed coordinates individualised (an automorphism
preserves the stable colouring), then each surviving candidate is decided by a backtracking
search of individualisation and refinement (the idea of nauty and its successors, written
plainly: no canonical labelling, no pruning by automorphisms) whose result is checked to be an
automorphism, and every automorphism found extends the orbit by closure.  All
labels are exact rationals, so nothing here is a float decision.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.problem import FitProblem

__all__ = ["LeaderRow", "leader_rows", "orbit_leader_rows"]

#: Seconds the orbit search may take per problem; rows found by then are kept (see above).
BUDGET_S = 2.0

#: Deepest backtracking of one isomorphism search; deeper counts as out of time.
MAX_DEPTH = 200

#: Above this many coordinates the search is skipped (each refinement grows with the graph).
MAX_DIMENSION = 200


@dataclass(frozen=True)
class LeaderRow:
    """The valid row ``w_lead ≥ sign · w_other`` on the first unit's weights."""

    lead: int
    sign: int
    other: int

    def __post_init__(self) -> None:
        if self.sign not in (1, -1):
            raise ValueError(f"sign must be +1 or -1, got {self.sign!r}")
        if self.lead == self.other and self.sign == 1:
            raise ValueError("a row w_v ≥ w_v says nothing")


class _OutOfTime(Exception):
    pass


Node = tuple[Hashable, ...]


@dataclass(frozen=True)
class _Graph:
    """The data's coloured graph (module docstring): ``adj[n][m]`` codes the edge label (a
    coordinate value; −1 for "pair"), ``base[n]`` is the colour a node starts with."""

    adj: dict[Node, dict[Node, int]]
    base: dict[Node, Hashable]


def _graph(problem: FitProblem) -> _Graph:
    adj: dict[Node, dict[Node, object]] = {}
    base: dict[Node, Hashable] = {}
    for l in range(problem.d):
        plus, minus = ("c", l, 1), ("c", l, -1)
        adj[plus], adj[minus] = {minus: "pair"}, {plus: "pair"}
        base[plus] = base[minus] = ("c",)
    # Identical samples become one node (their count in its colour): a symmetry permutes
    # the multiset of samples, and twins would cost one backtracking level each.
    weights = problem.sample_weight or (Fraction(1),) * problem.n
    groups = Counter(zip(problem.X, problem.y, weights, strict=True))
    for i, ((x, y, c), count) in enumerate(sorted(groups.items())):
        p = ("p", i)
        adj[p], base[p] = {}, ("p", y, c, count)
        for l, v in enumerate(x):
            if v != 0:
                for s in (1, -1):
                    adj[p][("c", l, s)] = s * v
                    adj[("c", l, s)][p] = s * v
    # Labels as small integers (equal labels, equal integers; "pair" its own): refinement
    # then sorts integer tuples instead of comparing Fractions.
    values = sorted({v for nbrs in adj.values() for v in nbrs.values() if v != "pair"})
    code: dict[object, int] = {v: r for r, v in enumerate(values)}  # type: ignore[misc]
    code["pair"] = -1
    coded = {n: {m: code[v] for m, v in nbrs.items()} for n, nbrs in adj.items()}
    return _Graph(coded, base)


def _refine(g: _Graph, initial: dict[Node, Hashable]) -> dict[Node, int]:
    """The stable colour refinement of ``g`` from the colouring ``initial``: every automorphism
    that preserves ``initial`` preserves the result."""
    # Colours are named by the sorted order of their values, never by node order, so that
    # two runs from colourings that an isomorphism maps onto each other name alike.
    rank = {v: r for r, v in enumerate(sorted(set(initial.values())))}  # type: ignore[type-var]
    colour = {n: rank[initial[n]] for n in g.adj}
    while True:
        names = {}
        sigs = {
            n: (colour[n], tuple(sorted((v, colour[m]) for m, v in nbrs.items())))
            for n, nbrs in g.adj.items()
        }
        new = {n: names.setdefault(sigs[n], len(names)) for n in sorted(g.adj, key=sigs.get)}
        if len(names) == len(set(colour.values())):  # no class split: stable
            return new
        colour = new


def _individualise(g: _Graph, colour: dict[Node, int], node: Node) -> dict[Node, int]:
    """The stable refinement of ``colour`` with ``node`` given a colour of its own."""
    return _refine(g, {n: (-1,) if n == node else (c,) for n, c in colour.items()})


def _isomorphism(
    g: _Graph,
    colour: dict[Node, int],
    colour_a: dict[Node, int],
    colour_b: dict[Node, int],
    deadline: float,
    clock: Callable[[], float],
    depth: int = 0,
) -> dict[Node, Node] | None:
    """An automorphism of ``g`` preserving ``colour`` that maps the refined colouring
    ``colour_a`` onto ``colour_b``, if any (individualisation and refinement, backtracking).

    Any map returned is checked to be an automorphism preserving ``colour`` (so the answer is
    sound whatever the naming of colours).  It is also complete: if such an automorphism ``φ``
    exists, refinement commutes with it, so ``φ`` maps each class of ``colour_a`` onto the class
    of ``colour_b`` of the same name, and trying every node of that class for the first node of
    a non-singleton class reaches ``φ`` (or another automorphism) by induction.
    """
    if clock() > deadline or depth > MAX_DEPTH:
        raise _OutOfTime
    if Counter(colour_a.values()) != Counter(colour_b.values()):
        return None
    class_a: dict[int, list[Node]] = {}
    class_b: dict[int, list[Node]] = {}
    for n in g.adj:
        class_a.setdefault(colour_a[n], []).append(n)
        class_b.setdefault(colour_b[n], []).append(n)
    open_classes = sorted((len(v), c) for c, v in class_a.items() if len(v) > 1)
    if not open_classes:
        phi = {n: class_b[c][0] for c, (n,) in class_a.items()}
        return phi if _is_automorphism(g, colour, phi) else None
    _, c = open_classes[0]
    a = class_a[c][0]
    next_a = _individualise(g, colour_a, a)
    for b in class_b[c]:
        at_b = _individualise(g, colour_b, b)
        found = _isomorphism(g, colour, next_a, at_b, deadline, clock, depth + 1)
        if found is not None:
            return found
    return None


def _is_automorphism(g: _Graph, colour: dict[Node, int], phi: dict[Node, Node]) -> bool:
    """Whether the bijection ``phi`` keeps ``colour`` and every edge with its label (edges map
    injectively to edges of the same finite graph, hence onto)."""
    return all(colour[phi[n]] == colour[n] for n in g.adj) and all(
        g.adj[phi[n]].get(phi[m]) == v for n, nbrs in g.adj.items() for m, v in nbrs.items()
    )


def _closure(start: Node, gens: list[dict[Node, Node]]) -> set[Node]:
    orbit, todo = {start}, [start]
    while todo:
        n = todo.pop()
        for gen in gens:
            m = gen[n]
            if m not in orbit:
                orbit.add(m)
                todo.append(m)
    return orbit


def _orbit(
    g: _Graph, colour: dict[Node, int], lead: Node, deadline: float, clock: Callable[[], float]
) -> tuple[set[Node], bool]:
    """The orbit of ``lead`` under the automorphisms preserving ``colour`` (or the part found
    by ``deadline``), and whether it is complete.

    A candidate ``b`` is first refined with ``b`` individualised, as ``lead`` is: the
    refinement names colours canonically (by sorted signature), so an automorphism taking
    ``lead`` to ``b`` maps one refined colouring onto the other and their colour counts agree;
    when they differ no search is needed."""
    gens: list[dict[Node, Node]] = []
    orbit = {lead}
    at_lead = _individualise(g, colour, lead)
    counts = Counter(at_lead.values())
    for cand in (n for n in g.adj if n[0] == "c" and colour[n] == colour[lead]):
        if cand in orbit:
            continue
        if clock() > deadline:
            return orbit, False
        at_cand = _individualise(g, colour, cand)
        if Counter(at_cand.values()) != counts:
            continue
        try:
            found = _isomorphism(g, colour, at_lead, at_cand, deadline, clock)
        except _OutOfTime:
            return orbit, False
        if found is not None:
            gens.append(found)
            orbit = _closure(lead, gens)
    return orbit, True


def orbit_leader_rows(
    problem: FitProblem, *, budget_s: float = BUDGET_S, clock: Callable[[], float] = time.monotonic
) -> tuple[LeaderRow, ...]:
    """The orbit-leader rows of the data's signed-permutation symmetries (module docstring).

    Parameters
    ----------
    problem : FitProblem
    budget_s : float
        Time for the search; the rows found when it runs out are returned (they are valid).
    clock : callable
        Monotonic seconds (tests pass a fake one).

    Returns
    -------
    tuple of LeaderRow
        Rows ``w_v ≥ s·w_u`` on the first unit; empty when the data have no symmetry or
        ``d > MAX_DIMENSION``.  When the unit-order rows compare first weights (bias-free with
        interchangeable units) only the symmetries fixing ``+e_0`` are used.
    """
    if problem.d > MAX_DIMENSION:
        return ()
    deadline = clock() + budget_s
    g = _graph(problem)
    rows: list[LeaderRow] = []
    colour = _refine(g, g.base)
    # Bias-free with interchangeable units the unit-order rows compare first weights: keep
    # them valid by using only the symmetries that fix +e_0 (a subgroup of data symmetries).
    first = 1 if _orders_by_first_weight(problem) else 0
    if first:
        colour = _individualise(g, colour, ("c", 0, 1))
    for v in range(first, problem.d):
        coords = Counter(c for n, c in colour.items() if n[0] == "c")
        if len(coords) == 2 * problem.d:
            break  # every signed coordinate has its own colour: the rest of the chain is trivial
        lead = ("c", v, 1)
        if coords[colour[lead]] == 1:
            continue  # a colour of its own: a trivial orbit, and already individualised
        orbit, complete = _orbit(g, colour, lead, deadline, clock)
        rows += [LeaderRow(v, n[2], n[1]) for n in sorted(orbit) if n != lead]
        if not complete:
            break  # part of an orbit gives valid rows (module docstring); stop here
        colour = _individualise(g, colour, lead)
    return tuple(rows)


def _orders_by_first_weight(problem: FitProblem) -> bool:
    """True when :func:`~exactfit.solvers._common.symmetry_pairs` orders units by their first
    weight (bias-free, and some sign vector has two units of equal sign)."""
    return not problem.bias and any(len(set(v)) < len(v) for v in problem.sign_vectors())


@functools.lru_cache(maxsize=8)
def _cached_rows(problem: FitProblem) -> tuple[LeaderRow, ...]:
    # FitProblem hashes by identity (eq=False), so one solve's sign models share the search.
    return orbit_leader_rows(problem)


def leader_rows(problem: FitProblem, weights: list[list[Any]]) -> list[tuple[Any, Any]]:
    """``(first, second)`` model expressions with ``first ≥ second`` for every orbit-leader row,
    on the backend variables ``weights[0]`` of the first unit."""
    w = weights[0]
    return [(w[r.lead], r.sign * w[r.other]) for r in _cached_rows(problem)]
