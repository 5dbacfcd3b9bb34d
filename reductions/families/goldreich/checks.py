"""The checks of ``exactfit family check goldreich`` (proofs: ``docs/families/goldreich.md``).

Exact: the input ramp against ``1[x > 0]`` off and in the margin; the network against the
predicate on all ``2^k`` patterns of every hyperedge; the instance labels against the
generator; for ``N ≤ 20`` whether the output bits determine the seed (exhaustive over ``2^N``
seeds).  Simulation: the margin error against its closed-form bound, and the effect of
parameter noise ``N(0, τ²)`` on every weight and bias (:func:`parameter_noise`).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from exactfit.limits import MAX_CHECK_DRAWS, check_cap
from reductions.families.base import Finding, Report
from reductions.families.goldreich.depth3 import Depth3Network
from reductions.families.goldreich.family import GoldreichPlant, goldreich_instance
from reductions.families.goldreich.gadget import bit_ramp
from reductions.families.goldreich.prg import MAX_EXHAUSTIVE_N, Predicate, matching_seeds

__all__ = ["NoiseRow", "margin_bound", "parameter_noise", "pattern_probes", "run_checks"]

#: A Monte Carlo bound check passes when the estimate is below the bound plus this many
#: standard errors.
Z_LIMIT = 5.0


@dataclass(frozen=True)
class NoiseRow:
    """One parameter-noise level: ``P[max_j |F_τ(x)_j − F(x)_j| ≥ 1/2]`` (``p`` ± ``se``) and
    ``‖F_τ − F‖₂ = (E_{θ,x} (1/M) Σ_j (F_τ(x)_j − F(x)_j)²)^{1/2}``."""

    tau: float
    p: float
    se: float
    l2: float


def parameter_noise(
    net: Depth3Network,
    taus: tuple[float, ...],
    draws: int,
    samples: int,
    rng: np.random.Generator,
) -> list[NoiseRow]:
    """Monte Carlo over ``draws`` perturbed networks (every parameter + N(0, τ²), independent)
    and ``samples`` inputs ``x ~ N(0, I_N)`` each."""
    base = net.arrays()
    rows = []
    for tau in taus:
        wrong, sq = [], []
        for _ in range(draws):
            noisy = tuple(p + tau * rng.normal(size=p.shape) for p in base)
            X = rng.normal(size=(samples, net.d))
            diff = Depth3Network.forward(noisy, X) - Depth3Network.forward(base, X)
            wrong.append(np.mean(np.max(np.abs(diff), axis=1) >= 0.5))
            sq.append(np.mean(diff * diff))
        p = float(np.mean(wrong))
        # draws are independent; the spread between them gives the standard error
        se = float(np.std(wrong, ddof=1) / math.sqrt(draws)) if draws > 1 else float("nan")
        rows.append(NoiseRow(tau, p, se, float(math.sqrt(np.mean(sq)))))
    return rows


def margin_bound(margin: Fraction, k: int) -> float:
    """``1 − (1 − p_δ)^k`` with ``p_δ = P[0 < Z < δ] = erf(δ/√2)/2``: a bound on the probability
    that an output sees a coordinate in the margin (30-digit mpmath, returned as a float)."""
    import mpmath

    with mpmath.workdps(40):
        p = mpmath.erf(mpmath.mpf(margin.numerator) / margin.denominator / mpmath.sqrt(2)) / 2
        return float(1 - (1 - p) ** k)


def pattern_probes(plant: GoldreichPlant, rng: np.random.Generator) -> list[tuple[Fraction, ...]]:
    """For every hyperedge ``j`` and pattern ``p ∈ {0,1}^k``: a point with ``x_{S_j} = ±1``
    by ``p`` and the other coordinates random in ``{−2, …, 2}`` (0 included: bit 0)."""
    H, k = plant.hypergraph, plant.predicate.k
    probes = []
    for e in H.edges:
        for i in range(2**k):
            x = [Fraction(int(v)) for v in rng.integers(-2, 3, size=H.N)]
            for t, v in enumerate(e):
                x[v] = Fraction(1 if (i >> t) & 1 else -1)
            probes.append(tuple(x))
    return probes


def _patterns(plant: GoldreichPlant, rng: np.random.Generator) -> Finding:
    H, P = plant.hypergraph, plant.predicate
    probes = pattern_probes(plant, rng)
    outs = plant.network.exact(probes)
    bad = 0
    for idx, (x, out) in enumerate(zip(probes, outs, strict=True)):
        j = idx // 2**P.k
        bad += out[j] != P.table[idx % 2**P.k]
        # every output is the predicate of its own edge's bits, at every probe
        bad += any(out[i] != P(tuple(int(x[v] > 0) for v in e)) for i, e in enumerate(H.edges))
    return Finding(
        "network = predicate on all 2^k patterns of every hyperedge",
        bad == 0,
        f"{len(H.edges)} edges × {2**P.k} patterns, all {len(H.edges)} outputs compared at each "
        f"({len(probes)} exact evaluations); mismatches: {bad}",
    )


def _predicate(P: Predicate) -> Finding:
    """The truth table against ``u_1 ⊕ … ⊕ u_{k−2} ⊕ (u_{k−1} ∧ u_k)`` on the pattern's integer
    code (bit ``t`` is ``u_{t+1}``): the network is checked against the table, so the table
    itself must be checked against the formula."""
    k = P.k
    if not P.name.startswith("xor-and"):
        return Finding(f"predicate {P.name}", None, "no independent formula to compare with")
    xor_mask = (1 << (k - 2)) - 1
    want = [
        (bin(i & xor_mask).count("1") + ((i >> (k - 2)) & (i >> (k - 1)) & 1)) % 2
        for i in range(2**k)
    ]
    bad = sum(a != b for a, b in zip(P.table, want, strict=True))
    return Finding(
        f"predicate = u1⊕…⊕u{k - 2}⊕(u{k - 1}∧u{k})",
        bad == 0,
        f"all {2**k} patterns of the truth table; mismatches: {bad}",
    )


def _ramp(margin: Fraction, rng: np.random.Generator) -> Finding:
    pts = [
        Fraction(int(p), int(q)) * margin
        for p, q in zip(
            rng.integers(-300, 301, size=400), rng.integers(1, 60, size=400), strict=True
        )
    ]
    pts += [Fraction(0), margin, -margin, margin / 2]
    bad = 0
    for x in pts:
        b = bit_ramp(x, margin)
        bad += (b != int(x > 0)) if not 0 < x < margin else not 0 < b < 1
    return Finding(
        "input ramp = 1[x > 0] off the margin (0, δ), strictly inside (0, 1) in it",
        bad == 0,
        f"{len(pts)} rationals; mismatches: {bad}",
    )


#: Exact multiply-adds of the pattern probes (numpy object arrays of Python integers, ~10⁷ a
#: second): about a minute at the cap.
MAX_EXACT_WORK = 5 * 10**8


def _check_sizes(args: argparse.Namespace) -> None:
    """Refuse, before any work, checks whose Monte Carlo arrays or exact probes are too large.

    Widths: ``2N``, ``h₂ = M·2^{k−1}`` (the predicate is balanced), ``M``; the ``M·2^k`` probes
    go through the dense layers: ``2N·N + h₂·2N + M·h₂`` multiply-adds each.
    """
    N, M, k = args.inputs, args.outputs, args.k
    h2 = M * 2 ** (k - 1)
    check_cap(
        M * 2**k * (2 * N * N + 2 * N * h2 + M * h2),
        MAX_EXACT_WORK,
        "goldreich check: exact multiply-adds of the M·2^k pattern probes",
        "use fewer --outputs or a smaller --k",
    )
    check_cap(
        args.mc_samples * args.draws * N,
        MAX_CHECK_DRAWS,
        "goldreich check: Monte Carlo numbers --mc-samples·--draws·N",
        "use fewer --mc-samples or --draws",
    )
    check_cap(
        args.mc_samples * max(h2, 2 * N),
        MAX_CHECK_DRAWS,
        "goldreich check: activations --mc-samples·(widest layer)",
        "use fewer --mc-samples or --outputs",
    )


def run_checks(args: argparse.Namespace) -> Report:
    """Every check for parsed ``family check goldreich`` arguments."""
    _check_sizes(args)
    problem, plant = goldreich_instance(
        args.inputs,
        args.outputs,
        k=args.k,
        predicate=args.predicate,
        samples=200,
        margin=args.margin,
        seed=args.seed,
    )
    H, P = plant.hypergraph, plant.predicate
    rng = np.random.default_rng(args.seed + 1)
    findings = [_predicate(P), _ramp(plant.margin, rng), _patterns(plant, rng)]
    off = [i for i, x in enumerate(problem.X) if not any(0 < v < plant.margin for v in x)]
    expect = [sum(H.outputs(P, tuple(int(v > 0) for v in problem.X[i]))) for i in off]
    findings.append(
        Finding(
            "instance labels = number of ones of G(1[x > 0])",
            [problem.y[i] for i in off] == expect,
            f"{len(off)} of {problem.n} samples off the margin compared exactly",
        )
    )
    if H.N <= MAX_EXHAUSTIVE_N:
        seeds = matching_seeds(H, P, plant.outputs)
        planted = sum(b << v for v, b in enumerate(plant.seed))
        findings.append(
            Finding(
                f"the {len(H.edges)} output bits determine the seed",
                len(seeds) == 1 and int(seeds[0]) == planted,
                f"exhaustive over 2^{H.N} seeds: {len(seeds)} seed(s) give the planted outputs"
                + (
                    "" if planted in set(seeds.tolist()) else "; the planted seed is NOT among them"
                ),
            )
        )
    else:
        findings.append(
            Finding(
                "seed determination",
                None,
                f"skipped: exhaustive for N ≤ {MAX_EXHAUSTIVE_N}, found {H.N}",
            )
        )
    findings.append(_margin(plant, rng, args.mc_samples * args.draws))
    for row in parameter_noise(plant.network, args.tau, args.draws, args.mc_samples, rng):
        findings.append(
            Finding(
                f"parameter noise τ = {row.tau:g}",
                None,
                f"P[some output off by ≥ 1/2] = {row.p:.4f} ± {row.se:.1e}, "
                f"‖F_τ − F‖₂ = {row.l2:.4g} ({args.draws} networks × {args.mc_samples} inputs)",
                exact=False,
            )
        )
    return Report("goldreich", tuple(findings))


def _margin(plant: GoldreichPlant, rng: np.random.Generator, draws: int) -> Finding:
    """``P[F(x)_1 ≠ P(1[x_{S_1} > 0])]`` against ``1 − (1 − p_δ)^k``."""
    params = plant.network.arrays()
    X = rng.normal(size=(draws, plant.hypergraph.N))
    out = Depth3Network.forward(params, X)[:, 0]
    e = plant.hypergraph.edges[0]
    table = np.array(plant.predicate.table)
    idx = sum((X[:, v] > 0).astype(int) << t for t, v in enumerate(e))
    est = float(np.mean(np.abs(out - table[idx]) > 1e-9))
    bound = margin_bound(plant.margin, plant.predicate.k)
    se = math.sqrt(max(bound * (1 - bound), 1e-300) / draws)
    return Finding(
        "margin error of output 1 ≤ 1 − (1 − p_δ)^k",
        bool(est <= bound + Z_LIMIT * se),
        f"Monte Carlo {est:.5f} from {draws} Gaussian inputs, bound {bound:.5f} "
        f"(p_δ = erf(δ/√2)/2)",
        exact=False,
    )
