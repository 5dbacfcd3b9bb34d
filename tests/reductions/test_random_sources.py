"""Karp-style closed-loop tests: every reduction on ≥ 20 seeded random tiny sources
(`tests/tiny_sources.py`; the gadget-sized samplers are in test_samplers).

For each source, :func:`reductions.check` solves the source exactly twice (brute force and
CP-SAT) and the target exactly (enumeration with an exact rational certificate for single-ReLU
targets, SCIP for k-unit targets; the other one as an independent cross-check where the instance
is small enough for it), and asserts: the instance size equals the declaration, the predicted
relation holds, the decoded source value equals the source optimum (exact maps), the lifted
certificate's exact value equals the completeness value, and the projected certificate is valid,
satisfies the soundness inequality and (exact maps) attains the source optimum.
"""

from __future__ import annotations

import pytest
from tiny_sources import tiny_source

import exactfit
from reductions.check import check
from reductions.registry import get_reduction

SEEDS = range(20)

#: (name, parameters, primary fitting solver)
CASES = [
    ("maxcut_to_relu", {}, "enum"),
    ("dks_to_relu", {"kappa": 2}, "enum"),
    ("gapmaxcut_to_unit_relu", {}, "enum"),
    ("coloring_to_relus", {"units": 2}, "scip"),
    ("sat3_to_max2sat", {}, None),
    ("max2sat_to_maxcut", {}, None),
    ("weightedmaxcut_to_maxcut", {}, None),
    ("sat3_to_relu", {}, "enum"),
]

#: Cross-check only where the second solver is fast on these instances: SCIP on single-ReLU
#: targets with at most this many samples, enumeration on k-unit targets with few cells.
SCIP_MAX_SAMPLES = 12
ENUM_MAX_CELLS = 20_000
SCIP_OPTIONS = {"node_limit": 5_000}


def _cross(name: str, primary: str | None, problem) -> tuple[str | None, dict | None]:
    if primary is None:
        return "cpsat", None  # source-side target: a second exact source method
    if primary == "enum" and problem.n <= SCIP_MAX_SAMPLES:
        return "scip", SCIP_OPTIONS
    if primary == "scip" and exactfit.get_solver("enum").estimate_cells(problem) <= ENUM_MAX_CELLS:
        return "enum", None
    return None, None


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("name", "params", "primary"), CASES, ids=[c[0] for c in CASES])
def test_random_source(name, params, primary, seed):
    red = get_reduction(name, **params)
    source = tiny_source(red, 7919 * seed + 11)
    target, trace = red.forward(source)
    cross, cross_options = _cross(name, primary, target)
    report = check(
        red,
        source,
        solver=primary or "auto",
        source_method="brute",
        cross_source_method="cpsat",
        cross_solver=cross,
        cross_options=cross_options,
        solver_options=SCIP_OPTIONS if primary == "scip" else None,
    )
    assert report.passed, report.text()
    assert report.size_declared == report.size_actual
    names = {i.name for i in report.items}
    assert {"relation", "lifted", "source cross-check"} <= names
    if cross is not None:
        assert "target cross-check" in names
    if red.exact_value_map:
        assert report.decoded == report.source_value
        assert report.projected_value == report.source_value
    if red.lifted_value(trace, report.source_value) is not None and report.lifted_value is not None:
        assert report.lifted_value == red.lifted_value(trace, report.source_value)
        # completeness is tight for the exact maps: the lift attains the interval's far end
        if red.exact_value_map:
            pred = report.predicted
            end = pred.hi if red.target_problem.sense == "min" else pred.lo
            assert report.lifted_value == end
