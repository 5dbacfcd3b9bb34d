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
preserves the stable colouring), then each surviving candidate is decided by one VF2
isomorphism test (networkx), and every automorphism found extends the orbit by closure.  All
labels are exact rationals, so nothing here is a float decision.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.problem import FitProblem

__all__ = ["LeaderRow", "leader_rows", "orbit_leader_rows"]

#: Seconds the orbit search may take per problem; rows found by then are kept (see above).
BUDGET_S = 2.0

#: Above this many coordinates the search is skipped (VF2 tests grow with the graph).
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


def _graph(problem: FitProblem) -> Any:
    import networkx as nx

    g = nx.Graph()
    for l in range(problem.d):
        g.add_node(("c", l, 1), base=("c",))
        g.add_node(("c", l, -1), base=("c",))
        g.add_edge(("c", l, 1), ("c", l, -1), v="pair")
    weights = problem.sample_weight or (Fraction(1),) * problem.n
    for i, (x, y) in enumerate(zip(problem.X, problem.y, strict=True)):
        g.add_node(("p", i), base=("p", y, weights[i]))
        for l, v in enumerate(x):
            if v != 0:
                g.add_edge(("p", i), ("c", l, 1), v=v)
                g.add_edge(("p", i), ("c", l, -1), v=-v)
    return g


def _label_key(v: object) -> tuple[int, Fraction]:
    return (1, Fraction(0)) if v == "pair" else (0, v)  # type: ignore[return-value]


def _refine(g: Any, special: dict[Node, Hashable]) -> dict[Node, int]:
    """The stable colour refinement of ``g`` with the nodes of ``special`` individualised."""
    names: dict[Hashable, int] = {}
    colour = {n: names.setdefault((special.get(n, "-"), g.nodes[n]["base"]), len(names)) for n in g}
    while True:
        names = {}
        sigs = {
            n: (
                colour[n],
                tuple(sorted((_label_key(g.edges[n, m]["v"]), colour[m]) for m in g[n])),
            )
            for n in g
        }
        new = {n: names.setdefault(sigs[n], len(names)) for n in sorted(g, key=sigs.__getitem__)}
        if len(names) == len(set(colour.values())):
            return new
        colour = new


def _isomorphism(
    g: Any,
    colour: dict[Node, int],
    a: Node,
    b: Node,
    deadline: float,
    clock: Callable[[], float],
) -> dict[Node, Node] | None:
    """An automorphism of ``g`` preserving ``colour`` that maps ``a`` to ``b``, if any."""
    from networkx.algorithms import isomorphism as iso

    def paint(target: Node) -> Any:
        h = g.copy()
        for n in h:
            h.nodes[n]["k"] = -1 if n == target else colour[n]
        return h

    def node_match(p: dict[str, Any], q: dict[str, Any]) -> bool:
        if clock() > deadline:
            raise _OutOfTime
        return bool(p["k"] == q["k"])

    matcher = iso.GraphMatcher(
        paint(a), paint(b), node_match=node_match, edge_match=iso.categorical_edge_match("v", None)
    )
    return next(matcher.isomorphisms_iter(), None)


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
    g: Any,
    fixed: dict[Node, Hashable],
    lead: Node,
    deadline: float,
    clock: Callable[[], float],
) -> tuple[set[Node], bool]:
    """The orbit of ``lead`` under the automorphisms fixing ``fixed`` (or the part found by
    ``deadline``), and whether it is complete."""
    colour = _refine(g, fixed)
    gens: list[dict[Node, Node]] = []
    orbit = {lead}
    for cand in (n for n in g if n[0] == "c" and colour[n] == colour[lead]):
        if cand in orbit:
            continue
        try:
            found = _isomorphism(g, colour, lead, cand, deadline, clock)
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
    # Bias-free with interchangeable units the unit-order rows compare first weights: keep
    # them valid by using only the symmetries that fix +e_0 (a subgroup of data symmetries).
    first = 1 if _orders_by_first_weight(problem) else 0
    fixed: dict[Node, Hashable] = {("c", 0, 1): ("fix", 0)} if first else {}
    for v in range(first, problem.d):
        lead = ("c", v, 1)
        orbit, complete = _orbit(g, fixed, lead, deadline, clock)
        rows += [LeaderRow(v, n[2], n[1]) for n in sorted(orbit) if n != lead]
        if not complete:
            break  # part of an orbit gives valid rows (module docstring); stop here
        fixed[lead] = ("fix", v)
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
