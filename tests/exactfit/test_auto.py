"""``solver="auto"``: enumeration within budget, SCIP otherwise, and it says which."""

import exactfit
from exactfit.generate import planted_fit
from exactfit.result import Status
from exactfit.solvers import choose_auto


def test_auto_picks_enumeration_for_small_low_dimensional_data():
    problem = planted_fit(10, 2, seed=1)
    name, why = choose_auto(problem)
    assert name == "enum"
    r = exactfit.solve(problem)
    assert r.solver == "enum" and r.status is Status.OPTIMAL
    assert r.stats["auto"].startswith("auto chose enum")


def test_auto_falls_back_to_scip_over_budget():
    problem = planted_fit(10, 2, seed=1)
    name, why = choose_auto(problem, max_cells=5)
    assert name == "scip"
    assert "cell" in why  # the reason names the estimated cell count


def test_auto_drops_the_cell_budget_when_it_picks_scip():
    problem = planted_fit(8, 1, seed=2)
    r = exactfit.solve(problem, max_cells=3)
    assert r.solver == "scip" and r.status is Status.OPTIMAL
