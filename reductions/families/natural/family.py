"""The ``natural`` family: ``generate natural D K`` and ``family check natural``."""

from __future__ import annotations

import argparse

import numpy as np

from exactfit.cli.args import int_at_least, number_arg
from exactfit.errors import InputError
from exactfit.network import exact_loss
from exactfit.problem import FitProblem
from reductions.families.base import Family, Finding, Report
from reductions.families.natural.construction import (
    WEIGHTS,
    generate,
    natural_value,
    planted,
    raw_weights,
)
from reductions.families.natural.identify import trial
from reductions.sources.generators import planted_assignment
from reductions.sources.ksat import planted_ksat, random_ksat, refutation_clauses
from reductions.sources.solvers import max_sat

__all__ = ["NaturalFamily", "check", "check_ksat"]

#: Exhaustive satisfiability checks enumerate 2^n assignments.
MAX_SAT_VARS = 20
#: Instances of ``family check natural``: each is an exact ERM and an exhaustive K-SAT check.
MAX_TRIALS = 100


class NaturalFamily(Family):
    """Random depth-2 networks with normal or uniform weights (``docs/families/natural.md``)."""

    name = "natural"
    summary = "random depth-2 networks with natural (normal/uniform) weights of Daniely-Vardi"
    example = "exactfit generate natural 2 2 --weights normal --samples 20 --seed 1 -o nat.json"
    check_example = "exactfit family check natural --dims 1 --k 2 --trials 4 --seed 1"

    def add_generate_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("d", type=int_at_least(1), metavar="D", help="input dimension")
        q.add_argument("k", type=int_at_least(1), metavar="K", help="hidden units")
        _weights_arg(q)
        q.add_argument("--samples", "-n", type=int_at_least(1), default=20, help="points (20)")
        q.add_argument(
            "--digits",
            type=number_arg(int, minimum=0, maximum=6),
            default=1,
            help="decimals kept in each drawn weight (1; at most 6)",
        )
        q.add_argument(
            "--bias",
            action=argparse.BooleanOptionalAction,
            default=False,
            help="units have a drawn bias, and the class a bias (default: no)",
        )

    def generate(self, args: argparse.Namespace) -> FitProblem:
        return generate(
            args.d,
            args.k,
            args.samples,
            args.seed,
            weights=args.weights,
            digits=args.digits,
            bias=args.bias,
        )

    def add_check_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("--dims", type=int_at_least(1), default=1, help="dimension d (1)")
        q.add_argument("--k", type=int_at_least(1), default=2, help="hidden units (2)")
        _weights_arg(q)
        q.add_argument("--samples", type=int_at_least(1), default=8, help="points (8)")
        q.add_argument(
            "--trials",
            type=number_arg(int, minimum=1, maximum=MAX_TRIALS),
            default=4,
            help=f"instances (4; at most {MAX_TRIALS}: each is an exact ERM)",
        )
        q.add_argument(
            "--solver", default="enum", help="exact solver for the ERM (enum; brute: tiny n)"
        )
        q.add_argument("--sat-vars", type=int_at_least(1), default=12, help="K-SAT variables")
        q.add_argument("--sat-k", type=int_at_least(1), default=3, help="K-SAT clause width (3)")
        q.add_argument(
            "--sat-exponent",
            type=number_arg(float, minimum=1, maximum=8),
            default=None,
            help="clauses m = ⌈n^s⌉ (default s = max(1, K/2), the refutation density)",
        )

    def check(self, args: argparse.Namespace) -> Report:
        findings = check(
            args.dims, args.k, args.weights, args.samples, args.trials, args.seed, args.solver
        )
        sat = check_ksat(args.sat_vars, args.sat_k, args.sat_exponent, args.trials, args.seed)
        return Report("natural", (*findings, *sat))


def _weights_arg(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--weights", choices=sorted(WEIGHTS), default="normal", help="weight law (normal)"
    )


def check(
    d: int, k: int, weights: str, n: int, trials: int, seed: int, solver: str = "enum"
) -> list[Finding]:
    """Realizability (exact), then exact ERM and gradient descent on ``trials`` instances."""
    problem = generate(d, k, n, seed, weights=weights)
    zero = exact_loss(problem, planted(problem)) == 0
    # the labels against g itself, from the raw draws (same seed, same stream), so that the
    # absorption of the output weights into signs is checked and not assumed
    raw = raw_weights(d, k, weights, np.random.default_rng(seed))
    same = list(problem.y) == [natural_value(raw, x) for x in problem.X]
    out = [
        Finding("planted loss", zero, f"exact loss of the planted network: 0 = {zero}"),
        Finding(
            "labels = g(x) = Σ v_j σ(w_j·x + b_j)",
            same,
            f"{problem.n} labels against the raw draws before the signs are absorbed: {same}",
        ),
    ]
    runs = [trial(d, k, n, seed + t, weights=weights, solver=solver) for t in range(trials)]
    erm = sum(r.erm_zero for r in runs)
    same = sum(r.erm_same for r in runs)
    gd = sum(r.gd_loss <= 1e-6 for r in runs)
    out.append(
        Finding(
            "exact ERM reaches opt = 0",
            erm == trials,
            f"{erm}/{trials} instances OPTIMAL with exact loss 0 ({solver})",
        )
    )
    out.append(
        Finding(
            "ERM optimum = planted function",
            None,
            f"{same}/{trials} (exact normal-form comparison; fewer means the sample "
            f"does not identify the network)",
        )
    )
    worst = max(r.gd_loss for r in runs)
    out.append(
        Finding(
            "gradient descent reaches loss 0",
            None,
            f"{gd}/{trials} runs below 1e-6 relative loss (worst {worst:.3g}; "
            "Adam, width k, 1500 steps)",
            exact=False,
        )
    )
    return out


def check_ksat(
    n_vars: int, k: int, exponent: float | None, trials: int, seed: int
) -> list[Finding]:
    """Planted formulas are satisfied by their assignment; random ones at ``m = ⌈n^s⌉``
    (default ``s = max(1, K/2)``) are decided exhaustively (``n ≤ 20``)."""
    exponent = max(1.0, k / 2) if exponent is None else exponent
    if n_vars > MAX_SAT_VARS:
        raise InputError(f"natural: expected --sat-vars ≤ {MAX_SAT_VARS}, found {n_vars}")
    m = refutation_clauses(n_vars, exponent)
    planted_ok = sat_random = 0
    for t in range(trials):
        cnf = planted_ksat(n_vars, m, k, seed + t)
        planted_ok += cnf.satisfied(planted_assignment(cnf)) == m
        sol = max_sat(random_ksat(n_vars, m, k, seed + t), method="brute")
        if not sol.optimal:
            raise InputError("natural: the exhaustive K-SAT check did not finish")
        sat_random += sol.value == m
    return [
        Finding(
            "planted K-SAT satisfiable",
            planted_ok == trials,
            f"{planted_ok}/{trials} planted {k}-CNF (n = {n_vars}, m = ⌈n^{exponent}⌉ = {m}) "
            "satisfied by their hidden assignment",
        ),
        Finding(
            "random K-SAT at the refutation density",
            None,
            f"{sat_random}/{trials} random {k}-CNF satisfiable (exhaustive over 2^{n_vars}); "
            f"clause density m/n = {m / n_vars:.2f}",
        ),
    ]
