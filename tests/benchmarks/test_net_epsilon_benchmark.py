"""``benchmarks/net_epsilon.py``'s spread data: the plan keeps more directions as ε shrinks,
and its grid count is exact on the one-direction plan.  Plans only; nothing is timed."""

import importlib.util
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "net_epsilon_benchmark", ROOT / "benchmarks" / "net_epsilon.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_spread_spectrum_is_harmonic(bench):
    from exactfit.solvers.net.grid import _moments

    lam, _ = _moments(bench.spread_problem(12))
    H = sum(1 / j for j in range(1, 13))
    assert lam == pytest.approx([1 / (j * H) for j in range(1, 13)], rel=1e-12)


def test_kept_directions_grow_like_one_over_eps_squared(bench):
    d = 60
    inverse = (1.5, 2, 3, 4, 6, 30)
    rows = bench.spread_sizes(bench.spread_problem(d), inverse)
    ms = {inv: m for inv, m, _, _ in rows}
    assert [ms[inv] for inv in inverse] == [2, 4, 9, 16, 36, 60]  # m = d once (η/k)² ≤ λ_d
    for inv in (1.5, 2, 3):  # halving ε (before m reaches d) multiplies m by about 4
        assert ms[2 * inv] >= 3.5 * ms[inv]
    logs = [math.log(boxes) for *_, boxes in rows]
    assert logs == sorted(logs) and logs[0] > 0
    # Lemma 1 needs λ_{m+1} = 1/((m + 1) H_d) < (η/k)², η = √(ρ² + ε) − ρ with ρ = 1, k = 1
    H = sum(1 / j for j in range(1, d + 1))
    for inv, m, _, _ in rows[:-1]:
        eta = (1 / inv) / (math.sqrt(1 + 1 / inv) + 1)
        assert 1 / ((m + 1) * H) < eta**2


@pytest.mark.parametrize("inverse_eps", [1.25, 1.5, 1.75, 2])
def test_size_bounds_bracket_the_listed_net(bench, inverse_eps):
    from exactfit.solvers.net.grid import net_points, plan

    problem = bench.spread_problem(40)
    net = plan(problem, 1 / inverse_eps)
    ((_, m, inner, boxes),) = bench.spread_sizes(problem, (inverse_eps,))
    size = len(net_points(net))
    assert m == net.m and boxes == net.box_count
    assert inner <= size <= boxes
    assert inner < boxes or m <= 1  # the cube and the box differ once m ≥ 2
