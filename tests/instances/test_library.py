"""The instance library (``instances/``): files parse, answers are real, the quick subset exists.

The ``=opt=`` values of ``index.solu`` were proved by two solvers (see ``instances/PROVENANCE.md``);
here the tiny ones are re-derived independently: brute force over all activation patterns (or the
enumeration solver where brute force does not apply, i.e. under a weight bound) must return
OPTIMAL with a network whose exact rational loss equals the listed value to 1e-7 relative.
"""

from __future__ import annotations

import importlib.util
import json
from fractions import Fraction
from pathlib import Path

import pytest

import exactfit
from exactfit.bench.solu import read_quick, read_solu
from exactfit.errors import BudgetExceeded
from exactfit.io import read_instance
from exactfit.problem import FitProblem
from exactfit.result import Result, Status
from exactfit.solvers import get_solver

LIB = Path(__file__).resolve().parents[2] / "instances"
FILES = sorted(LIB.rglob("*.json"))
SOLU = read_solu(LIB / "index.solu")
BY_NAME = {f.stem: f for f in FILES}

#: Instances small enough to re-solve here in well under a second each.
TINY_N = 8


def _rel_close(a: Fraction, b: Fraction, rtol: float = 1e-7) -> bool:
    return abs(a - b) <= Fraction(rtol) * max(abs(a), abs(b)) or a == b


def test_library_is_not_empty_and_names_are_unique() -> None:
    assert len(FILES) >= 40
    assert len(BY_NAME) == len(FILES), "instance names (file stems) must be unique"


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_instance_parses(path: Path) -> None:
    problem = read_instance(path)
    assert problem.n >= 1 and problem.d >= 1 and problem.units >= 1
    assert len(problem.y) == problem.n


def test_every_instance_has_a_solu_entry_and_every_entry_an_instance() -> None:
    assert set(SOLU) == set(BY_NAME)


def test_quick_subset_names_exist() -> None:
    quick = read_quick(LIB / "quick.txt")
    assert 10 <= len(quick) <= 15
    assert set(quick) <= set(BY_NAME)
    # The quick subset is what CI checks: it should carry proved optima to compare against.
    assert all(SOLU[name].kind == "opt" for name in quick)


TINY_OPT = sorted(
    name
    for name, entry in SOLU.items()
    if entry.kind == "opt" and name in BY_NAME and read_instance(BY_NAME[name]).n <= TINY_N
)


def test_tiny_optima_are_covered() -> None:
    # the degenerate closed forms and the small planted fits must be among them
    assert {"deg_constant", "deg_nonpositive", "planted_n8_d1_k1"} <= set(TINY_OPT)


def _brute_or_enum(problem: FitProblem) -> Result:
    """Brute force where it applies (no weight bound, within its pattern budget), else enum."""
    if get_solver("brute").unsupported(problem) is None:
        try:
            return exactfit.solve(problem, solver="brute")
        except BudgetExceeded:
            pass
    return exactfit.solve(problem, solver="enum")


@pytest.mark.slow
@pytest.mark.parametrize("name", TINY_OPT)
def test_opt_value_is_the_exact_loss_of_an_optimal_network(name: str) -> None:
    problem = read_instance(BY_NAME[name])
    result = _brute_or_enum(problem)
    assert result.status is Status.OPTIMAL
    value = exactfit.exact_loss(problem, result.network)
    assert _rel_close(value, SOLU[name].value), (name, float(value), float(SOLU[name].value))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # f = 0 is optimal when labels are <= 0 and outputs are sums of non-negative ReLUs:
        # loss = sum y^2 = 1 + 0 + 1/4 + 4 + 0 + 9/4
        ("deg_nonpositive", Fraction(15, 2)),
        # one repeated point: the best constant is the mean 2, loss = sum (y - 2)^2
        ("deg_constant", Fraction(11, 2)),
    ],
)
def test_degenerate_closed_forms(name: str, expected: Fraction) -> None:
    problem = read_instance(BY_NAME[name])
    # enum with its exact KKT certificate (a rational network); brute force re-derives the same
    # values in the test above
    result = exactfit.solve(problem, solver="enum", certify=True)
    assert result.status is Status.OPTIMAL
    assert exactfit.exact_loss(problem, result.network) == expected
    assert SOLU[name].value == expected


def test_nonpositive_optimum_is_the_null_loss() -> None:
    problem = read_instance(BY_NAME["deg_nonpositive"])
    assert all(v <= 0 for v in problem.y)
    assert SOLU["deg_nonpositive"].value == problem.null_loss()


def test_degenerate_script_rebuilds_the_same_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_degenerate", LIB / "make_degenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(tmp_path)]) == 0
    made = sorted(tmp_path.glob("*.json"))
    assert [f.name for f in made] == sorted(f.name for f in (LIB / "degenerate").glob("*.json"))
    for f in made:
        assert json.loads(f.read_text()) == json.loads((LIB / "degenerate" / f.name).read_text())
