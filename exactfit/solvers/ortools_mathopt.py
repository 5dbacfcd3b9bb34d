"""Mixed-integer QP through OR-Tools MathOpt (SCIP via GSCIP), with indicator constraints.

Model
-----
For a fixed sign vector ``a ∈ {±1}^k`` (one model per vector from
:meth:`FitProblem.sign_vectors`; only the number of ``+1`` matters) and lifted points ``z_i``
(``(x_i, 1)`` with a bias, ``x_i`` without), with ``θ_j = (w_j, b_j)`` and the pre-activation
``u_ij = θ_j·z_i`` (a linear expression, not a variable):

    minimise    Σ_i t_i
    subject to  t_i ≥ c_i r_i²                        (convex, one row per sample)
                r_i = Σ_j a_j h_ij − y_i,   |r_i| ≤ √(Σ_l c_l y_l² / c_i)
                h_ij − g_ij = u_ij,   h_ij, g_ij ≥ 0   (positive and negative part of u_ij)
                s_ij = 1  ⇒  g_ij ≤ 0                  (indicator)
                s_ij = 0  ⇒  h_ij ≤ 0                  (indicator)
                s_ij ∈ {0, 1}
                ‖w_j‖² ≤ B²                           (only with a weight bound; convex)
                b_j ≥ b_{j+1}  (w_j1 ≥ w_{j+1,1} bias-free) for units of equal sign

(``objective="quadratic"``: ``Σ c_i r_i²`` directly; ``"epigraph"``: one row; both slower.)

So ``s = 1`` gives ``h = u ≥ 0`` and ``s = 0`` gives ``h = 0 ≥ u``: ``h_ij = σ(u_ij)`` exactly,
with no bound on the weights and hence no big-M constant (an invalid M silently produces a
wrong "optimum").  MathOpt has no SOS1 API, so indicators are the exact choice here; GSCIP
rejects indicators whose implied constraint is an equality ("ranged implied constraints"),
and one-variable implied constraints let SCIP use ``g``/``h`` themselves as slacks.

The residual caps hold for every solution at least as good as the zero network (loss
``N = Σ c_l y_l²``, cap widened by 1e-9 relative); symmetry breaking holds because units of
equal output sign are interchangeable.

Status and bound
----------------
The sign models are run and combined by the shared driver
:func:`exactfit.solvers._signmodels.solve_sign_models` (one deadline, exact comparison of
incumbents, the bound as the minimum over models, limits never OPTIMAL).  A model's bound is its
dual bound, or the incumbent when SCIP's objective limit (the best loss of earlier models) made
it infeasible.  Every MathOpt ``TerminationReason`` and ``Limit`` is mapped explicitly
(:func:`classify`); anything unexpected is ERROR with the raw termination kept.

Backends and pitfalls (measurements in ``docs/solvers/ortools.md``)
-------------------------------------------------------------------
* Only GSCIP takes integer variables with quadratic rows and indicators in the pip wheel; other
  backends are accepted so that MathOpt's refusal reaches the user: MathOpt turns it into an
  ``AttributeError`` about ``canonical_code`` (its error conversion is broken), and the real
  message, in ``__context__``, is unwrapped into :class:`MathOptUnsupported`.
* ``SolveParameters.cutoff_limit`` ends with ``LIMIT_CUTOFF``, unknown to this wheel's Python
  ``Limit`` enum; ``best_bound_limit`` and ``objective_limit`` are rejected by GSCIP.  GSCIP's
  own ``objective_limit`` (SCIP's ``limits/objective``) works and ends a cut-off model
  INFEASIBLE.  On tiny degenerate data SCIP sometimes stops at that limit yet returns a
  solution, which MathOpt rejects as INTERNAL; the model is then solved again without it.
* Tolerances: ``numerics/feastol = 1e-9`` (at SCIP's default 1e-6 the epigraph rows take
  slack and values come out ~1e-6 low); labels scaled to ``max |y| = 100`` (:func:`data_scale`);
  gap limits half of what :func:`finalize` accepts (at zero gap SCIP never closes the last
  ~1e-8; MathOpt reports GAP_LIMIT as ``OPTIMAL`` and finalize re-checks the bound).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from exactfit.errors import MathOptUnsupported
from exactfit.problem import FitProblem, clip_to_bound
from exactfit.result import OPT_ATOL, OPT_RTOL, Result
from exactfit.solvers._backend import run_backend
from exactfit.solvers._common import (
    check_choice,
    check_feastol,
    check_log,
    check_positive_int,
    check_registered_options,
    check_start,
    check_time_limit,
    network_from_theta,
    symmetry_pairs,
)
from exactfit.solvers._mathopt_hooks import solve_hooks
from exactfit.solvers._mathopt_status import classify, mathopt_error_message
from exactfit.solvers._signmodels import MipProgress, SignModelOutcome, solve_sign_models
from exactfit.solvers.datasym import leader_rows

__all__ = [
    "BACKENDS",
    "MathOptUnsupported",
    "OrtoolsSolver",
    "build_model",
    "classify",
    "data_scale",
    "mathopt_error_message",
]

#: MathOpt solver types that ``backend=`` may name.  Only GSCIP can take the model; the others
#: are accepted so that their refusal is reported with MathOpt's own reason.
BACKENDS = ("gscip", "highs", "cp_sat", "glop", "pdlp", "glpk", "osqp", "ecos", "scs", "gurobi")

#: Ways to state the loss: per-sample epigraphs ``t_i ≥ c_i r_i²`` minimising ``Σ t_i``
#: (default; far faster in SCIP), GSCIP's quadratic objective, or one aggregated epigraph
#: ``t ≥ Σ c_i r_i²``.
OBJECTIVES = ("split", "quadratic", "epigraph")

#: The labels are scaled so that ``max_i |α y_i|`` equals this (see :func:`data_scale`).
TARGET_LABEL = 100.0


def data_scale(problem: FitProblem) -> float:
    """The factor ``α`` applied to the labels before modelling: ``max_i |α y_i| = 100``.

    By positive homogeneity, ``(w, b) ↦ α(w, b)`` maps fits of ``y`` to fits of ``α y`` and
    multiplies the loss by ``α²``; the network is scaled back and the bound divided by ``α²``.
    SCIP checks each epigraph row ``t_i ≥ c_i r_i²`` to an *absolute* tolerance, so on unscaled
    data the rows of well-fitted samples are "satisfied" by slack: the incumbent's value sits up
    to ``n·feastol`` below its true loss (optimality then cannot be certified to 1e-7), and the
    tiny violations make SCIP's cuts weak, so it branches on continuous variables.  Scaled,
    both effects vanish (measured on 9 random instances: all OPTIMAL in ≤ 0.4 s, where the
    unscaled aggregated epigraph needed up to 20 s or stalled).
    """
    top = float(np.max(np.abs(problem.yf)))
    return TARGET_LABEL / top if top > 0 else 1.0


def build_model(
    problem: FitProblem,
    signs: Sequence[int],
    *,
    objective: str = "split",
    symmetry: bool = True,
    scale: float = 1.0,
) -> tuple[Any, list[list[Any]], list[Any | None]]:
    """The MathOpt model for one sign vector: ``(model, W variables, b variables or None)``.

    See the module docstring for the formulation.  The labels are multiplied by ``scale``
    (the variables then describe ``scale·(w, b)``).  ``objective`` chooses how the loss is
    stated (:data:`OBJECTIVES`).
    """
    from ortools.math_opt.python import mathopt

    n, d, k = problem.n, problem.d, problem.units
    X, y, c = problem.Xf, scale * problem.yf, problem.cf
    inf = math.inf
    null = float(problem.null_loss()) * scale**2
    m = mathopt.Model(name="exactfit")
    W = [[m.add_variable(lb=-inf, ub=inf, name=f"w{j}_{t}") for t in range(d)] for j in range(k)]
    b = [m.add_variable(lb=-inf, ub=inf, name=f"b{j}") if problem.bias else None for j in range(k)]
    R = []
    for i in range(n):
        terms = []
        for j in range(k):
            h = m.add_variable(lb=0.0, ub=inf, name=f"h{i}_{j}")
            g = m.add_variable(lb=0.0, ub=inf, name=f"g{i}_{j}")
            s = m.add_binary_variable(name=f"s{i}_{j}")
            u = mathopt.fast_sum(float(X[i, t]) * W[j][t] for t in range(d) if X[i, t] != 0.0)
            if b[j] is not None:
                u = u + b[j]
            m.add_linear_constraint(h - g - u == 0.0, name=f"split{i}_{j}")
            # One-variable implied constraints: SCIP uses g (resp. h) itself as the slack.
            m.add_indicator_constraint(indicator=s, implied_constraint=g <= 0.0)
            m.add_indicator_constraint(
                indicator=s, activate_on_zero=True, implied_constraint=h <= 0.0
            )
            terms.append(signs[j] * h)
        rmax = math.sqrt(null / float(c[i])) * (1 + 1e-9) + 1e-9
        r = m.add_variable(lb=-rmax, ub=rmax, name=f"r{i}")
        m.add_linear_constraint(r - mathopt.fast_sum(terms) == -float(y[i]), name=f"res{i}")
        R.append(r)
    if objective == "split":
        T = [m.add_variable(lb=0.0, ub=inf, name=f"t{i}") for i in range(n)]
        for i in range(n):
            m.add_quadratic_constraint(T[i] - float(c[i]) * R[i] * R[i] >= 0.0, name=f"epi{i}")
        m.minimize(mathopt.fast_sum(T))
    else:
        loss = mathopt.fast_sum(float(c[i]) * R[i] * R[i] for i in range(n))
        if objective == "quadratic":
            m.minimize(loss)
        else:
            t = m.add_variable(lb=0.0, ub=inf, name="t")
            m.add_quadratic_constraint(t - loss >= 0.0, name="epigraph")
            m.minimize(t)
    if problem.weight_bound is not None:
        b2 = (scale * float(problem.weight_bound)) ** 2
        for j in range(k):
            m.add_quadratic_constraint(
                mathopt.fast_sum(W[j][t] * W[j][t] for t in range(d)) <= b2, name=f"norm{j}"
            )
    if symmetry:
        for j, first, second in symmetry_pairs(problem, signs, W, b):
            m.add_linear_constraint(first - second >= 0.0, name=f"sym{j}")
        for r, (first, second) in enumerate(leader_rows(problem, W)):
            m.add_linear_constraint(first - second >= 0.0, name=f"leader{r}")
    return m, W, b


def _solver_type(backend: str) -> Any:
    from ortools.math_opt.python import mathopt

    return getattr(mathopt.SolverType, backend.upper())


class OrtoolsSolver:
    """MIQP with indicator constraints, solved by SCIP through OR-Tools MathOpt (GSCIP)."""

    name = "ortools"

    def unsupported(self, problem: FitProblem, *, backend: str = "gscip") -> str | None:
        """``None``: GSCIP takes every fitting problem (the weight bound is a convex
        quadratic constraint).  For another ``backend``, the reason it cannot."""
        if backend == "gscip":
            return None
        return (
            f"MathOpt backend {backend!r} cannot take integer variables with a quadratic "
            "objective and indicator constraints; only 'gscip' can in the ortools wheel"
        )

    def solve(
        self, problem: FitProblem, *, time_limit: float | None = None, **options: Any
    ) -> Result:
        """Solve ``problem``; see the module docstring for the model and the status rules.

        Options: ``backend`` (default ``"gscip"``; others raise :class:`MathOptUnsupported`
        with MathOpt's reason), ``objective`` (:data:`OBJECTIVES`, default ``"split"``),
        ``feastol`` (default 1e-9), ``node_limit`` (per sign model), ``seed``, ``symmetry``
        (default true), ``verbose`` (SCIP log on stdout), ``log`` (a path: the log appended
        there, through MathOpt's message callback).  ``progress`` is accepted and ignored
        (live progress goes to :mod:`exactfit.progress`, through MathOpt's callback).
        """
        check_registered_options(self.name, options)
        backend = str(options.get("backend", "gscip")).lower()
        check_choice("ortools: backend", backend, BACKENDS)
        objective = check_choice(
            "ortools: objective", options.get("objective", "split"), OBJECTIVES
        )
        feastol = check_feastol(self.name, options.get("feastol", 1e-9))
        check_positive_int("ortools: node_limit", options.get("node_limit"))
        time_limit = check_time_limit(time_limit)
        start = check_start(self.name, problem, options.get("start"))
        check_log(self.name, options.get("log"))
        live = MipProgress(self.name, len(problem.sign_vectors()))
        options = {**options, "live": live}

        def solve_one(
            signs: tuple[int, ...], share: float | None, cutoff: float
        ) -> SignModelOutcome:
            return _solve_signs(problem, signs, share, cutoff, backend, objective, feastol, options)

        stats = {"backend": backend, "objective": objective, "scale": data_scale(problem)}
        how = f"MathOpt {backend} dual bounds in floating point (feastol {feastol:g})"
        return solve_sign_models(
            problem,
            solve_one,
            solver=self.name,
            time_limit=time_limit,
            stats=stats,
            proof_detail=how,
            live=live,
            start=start,
        )


def _solve_signs(
    problem: FitProblem,
    signs: tuple[int, ...],
    time_limit: float | None,
    incumbent: float,
    backend: str,
    objective: str,
    feastol: float,
    options: dict[str, Any],
) -> SignModelOutcome:
    """Solve one sign model (``incumbent``: the cut-off); :func:`classify` says how it ended."""
    from ortools.math_opt.python import mathopt
    from ortools.util.python.solve_interrupter import SolveInterrupter

    began = time.perf_counter()
    scale = data_scale(problem)
    symmetry = bool(options.get("symmetry", True))
    model, W, b = build_model(problem, signs, objective=objective, symmetry=symmetry, scale=scale)
    # SCIP's objective limit is GSCIP's own parameter: only for that backend.
    cutoff = incumbent if backend == "gscip" and math.isfinite(incumbent) else None
    params = _parameters(time_limit, cutoff, backend, feastol, scale, options)
    interrupter = SolveInterrupter()
    hooks = solve_hooks(options.get("log"), options.get("live"), scale)

    def solve() -> Any:
        return mathopt.solve(
            model, _solver_type(backend), params=params, interrupter=interrupter, **hooks
        )

    try:
        # The first Ctrl-C interrupts through MathOpt's interrupter (ends Limit.INTERRUPTED).
        result = run_backend(solve, interrupter.interrupt, verbose=bool(options.get("verbose")))
    except Exception as exc:
        real = _scip_failure(exc, backend)
        if real is None:
            raise
        code, message = real
        if cutoff is not None:
            # Seen (tiny degenerate data): SCIP stops at the objective limit yet hands back a
            # solution, and MathOpt rejects that as INTERNAL ("primal feasibility status is
            # not FEASIBILITY_STATUS_FEASIBLE, but ..."); solve again without the limit.
            left = None if time_limit is None else time_limit - (time.perf_counter() - began)
            out = _solve_signs(problem, signs, left, math.inf, backend, objective, feastol, options)
            return dataclasses.replace(out, retried=f"without objective limit after: {message}")
        # SCIP itself failed while solving (e.g. "unresolved numerical troubles in LP"): not
        # the user's fault and not a status; a failed model, with SCIP's words.
        raw = f"failure: {message} [{code}]"
        return SignModelOutcome(signs, raw, error=_terminated(backend, raw, signs))
    return _outcome(problem, signs, result, W, b, scale, cutoff, backend)


def _parameters(
    time_limit: float | None,
    objective_limit: float | None,
    backend: str,
    feastol: float,
    scale: float,
    options: dict[str, Any],
) -> Any:
    """MathOpt parameters for one model (``objective_limit`` in the problem's units)."""
    from ortools.math_opt.python import mathopt

    params = mathopt.SolveParameters(enable_output=bool(options.get("verbose", False)))
    if time_limit is not None:
        params.time_limit = datetime.timedelta(seconds=max(time_limit, 1e-3))
    if options.get("node_limit") is not None:
        params.node_limit = int(options["node_limit"])
    if options.get("seed") is not None:
        params.random_seed = int(options["seed"])
    if backend == "gscip":
        params.gscip.real_params["numerics/feastol"] = feastol
        # SCIP closes the last ~1e-8 of relative gap of a quadratic objective only very
        # slowly; stop at half the tolerance within which finalize accepts a bound as
        # meeting the objective, so OPTIMAL stays a claim that finalize re-checks.
        params.relative_gap_tolerance = OPT_RTOL / 2
        params.absolute_gap_tolerance = OPT_ATOL / 2 * scale**2
        if objective_limit is not None:
            # SCIP's limits/objective: only solutions at least this good are accepted; a
            # model with none ends INFEASIBLE, which proves its optimum ≥ the incumbent.
            params.gscip.objective_limit = objective_limit * scale**2
    return params


def _scip_failure(exc: Exception, backend: str) -> tuple[str, str] | None:
    """``(code, message)`` of a failure of SCIP inside ``mathopt.solve``; ``None`` when ``exc``
    is no MathOpt failure (a bug: the caller re-raises it).  Raises :class:`MathOptUnsupported`
    when the backend cannot take the model (or is not installed)."""
    real = mathopt_error_message(exc)
    if real is None:
        if backend == "gscip":
            return None
        # e.g. Gurobi without a licence raises RuntimeError('bad_function_call')
        raise MathOptUnsupported(
            f"ortools: MathOpt backend {backend!r} failed: {type(exc).__name__}: "
            f"{exc}; is it installed and licensed? use backend 'gscip'"
        ) from exc
    code, message = real
    if backend != "gscip" or "not support" in message or code == "UNIMPLEMENTED":
        raise MathOptUnsupported(
            f"ortools: MathOpt backend {backend!r} cannot take the fitting model: "
            f"{message} [{code}]; use backend 'gscip'"
        ) from exc.__context__
    return code, message


def _outcome(
    problem: FitProblem,
    signs: tuple[int, ...],
    result: Any,
    W: list[list[Any]],
    b: list[Any | None],
    scale: float,
    objective_limit: float | None,
    backend: str,
) -> SignModelOutcome:
    """The outcome of a solved model, scaled back to the problem's units."""
    term = result.termination
    kind, limit, raw = classify(term, objective_limit=objective_limit is not None)
    unscale = scale**2
    dual = term.objective_bounds.dual_bound / unscale
    nodes = int(result.solve_stats.node_count)
    extra = {"solve_s": result.solve_stats.solve_time.total_seconds(), "dual_bound": _finite(dual)}
    if kind == "error":
        return SignModelOutcome(
            signs, raw, error=_terminated(backend, raw, signs), nodes=nodes, extra=extra
        )
    network = None
    if kind != "cutoff" and result.has_primal_feasible_solution():
        values = result.variable_values()
        theta = [
            [values[v] / scale for v in W[j]] + ([values[b[j]] / scale] if b[j] is not None else [])
            for j in range(len(W))
        ]
        network = clip_to_bound(problem, network_from_theta(problem, signs, theta))
    bound = max(dual, 0.0) if math.isfinite(dual) else 0.0
    if kind == "cutoff" and objective_limit is not None:
        bound = objective_limit  # no solution of this model beats the incumbent
    return SignModelOutcome(
        signs,
        raw,
        bound=bound,
        network=network,
        objective=_finite(term.objective_bounds.primal_bound / unscale),
        limit=limit,
        nodes=nodes,
        extra=extra,
    )


def _terminated(backend: str, raw: str, signs: tuple[int, ...]) -> str:
    return f"MathOpt/{backend} terminated with {raw} for signs {signs}"


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None
