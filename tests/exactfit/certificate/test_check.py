"""Certificates: genuine ones pass the independent checker, tampered ones are rejected."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import pytest
from adversarial import suite
from fitcases import planted_decimals as planted

from exactfit import FitProblem, Status, get_solver, solve
from exactfit.certificate import (
    Certificate,
    Fix,
    Imply,
    Leaf,
    Split,
    Tree,
    check_certificate,
    instance_digest,
    read_certificate,
    write_certificate,
)
from exactfit.certificate.format import certificate_from_dict, certificate_to_dict
from exactfit.errors import InvalidCertificate
from exactfit.problem import ReluNetwork, Unit, exact_loss
from exactfit.result import Proof
from exactfit.solvers.enumeration.prover import GAP_RTOL, prove

ENUM = get_solver("enum")


def _cert(problem: FitProblem) -> Certificate:
    r = ENUM.solve(problem)
    assert r.status is Status.OPTIMAL and r.proof is Proof.EXACT
    return r.certificate


CASES = [
    planted(0, 12, 1),
    planted(1, 20, 2),
    planted(2, 30, 2, bias=False),
    planted(3, 25, 2, output_signs="nonnegative"),
    planted(4, 15, 3),
    planted(5, 20, 2).with_changes(weight_bound=Fraction(1, 2)),
    planted(6, 10, 1, k=2),
    planted(22, 10, 2, k=2),
    planted(8, 10, 2, k=2, bias=False),
    planted(20, 8, 1, k=2, output_signs="nonnegative"),
]
#: One single-unit and one two-unit instance for the tampering tests.
TAMPER = [CASES[1], CASES[8]]


@pytest.mark.parametrize("problem", CASES, ids=lambda p: p.describe())
def test_genuine_certificates_are_accepted_and_meet_the_loss(problem):
    cert = _cert(problem)
    v = check_certificate(problem, cert)
    assert v.ok, v.reason
    assert v.upper == exact_loss(problem, cert.network) == cert.upper
    assert cert.upper * (1 - GAP_RTOL) <= cert.lower <= v.bound <= cert.upper
    # the file round trip is lossless
    again = certificate_from_dict(json.loads(json.dumps(certificate_to_dict(cert))))
    assert again == cert and check_certificate(problem, again).ok


@pytest.mark.parametrize("problem", TAMPER, ids=lambda p: f"k{p.units}")
def test_a_certificate_is_rejected_for_an_instance_with_one_label_changed(problem):
    cert = _cert(problem)
    y = list(problem.y)
    y[3] += Fraction(1, 1000)
    other = problem.with_changes(y=y)
    v = check_certificate(other, cert)
    assert not v.ok and "different instance" in v.reason
    # even with the digest forged for the changed instance, the claims no longer hold
    forged = dataclasses.replace(cert, digest=instance_digest(other))
    assert not check_certificate(other, forged).ok


def _leaf_positions(cert: Certificate) -> list[tuple[int, int]]:
    return [
        (t, i)
        for t, tree in enumerate(cert.trees)
        for i, node in enumerate(tree.nodes)
        if isinstance(node, Leaf) and node.multipliers
    ]


def _with_node(cert: Certificate, t: int, i: int, node) -> Certificate:
    nodes = list(cert.trees[t].nodes)
    if node is None:
        del nodes[i]
    else:
        nodes[i] = node
    trees = list(cert.trees)
    trees[t] = Tree(trees[t].signs, tuple(nodes))
    return dataclasses.replace(cert, trees=tuple(trees))


@pytest.mark.parametrize("problem", TAMPER, ids=lambda p: f"k{p.units}")
def test_dropping_a_cell_is_rejected(problem):
    # every split and every leaf carries a part of the cover (a fix node only narrows its
    # subtree: without it the subtree covers more, so dropping one can leave a valid proof)
    cert = _cert(problem)
    spots = [
        (t, i)
        for t, tree in enumerate(cert.trees)
        for i, node in enumerate(tree.nodes)
        if isinstance(node, Split | Leaf)
    ]
    assert len(spots) >= 3
    for t, i in spots[:: max(1, len(spots) // 60)]:  # every one, or 60 spread over the trees
        assert not check_certificate(problem, _with_node(cert, t, i, None)).ok


@pytest.mark.parametrize("problem", TAMPER, ids=lambda p: f"k{p.units}")
def test_changed_multipliers_are_rejected(problem):
    cert = _cert(problem)
    positions = _leaf_positions(cert)
    assert positions
    rejected = 0
    for t, i in positions[:: max(1, len(positions) // 60)]:
        leaf = cert.trees[t].nodes[i]
        (row, mu), *rest = leaf.multipliers
        negative = Leaf(((row, -mu), *rest), leaf.rho)
        assert not check_certificate(problem, _with_node(cert, t, i, negative)).ok
        tripled = Leaf(((row, 3 * mu), *rest), leaf.rho)
        rejected += not check_certificate(problem, _with_node(cert, t, i, tripled)).ok
    # the leaves whose bound is tight (the optimal cell's) cannot absorb a changed multiplier
    assert rejected >= 1


@pytest.mark.parametrize("problem", TAMPER, ids=lambda p: f"k{p.units}")
def test_a_wrong_claim_is_rejected(problem):
    cert = _cert(problem)
    zero = ReluNetwork((Unit(1, (0.0,) * problem.d, 0.0),) * problem.units)
    null = exact_loss(problem, zero)
    # the zero network with a one-leaf tree per sign and lower = its own loss
    fake = Certificate(
        instance_digest(problem),
        zero,
        null,
        null,
        tuple(Tree(s, (Leaf(()),)) for s in problem.sign_vectors()),
    )
    v = check_certificate(problem, fake)
    assert not v.ok and "below the claimed lower bound" in v.reason
    # a lower bound above the network's loss, and a missing sign tree
    assert not check_certificate(problem, dataclasses.replace(cert, lower=cert.upper + 1)).ok
    assert not check_certificate(problem, dataclasses.replace(cert, trees=cert.trees[:1])).ok


def test_fix_and_split_refer_to_real_points():
    problem = CASES[0]
    sign = problem.sign_vectors()[0]
    for node in (Split(0, problem.n), Fix(0, ((problem.n, 1),)), Split(1, 0)):
        cert = Certificate(
            instance_digest(problem),
            ReluNetwork((Unit(1, (0.0,), 0.0),)),
            problem.null_loss(),
            Fraction(0),
            tuple(Tree(s, (node, Leaf(()), Leaf(()))) for s in problem.sign_vectors()),
        )
        v = check_certificate(problem, cert)
        assert not v.ok, (node, sign)


@pytest.mark.parametrize("problem", TAMPER, ids=lambda p: f"k{p.units}")
def test_the_prover_corrects_a_bad_incumbent(problem):
    # start the proof from the zero network: the prover must find the optimum itself
    best = ENUM.solve(problem, certify=False)
    cert = prove(problem, ReluNetwork((Unit(1, (0.0,) * problem.d, 0.0),) * problem.units))
    assert check_certificate(problem, cert).ok
    assert cert.upper <= Fraction(best.objective) * (1 + Fraction(1, 10**9))


def test_certificate_files_round_trip_and_malformed_files_are_one_line_errors(tmp_path):
    problem = CASES[0]
    cert = _cert(problem)
    path = tmp_path / "c.json"
    write_certificate(cert, path)
    assert read_certificate(path) == cert
    for text in (
        "{",
        "[]",
        '{"format": "other", "version": 1}',
        '{"format": "exactfit-certificate"}',
    ):
        path.write_text(text)
        with pytest.raises(InvalidCertificate) as err:
            read_certificate(path)
        assert "\n" not in str(err.value)
    data = certificate_to_dict(cert)
    data["trees"][0]["nodes"][0] = ["leaf", [[0, 1.5]], None]  # a float, not an exact rational
    path.write_text(json.dumps(data))
    with pytest.raises(InvalidCertificate):
        read_certificate(path)


# ---------------------------------------------------------------- adversarial, ≥ 200 instances
ADVERSARIAL = suite(26)


def test_the_adversarial_suite_has_at_least_200_instances():
    assert len(ADVERSARIAL) >= 200


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "seed", "problem"), ADVERSARIAL, ids=[f"{k}-{s}" for k, s, _ in ADVERSARIAL]
)
def test_no_wrong_exact_optimal_on_adversarial_data(kind, seed, problem):
    """Every OPTIMAL with proof "exact" is within 1e-9 relative of the exact optimum (brute's
    rational face enumeration; with a weight bound, which brute does not take, the certificate
    itself is re-checked and no other solver's network may be better)."""
    r = ENUM.solve(problem)
    # the certified default: every answer, for one unit or two, is proven exactly
    assert r.status is Status.OPTIMAL and r.proof is Proof.EXACT, r.message
    assert r.certificate is not None or exact_loss(problem, r.network) == 0
    loss = exact_loss(problem, r.network)
    if problem.weight_bound is None:
        opt = exact_loss(problem, get_solver("brute").solve(problem).network)
        assert loss <= opt * (1 + Fraction(1, 10**9)) if opt else loss == 0
    if r.certificate is not None:
        v = check_certificate(problem, r.certificate)
        assert v.ok, v.reason
        assert loss <= v.bound * (1 + Fraction(1, 10**9)) if v.bound else loss == 0
    if problem.weight_bound is not None and r.certificate is not None:
        other = get_solver("scip").solve(problem, time_limit=20)
        if other.network is not None:
            assert exact_loss(problem, other.network) >= v.bound


def test_implied_activities_are_checked_as_farkas_combinations():
    # antipodal and parallel points: fixing one implies the others' activity
    X = [[1, 0], [-1, 0], [2, 0], [0, 1], [0, -1], [0, 3]]
    problem = FitProblem(X, [1, "1/2", "5/2", 1, "3/10", 2], bias=False)
    cert = _cert(problem)
    assert check_certificate(problem, cert).ok
    spots = [
        (t, i)
        for t, tree in enumerate(cert.trees)
        for i, node in enumerate(tree.nodes)
        if isinstance(node, Imply)
    ]
    assert spots  # the prover used them
    for t, i in spots:
        node = cert.trees[t].nodes[i]
        (point, side, comb), *rest = node.entries
        flipped = Imply(node.unit, ((point, -side, comb), *rest))
        assert not check_certificate(problem, _with_node(cert, t, i, flipped)).ok
        (row, nu), *more = comb
        scaled = Imply(node.unit, ((point, side, ((row, 2 * nu), *more)), *rest))
        assert not check_certificate(problem, _with_node(cert, t, i, scaled)).ok


def test_a_side_other_than_plus_or_minus_one_is_rejected():
    # found by review: a fix side of -100 scaled the Lemma-3 bound by 100² and made the
    # checker accept a bound (20) above the true optimum (96/5)
    problem = FitProblem(
        [[-2], [-2]], [-2, 2], sample_weight=[2, 3], bias=False, output_signs="nonnegative"
    )
    assert exact_loss(problem, get_solver("brute").solve(problem).network) == Fraction(96, 5)
    zero = ReluNetwork((Unit(1, (0.0,), 0.0),))
    for side in (-100, 2, 0):
        with pytest.raises(InvalidCertificate):
            Fix(0, ((1, side),))  # refused on creation …
        fix = Fix(0, ((1, -1),))
        object.__setattr__(fix, "pairs", ((1, side),))  # … and by the checker if forced in
        nodes = (
            Split(0, 0),
            fix,
            Leaf(((0, Fraction(8)),)),
            Split(0, 1),
            Leaf(((0, Fraction(12)),)),
            Leaf(()),
        )
        cert = Certificate(
            instance_digest(problem), zero, Fraction(20), Fraction(20), (Tree((1,), nodes),)
        )
        assert not check_certificate(problem, cert).ok


def test_two_units_with_a_norm_bound_get_an_exact_proof_of_a_mip_answer():
    # enum takes no norm bound for k ≥ 2; the exact route proves scip's answer instead, with
    # one norm multiplier per unit in every leaf
    problem = planted(10, 8, 1, k=2).with_changes(weight_bound=Fraction(1, 2))
    r = solve(problem, solver="scip", certify=True, time_limit=60)
    assert r.status is Status.OPTIMAL and r.proof is Proof.EXACT, r.message
    v = check_certificate(problem, r.certificate)
    assert v.ok, v.reason
    leaves = [n for t in r.certificate.trees for n in t.nodes if isinstance(n, Leaf)]
    assert leaves and all(leaf.rho is not None and len(leaf.rho) == 2 for leaf in leaves)
    assert any(any(leaf.rho) for leaf in leaves)  # the balls matter on this instance
    other = solve(problem, solver="ortools", time_limit=60)
    assert exact_loss(problem, other.network) >= v.bound
    # dropping the norm multipliers of a leaf that needs them breaks the proof
    t, i = next(
        (t, i)
        for t, tree in enumerate(r.certificate.trees)
        for i, n in enumerate(tree.nodes)
        if isinstance(n, Leaf) and any(n.rho)
    )
    leaf = r.certificate.trees[t].nodes[i]
    bare = Leaf(leaf.multipliers, (Fraction(0),) * 2)
    assert not check_certificate(problem, _with_node(r.certificate, t, i, bare)).ok
