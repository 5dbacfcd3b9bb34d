"""The checks of one source, one step function per group of report items."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.errors import InputError
from exactfit.network import exact_loss
from exactfit.problem import FitProblem, ReluNetwork, network_violations
from reductions.base import Reduction
from reductions.check.decide import (
    DEFAULT_SECONDS,
    check_exact_time,
    decisive_bound,
    with_exact_bound,
)
from reductions.check.discrimination import Discrimination, consistent_values
from reductions.check.report import CheckReport, Item, _bracket, _fmt
from reductions.check.target import TargetOptimum, _solve_source_side, _tol, solve_fit
from reductions.interval import Interval
from reductions.problems import ColourableProblem, InvalidSolution, source_hash
from reductions.registry import get_reduction
from reductions.sources.types import CNF, Graph, Hypergraph

__all__ = ["check"]


def check(
    reduction: Reduction | str,
    source: Any,
    *,
    solver: str = "auto",
    source_method: str = "auto",
    cross_solver: str | None = None,
    cross_source_method: str | None = None,
    time_limit: float | None = None,
    solver_options: dict[str, Any] | None = None,
    cross_options: dict[str, Any] | None = None,
    seed_lift: bool = True,
    exact_bound: bool = True,
    exact_time: float | None = None,
    stop_when_decided: bool = False,
) -> CheckReport:  # long: the one entry point; its parameters are documented here
    """Check ``reduction`` on ``source``; see the package docstring for the list of checks.

    Parameters
    ----------
    reduction : Reduction or str
        A reduction object or a registry name (built without parameters).
    source : Graph, Hypergraph or CNF
    solver : str
        Fitting solver for the target (``auto``, ``enum``, ``scip``, ``brute``, ...).  Ignored
        for source-side targets, which use ``source_method``.
    source_method : str
        Method of the exact source solvers (``auto``, ``cpsat``, ``scip``, ``brute``).
    cross_solver, cross_source_method : str, optional
        Independent second methods; their optima must agree with the first ones.
    time_limit : float, optional
        Seconds for the fitting side: the target's solve and the exact-bound step together
        (the cross-check's solve gets its own ``time_limit``).
    solver_options, cross_options : dict, optional
        Extra options for the fitting solvers (e.g. ``{"node_limit": 5000}`` for SCIP).
    seed_lift : bool
        Hand the lift of the source certificate (the completeness network) to MIQP solvers as
        their first incumbent (:func:`~reductions.check.target.solve_fit`'s ``start``); only
        when it is in the target's class.  The bound stays the solver's proof.
    exact_bound : bool
        Ask the certificate prover for the exact bound that alone decides when the fit was not
        finished (:mod:`reductions.check.decide`).
    exact_time : float, optional
        Seconds for that step; by default what the target's solve left of ``time_limit``
        (nothing when it used it all), :data:`~reductions.check.decide.DEFAULT_SECONDS`
        without a time limit.
    stop_when_decided : bool
        Let an MIQP solver stop as soon as its bound decides the verdict with the lift as the
        upper end (:func:`~reductions.check.decide.decisive_bound`, solver option
        ``bound_target``): a faster PASS "decided by bound" where the full optimum would take
        longer, at the price of the items that need the optimum (they are then moot).
    """
    red = get_reduction(reduction) if isinstance(reduction, str) else reduction
    how = _Methods(
        solver, source_method, cross_solver, cross_source_method, time_limit,
        solver_options, cross_options, seed_lift, exact_bound,
        check_exact_time(exact_time), bool(stop_when_decided),
    )  # fmt: skip
    items: list[Item] = []
    target, trace = red.forward(source)
    case = _Case(red, source, trace, target)
    declared, actual = _check_size(case, items)
    src = _source_optimum(case, how, items)
    start = _lifted_start(case, src) if seed_lift else None
    opt = _target_optimum(case, how, items, start, _stop_at(case, src, start, how))
    fit_seconds = opt.wall_s  # the target's own solve (not the cross-check's)
    pred = red.predicted(trace, src.value)
    lifted_val = _check_completeness(case, src, pred, items)
    if isinstance(target, FitProblem) and opt.exact is None and lifted_val == 0:
        # a network of exact loss 0 proves the optimum is exactly 0
        note = f"{opt.note}; exact 0 by the lift".strip("; ")
        opt = dataclasses.replace(opt, exact=Fraction(0), note=note)
    opt = _exact_bound(case, src, opt, how, fit_seconds)
    _check_relation(opt, pred, items)
    disc = _check_discrimination(case, src, opt, items)
    decoded = _check_decoded(case, src, opt, items)
    proj_val = _check_projection(case, src, opt, items)
    return CheckReport(
        reduction=red.name,
        parameters=red.parameters(),
        source_name=getattr(source, "name", ""),
        source_sha256=source_hash(source),
        size_declared=declared,
        size_actual=actual,
        source_value=src.value,
        source_method=src.method,
        target=opt,
        predicted=pred,
        decoded=decoded,
        lifted_value=lifted_val,
        projected_value=proj_val,
        items=tuple(items),
        relation=red.relation(),
        discrimination=disc,
        target_instance=target,
        source=source,
    )


def _exact_bound(
    case: _Case, src: Any, opt: TargetOptimum, how: _Methods, fit_seconds: float
) -> TargetOptimum:
    """An unfinished fit: the exact bound that alone would decide, if the prover gives it
    within the seconds the fitting side has left (``exact_time`` when given)."""
    if not (how.exact_bound and isinstance(case.target, FitProblem) and src.optimal):
        return opt
    if how.exact_time is not None:
        seconds = how.exact_time
    elif how.time_limit is None:
        seconds = DEFAULT_SECONDS
    else:
        seconds = max(0.0, how.time_limit - fit_seconds)
    red, trace = case.red, case.trace
    domain = red.source_problem.value_range(case.source)
    return with_exact_bound(
        case.target, opt, lambda v: red.predicted(trace, v), domain, src.value, seconds
    )


@dataclass(frozen=True)
class _Methods:
    """How both sides are solved (the solver arguments of :func:`check`)."""

    solver: str
    source_method: str
    cross_solver: str | None
    cross_source_method: str | None
    time_limit: float | None = None
    solver_options: dict[str, Any] | None = None
    cross_options: dict[str, Any] | None = None
    seed_lift: bool = True
    exact_bound: bool = True
    exact_time: float | None = None
    stop_when_decided: bool = False


@dataclass(frozen=True)
class _Case:
    """One application of a reduction: the source, its trace and the target instance."""

    red: Reduction
    source: Any
    trace: Any
    target: Any


def _check_size(case: _Case, items: list[Item]) -> tuple[tuple[int, int], tuple[int, int]]:
    """The declared and actual size (item ``size``), and the ``sound class`` item if unsound."""
    declared = tuple(case.red.size(case.source))
    actual = _size(case.target)
    items.append(Item("size", declared == actual, f"declared {declared}, actual {actual}"))
    if case.red.unsound:
        items.append(Item("sound class", False, f"unsound configuration: {case.red.unsound}"))
    return declared, actual


def _source_optimum(case: _Case, how: _Methods, items: list[Item]) -> Any:
    """The source optimum (item ``source optimal``), cross-checked by a second method."""
    sp = case.red.source_problem
    src = sp.solve(case.source, how.source_method)
    items.append(Item("source optimal", bool(src.optimal), f"{src.value} by {src.method}"))
    if how.cross_source_method:
        src2 = sp.solve(case.source, how.cross_source_method)
        agree = src2.optimal and src2.value == src.value
        detail = f"{how.cross_source_method}: {src2.value} vs {how.source_method}: {src.value}"
        items.append(Item("source cross-check", agree, detail))
    return src


def _lifted_start(case: _Case, src: Any) -> ReluNetwork | None:
    """The lift of the source certificate when the target is a fit and the network is in its
    class (the MIQP start; the completeness check re-derives and checks it independently)."""
    if not (isinstance(case.target, FitProblem) and src.optimal and src.certificate is not None):
        return None
    if isinstance(case.red.source_problem, ColourableProblem) and src.value == 0:
        return None  # no colouring to lift
    try:
        net = case.red.lift(case.source, case.trace, src.certificate)
    except (InvalidSolution, InputError):
        return None  # the completeness item reports it
    if not isinstance(net, ReluNetwork) or network_violations(case.target, net):
        return None
    return net


def _stop_at(case: _Case, src: Any, start: ReluNetwork | None, how: _Methods) -> float | None:
    """The bound at which the solver may stop (``stop_when_decided``), or ``None``."""
    if not (how.stop_when_decided and start is not None and src.optimal):
        return None
    upper = exact_loss(case.target, start)
    domain = case.red.source_problem.value_range(case.source)
    tol = Fraction(_tol(float(upper)))
    red, trace = case.red, case.trace
    return decisive_bound(lambda v: red.predicted(trace, v), domain, src.value, upper, tol)


def _target_optimum(
    case: _Case,
    how: _Methods,
    items: list[Item],
    start: ReluNetwork | None,
    stop_at: float | None = None,
) -> TargetOptimum:
    """The target optimum (item ``target optimal``), cross-checked by a second solver."""
    tp, target = case.red.target_problem, case.target
    fitting = isinstance(target, FitProblem)
    if fitting:
        opt = solve_fit(
            target,
            how.solver,
            time_limit=how.time_limit,
            options=how.solver_options,
            start=start,
            bound_target=stop_at,
        )
    else:
        opt = _solve_source_side(tp, target, how.source_method)
    items.append(Item("target optimal", opt.proven, f"{opt.method}: {_bracket(opt)} {opt.note}"))
    if how.cross_solver and fitting:
        opt2 = solve_fit(
            target, how.cross_solver, time_limit=how.time_limit, options=how.cross_options
        )
        a, b = float(opt.value), float(opt2.value)
        agree = opt2.proven and abs(a - b) <= _tol(max(abs(a), abs(b)))
        if opt.exact is not None and opt2.exact is not None:
            agree = agree and opt.exact == opt2.exact
        items.append(Item("target cross-check", agree, f"{how.cross_solver}: {b!r} vs {a!r}"))
    elif how.cross_solver and not fitting:
        opt2 = _solve_source_side(tp, target, how.cross_solver)
        agree = opt2.proven and opt2.exact == opt.exact
        detail = f"{how.cross_solver}: {opt2.value} vs {opt.value}"
        items.append(Item("target cross-check", agree, detail))
    return opt


def _check_relation(opt: TargetOptimum, pred: Interval, items: list[Item]) -> None:
    """Item ``relation``: the target optimum lies in the predicted interval."""
    if opt.exact is not None:
        ok = pred.contains(opt.exact)
        items.append(Item("relation", ok, f"opt {_fmt(opt.exact)} in {pred}"))
    elif opt.lower is not None and opt.upper is not None:
        ok = pred.brackets(float(opt.lower), float(opt.upper), _tol(float(opt.upper)))
        items.append(Item("relation", ok, f"opt {_bracket(opt)} in {pred} (solver tolerance)"))
    else:
        items.append(Item("relation", False, "the target optimum is unknown"))


def _check_discrimination(
    case: _Case, src: Any, opt: TargetOptimum, items: list[Item]
) -> Discrimination | None:
    """Item ``discrimination``: the source values the target bracket is consistent with
    (:mod:`reductions.check.discrimination`); it must contain the source optimum.  Valid for an
    unfinished solve too (its bracket still contains the optimum); skipped when the source
    optimum is not proven."""
    if not src.optimal:
        return None
    if opt.exact is not None:
        lower = upper = opt.exact
    else:
        lower, upper = _exact_or_none(opt.lower), _exact_or_none(opt.upper)
    floats = any(isinstance(x, float) for x in (opt.lower, opt.upper)) and opt.exact is None
    scale = max((abs(float(x)) for x in (lower, upper) if x is not None), default=0.0)
    tol = Fraction(_tol(scale)) if floats else Fraction(0)
    domain = case.red.source_problem.value_range(case.source)
    red, trace = case.red, case.trace
    values = consistent_values(lambda v: red.predicted(trace, v), domain, lower, upper, tol)
    disc = Discrimination(values, src.value, domain, lower, upper, tol, opt.bound_proof or "none")
    items.append(Item("discrimination", disc.holds, disc.text()))
    return disc


def _exact_or_none(x: float | Fraction | None) -> Fraction | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return Fraction(x)


def _check_decoded(case: _Case, src: Any, opt: TargetOptimum, items: list[Item]) -> Any:
    """Item ``decoded`` (exact value maps only): the source optimum read off the target's."""
    if not (case.red.exact_value_map and opt.value is not None):
        return None
    try:
        raw = opt.exact if opt.exact is not None else float(opt.value)
        decoded = case.red.source_value(case.trace, raw)
    except (ValueError, ArithmeticError) as exc:
        decoded = f"undecodable: {exc}"
    items.append(
        Item("decoded", decoded == src.value, f"decoded {decoded}, source optimum {src.value}")
    )
    return decoded


def _check_projection(case: _Case, src: Any, opt: TargetOptimum, items: list[Item]) -> Any:
    """Items ``projected soundness`` and ``projected value`` (or ``projected`` when invalid);
    the projected certificate's source value."""
    if opt.certificate is None:
        return None
    red, sp, tp = case.red, case.red.source_problem, case.red.target_problem
    proj_val: Any = None
    try:
        proj = red.project(case.source, case.trace, opt.certificate)
        proj_val = sp.evaluate(case.source, proj)
        tval = tp.evaluate(case.target, opt.certificate)
        ipred = red.predicted(case.trace, proj_val)
        if tp.sense == "min":
            sound = ipred.lo is None or (tval > ipred.lo if ipred.lo_open else tval >= ipred.lo)
        else:
            sound = ipred.hi is None or tval <= ipred.hi
        items.append(
            Item(
                "projected soundness",
                sound,
                f"target value {_fmt(tval)} vs predicted({proj_val}) = {ipred}",
            )
        )
        if red.exact_value_map:
            items.append(
                Item(
                    "projected value",
                    proj_val == src.value,
                    f"projected {proj_val}, source optimum {src.value}",
                )
            )
    except (InvalidSolution, InputError) as exc:
        items.append(Item("projected", False, f"projection invalid: {exc}"))
    return proj_val


def _check_completeness(case: _Case, src: Any, pred: Interval, items: list[Item]) -> Any:
    """Completeness: lift the source certificate, evaluate it exactly, project it back (items
    ``lifted`` and ``round trip``); returns the lifted certificate's exact target value."""
    red, source, trace = case.red, case.source, case.trace
    sp, tp = red.source_problem, red.target_problem
    if isinstance(sp, ColourableProblem) and src.value == 0:
        items.append(Item("lifted", True, "the source has no colouring to lift (answer NO)"))
        return None
    try:
        lifted = red.lift(source, trace, src.certificate)
        value = tp.evaluate(case.target, lifted)
    except (InvalidSolution, InputError) as exc:
        items.append(Item("lifted", False, f"lift gave an invalid solution: {exc}"))
        return None
    expected = red.lifted_value(trace, src.value)
    # a feasible target solution cannot beat the proven bound on the optimum
    if tp.sense == "min":
        side_ok = pred.lo is None or (value > pred.lo if pred.lo_open else value >= pred.lo)
    else:
        side_ok = pred.hi is None or (value < pred.hi if pred.hi_open else value <= pred.hi)
    ok = side_ok and (expected is None or value == expected)
    detail = f"value {_fmt(value)}, completeness value {_fmt(expected)}, predicted {pred}"
    items.append(Item("lifted", ok, detail))
    try:
        back_value = sp.evaluate(source, red.project(source, trace, lifted))
    except (InvalidSolution, InputError) as exc:
        items.append(Item("round trip", False, f"project(lift(cert)) is invalid: {exc}"))
        return value
    items.append(
        Item("round trip", back_value == src.value, f"project(lift(cert)) has value {back_value}")
    )
    return value


def _size(target: Any) -> tuple[int, int]:
    if isinstance(target, FitProblem):
        return (target.n, target.d)
    if isinstance(target, Graph):
        return (target.n, target.m)
    if isinstance(target, CNF):
        return (target.num_vars, target.m)
    if isinstance(target, Hypergraph):
        return (target.n, len(target.edges))
    raise TypeError(f"unknown target type {type(target).__name__}")
