"""What a check reports: verdicts and the items that count towards them."""

from __future__ import annotations

from reductions.sources import Graph


def test_unproven_optimum_is_inconclusive_not_fail():
    """A solve stopped before its proof refutes nothing: INCONCLUSIVE, never FAIL or PASS."""
    from reductions.check import check

    g = Graph(3, ((0, 1), (1, 2), (0, 2)))
    # The SOS1 model's root bound is 0; the indicator model (auto's pick here: mirror points)
    # already separates at its root (bound 40.5), which would be a PASS decided by the bound.
    opts = {"node_limit": 1, "formulation": "sos1"}
    report = check("maxcut_to_relu", g, solver="scip", solver_options=opts, exact_bound=False)
    assert not report.target.proven, report.text()
    assert report.verdict == "INCONCLUSIVE" and not report.passed
    assert report.failures == ()
    assert report.text().rstrip().endswith("INCONCLUSIVE")
    # the same stopped solve, with the prover asked for the separating bound: exact, decides
    report = check("maxcut_to_relu", g, solver="scip", solver_options=opts)
    assert not report.target.proven and report.failures == ()
    assert report.verdict == "PASS" and report.decided_by == "bound", report.text()
    assert report.discrimination.proof == "exact"
