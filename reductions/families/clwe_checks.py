"""The checks of ``exactfit family check clwe`` (proofs: ``docs/families/clwe.md``).

Exact: the ramp identity ``h = dist(·, ℤ)·1[|t| ≤ M]`` at every breakpoint and on random
rationals (term by term and through the planted :class:`~exactfit.network.ReluNetwork`); the
planted network's predictions on the data; the planted loss equal to the noise energy; in
``d ≤ 2`` the exact optima with few units and with all ``4M + 1`` against the planted loss.
High precision and simulation: the truncation probability ``P[|γ⟨w, x⟩| > M] = erfc(M/(γ√2))``
to 30 digits (mpmath) against a Monte Carlo estimate.
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from itertools import pairwise

import numpy as np

from exactfit.limits import MAX_CHECK_DRAWS, check_cap
from exactfit.network import ReluNetwork, exact_loss, exact_predictions
from exactfit.problem import FitProblem
from reductions.families.base import Finding, Report
from reductions.families.clwe import (
    ClwePlant,
    clwe_instance,
    dist_to_integers,
    ramp,
    reduced_network,
)

__all__ = ["exact_fits", "run_checks", "target", "truncation_probability"]

#: A Monte Carlo estimate passes when it is within this many standard errors of the closed form.
Z_LIMIT = 5.0


def target(t: Fraction, M: int) -> Fraction:
    """What the ramp must equal: ``dist(t, ℤ)`` on ``[−M, M]``, 0 outside."""
    return dist_to_integers(t) if abs(t) <= M else Fraction(0)


def truncation_probability(gamma: Fraction, M: int, digits: int = 30) -> str:
    """``P[|γ Z| > M] = erfc(M / (γ√2))`` for ``Z ~ N(0, 1)``, as a decimal of ``digits`` digits.

    ``⟨w, x⟩ ~ N(0, ‖w‖²) = N(0, 1)`` for ``x ~ N(0, I_d)`` because ``‖w‖ = 1`` exactly.
    """
    import mpmath

    with mpmath.workdps(digits + 10):
        p = mpmath.erfc(
            mpmath.mpf(M) / (mpmath.mpf(gamma.numerator) / gamma.denominator) / mpmath.sqrt(2)
        )
        return mpmath.nstr(p, digits)


def _inner(w: tuple[Fraction, ...], x: tuple[Fraction, ...]) -> Fraction:
    return sum((a * b for a, b in zip(w, x, strict=True)), Fraction(0))


def _identity_points(M: int, rng: np.random.Generator, count: int) -> list[Fraction]:
    """Every breakpoint j/2 − M, the half-integers just outside, and random rationals p/q."""
    points = [Fraction(j, 2) - M for j in range(-4, 4 * M + 5)]
    qs = rng.integers(1, 98, size=count)
    ps = rng.integers(-(M + 2) * 97, (M + 2) * 97 + 1, size=count)
    points += [Fraction(int(p), int(q)) for p, q in zip(ps, qs, strict=True)]
    return points


def _identity(plant: ClwePlant, rng: np.random.Generator, count: int) -> Finding:
    """``h(t) = target(t)`` term by term and via the network at ``x = (t/γ) w``."""
    M = plant.cutoff
    points = _identity_points(M, rng, count)
    bad = [t for t in points if ramp(t, M) != target(t, M)]
    # ⟨w, (t/γ) w⟩ = t/γ exactly since ‖w‖ = 1, so the network sees γ⟨w, x⟩ = t
    X = [tuple(t / plant.gamma * v for v in plant.w) for t in points]
    probe = FitProblem(X=X, y=[0] * len(X), units=4 * M + 1)
    preds = exact_predictions(probe, plant.network)
    bad += [t for t, f in zip(points, preds, strict=True) if f != target(t, M)]
    return Finding(
        "ramp identity h(t) = dist(t, Z)·1[|t| ≤ M]",
        not bad,
        f"{len(points)} points ({4 * M + 9} breakpoints and half-integers, the rest random "
        f"p/q), term sum and planted network; mismatches: {len(bad)}"
        + (f", first at t = {bad[0]}" if bad else ""),
    )


def exact_fits(
    problem: FitProblem, plant: ClwePlant, n: int, max_units: int, solver: str
) -> tuple[Fraction, ReluNetwork, list[tuple[int, str, Fraction]]]:
    """On the first ``n`` samples: the planted loss, the planted network reduced to those
    samples (:func:`~reductions.families.clwe.reduced_network`, k_eff units), and the exact
    optima for k = 1 … max_units and k = k_eff, as (k, status, exact loss of the network)."""
    import exactfit

    sub = problem.with_changes(X=problem.X[:n], y=problem.y[:n], sample_weight=None)
    planted = exact_loss(sub, plant.network)
    reduced = reduced_network(plant.gamma, plant.w, plant.cutoff, list(sub.X))
    rows = []
    for k in sorted({*range(1, max_units + 1), reduced.k}):
        result = exactfit.solve(sub.with_changes(units=k), solver=solver)
        rows.append((k, result.status.value, exact_loss(sub, result.network)))
    return planted, reduced, rows


def _fit_finding(problem: FitProblem, plant: ClwePlant, args: argparse.Namespace) -> Finding:
    n = min(args.fit_samples, problem.n)
    planted, reduced, rows = exact_fits(problem, plant, n, args.fit_units, args.solver)
    sub = problem.with_changes(X=problem.X[:n], y=problem.y[:n], sample_weight=None)
    same = exact_loss(sub.with_changes(units=reduced.k), reduced) == planted
    proven = all(status == "optimal" for _, status, _ in rows)
    values = [v for _, _, v in rows]
    monotone = all(a >= b for a, b in pairwise(values))
    at_eff = {k: v for k, _, v in rows}[reduced.k]
    ok = same and proven and monotone and at_eff <= planted
    table = "; ".join(
        f"k={k}: {status} {float(v):.6g} (gap {float(v - planted):+.3g})" for k, status, v in rows
    )
    return Finding(
        f"exact fit on {n} samples ({args.solver}) vs planted loss {float(planted):.6g}",
        ok,
        f"{table}; the planted network equals a k_eff = {reduced.k}-unit one on these samples "
        f"({same}); proven {proven}, non-increasing in k {monotone}, "
        f"opt(k_eff) ≤ planted {at_eff <= planted}",
    )


def _truncation(
    plant: ClwePlant, problem: FitProblem, rng: np.random.Generator, draws: int
) -> list[Finding]:
    M, gamma = plant.cutoff, plant.gamma
    closed = truncation_probability(gamma, M)
    p = float(closed)
    w = np.array([float(v) for v in plant.w])
    t = float(gamma) * (rng.normal(size=(draws, len(w))) @ w)
    est = float(np.mean(np.abs(t) > M))
    se = np.sqrt(p * (1 - p) / draws)
    z = (est - p) / se if se > 0 else 0.0
    outside = sum(1 for x in problem.X if abs(gamma * _inner(plant.w, x)) > M)
    return [
        Finding(
            "truncation probability P[|γ⟨w,x⟩| > M] = erfc(M/(γ√2))",
            None,
            f"{closed} (30 digits, mpmath)",
            exact=False,
        ),
        Finding(
            "truncation probability, Monte Carlo",
            bool(abs(z) <= Z_LIMIT),
            f"{est:.6f} ± {se:.1e} from {draws} Gaussian draws, z = {z:+.2f} "
            f"(passes when |z| ≤ {Z_LIMIT:g})",
            exact=False,
        ),
        Finding(
            "truncated samples of the instance",
            None,
            f"{outside} of {problem.n} samples have |γ⟨w,x⟩| > M (exact count; expected "
            f"{p * problem.n:.1f})",
        ),
    ]


def run_checks(args: argparse.Namespace) -> Report:
    """Every check for parsed ``family check clwe`` arguments."""
    check_cap(
        args.mc_samples * args.dims,
        MAX_CHECK_DRAWS,
        "clwe check: Monte Carlo numbers --mc-samples·D",
        "use fewer --mc-samples",
    )
    problem, plant = clwe_instance(
        args.dims,
        gamma=args.gamma,
        noise=args.noise,
        samples=args.samples,
        cutoff=args.cutoff,
        seed=args.seed,
    )
    rng = np.random.default_rng(args.seed + 1)
    findings = [_identity(plant, rng, 500)]
    preds = exact_predictions(problem, plant.network)
    expected = [ramp(args.gamma * _inner(plant.w, x), args.cutoff) for x in problem.X]
    findings.append(
        Finding(
            "planted network = h(γ⟨w,x⟩) on the data",
            preds == expected,
            f"{problem.n} samples, exact",
        )
    )
    energy = sum((e * e for e in plant.noise), Fraction(0))
    planted = exact_loss(problem, plant.network)
    findings.append(
        Finding(
            "planted loss = noise energy Σξ²",
            planted == energy,
            f"loss {planted} = {float(planted):.6g}, Σξ² {energy}",
        )
    )
    findings += _truncation(plant, problem, rng, args.mc_samples)
    if args.dims <= 2:
        findings.append(_fit_finding(problem, plant, args))
    else:
        findings.append(
            Finding("exact fit", None, f"skipped: exact fits are run for d ≤ 2, found {args.dims}")
        )
    return Report("clwe", tuple(findings))
