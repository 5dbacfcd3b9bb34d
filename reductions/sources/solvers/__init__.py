"""Exact solvers for the source problems: Max-Cut, Densest κ-Subgraph, Max-SAT, colouring.

Every solver takes ``method`` in ``{"cpsat", "scip", "brute", "auto"}``:

* ``"cpsat"``: a boolean model solved by OR-Tools CP-SAT (one worker, ``linearization_level = 2``
  so its LP relaxation is used; several workers on two cores run no LP worker and are far slower).
* ``"scip"``: the same 0/1 model as an integer program solved by SCIP (PySCIPOpt).
* ``"brute"``: exhaustive enumeration with numpy, independent of both models; refused with
  :class:`~exactfit.errors.InputError` above :data:`BRUTE_LIMITS` (the number of candidates).
* ``"auto"``: ``"brute"`` when the candidate count is at most :data:`TINY`, else the model that
  proved optimality faster in ``benchmarks/sources.py`` (:data:`AUTO_MODEL`).

The returned :class:`SourceSolution` always carries a certificate and a ``value`` recomputed from
it by this module (never the backend's objective); ``optimal`` is ``True`` only when the backend
proved optimality (CP-SAT ``OPTIMAL``/``INFEASIBLE``, SCIP ``optimal``/``infeasible``) or the
enumeration finished.  A time limit yields ``optimal=False`` with the incumbent.  The models are
described in ``docs/sources.md``.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from exactfit.errors import InputError
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

_CHUNK = 1 << 15


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


# --------------------------------------------------------------------------- helpers
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


#: CP-SAT parameters of every model.  One worker with the LP relaxation at full strength: on 2
#: shared cores several workers run no LP-based subsolver and are much slower (docs/solvers.md;
#: ``benchmarks/sources.py --cpsat-variants`` measures the alternatives).
CPSAT_PARAMETERS: dict[str, int | float | bool] = {"num_workers": 1, "linearization_level": 2}


def _cpsat_solver(time_limit: float | None):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    for key, value in CPSAT_PARAMETERS.items():
        setattr(solver.parameters, key, value)
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    return solver


def _cpsat_status(status) -> str:
    from ortools.sat.python import cp_model

    if status == cp_model.OPTIMAL:
        return "optimal"
    if status == cp_model.FEASIBLE:
        return "feasible"
    if status == cp_model.INFEASIBLE:
        return "infeasible"
    if status == cp_model.UNKNOWN:
        return "unknown"
    raise RuntimeError(f"CP-SAT returned status {status}: the model is invalid (a bug)")


def _scip_model(time_limit: float | None):
    from pyscipopt import Model

    model = Model()
    model.hideOutput()
    model.setParam("randomization/randomseedshift", 0)
    if time_limit is not None:
        model.setParam("limits/time", float(time_limit))
    return model


def _scip_status(model) -> str:
    status = model.getStatus()
    if status == "optimal":
        return "optimal"
    if status == "infeasible":
        return "infeasible"
    # time limit, user interrupt, ...: whatever was found is only an incumbent
    return "feasible" if model.getNSols() > 0 else "unknown"


def _scip_bound(model) -> int | None:
    """SCIP's dual bound for a maximisation with integral objective, rounded down safely."""
    bound = model.getDualbound()
    if not math.isfinite(bound) or abs(bound) >= 1e19:
        return None
    return math.floor(bound + 1e-6)


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


def _bits(start: int, stop: int, width: int) -> np.ndarray:
    """Rows ``start..stop-1`` as little-endian bit vectors of length ``width`` (uint8)."""
    idx = np.arange(start, stop, dtype=np.int64)
    return ((idx[:, None] >> np.arange(width, dtype=np.int64)) & 1).astype(np.uint8)


def _deadline(start: float, time_limit: float | None) -> Callable[[], bool]:
    if time_limit is None:
        return lambda: False
    return lambda: time.perf_counter() - start > time_limit


# --------------------------------------------------------------------------- Max-Cut
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
    return {"brute": _max_cut_brute, "cpsat": _max_cut_cpsat, "scip": _max_cut_scip}[method](
        g, time_limit, start
    )


def _max_cut_brute(g: Graph, time_limit: float | None, start: float) -> SourceSolution:
    u = np.array([e[0] for e in g.edges])
    v = np.array([e[1] for e in g.edges])
    w = np.array([g.weight(e) for e in range(g.m)], dtype=np.int64)
    total = 2 ** (g.n - 1)
    best, best_mask = -1, 0
    over = _deadline(start, time_limit)
    done = True
    for lo in range(0, total, _CHUNK):
        bits = _bits(lo, min(total, lo + _CHUNK), g.n)  # vertex n-1 has bit 0 throughout
        cut = ((bits[:, u] ^ bits[:, v]).astype(np.int64) * w).sum(axis=1)
        i = int(np.argmax(cut))
        if int(cut[i]) > best:
            best, best_mask = int(cut[i]), lo + i
        if over():
            done = False
            break
    side = tuple(x for x in range(g.n) if (best_mask >> x) & 1)
    return _finish(
        g.cut_value(side),
        side,
        "optimal" if done else "feasible",
        "brute",
        start,
        best if done else None,
        None,
    )


def _max_cut_cpsat(g: Graph, time_limit: float | None, start: float) -> SourceSolution:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{v}") for v in range(g.n)]
    model.add(x[g.n - 1] == 0)
    y = []
    for e, (a, b) in enumerate(g.edges):
        ye = model.new_bool_var(f"y{e}")
        # y_e ≤ x_a XOR x_b, written as two clauses; the maximisation makes it tight
        model.add_bool_or([x[a], x[b], ye.Not()])
        model.add_bool_or([x[a].Not(), x[b].Not(), ye.Not()])
        y.append(ye)
    model.maximize(sum(g.weight(e) * y[e] for e in range(g.m)))
    solver = _cpsat_solver(time_limit)
    status = _cpsat_status(solver.solve(model))
    if status in ("optimal", "feasible"):
        side = tuple(v for v in range(g.n) if solver.boolean_value(x[v]))
        backend = solver.objective_value
    else:
        side, backend = (), None
    bound = math.floor(solver.best_objective_bound + 1e-6) if status != "unknown" else None
    return _finish(g.cut_value(side), side, status, "cpsat", start, backend, bound)


def _max_cut_scip(g: Graph, time_limit: float | None, start: float) -> SourceSolution:
    model = _scip_model(time_limit)
    x = [model.addVar(f"x{v}", vtype="B") for v in range(g.n)]
    model.addCons(x[g.n - 1] == 0)
    y = []
    for e, (a, b) in enumerate(g.edges):
        ye = model.addVar(f"y{e}", vtype="B")
        model.addCons(ye <= x[a] + x[b])
        model.addCons(ye <= 2 - x[a] - x[b])
        y.append(ye)
    model.setObjective(sum(g.weight(e) * y[e] for e in range(g.m)), "maximize")
    model.optimize()
    status = _scip_status(model)
    if status in ("optimal", "feasible"):
        sol = model.getBestSol()
        side = tuple(v for v in range(g.n) if model.getSolVal(sol, x[v]) > 0.5)
        backend = model.getObjVal()
    else:
        side, backend = (), None
    return _finish(g.cut_value(side), side, status, "scip", start, backend, _scip_bound(model))


# --------------------------------------------------------------------------- DkS
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
    return {"brute": _dks_brute, "cpsat": _dks_cpsat, "scip": _dks_scip}[method](
        g, kappa, time_limit, start
    )


def _dks_brute(g: Graph, kappa: int, time_limit: float | None, start: float) -> SourceSolution:
    W = np.zeros((g.n, g.n), dtype=np.int64)
    for e, (a, b) in enumerate(g.edges):
        W[a, b] = W[b, a] = g.weight(e)
    combos = itertools.combinations(range(g.n), kappa)
    best, best_set = -1, tuple(range(kappa))
    over = _deadline(start, time_limit)
    done = True
    while True:
        chunk = list(itertools.islice(combos, _CHUNK // max(1, kappa)))
        if not chunk:
            break
        c = np.array(chunk, dtype=np.int64)
        vals = W[c[:, :, None], c[:, None, :]].sum(axis=(1, 2)) // 2
        i = int(np.argmax(vals))
        if int(vals[i]) > best:
            best, best_set = int(vals[i]), tuple(chunk[i])
        if over():
            done = False
            break
    return _finish(
        g.induced_edges(best_set),
        best_set,
        "optimal" if done else "feasible",
        "brute",
        start,
        best if done else None,
        None,
    )


def _dks_cpsat(g: Graph, kappa: int, time_limit: float | None, start: float) -> SourceSolution:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{v}") for v in range(g.n)]
    model.add(sum(x) == kappa)
    y = []
    incident: list[list] = [[] for _ in range(g.n)]
    for e, (a, b) in enumerate(g.edges):
        ye = model.new_bool_var(f"y{e}")
        model.add_implication(ye, x[a])
        model.add_implication(ye, x[b])
        incident[a].append(ye)
        incident[b].append(ye)
        y.append(ye)
    # degree cuts: a chosen vertex has at most κ−1 chosen neighbours, an unchosen one none;
    # they make the LP relaxation tight enough to prove optimality quickly (docs/solvers.md)
    for v in range(g.n):
        if len(incident[v]) > kappa - 1:
            model.add(sum(incident[v]) <= (kappa - 1) * x[v])
    if g.m > kappa * (kappa - 1) // 2:
        model.add(sum(y) <= kappa * (kappa - 1) // 2)
    model.maximize(sum(g.weight(e) * y[e] for e in range(g.m)))
    solver = _cpsat_solver(time_limit)
    status = _cpsat_status(solver.solve(model))
    if status in ("optimal", "feasible"):
        chosen = tuple(v for v in range(g.n) if solver.boolean_value(x[v]))
        backend = solver.objective_value
    else:
        chosen, backend = tuple(range(kappa)), None
    bound = math.floor(solver.best_objective_bound + 1e-6) if status != "unknown" else None
    return _finish(g.induced_edges(chosen), chosen, status, "cpsat", start, backend, bound)


def _dks_scip(g: Graph, kappa: int, time_limit: float | None, start: float) -> SourceSolution:
    model = _scip_model(time_limit)
    x = [model.addVar(f"x{v}", vtype="B") for v in range(g.n)]
    model.addCons(sum(x) == kappa)
    y = []
    incident: list[list] = [[] for _ in range(g.n)]
    for e, (a, b) in enumerate(g.edges):
        ye = model.addVar(f"y{e}", vtype="B")
        model.addCons(ye <= x[a])
        model.addCons(ye <= x[b])
        incident[a].append(ye)
        incident[b].append(ye)
        y.append(ye)
    for v in range(g.n):
        if len(incident[v]) > kappa - 1:
            model.addCons(sum(incident[v]) <= (kappa - 1) * x[v])
    if g.m > kappa * (kappa - 1) // 2:
        model.addCons(sum(y) <= kappa * (kappa - 1) // 2)
    model.setObjective(sum(g.weight(e) * y[e] for e in range(g.m)), "maximize")
    model.optimize()
    status = _scip_status(model)
    if status in ("optimal", "feasible"):
        sol = model.getBestSol()
        chosen = tuple(v for v in range(g.n) if model.getSolVal(sol, x[v]) > 0.5)
        backend = model.getObjVal()
    else:
        chosen, backend = tuple(range(kappa)), None
    return _finish(
        g.induced_edges(chosen), chosen, status, "scip", start, backend, _scip_bound(model)
    )


# --------------------------------------------------------------------------- Max-SAT
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
    return {"brute": _max_sat_brute, "cpsat": _max_sat_cpsat, "scip": _max_sat_scip}[method](
        cnf, time_limit, start
    )


def _max_sat_brute(cnf: CNF, time_limit: float | None, start: float) -> SourceSolution:
    V = cnf.num_vars
    total = 2**V
    w = np.array([cnf.weight(i) for i in range(cnf.m)], dtype=np.int64)
    best, best_mask = -1, 0
    over = _deadline(start, time_limit)
    done = True
    for lo in range(0, total, _CHUNK):
        bits = _bits(lo, min(total, lo + _CHUNK), V).astype(bool)
        score = np.zeros(bits.shape[0], dtype=np.int64)
        for i, clause in enumerate(cnf.clauses):
            sat = np.zeros(bits.shape[0], dtype=bool)
            for lit in clause:
                col = bits[:, abs(lit) - 1]
                sat |= col if lit > 0 else ~col
            score += w[i] * sat
        i = int(np.argmax(score))
        if int(score[i]) > best:
            best, best_mask = int(score[i]), lo + i
        if over():
            done = False
            break
    cert = tuple(bool((best_mask >> v) & 1) for v in range(V))
    return _finish(
        cnf.satisfied(cert),
        cert,
        "optimal" if done else "feasible",
        "brute",
        start,
        best if done else None,
        None,
    )


def _max_sat_cpsat(cnf: CNF, time_limit: float | None, start: float) -> SourceSolution:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{v + 1}") for v in range(cnf.num_vars)]

    def lit(t: int):
        return x[t - 1] if t > 0 else x[-t - 1].Not()

    s = []
    for i, clause in enumerate(cnf.clauses):
        si = model.new_bool_var(f"s{i}")
        # s_i ⇒ clause i satisfied
        model.add_bool_or([lit(t) for t in clause] + [si.Not()])
        s.append(si)
    model.maximize(sum(cnf.weight(i) * s[i] for i in range(cnf.m)))
    solver = _cpsat_solver(time_limit)
    status = _cpsat_status(solver.solve(model))
    if status in ("optimal", "feasible"):
        cert = tuple(bool(solver.boolean_value(v)) for v in x)
        backend = solver.objective_value
    else:
        cert, backend = (False,) * cnf.num_vars, None
    bound = math.floor(solver.best_objective_bound + 1e-6) if status != "unknown" else None
    return _finish(cnf.satisfied(cert), cert, status, "cpsat", start, backend, bound)


def _max_sat_scip(cnf: CNF, time_limit: float | None, start: float) -> SourceSolution:
    model = _scip_model(time_limit)
    x = [model.addVar(f"x{v + 1}", vtype="B") for v in range(cnf.num_vars)]
    s = []
    for i, clause in enumerate(cnf.clauses):
        si = model.addVar(f"s{i}", vtype="B")
        model.addCons(si <= sum(x[t - 1] if t > 0 else 1 - x[-t - 1] for t in clause))
        s.append(si)
    model.setObjective(sum(cnf.weight(i) * s[i] for i in range(cnf.m)), "maximize")
    model.optimize()
    status = _scip_status(model)
    if status in ("optimal", "feasible"):
        sol = model.getBestSol()
        cert = tuple(model.getSolVal(sol, v) > 0.5 for v in x)
        backend = model.getObjVal()
    else:
        cert, backend = (False,) * cnf.num_vars, None
    return _finish(cnf.satisfied(cert), cert, status, "scip", start, backend, _scip_bound(model))


# --------------------------------------------------------------------------- colouring
def is_proper_colouring(h: Hypergraph | Graph, k: int, colouring: Sequence[int]) -> bool:
    """Whether ``colouring`` gives every vertex a colour in ``0..k−1`` and no hyperedge is
    monochromatic."""
    if len(colouring) != h.n or any(not 0 <= c < k for c in colouring):
        return False
    return all(len({colouring[v] for v in e}) > 1 for e in h.edges)


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
    return {"brute": _col_brute, "cpsat": _col_cpsat, "scip": _col_scip}[method](
        hg, k, time_limit, start
    )


def _col_result(hg: Hypergraph, k: int, status: str, cert: tuple, method: str, start: float):
    if cert:
        if not is_proper_colouring(hg, k, cert):
            raise RuntimeError(f"{method}: returned colouring {cert} is not proper (a bug)")
        return SourceSolution(1, cert, True, method, time.perf_counter() - start, 1)
    if status == "infeasible":
        return SourceSolution(0, (), True, method, time.perf_counter() - start, 0)
    return SourceSolution(0, (), False, method, time.perf_counter() - start, None)


def _col_brute(hg: Hypergraph, k: int, time_limit: float | None, start: float) -> SourceSolution:
    # vertex 0 gets colour 0 (colours are interchangeable); digits base k for vertices 1..n-1
    total = k ** (hg.n - 1)
    powers = k ** np.arange(hg.n - 1, dtype=np.int64)
    over = _deadline(start, time_limit)
    for lo in range(0, total, _CHUNK):
        idx = np.arange(lo, min(total, lo + _CHUNK), dtype=np.int64)
        col = np.zeros((idx.size, hg.n), dtype=np.int64)
        col[:, 1:] = (idx[:, None] // powers) % k
        ok = np.ones(idx.size, dtype=bool)
        for e in hg.edges:
            first = col[:, e[0]]
            mono = np.ones(idx.size, dtype=bool)
            for v in e[1:]:
                mono &= col[:, v] == first
            ok &= ~mono
        hits = np.flatnonzero(ok)
        if hits.size:
            return _col_result(
                hg, k, "feasible", tuple(int(c) for c in col[hits[0]]), "brute", start
            )
        if over():
            return _col_result(hg, k, "unknown", (), "brute", start)
    return _col_result(hg, k, "infeasible", (), "brute", start)


def _available(v: int, k: int) -> range:
    # symmetry breaking: relabel colours by first occurrence, so vertex v uses a colour ≤ v
    return range(min(k, v + 1))


def _col_cpsat(hg: Hypergraph, k: int, time_limit: float | None, start: float) -> SourceSolution:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [{c: model.new_bool_var(f"x{v}_{c}") for c in _available(v, k)} for v in range(hg.n)]
    for v in range(hg.n):
        model.add_exactly_one(list(x[v].values()))
        # first-occurrence order: colour c ≥ 1 at v needs colour c−1 at some earlier vertex
        for c in x[v]:
            if c >= 1:
                earlier = [x[u][c - 1] for u in range(v) if c - 1 in x[u]]
                model.add_bool_or([*earlier, x[v][c].Not()])
    for e in hg.edges:
        for c in range(k):
            if all(c in x[v] for v in e):
                model.add_bool_or([x[v][c].Not() for v in e])
    solver = _cpsat_solver(time_limit)
    status = _cpsat_status(solver.solve(model))
    cert: tuple = ()
    if status in ("optimal", "feasible"):
        cert = tuple(
            next(c for c, b in x[v].items() if solver.boolean_value(b)) for v in range(hg.n)
        )
    return _col_result(hg, k, status, cert, "cpsat", start)


def _col_scip(hg: Hypergraph, k: int, time_limit: float | None, start: float) -> SourceSolution:
    model = _scip_model(time_limit)
    x = [{c: model.addVar(f"x{v}_{c}", vtype="B") for c in _available(v, k)} for v in range(hg.n)]
    for v in range(hg.n):
        model.addCons(sum(x[v].values()) == 1)
        for c in x[v]:
            if c >= 1:
                model.addCons(x[v][c] <= sum(x[u][c - 1] for u in range(v) if c - 1 in x[u]))
    for e in hg.edges:
        for c in range(k):
            if all(c in x[v] for v in e):
                model.addCons(sum(x[v][c] for v in e) <= len(e) - 1)
    model.optimize()
    status = _scip_status(model)
    cert: tuple = ()
    if status in ("optimal", "feasible"):
        sol = model.getBestSol()
        cert = tuple(
            next(c for c, b in x[v].items() if model.getSolVal(sol, b) > 0.5) for v in range(hg.n)
        )
    return _col_result(hg, k, status, cert, "scip", start)


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
