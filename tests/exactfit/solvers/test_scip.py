"""SCIP status mapping: every backend outcome becomes a truthful Result."""

import math

import pytest

import exactfit
from exactfit.generate import planted_fit
from exactfit.result import Limit, Status
from exactfit.solvers import scip


def fake(status, network=None, dual=-math.inf):
    def solve_signs(problem, signs, time_limit, cutoff, formulation, feastol, options):
        return {"status": status, "network": network, "dual": dual, "cutoff": cutoff, "nodes": 7}

    return solve_signs


@pytest.mark.parametrize(
    ("raw", "status", "limit"),
    [
        ("timelimit", Status.FEASIBLE, Limit.TIME),
        ("nodelimit", Status.FEASIBLE, Limit.NODES),
        ("memlimit", Status.FEASIBLE, Limit.BUDGET),
        ("userinterrupt", Status.FEASIBLE, Limit.INTERRUPT),
        ("unbounded", Status.ERROR, None),
        ("something new", Status.ERROR, None),
        ("exception: SCIP: error in LP solver!", Status.ERROR, None),
    ],
)
def test_status_strings_map_explicitly(monkeypatch, raw, status, limit):
    monkeypatch.setattr(scip, "_solve_signs", fake(raw))
    problem = planted_fit(5, 1, seed=1)
    r = exactfit.solve(problem, "scip", feastol=1e-8)  # explicit feastol: no retry
    assert r.status is status and r.limit is limit
    if status is Status.ERROR:
        assert raw in r.message or raw in r.stats["scip_status"]
        assert r.network is None
    else:
        # A stopped run still returns the zero network as its incumbent, never OPTIMAL.
        assert r.objective == float(problem.null_loss())


def test_infeasible_without_cutoff_is_an_error(monkeypatch):
    monkeypatch.setattr(scip, "_solve_signs", fake("infeasible"))
    r = exactfit.solve(planted_fit(5, 1, seed=1), "scip")
    assert r.status is Status.ERROR
    assert "without a cut-off" in r.message


def test_lp_trouble_is_retried_once_at_a_looser_tolerance(monkeypatch):
    calls = []
    real = scip._solve_signs

    def flaky(problem, signs, time_limit, cutoff, formulation, feastol, options):
        calls.append(feastol)
        if len(calls) == 1:
            return fake("exception: SCIP: error in LP solver!")(
                problem, signs, time_limit, cutoff, formulation, feastol, options
            )
        return real(problem, signs, time_limit, cutoff, formulation, feastol, options)

    monkeypatch.setattr(scip, "_solve_signs", flaky)
    r = exactfit.solve(planted_fit(6, 1, seed=2), "scip")
    assert calls[:2] == [1e-8, 1e-7]
    assert r.status is Status.OPTIMAL
