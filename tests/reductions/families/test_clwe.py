"""The CLWE planted family: the ramp identity, the exact unit secret, the generator, the checks."""

from __future__ import annotations

import argparse
from fractions import Fraction

import numpy as np
import pytest

from exactfit.errors import InputError
from exactfit.network import exact_loss, exact_predictions
from reductions.families.clwe import (
    clwe_instance,
    coefficients,
    dist_to_integers,
    periodic_network,
    ramp,
    rational_unit_vector,
    reduced_network,
)
from reductions.families.clwe_checks import exact_fits, run_checks, truncation_probability


@pytest.mark.parametrize("M", [1, 2, 3, 15])
def test_coefficients_and_slopes(M: int) -> None:
    c = coefficients(M)
    assert len(c) == 4 * M + 1 and c[0] == c[-1] == 1
    # slope on (j/2 − M, (j+1)/2 − M) is the partial sum: +1, −1, +1, … and 0 after M
    sums = np.cumsum(c).tolist()
    assert sums[:-1] == [(-1) ** j for j in range(4 * M)] and sums[-1] == 0


@pytest.mark.parametrize("M", [1, 2, 5])
def test_ramp_is_dist_to_integers_on_the_cutoff_interval(M: int) -> None:
    rng = np.random.default_rng(M)
    pts = [Fraction(j, 2) - M for j in range(-6, 4 * M + 7)]
    pts += [
        Fraction(int(p), int(q))
        for p, q in zip(rng.integers(-900, 900, 300), rng.integers(1, 97, 300), strict=True)
    ]
    for t in pts:
        assert ramp(t, M) == (dist_to_integers(t) if abs(t) <= M else 0), t


@pytest.mark.parametrize(
    ("t", "M", "value"),
    [
        (Fraction(1, 2), 1, Fraction(1, 2)),
        (Fraction(-1, 3), 1, Fraction(1, 3)),
        (Fraction(5, 4), 1, 0),
        (Fraction(5, 4), 2, Fraction(1, 4)),
        (Fraction(-2), 2, 0),
        (Fraction(-21, 10), 2, 0),
        (Fraction(7, 10), 3, Fraction(3, 10)),
    ],
)
def test_ramp_values(t: Fraction, M: int, value: Fraction) -> None:
    assert ramp(t, M) == value


@pytest.mark.parametrize(
    "u",
    [
        (),
        (Fraction(0),),
        (Fraction(3, 7),),
        (Fraction(-5, 2), Fraction(1, 100)),
        (Fraction(10**6), Fraction(-3), Fraction(2, 9)),
    ],
)
def test_stereographic_secret_has_unit_norm_exactly(u) -> None:
    w = rational_unit_vector(u)
    assert len(w) == len(u) + 1
    assert sum(v * v for v in w) == 1


@pytest.mark.parametrize(
    ("d", "gamma", "M"), [(1, Fraction(2), 1), (2, Fraction(1, 2), 2), (3, Fraction(7, 3), 1)]
)
def test_instance_planted_loss_is_the_noise_energy(d: int, gamma: Fraction, M: int) -> None:
    problem, plant = clwe_instance(d, gamma=gamma, noise=0.1, samples=60, cutoff=M, seed=d)
    assert problem.units == 4 * M + 1 and problem.bias and problem.d == d
    assert sum(v * v for v in plant.w) == 1
    assert exact_loss(problem, plant.network) == sum(e * e for e in plant.noise)
    assert problem.meta["planted_loss"] == sum(e * e for e in plant.noise)
    assert tuple(problem.meta["secret"]) == plant.w
    # each unit's output weight ±1 carries |c_j| inside: c σ(s) = sign(c) σ(|c| s)
    for u, c in zip(plant.network.units, coefficients(M), strict=True):
        assert u.a == (1 if c > 0 else -1)


def test_noise_free_instance_is_realizable() -> None:
    problem, plant = clwe_instance(1, gamma=Fraction(1), noise=0, samples=30, cutoff=1, seed=4)
    assert exact_loss(problem, plant.network) == 0
    assert all(e == 0 for e in plant.noise)


def test_same_seed_same_instance() -> None:
    a, _ = clwe_instance(2, gamma=Fraction(2), noise=0.1, samples=20, seed=9)
    b, _ = clwe_instance(2, gamma=Fraction(2), noise=0.1, samples=20, seed=9)
    assert a.X == b.X and a.y == b.y


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_reduced_network_agrees_on_the_data(seed: int) -> None:
    problem, plant = clwe_instance(2, gamma=Fraction(1, 2), noise=0, samples=7, cutoff=2, seed=seed)
    red = reduced_network(plant.gamma, plant.w, plant.cutoff, list(problem.X))
    assert red.k <= 4 * plant.cutoff + 1
    assert exact_predictions(problem, red) == exact_predictions(problem, plant.network)


def test_truncation_probability_closed_form() -> None:
    # P[|Z| > 1] = erfc(1/√2) = 0.317310507862914...
    assert truncation_probability(Fraction(1), 1).startswith("0.3173105078629141028295")
    # γ = 1/2, M = 1: P[|Z| > 2] = 0.0455002638963584...
    assert truncation_probability(Fraction(1, 2), 1).startswith("0.04550026389635841")


def test_exact_fit_with_the_reduced_width_reaches_the_planted_loss() -> None:
    problem, plant = clwe_instance(1, gamma=Fraction(1, 2), noise=0.05, samples=6, cutoff=1, seed=1)
    planted, reduced, rows = exact_fits(problem, plant, 6, 1, "enum")
    values = {k: v for k, _, v in rows}
    assert all(s == "optimal" for _, s, _ in rows)
    assert values[reduced.k] <= planted
    assert values[1] >= values[reduced.k]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"cutoff": 16}, "cutoff"), ({"gamma": Fraction(-1)}, "gamma"), ({"noise": -1}, "noise")],
)
def test_bad_arguments(kwargs, message: str) -> None:
    args = {"gamma": Fraction(2), "noise": 0.1, "samples": 5} | kwargs
    with pytest.raises(InputError, match=message):
        clwe_instance(1, **args)


def test_run_checks_pass() -> None:
    args = argparse.Namespace(
        dims=1,
        gamma=Fraction(1, 2),
        cutoff=1,
        noise=0.05,
        samples=100,
        mc_samples=20000,
        fit_samples=5,
        fit_units=1,
        solver="enum",
        seed=3,
    )
    report = run_checks(args)
    assert report.passed
    assert [f.passed for f in report.findings if f.exact and f.passed is not None] == [True] * 4


def test_network_builder_uses_exact_parameters() -> None:
    net = periodic_network(Fraction(2), (Fraction(3, 5), Fraction(4, 5)), 1)
    assert net.k == 5
    assert net.units[1].w == (Fraction(12, 5), Fraction(16, 5)) and net.units[1].b == 1
