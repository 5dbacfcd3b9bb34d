"""Fix nodes: the wrong-side gain and the Lagrangian multipliers of Lemma 3 (docs/certificate.md),
computed exactly by the checker and refused when tampered with."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from fitcases import planted_decimals as planted

from exactfit import FitProblem, get_solver
from exactfit.certificate import Fix, check_certificate
from exactfit.certificate.check import _Reject, _Walk
from exactfit.certificate.format import certificate_from_dict, certificate_to_dict
from exactfit.result import Proof

ENUM = get_solver("enum")
#: x = (1, 2), y = (1, 3), one unit, no bias: the node "point 0 active" has q = (w − 1)².
TINY = FitProblem([[1], [2]], [1, 3], bias=False, output_signs="nonnegative")


def _node_point0_active() -> _Walk:
    walk = _Walk(TINY, (1,))
    walk.push()
    walk.fix(0, 0, 1)
    return walk


def test_the_wrong_side_gain_is_the_cost_the_point_has_there():
    walk = _node_point0_active()
    # fixing point 1 active: its wrong side {2w ≤ 0} meets the node at w = 0, where the loss
    # is (0 − 1)² + 3² = 10; q alone gives 0 + (2·1)²/(2·1·2) = 1, the gain c·y² = 9 adds
    assert walk.fix_bound(Fix(0, ((1, 1),))) == 10
    # fixing it inactive: the wrong side is active, a quadratic there, so no gain; θ_c = 1 is
    # on the wrong side and the bound is min q = 0
    assert walk.fix_bound(Fix(0, ((1, -1),))) == 0


def test_a_fix_of_a_point_already_fixed_is_rejected():
    walk = _node_point0_active()
    walk.push()
    walk.fix(0, 1, 1)
    with pytest.raises(_Reject):
        walk.fix_bound(Fix(0, ((0, 1),)))


def test_fix_multipliers_centre_the_bound_at_the_lagrangian():
    # one unit with bias, x = (0, 1, 2), y = (1, 1, −1); at the node "points 0, 1 active"
    # (rows b ≥ 0 and w + b ≥ 0) q = (b − 1)² + (w + b − 1)² + 1 (point 2 pushes away: its
    # relaxed constant is 1), i.e. M = [[1, 1], [1, 2]], h = (1, 2), Y = 3, M⁻¹ = [[2, −1],
    # [−1, 1]].  Fixing point 2 inactive: the bound of its wrong side (active, z = (2, 1), a
    # quadratic there: no gain) with μ on row 0 is q_c + (t⁺)²/5, θ_c = M⁻¹(1, 2 + μ/2)
    problem = FitProblem([[0], [1], [2]], [1, 1, -1], output_signs="nonnegative")
    walk = _Walk(problem, (1,))
    walk.push()
    walk.fix_many(0, ((0, 1), (1, 1)))

    def closed_form(mu: Fraction) -> Fraction:
        g = (Fraction(1), 2 + mu / 2)
        tw, tb = 2 * g[0] - g[1], -g[0] + g[1]
        qc = 3 - (g[0] * tw + g[1] * tb)
        t = -(2 * tw + tb)
        return qc + max(t, 0) ** 2 / 5

    assert closed_form(Fraction(0)) == 1 and closed_form(Fraction(4)) == Fraction(-34, 5)
    for mu in (Fraction(0), Fraction(2), Fraction(4), Fraction(7, 3)):
        mults = ((0, mu),) if mu else ()
        got = walk.fix_bound(Fix(0, ((2, -1),), None, mults))
        assert Fraction(int(got.p), int(got.q)) == closed_form(mu), mu
    for bad in (((0, Fraction(-2)),), ((5, Fraction(2)),), ((0, Fraction(1)), (0, Fraction(1)))):
        with pytest.raises(_Reject):
            walk.fix_bound(Fix(0, ((2, -1),), None, bad))


def _lagrangian_fixes(cert):
    return [
        (t, i)
        for t, tree in enumerate(cert.trees)
        for i, node in enumerate(tree.nodes)
        if isinstance(node, Fix) and node.multipliers
    ]


def _with_node(cert, t, i, node):
    tree = cert.trees[t]
    nodes = (*tree.nodes[:i], node, *tree.nodes[i + 1 :])
    trees = (*cert.trees[:t], dataclasses.replace(tree, nodes=nodes), *cert.trees[t + 1 :])
    return dataclasses.replace(cert, trees=trees)


def test_changed_fix_multipliers_are_rejected_and_round_trip():
    problem = planted(2, 30, 2)
    r = ENUM.solve(problem)
    assert r.proof is Proof.EXACT
    cert = r.certificate
    spots = _lagrangian_fixes(cert)
    assert spots  # the prover used a Lagrangian fix here
    assert certificate_from_dict(certificate_to_dict(cert)) == cert
    for t, i in spots:
        fix = cert.trees[t].nodes[i]
        (row, mu), *rest = fix.multipliers
        for bad in (((row, -mu), *rest), ((row + 10**6, mu), *rest), ((row, 1000 * mu), *rest)):
            changed = Fix(fix.unit, fix.pairs, fix.rho, tuple(bad))
            assert not check_certificate(problem, _with_node(cert, t, i, changed)).ok
