"""``benchmarks/enumeration.py`` runs (``--quick``: tiny sizes) and its optima agree: enum,
SCIP and, when gurobipy is importable, Gurobi on every seed.  No timings are asserted."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "enumeration_benchmark", ROOT / "benchmarks" / "enumeration.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_quick_run_every_optimum_agrees(bench, capsys):
    assert bench.main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = lines[lines.index("-" * len(bench.HEAD)) + 1 :]
    rows = [line for line in rows if not line.startswith("note:")]
    sizes, sigmas, seeds = bench.QUICK
    assert len(rows) == len(sizes) * len(sigmas)
    for line in rows:
        assert line.endswith(f"yes {seeds}/{seeds}"), line


def test_agreement_counts_a_disagreement(bench):
    case = bench.Case(4, 1, 1, 0.1)
    enum = [bench.Run(0.1, 1.0, True), bench.Run(0.1, 2.0, True), bench.Run(0.1, 3.0, True)]
    scip = [bench.Run(0.2, 1.0 + 5e-8, True), bench.Run(0.2, 2.0 * (1 + 1e-6), True)]
    scip.append(bench.Run(9.0, 3.5, False, "feasible"))  # stopped: that seed is unchecked
    row = bench.Row(case, {"enum": enum, "scip": scip}, [1, 1, 1], [])
    agree, checked, worst = row.agreement()
    assert (agree, checked) == (1, 2)
    assert worst == pytest.approx(1e-6)
    assert bench.format_row(row, 9.0).endswith("NO (worst 1.0e-06) 2/3")


def test_cases_follow_the_issue_table(bench):
    cases = bench.cases_from(None, None)
    assert bench.Case(200, 3, 1, 1.0) in cases
    assert bench.Case(16, 3, 2, 0.2) in cases
    assert len(cases) == 7 * 3 + 3
    assert bench.cases_from(["80x3"], [1.0]) == [bench.Case(80, 3, 1, 1.0)]
