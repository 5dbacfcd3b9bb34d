"""The budget rows of the SCIP model (:mod:`exactfit.solvers._scip_budget`): every network whose
exact loss is within the budget satisfies its groups' caps (checked in rationals on adversarial
data, with the budget set to the network's own loss, and to 0 on realizable data where every
window shrinks to a point), the closed form on a reduction instance, and the SCIP answers with
the rows agree with enumeration when a start network makes the budget tight."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import exactfit
from exactfit import FitProblem
from exactfit.network import exact_loss
from exactfit.problem import ReluNetwork, Unit
from exactfit.result import OPT_ATOL, OPT_RTOL, Status
from exactfit.solvers._scip_budget import budget_caps
from exactfit.solvers._scip_model import mirror_points
from reductions.registry import get_reduction
from reductions.sources import generators as gen

F = Fraction
KINDS = ("integers", "tiny", "weights", "near-duplicates", "negative labels", "bias")


def _data(kind: str, seed: int) -> tuple[list[tuple[Fraction, ...]], list[Fraction], list]:
    """Points with mirrors for many of them and one zero row; labels and weights by ``kind``
    (``"bias"``: the same points fitted with a bias, where no point has a mirror)."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 4))
    base = [
        tuple(F(int(v)) for v in rng.integers(-3, 4, d)) for _ in range(int(rng.integers(3, 6)))
    ]
    if kind == "tiny":
        base = [
            tuple(v * F(1, 10**6) + F(int(rng.integers(0, 9)), 10**13) for v in r) for r in base
        ]
    if kind == "near-duplicates":
        base += [tuple(v + F(1, 10**9) for v in r) for r in base[:2]]
    X = base + [tuple(-v for v in r) for r in base if rng.random() < 0.7] + [(F(0),) * d]
    lo = -4 if kind in ("negative labels", "bias") else 0
    y = [F(int(v), 4) for v in rng.integers(lo, 9, len(X))]
    c = [F(1)] * len(X)
    if kind == "weights":
        c = [F(10) ** int(e) for e in rng.integers(-6, 7, len(X))]
    return X, y, c


def _admits(cap, t: Fraction) -> bool:
    """Whether the group's caps allow pre-activation ``t`` (``s = 1`` needs t ≥ 0, s = 0 t ≤ 0)."""
    ok = []
    if t >= 0 and cap.active is not None:
        ok.append(cap.active[0] <= t <= cap.active[1])
    if t <= 0 and cap.mirror is not None:
        ok.append(cap.mirror[0] <= -t <= cap.mirror[1] or cap.mirror[1] == math.inf)
    return any(ok)


def _net(w, sign: int, b: float = 0.0) -> ReluNetwork:
    return ReluNetwork((Unit(sign, tuple(F(v) for v in w), F(b)),))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(8))
def test_every_network_within_the_budget_satisfies_its_caps(kind, seed):
    X, y, c = _data(kind, seed)
    rng = np.random.default_rng(100 + seed)
    bias = kind == "bias"
    for sign in (1, -1):
        problem = FitProblem(X=X, y=y, sample_weight=c, units=1, bias=bias, output_signs=[sign])
        mirror = mirror_points(problem)
        assert not (bias and mirror)
        scale = float(max(abs(v) for row in X for v in row))
        for _ in range(25):
            w = rng.normal(size=problem.d) * 10.0 ** rng.integers(-1, 2) / scale
            b = float(rng.normal()) if bias else 0.0
            net = _net(w, sign, b)
            budget = float(exact_loss(problem, net))  # the network's own loss, rounded
            for cap in budget_caps(problem, sign, mirror, budget):
                t = sum(a * F(v) for a, v in zip(X[cap.i], w, strict=True)) + F(b)
                assert _admits(cap, t), (cap, t, budget)


@pytest.mark.parametrize("seed", range(10))
def test_a_realizable_fit_survives_a_zero_budget(seed):
    """Loss 0: every window is the single label; rounding must still admit the network."""
    X, _, c = _data("tiny" if seed % 2 else "weights", seed)
    rng = np.random.default_rng(seed)
    w = [F(int(v), 7) for v in rng.integers(-9, 10, len(X[0]))]
    y = [max(F(0), sum(a * b for a, b in zip(r, w, strict=True))) for r in X]
    problem = FitProblem(X=X, y=y, sample_weight=c, units=1, bias=False, output_signs=[1])
    assert exact_loss(problem, _net(w, 1)) == 0
    caps = budget_caps(problem, 1, mirror_points(problem), 0.0)
    for cap in caps:
        t = sum(a * b for a, b in zip(X[cap.i], w, strict=True))
        assert _admits(cap, t), (cap, t)
    # and the windows are points up to the slack: an active point with label 1 is pinned
    assert any(cap.active is not None and cap.active[1] - cap.active[0] < 1e-6 for cap in caps)


def test_dks_vertex_windows_are_the_closed_form():
    """dks_to_relu: each vertex pair costs ≥ A, so with the lift's loss U the active window of
    ``e_v`` is 1 ± √((U − A n)/A) and the mirror's the same (module docstring)."""
    red = get_reduction("dks_to_relu", kappa=3)
    g = gen.gnp(7, 0.5, 2)
    problem, trace = red.forward(g)
    lift = red.lift(g, trace, range(3))
    U = exact_loss(problem, lift)
    r = math.sqrt(float(U - trace.A * trace.n) / trace.A)
    caps = {cap.i: cap for cap in budget_caps(problem, 1, mirror_points(problem), float(U))}
    for v in range(g.n):
        i = 2 * v  # the samples e_v, −e_v come first, in that order
        assert problem.X[i][v] == 1 and problem.X[i + 1][v] == -1
        for lo, hi in (caps[i].active, caps[i].mirror):
            # outward (checked in rationals: (1 − lo)², (hi − 1)² ≥ (U − A n)/A), and tight
            for end in (lo, hi):
                assert (F(end) - 1) ** 2 * trace.A >= U - trace.A * trace.n
            assert abs(lo - (1 - r)) < 1e-6 and abs(hi - (1 + r)) < 1e-6
    # the lift itself is admitted
    for i, cap in caps.items():
        assert _admits(cap, sum(a * b for a, b in zip(problem.X[i], lift.units[0].w, strict=True)))


def test_a_branch_over_budget_is_closed():
    """One point (no mirror) of label 3 and weight 1: off costs 9, so a budget of 8 closes
    s = 0; label −3 with sign +1: every activity costs ≥ 9, budget 8 closes both."""
    one = FitProblem(X=[(F(1),)], y=[F(3)], units=1, bias=False, output_signs=[1])
    (cap,) = budget_caps(one, 1, {}, 8.0)
    assert cap.mirror is None and cap.active[0] == pytest.approx(3 - math.sqrt(8))
    neg = FitProblem(X=[(F(1),)], y=[F(-3)], units=1, bias=False, output_signs=[1])
    (cap,) = budget_caps(neg, 1, {}, 8.0)
    assert cap.mirror is None and cap.active is None


@pytest.mark.parametrize(
    ("name", "params", "graph"),
    [
        ("dks_to_relu", {"kappa": 3}, lambda: gen.gnp(7, 0.5, 2)),
        ("maxcut_to_relu", {}, lambda: gen.gnp(6, 0.6, 3)),
    ],
)
def test_scip_with_a_tight_budget_agrees_with_enumeration(name, params, graph):
    """The lift of an optimal source solution as the start: the budget is the optimum's own
    loss (the tightest the rows ever get), and SCIP must still find that optimum."""
    red = get_reduction(name, **params)
    g = graph()
    problem, trace = red.forward(g)
    src = red.source_problem.solve(g)
    start = red.lift(g, trace, src.certificate)
    ref = exactfit.solve(problem, "enum")
    got = exactfit.solve(problem, "scip", formulation="indicator", start=start)
    assert ref.status is Status.OPTIMAL and got.status is Status.OPTIMAL
    assert abs(got.objective - ref.objective) <= OPT_ATOL + OPT_RTOL * abs(ref.objective)
