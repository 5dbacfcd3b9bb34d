"""Lemma 3 against the truth: on random small instances (k ≤ 2, with and without bias, sample
weights, repeated and scaled points) the checker's fix bound — wrong-side gain and Lagrangian
multipliers included — is at most the exact minimum of the loss over the node's part on the
fixed point's wrong side, computed independently: the least exact cone-QP optimum over every
activity pattern of that part (no weight bound, so every pattern's region is a cone)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from exactfit import FitProblem
from exactfit.certificate import Fix
from exactfit.certificate.check import _Reject, _Walk
from exactfit.exact.coneqp import exact_cone_qp


def _problem(rng: random.Random) -> FitProblem:
    k, d = rng.choice([1, 2]), rng.randint(1, 2)
    n = rng.randint(3, 4) if k == 1 else 3
    X = [[Fraction(rng.randint(-9, 9), rng.choice([1, 2, 7])) for _ in range(d)] for _ in range(n)]
    if rng.random() < 0.3:  # a repeated or scaled copy of the first point
        X[-1] = [v * rng.choice([1, 2, -1]) for v in X[0]]
    y = [Fraction(rng.randint(-9, 9), rng.choice([1, 3])) for _ in range(n)]
    c = None if rng.random() < 0.5 else [Fraction(rng.randint(1, 20), 3) for _ in range(n)]
    signs = rng.choice([None, "nonnegative"] + ([(1, -1)] if k == 2 else [(-1,)]))
    bias = rng.random() < 0.7
    return FitProblem(X, y, units=k, bias=bias, sample_weight=c, output_signs=signs)


def _true_min(p: FitProblem, signs: tuple[int, ...], rows: list[list[Fraction]]) -> Fraction | None:
    """Least loss over ``{r·θ ≥ 0 for every row}``: every activity pattern's cone QP, exactly."""
    k, D = len(signs), p.d + (1 if p.bias else 0)
    Z = [list(x) + ([Fraction(1)] if p.bias else []) for x in p.X]
    Y = sum(c * v * v for c, v in zip(p.sample_weight, p.y, strict=True))
    best = None
    for pat in itertools.product((1, -1), repeat=p.n * k):
        A = [list(r) for r in rows]
        G = [[Fraction(0)] * (k * D) for _ in range(k * D)]
        h = [Fraction(0)] * (k * D)
        for i in range(p.n):
            phi = [Fraction(0)] * (k * D)
            for j in range(k):
                row = [Fraction(0)] * (k * D)
                for a in range(D):
                    row[j * D + a] = pat[i * k + j] * Z[i][a]
                    if pat[i * k + j] > 0:
                        phi[j * D + a] = signs[j] * Z[i][a]
                A.append(row)
            c, yi = p.sample_weight[i], p.y[i]
            for a in range(k * D):
                h[a] += c * yi * phi[a]
                for b in range(k * D):
                    G[a][b] += c * phi[a] * phi[b]
        value = exact_cone_qp(G, h, A).value + Y
        best = value if best is None or value < best else best
    return best


def _case(seed: int) -> tuple[str, Fraction, Fraction] | None:
    rng = random.Random(seed)
    p = _problem(rng)
    signs = rng.choice(p.sign_vectors())
    k, D = len(signs), p.d + (1 if p.bias else 0)
    walk = _Walk(p, signs)
    walk.push()
    pairs = [(j, i) for j in range(k) for i in range(p.n)]
    rng.shuffle(pairs)
    cut = max(0, len(pairs) - rng.choice([1, 1, 2]))
    for j, i in pairs[:cut]:
        walk.push()
        walk.fix(j, i, 1 if rng.random() < 0.75 else -1)  # active: G gains rank
    j, i = pairs[cut]
    if all(v == 0 for v in p.X[i]) and not p.bias:
        return None
    s = rng.choice([1, -1])
    mults = tuple(
        (r, Fraction(rng.randint(0, 30), rng.choice([1, 2, 7])))
        for r in range(len(walk.rows))
        if rng.random() < 0.5
    )
    gain = walk._wrong_side_gain(j, i, s)
    try:
        got = walk.fix_bound(Fix(j, ((i, s),), None, mults))
    except _Reject:
        return None  # a singular node quadratic: no fix bound to test
    rows = [walk.row(r) for r in range(len(walk.rows))]
    wrong = [Fraction(0)] * (k * D)
    z = list(p.X[i]) + ([Fraction(1)] if p.bias else [])
    for a in range(D):
        wrong[j * D + a] = -s * z[a]
    region = [[Fraction(int(v.p), int(v.q)) for v in r] for r in rows] + [wrong]
    truth = _true_min(p, signs, region)
    kind = ("gain" if gain != 0 else "plain") + ("+mu" if mults else "") + f"+k{k}"
    return kind, Fraction(int(got.p), int(got.q)), truth


def test_the_fix_bound_never_exceeds_the_true_wrong_side_minimum():
    tight: dict[str, int] = {}
    seen: dict[str, int] = {}
    for seed in range(600):
        case = _case(seed)
        if case is None:
            continue
        kind, bound, truth = case
        assert bound <= truth, (seed, kind, bound, truth)
        seen[kind] = seen.get(kind, 0) + 1
        tight[kind] = tight.get(kind, 0) + (bound == truth)
    # the sample reaches every kind of bound, and the gain makes some of them exact
    assert {"gain+k1", "gain+mu+k1", "plain+mu+k1", "gain+mu+k2", "plain+mu+k2"} <= set(seen), seen
    assert sum(v for key, v in tight.items() if key.startswith("gain")) >= 1, (seen, tight)
