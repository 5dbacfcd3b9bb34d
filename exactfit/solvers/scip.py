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
q_ij ≤ 0`` and ``s_ij = 0 ⇒ p_ij ≤ 0``; SOS1 was 5-10× faster in SCIP on the reference data
(with a bias), indicators 10× and more on the bias-free reduction models, so ``"auto"`` (the
default, :func:`auto_formulation`) takes indicators exactly when there are mirror points.

Mirror points (:func:`mirror_points`): without a bias, a point ``x_i' = −x_i`` has
``θ_j·x_i' = −θ_j·x_i`` for every network, so its parts are ``p_i'j = q_ij`` and ``q_i'j =
p_ij``: it shares the variables (and the complementarity pair) of ``x_i``, which removes no
network.  ``q_ij`` then also carries the output cap of ``x_i'``.

Symmetry breaking is valid because units with the same output sign are interchangeable: any
network can be permuted so that the biases (or, bias-free, the first weights) of equal-sign
units are non-increasing.

Certification
-------------
The sign models are run and combined by the shared driver
:func:`exactfit.solvers._signmodels.solve_sign_models` (shared deadline, exact comparison of
incumbents, bound rules); this module solves one model and maps SCIP's status to a
:class:`~exactfit.solvers._signmodels.SignModelOutcome` (:func:`outcome_from_status`).  A
model's bound is SCIP's dual bound; a model stopped by the objective cut-off (the incumbent
from earlier models) proves the bound "≥ incumbent".  The returned network's loss is
recomputed exactly by :func:`exactfit.result.finalize`: OPTIMAL only when every model finished
and the bound meets the recomputed loss.  ``numerics/feastol`` is 1e-8 (see DEFAULT_FEASTOL)
because at SCIP's default (1e-6) the epigraph row absorbs slack and the reported objective can
be 1e-6 relative below the true loss.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from exactfit.problem import FitProblem, ReluNetwork, clip_to_bound, loss
from exactfit.result import OPT_ATOL, OPT_RTOL, Result
from exactfit.solvers._backend import run_backend
from exactfit.solvers._common import (
    check_bound_target,
    check_choice,
    check_feastol,
    check_log,
    check_positive_int,
    check_registered_options,
    check_start,
    check_time_limit,
    network_from_theta,
)
from exactfit.solvers._scip_model import Extras, add_fit, mirror_points
from exactfit.solvers._scip_status import RETRIES, SCIP_STATUS, Retry, outcome_from_status
from exactfit.solvers._signmodels import MipProgress, SignModelOutcome, solve_sign_models

__all__ = [
    "LOSS_SCALE",
    "RETRIES",
    "SCIP_STATUS",
    "ScipSolver",
    "auto_formulation",
    "data_scale",
    "mirror_points",
    "outcome_from_status",
]


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

#: Ipopt's options file for the NLP heuristics (option ``nlp``): MUMPS with AMD ordering, not
#: METIS, the path of the heap corruption described in :func:`use_nlp` (scipopt/scip#211).
IPOPT_OPTIONS = Path(__file__).with_name("ipopt.opt")

#: The ways to state the ReLU (see the module docstring); "auto" picks one by
#: :func:`auto_formulation`.
FORMULATIONS = ("auto", "sos1", "indicator")


def auto_formulation(problem: FitProblem) -> str:
    """``"indicator"`` when the problem has mirror points (:func:`mirror_points`), else
    ``"sos1"``.  Measured in docs/solvers/scip.md ("Reduction models"): on the bias-free
    reduction models (mirror pairs everywhere) indicators proved Petersen's Max-Cut model in
    seconds where SOS1 took 36 s, and closed the gap 10-1000× further in 60 s on four larger
    ones; SOS1 stays where it was measured faster (data with a bias, no mirrors)."""
    return "indicator" if mirror_points(problem) else "sos1"


def use_nlp(option: Any) -> bool:
    """Whether SCIP's NLP relaxation and the heuristics that call Ipopt run (option ``nlp``).

    Off by default.  On the 28 library instances SCIP finishes in 10 s, off took 0.28-1.01× the
    time (median 0.53) with the same optima; at the root of a 500-point two-unit model 2 s
    against 45 s; at 2000 points they crashed the process (heap corruption in METIS inside
    Ipopt's MUMPS) or, with AMD ordering, ran 40 s past its share of the limit.  On the G(14)
    reduction models they raised the 60 s bound (Max-Cut 15180.9 → 15185.0), hence the option.
    Figures and commands: docs/solvers/scip.md, "NLP heuristics".
    """
    return bool(check_choice("scip: nlp", False if option is None else option, (True, False)))


class ScipSolver:
    """MIQP with SOS1 (or indicator) complementarity, solved by SCIP."""

    name = "scip"

    def unsupported(self, problem: FitProblem) -> str | None:
        return None

    def solve(
        self, problem: FitProblem, *, time_limit: float | None = None, **options: Any
    ) -> Result:
        """Solve ``problem``; see the module docstring for the model and the status rules.

        Options: ``formulation`` ("auto" | "sos1" | "indicator"; default "auto", see
        :func:`auto_formulation`), ``feastol`` (default 1e-8; when not given, a model that
        fails inside SCIP is retried with :data:`RETRIES`), ``node_limit`` (per sign model),
        ``seed``, ``bound_target`` (a loss: stop, FEASIBLE with limit "budget", once SCIP's
        dual bound reaches it; e.g. the bound that decides a reduction check), ``symmetry``
        (default true: the symmetry-breaking rows of
        :func:`~exactfit.solvers._scip_model.add_fit`), ``budget_rows`` (default true) and
        ``relu_caps`` (default: when a cut-off is known) for the indicator model's budget rows
        and ReLU caps propagator (docs/solvers/scip.md), ``nlp`` (default false: SCIP's NLP
        relaxation and the heuristics that use it, with Ipopt's :data:`IPOPT_OPTIONS`; see
        :func:`use_nlp`), ``verbose`` (SCIP's log on the
        terminal), ``log`` (a path: SCIP's log appended there).  ``progress`` is accepted and
        ignored (live progress goes to :mod:`exactfit.progress`).
        """
        check_registered_options(self.name, options)
        formulation = check_choice(
            "scip: formulation", options.get("formulation", "auto"), FORMULATIONS
        )
        if formulation == "auto":
            formulation = auto_formulation(problem)
        feastol = check_feastol(self.name, options.get("feastol", DEFAULT_FEASTOL[formulation]))
        check_positive_int("scip: node_limit", options.get("node_limit"))
        check_bound_target(self.name, options.get("bound_target"))
        time_limit = check_time_limit(time_limit)
        start = check_start(self.name, problem, options.get("start"))
        check_log(self.name, options.get("log"))
        nlp = use_nlp(options.get("nlp"))
        live = MipProgress(self.name, len(problem.sign_vectors()))
        opts = {**options, "nlp": nlp}
        run = _Run(problem, formulation, feastol, opts, "feastol" not in options, live)

        def solve_one(
            signs: tuple[int, ...], share: float | None, cutoff: float
        ) -> SignModelOutcome:
            return _solve_model(run, signs, share, cutoff)

        stats = {"formulation": formulation, "scale": data_scale(problem), "nlp": nlp}
        how = (
            f"SCIP dual bounds in floating point ({formulation} model, feastol {feastol:g}, "
            f"gap limits {OPT_RTOL / 2:g} relative / {OPT_ATOL / 2:g} absolute)"
        )
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


def data_scale(problem: FitProblem) -> float:
    """The factor ``λ`` applied to labels and weights in the model, so that the zero network's
    loss is :data:`LOSS_SCALE` there (the model's loss is ``λ²`` times the true loss)."""
    L0 = float(problem.null_loss())
    return math.sqrt(LOSS_SCALE / L0) if L0 > 0 else 1.0


@dataclasses.dataclass(frozen=True)
class _Run:
    """What the sign models of one solve share: the problem and the checked options.

    ``retry``: a model that fails inside SCIP is solved again with :data:`RETRIES` (only when
    the user did not choose ``feastol``).  ``live``: where the event handler reports.
    """

    problem: FitProblem
    formulation: str
    feastol: float
    options: Mapping[str, Any]
    retry: bool
    live: MipProgress


def _solve_model(
    run: _Run, signs: tuple[int, ...], time_limit: float | None, cutoff: float
) -> SignModelOutcome:
    """Solve one sign model; after an exception inside SCIP, retry with :data:`RETRIES` in turn
    (only if ``run.retry``) until one does not fail.

    SoPlex occasionally fails ("error in LP solver", "unresolved numerical troubles in LP") on
    these models; a retry is safe because finalize still checks the bound.  Each retry gets
    what is left of this model's ``time_limit``.  A model that fails every retry is returned
    failed: the driver gives it the trivial bound 0 and names it in the result's message.
    """
    began = time.perf_counter()
    out = _solve_signs(run, signs, time_limit, cutoff, run.feastol)
    failures = [out.status]
    for retry in RETRIES if run.retry else ():
        if not out.status.startswith("exception"):
            break
        left = None if time_limit is None else time_limit - (time.perf_counter() - began)
        if left is not None and left <= 0:
            break
        out = _solve_signs(run, signs, left, cutoff, run.feastol, retry)
        failures.append(f"{retry.name}: {out.status}")
    if len(failures) == 1:
        return out
    return dataclasses.replace(out, retried="; ".join(["first: " + failures[0], *failures[1:]]))


def _solve_signs(
    run: _Run,
    signs: tuple[int, ...],
    time_limit: float | None,
    cutoff: float,
    feastol: float,
    retry: Retry | None = None,
) -> SignModelOutcome:
    """Build and solve the model for ``signs`` once (``cutoff``: the objective limit), with the
    settings of ``retry`` when it is a retry."""
    from pyscipopt import Model

    problem = run.problem
    m = Model("exactfit")
    # Work in units where the zero network's loss is LOSS_SCALE (see there); f scales by lam.
    lam = data_scale(problem)
    _set_params(
        m, time_limit, feastol * (retry.feastol_factor if retry else 1.0), run.options, lam * lam
    )
    for key, value in (retry.params if retry else {}).items():
        m.setParam(key, value)
    extras = Extras(
        bool(run.options.get("symmetry", True)),
        bool(run.options.get("budget_rows", True)),
        None if run.options.get("relu_caps") is None else bool(run.options["relu_caps"]),
    )
    W, B = add_fit(m, problem, signs, run.formulation, lam, extras, cutoff)
    if math.isfinite(cutoff):
        m.setObjlimit(cutoff * lam * lam)
    if run.live.enabled:
        _watch(m, run.live, lam * lam)
    try:
        # SCIP's own Ctrl-C handler is off (_set_params): the first Ctrl-C reaches
        # exactfit.interrupt, which calls interruptSolve; SCIP then ends "userinterrupt".
        run_backend(m.optimizeNogil, m.interruptSolve, verbose=bool(run.options.get("verbose")))
    except Exception as exc:  # SCIP raises a bare Exception for internal errors (e.g. LP trouble)
        return outcome_from_status(signs, f"exception: {exc}", cutoff=cutoff)

    network = objective = None
    if m.getNSols() > 0:
        sol = m.getBestSol()
        d, k = problem.d, problem.units
        wv = [[m.getSolVal(sol, W[j][l]) / lam for l in range(d)] for j in range(k)]
        bv = [m.getSolVal(sol, B[j]) / lam if B[j] is not None else 0.0 for j in range(k)]
        network = _polish(problem, signs, wv, bv)
        objective = m.getPrimalbound() / (lam * lam)
    return outcome_from_status(
        signs,
        m.getStatus(),
        dual=m.getDualbound() / (lam * lam),
        cutoff=cutoff,
        network=network,
        objective=objective,
        nodes=m.getNNodes(),
    )


def _watch(m: Any, live: MipProgress, unscale: float) -> None:
    """Report ``m``'s incumbent, dual bound and nodes to ``live`` on each new best solution
    and each solved node (an event handler; the reports are throttled, and SCIP is asked for
    its figures only when one is due)."""
    from pyscipopt import SCIP_EVENTTYPE, Eventhdlr

    events = SCIP_EVENTTYPE.BESTSOLFOUND | SCIP_EVENTTYPE.NODESOLVED

    def read() -> tuple[float | None, float | None, int]:
        primal = m.getPrimalbound() if m.getNSols() > 0 else math.inf
        return primal / unscale, m.getDualbound() / unscale, m.getNNodes()

    class Watch(Eventhdlr):  # type: ignore[misc]
        def eventinit(self) -> None:
            self.model.catchEvent(events, self)

        def eventexit(self) -> None:
            self.model.dropEvent(events, self)

        def eventexec(self, event: Any) -> dict[str, Any]:
            live.model(read)
            return {}

    m.includeEventhdlr(Watch(), "exactfit_progress", "live progress of exactfit")


def _set_params(
    m: Any, time_limit: float | None, feastol: float, options: Mapping[str, Any], scale: float
) -> None:
    """SCIP's parameters for one sign model (``scale``: the model's loss per unit of loss)."""
    if not options.get("verbose"):
        m.hideOutput()
    if options.get("log") is not None:
        m.setLogfile(str(options["log"]))  # appends: one file for every sign model
    # SCIP's handler prints "pressed CTRL-C" from C and sees only SIGINTs during optimize;
    # exactfit.interrupt handles them for the whole solve instead.
    m.setParam("misc/catchctrlc", False)
    m.setParam("numerics/feastol", feastol)
    if options["nlp"]:
        m.setParam("nlpi/ipopt/optfile", str(IPOPT_OPTIONS))
    else:
        m.setParam("nlp/disable", True)
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
    if options.get("bound_target") is not None:
        # SCIP stops ("duallimit") once its dual bound reaches this, in model units.
        m.setParam("limits/dual", float(options["bound_target"]) * scale)


def _polish(
    problem: FitProblem, signs: tuple[int, ...], W: list[list[float]], b: list[float]
) -> ReluNetwork:
    """Return the better of SCIP's point and the least-squares refit on its activation pattern.

    Both candidates are genuine networks whose loss is recomputed, so polishing can only
    lower the reported objective; it removes the feasibility-tolerance error of the MIQP.
    """
    theta = np.array([list(W[j]) + ([b[j]] if problem.bias else []) for j in range(len(signs))])
    net = clip_to_bound(problem, network_from_theta(problem, signs, theta))
    if problem.weight_bound is not None:
        return net
    Z = problem.lifted()
    active = (Z @ theta.T) > 0  # (n, k)
    D = Z.shape[1]
    design = np.zeros((problem.n, D * len(signs)))
    for j, s in enumerate(signs):
        design[:, j * D : (j + 1) * D] = s * Z * active[:, [j]]
    sw = np.sqrt(problem.cf)
    sol, *_ = np.linalg.lstsq(design * sw[:, None], problem.yf * sw, rcond=None)
    cand = network_from_theta(problem, signs, sol.reshape(len(signs), D))
    return cand if loss(problem, cand) < loss(problem, net) else net
