"""FitProblem validation (one test row per failure) and exact loss on hand-computed cases."""

from fractions import Fraction as F

import numpy as np
import pytest

from exactfit.problem import (
    FitProblem,
    InvalidInstance,
    ReluNetwork,
    Unit,
    clip_to_bound,
    exact_loss,
    loss,
    network_violations,
    to_fraction,
)

GOOD = {"X": [[0], [1], [2]], "y": [0, 1, 2]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"X": []}, "expected at least one sample"),
        ({"X": [[], [], []]}, "at least one feature"),
        ({"X": [[0], [1, 2], [3]]}, "ragged rows: row 0 has 1 entries but row 1 has 2"),
        ({"X": [[0], [float("nan")], [2]]}, "X[1][0]: expected a finite number, found nan"),
        ({"X": [[0], [float("inf")], [2]]}, "X[1][0]: expected a finite number, found inf"),
        ({"X": [[0], ["abc"], [2]]}, "expected a number or a rational string"),
        ({"X": [[0], [True], [2]]}, "found the boolean True"),
        ({"X": "abc"}, "expected a list of rows"),
        ({"X": [0, 1, 2]}, "X[0]: expected a row"),
        ({"X": np.zeros((3, 1, 1))}, "expected a 2-D array"),
        ({"y": [0, 1]}, "y: expected 3 labels (one per row of X), found 2"),
        ({"y": [0, float("nan"), 1]}, "y[1]: expected a finite number"),
        ({"sample_weight": [1, 1]}, "expected 3 weights"),
        ({"sample_weight": [1, 0, 1]}, "sample_weight[1]: expected a positive weight, found 0"),
        ({"sample_weight": [1, -2, 1]}, "expected a positive weight, found -2"),
        ({"units": 0}, "units: expected an integer k with 1 ≤ k ≤ 64, found 0"),
        ({"units": 65}, "units: expected an integer k with 1 ≤ k ≤ 64, found 65; exact fitting"),
        ({"units": 10**9}, "units: expected an integer k with 1 ≤ k ≤ 64, found 1000000000"),
        ({"units": 1.5}, "units: expected an integer k ≥ 1, found float"),
        ({"units": True}, "units: expected an integer k ≥ 1, found bool"),
        ({"bias": "yes"}, "bias: expected true or false"),
        ({"output_signs": "positive"}, "expected null, 'nonnegative' or a list of ±1"),
        ({"output_signs": [1, 1]}, "output_signs: expected 1 signs (one per unit), found 2"),
        ({"output_signs": [2]}, "output_signs[0]: expected +1 or -1, found 2"),
        ({"output_signs": 5}, "found int"),
        ({"weight_bound": 0}, "weight_bound: expected a positive bound B"),
        ({"weight_bound": -1}, "expected a positive bound B (‖w_j‖₂ ≤ B), found -1"),
        ({"weight_bound": float("nan")}, "weight_bound: expected a finite number"),
        ({"meta": [1]}, "meta: expected an object"),
        ({"X": [[0], ["1e-400"], [2]]}, "X[1][0]: expected 0 or a magnitude in [1e-75, 1e75]"),
        ({"X": [[0], ["1e400"], [2]]}, "found a number of about 1e400"),
        ({"X": [[0], [1e300], [2]]}, "found a number of about 1e300"),
        ({"X": [[0], ["-1e-76"], [2]]}, "found a number of about 1e-76"),
        ({"y": [0, "-1/" + "1" + "0" * 80, 1]}, "y[1]: expected 0 or a magnitude"),
        ({"sample_weight": [1, "1e80", 1]}, "sample_weight[1]: expected 0 or a magnitude"),
    ],
)
def test_validation_messages(changes, message):
    with pytest.raises(InvalidInstance) as info:
        FitProblem(**{**GOOD, **changes})
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_data_kept_exact():
    p = FitProblem([["1/3", 0.1], [2, "0.25"]], ["-2/7", 1], sample_weight=[1, "1/2"])
    assert ((F(1, 3), F(0.1)), (F(2), F(1, 4))) == p.X
    assert p.y == (F(-2, 7), F(1))
    assert p.sample_weight == (F(1), F(1, 2))
    assert p.Xf.flags.writeable is False
    assert (p.n, p.d, p.lifted_dim) == (2, 2, 3)


def test_to_fraction_decimal_string_is_the_decimal():
    assert to_fraction("0.1") == F(1, 10)
    assert to_fraction(0.1) == F(3602879701896397, 36028797018963968)


@pytest.mark.parametrize(
    ("signs", "k", "expected"),
    [
        (None, 1, [(1,), (-1,)]),
        (None, 2, [(1, 1), (1, -1), (-1, -1)]),
        ("nonnegative", 3, [(1, 1, 1)]),
        ((1, -1), 2, [(1, -1)]),
    ],
)
def test_sign_vectors(signs, k, expected):
    p = FitProblem([[0]], [0], units=k, output_signs=signs)
    assert p.sign_vectors() == expected


def test_exact_loss_hand_computed():
    # f(x) = σ(x − 1/2) − σ(−x); points x = −1, 0, 1, 2; labels 1/3, 0, 1, 1.
    p = FitProblem([[-1], [0], [1], [2]], ["1/3", 0, 1, 1], sample_weight=[3, 1, 2, "1/2"])
    net = ReluNetwork((Unit(1, (F(1),), F(-1, 2)), Unit(-1, (F(-1),), F(0))))
    # f = −1, 0, 1/2, 3/2 ; residuals −4/3, 0, −1/2, 1/2
    expected = 3 * F(16, 9) + 0 + 2 * F(1, 4) + F(1, 2) * F(1, 4)
    assert exact_loss(p, net) == expected == F(143, 24)
    assert loss(p, net) == pytest.approx(float(expected), rel=1e-15)


def test_exact_loss_converts_floats_exactly():
    p = FitProblem([[1]], [0])
    net = ReluNetwork((Unit(1, (0.1,), 0.0),))
    assert exact_loss(p, net) == F(0.1) ** 2 != F(1, 100)


def test_null_loss_is_the_zero_networks_exact_loss_and_not_carried_into_changed_copies():
    # null_loss is cached on the instance; a copy with other labels or weights must not see
    # the original's value.
    p = FitProblem([[-1], [0], [1], [2]], ["1/3", 0, 1, 1], sample_weight=[3, 1, 2, "1/2"])
    zero = ReluNetwork((Unit(1, (F(0),), F(0)),))
    assert p.null_loss() == p.null_loss() == exact_loss(p, zero) == F(17, 6)
    relabelled = p.with_changes(y=[1, 0, 0, "1/7"])
    assert relabelled.null_loss() == exact_loss(relabelled, zero) == 3 + F(1, 98)
    reweighted = p.with_changes(sample_weight=[1, 1, 1, 1])
    assert reweighted.null_loss() == F(1, 9) + 2


def test_realizable_planted_network_has_zero_loss():
    rng = np.random.default_rng(3)
    X = rng.integers(-5, 6, size=(30, 3))
    planted = ReluNetwork(
        (Unit(1, (F(1), F(-2), F(1, 3)), F(1, 2)), Unit(-1, (F(0), F(1), F(1)), F(-1)))
    )
    y = [
        sum(
            u.a * max(F(0), sum(w * int(x) for w, x in zip(u.w, row, strict=True)) + u.b)
            for u in planted.units
        )
        for row in X
    ]
    p = FitProblem(X, y, units=2)
    assert exact_loss(p, planted) == 0


def test_network_violations():
    p = FitProblem([[0, 1]], [0], units=1, bias=False, output_signs="nonnegative", weight_bound=1)
    net = ReluNetwork((Unit(-1, (1, 1), 0.5),))
    bad = network_violations(p, net)
    assert any("bias-free" in b for b in bad)
    assert any("requires all signs +1" in b for b in bad)
    assert any("‖w‖₂ = 1.41421356237 > B = 1" in b for b in bad)
    assert network_violations(p, ReluNetwork((Unit(1, (1, 0), 0),))) == []
    two = ReluNetwork((Unit(1, (0, 0)), Unit(1, (0, 0))))
    assert any("allows k = 1" in b for b in network_violations(p, two))
    assert "input size is 1" in network_violations(p, ReluNetwork((Unit(1, (1,)),)))[0]


def test_clip_to_bound_makes_the_bound_hold_exactly():
    p = FitProblem([[0, 1]], [0], weight_bound="7/10")
    net = ReluNetwork((Unit(1, (0.7 * 0.6 + 1e-12, 0.7 * 0.8), 0.0),))
    assert network_violations(p, net)
    clipped = clip_to_bound(p, net)
    assert network_violations(p, clipped) == []
    assert clipped.units[0].w[0] == pytest.approx(0.42, rel=1e-9)
