"""The enumeration benchmark's Gurobi peer: exactfit's SOS1 sign models, stated in gurobipy.

Gurobi is a peer for the benchmark only, never a dependency of exactfit: this module is
imported by ``benchmarks/enumeration.py`` when ``gurobipy`` is importable.  The model is the
one of :mod:`exactfit.solvers.scip` (see its docstring): one model per output-sign vector
``a`` of :meth:`FitProblem.sign_vectors`, solved in turn with the best loss so far as the
objective cut-off, in the units of :func:`exactfit.solvers.scip.data_scale`,

    minimise    Σ_i c_i (Σ_j a_j p_ij − y_i)²          (Gurobi takes the quadratic objective)
    subject to  p_ij − q_ij = w_j·x_i + b_j,  p_ij, q_ij ≥ 0,  SOS1(p_ij, q_ij)
                order(unit j) ≥ order(unit j+1)        (equal signs; exactfit's symmetry rows)
                p_ij ≤ s·y_i + √(L0/c_i)               (all signs equal s; SCIP's proven cap)

with exactfit's gap limits (half of what :func:`exactfit.result.finalize` accepts), feasibility
tolerance 1e-8, one thread.  Gurobi's answer is polished as SCIP's is (the better of its point
and the least-squares refit on its activation pattern) and its loss recomputed by exactfit.
"Optimal" here is Gurobi's floating-point word, not an exactfit proof: the benchmark uses it
only to compare optima.  The pip licence is size-limited (about 200 variables; this model has
``k·(2n + d + 1)``): a larger model is reported as skipped, not run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from exactfit.problem import FitProblem, loss
from exactfit.result import OPT_ATOL, OPT_RTOL
from exactfit.solvers._common import symmetry_pairs
from exactfit.solvers.scip import _polish, data_scale

__all__ = ["PeerResult", "solve_gurobi"]

#: Gurobi's error number for a model beyond the size-limited licence.
_TOO_LARGE = 10010


@dataclass(frozen=True)
class PeerResult:
    """One Gurobi solve: the recomputed loss of its polished network (None: no network),
    whether every sign model finished (Gurobi's tolerance), the wall time, and a note saying
    why it did not run or finish ("" otherwise)."""

    objective: float | None
    optimal: bool
    seconds: float
    note: str = ""


def solve_gurobi(problem: FitProblem, env: Any, time_limit: float | None) -> PeerResult:
    """Solve ``problem`` by the SOS1 sign models in Gurobi (``env``: a started ``gurobipy.Env``)."""
    import gurobipy as gp

    if problem.weight_bound is not None:
        raise ValueError("the Gurobi peer does not model a weight bound")
    began = time.perf_counter()
    best, optimal, note = math.inf, True, ""
    best_net = None
    for signs in problem.sign_vectors():
        left = None if time_limit is None else time_limit - (time.perf_counter() - began)
        if left is not None and left <= 0:
            optimal, note = False, "time limit"
            break
        try:
            status, net = _solve_signs(gp, env, problem, signs, left, best)
        except gp.GurobiError as exc:
            if exc.errno != _TOO_LARGE:
                raise
            size = problem.units * (2 * problem.n + problem.d + int(problem.bias))
            return PeerResult(None, False, 0.0, f"skipped: {size} variables, size-limited licence")
        if status not in (gp.GRB.OPTIMAL, gp.GRB.CUTOFF):
            optimal = False
            note = "time limit" if status == gp.GRB.TIME_LIMIT else f"Gurobi status {status}"
        if net is not None and (value := loss(problem, net)) < best:
            best, best_net = value, net
    objective = None if best_net is None else float(best)
    return PeerResult(objective, optimal, time.perf_counter() - began, note)


def _solve_signs(
    gp: Any,
    env: Any,
    problem: FitProblem,
    signs: tuple[int, ...],
    time_limit: float | None,
    cutoff: float,
) -> tuple[int, Any]:
    """Build and solve the model for ``signs``: (Gurobi's status, polished network or None)."""
    n, d, k = problem.n, problem.d, problem.units
    X, c = problem.Xf, problem.cf
    lam = data_scale(problem)
    y = problem.yf * lam
    m = gp.Model(env=env)
    m.Params.Threads = 1
    m.Params.MIPGap = OPT_RTOL / 2
    m.Params.MIPGapAbs = OPT_ATOL / 2
    m.Params.FeasibilityTol = 1e-8
    if time_limit is not None:
        m.Params.TimeLimit = max(time_limit, 1e-3)
    if math.isfinite(cutoff):
        m.Params.Cutoff = cutoff * lam * lam
    free = -gp.GRB.INFINITY
    W = [[m.addVar(lb=free) for _ in range(d)] for _ in range(k)]
    B = [m.addVar(lb=free) if problem.bias else None for _ in range(k)]
    same = len(set(signs)) == 1
    L0 = float(problem.null_loss())
    f = []
    for i in range(n):
        cap = gp.GRB.INFINITY
        if same:  # SCIP's output cap (exactfit.solvers._scip_model._output_cap), rounded outward
            cap = max(0.0, lam * (signs[0] * problem.yf[i] + math.sqrt(L0 / c[i])) * (1 + 1e-9))
            cap += 1e-9
        out = 0
        for j in range(k):
            p = m.addVar(lb=0.0, ub=cap)
            q = m.addVar(lb=0.0)
            pre = gp.quicksum(float(X[i, l]) * W[j][l] for l in range(d))
            m.addConstr(p - q == (pre + B[j] if B[j] is not None else pre))
            m.addSOS(gp.GRB.SOS_TYPE1, [p, q])
            out = out + signs[j] * p
        f.append(out)
    for _, first, second in symmetry_pairs(problem, signs, W, B):
        m.addConstr(first >= second)
    m.setObjective(gp.quicksum(float(c[i]) * (f[i] - float(y[i])) ** 2 for i in range(n)))
    m.optimize()
    if m.SolCount == 0:
        return m.Status, None
    wv = [[W[j][l].X / lam for l in range(d)] for j in range(k)]
    bv = [B[j].X / lam if B[j] is not None else 0.0 for j in range(k)]
    return m.Status, _polish(problem, signs, wv, bv)
