"""SCIP status mapping: every backend outcome becomes a truthful Result."""

import math

import pytest

import exactfit
from exactfit.generate import planted_fit
from exactfit.result import Limit, Status
from exactfit.solvers import scip


def fake(status, network=None, dual=-math.inf):
    """A stand-in for one SCIP run that ends in ``status`` (mapped by the real code)."""

    def solve_signs(run, signs, time_limit, cutoff, feastol, retry=None):
        return scip.outcome_from_status(
            signs, status, dual=dual, cutoff=cutoff, network=network, nodes=7
        )

    return solve_signs


@pytest.mark.parametrize(
    ("raw", "status", "limit"),
    [
        ("timelimit", Status.FEASIBLE, Limit.TIME),
        ("nodelimit", Status.FEASIBLE, Limit.NODES),
        ("memlimit", Status.FEASIBLE, Limit.BUDGET),
        ("userinterrupt", Status.FEASIBLE, Limit.INTERRUPT),
        ("unbounded", None, None),
        ("something new", None, None),
        ("exception: SCIP: error in LP solver!", None, None),
    ],
)
def test_status_strings_map_explicitly(monkeypatch, raw, status, limit):
    monkeypatch.setattr(scip, "_solve_signs", fake(raw))
    problem = planted_fit(5, 1, seed=1)
    r = exactfit.solve(problem, "scip", feastol=1e-8)  # explicit feastol: no retry
    # A stopped or failed run still returns the zero network as its incumbent, never OPTIMAL.
    assert r.status is (status or Status.FEASIBLE) and r.limit is limit
    assert r.objective == float(problem.null_loss()) and r.bound == 0.0
    if status is None:  # failed: named in the message with SCIP's words, no limit
        assert f"sign model (1,): SCIP returned status {raw!r}" in r.message
        assert raw in [m["termination"] for m in r.stats["models"]]


def test_infeasible_without_cutoff_is_a_failed_model(monkeypatch):
    monkeypatch.setattr(scip, "_solve_signs", fake("infeasible"))
    r = exactfit.solve(planted_fit(5, 1, seed=1), "scip")
    assert r.status is Status.FEASIBLE and r.limit is None
    assert "without a cut-off" in r.message


@pytest.mark.parametrize("failures", [1, 2, 3])
def test_lp_trouble_is_retried_with_each_setting_in_turn(monkeypatch, failures):
    """The first ``failures`` runs fail inside SCIP; the retries follow RETRIES in order, and a
    model that fails them all is a failed model (FEASIBLE, named), never OPTIMAL."""
    calls = []
    real = scip._solve_signs

    def flaky(run, signs, time_limit, cutoff, feastol, retry=None):
        calls.append(retry)
        if len(calls) <= failures:
            return fake("exception: SCIP: error in LP solver!")(
                run, signs, time_limit, cutoff, feastol
            )
        return real(run, signs, time_limit, cutoff, feastol, retry)

    monkeypatch.setattr(scip, "_solve_signs", flaky)
    r = exactfit.solve(planted_fit(6, 1, seed=2), "scip")
    tries = min(failures + 1, 3)  # the first model's runs; the later models succeed at once
    assert calls[:tries] == [None, *scip.RETRIES][:tries] and set(calls[tries:]) == {None}
    retried = r.stats["models"][0]["retried"]
    assert retried.startswith("first: exception: SCIP: error in LP solver!")
    assert f"{scip.RETRIES[0].name}: " in retried
    if failures < 3:
        assert r.status is Status.OPTIMAL
    else:
        assert r.status is Status.FEASIBLE and r.bound == 0.0
        assert r.message.startswith("sign model (1,): SCIP returned status 'exception: SCIP")


def test_an_explicit_feastol_turns_the_retries_off(monkeypatch):
    calls = []

    def failing(run, signs, time_limit, cutoff, feastol, retry=None):
        calls.append(retry)
        return fake("exception: SCIP: error in LP solver!")(run, signs, time_limit, cutoff, feastol)

    monkeypatch.setattr(scip, "_solve_signs", failing)
    r = exactfit.solve(planted_fit(6, 1, seed=2), "scip", feastol=1e-8)
    assert set(calls) == {None} and r.status is Status.FEASIBLE
    assert "retried" not in r.stats["models"][0]


@pytest.mark.parametrize("status", sorted(scip.SCIP_STATUS))
def test_every_status_string_maps_to_its_outcome(status):
    proven, limit = scip.SCIP_STATUS[status]
    out = scip.outcome_from_status((1, -1), status, dual=0.25, cutoff=0.5, nodes=3)
    assert out.error is None
    assert (out.status, out.signs, out.nodes) == (status, (1, -1), 3)
    assert out.limit is limit and out.proven is proven
    # Cut off by the incumbent proves "≥ cut-off"; anything else keeps SCIP's dual bound.
    assert out.bound == (0.5 if status == "infeasible" else 0.25)


def test_the_status_table_claims_a_proof_exactly_when_no_limit_stopped_scip():
    assert all(proven is (limit is None) for proven, limit in scip.SCIP_STATUS.values())


@pytest.mark.parametrize(
    "status",
    ["unbounded", "inforunbd", "something new", "exception: SCIP: error in LP solver!", ""],
)
def test_an_impossible_or_unknown_status_is_an_error_keeping_the_raw_string(status):
    out = scip.outcome_from_status((1,), status, dual=0.25, cutoff=0.5)
    assert out.status == status
    assert out.error == f"SCIP returned status {status!r} for signs (1,)"
    assert not out.proven and out.network is None


def test_infeasible_without_a_cutoff_outcome_is_an_error():
    out = scip.outcome_from_status((1,), "infeasible", dual=0.25)
    assert out.error == "SCIP declared the fitting model infeasible without a cut-off"


@pytest.mark.parametrize("dual", [-math.inf, math.inf, math.nan, 1e20, -1e-12])
def test_a_missing_or_negative_dual_bound_gives_the_trivial_bound(dual):
    assert scip.outcome_from_status((1,), "timelimit", dual=dual).bound == 0.0


def test_a_node_limit_stops_each_model_and_every_model_still_runs():
    problem = planted_fit(12, 2, units=2, noise=0.5, seed=3)
    r = exactfit.solve(problem, "scip", node_limit=1, time_limit=60)
    assert r.status is Status.FEASIBLE and r.limit is Limit.NODES
    terminations = [m["termination"] for m in r.stats["models"]]
    assert len(terminations) == 3 and not any(t.startswith("skipped") for t in terminations)
    assert r.bound <= r.objective
