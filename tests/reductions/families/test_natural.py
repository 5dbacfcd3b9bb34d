"""Natural-weight networks: realizability, exact function equality, ERM trials, K-SAT sources."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import exactfit
from exactfit.errors import InputError
from exactfit.network import ReluNetwork, Unit, exact_predictions
from reductions.families.descent import gradients, train
from reductions.families.natural.construction import generate, random_network
from reductions.families.natural.family import check_ksat
from reductions.families.natural.identify import normal_form, same_function, trial
from reductions.sources.generators import planted_3sat, planted_assignment, random_3sat
from reductions.sources.ksat import planted_ksat, random_ksat, refutation_clauses

F = Fraction


def _planted(problem) -> ReluNetwork:
    units = problem.meta["planted"]
    return ReluNetwork(tuple(Unit(u["a"], tuple(F(v) for v in u["w"]), F(u["b"])) for u in units))


@pytest.mark.parametrize(
    ("d", "k", "weights", "bias"),
    [
        (1, 1, "normal", False),
        (2, 3, "uniform", False),
        (3, 2, "normal", True),
        (2, 2, "uniform", True),
    ],
)
def test_generate_is_realizable_and_seeded(d, k, weights, bias):
    p = generate(d, k, 25, 4, weights=weights, bias=bias)
    assert exactfit.exact_loss(p, _planted(p)) == 0
    assert (p.units, p.bias, p.output_signs) == (k, bias, None)
    q = generate(d, k, 25, 4, weights=weights, bias=bias)
    assert p.X == q.X and p.y == q.y


def test_uniform_weights_stay_in_the_cube():
    net = random_network(5, 30, "uniform", np.random.default_rng(1), digits=2)
    # |v| w with |v|, |w_i| ≤ 1, multiples of 1/10^4 after absorbing
    assert all(abs(w) <= 1 and (w * 10**4).denominator == 1 for u in net.units for w in u.w)


def test_bad_weight_law():
    with pytest.raises(InputError, match="normal or uniform"):
        random_network(2, 2, "cauchy", np.random.default_rng(0))


def _net(*units) -> ReluNetwork:
    return ReluNetwork(tuple(Unit(a, tuple(F(v) for v in w), F(b)) for a, w, b in units))


@pytest.mark.parametrize(
    ("f", "g", "same"),
    [
        # permuting units
        (_net((1, (1, 2), 0), (-1, (3, -1), 1)), _net((-1, (3, -1), 1), (1, (1, 2), 0)), True),
        # one unit split into two halves along the same hyperplane
        (_net((1, (2, 4), 2)), _net((1, (1, 2), 1), (1, (1, 2), 1)), True),
        # σ(t) − σ(−t) = t: the ggjkk k = 2 network and SCIP's alternative representation
        (
            _net((1, (1, 1), 0), (1, (-1, -1), 0), (-1, (1, -1), 0), (-1, (-1, 1), 0)),
            _net((1, (2, 2), 0), (1, (-2, 0), 0), (-1, (2, 0), 0), (-1, (-2, 2), 0)),
            True,
        ),
        (_net((1, (1, 0), 0)), _net((1, (0, 1), 0)), False),
        (_net((1, (1, 1), 0)), _net((1, (1, 1), F(1, 10**9))), False),
        # a dead unit with negative bias is the zero function, a positive bias a constant
        (_net((1, (0, 0), -3)), _net((1, (1, 0), 0), (-1, (1, 0), 0)), True),
        (_net((1, (0, 0), 3)), _net((1, (0, 0), 0)), False),
    ],
)
def test_same_function(f, g, same):
    assert same_function(f, g) is same
    xs = [
        tuple(F(int(v), 7) for v in row)
        for row in np.random.default_rng(0).integers(-20, 20, (40, 2))
    ]
    problem = exactfit.FitProblem(xs, [0] * 40, units=4)
    equal = exact_predictions(problem, f) == exact_predictions(problem, g)
    if same:
        assert equal
    else:
        assert not equal


@pytest.mark.parametrize("seed", range(4))
def test_normal_form_is_invariant_under_positive_rescaling(seed):
    net = random_network(2, 3, "normal", np.random.default_rng(seed), bias=True)
    scaled = ReluNetwork(tuple(Unit(u.a, tuple(w * 3 for w in u.w), u.b * 3) for u in net.units))
    assert normal_form(scaled) != normal_form(net) or all(w == 0 for u in net.units for w in u.w)
    half = ReluNetwork(
        tuple(Unit(u.a, tuple(w / 2 for w in u.w), u.b / 2) for u in net.units for _ in range(2))
    )
    assert same_function(net, half)


@pytest.mark.parametrize(
    ("d", "k", "weights"), [(1, 1, "normal"), (1, 2, "uniform"), (2, 1, "normal")]
)
def test_trial_exact_erm_reaches_zero(d, k, weights):
    t = trial(d, k, 8, 3, weights=weights, steps=200)
    assert t.erm_zero
    assert t.gd_loss >= 0


@pytest.mark.parametrize("seed", range(3))
def test_ksat_generalises_3sat(seed):
    assert planted_ksat(9, 40, 3, seed).clauses == planted_3sat(9, 40, seed).clauses
    assert random_ksat(9, 40, 3, seed).clauses == random_3sat(9, 40, seed).clauses


@pytest.mark.parametrize("k", [1, 2, 4, 5])
def test_planted_ksat_is_satisfied_and_widths_are_k(k):
    cnf = planted_ksat(8, 60, k, 1)
    assert cnf.satisfied(planted_assignment(cnf)) == 60
    rnd = random_ksat(8, 60, k, 1)
    for c in cnf.clauses + rnd.clauses:
        assert len(c) == k and len({abs(v) for v in c}) == k


def test_planted_ksat_exhaustive_small():
    # every clause excludes exactly the pattern falsified by τ, so τ is among the satisfiers
    cnf = planted_ksat(5, 200, 2, 0)
    tau = planted_assignment(cnf)
    satisfiers = [a for a in itertools.product((False, True), repeat=5) if cnf.satisfied(a) == 200]
    assert tau in satisfiers


def test_refutation_clauses_and_bad_width():
    assert refutation_clauses(12, 1.5) == 42
    assert refutation_clauses(16, 2) == 256
    with pytest.raises(InputError, match="clause width"):
        random_ksat(3, 5, 4, 0)


def test_check_ksat_findings():
    planted, rnd = check_ksat(10, 3, 2.0, 3, 0)
    assert planted.passed is True
    assert "0/3 random 3-CNF satisfiable" in rnd.detail  # m = 100 clauses: density 10


def test_descent_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=12)
    W, b, v = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=4)
    _, gW, gb, gv = gradients(X, y, W, b, v, True)
    h = 1e-6
    for arr, g in ((W, gW), (b, gb), (v, gv)):
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + h
            up = gradients(X, y, W, b, v, True)[0]
            arr[idx] = old - h
            down = gradients(X, y, W, b, v, True)[0]
            arr[idx] = old
            assert abs((up - down) / (2 * h) - g[idx]) < 1e-5


def test_descent_learns_one_unit_and_is_seeded():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 2))
    y = np.maximum(X @ np.array([1.0, -0.5]), 0)
    run = train(X, y, 3, steps=1500, seed=2)
    assert run.losses[-1] < 1e-3 * run.losses[0]
    assert np.allclose(run.predict(X), y, atol=0.05)
    again = train(X, y, 3, steps=1500, seed=2, test=(X, y))
    assert np.array_equal(run.losses, again.losses)
    # the held-out loss on the training set itself is the training loss, step by step
    assert np.allclose(again.test_losses, again.losses, rtol=1e-12, atol=0)
    assert run.test_losses is None


@pytest.mark.parametrize(
    ("argv", "clauses"),
    [
        (["planted-ksat", "16", "4", "--seed", "2"], 256),  # ⌈16^(4/2)⌉
        (["random-ksat", "12", "3", "--exponent", "1.5"], 42),
        (["random-ksat", "9", "5", "--clauses", "30"], 30),
    ],
)
def test_generate_ksat_kinds(argv, clauses, tmp_path, capsys):
    from clirun import run_main

    from reductions.sources.io import read_dimacs_cnf

    out = tmp_path / "f.cnf"
    rc, _, _ = run_main(["generate", *argv, "-o", out], capsys)
    assert rc == 0
    cnf = read_dimacs_cnf(out)
    k = int(argv[2])
    assert cnf.m == clauses and all(len(c) == k for c in cnf.clauses)
    if argv[0] == "planted-ksat":
        assert cnf.satisfied(planted_assignment(cnf)) == clauses


def test_generate_ksat_width_above_vars_exits_2(tmp_path, capsys):
    from clirun import run_main

    rc, _, err = run_main(["generate", "random-ksat", "3", "4", "-o", tmp_path / "f.cnf"], capsys)
    assert rc == 2 and "clause width" in err and not (tmp_path / "f.cnf").exists()


def _scaled(net: ReluNetwork) -> ReluNetwork:
    """A wrong absorption of the output weights: every unit doubled."""
    return ReluNetwork(tuple(Unit(u.a, tuple(2 * v for v in u.w), 2 * u.b) for u in net.units))


def test_the_check_compares_the_labels_with_g_before_absorption(monkeypatch):
    """The planted loss is 0 by construction (the labels come from the planted network), so it
    cannot catch a wrong rewrite of g; the labels against g from the raw draws can."""
    from reductions.families.natural import construction
    from reductions.families.natural import family as fam

    findings = {f.name: f.passed for f in fam.check(2, 2, "normal", 6, 1, 3)}
    assert findings["labels = g(x) = Σ v_j σ(w_j·x + b_j)"] is True
    original = construction.random_network
    monkeypatch.setattr(
        construction, "random_network", lambda *a, **kw: _scaled(original(*a, **kw))
    )
    findings = {f.name: f.passed for f in fam.check(2, 2, "normal", 6, 1, 3)}
    assert findings["planted loss"] is True  # the tautology still passes
    assert findings["labels = g(x) = Σ v_j σ(w_j·x + b_j)"] is False
