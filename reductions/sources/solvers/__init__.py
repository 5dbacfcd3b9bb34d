"""Exact solvers for the source problems: Max-Cut, Densest κ-Subgraph, Max-SAT, colouring.

Every solver takes ``method`` in ``{"cpsat", "scip", "brute", "auto"}``:

* ``"cpsat"``: a boolean model solved by OR-Tools CP-SAT (one worker, ``linearization_level = 2``
  so its LP relaxation is used; several workers on two cores run no LP worker and are far slower).
* ``"scip"``: the same 0/1 model as an integer program solved by SCIP (PySCIPOpt).
* ``"brute"``: exhaustive enumeration with numpy, independent of both models; refused with
  :class:`~exactfit.errors.InputError` above :data:`BRUTE_LIMITS` (the number of candidates).
* ``"auto"``: ``"brute"`` when the candidate count is at most :data:`TINY`, else the model that
  proved optimality faster in ``benchmarks/sources.py`` (:data:`AUTO_MODEL`).

The backends live in one module per method (:mod:`.brute`, :mod:`.cpsat`, :mod:`.scip`) and
are looked up in :data:`_BACKENDS` by (problem, method); :mod:`.common` holds the limits, the
argument checks and the construction of a :class:`SourceSolution`.

The returned :class:`SourceSolution` always carries a certificate and a ``value`` recomputed from
it by this module (never the backend's objective); ``optimal`` is ``True`` only when the backend
proved optimality (CP-SAT ``OPTIMAL``/``INFEASIBLE``, SCIP ``optimal``/``infeasible``) or the
enumeration finished.  A time limit yields ``optimal=False`` with the incumbent.  The models are
described in ``docs/sources.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from exactfit.errors import InputError
from reductions.sources.solvers import brute, cpsat, scip
from reductions.sources.solvers.common import (
    AUTO_MODEL,
    BRUTE_LIMITS,
    METHODS,
    TINY,
    SourceSolution,
    _check_method,
    _check_time_limit,
    _choose,
    is_proper_colouring,
)

# importable from here as before (benchmarks/sources.py edits it in place), outside __all__
from reductions.sources.solvers.cpsat import CPSAT_PARAMETERS as CPSAT_PARAMETERS
from reductions.sources.types import CNF, Graph, Hypergraph

__all__ = [
    "AUTO_MODEL",
    "BRUTE_LIMITS",
    "METHODS",
    "TINY",
    "SourceSolution",
    "chromatic_number",
    "colourable",
    "densest_subgraph",
    "is_proper_colouring",
    "max_cut",
    "max_sat",
]

#: (problem, method) -> backend(instance, [κ or k,] time_limit, start).
_BACKENDS: dict[tuple[str, str], Callable[..., SourceSolution]] = {
    ("max_cut", "brute"): brute.max_cut,
    ("max_cut", "cpsat"): cpsat.max_cut,
    ("max_cut", "scip"): scip.max_cut,
    ("densest_subgraph", "brute"): brute.densest_subgraph,
    ("densest_subgraph", "cpsat"): cpsat.densest_subgraph,
    ("densest_subgraph", "scip"): scip.densest_subgraph,
    ("max_sat", "brute"): brute.max_sat,
    ("max_sat", "cpsat"): cpsat.max_sat,
    ("max_sat", "scip"): scip.max_sat,
    ("colourable", "brute"): brute.colourable,
    ("colourable", "cpsat"): cpsat.colourable,
    ("colourable", "scip"): scip.colourable,
}


def max_cut(g: Graph, *, method: str = "auto", time_limit: float | None = None) -> SourceSolution:
    """Weighted maximum cut ``max_{S ⊆ V} Σ_{uv ∈ E, |{u,v} ∩ S| = 1} w_uv``.

    The certificate is the sorted tuple of the vertices of ``S``; ties are broken by the backend.
    Vertex ``n − 1`` is placed outside ``S`` (complementing ``S`` does not change the cut).
    """
    _check_time_limit(time_limit)
    method = _choose("max_cut", method, 2 ** (g.n - 1))
    start = time.perf_counter()
    if g.m == 0:
        return SourceSolution(0, (), True, method, time.perf_counter() - start, 0)
    return _BACKENDS["max_cut", method](g, time_limit, start)


def densest_subgraph(
    g: Graph, kappa: int, *, method: str = "auto", time_limit: float | None = None
) -> SourceSolution:
    """Densest κ-subgraph: ``max_{S ⊆ V, |S| = κ} Σ_{uv ∈ E, u, v ∈ S} w_uv``.

    The certificate is the sorted tuple of the κ chosen vertices.
    """
    if isinstance(kappa, bool) or not isinstance(kappa, int | np.integer) or not 1 <= kappa <= g.n:
        raise InputError(
            f"kappa: expected an integer in 1..{g.n} (the vertex count), found {kappa!r}"
        )
    kappa = int(kappa)
    _check_time_limit(time_limit)
    method = _choose("densest_subgraph", method, math.comb(g.n, kappa))
    start = time.perf_counter()
    if g.m == 0 or kappa == 1:
        cert = tuple(range(kappa))
        return SourceSolution(
            g.induced_edges(cert),
            cert,
            True,
            method,
            time.perf_counter() - start,
            g.induced_edges(cert),
        )
    return _BACKENDS["densest_subgraph", method](g, kappa, time_limit, start)


def max_sat(cnf: CNF, *, method: str = "auto", time_limit: float | None = None) -> SourceSolution:
    """Weighted Max-SAT: ``max_{τ ∈ {0,1}^V} Σ_{clauses C satisfied by τ} w_C`` (any width).

    The certificate is a tuple of ``num_vars`` bools, ``certificate[v − 1]`` the value of ``v``.
    """
    _check_time_limit(time_limit)
    method = _choose("max_sat", method, 2**cnf.num_vars)
    start = time.perf_counter()
    if cnf.m == 0:
        cert = (False,) * cnf.num_vars
        return SourceSolution(0, cert, True, method, time.perf_counter() - start, 0)
    return _BACKENDS["max_sat", method](cnf, time_limit, start)


def _as_hypergraph(h: Hypergraph | Graph) -> Hypergraph:
    if isinstance(h, Graph):
        return Hypergraph.from_graph(h)
    if isinstance(h, Hypergraph):
        return h
    raise InputError(f"expected a Graph or Hypergraph, found {type(h).__name__}")


def colourable(
    h: Hypergraph | Graph, k: int, *, method: str = "auto", time_limit: float | None = None
) -> SourceSolution:
    """Whether ``h`` has a proper k-colouring (no monochromatic hyperedge).

    Returns value 1 and a colouring (colour ``0..k−1`` per vertex) if it has one, value 0 and
    ``()`` if not.  With a time limit and no answer: value 0, ``()``, ``optimal=False``.
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(f"k: expected a number of colours ≥ 1, found {k!r}")
    k = int(k)
    _check_time_limit(time_limit)
    hg = _as_hypergraph(h)
    method = _choose("colourable", method, k ** (hg.n - 1))
    start = time.perf_counter()
    if not hg.edges:
        return SourceSolution(1, (0,) * hg.n, True, method, time.perf_counter() - start, 1)
    return _BACKENDS["colourable", method](hg, k, time_limit, start)


def _greedy_colouring(hg: Hypergraph) -> tuple[int, ...]:
    """Smallest-last-free greedy: each vertex (by decreasing degree) takes the least colour that
    leaves no hyperedge monochromatic among its already coloured vertices."""
    deg = [0] * hg.n
    touching: list[list[tuple[int, ...]]] = [[] for _ in range(hg.n)]
    for e in hg.edges:
        for v in e:
            deg[v] += 1
            touching[v].append(e)
    col: dict[int, int] = {}
    for v in sorted(range(hg.n), key=lambda u: (-deg[u], u)):
        c = 0
        while True:
            bad = any(all(u in col and col[u] == c for u in e if u != v) for e in touching[v])
            if not bad:
                break
            c += 1
        col[v] = c
    return tuple(col[v] for v in range(hg.n))


def chromatic_number(
    h: Hypergraph | Graph, *, method: str = "auto", time_limit: float | None = None
) -> SourceSolution:
    """Chromatic number ``χ(h)``: least k with a proper k-colouring; certificate a χ-colouring.

    Models (and ``auto``) start from a greedy colouring with ``u`` colours and ask
    :func:`colourable` for ``u − 1``, ``u − 2``, ... colours until it answers no (or k reaches 2,
    resp. 1 without edges), so exactly one unsatisfiability proof is needed.  Brute force, whose
    cost ``k^(n−1)`` grows with k, instead tries ``k = 1, 2, ...`` upwards.  With a time limit
    that stops a proof, the value is the best colouring found and ``optimal=False``.
    """
    _check_method(method)
    _check_time_limit(time_limit)
    hg = _as_hypergraph(h)
    start = time.perf_counter()
    best = _greedy_colouring(hg)
    lower = 2 if hg.edges else 1
    used_method = "brute" if method == "auto" else method
    optimal = True

    def remaining() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - start)

    if method == "brute":
        for k in range(lower, len(set(best))):
            left = remaining()
            if left is not None and left <= 0:
                optimal = False
                break
            sol = colourable(hg, k, method="brute", time_limit=left)
            if sol.value == 1:
                best = sol.certificate
                break
            if not sol.optimal:
                optimal = False
                break
    else:
        while len(set(best)) > lower:
            left = remaining()
            if left is not None and left <= 0:
                optimal = False
                break
            sol = colourable(hg, len(set(best)) - 1, method=method, time_limit=left)
            used_method = sol.method
            if sol.value == 1:
                best = sol.certificate
                continue
            optimal = sol.optimal
            break
    # canonical colours 0..χ−1 in order of first occurrence
    relabel: dict[int, int] = {}
    cert = tuple(relabel.setdefault(c, len(relabel)) for c in best)
    chi = len(relabel)
    return SourceSolution(
        chi, cert, optimal, used_method, time.perf_counter() - start, chi if optimal else None
    )
