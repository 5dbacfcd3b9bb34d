"""The shared sign-model driver of the MIQP backends, with fake backends (no solver runs)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import exactfit
from exactfit.errors import SolverFailed
from exactfit.generate import planted_fit
from exactfit.problem import FitProblem, ReluNetwork, Unit, exact_loss, loss
from exactfit.result import Limit, Status
from exactfit.solvers import _signmodels
from exactfit.solvers._signmodels import SignModelOutcome, solve_sign_models

#: k = 2 with free signs: three sign models (+,+), (+,-), (-,-).
TWO = FitProblem(X=[[0], [1], [2], [3]], y=[1, 0, 2, "1/2"], units=2)
ONE = FitProblem(X=[[1], [2], [3]], y=["1/10", "3/10", "7/10"], units=1)


def net(a: int, w: float, b: float, k: int = 1) -> ReluNetwork:
    return ReluNetwork((Unit(a, (w,), b),) * k)


class Backend:
    """Answers each sign model from ``answers`` (a callable of the call index) and records the
    calls ``(signs, time_limit, cutoff)``."""

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[tuple[tuple[int, ...], float | None, float]] = []

    def __call__(self, signs, time_limit, cutoff):
        self.calls.append((signs, time_limit, cutoff))
        return self.answer(len(self.calls) - 1, signs)


def test_time_is_shared_and_what_a_model_leaves_rolls_over(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(_signmodels, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    used = [0.5, 0.25, 0.0]  # seconds each model takes

    def answer(i, signs):
        clock[0] += used[i]
        return SignModelOutcome(signs, "optimal", bound=0.0)

    backend = Backend(answer)
    solve_sign_models(TWO, backend, solver="fake", time_limit=3.0)
    shares = [call[1] for call in backend.calls]
    # 3 s over 3 models: 1 s each at first; model 1 used 0.5, so 2.5 s are left for two models.
    assert shares == pytest.approx([1.0, 1.25, 2.25])


def test_models_the_deadline_never_reaches_give_bound_zero_and_time(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(_signmodels, "time", SimpleNamespace(perf_counter=lambda: clock[0]))

    def answer(i, signs):
        clock[0] += 5.0  # overshoots the whole limit
        return SignModelOutcome(signs, "optimal", bound=0.1, network=net(1, 1.0, 0.0, 2))

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=1.0)
    assert len(backend.calls) == 1
    assert r.status is Status.FEASIBLE and r.limit is Limit.TIME
    assert r.bound == 0.0
    assert [m["termination"] for m in r.stats["models"]][1:] == ["skipped: time limit"] * 2


def test_time_the_first_pass_leaves_goes_to_the_models_their_share_stopped(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(_signmodels, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    fit = net(1, 0.0, 0.5, 2)
    value = float(exact_loss(TWO, fit))

    def answer(i, signs):
        if i == 0:  # the first model uses its whole share and stops
            clock[0] += 1.0
            return SignModelOutcome(signs, "timelimit", bound=0.5 * value, limit=Limit.TIME)
        if i == 3:  # ... and, given what the others left, finishes
            return SignModelOutcome(signs, "optimal", bound=value)
        return SignModelOutcome(signs, "optimal", bound=2 * value, network=fit)

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=3.0)
    assert [call[0] for call in backend.calls] == [(1, 1), (1, -1), (-1, -1), (1, 1)]
    shares = [call[1] for call in backend.calls]
    assert shares == pytest.approx([1.0, 1.0, 2.0, 2.0])
    assert backend.calls[3][2] == value  # the rerun is cut off at the best incumbent
    assert r.status is Status.OPTIMAL and r.limit is None and r.bound == value
    assert [m.get("rerun", False) for m in r.stats["models"]] == [False, False, False, True]


def test_a_rerun_stopped_again_keeps_the_better_of_its_two_bounds(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(_signmodels, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    bounds = {0: 0.2, 3: 0.1}

    def answer(i, signs):
        if i in bounds:
            clock[0] += 1.0 if i == 0 else 10.0
            return SignModelOutcome(signs, "timelimit", bound=bounds[i], limit=Limit.TIME)
        return SignModelOutcome(signs, "optimal", bound=5.0, network=net(1, 0.0, 0.0, 2))

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=3.0)
    assert len(backend.calls) == 4
    assert r.status is Status.FEASIBLE and r.limit is Limit.TIME and r.bound == 0.2


def test_only_time_limits_are_run_again_and_only_under_a_time_limit():
    def answer(i, signs):
        limit = Limit.TIME if i == 1 else Limit.NODES
        return SignModelOutcome(signs, "x", bound=0.0, limit=limit)

    backend = Backend(answer)
    solve_sign_models(TWO, backend, solver="fake", time_limit=100.0)
    assert [call[0] for call in backend.calls] == [(1, 1), (1, -1), (-1, -1), (1, -1)]
    backend = Backend(answer)
    solve_sign_models(TWO, backend, solver="fake", time_limit=None)
    assert len(backend.calls) == 3


def test_an_exact_fit_in_a_later_model_proves_the_models_stopped_before_it():
    exact = ReluNetwork((Unit(1, (1,), 0), Unit(-1, (1,), 0)))  # f = 0 on any data
    zero = FitProblem(X=[[0], [1]], y=[0, 0], units=2)

    def answer(i, signs):
        if i == 0:
            return SignModelOutcome(signs, "timelimit", limit=Limit.TIME)
        return SignModelOutcome(signs, "optimal", network=exact)

    backend = Backend(answer)
    r = solve_sign_models(zero, backend, solver="fake", time_limit=100.0)
    assert len(backend.calls) == 2  # the stopped model needs no rerun: 0 is optimal
    assert r.status is Status.OPTIMAL and r.objective == 0.0


def test_a_limit_makes_the_result_feasible_and_the_other_models_still_run():
    def answer(i, signs):
        limit = [Limit.NODES, Limit.BUDGET, None][i]  # the first limit met is the one reported
        return SignModelOutcome(signs, "x", bound=10.0, network=net(1, 0.0, 0.0, 2), limit=limit)

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=None)
    assert len(backend.calls) == 3
    # The bound (10 ≥ the zero network's loss, clipped) meets the objective: still not OPTIMAL.
    assert r.status is Status.FEASIBLE and r.limit is Limit.NODES
    assert r.bound == r.objective


def test_an_interrupt_stops_the_remaining_models():
    def answer(i, signs):
        return SignModelOutcome(signs, "userinterrupt", bound=0.0, limit=Limit.INTERRUPT)

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=None)
    assert len(backend.calls) == 1
    assert r.limit is Limit.INTERRUPT and r.status is Status.FEASIBLE
    assert r.stats["models"][1]["termination"] == "skipped: interrupted"


def test_incumbents_are_compared_by_their_exact_loss():
    # Found by search: `better` has the smaller exact loss, `worse` the smaller float loss.
    w = 0.20076228008245794
    better, worse = net(1, w, -0.04978939466488893), net(1, w, -0.049789394664888936)
    assert exact_loss(ONE, better) < exact_loss(ONE, worse)
    assert loss(ONE, worse) < loss(ONE, better)  # the trap a float comparison falls into
    nets = [better, worse]
    backend = Backend(lambda i, signs: SignModelOutcome(signs, "optimal", network=nets[i]))
    r = solve_sign_models(ONE, backend, solver="fake", time_limit=None)
    assert r.network == better
    assert r.objective_exact == exact_loss(ONE, better)
    # The next model is cut off at the best exact loss so far.
    assert backend.calls[0][2] == float("inf")
    assert backend.calls[1][2] == float(exact_loss(ONE, better))


def test_the_bound_is_the_minimum_over_models_and_optimal_needs_every_model():
    fit = net(1, 0.0, 0.5, 2)
    value = float(exact_loss(TWO, fit))
    bounds = [value, value * 0.5, value * 2]
    backend = Backend(lambda i, signs: SignModelOutcome(signs, "optimal", bounds[i], fit))
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=None)
    assert r.bound == value * 0.5
    assert r.status is Status.FEASIBLE  # proven, but the bound does not meet the objective
    bounds[:] = [value, value, value * 2]
    r = solve_sign_models(TWO, Backend(backend.answer), solver="fake", time_limit=None)
    assert r.status is Status.OPTIMAL and r.bound == value


def test_an_exact_fit_skips_the_remaining_models_and_is_optimal():
    exact = ReluNetwork((Unit(1, (1,), 0), Unit(-1, (1,), 0)))  # f = 0 on any data
    zero = FitProblem(X=[[0], [1]], y=[0, 0], units=2)
    backend = Backend(lambda i, signs: SignModelOutcome(signs, "optimal", network=exact))
    r = solve_sign_models(zero, backend, solver="fake", time_limit=None)
    assert len(backend.calls) == 1
    assert r.status is Status.OPTIMAL and r.objective == 0.0 and r.bound == 0.0
    assert r.stats["models"][1]["termination"] == "skipped: exact fit found"


def test_without_any_incumbent_the_zero_network_is_returned():
    backend = Backend(lambda i, signs: SignModelOutcome(signs, "timelimit", limit=Limit.TIME))
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=None)
    assert r.status is Status.FEASIBLE and r.limit is Limit.TIME
    assert r.objective_exact == TWO.null_loss()
    assert all(float(u.b) == 0.0 and float(u.w[0]) == 0.0 for u in r.network.units)


def test_a_failed_model_keeps_the_trivial_bound_and_the_others_still_count():
    def answer(i, signs):
        if i == 1:
            return SignModelOutcome(signs, "weird", error="backend said 'weird'", nodes=3)
        return SignModelOutcome(signs, "optimal", bound=0.5, network=net(1, 1.0, 0.0, 2))

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=None, stats={"extra": 1})
    assert len(backend.calls) == 3  # the models after the failed one still run
    # The network of the other models is kept; the failed model's bound is the trivial 0.
    assert r.status is Status.FEASIBLE and r.limit is None
    assert r.objective_exact == exact_loss(TWO, net(1, 1.0, 0.0, 2)) and r.bound == 0.0
    assert r.message == (
        "sign model (1, -1): backend said 'weird': that model keeps the trivial bound 0, "
        "so optimality is not proven"
    )
    assert r.stats["models"][1]["termination"] == "weird"
    assert "bound" not in r.stats["models"][1]
    assert r.stats["nodes"] == 3 and r.stats["extra"] == 1


def test_solver_failed_is_a_failed_model_and_other_exceptions_propagate():
    def failing(signs, time_limit, cutoff):
        raise SolverFailed("LP trouble, raw text")

    r = solve_sign_models(ONE, failing, solver="fake", time_limit=None)
    # No model gave a network: the zero network, its loss Σ c y², the bound 0; not OPTIMAL.
    assert r.status is Status.FEASIBLE and r.objective_exact == ONE.null_loss()
    assert r.bound == 0.0 and "sign model (1,): LP trouble, raw text" in r.message

    def buggy(signs, time_limit, cutoff):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        solve_sign_models(ONE, buggy, solver="fake", time_limit=None)


#: Realizable by one unit: y = x.
LINE = FitProblem(X=[[1], [2]], y=[1, 2], units=2)


@pytest.mark.parametrize("fails", [False, True])
def test_an_incumbent_within_the_absolute_tolerance_ends_the_solve_optimal(fails):
    """Loss 5e-12 ≤ OPT_ATOL meets the trivial bound 0 of every model: the rest are skipped,
    and a model that failed before it does not stop the proof."""
    close = ReluNetwork((Unit(1, (1 + 1e-6,), 0), Unit(1, (0,), 0)))
    assert 0 < exact_loss(LINE, close) < 1e-9

    def answer(i, signs):
        if fails and i == 0:
            return SignModelOutcome(signs, "exception", error="LP failed")
        return SignModelOutcome(signs, "optimal", bound=0.0, network=close)

    backend = Backend(answer)
    r = solve_sign_models(LINE, backend, solver="fake", time_limit=None)
    assert len(backend.calls) == 1 + fails
    assert r.status is Status.OPTIMAL and r.objective_exact == exact_loss(LINE, close)
    assert r.stats["models"][-1]["termination"] == "skipped: exact fit found"
    assert ("LP failed" in r.message) is fails


def test_stats_record_every_model():
    def answer(i, signs):
        return SignModelOutcome(
            signs, "optimal", 0.0, objective=1.5, nodes=4, retried="why", extra={"solve_s": 0.1}
        )

    r = solve_sign_models(TWO, Backend(answer), solver="fake", time_limit=None, stats={"a": 1})
    assert r.stats["sign_models"] == 3 and r.stats["nodes"] == 12 and r.stats["a"] == 1
    first = r.stats["models"][0]
    assert first["signs"] == [1, 1] and first["termination"] == "optimal"
    assert first["objective"] == 1.5 and first["retried"] == "why" and first["solve_s"] == 0.1
    assert first["wall_s"] >= 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bound": -1e-9}, "finite and ≥ 0"),
        ({"bound": float("nan")}, "finite and ≥ 0"),
        ({"bound": float("inf")}, "finite and ≥ 0"),
        ({"error": "failed", "network": net(1, 1.0, 0.0)}, "cannot carry a network"),
    ],
)
def test_outcome_refuses_claims_it_cannot_make(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SignModelOutcome((1,), "x", **kwargs)


def test_outcome_is_frozen_and_proven_means_no_limit_and_no_error():
    out = SignModelOutcome([1, -1], "optimal", extra={"a": 1})
    assert out.signs == (1, -1) and out.proven
    with pytest.raises(AttributeError):
        out.bound = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        out.extra["a"] = 2  # type: ignore[index]
    assert not SignModelOutcome((1,), "t", limit=Limit.TIME).proven
    assert not SignModelOutcome((1,), "e", error="e").proven


@pytest.mark.parametrize("solver", ["scip", "ortools"])
def test_a_real_backend_shares_one_deadline_across_its_sign_models(solver):
    # k = 2 with free signs: three models, none of which finishes in its share.
    problem = planted_fit(40, 2, units=2, noise=0.5, seed=1)
    limit = 1.5
    r = exactfit.solve(problem, solver, time_limit=limit)
    assert r.status is Status.FEASIBLE and r.limit is Limit.TIME
    # The first pass ran every sign model, in order (no hard model starves the others) ...
    models = r.stats["models"][:3]
    assert [m["signs"] for m in models] == [[1, 1], [1, -1], [-1, -1]]
    assert not any(m["termination"].startswith("skipped") or "rerun" in m for m in models)
    # ... the first one was granted its third of the limit, not the whole of it, and the
    # shares granted in the first pass add up to no more than the limit; each backend stopped
    # on its own share (a time termination, not a finished or failed model).  Shares, not
    # wall-clock readings: how fast the machine is must not decide this test.
    assert 0 < models[0]["share_s"] <= limit / 3
    assert sum(m["share_s"] for m in models) <= limit
    assert all(m["share_s"] is not None for m in r.stats["models"])
    assert all(
        m["termination"] == "timelimit" or m["termination"].endswith("/TIME") for m in models
    )


def test_a_deadline_gone_before_the_first_model_skips_them_all(monkeypatch):
    ticks = iter(range(100))  # every reading of the clock is one second later
    monkeypatch.setattr(_signmodels, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    backend = Backend(lambda i, signs: SignModelOutcome(signs, "optimal"))
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=0.5)
    assert backend.calls == []
    assert r.status is Status.FEASIBLE and r.limit is Limit.TIME and r.bound == 0.0
    assert r.objective_exact == TWO.null_loss()
    assert [m["termination"] for m in r.stats["models"]] == ["skipped: time limit"] * 3


def test_a_failed_rerun_keeps_the_first_pass_result(monkeypatch):
    """The second pass only adds: a rerun that errors leaves the first run's incumbent and
    bound, and the model stays stopped by time (FEASIBLE, not ERROR)."""
    clock = [0.0]
    monkeypatch.setattr(_signmodels, "time", SimpleNamespace(perf_counter=lambda: clock[0]))

    def answer(i, signs):
        if i == 0:
            clock[0] += 1.0
            return SignModelOutcome(
                signs, "timelimit", bound=0.2, limit=Limit.TIME, network=net(1, 0.0, 0.0, 2)
            )
        if i == 3:
            return SignModelOutcome(signs, "exception", error="SCIP returned 'exception'")
        return SignModelOutcome(signs, "optimal", bound=5.0, network=net(1, 0.0, 0.0, 2))

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=3.0)
    assert len(backend.calls) == 4
    assert r.status is Status.FEASIBLE and r.limit is Limit.TIME and r.bound == 0.2
    assert r.stats["models"][-1]["rerun"] is True


def test_an_interrupt_is_reported_even_after_an_earlier_time_limit():
    def answer(i, signs):
        limit = Limit.TIME if i == 0 else Limit.INTERRUPT
        return SignModelOutcome(signs, "x", bound=0.0, limit=limit)

    r = solve_sign_models(TWO, Backend(answer), solver="fake", time_limit=None)
    assert r.limit is Limit.INTERRUPT


def test_a_stop_request_between_models_skips_the_rest_with_the_incumbent():
    """Ctrl-C while no backend runs (between two models): the models not run are skipped,
    the result keeps the best network with the bound 0 of the skipped models."""
    from exactfit import interrupt

    good = net(1, 0.5, 0.25, k=2)

    def answer(i, signs):
        interrupt.request()  # as a first Ctrl-C would, just as this model finishes
        return SignModelOutcome(signs, "optimal", bound=0.1, network=good)

    backend = Backend(answer)
    r = solve_sign_models(TWO, backend, solver="fake", time_limit=None)
    assert len(backend.calls) == 1
    assert r.status is Status.FEASIBLE and r.limit is Limit.INTERRUPT
    assert r.network == good and r.bound == 0.0
    assert [m["termination"] for m in r.stats["models"][1:]] == ["skipped: interrupted"] * 2
