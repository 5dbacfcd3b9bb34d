"""Benchmark: the certified default of ``enum`` on adversarial kinds the tests never generate.

``tests/adversarial.py`` holds the kinds the suite is built on; these are new ones, written as a
held-out check of issue 10's claim "every OPTIMAL with proof exact is within 1e-9 relative of the
true optimum, every genuine certificate is accepted, every certificate held against a changed
instance is rejected".  Per instance: ``exactfit.solve(problem)`` (enum, certified), the exact
optimum of ``brute`` (rational face enumeration; with a weight bound, which brute does not take,
the exact loss of SCIP's network, an upper bound: the certificate's ``lower`` must not exceed
it), the certificate checked by the independent checker, and checked again against the instance
with one label moved (it must be rejected).  Every comparison is in Fractions.

    PYTHONPATH=. python benchmarks/heldout.py [--per-kind 25] [--kinds offset clusters ...]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from fractions import Fraction as F

import numpy as np

import exactfit
from exactfit import FitProblem
from exactfit.certificate import check_certificate


def _dec(v: float, places: int) -> F:
    return F(f"{float(v):.{places}f}")


def offset(s: int) -> FitProblem:
    """Points near 10⁴ spread by 10⁻³ (the bias column nearly parallel to the data), 7 decimals."""
    r = np.random.default_rng(1000 + s)
    d, n = 1 + s % 2, 4 + s % 3
    X = [[_dec(1e4 + 1e-3 * r.uniform(-1, 1), 7) for _ in range(d)] for _ in range(n)]
    return FitProblem(X, [_dec(r.normal(), 3) for _ in range(n)])


def mixed_scale(s: int) -> FitProblem:
    """One feature ~10³ (4 decimals), one ~10⁻⁴ (9 decimals) carrying the kink."""
    r = np.random.default_rng(2000 + s)
    n = 4 + s % 3
    X = [[_dec(1e3 * r.uniform(-1, 1), 4), _dec(1e-4 * r.uniform(-1, 1), 9)] for _ in range(n)]
    y = [_dec(max(0.0, float(x[1]) * 1e4 - 0.2) + 0.1 * r.normal(), 4) for x in X]
    return FitProblem(X, y, bias=s % 3 != 0)


def exact_collinear(s: int) -> FitProblem:
    """Points exactly on a rational line (a degenerate arrangement), rational labels."""
    r = np.random.default_rng(3000 + s)
    n = 4 + s % 3
    a, b = F(int(r.integers(1, 7)), 3), F(int(r.integers(-5, 5)), 7)
    ts = [F(int(r.integers(-9, 10)), 4) for _ in range(n)]
    y = [F(int(r.integers(-6, 7)), 5) for _ in range(n)]
    signs = "nonnegative" if s % 4 == 1 else None
    return FitProblem([[t, a * t + b] for t in ts], y, output_signs=signs)


def clusters(s: int) -> FitProblem:
    """Two clusters of points 10⁻⁹ apart with unrelated labels."""
    r = np.random.default_rng(4000 + s)
    d = 1 + s % 2
    centres = [[_dec(r.uniform(-1, 1), 3) for _ in range(d)] for _ in range(2)]
    X = [[v + F(int(r.integers(-3, 4)), 10**9) for v in centres[i % 2]] for i in range(5)]
    return FitProblem(X, [_dec(r.uniform(-1, 2), 3) for _ in range(5)])


def big_weights(s: int) -> FitProblem:
    """Realizable by a unit with weights ~10⁵ on features ~10⁻⁴ (optimum 0)."""
    r = np.random.default_rng(5000 + s)
    d = 1 + s % 2
    X = [[_dec(r.uniform(-1e-4, 1e-4), 8) for _ in range(d)] for _ in range(5)]
    w = [_dec(r.normal() * 1e5, 0) for _ in range(d)]
    b = _dec(r.uniform(-3, 3), 1)
    y = [max(sum((wi * xi for wi, xi in zip(w, x, strict=True)), b), F(0)) for x in X]
    return FitProblem(X, y)


def big_labels(s: int) -> FitProblem:
    """Labels ~10⁶ on features ~10⁻³."""
    r = np.random.default_rng(6000 + s)
    n, d = 4 + s % 3, 1 + s % 2
    X = [[_dec(r.uniform(-1, 1) * 1e-3, 6) for _ in range(d)] for _ in range(n)]
    return FitProblem(X, [_dec(r.normal() * 1e6, 0) for _ in range(n)], bias=s % 2 == 0)


def k2_near(s: int) -> FitProblem:
    """Two units on points 10⁻⁶ from a line, labels |t| + noise."""
    r = np.random.default_rng(7000 + s)
    t = r.uniform(-1, 1, 3 + s % 2)
    X = [[_dec(ti, 6), _dec(0.5 * ti + 1e-6 * r.normal(), 6)] for ti in t]
    y = [_dec(abs(ti) + 0.05 * r.normal(), 3) for ti in t]
    return FitProblem(X, y, units=2, output_signs=None if s % 2 else "nonnegative")


def nobias_origin(s: int) -> FitProblem:
    """Bias-free, points 10⁻⁷ from a line through the origin."""
    r = np.random.default_rng(8000 + s)
    t = r.uniform(-1, 1, 4 + s % 3)
    X = [[_dec(ti, 7), _dec(2 * ti + 1e-7 * r.normal(), 7)] for ti in t]
    return FitProblem(X, [_dec(r.normal(), 3) for _ in t], bias=False)


def d1_ties(s: int) -> FitProblem:
    """d = 1: an exact repeat and a pair 10⁻¹¹ apart, each with different labels."""
    r = np.random.default_rng(9000 + s)
    base = [_dec(r.uniform(-1, 1), 2) for _ in range(3)]
    X = [[base[0]], [base[0]], [base[1]], [base[1] + F(1, 10**11)], [base[2]]]
    return FitProblem(X, [_dec(r.uniform(-1, 2), 2) for _ in range(5)])


def sample_weights(s: int) -> FitProblem:
    """Sample weights 10⁻⁶..10⁶."""
    r = np.random.default_rng(10000 + s)
    n, d = 4 + s % 2, 1 + s % 2
    X = [[_dec(r.uniform(-1, 1), 5) for _ in range(d)] for _ in range(n)]
    c = [F(10) ** int(e) for e in r.integers(-6, 7, n)]
    return FitProblem(X, [_dec(r.normal(), 3) for _ in range(n)], sample_weight=c)


def larger(s: int) -> FitProblem:
    """8–10 points 10⁻⁴ from a line, 5 decimals, noisy kinked labels."""
    r = np.random.default_rng(11000 + s)
    t = r.uniform(-1, 1, 8 + s % 3)
    X = [[_dec(ti, 5), _dec(-0.7 * ti + 0.3 + 1e-4 * r.normal(), 5)] for ti in t]
    return FitProblem(X, [_dec(max(0, 2 * ti - 0.1) + 0.5 * r.normal(), 3) for ti in t])


def coplanar4(s: int) -> FitProblem:
    """d = 3, six points 10⁻⁴ from a plane, 4 decimals."""
    r = np.random.default_rng(12000 + s)
    A = r.uniform(-1, 1, (6, 2))
    X = [[_dec(a, 4), _dec(b, 4), _dec(a - b + 1e-4 * r.normal(), 4)] for a, b in A]
    y = [_dec(max(0, a) + 0.3 * r.normal(), 3) for a, _ in A]
    return FitProblem(X, y, bias=s % 2 == 0)


def k2_d1(s: int) -> FitProblem:
    """Two units, d = 1, a pair 10⁻¹⁰ apart."""
    r = np.random.default_rng(13000 + s)
    xs = [_dec(r.uniform(-1, 1), 2) for _ in range(4)]
    xs.append(xs[0] + F(1, 10**10))
    return FitProblem([[x] for x in xs], [_dec(r.normal(), 2) for _ in range(5)], units=2)


def bounded(s: int) -> FitProblem:
    """A weight bound 1.5·10^{−e}, e = 0..6, on ordinary 4-decimal data."""
    r = np.random.default_rng(14000 + s)
    d = 1 + s % 2
    X = [[_dec(r.uniform(-1, 1), 4) for _ in range(d)] for _ in range(5)]
    y = [_dec(3 * max(0, float(x[0])) + 0.2 * r.normal(), 3) for x in X]
    return FitProblem(X, y, weight_bound=F(10) ** int(-(s % 7)) * F(3, 2))


KINDS = {
    f.__name__: f
    for f in (
        offset,
        mixed_scale,
        exact_collinear,
        clusters,
        big_weights,
        big_labels,
        k2_near,
        nobias_origin,
        d1_ties,
        sample_weights,
        larger,
        coplanar4,
        k2_d1,
        bounded,
    )
}


def _one(problem: FitProblem) -> tuple[str, list[str]]:
    """The outcome key and the failures of one instance."""
    bad = []
    res = exactfit.solve(problem, time_limit=120)
    proof = res.proof.value if res.proof is not None else "-"
    if problem.weight_bound is None:
        opt = exactfit.solve(problem, solver="brute").objective_exact
        if res.objective_exact < opt:
            bad.append("brute beaten")
    else:
        opt = exactfit.solve(problem, solver="scip", time_limit=60).objective_exact
    cert = res.certificate
    if cert is not None and opt < cert.lower:
        bad.append("certificate lower above a network's loss")
    if res.status.value == "optimal" and proof == "exact":
        tol = F(1, 10**9) * abs(opt)
        if problem.weight_bound is None and res.objective_exact - opt > tol:
            bad.append("WRONG optimum")
        if not check_certificate(problem, cert).ok:
            bad.append("certificate rejected")
        moved = list(problem.y)
        moved[-1] += F(1, 1000)
        if check_certificate(problem.with_changes(y=moved), cert).ok:
            bad.append("certificate accepted on a changed instance")
    return f"{res.status.value}/{proof}", bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=25)
    ap.add_argument("--kinds", nargs="*", default=list(KINDS), choices=list(KINDS))
    args = ap.parse_args()
    print(f"{'kind':>16} {'runs':>5}  outcomes{'':22} failures  seconds")
    total_bad = 0
    for kind in args.kinds:
        outcomes: Counter[str] = Counter()
        failures = []
        began = time.process_time()
        for seed in range(args.per_kind):
            key, bad = _one(KINDS[kind](seed))
            outcomes[key] += 1
            failures += [f"seed {seed}: {b}" for b in bad]
        total_bad += len(failures)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        took = time.process_time() - began
        print(f"{kind:>16} {args.per_kind:5d}  {shown:30s} {len(failures):8d}  {took:7.1f}")
        for f in failures:
            print(f"{'':18}{f}")
    print(f"failures in all: {total_bad}")


if __name__ == "__main__":
    main()
