"""Mixed-integer QP through SCIP (PySCIPOpt), with no big-M.

Model
-----
For a fixed sign vector ``a ∈ {±1}^k`` (one SCIP model per vector, see
:meth:`FitProblem.sign_vectors`), with lifted points ``z_i`` (``(x_i, 1)`` with a bias):

    minimise    Σ_i t_i
    subject to  p_ij − q_ij = w_j·z_i              (pre-activation split into ± parts)
                p_ij, q_ij ≥ 0,  SOS1(p_ij, q_ij)   (at most one non-zero: p_ij = σ(w_j·z_i))
                r_i = Σ_j a_j p_ij − y_i
                t_i ≥ c_i r_i²                      (epigraph rows: no quadratic objective in SCIP)
                ‖w_j‖² ≤ B²                        (only with a weight bound; convex)
                order(unit j) ≥ order(unit j+1)     (symmetry breaking among units of equal sign)
                Σ_j p_ij ≤ s·y_i + √(L0/c_i)         (when all signs equal s; L0 = Σ c y², proven)

SOS1 complementarity states ``p_ij = σ(w_j·z_i)`` exactly with no bound on the weights, so no
big-M constant is needed (an invalid M silently produces a wrong "optimum").  The alternative
``formulation="indicator"`` uses a binary ``s_ij`` with indicator constraints ``s_ij = 1 ⇒
q_ij ≤ 0`` and ``s_ij = 0 ⇒ p_ij ≤ 0``; SOS1 was 5-10× faster in SCIP on the reference data.

Symmetry breaking is valid because units with the same output sign are interchangeable: any
network can be permuted so that the biases (or, bias-free, the first weights) of equal-sign
units are non-increasing.

Certification
-------------
The returned network's loss is recomputed exactly by :func:`exactfit.result.finalize`.  The
bound is the minimum over sign models of SCIP's dual bound; a model stopped by the objective
cut-off (the incumbent from earlier models) proves the bound "≥ incumbent"; a model never
started contributes the trivial bound 0.  OPTIMAL only when every model finished and the bound
meets the recomputed loss.  ``numerics/feastol`` is 1e-8 (see DEFAULT_FEASTOL) because at
SCIP's default (1e-6) the epigraph row absorbs slack and the reported objective can be 1e-6
relative below the true loss.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from exactfit.errors import InputError
from exactfit.problem import FitProblem, ReluNetwork, Unit, clip_to_bound, loss
from exactfit.result import OPT_ATOL, OPT_RTOL, Limit, Result, Status, finalize

__all__ = ["SCIP_STATUS", "ScipSolver"]

#: Every status string PySCIPOpt's ``Model.getStatus()`` can return, mapped to
#: (finished proof?, limit that stopped it).  ``infeasible`` only happens under our objective
#: cut-off (the zero network is always feasible); anything not listed becomes ERROR.
SCIP_STATUS: dict[str, tuple[bool, Limit | None]] = {
    "optimal": (True, None),
    "gaplimit": (True, None),  # limits/gap is 0: finalize re-checks that the bound meets
    "infeasible": (True, None),
    "timelimit": (False, Limit.TIME),
    "nodelimit": (False, Limit.NODES),
    "totalnodelimit": (False, Limit.NODES),
    "stallnodelimit": (False, Limit.NODES),
    "memlimit": (False, Limit.BUDGET),
    "sollimit": (False, Limit.BUDGET),
    "bestsollimit": (False, Limit.BUDGET),
    "restartlimit": (False, Limit.BUDGET),
    "primallimit": (False, Limit.BUDGET),
    "duallimit": (False, Limit.BUDGET),
    "userinterrupt": (False, Limit.INTERRUPT),
    "terminate": (False, Limit.INTERRUPT),
}
_IMPOSSIBLE = {"unbounded", "inforunbd"}  # the loss is bounded below by 0

#: Feasibility tolerance.  SCIP's default 1e-6 lets the epigraph row absorb slack (objective up
#: to 1.3e-6 relative below the true loss).  1e-9 is accurate but pathological here: on an n = 8
#: instance SCIP explored 468k nodes and then failed with "unresolved numerical troubles in LP",
#: while at 1e-8 it proved optimality in 14 nodes.  1e-8 keeps the error near 1e-8 relative, inside
#: the 1e-7 rule of exactfit.result, and the polished primal point is refit exactly.
DEFAULT_FEASTOL = {"sos1": 1e-8, "indicator": 1e-8}

#: The model measures the loss in units where the zero network's loss Σ c y² equals this.
#: SCIP's tolerances are absolute below magnitude 1, so an optimum of 0.03 carried an error of
#: 3e-7 relative at feastol 1e-8; at this scale the error is ~1e-8 relative for any optimum
#: above 1e-6 of the zero network's loss, and below 1e-14·Σcy² absolute otherwise.
LOSS_SCALE = 1e6

_OPTIONS = {"formulation", "feastol", "node_limit", "seed", "verbose", "progress"}


class ScipSolver:
    """MIQP with SOS1 (or indicator) complementarity, solved by SCIP."""

    name = "scip"

    def unsupported(self, problem: FitProblem) -> str | None:
        return None

    def solve(
        self, problem: FitProblem, *, time_limit: float | None = None, **options: Any
    ) -> Result:
        """Solve ``problem``; see the module docstring for the model and the status rules.

        Options: ``formulation`` ("sos1" | "indicator"), ``feastol`` (default 1e-8),
        ``node_limit``, ``seed``, ``verbose``.
        """
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise InputError(
                f"scip: unknown option {unknown[0]!r}; scip takes {sorted(_OPTIONS - {'progress'})}"
            )
        formulation = options.get("formulation", "sos1")
        if formulation not in ("sos1", "indicator"):
            raise InputError(
                f"scip: formulation must be 'sos1' or 'indicator', found {formulation!r}"
            )
        if time_limit is not None and not (time_limit > 0):
            raise InputError(f"time limit must be positive seconds, found {time_limit!r}")
        start = time.perf_counter()
        deadline = None if time_limit is None else start + time_limit

        best_net: ReluNetwork | None = None
        best_val = math.inf
        bounds: list[float] = []
        all_proven = True
        limit: Limit | None = None
        raw: list[str] = []
        nodes = 0
        for signs in problem.sign_vectors():
            remaining = None if deadline is None else deadline - time.perf_counter()
            if limit is not None or (remaining is not None and remaining <= 0):
                # Not explored: only the trivial bound (the loss is a sum of squares).
                bounds.append(0.0)
                all_proven = False
                limit = limit or Limit.TIME
                continue
            if best_val == 0.0:
                bounds.append(0.0)  # an exact fit is already optimal
                continue
            feastol = float(options.get("feastol", DEFAULT_FEASTOL[formulation]))
            out = _solve_signs(problem, signs, remaining, best_val, formulation, feastol, options)
            if out["status"].startswith("exception") and "feastol" not in options:
                # SCIP's LP occasionally fails with "unresolved numerical troubles" at a tight
                # feasibility tolerance; retry once 10x looser (finalize still checks the bound).
                raw.append(out["status"])
                remaining = None if deadline is None else deadline - time.perf_counter()
                if remaining is None or remaining > 0:
                    out = _solve_signs(
                        problem, signs, remaining, best_val, formulation, 10 * feastol, options
                    )
            raw.append(out["status"])
            nodes += out["nodes"]
            if out["status"] in _IMPOSSIBLE or out["status"] not in SCIP_STATUS:
                why = f"SCIP returned status {out['status']!r} for signs {signs}"
                return self._error(start, raw, nodes, why)
            proven, lim = SCIP_STATUS[out["status"]]
            all_proven &= proven
            if lim is not None:
                limit = lim
            net = out["network"]
            if net is not None:
                val = loss(problem, net)
                if val < best_val:
                    best_val, best_net = val, net
            if out["status"] == "infeasible":
                if not math.isfinite(out["cutoff"]):
                    why = "SCIP declared the fitting model infeasible without a cut-off"
                    return self._error(start, raw, nodes, why)
                bounds.append(out["cutoff"])
            else:
                bounds.append(out["dual"])
        if best_net is None:
            # The zero network is always in the class: a stopped run still has an incumbent.
            best_net = _network(
                problem,
                problem.sign_vectors()[0],
                [[0.0] * problem.d] * problem.units,
                [0.0] * problem.units,
            )
        bound = min(bounds) if bounds else None
        if bound is not None and not math.isfinite(bound):
            bound = None
        if bound is not None:
            bound = max(bound, 0.0)
        wall = time.perf_counter() - start
        stats = {
            "scip_status": raw,
            "nodes": nodes,
            "formulation": formulation,
            "sign_models": len(problem.sign_vectors()),
        }
        return finalize(
            problem,
            best_net,
            bound=bound,
            solver=self.name,
            wall_s=wall,
            proven=all_proven and limit is None,
            limit=limit,
            stats=stats,
        )

    def _error(self, start: float, raw: list[str], nodes: int, message: str) -> Result:
        """An ERROR result that keeps SCIP's raw statuses (no network: nothing is claimed)."""
        wall = time.perf_counter() - start
        stats = {"scip_status": raw, "nodes": nodes}
        return Result(Status.ERROR, None, None, None, self.name, wall, stats=stats, message=message)


def _solve_signs(
    problem: FitProblem,
    signs: tuple[int, ...],
    time_limit: float | None,
    cutoff: float,
    formulation: str,
    feastol: float,
    options: dict[str, Any],
) -> dict[str, Any]:
    from pyscipopt import Model, quicksum

    m = Model("exactfit")
    if not options.get("verbose"):
        m.hideOutput()
    m.setParam("numerics/feastol", feastol)
    # Stop at half the gap that exactfit.result accepts as OPTIMAL (finalize re-checks it);
    # closing the gap to 0 cost SCIP 10^5 nodes on the last 1e-8.
    m.setParam("limits/gap", OPT_RTOL / 2)
    m.setParam("limits/absgap", OPT_ATOL / 2)
    if time_limit is not None:
        m.setParam("limits/time", max(float(time_limit), 1e-3))
    if options.get("node_limit") is not None:
        m.setParam("limits/nodes", int(options["node_limit"]))
    if options.get("seed") is not None:
        m.setParam("randomization/randomseedshift", int(options["seed"]))

    n, d, k = problem.n, problem.d, problem.units
    X, c = problem.Xf, problem.cf
    # Work in units where the zero network's loss is LOSS_SCALE (see there); f scales by lam.
    L0 = float(problem.null_loss())
    lam = math.sqrt(LOSS_SCALE / L0) if L0 > 0 else 1.0
    y = problem.yf * lam
    W = [[m.addVar(f"w{j}_{l}", lb=None) for l in range(d)] for j in range(k)]
    B = [m.addVar(f"b{j}", lb=None) if problem.bias else None for j in range(k)]
    P = [
        [m.addVar(f"p{i}_{j}", lb=0.0, ub=_output_cap(problem, signs, i, lam)) for j in range(k)]
        for i in range(n)
    ]
    Q = [[m.addVar(f"q{i}_{j}", lb=0.0) for j in range(k)] for i in range(n)]
    for i in range(n):
        for j in range(k):
            pre = quicksum(float(X[i, l]) * W[j][l] for l in range(d) if X[i, l] != 0.0)
            if B[j] is not None:
                pre = pre + B[j]
            m.addCons(P[i][j] - Q[i][j] == pre)
            if formulation == "sos1":
                m.addConsSOS1([P[i][j], Q[i][j]])
            else:
                s = m.addVar(f"s{i}_{j}", vtype="B")
                m.addConsIndicator(Q[i][j] <= 0.0, binvar=s, activeone=True)
                m.addConsIndicator(P[i][j] <= 0.0, binvar=s, activeone=False)
    R = [m.addVar(f"r{i}", lb=None) for i in range(n)]
    for i in range(n):
        m.addCons(R[i] == quicksum(signs[j] * P[i][j] for j in range(k)) - float(y[i]))
    # One epigraph row per sample: a single aggregated row t ≥ Σ c r² made SCIP stall on the
    # last 1e-9 of gap (measured: timeout vs 0.9 s on a 40-point instance).
    T = [m.addVar(f"t{i}", lb=0.0) for i in range(n)]
    for i in range(n):
        m.addCons(T[i] >= float(c[i]) * R[i] * R[i])
    # The zero network achieves Σ c y²; no optimum is worse (a valid, redundant cap).
    m.addCons(quicksum(T) <= lam * lam * L0 * (1 + 1e-9) + 1e-9)
    if problem.weight_bound is not None:
        b2 = (lam * float(problem.weight_bound)) ** 2
        for j in range(k):
            m.addCons(quicksum(W[j][l] * W[j][l] for l in range(d)) <= b2)
    for j in range(k - 1):
        if signs[j] == signs[j + 1]:
            first = B[j] if problem.bias else W[j][0]
            second = B[j + 1] if problem.bias else W[j + 1][0]
            m.addCons(first >= second)
    m.setObjective(quicksum(T), "minimize")
    if math.isfinite(cutoff):
        m.setObjlimit(cutoff * lam * lam)
    try:
        m.optimize()
    except Exception as exc:  # SCIP raises a bare Exception for internal errors (e.g. LP trouble)
        return {
            "status": f"exception: {exc}",
            "network": None,
            "dual": -math.inf,
            "cutoff": cutoff,
            "nodes": 0,
        }

    status = m.getStatus()
    network = None
    if m.getNSols() > 0:
        sol = m.getBestSol()
        wv = [[m.getSolVal(sol, W[j][l]) / lam for l in range(d)] for j in range(k)]
        bv = [m.getSolVal(sol, B[j]) / lam if B[j] is not None else 0.0 for j in range(k)]
        network = _polish(problem, signs, wv, bv)
    dual = m.getDualbound() / (lam * lam)
    return {
        "status": status,
        "network": network,
        "dual": dual if math.isfinite(dual) and abs(dual) < 1e19 else -math.inf,
        "cutoff": cutoff,
        "nodes": m.getNNodes(),
    }


def _output_cap(problem: FitProblem, signs: tuple[int, ...], i: int, lam: float) -> float | None:
    """A proven upper bound on every ``p_ij`` at any point no worse than the zero network.

    When all units share one sign ``s``, ``s·f_i = Σ_j p_ij`` and ``c_i (f_i − y_i)² ≤ t ≤
    L0 = Σ c y²`` give ``Σ_j p_ij ≤ s·y_i + √(L0 / c_i)``.  The optimum satisfies ``t ≤ L0``,
    so the bound removes no optimal solution (it is not a guessed big-M).  With mixed signs
    outputs can cancel and no such bound holds: return None (unbounded).
    """
    if len(set(signs)) != 1:
        return None
    s = signs[0]
    cap = s * float(problem.y[i]) + math.sqrt(
        float(problem.null_loss()) / float(problem.sample_weight[i])
    )
    return max(0.0, lam * cap * (1 + 1e-9) + 1e-9)  # in model units; outward rounding


def _polish(
    problem: FitProblem, signs: tuple[int, ...], W: list[list[float]], b: list[float]
) -> ReluNetwork:
    """Return the better of SCIP's point and the least-squares refit on its activation pattern.

    Both candidates are genuine networks whose loss is recomputed, so polishing can only
    lower the reported objective; it removes the feasibility-tolerance error of the MIQP.
    """
    net = clip_to_bound(problem, _network(problem, signs, W, b))
    if problem.weight_bound is not None:
        return net
    Z = problem.lifted()
    theta = np.array([list(W[j]) + ([b[j]] if problem.bias else []) for j in range(len(signs))])
    active = (Z @ theta.T) > 0  # (n, k)
    D = Z.shape[1]
    design = np.zeros((problem.n, D * len(signs)))
    for j, s in enumerate(signs):
        design[:, j * D : (j + 1) * D] = s * Z * active[:, [j]]
    sw = np.sqrt(problem.cf)
    sol, *_ = np.linalg.lstsq(design * sw[:, None], problem.yf * sw, rcond=None)
    new = sol.reshape(len(signs), D)
    cand = _network(
        problem,
        signs,
        [list(row[: problem.d]) for row in new],
        [float(row[-1]) if problem.bias else 0.0 for row in new],
    )
    return cand if loss(problem, cand) < loss(problem, net) else net


def _network(
    problem: FitProblem, signs: tuple[int, ...], W: list[list[float]], b: list[float]
) -> ReluNetwork:
    return ReluNetwork(
        tuple(
            Unit(signs[j], tuple(float(v) for v in W[j]), float(b[j]) if problem.bias else 0.0)
            for j in range(len(signs))
        )
    )
