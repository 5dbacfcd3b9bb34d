"""One driver for the MIQP backends: solve one model per output-sign vector and combine.

Both MIQP solvers (``scip`` and ``ortools``) fix the output signs ``a ∈ {±1}^k`` per model:
units are interchangeable, so with free signs only the number of positive units matters
(``k + 1`` models, :meth:`FitProblem.sign_vectors`), and with fixed or nonnegative signs there
is one model.  A backend solves one such model and describes how it ended with a
:class:`SignModelOutcome`, in the project's units (a backend that scales its model, as both do,
scales back before it answers); :func:`solve_sign_models` runs the models and combines them.

Rules of the combination
------------------------
* **Time.** One deadline for the whole solve, spent in up to two passes.  First pass: each
  model gets the time left divided by the number of models still to run, time a model does not
  use rolling over to the next, so one hard sign vector cannot starve the others of the chance
  to supply an incumbent or a bound.  Second pass: the time the first pass left (models that
  finished early) goes to the models their share stopped (``Limit.TIME``), solved again in
  order with the same even split of what is left and the best incumbent as cut-off; such a
  model's bound is the larger of its two runs' (both are proven).  So the solve ends within the
  limit (plus one model's overshoot of its own share), and no granted time is left unused while
  a model is unproven.  A model the deadline never reaches contributes the trivial bound 0 (the
  loss is a sum of squares) and makes the result stopped by ``Limit.TIME``.
* **Incumbent.** Networks are compared by their exact rational loss
  (:func:`exactfit.problem.exact_loss`), the number :func:`exactfit.result.finalize` reports
  as the objective: the returned network is then the best candidate by the reported value, never
  a float near-tie.  The best loss so far, rounded to float, is passed to the next model as its
  cut-off.  A ``start`` network (checked to be in the class by the backend) is the incumbent
  before the first model, so every model runs with its loss as cut-off: a model that finds
  nothing better ends cut off, which proves "≥ cut-off", and the start is returned.
* **Bound.** The minimum over models of each model's proven bound, clipped at 0.  A model cut
  off by the incumbent proves "≥ cut-off".  After an exact fit (loss 0) the remaining models
  are skipped with bound 0, which is then optimal, not a limit.
* **Limits.** A model left stopped by a limit (time, node limit, memory...) makes the result
  unproven: :func:`finalize` is called with ``proven=False`` and the limit of the first such
  model, so it is FEASIBLE, never OPTIMAL.  The remaining models still run, except after
  ``Limit.INTERRUPT``: the user asked to stop, so the rest are skipped.  Only time limits are
  worth a second run (a node limit would stop the same search at the same place).
* **Ctrl-C.** The models run in a :func:`exactfit.interrupt.graceful` section: the first
  Ctrl-C stops the running backend (each backend passes its own stop to
  :func:`exactfit.interrupt.call`), which reports ``Limit.INTERRUPT``; one that arrives between
  two models skips the rest with the same limit.  The result is the usual FEASIBLE one, with
  the best network so far and the bound over all models (0 for the skipped ones).
* **No incumbent.** If no model returned a network (every one stopped early), the zero network
  is returned: it is in every class and its loss ``Σ c y²`` is the a-priori upper bound both
  models already use, so the result stays FEASIBLE with a truthful objective.
* **Failed models.** An outcome with ``error`` set (the backend failed, or ended in a status
  that proves nothing; :class:`~exactfit.errors.SolverFailed` raised by a backend is the same)
  loses nothing else: the model keeps the trivial bound 0, the other models still run, and the
  result is FEASIBLE (``proven=False``, no limit) with the best network and the bound over all
  models, its message naming each failed model and the backend's words.  Never OPTIMAL, unless
  the incumbent meets the trivial bound 0 anyway (above).  Any other exception is a bug and
  propagates.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from exactfit import interrupt, progress
from exactfit.errors import SolverFailed
from exactfit.problem import FitProblem, ReluNetwork, exact_loss
from exactfit.result import Limit, Result, bound_meets, finalize
from exactfit.solvers._common import network_from_theta

__all__ = ["MipProgress", "SignModelOutcome", "SolveOne", "solve_sign_models"]


@dataclass(frozen=True)
class SignModelOutcome:
    """How the model for one sign vector ended, in the project's units.

    Attributes
    ----------
    signs : tuple of int
        The output signs of this model.
    status : str
        The backend's raw termination (a SCIP status string, a MathOpt termination), verbatim.
    bound : float
        A proven lower bound ``≥ 0`` on the optimum over networks with these signs (the dual
        bound, or the cut-off when the model was cut off; 0 when nothing better is known).
    network : ReluNetwork or None
        The backend's incumbent for this model, if any (its loss is recomputed exactly).
    objective : float or None
        The backend's own value for its incumbent (informational: the driver ranks networks by
        their exact loss).
    limit : Limit or None
        The limit that stopped this model; ``None`` when it finished (or was cut off).
    error : str or None
        Set when the backend failed or ended in a status that proves nothing: the whole solve
        becomes ERROR with this message.
    nodes : int
        Branch-and-bound nodes.
    retried : str or None
        Why a first attempt at this model was discarded and the model solved again.
    extra : mapping
        Further backend-specific figures for ``Result.stats["models"]`` (JSON-serialisable).
    """

    signs: tuple[int, ...]
    status: str
    bound: float = 0.0
    network: ReluNetwork | None = None
    objective: float | None = None
    limit: Limit | None = None
    error: str | None = None
    nodes: int = 0
    retried: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "signs", tuple(int(s) for s in self.signs))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        if not (math.isfinite(self.bound) and self.bound >= 0.0):
            raise ValueError(f"a sign model's bound must be finite and ≥ 0, found {self.bound!r}")
        if self.error is not None and self.network is not None:
            raise ValueError("a failed sign model cannot carry a network")

    @property
    def proven(self) -> bool:
        """Whether this model finished: its bound is final (it may still be loose)."""
        return self.error is None and self.limit is None

    def record(self, wall_s: float, share_s: float | None = None) -> dict[str, Any]:
        """The entry of ``Result.stats["models"]`` for this model (``share_s``: the time it
        was granted, ``None`` for no limit)."""
        out: dict[str, Any] = {
            "signs": list(self.signs),
            "termination": self.status,
            "nodes": self.nodes,
            "wall_s": wall_s,
            "share_s": share_s,
        }
        if self.error is None:
            out["bound"] = self.bound
        if self.objective is not None:
            out["objective"] = self.objective
        if self.retried is not None:
            out["retried"] = self.retried
        out.update(self.extra)
        return out


#: ``solve_one(signs, time_limit, cutoff)``: solve the model for ``signs`` within
#: ``time_limit`` seconds (``None``: no limit), accepting only solutions with loss below
#: ``cutoff`` when it is finite (the best loss found by earlier models).
SolveOne = Callable[[tuple[int, ...], float | None, float], SignModelOutcome]


@dataclass
class _Combination:
    """The sign models run so far, combined (see the module docstring for the rules)."""

    problem: FitProblem
    vectors: list[tuple[int, ...]]
    best_net: ReluNetwork | None = None
    best: Fraction | None = None  # exact loss of best_net
    bounds: list[float] = field(init=False)  # per sign vector
    limits: list[Limit | None] = field(init=False)  # per sign vector
    models: list[dict[str, Any]] = field(default_factory=list)  # one record per run, in order
    failures: list[str] = field(default_factory=list)  # "signs (…): error", per failed model
    nodes: int = 0

    def __post_init__(self) -> None:
        self.bounds = [0.0] * len(self.vectors)  # the trivial bound until a model proves more
        self.limits = [None] * len(self.vectors)

    @property
    def cutoff(self) -> float:
        return math.inf if self.best is None else float(self.best)

    @property
    def fitted(self) -> bool:
        """Whether the incumbent already meets the trivial bound 0 of every model."""
        return self.best is not None and bound_meets(float(self.best), 0.0)

    @property
    def limit(self) -> Limit | None:
        """What left a sign model unproven: an interrupt anywhere, else the first limit."""
        first = next((lim for lim in self.limits if lim is not None), None)
        # A request during the second pass leaves the models it skipped at Limit.TIME.
        if Limit.INTERRUPT in self.limits or (first is not None and interrupt.requested()):
            return Limit.INTERRUPT
        return first

    def skip(self, index: int, why: str, limit: Limit | None) -> None:
        """A model not run: it keeps the trivial bound of a sum of squares."""
        self.limits[index] = limit
        record = {"signs": list(self.vectors[index]), "termination": f"skipped: {why}"}
        self.models.append({**record, "bound": 0.0})

    def add(
        self,
        index: int,
        out: SignModelOutcome,
        wall_s: float,
        *,
        rerun: bool,
        share_s: float | None = None,
    ) -> None:
        record = out.record(wall_s, share_s)
        self.models.append({**record, **({"rerun": True} if rerun else {})})
        self.nodes += out.nodes
        self.limits[index] = out.limit
        self.bounds[index] = max(self.bounds[index], out.bound)
        if out.network is not None:
            value = exact_loss(self.problem, out.network)
            if self.best is None or value < self.best:
                self.best, self.best_net = value, out.network


class MipProgress:
    """The live progress of a sign-model solve (:mod:`exactfit.progress`).

    The backend's callback (SCIP's event handler, MathOpt's callback) reports the running
    model's primal and dual bound and node count with :meth:`model`; this combines them with
    the models already run by the driver's rules: the incumbent is the least loss seen, the
    bound the least over every model's bound (0 for a model not yet run, so the bound stays 0
    until each model has started).  ``enabled`` is false when nobody observes: backends then
    attach no callback at all.
    """

    def __init__(self, solver: str, models: int) -> None:
        self.solver, self.models = solver, models
        self.enabled = progress.active()
        self.lock = threading.Lock()
        self.throttle = progress.Throttle()
        self.best: float | None = None
        self.bounds = [0.0] * models
        self.index, self.phase, self.nodes = 0, "", 0

    def begin(self, run: _Combination, index: int, rerun: bool) -> None:
        """The driver starts model ``index`` (again, in the second pass, when ``rerun``)."""
        with self.lock:
            self.best = None if run.best is None else float(run.best)
            self.bounds = list(run.bounds)
            self.index, self.nodes = index, run.nodes
            self.phase = f"model {index + 1}/{self.models}" + (" again" if rerun else "")
        self._publish(None, None, 0)

    def model(self, read: Callable[[], tuple[float | None, float | None, int]]) -> None:
        """Report the running model: ``read()`` gives its incumbent value, dual bound and
        nodes (problem units; ``None`` or an infinite value when it has none).  Throttled to
        ≤ 10 reports a second, and ``read`` is called only when a report is due."""
        if self.throttle.ready():
            self._publish(*read())

    def end(self, run: _Combination) -> None:
        """The driver finished a model: report the combination."""
        with self.lock:
            self.best = None if run.best is None else float(run.best)
            self.bounds = list(run.bounds)
            self.nodes = run.nodes
        self._publish(None, None, 0)

    def _publish(self, primal: float | None, dual: float | None, nodes: int) -> None:
        if not self.enabled:
            return
        with self.lock:
            values = [v for v in (self.best, primal) if v is not None and math.isfinite(v)]
            bounds = list(self.bounds)
            if dual is not None and math.isfinite(dual) and dual < 1e19:
                bounds[self.index] = max(bounds[self.index], dual)
            snap = progress.Snapshot(
                solver=self.solver,
                phase=self.phase,
                incumbent=min(values) if values else None,
                bound=max(min(bounds), 0.0),
                done=self.nodes + nodes,
                unit="nodes",
            )
        progress.publish(snap)


def _run_pass(
    run: _Combination,
    solve_one: SolveOne,
    order: list[int],
    deadline: float | None,
    *,
    rerun: bool,
    live: MipProgress | None = None,
) -> None:
    """Run the sign models ``order`` (indices) once (failures are recorded in ``run``)."""
    for pos, index in enumerate(order):
        remaining = None if deadline is None else deadline - time.perf_counter()
        if run.fitted:
            # An exact fit (within OPT_ATOL): the bound 0 proves it, no model is left unproven.
            if rerun:
                run.limits[index] = None
            else:
                run.skip(index, "exact fit found", None)
            continue
        # A request can arrive between two models, when no backend is running to report it.
        interrupted = Limit.INTERRUPT in run.limits or interrupt.requested()
        if interrupted or (remaining is not None and remaining <= 0):
            if rerun:
                break
            why, limit = (
                ("interrupted", Limit.INTERRUPT) if interrupted else ("time limit", Limit.TIME)
            )
            run.skip(index, why, limit)
            continue
        share = None if remaining is None else remaining / (len(order) - pos)
        signs = run.vectors[index]
        began = time.perf_counter()
        if live is not None:
            live.begin(run, index, rerun)
        try:
            out = solve_one(signs, share, run.cutoff)
        except SolverFailed as exc:
            out = SignModelOutcome(signs, f"failure: {exc}", error=str(exc))
        if rerun and out.error is not None:
            # A failed second try of a model stopped by its time share: its first run (a
            # valid bound, the incumbent) stands, and the model stays stopped by time.
            record = out.record(time.perf_counter() - began, share)
            run.models.append({**record, "rerun": True})
            run.limits[index] = Limit.TIME
            continue
        run.add(index, out, time.perf_counter() - began, rerun=rerun, share_s=share)
        if out.error is not None:
            run.failures.append(f"sign model {signs}: {out.error}")
        if live is not None:
            live.end(run)


def _summary(
    run: _Combination, start: ReluNetwork | None, stats: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The result's ``stats``: the models run, nodes, the start's loss, the backend's figures."""
    out: dict[str, Any] = {"models": run.models, "nodes": run.nodes}
    out["sign_models"] = len(run.vectors)
    if start is not None:
        out["start_loss"] = float(exact_loss(run.problem, start))
    out.update(stats or {})
    return out


def _failures(run: _Combination) -> tuple[bool, str]:
    """Whether failed models leave optimality unproven, and the message naming them."""
    if not run.failures:
        return False, ""
    failed = not run.fitted
    keeps = "that model keeps" if len(run.failures) == 1 else "those models keep"
    proof = "optimality is not proven" if failed else "the exact fit is optimal regardless"
    return failed, f"{'; '.join(run.failures)}: {keeps} the trivial bound 0, so {proof}"


def solve_sign_models(
    problem: FitProblem,
    solve_one: SolveOne,
    *,
    solver: str,
    time_limit: float | None,
    stats: Mapping[str, Any] | None = None,
    proof_detail: str = "",
    live: MipProgress | None = None,
    start: ReluNetwork | None = None,
) -> Result:
    """Solve every sign model of ``problem`` with ``solve_one`` and combine them.

    The rules (shared deadline, exact incumbent comparison, bound, limits, errors) are in the
    module docstring.

    Parameters
    ----------
    problem : FitProblem
    solve_one : SolveOne
        The backend: solves the model of one sign vector within a time share and a cut-off.
    solver : str
        Registry name, recorded in the result.
    time_limit : float or None
        Seconds for the whole solve (already checked positive), ``None`` for no limit.
    stats : mapping, optional
        The backend's own figures, merged into the result's ``stats`` after ``models`` (one
        entry per model run or skipped, in order, see :meth:`SignModelOutcome.record`),
        ``nodes`` and ``sign_models``.
    proof_detail : str
        What an OPTIMAL result's bound rests on: the backend's dual bounds at its tolerances
        (the proof level is always :attr:`~exactfit.result.Proof.TOLERANCE`).
    live : MipProgress, optional
        The live progress the backend's callback reports to; the driver reports each model's
        start and end there.
    start : ReluNetwork, optional
        The first incumbent (already checked to be in the class): its exact loss is the cut-off
        of every model.

    Returns
    -------
    Result
        From :func:`exactfit.result.finalize`; FEASIBLE, with the failed models named in its
        message, when a model failed.
    """
    began = time.perf_counter()
    deadline = None if time_limit is None else began + time_limit
    vectors = problem.sign_vectors()
    run = _Combination(problem, vectors)
    if start is not None:
        run.best, run.best_net = exact_loss(problem, start), start
    with interrupt.graceful():
        order = list(range(len(vectors)))
        _run_pass(run, solve_one, order, deadline, rerun=False, live=live)
        if deadline is not None:
            again = [i for i, limit in enumerate(run.limits) if limit is Limit.TIME]
            _run_pass(run, solve_one, again, deadline, rerun=True, live=live)
        limit = run.limit
    summary = _summary(run, start, stats)
    wall = time.perf_counter() - began
    failed, message = _failures(run)
    best_net = run.best_net
    if best_net is None:
        zero = [[0.0] * problem.lifted_dim] * problem.units
        best_net = network_from_theta(problem, vectors[0], zero)
    return finalize(
        problem,
        best_net,
        bound=max(min(run.bounds), 0.0),
        solver=solver,
        wall_s=wall,
        proven=limit is None and not failed,
        limit=limit,
        stats=summary,
        message=message,
        proof_detail=proof_detail,
    )
