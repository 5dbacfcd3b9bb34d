"""The 0/1 models of :mod:`.cpsat` as integer programs, solved by SCIP (PySCIPOpt).

The functions take the same arguments as their CP-SAT counterparts.
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

__all__ = ["colourable", "densest_subgraph", "max_cut", "max_sat"]


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


def _maximise(
    model: Any,
    start: float,
    read: Callable[[Any], tuple],
    fallback: tuple,
    value: Callable[[tuple], int],
) -> SourceSolution:
    """Optimise ``model`` (a maximisation); ``read`` takes SCIP's best solution."""
    model.optimize()
    status = _scip_status(model)
    cert, backend = _incumbent(status, lambda: read(model.getBestSol()), model.getObjVal, fallback)
    return _finish(value(cert), cert, status, "scip", start, backend, _scip_bound(model))


def max_cut(g: Graph, time_limit: float | None, start: float) -> SourceSolution:
    """Max-Cut: y_uv ≤ x_u + x_v and y_uv ≤ 2 − x_u − x_v."""
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

    def side(sol: Any) -> tuple:
        return tuple(v for v in range(g.n) if model.getSolVal(sol, x[v]) > 0.5)

    return _maximise(model, start, side, (), g.cut_value)


def densest_subgraph(
    g: Graph, kappa: int, time_limit: float | None, start: float
) -> SourceSolution:
    """Densest κ-subgraph: Σ x_v = κ, y_uv ≤ x_u, y_uv ≤ x_v, degree cuts."""
    model = _scip_model(time_limit)
    x = [model.addVar(f"x{v}", vtype="B") for v in range(g.n)]
    model.addCons(sum(x) == kappa)
    y = []
    for e, (a, b) in enumerate(g.edges):
        ye = model.addVar(f"y{e}", vtype="B")
        model.addCons(ye <= x[a])
        model.addCons(ye <= x[b])
        y.append(ye)
    for terms, xv in _degree_cuts(g, kappa, x, y):
        model.addCons(sum(terms) <= (kappa - 1) * xv)
    if g.m > kappa * (kappa - 1) // 2:
        model.addCons(sum(y) <= kappa * (kappa - 1) // 2)
    model.setObjective(sum(g.weight(e) * y[e] for e in range(g.m)), "maximize")

    def chosen(sol: Any) -> tuple:
        return tuple(v for v in range(g.n) if model.getSolVal(sol, x[v]) > 0.5)

    return _maximise(model, start, chosen, tuple(range(kappa)), g.induced_edges)


def max_sat(cnf: CNF, time_limit: float | None, start: float) -> SourceSolution:
    """Max-SAT: s_C ≤ Σ_{ℓ ∈ C} ℓ with ¬x = 1 − x."""
    model = _scip_model(time_limit)
    x = [model.addVar(f"x{v + 1}", vtype="B") for v in range(cnf.num_vars)]
    s = []
    for i, clause in enumerate(cnf.clauses):
        si = model.addVar(f"s{i}", vtype="B")
        model.addCons(si <= sum(x[t - 1] if t > 0 else 1 - x[-t - 1] for t in clause))
        s.append(si)
    model.setObjective(sum(cnf.weight(i) * s[i] for i in range(cnf.m)), "maximize")

    def assignment(sol: Any) -> tuple:
        return tuple(model.getSolVal(sol, v) > 0.5 for v in x)

    return _maximise(model, start, assignment, (False,) * cnf.num_vars, cnf.satisfied)


def colourable(hg: Hypergraph, k: int, time_limit: float | None, start: float) -> SourceSolution:
    """k-colourability: no monochromatic hyperedge, colours by first occurrence."""
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
