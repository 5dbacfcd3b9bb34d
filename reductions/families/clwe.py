"""The CLWE planted one-hidden-layer family (after Li, Zadik, Zampetakis, arXiv 2410.03477).

For a secret unit direction ``w ∈ Q^d`` (``‖w‖₂ = 1`` exactly), a frequency ``γ > 0`` and a
cutoff ``M ≥ 1``, the planted network is ``f(x) = h(γ⟨w, x⟩)`` with the periodic ramp

    h(t) = Σ_{j=0}^{4M} c_j σ(t + M − j/2),   c_0 = c_{4M} = 1,  c_j = 2(−1)^j otherwise,

which equals ``dist(t, ℤ)`` on ``[−M, M]`` and 0 outside (``docs/families/clwe.md``).  Written in
exactfit's class (output signs ±1) by positive homogeneity, ``c σ(s) = sign(c) σ(|c| s)``, it is
a biased network of ``4M + 1`` units.  Labels are ``f(x_i) + ξ_i`` with Gaussian inputs and
Gaussian noise, both rounded to rationals on a grid.  The checks are in
:mod:`reductions.families.clwe_checks`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from exactfit.cli.args import int_at_least, number_arg
from exactfit.errors import InputError
from exactfit.limits import MAX_ENTRIES, MAX_UNITS, check_cap
from exactfit.network import ReluNetwork, Unit
from exactfit.numbers import to_fraction
from exactfit.problem import FitProblem
from reductions.families.base import Family, Report

__all__ = [
    "ClweFamily",
    "ClwePlant",
    "clwe_instance",
    "coefficients",
    "dist_to_integers",
    "periodic_network",
    "ramp",
    "rational_unit_vector",
    "reduced_network",
]

#: Data, noise and the secret's stereographic coordinates are multiples of 1/GRID.
GRID = 100
#: Samples of the exact fits of ``family check clwe``: exact fitting is exponential in n·d, and
#: 4M + 1 = 5 units on 12 points in d = 1 already take tens of seconds.
MAX_FIT_SAMPLES = 12
#: The largest cutoff M whose 4M + 1 units fit exactfit's unit cap.
MAX_CUTOFF = (MAX_UNITS - 1) // 4


def coefficients(M: int) -> tuple[int, ...]:
    """The output weights ``c_0, …, c_{4M}`` of the ramp: 1, −2, 2, …, −2, 1."""
    if M < 1:
        raise InputError(f"clwe: expected a cutoff M ≥ 1, found {M}")
    return tuple(1 if j in (0, 4 * M) else 2 * (-1) ** j for j in range(4 * M + 1))


def ramp(t: Fraction, M: int) -> Fraction:
    """``h(t) = Σ_j c_j σ(t + M − j/2)`` evaluated exactly, term by term (not the closed form)."""
    t = Fraction(t)
    total = Fraction(0)
    for j, c in enumerate(coefficients(M)):
        s = t + M - Fraction(j, 2)
        if s > 0:
            total += c * s
    return total


def dist_to_integers(t: Fraction) -> Fraction:
    """``dist(t, ℤ) = |t − round(t)|``, exactly (ties are 1/2 either way)."""
    t = Fraction(t)
    return abs(t - round(t))


def rational_unit_vector(u: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    """Inverse stereographic projection of ``u ∈ Q^{d−1}``: a rational point of ``S^{d−1}``.

    ``w = (2u, |u|² − 1) / (|u|² + 1)``; then ``‖w‖² = (4|u|² + (|u|² − 1)²)/(|u|² + 1)² = 1``
    exactly.  For ``d = 1`` (``u`` empty) this gives ``(−1,)``.
    """
    q = sum((v * v for v in u), Fraction(0))
    den = q + 1
    return (*(2 * v / den for v in u), (q - 1) / den)


def periodic_network(gamma: Fraction, w: tuple[Fraction, ...], M: int) -> ReluNetwork:
    """``x ↦ h(γ⟨w, x⟩)`` as 4M + 1 exact units ``sign(c_j) σ(|c_j|(γ⟨w, x⟩ + M − j/2))``."""
    units = []
    for j, c in enumerate(coefficients(M)):
        m = abs(c)
        units.append(
            Unit(
                1 if c > 0 else -1,
                tuple(m * gamma * v for v in w),
                m * (M - Fraction(j, 2)),
            )
        )
    return ReluNetwork(tuple(units))


def reduced_network(
    gamma: Fraction, w: tuple[Fraction, ...], M: int, X: list[tuple[Fraction, ...]]
) -> ReluNetwork:
    """A network with at most as many units as :func:`periodic_network` that agrees with it
    exactly on the points ``X``.

    With ``t_i = γ⟨w, x_i⟩`` and breakpoints ``β_j = j/2 − M``: a unit with ``β_j ≥ max t_i`` is
    zero on every point and is dropped; the units with ``β_j < min t_i`` are active on every
    point, so their sum is the affine ``L(t) = Σ c_j (t − β_j)`` there, written as ``σ(L)`` (if
    ``L ≥ 0`` on the points), ``−σ(−L)`` (if ``L ≤ 0``) or ``σ(L) − σ(−L)``; the others are
    kept.  Hence fewer units suffice for the planted loss on a sample whose ``t`` range misses
    some breakpoints.
    """
    ts = [gamma * sum((a * b for a, b in zip(w, x, strict=True)), Fraction(0)) for x in X]
    lo, hi = min(ts), max(ts)
    kept, alpha, beta = [], Fraction(0), Fraction(0)
    full = periodic_network(gamma, w, M).units
    for j, c in enumerate(coefficients(M)):
        bj = Fraction(j, 2) - M
        if bj >= hi:
            continue
        if bj < lo:
            alpha, beta = alpha + c, beta - c * bj
        else:
            kept.append(full[j])
    values = [alpha * t + beta for t in ts]
    lin = tuple(alpha * gamma * v for v in w)
    if any(v > 0 for v in values):
        kept.append(Unit(1, lin, beta))
    if any(v < 0 for v in values):
        kept.append(Unit(-1, tuple(-v for v in lin), -beta))
    if not kept:  # the zero function on X: one unit that is inactive everywhere on X
        kept.append(Unit(1, tuple(Fraction(0) for _ in w), Fraction(0)))
    return ReluNetwork(tuple(kept))


@dataclass(frozen=True)
class ClwePlant:
    """What the generator planted: the secret, the network and the exact noise.

    Attributes
    ----------
    w : tuple of Fraction
        The secret direction, ``‖w‖₂ = 1`` exactly.
    gamma : Fraction
        The frequency ``γ``.
    cutoff : int
        ``M``; the network has ``4M + 1`` units.
    network : ReluNetwork
        ``x ↦ h(γ⟨w, x⟩)`` (:func:`periodic_network`).
    noise : tuple of Fraction
        ``ξ_i = y_i − h(γ⟨w, x_i⟩)``, on the grid 1/100.
    """

    w: tuple[Fraction, ...]
    gamma: Fraction
    cutoff: int
    network: ReluNetwork
    noise: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if sum((v * v for v in self.w), Fraction(0)) != 1:
            raise InputError("clwe: the secret direction must have unit norm exactly")
        if self.gamma <= 0:
            raise InputError(f"clwe: expected γ > 0, found {self.gamma}")


def _secret(rng: np.random.Generator, d: int) -> tuple[Fraction, ...]:
    """A rational unit vector, uniform on the sphere up to the rounding of its coordinates.

    ``u = g/‖g'‖`` with independent ``g, g' ~ N(0, I_{d−1})`` has density ∝ (1 + |u|²)^{−(d−1)},
    the pull-back of the uniform measure of ``S^{d−1}`` by inverse stereographic projection
    (proof in the docs); ``u`` is rounded to the grid 1/100 before projecting.  ``d = 1``: a
    random sign.
    """
    if d == 1:
        return (Fraction(1 if rng.random() < 0.5 else -1),)
    g = rng.normal(size=d - 1)
    r = float(np.linalg.norm(rng.normal(size=d - 1)))
    u = tuple(Fraction(int(v), GRID) for v in np.rint(g / max(r, 1e-12) * GRID).astype(np.int64))
    return rational_unit_vector(u)


def clwe_instance(
    d: int,
    *,
    gamma: Fraction,
    noise: float,
    samples: int,
    cutoff: int = 1,
    seed: int = 0,
) -> tuple[FitProblem, ClwePlant]:
    """A seeded CLWE planted instance and what was planted.

    Parameters
    ----------
    d : int
        Input dimension.
    gamma : Fraction
        Frequency ``γ > 0``.
    noise : float
        Standard deviation of the label noise ``ξ_i`` (rounded to multiples of 1/100).
    samples : int
        Number of points ``x_i`` (standard Gaussian, rounded to multiples of 1/100).
    cutoff : int
        ``M``; the class has ``4M + 1`` units, with biases, free output signs.

    Returns
    -------
    (FitProblem, ClwePlant)
        ``meta`` holds the secret, γ, M, the noise level and the planted loss ``Σ ξ_i²``.
    """
    if d < 1 or samples < 1:
        raise InputError(f"clwe: expected D ≥ 1 and --samples ≥ 1, found D={d}, {samples}")
    if not 1 <= cutoff <= MAX_CUTOFF:
        raise InputError(
            f"clwe: expected a cutoff 1 ≤ M ≤ {MAX_CUTOFF} (4M + 1 ≤ {MAX_UNITS} units), "
            f"found {cutoff}; use a smaller --cutoff"
        )
    check_cap(samples * (d + 2), MAX_ENTRIES, "clwe: numbers n·(D + 2)", "use fewer samples")
    gamma = to_fraction(gamma, "--gamma")
    if gamma <= 0:
        raise InputError(f"clwe: expected --gamma > 0, found {gamma}")
    if not 0 <= noise * GRID <= 10**15:
        raise InputError(f"clwe: expected 0 ≤ --noise ≤ 1e13, found {noise}")
    rng = np.random.default_rng(seed)
    w = _secret(rng, d)
    X = [
        tuple(Fraction(int(v), GRID) for v in row)
        for row in np.rint(rng.normal(size=(samples, d)) * GRID).astype(np.int64)
    ]
    xi = tuple(Fraction(int(v), GRID) for v in np.rint(rng.normal(size=samples) * noise * GRID))
    y = [
        ramp(gamma * sum((a * b for a, b in zip(w, x, strict=True)), Fraction(0)), cutoff) + e
        for x, e in zip(X, xi, strict=True)
    ]
    network = periodic_network(gamma, w, cutoff)
    plant = ClwePlant(w, gamma, cutoff, network, xi)
    meta = {
        "generator": "clwe",
        "paper": "Li, Zadik, Zampetakis, arXiv 2410.03477",
        "parameters": {
            "d": d,
            "gamma": gamma,
            "noise": noise,
            "samples": samples,
            "cutoff": cutoff,
            "seed": seed,
        },
        "secret": list(w),
        "planted_loss": sum((e * e for e in xi), Fraction(0)),
        "planted": [{"a": u.a, "w": list(u.w), "b": u.b} for u in network.units],
    }
    problem = FitProblem(X=X, y=y, units=4 * cutoff + 1, bias=True, meta=meta)
    return problem, plant


class ClweFamily(Family):
    """``exactfit generate clwe`` and ``exactfit family check clwe``."""

    name = "clwe"
    summary = "CLWE planted periodic network h(γ⟨w,x⟩) with 4M+1 units (Li–Zadik–Zampetakis)"
    example = "exactfit generate clwe 2 --gamma 2 --noise 0.01 --samples 40 --seed 1 -o clwe.json"
    check_example = "exactfit family check clwe --dims 1 --gamma 2 --cutoff 1 --seed 1"

    def add_generate_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("d", type=int_at_least(1), metavar="D", help="input dimension")
        _add_common(q)
        q.add_argument(
            "--noise",
            type=number_arg(float, minimum=0),
            default=0.01,
            help="standard deviation of the label noise, rounded to 1/100 (0.01)",
        )
        q.add_argument("--samples", type=int_at_least(1), default=40, help="number of samples (40)")

    def generate(self, args: argparse.Namespace) -> FitProblem:
        problem, _ = clwe_instance(
            args.d,
            gamma=args.gamma,
            noise=args.noise,
            samples=args.samples,
            cutoff=args.cutoff,
            seed=args.seed,
        )
        return problem

    def add_check_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("--dims", type=int_at_least(1), default=1, help="input dimension D (1)")
        _add_common(q)
        q.add_argument(
            "--noise", type=number_arg(float, minimum=0), default=0.05, help="label noise (0.05)"
        )
        q.add_argument(
            "--samples", type=int_at_least(1), default=200, help="instance samples (200)"
        )
        q.add_argument(
            "--mc-samples",
            type=int_at_least(1),
            default=200_000,
            help="Monte Carlo draws for the truncation probability (200000)",
        )
        q.add_argument(
            "--fit-samples",
            type=number_arg(int, minimum=1, maximum=MAX_FIT_SAMPLES),
            default=6,
            help=f"samples of the exact fit (d ≤ 2 only; 6; at most {MAX_FIT_SAMPLES})",
        )
        q.add_argument(
            "--fit-units",
            type=int_at_least(1),
            default=2,
            help="fit with k = 1 … this many units, and with all 4M + 1 (2)",
        )
        q.add_argument(
            "--solver", choices=("enum", "scip"), default="enum", help="exact solver (enum)"
        )

    def check(self, args: argparse.Namespace) -> Report:
        from reductions.families.clwe_checks import run_checks

        return run_checks(args)


def _add_common(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--gamma",
        type=_rational_arg,
        default=Fraction(2),
        metavar="G",
        help="frequency γ > 0, a number or p/q (2)",
    )
    q.add_argument(
        "--cutoff",
        type=number_arg(int, minimum=1, maximum=MAX_CUTOFF),
        default=1,
        metavar="M",
        help=f"cutoff M: the ramp is dist(t, Z) on [−M, M], 4M+1 units (1; at most {MAX_CUTOFF})",
    )


def _rational_arg(text: str) -> Fraction:
    try:
        value = to_fraction(text, "--gamma")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, found {text!r}")
    return value
