"""The Goldreich family: predicate, hypergraph, depth-3 evaluator, gadget, inversion, checks."""

from __future__ import annotations

import argparse
import itertools
from fractions import Fraction

import numpy as np
import pytest

from exactfit.errors import InputError, InvalidInstance
from reductions.families.goldreich.checks import margin_bound, parameter_noise, run_checks
from reductions.families.goldreich.depth3 import Depth3Network
from reductions.families.goldreich.family import goldreich_instance, goldreich_plant
from reductions.families.goldreich.gadget import bit_ramp, goldreich_network
from reductions.families.goldreich.prg import Hypergraph, matching_seeds, xor_and


def test_xor_and_5_is_the_odonnell_witmer_predicate() -> None:
    P = xor_and(5)
    for u in itertools.product((0, 1), repeat=5):
        assert P(u) == (u[0] + u[1] + u[2] + u[3] * u[4]) % 2
    assert sum(P.table) == 16  # balanced


@pytest.mark.parametrize("k", [3, 4, 6])
def test_xor_and_general(k: int) -> None:
    P = xor_and(k)
    for u in itertools.product((0, 1), repeat=k):
        assert P(u) == (sum(u[: k - 2]) + (u[-2] & u[-1])) % 2


def test_xor_and_needs_k_at_least_3() -> None:
    with pytest.raises(InputError, match="k ≥ 3"):
        xor_and(2)


def _reference(net: Depth3Network, x) -> list[Fraction]:
    """Plain Fraction evaluation, element by element."""
    relu = lambda v: max(v, Fraction(0))  # noqa: E731
    h1 = [
        relu(sum((w * xi for w, xi in zip(r, x, strict=True)), b))
        for r, b in zip(net.W1, net.b1, strict=True)
    ]
    h2 = [
        relu(sum((w * h for w, h in zip(r, h1, strict=True)), b))
        for r, b in zip(net.W2, net.b2, strict=True)
    ]
    return [
        sum((w * h for w, h in zip(r, h2, strict=True)), c)
        for r, c in zip(net.A, net.c, strict=True)
    ]


def test_exact_evaluator_matches_fraction_reference() -> None:
    rng = np.random.default_rng(0)

    def mat(r, c):
        return [
            [
                Fraction(int(p), int(q))
                for p, q in zip(rng.integers(-9, 10, c), rng.integers(1, 7, c), strict=True)
            ]
            for _ in range(r)
        ]

    net = Depth3Network(mat(4, 3), mat(1, 4)[0], mat(5, 4), mat(1, 5)[0], mat(2, 5), mat(1, 2)[0])
    X = mat(10, 3)
    assert net.exact(X) == [tuple(_reference(net, x)) for x in X]
    assert np.allclose(
        Depth3Network.forward(net.arrays(), np.array(X, dtype=float)),
        np.array([[float(v) for v in o] for o in net.exact(X)]),
    )


def test_depth3_validates_shapes() -> None:
    with pytest.raises(InvalidInstance, match="W2"):
        Depth3Network([[1, 0]], [0], [[1, 1]], [0], [[1]], [0])


@pytest.mark.parametrize(
    ("x", "value"),
    [
        (Fraction(-1), 0),
        (Fraction(0), 0),
        (Fraction(1, 200), Fraction(1, 2)),
        (Fraction(1, 100), 1),
        (Fraction(3), 1),
    ],
)
def test_bit_ramp(x: Fraction, value: Fraction) -> None:
    assert bit_ramp(x, Fraction(1, 100)) == value


@pytest.mark.parametrize(("N", "M", "k"), [(5, 3, 5), (6, 8, 3), (8, 5, 4)])
def test_network_is_the_predicate_on_every_point_of_the_cube(N: int, M: int, k: int) -> None:
    """Exhaustive: every sign pattern of all N inputs (at ±1), every output."""
    plant, _ = goldreich_plant(N, M, k=k, seed=N)
    H, P = plant.hypergraph, plant.predicate
    pts = [
        tuple(Fraction(1 if b else -1) for b in bits)
        for bits in itertools.product((0, 1), repeat=N)
    ]
    for bits, out in zip(
        itertools.product((0, 1), repeat=N), plant.network.exact(pts), strict=True
    ):
        assert out == tuple(Fraction(v) for v in H.outputs(P, bits))
    assert plant.network.widths == (2 * N, M * sum(P.table), M)


def test_network_in_the_margin_is_strictly_between() -> None:
    H = Hypergraph(3, ((0, 1, 2),))
    net = goldreich_network(H, xor_and(3), Fraction(1, 10))
    # u = (1/2, 0, 0): P interpolates between P(0,0,0) = 0 and P(1,0,0) = 1
    assert net.exact([(Fraction(1, 20), Fraction(-1), Fraction(-1))]) == [(Fraction(1, 2),)]


def test_matching_seeds_exhaustive_against_brute_force() -> None:
    plant, _ = goldreich_plant(8, 6, k=4, seed=3)
    H, P = plant.hypergraph, plant.predicate
    brute = [
        i
        for i in range(2**8)
        if H.outputs(P, tuple((i >> v) & 1 for v in range(8))) == plant.outputs
    ]
    assert matching_seeds(H, P, plant.outputs).tolist() == brute
    assert sum(b << v for v, b in enumerate(plant.seed)) in brute


def test_many_outputs_determine_the_seed() -> None:
    plant, _ = goldreich_plant(16, 64, seed=5)
    seeds = matching_seeds(plant.hypergraph, plant.predicate, plant.outputs)
    assert seeds.tolist() == [sum(b << v for v, b in enumerate(plant.seed))]


def test_instance_labels_count_ones() -> None:
    problem, plant = goldreich_instance(7, 9, k=5, samples=30, units=3, seed=2)
    H, P = plant.hypergraph, plant.predicate
    assert problem.units == 3 and problem.d == 7 and problem.meta["samples_in_margin"] == 0
    for x, y in zip(problem.X, problem.y, strict=True):
        assert y == sum(H.outputs(P, tuple(int(v > 0) for v in x)))


def test_margin_bound_closed_form() -> None:
    # δ = 1, k = 1: P[0 < Z < 1] = Φ(1) − 1/2 = 0.341344746...
    assert margin_bound(Fraction(1), 1) == pytest.approx(0.3413447460685429, rel=1e-15)


def test_parameter_noise_zero_tau_changes_nothing() -> None:
    plant, _ = goldreich_plant(6, 4, k=3, seed=1)
    rows = parameter_noise(plant.network, (0.0, 1.0), 3, 200, np.random.default_rng(0))
    assert (rows[0].p, rows[0].l2) == (0.0, 0.0)
    assert rows[1].p > 0.5 and rows[1].l2 > 1


@pytest.mark.parametrize(("N", "M", "k", "message"), [(4, 3, 5, "N ≥ k"), (6, 3, 5, None)])
def test_plant_arguments(N: int, M: int, k: int, message) -> None:
    if message is None:
        goldreich_plant(N, M, k=k)
    else:
        with pytest.raises(InputError, match=message):
            goldreich_plant(N, M, k=k)


def test_run_checks_pass() -> None:
    args = argparse.Namespace(
        inputs=10,
        outputs=30,
        k=5,
        predicate="xor-and",
        margin=Fraction(1, 100),
        tau=(1e-5, 1e-2),
        draws=3,
        mc_samples=300,
        seed=4,
    )
    report = run_checks(args)
    assert report.passed
    exact = [f for f in report.findings if f.exact and f.passed is not None]
    assert len(exact) == 5 and all(f.passed for f in exact)


def test_run_checks_fail_on_a_wrong_predicate_table(monkeypatch) -> None:
    """The network is checked against the predicate's table, so a wrong table must be caught
    against the formula (before: a table with one entry flipped passed every check)."""
    from reductions.families.goldreich import family
    from reductions.families.goldreich.prg import Predicate

    def flipped(k: int) -> Predicate:
        P = xor_and(k)
        table = list(P.table)
        table[3] ^= 1
        return Predicate(P.name, k, tuple(table))

    monkeypatch.setitem(family.PREDICATES, "xor-and", flipped)
    args = argparse.Namespace(
        inputs=10,
        outputs=30,
        k=5,
        predicate="xor-and",
        margin=Fraction(1, 100),
        tau=(1e-5,),
        draws=2,
        mc_samples=100,
        seed=4,
    )
    report = run_checks(args)
    assert not report.passed
    assert [f.name for f in report.findings if f.passed is False] == ["predicate = u1⊕…⊕u3⊕(u4∧u5)"]
