"""The ``ggjkk`` family: ``exactfit generate ggjkk D K`` and ``exactfit family check ggjkk``."""

from __future__ import annotations

import argparse
import math

import mpmath
import numpy as np

from exactfit.cli.args import int_at_least, number_arg
from exactfit.errors import InputError
from exactfit.limits import MAX_CHECK_DRAWS, check_cap
from exactfit.network import exact_predictions
from exactfit.problem import FitProblem
from reductions.families.base import Family, Finding, Report
from reductions.families.ggjkk import checks
from reductions.families.ggjkk.construction import (
    check_k,
    check_subset,
    gaussian_points,
    planted_network,
    random_subset,
)
from reductions.families.ggjkk.gaussian import c_counts, inner_product

__all__ = ["GgjkkFamily", "generate"]

PAPER = "Goel, Gollakota, Jin, Karmalkar, Klivans, ICML 2020 (arXiv 2006.12011)"


def generate(
    d: int,
    k: int,
    n: int,
    seed: int,
    *,
    digits: int = 2,
    subset: tuple[int, ...] | None = None,
    fixed_signs: bool = False,
) -> FitProblem:
    """A labelled sample of ``f_S``: ``n`` rounded standard normal points in ``R^d`` and the
    exact labels ``f_S(x_i)``; the class is ``2^k`` bias-free units with free output signs, in
    which the planted ``f_S`` (``meta["planted"]``) has loss exactly 0.

    ``S`` is a uniform k-subset drawn from ``seed`` unless ``subset`` is given; the points are
    drawn after it from the same ``numpy.random.default_rng(seed)``.  ``fixed_signs`` fixes the
    class's output signs to the planted ``χ(w)`` (half +1, half −1): the same optimum 0, and a
    MIQP then solves one sign model instead of ``2^k + 1``.
    """
    check_k(k)
    if isinstance(d, bool) or not isinstance(d, int) or d < k:
        raise InputError(f"ggjkk: expected D ≥ K = {k} (S ⊆ [D] has K elements), found D = {d}")
    rng = np.random.default_rng(seed)
    s = random_subset(d, k, rng) if subset is None else check_subset(subset, d, k)
    X = gaussian_points(n, d, rng, digits)
    net = planted_network(s, d)
    labels = exact_predictions(FitProblem(X, [0] * n, units=net.k, bias=False), net)
    with mpmath.workdps(40):
        norm = mpmath.nstr(inner_product(c_counts(s, s), k, 30), 30)
    meta = {
        "generator": {
            "name": "ggjkk",
            "d": d,
            "k": k,
            "samples": n,
            "digits": digits,
            "seed": seed,
            "subset": list(s),
            "fixed_signs": fixed_signs,
        },
        "family": "ggjkk",
        "paper": PAPER,
        "planted": [{"a": u.a, "w": [str(v) for v in u.w], "b": str(u.b)} for u in net.units],
        "planted_loss": "0",
        "norm_squared_gaussian": norm,
        "property": "f_S(x) = Σ_{w∈{±1}^K} χ(w) σ(⟨w, x_S⟩); E[f_S f_T] = 0 for S ≠ T under "
        "every sign-flip invariant law; opt = 0 with 2^K units (the planted network)",
    }
    signs = tuple(u.a for u in net.units) if fixed_signs else None
    return FitProblem(X, labels, None, net.k, False, signs, None, meta)


#: Points of the orbit sums and monomials of the low-degree check.
ORBIT_POINTS = 4
MONOMIALS = 60
#: Unit evaluations ``σ(⟨w, x_S⟩)`` in the exact orbit sums (Fractions, ~2·10⁴ a second: a few
#: minutes at the cap).
MAX_WORK = 5 * 10**6
_FEWER = "use fewer --pairs or --points, or a smaller --k (--dims 8 --k 6 --pairs 1: ~1 minute)"


def _work(s: tuple[int, ...], plist: list, d: int, points: int) -> int:
    """Unit evaluations of the orbit checks: ``2^k`` units at every orbit point."""
    orbits = sum(2 ** len(set(a) | set(b)) for a, b in plist)
    monomials = checks.low_degree_monomials(d, len(s), MONOMIALS)
    orbits += sum(2 ** len(set(s) | set(m)) for m in monomials)
    return points * 2 ** len(s) * orbits


def _subset_arg(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated coordinates like 0,2, found {text!r}"
        ) from None


class GgjkkFamily(Family):
    """The orthogonal one-layer family ``f_S`` (``docs/families/ggjkk.md``)."""

    name = "ggjkk"
    summary = "orthogonal one-layer family f_S of Goel-Gollakota-Jin-Karmalkar-Klivans"
    example = "exactfit generate ggjkk 3 2 --samples 40 --seed 1 -o ggjkk.json"
    check_example = "exactfit family check ggjkk --dims 4 --k 2 --seed 1"

    def add_generate_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("d", type=int_at_least(1), metavar="D", help="input dimension")
        q.add_argument("k", type=int_at_least(1), metavar="K", help="|S|: 2^K units (even or 1)")
        q.add_argument("--samples", "-n", type=int_at_least(1), default=40, help="points (40)")
        q.add_argument(
            "--digits",
            type=number_arg(int, minimum=0, maximum=6),
            default=2,
            help="decimals kept in the normal draws (2; at most 6)",
        )
        q.add_argument(
            "--subset", type=_subset_arg, help="S as 0-based coordinates, e.g. 0,2 (random)"
        )
        q.add_argument(
            "--fixed-signs",
            action="store_true",
            help="fix the class's output signs to the planted χ(w) (default: free)",
        )

    def generate(self, args: argparse.Namespace) -> FitProblem:
        return generate(
            args.d,
            args.k,
            args.samples,
            args.seed,
            digits=args.digits,
            subset=args.subset,
            fixed_signs=args.fixed_signs,
        )

    def add_check_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("--dims", type=int_at_least(1), default=4, help="dimension d (4)")
        q.add_argument("--k", type=int_at_least(1), default=2, help="|S| (2; odd k is checked too)")
        q.add_argument("--points", type=int_at_least(1), default=12, help="random points (12)")
        q.add_argument("--pairs", type=int_at_least(1), default=30, help="pairs S ≠ T at most (30)")
        q.add_argument(
            "--mc-samples",
            type=int_at_least(2),
            default=200_000,
            help="Monte Carlo draws for the norm estimate (200000)",
        )

    def check(self, args: argparse.Namespace) -> Report:
        return check(args.dims, args.k, args.seed, args.points, args.pairs, args.mc_samples)


def check(
    d: int, k: int, seed: int, points: int = 12, pairs: int = 30, mc_samples: int = 200_000
) -> Report:
    """Every check of ``docs/families/ggjkk.md`` for one random ``S`` (odd ``k`` included: its
    vanishing is checked instead of being refused)."""
    check_k(k, allow_odd=True)
    if d < k:
        raise InputError(f"ggjkk check: expected --dims ≥ --k = {k}, found {d}")
    if d > 64:
        raise InputError(f"ggjkk check: expected --dims ≤ 64, found {d}")
    check_cap(
        mc_samples * 2**k,
        MAX_CHECK_DRAWS,
        "ggjkk check: Monte Carlo numbers --mc-samples·2^k",
        "use fewer --mc-samples",
    )
    count = math.comb(d, k)
    check_cap(
        min(pairs, count * (count - 1) // 2) * 4**k,
        MAX_WORK // 2**k,
        "ggjkk check: orbit points of the pairs, --pairs·4^k at most",
        "use fewer --pairs or a smaller --k",
    )
    rng = np.random.default_rng(seed)
    s = random_subset(d, k, rng)
    xs = gaussian_points(points, d, rng, 2)
    plist = checks.subset_pairs(d, k, pairs, rng)
    work = _work(s, plist, d, min(points, ORBIT_POINTS))
    check_cap(work, MAX_WORK, "ggjkk check: unit evaluations in the orbit sums", _FEWER)
    findings: list[Finding] = [
        Finding("subset", None, f"S = {list(s)} ⊆ [{d}], k = {k}, 2^k = {2**k} units"),
        checks.check_network(s, d, xs),
        checks.check_reflection(s, d, xs),
    ]
    if k % 2:
        findings.append(checks.check_vanishing(s, xs))
    findings += [
        checks.check_orbit_averages(plist, xs[:ORBIT_POINTS]),
        checks.check_low_degree(s, d, xs[:ORBIT_POINTS], MONOMIALS),
        checks.check_c_integers(s, plist),
        *checks.check_norm(k, rng, mc_samples),
    ]
    return Report("ggjkk", tuple(f for f in findings if f is not None))
