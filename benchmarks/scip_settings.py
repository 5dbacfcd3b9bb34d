"""Why SCIP is slow on the reduction models (issue 13): one sign model under model variants and
SCIP settings, one row per run.

    PYTHONPATH=. python benchmarks/scip_settings.py [--time-limit 60] [--cases petersen,...]
        [--variants base,seed,...]

Each row builds the model of :mod:`exactfit.solvers.scip` for the case's single sign vector (all
cases here have one unit, sign +1, no bias) in the backend's units (``Σ c y² = 10⁶``), applies
the variant, solves it once and prints wall and CPU seconds (``time.process_time``: the
machine's 2 cores are shared, wall is noisy), nodes, SCIP's final gap, the dual bound and the
incumbent in problem units, and SCIP's status.  The ``backend`` variant is a plain
``exactfit.solve(problem, "scip")`` with the lift as ``start`` (the whole solve, what
``exactfit check`` runs; ``backend+sos1`` / ``backend+indicator`` name the formulation, else
"auto").  Floating-point SCIP figures only: nothing here is a proof.

Variants (combine with ``+``, e.g. ``seed+mirror``):

* ``base``: the backend's model and settings;
* ``seed``: the reduction's lifted network given to SCIP as a solution (``addSol``) and its
  loss as objective limit (the driver's cut-off);
* ``cutoff``: the objective limit only (what the driver did before ``seed``);
* ``mirror``: one complementarity pair per antipodal pair of points (``p' = q``, ``q' = p``);
* ``indicator``: binary + indicator constraints instead of SOS1;
* ``agg``: one epigraph row ``t ≥ Σ c r²`` instead of one per sample;
* ``nocap``: without the redundant row ``Σ t ≤ L0``;
* ``pair``: per mirror pair with labels ≥ 0, ``t_i + t_i' ≥ c σ(p − y)² + c' σ(q − y')² +
  min(c y², c' y'²)`` (valid for one unit of sign +1: the pair's loss as a function of the
  pre-activation is at least this convex function);
* ``rcap``: residual bounds ``|r_i| ≤ √(cut-off / c_i)`` (valid for any better solution);
* a SCIP setting: ``emph-opt``, ``emph-easy``, ``emph-feas``, ``heur-off``, ``heur-aggr``,
  ``pre-off``, ``pre-aggr``, ``sepa-off``, ``sepa-aggr``, ``nosym``, ``sos1-b`` / ``sos1-s``
  (SOS1 branching rule), ``feas9`` (feastol 1e-9), ``scale100`` (labels scaled to max 100, the
  OR-Tools backend's units).
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import numpy as np

from exactfit.problem import FitProblem, ReluNetwork, exact_loss
from exactfit.solvers import scip as backend
from reductions.registry import get_reduction
from reductions.sources import CNF
from reductions.sources import generators as gen

#: name: (reduction, parameters, source)
CASES = {
    "petersen": ("maxcut_to_relu", {}, gen.petersen),
    "maxcut14": ("maxcut_to_relu", {}, lambda: gen.gnp(14, 0.5, 1)),
    "dks14": ("dks_to_relu", {"kappa": 7}, lambda: gen.gnp(14, 0.5, 1)),
    "gapmc10": ("gapmaxcut_to_unit_relu", {}, lambda: gen.gnp(10, 0.5, 1)),
    "sat3x3": (
        "sat3_to_relu",
        {},
        lambda: CNF(3, ((1, 2, 3), (-1, 2, -3), (1, -2, 3)), name="three"),
    ),
}


def instance(case: str) -> tuple[FitProblem, ReluNetwork | None]:
    """The target problem of ``case`` and the lift of an optimal source solution."""
    name, params, make = CASES[case]
    red = get_reduction(name, **params)
    source = make()
    problem, trace = red.forward(source)
    src = red.source_problem.solve(source, "auto")
    net = red.lift(source, trace, src.certificate) if src.certificate is not None else None
    return problem, net


def antipodes(Z: np.ndarray) -> dict[int, int]:
    """``{i': i}`` for each point ``z_i'`` equal to ``−z_i`` with ``i < i'``."""
    index: dict[bytes, int] = {}
    out = {}
    for i, z in enumerate(Z):
        key = (0.0 - z).tobytes()  # 0.0 - z: no negative zeros in the key
        if key in index:
            out[i] = index[key]
        else:
            index.setdefault((z + 0.0).tobytes(), i)
    return out


def build(m: Any, problem: FitProblem, flags: set[str], cutoff: float, lam: float) -> list:
    """The backend's model (see :mod:`exactfit.solvers.scip`) with the model flags applied."""
    from pyscipopt import quicksum

    n, d = problem.n, problem.d
    X, c, y = problem.Xf, problem.cf, problem.yf * lam
    L0 = float(problem.null_loss())
    W = [m.addVar(f"w{l}", lb=None) for l in range(d)]
    twin = antipodes(problem.lifted()) if "mirror" in flags else {}
    P, Q = [None] * n, [None] * n
    for i in range(n):
        if i in twin:
            P[i], Q[i] = Q[twin[i]], P[twin[i]]
            continue
        cap = backend._output_cap(problem, (1,), i, lam)
        # with a mirror point i', q_i is its output p_i' and inherits that point's cap
        qcap = next(
            (backend._output_cap(problem, (1,), j, lam) for j in twin if twin[j] == i), None
        )
        P[i], Q[i] = m.addVar(f"p{i}", lb=0.0, ub=cap), m.addVar(f"q{i}", lb=0.0, ub=qcap)
        m.addCons(P[i] - Q[i] == quicksum(float(X[i, l]) * W[l] for l in range(d) if X[i, l]))
        if "indicator" in flags:
            s = m.addVar(f"s{i}", vtype="B")
            m.addConsIndicator(Q[i] <= 0.0, binvar=s, activeone=True)
            m.addConsIndicator(P[i] <= 0.0, binvar=s, activeone=False)
        else:
            m.addConsSOS1([P[i], Q[i]])
    top = cutoff if math.isfinite(cutoff) else L0
    R = []
    for i in range(n):
        rb = math.sqrt(top * lam * lam / c[i]) * (1 + 1e-9) + 1e-9 if "rcap" in flags else None
        R.append(m.addVar(f"r{i}", lb=-rb if rb else None, ub=rb))
        m.addCons(R[i] == P[i] - float(y[i]))
    if "agg" in flags:
        T = [m.addVar("t", lb=0.0)]
        m.addCons(T[0] >= quicksum(float(c[i]) * R[i] * R[i] for i in range(n)))
    else:
        T = [m.addVar(f"t{i}", lb=0.0) for i in range(n)]
        for i in range(n):
            m.addCons(T[i] >= float(c[i]) * R[i] * R[i])
    if "pair" in flags:
        # mirror pair (i, i'), labels ≥ 0: t_i + t_i' ≥ c σ(p − y)² + c' σ(q − y')² + m
        for i2, i in antipodes(problem.lifted()).items():
            if y[i] < 0 or y[i2] < 0:
                continue
            mins = min(c[i] * y[i] ** 2, c[i2] * y[i2] ** 2)
            S, S2 = m.addVar(f"s{i}", lb=0.0), m.addVar(f"s{i2}", lb=0.0)
            m.addCons(S - P[i] >= -float(y[i]))
            m.addCons(S2 - P[i2] >= -float(y[i2]))
            m.addCons(T[i] + T[i2] >= float(c[i]) * S * S + float(c[i2]) * S2 * S2 + mins)
    if "nocap" not in flags:
        m.addCons(quicksum(T) <= lam * lam * L0 * (1 + 1e-9) + 1e-9)
    if problem.weight_bound is not None:
        m.addCons(quicksum(v * v for v in W) <= (lam * float(problem.weight_bound)) ** 2)
    m.setObjective(quicksum(T), "minimize")
    return W


def settings(m: Any, flags: set[str]) -> None:
    """Apply the SCIP-setting flags."""
    from pyscipopt import SCIP_PARAMEMPHASIS as E
    from pyscipopt import SCIP_PARAMSETTING as S

    table = {
        "emph-opt": lambda: m.setEmphasis(E.OPTIMALITY),
        "emph-easy": lambda: m.setEmphasis(E.EASYCIP),
        "emph-feas": lambda: m.setEmphasis(E.FEASIBILITY),
        "heur-off": lambda: m.setHeuristics(S.OFF),
        "heur-aggr": lambda: m.setHeuristics(S.AGGRESSIVE),
        "pre-off": lambda: m.setPresolve(S.OFF),
        "pre-aggr": lambda: m.setPresolve(S.AGGRESSIVE),
        "sepa-off": lambda: m.setSeparating(S.OFF),
        "sepa-aggr": lambda: m.setSeparating(S.AGGRESSIVE),
        "nosym": lambda: m.setParam("misc/usesymmetry", 0),
        "sos1-b": lambda: m.setParam("constraints/SOS1/branchingrule", "b"),
        "sos1-s": lambda: m.setParam("constraints/SOS1/branchingrule", "s"),
        "feas9": lambda: m.setParam("numerics/feastol", 1e-9),
    }
    for flag in flags & table.keys():
        table[flag]()


def run(problem: FitProblem, start: ReluNetwork | None, variant: str, limit: float) -> str:
    """One row of the table."""
    flags = set(variant.split("+"))
    if "backend" in flags:
        import exactfit

        began, cpu = time.perf_counter(), time.process_time()
        form = "sos1" if "sos1" in flags else "indicator" if "indicator" in flags else "auto"
        r = exactfit.solve(problem, "scip", time_limit=limit, start=start, formulation=form)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        gap = (r.objective - r.bound) / max(r.objective, 1e-300)
        return _row(variant, wall, cpu, r.stats["nodes"], gap, r.bound, r.objective, r.status.name)
    from pyscipopt import Model

    seeded = "seed" in flags or "cutoff" in flags
    cutoff = float(exact_loss(problem, start)) if seeded and start is not None else math.inf
    lam = backend.data_scale(problem)
    if "scale100" in flags:
        lam = 100.0 / float(np.max(np.abs(problem.yf)))
    m = Model("probe")
    m.hideOutput()
    backend._set_params(m, limit, backend.DEFAULT_FEASTOL["sos1"], {"nlp": False}, lam * lam)
    settings(m, flags)
    W = build(m, problem, flags, cutoff, lam)
    if math.isfinite(cutoff):
        m.setObjlimit(cutoff * lam * lam * (1 + 1e-9))
    if "seed" in flags and start is not None:
        sol = m.createPartialSol()  # SCIP completes the dependent variables itself
        for l, v in enumerate(start.units[0].w):
            m.setSolVal(sol, W[l], float(v) * lam)
        m.addSol(sol)
    began, cpu = time.perf_counter(), time.process_time()
    m.optimize()
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    unscale = lam * lam
    primal = m.getPrimalbound() / unscale if m.getNSols() else math.inf
    return _row(
        variant, wall, cpu, m.getNNodes(), m.getGap(), m.getDualbound() / unscale, primal,
        m.getStatus(),
    )  # fmt: skip


def _row(variant: str, wall: float, cpu: float, nodes: int, gap: float, *rest: Any) -> str:
    bound, primal, status = rest
    return (
        f"| {variant} | {wall:.1f} | {cpu:.1f} | {nodes} | {gap:.3g} | {bound:.6g} "
        f"| {primal:.6g} | {status} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    ap.add_argument("--cases", default="petersen")
    ap.add_argument("--variants", default="base,cutoff,seed,seed+mirror")
    args = ap.parse_args()
    for case in args.cases.split(","):
        problem, start = instance(case)
        lifted = "none" if start is None else f"{float(exact_loss(problem, start)):.6g}"
        print(f"\n{case}: n = {problem.n}, d = {problem.d}, lift loss {lifted}")
        print("| variant | wall s | CPU s | nodes | gap | bound | incumbent | status |")
        print("|---|---|---|---|---|---|---|---|")
        for variant in args.variants.split(","):
            print(run(problem, start, variant, args.time_limit), flush=True)


if __name__ == "__main__":
    main()
