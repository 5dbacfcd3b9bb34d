"""The boolean models solved by OR-Tools CP-SAT (one worker, LP relaxation at full strength).

Each function builds its model from a validated instance and takes the time limit and the start
time of the solve; the public entry points in :mod:`reductions.sources.solvers` validate, pick
the method and handle the trivial instances.  The models are described in ``docs/sources.md``
(*Models*).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from reductions.sources.solvers.common import (
    SourceSolution,
    _available,
    _col_result,
    _degree_cuts,
    _finish,
    _incumbent,
)
from reductions.sources.types import CNF, Graph, Hypergraph

__all__ = ["CPSAT_PARAMETERS", "colourable", "densest_subgraph", "max_cut", "max_sat"]

#: CP-SAT parameters of every model.  One worker with the LP relaxation at full strength: on 2
#: shared cores several workers run no LP-based subsolver and are much slower (docs/sources.md,
#: *Which model*; ``benchmarks/sources.py --cpsat-variants`` measures the alternatives).
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


def _maximise(
    model: Any,
    time_limit: float | None,
    start: float,
    read: Callable[[Any], tuple],
    fallback: tuple,
    value: Callable[[tuple], int],
) -> SourceSolution:
    """Solve a maximisation; the certificate is ``read(solver)`` when a solution was found,
    else ``fallback``, and its ``value`` is recomputed by our code."""
    solver = _cpsat_solver(time_limit)
    status = _cpsat_status(solver.solve(model))
    cert, backend = _incumbent(
        status, lambda: read(solver), lambda: solver.objective_value, fallback
    )
    bound = math.floor(solver.best_objective_bound + 1e-6) if status != "unknown" else None
    return _finish(value(cert), cert, status, "cpsat", start, backend, bound)


def max_cut(g: Graph, time_limit: float | None, start: float) -> SourceSolution:
    """Max-Cut: side variables x_v (x_{n−1} = 0) and cut-edge indicators y_e."""
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

    def side(solver: Any) -> tuple:
        return tuple(v for v in range(g.n) if solver.boolean_value(x[v]))

    return _maximise(model, time_limit, start, side, (), g.cut_value)


def densest_subgraph(
    g: Graph, kappa: int, time_limit: float | None, start: float
) -> SourceSolution:
    """Densest κ-subgraph: Σ x_v = κ, y_e ⇒ both ends chosen, degree cuts."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{v}") for v in range(g.n)]
    model.add(sum(x) == kappa)
    y = []
    for e, (a, b) in enumerate(g.edges):
        ye = model.new_bool_var(f"y{e}")
        model.add_implication(ye, x[a])
        model.add_implication(ye, x[b])
        y.append(ye)
    for terms, xv in _degree_cuts(g, kappa, x, y):
        model.add(sum(terms) <= (kappa - 1) * xv)
    if g.m > kappa * (kappa - 1) // 2:
        model.add(sum(y) <= kappa * (kappa - 1) // 2)
    model.maximize(sum(g.weight(e) * y[e] for e in range(g.m)))

    def chosen(solver: Any) -> tuple:
        return tuple(v for v in range(g.n) if solver.boolean_value(x[v]))

    return _maximise(model, time_limit, start, chosen, tuple(range(kappa)), g.induced_edges)


def max_sat(cnf: CNF, time_limit: float | None, start: float) -> SourceSolution:
    """Max-SAT: one satisfaction indicator per clause, s_C ⇒ C."""
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

    def assignment(solver: Any) -> tuple:
        return tuple(bool(solver.boolean_value(v)) for v in x)

    return _maximise(model, time_limit, start, assignment, (False,) * cnf.num_vars, cnf.satisfied)


def colourable(hg: Hypergraph, k: int, time_limit: float | None, start: float) -> SourceSolution:
    """k-colourability with colours ordered by first occurrence (no objective)."""
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
