"""``solver="auto"``: enumeration within budget, SCIP otherwise, and it says which."""

import exactfit
from exactfit.generate import planted_fit
from exactfit.result import Status
from exactfit.solvers import choose_auto


def test_auto_picks_enumeration_for_small_low_dimensional_data():
    problem = planted_fit(10, 2, seed=1)
    name, _ = choose_auto(problem)
    assert name == "enum"
    r = exactfit.solve(problem)
    assert r.solver == "enum" and r.status is Status.OPTIMAL
    assert r.stats["auto"].startswith("auto chose enum")


def test_auto_falls_back_to_scip_over_budget():
    # Labels that are mostly noise: no point is forced, the regions are the whole arrangement.
    problem = planted_fit(30, 2, noise=3.0, seed=1)
    name, why = choose_auto(problem, max_cells=5)
    assert name == "scip"
    assert "cell" in why  # the reason names the estimated cell count


def test_auto_drops_the_cell_budget_when_it_picks_scip():
    problem = planted_fit(30, 1, noise=3.0, seed=2)
    r = exactfit.solve(problem, max_cells=3)
    assert r.solver == "scip" and r.status is Status.OPTIMAL


def test_auto_takes_enumeration_when_the_incumbent_regions_fit_the_budget():
    # 600 points in R^3 at low noise: 71.6 million chambers in the whole arrangement, a few
    # thousand inside the incumbent regions; enum takes it unless told to enumerate everything.
    from exactfit.solvers import get_solver

    enum = get_solver("enum")
    problem = planted_fit(600, 3, noise=0.03, seed=2)
    assert enum.estimate_cells(problem) == 71_641_600
    assert enum.region_cells(problem) < 10_000
    assert enum.over_budget(problem) is None
    refusal = enum.over_budget(problem, regions=False)
    assert refusal is not None and "71,641,600" in refusal
    assert choose_auto(problem)[0] == "enum"
    r = exactfit.solve(problem)
    assert r.solver == "enum" and r.status is Status.OPTIMAL


def test_auto_is_stricter_for_several_units():
    from exactfit.solvers import AUTO_MULTI_UNIT_CELLS, get_solver

    problem = planted_fit(40, 2, units=2, seed=3)
    assert get_solver("enum").over_budget(problem, None) is None  # enum alone would take it
    assert get_solver("enum").over_budget(problem, AUTO_MULTI_UNIT_CELLS) is not None
    assert choose_auto(problem)[0] == "scip"
