"""What every source solver shares: the methods, their limits, the validated arguments and the
:class:`SourceSolution` built from a certificate whose value is recomputed here."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from exactfit.errors import InputError
from reductions.sources.types import Graph, Hypergraph

__all__ = [
    "AUTO_MODEL",
    "BRUTE_LIMITS",
    "METHODS",
    "TINY",
    "SourceSolution",
    "is_proper_colouring",
]

METHODS = ("cpsat", "scip", "brute", "auto")

#: Largest number of candidates the brute force enumerates, per problem:
#: cuts ``2^(n-1)``, κ-subsets ``C(n, κ)``, assignments ``2^V``, colourings ``k^(n-1)``.
BRUTE_LIMITS = {
    "max_cut": 2**21,
    "densest_subgraph": 2 * 10**6,
    "max_sat": 2**21,
    "colourable": 2**22,
}

#: ``"auto"`` enumerates when the candidate count is at most this.
TINY = 4096

#: The exact model ``"auto"`` uses above :data:`TINY`; chosen by ``benchmarks/sources.py``.
AUTO_MODEL = {
    "max_cut": "cpsat",
    "densest_subgraph": "cpsat",
    "max_sat": "cpsat",
    "colourable": "cpsat",
}


@dataclass(frozen=True)
class SourceSolution:
    """An exact (or time-limited) solution of a source problem.

    Attributes
    ----------
    value : int
        The objective of ``certificate``, recomputed here: cut weight, induced edge weight,
        satisfied clause weight, or for colourability 1 (colourable) / 0 (not, or unknown).
    certificate : tuple
        Max-Cut: sorted vertices of one side.  DkS: sorted κ vertices.  Max-SAT: one bool per
        variable (index ``var − 1``).  Colouring: one colour ``0..k−1`` per vertex, or ``()``.
    optimal : bool
        True iff ``value`` is proven optimal (for colourability: the answer is proven).
    method : str
        ``"cpsat"``, ``"scip"`` or ``"brute"`` (what actually ran).
    wall_s : float
        Wall-clock seconds.
    bound : int or None
        A proven upper bound on the optimum when known (equals ``value`` when optimal).
    """

    value: int
    certificate: tuple
    optimal: bool
    method: str
    wall_s: float
    bound: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError(f"SourceSolution.value must be an int, found {self.value!r}")
        if not isinstance(self.certificate, tuple):
            raise TypeError("SourceSolution.certificate must be a tuple")
        if self.method not in ("cpsat", "scip", "brute"):
            raise ValueError(f"SourceSolution.method must be cpsat/scip/brute, found {self.method}")
        if self.optimal and self.bound is not None and self.bound != self.value:
            raise ValueError(f"optimal solution with bound {self.bound} ≠ value {self.value}")


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise InputError(f"method: expected one of {', '.join(METHODS)}, found {method!r}")


def _check_time_limit(time_limit: float | None) -> None:
    if time_limit is None:
        return
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or time_limit <= 0:
        raise InputError(f"time_limit: expected a positive number of seconds, found {time_limit!r}")


def _choose(problem: str, method: str, candidates: int) -> str:
    """Resolve ``auto``, refuse brute force above its documented limit, and import the backend
    now so that the (seconds-long, first-call-only) import is not counted in ``wall_s``."""
    _check_method(method)
    if method == "auto":
        method = "brute" if candidates <= TINY else AUTO_MODEL[problem]
    if method == "brute" and candidates > BRUTE_LIMITS[problem]:
        raise InputError(
            f"{problem}: brute force refuses {candidates} candidates (limit "
            f"{BRUTE_LIMITS[problem]}); use method='cpsat' or 'scip'"
        )
    if method == "cpsat":
        import ortools.sat.python.cp_model  # noqa: F401
    elif method == "scip":
        import pyscipopt  # noqa: F401
    return method


def _finish(
    value: int,
    cert: tuple,
    status: str,
    method: str,
    start: float,
    backend_value: float | None,
    bound: int | None,
) -> SourceSolution:
    """Build the solution; cross-check a proven optimum against the backend's objective."""
    optimal = status == "optimal"
    if (
        optimal
        and backend_value is not None
        and abs(backend_value - value) > 1e-6 * max(1, abs(value))
    ):
        raise RuntimeError(
            f"{method}: backend objective {backend_value} differs from the recomputed value "
            f"{value} of its certificate (a bug)"
        )
    if optimal:
        bound = value
    elif bound is not None and bound < value:
        raise RuntimeError(f"{method}: bound {bound} below the certificate's value {value}")
    return SourceSolution(value, cert, optimal, method, time.perf_counter() - start, bound)


def _incumbent(
    status: str, read: Callable[[], tuple], objective: Callable[[], float], fallback: tuple
) -> tuple[tuple, float | None]:
    """The certificate and the backend's objective when a solution was found, else
    ``(fallback, None)``."""
    if status in ("optimal", "feasible"):
        cert = read()
        return cert, objective()
    return fallback, None


def _degree_cuts(g: Graph, kappa: int, x: list, y: list) -> list[tuple[list, Any]]:
    """The degree cuts of the DkS models, as (edge variables at v, x_v) for every vertex v with
    more than κ−1 edges: Σ_{e ∋ v} y_e ≤ (κ−1)·x_v, since a chosen vertex has at most κ−1 chosen
    neighbours and an unchosen one none.  They make the LP relaxation tight enough to prove
    optimality quickly (docs/sources.md, *Models*)."""
    incident: list[list] = [[] for _ in range(g.n)]
    for e, (a, b) in enumerate(g.edges):
        incident[a].append(y[e])
        incident[b].append(y[e])
    return [(incident[v], x[v]) for v in range(g.n) if len(incident[v]) > kappa - 1]


# --------------------------------------------------------------------------- colouring
def is_proper_colouring(h: Hypergraph | Graph, k: int, colouring: Sequence[int]) -> bool:
    """Whether ``colouring`` gives every vertex a colour in ``0..k−1`` and no hyperedge is
    monochromatic."""
    if len(colouring) != h.n or any(not 0 <= c < k for c in colouring):
        return False
    return all(len({colouring[v] for v in e}) > 1 for e in h.edges)


def _col_result(
    hg: Hypergraph, k: int, status: str, cert: tuple, method: str, start: float
) -> SourceSolution:
    if cert:
        if not is_proper_colouring(hg, k, cert):
            raise RuntimeError(f"{method}: returned colouring {cert} is not proper (a bug)")
        return SourceSolution(1, cert, True, method, time.perf_counter() - start, 1)
    if status == "infeasible":
        return SourceSolution(0, (), True, method, time.perf_counter() - start, 0)
    return SourceSolution(0, (), False, method, time.perf_counter() - start, None)


def _available(v: int, k: int) -> range:
    # symmetry breaking: relabel colours by first occurrence, so vertex v uses a colour ≤ v
    return range(min(k, v + 1))
