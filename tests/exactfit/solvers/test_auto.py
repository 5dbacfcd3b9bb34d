"""``solver="auto"``: the measured rule of docs/solvers/auto.md, and it says which rule decided.

Each constructed problem sits on one side of one rule; the figures the reason states are
checked against enum's own estimates, and the thresholds' comparisons at their boundaries."""

import time

import pytest

import exactfit
from exactfit import solvers
from exactfit.certificate import check_certificate
from exactfit.generate import planted_fit
from exactfit.result import Proof, Status
from exactfit.solvers import certified, choose_auto


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

    # d = 1 with a bias (D = 2): the dimension rule lets it through, the budget does not.
    problem = planted_fit(300, 1, units=2, seed=3, scale=10_000)
    enum = get_solver("enum")
    assert enum.over_budget(problem, None) is None  # enum alone would take it
    assert enum.over_budget(problem, AUTO_MULTI_UNIT_CELLS) is not None
    name, why = choose_auto(problem)
    assert name == "scip" and why.startswith("budget: ")
    assert f"{enum.estimate_cells(problem):,} cell combinations" in why


def enum_solver():
    from exactfit.solvers import get_solver

    return get_solver("enum")


@pytest.mark.parametrize("k", [3, 4])
def test_three_or_more_units_go_to_the_miqp_whatever_the_cells(k):
    problem = planted_fit(6, 1, units=k, seed=1)
    assert enum_solver().over_budget(problem) is None  # within enum's budget: not the reason
    assert choose_auto(problem) == (
        "scip",
        f"k: {k} units > {solvers.AUTO_ENUM_MAX_UNITS}, where enumeration never won",
    )


def test_two_units_in_dimension_three_go_to_the_miqp():
    problem = planted_fit(10, 2, units=2, seed=1)  # D = 3, 17,020 combinations
    assert enum_solver().over_budget(problem, solvers.AUTO_MULTI_UNIT_CELLS) is None
    name, why = choose_auto(problem)
    assert name == "scip" and why.startswith("dimension: 2 units in lifted dimension 3 > 2")


@pytest.mark.parametrize(("d", "bias"), [(1, True), (2, False)])
def test_two_units_in_dimension_two_within_budget_are_enumerated(d, bias):
    problem = planted_fit(20, d, units=2, bias=bias, seed=1)
    cells = enum_solver().estimate_cells(problem)
    assert cells <= solvers.AUTO_MULTI_UNIT_CELLS
    assert choose_auto(problem) == (
        "enum",
        f"cells: 2 units in dimension 2, {cells:,} cell combinations within budget",
    )


def test_a_norm_bound_with_two_units_is_unsupported_by_enum():
    problem = planted_fit(8, 1, units=2, weight_bound=1.0, seed=1)
    name, why = choose_auto(problem)
    assert name == "scip" and why.startswith("unsupported: enumeration cannot take it (")


def small_noisy():
    """20 points in R^3 with σ = 1: the regions cover the whole arrangement (2,320 cells)."""
    return planted_fit(20, 3, noise=1.0, seed=7)


def test_small_noisy_data_goes_to_the_miqp():
    problem = small_noisy()
    cells = enum_solver().region_cells(problem)
    assert cells == 2_320 > solvers.AUTO_SMALL_N_CELLS and problem.n <= solvers.AUTO_SMALL_N
    assert choose_auto(problem) == (
        "scip",
        "small n: n = 20 ≤ 40, 2,320 cells in the incumbent regions > 1,000 and 20 label "
        "values > 4, where the MIQP was faster",
    )


@pytest.mark.parametrize(("shift", "expected"), [(0, "enum"), (-1, "scip")])
def test_the_small_n_rule_is_strict_in_the_cells_and_inclusive_in_n(monkeypatch, shift, expected):
    problem = small_noisy()
    cells = enum_solver().region_cells(problem)
    monkeypatch.setattr(solvers, "AUTO_SMALL_N_CELLS", cells + shift)
    assert choose_auto(problem)[0] == expected
    monkeypatch.setattr(solvers, "AUTO_SMALL_N_CELLS", 0)
    monkeypatch.setattr(solvers, "AUTO_SMALL_N", problem.n - 1)  # n just above: enum
    assert choose_auto(problem)[0] == "enum"
    monkeypatch.setattr(solvers, "AUTO_SMALL_N", problem.n)
    monkeypatch.setattr(solvers, "AUTO_FEW_LABELS", len(set(problem.y)))  # labels not > it
    assert choose_auto(problem)[0] == "enum"


def test_structured_labels_are_enumerated_at_small_n():
    """maxcut_hamming_3_2 (library): 40 points, 188,368 cells, labels in {0, 1}-like two values;
    measured enum 1.3 s against SCIP 2.4 s (docs/solvers/auto.md)."""
    from pathlib import Path

    from exactfit import io

    path = "instances/reductions/maxcut_to_relu/maxcut_hamming_3_2.json"
    problem = io.read_instance(Path(__file__).resolve().parents[3] / path)
    assert problem.n == 40 and len(set(problem.y)) == 2
    assert choose_auto(problem) == (
        "enum",
        "cells: 188,368 cells in the incumbent regions within budget, 2 label values ≤ 4 (n = 40)",
    )


def test_small_data_with_few_cells_in_the_regions_is_enumerated():
    problem = planted_fit(40, 2, noise=0.05, seed=7)
    cells = enum_solver().region_cells(problem)
    assert cells <= solvers.AUTO_SMALL_N_CELLS
    assert choose_auto(problem) == (
        "enum",
        f"cells: {cells:,} cells in the incumbent regions ≤ 1,000 (n = 40)",
    )


def test_larger_noisy_data_is_enumerated_above_the_small_n_cells():
    problem = planted_fit(80, 2, noise=1.0, seed=7)
    assert enum_solver().region_cells(problem) > solvers.AUTO_SMALL_N_CELLS
    assert choose_auto(problem) == ("enum", "cells: within enumeration's budget, n = 80 > 40")


def test_the_solve_records_the_rule_and_runs_the_chosen_solver():
    r = exactfit.solve(planted_fit(6, 1, units=3, seed=1), time_limit=60)
    assert r.solver == "scip" and r.stats["auto"].startswith("auto chose scip: k: 3 units")
    assert r.status is Status.OPTIMAL


def test_the_clwe_library_instance_goes_to_scip_by_the_unit_count():
    """families/clwe_d2_n12_s13 (5 units): enum would refuse it (1.2e10 combinations)."""
    from pathlib import Path

    from exactfit import io

    path = Path(__file__).resolve().parents[3] / "instances/families/clwe_d2_n12_s13.json"
    problem = io.read_instance(path)
    assert enum_solver().over_budget(problem) is not None
    assert choose_auto(problem) == ("scip", "k: 5 units > 2, where enumeration never won")


#: Two units in lifted dimension 3: auto hands this to SCIP (realizable: the optimum is 0).
K2_SMALL = exactfit.FitProblem([[0, 0], [1, 0], [0, 1], [1, 1]], [0, 1, 2, 1], units=2)


def test_auto_offers_an_miqp_optimum_to_the_exact_prover():
    r = exactfit.solve(K2_SMALL)
    assert r.solver == "scip" and r.status is Status.OPTIMAL
    assert r.proof is Proof.EXACT and r.certificate is not None
    assert r.objective_exact == 0 == exactfit.solve(K2_SMALL, solver="brute").objective_exact
    assert check_certificate(K2_SMALL, r.certificate).ok


def test_auto_with_certify_false_keeps_the_backends_tolerance():
    r = exactfit.solve(K2_SMALL, certify=False)
    assert r.solver == "scip" and r.status is Status.OPTIMAL
    assert r.proof is Proof.TOLERANCE and r.certificate is None


def test_auto_gives_the_prover_at_most_the_solves_own_time(monkeypatch):
    seen = []

    def spy(problem, result, deadline=None):
        seen.append((deadline, time.time()))
        return result

    monkeypatch.setattr(certified, "certify_result", spy)
    began = time.time()
    r = exactfit.solve(K2_SMALL)
    assert r.proof is Proof.TOLERANCE  # the spy proves nothing
    ((deadline, called),) = seen
    assert deadline is not None
    assert called < deadline <= called + max(certified.AUTO_MIN_S, called - began) + 1e-3
