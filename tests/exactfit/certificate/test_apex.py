"""Apex nodes (certificate version 2): a unit's rows that leave it only ``θ_j = 0``.

A genuine (hand-built) certificate that uses one passes the checker; an apex whose
multipliers do not cancel, are not positive, or whose rows do not span the unit's
parameters is rejected (a checker without the span test would accept rows ``r, −r``, which
leave a whole hyperplane, and fix its points inactive wrongly); a version-1 file may not
hold one."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import numpy as np
import pytest
from fitcases import planted_decimals as planted

from exactfit import FitProblem, Status, get_solver
from exactfit.certificate import (
    Apex,
    Certificate,
    Leaf,
    Split,
    Tree,
    check_certificate,
    instance_digest,
)
from exactfit.certificate.check import _Reject, _Walk
from exactfit.certificate.format import certificate_from_dict, certificate_to_dict
from exactfit.errors import InvalidCertificate
from exactfit.problem import ReluNetwork, Unit, exact_loss
from exactfit.result import Proof
from exactfit.solvers.enumeration.implied import exact_gordan, gordan

ENUM = get_solver("enum")


def _noisy(n: int, d: int, sigma: float, seed: int) -> FitProblem:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.maximum(X @ rng.standard_normal(d) + 0.2, 0.0) + sigma * rng.standard_normal(n)
    return FitProblem(X.tolist(), y.tolist(), units=1, bias=True)


def _hand_built() -> tuple[FitProblem, Certificate]:
    """One unit with a bias on x = 0, −1, 1, 5; a tree whose branch "x = 0 active, x = ±1
    inactive" leaves only θ = 0 (rows (0, 1), (1, −1), (−1, −1), 2·(0, 1) + (1, −1) + (−1, −1)
    = 0), closed by an apex node; the claim ``lower = 0`` holds at every leaf (every node
    quadratic is ≥ 0)."""
    problem = FitProblem(
        [[0], [-1], [1], [5]], [1, 0, 0, 2], units=1, bias=True, output_signs="nonnegative"
    )
    net = ReluNetwork((Unit(1, (Fraction(0),), Fraction(0)),))
    apex = Apex(0, ((0, Fraction(2)), (1, Fraction(1)), (2, Fraction(1))))
    nodes = (
        Split(0, 0),
        Split(0, 1),
        Leaf(()),
        Split(0, 2),
        Leaf(()),
        apex,
        Leaf(()),
        Leaf(()),
    )
    cert = Certificate(
        instance_digest(problem), net, exact_loss(problem, net), Fraction(0), (Tree((1,), nodes),)
    )
    return problem, cert


def _apexes(cert: Certificate) -> list[tuple[int, int]]:
    return [
        (t, i)
        for t, tree in enumerate(cert.trees)
        for i, node in enumerate(tree.nodes)
        if isinstance(node, Apex)
    ]


def _with(cert: Certificate, t: int, i: int, node) -> Certificate:
    trees = list(cert.trees)
    nodes = list(trees[t].nodes)
    nodes[i] = node
    trees[t] = dataclasses.replace(trees[t], nodes=tuple(nodes))
    return dataclasses.replace(cert, trees=tuple(trees))


def test_a_genuine_apex_node_is_accepted_and_round_trips_as_version_two():
    problem, cert = _hand_built()
    assert check_certificate(problem, cert).ok
    data = certificate_to_dict(cert)
    assert data["version"] == 2
    again = certificate_from_dict(json.loads(json.dumps(data)))
    assert again == cert and check_certificate(problem, again).ok


def test_tampered_apex_nodes_are_rejected():
    problem, cert = _hand_built()
    t, i = _apexes(cert)[0]
    node = cert.trees[t].nodes[i]
    (r0, m0), *rest = node.multipliers
    bad = [
        Apex(node.unit, ((r0, 2 * m0), *rest)),  # no longer cancels
        Apex(node.unit, ((r0, -m0), *rest)),  # not positive
        Apex(node.unit, ((r0, Fraction(0)), *rest)),  # zero
        Apex(node.unit, tuple(rest)),  # a row dropped: the rest do not cancel
        Apex(node.unit, ((r0, m0), (r0, m0), *rest)),  # a row twice
        Apex(1, node.multipliers),  # no such unit
    ]
    for b in bad:
        v = check_certificate(problem, _with(cert, t, i, b))
        assert not v.ok and "apex" in v.reason, b
    # the apex on the branch where x = 1 is active is not one: its rows do not cancel
    moved = _with(_with(cert, t, 4, node), t, 5, Leaf(()))
    assert not check_certificate(problem, moved).ok


@pytest.mark.parametrize("problem", [planted(22, 10, 2, k=2), planted(1, 20, 2)])
def test_prover_certificates_with_implied_activities_round_trip(problem):
    # an Imply node once could not be written (the writer asked it for norm multipliers)
    r = ENUM.solve(problem)
    assert r.status is Status.OPTIMAL and r.proof is Proof.EXACT
    cert = r.certificate
    again = certificate_from_dict(json.loads(json.dumps(certificate_to_dict(cert))))
    assert again == cert and check_certificate(problem, again).ok


def test_rows_that_cancel_without_spanning_are_rejected():
    # without a bias, z_0 = (1, 1), z_1 = (−1, −1), z_2 = (2, 2) lie on one line: point 0
    # active, points 1 and 2 inactive give the rows (1, 1), (1, 1), (−2, −2), which μ = 1
    # cancels; but every θ with θ_1 + θ_2 = 0 is on the node — not the apex — and point 3
    # (z = (3, 1)) is active for some of them, so it may not be fixed inactive
    problem = FitProblem([[1, 1], [-1, -1], [2, 2], [3, 1]], [1, -1, 2, 1], bias=False)
    walk = _Walk(problem, (1,))
    walk.push()
    walk.fix_many(0, [(0, 1), (1, -1), (2, -1)])
    with pytest.raises(_Reject, match="span"):
        walk.apex(Apex(0, ((0, Fraction(1)), (1, Fraction(1)), (2, Fraction(1)))))
    # with a bias, z = (0, 1) active and (−1, 1), (1, 1) inactive: rows (0, 1), (1, −1),
    # (−1, −1), and 2·(0, 1) + (1, −1) + (−1, −1) = 0 spans R²: the apex; the free point 3
    # is listed inactive
    ok = FitProblem([[0], [-1], [1], [5]], [1, 0, 0, 2], bias=True)
    walk = _Walk(ok, (1,))
    walk.push()
    walk.fix_many(0, [(0, 1), (1, -1), (2, -1)])
    apex = Apex(0, ((0, Fraction(2)), (1, Fraction(1)), (2, Fraction(1))))
    assert walk.apex(apex) == [(3, -1)]
    with pytest.raises(_Reject, match="combine"):
        walk.apex(Apex(0, ((0, Fraction(1)), (1, Fraction(1)), (2, Fraction(1)))))


def test_a_version_one_file_may_not_hold_an_apex_node():
    data = certificate_to_dict(_hand_built()[1])
    data["version"] = 1
    with pytest.raises(InvalidCertificate, match="version 1"):
        certificate_from_dict(data)
    data["version"] = 3
    with pytest.raises(InvalidCertificate, match="version"):
        certificate_from_dict(data)


def test_a_certificate_without_apex_nodes_is_written_as_version_one():
    r = ENUM.solve(planted(0, 12, 1))
    assert not _apexes(r.certificate)
    assert certificate_to_dict(r.certificate)["version"] == 1


@pytest.mark.parametrize("seed", range(40))
def test_the_float_proposal_and_the_exact_certificate_agree(seed):
    rng = np.random.default_rng(seed)
    D = int(rng.integers(2, 5))
    R = rng.integers(-4, 5, size=(int(rng.integers(1, 9)), D))
    R = R[np.abs(R).sum(axis=1) > 0]
    if len(R) == 0:
        return
    unit = R / np.linalg.norm(R, axis=1)[:, None]
    support = gordan(unit)
    # exact truth: the cone {Rθ ≥ 0} is {0} iff no θ ≠ 0 has Rθ ≥ 0; test on a lattice of
    # candidate θ (small integers), which finds a nonzero point of any cone these rows allow
    # only approximately — so only the direction "certificate ⇒ apex" is asserted exactly
    if support is None:
        return
    rows = [[int(v) for v in R[c]] for c in support]
    mu = exact_gordan(rows)
    assert mu is not None and all(m > 0 for m in mu)
    assert all(sum(m * r[a] for m, r in zip(mu, rows, strict=True)) == 0 for a in range(D))
    assert np.linalg.matrix_rank(np.array(rows, dtype=float)) == D
    # so no nonzero θ has Rθ ≥ 0: in particular none of these samples
    theta = rng.standard_normal((200, D))
    assert not np.any(np.all(R @ theta.T >= 0, axis=0))


def test_an_apex_that_fixes_nothing_is_not_proposed_again():
    """Held-out data (benchmarks/heldout.py, kind k2_d1, seed 18): a unit whose rows leave it
    only θ = 0 with nothing left free for it.  The prover proposed the same empty apex node
    at every depth until Python's recursion limit; now the proof completes and checks."""
    x = [Fraction(-17, 25), Fraction(-63, 100), Fraction(-19, 50), Fraction(-1, 100)]
    x.append(Fraction(-6799999999, 10000000000))
    y = [Fraction(-119, 100), Fraction(-7, 25), Fraction(-73, 100), Fraction(47, 100)]
    problem = FitProblem([[v] for v in x], [*y, Fraction(39, 100)], units=2)
    result = get_solver("enum").solve(problem)
    assert result.status is Status.OPTIMAL and result.certificate is not None
    assert check_certificate(problem, result.certificate).ok
    brute = get_solver("brute").solve(problem)
    assert result.objective_exact == brute.objective_exact
