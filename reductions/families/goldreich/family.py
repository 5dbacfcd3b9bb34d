"""``exactfit generate goldreich`` and ``exactfit family check goldreich``.

The instance is a depth-2 *fitting* problem whose labels come from a depth-3 network, a class
mismatch on purpose (exactfit fits depth 2 only): points ``x_i`` in ``R^N`` (standard Gaussian,
rounded to multiples of 1/100) labelled by ``y_i = Σ_j F(x_i)_j``, the number of ones of the
generator's output on the seed ``1[x_i > 0]``.  ``meta`` holds the hypergraph, the predicate,
the margin and a planted seed with its output bits (a generator challenge).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from exactfit.cli.args import int_at_least, number_arg
from exactfit.errors import InputError
from exactfit.limits import MAX_ENTRIES, MAX_UNITS, check_cap
from exactfit.numbers import to_fraction
from exactfit.problem import FitProblem
from reductions.families.base import Family, Report
from reductions.families.goldreich.depth3 import Depth3Network
from reductions.families.goldreich.gadget import goldreich_network
from reductions.families.goldreich.prg import (
    PREDICATES,
    Hypergraph,
    Predicate,
    random_hypergraph,
)

__all__ = ["GoldreichFamily", "GoldreichPlant", "goldreich_instance", "goldreich_plant"]

#: Data are multiples of 1/GRID; the default margin is one grid step, so no point lies in it.
GRID = 100
#: Second-layer units M·|P⁻¹(1)| of the exact evaluator: far above any check here.
MAX_HIDDEN = 10**5


@dataclass(frozen=True)
class GoldreichPlant:
    """The hypergraph, predicate, network and a planted seed with its output bits."""

    hypergraph: Hypergraph
    predicate: Predicate
    margin: Fraction
    network: Depth3Network
    seed: tuple[int, ...]
    outputs: tuple[int, ...]


def goldreich_plant(
    N: int,
    M: int,
    *,
    k: int = 5,
    predicate: str = "xor-and",
    margin: Fraction = Fraction(1, GRID),
    seed: int = 0,
) -> tuple[GoldreichPlant, np.random.Generator]:
    """A seeded hypergraph, planted seed and network; the generator continues from the RNG."""
    if N < 1 or M < 1:
        raise InputError(f"goldreich: expected N ≥ 1 seed bits and M ≥ 1 outputs, found {N}, {M}")
    if predicate not in PREDICATES:
        raise InputError(
            f"goldreich: unknown predicate {predicate!r}; known: {', '.join(PREDICATES)}"
        )
    P = PREDICATES[predicate](k)
    check_cap(
        M * len(P.ones()),
        MAX_HIDDEN,
        "goldreich: second-layer units M·|P⁻¹(1)|",
        "use fewer outputs M",
    )
    check_cap(N, 10**4, "goldreich: seed bits N", "use fewer seed bits")
    rng = np.random.default_rng(seed)
    H = random_hypergraph(N, M, k, rng)
    s = tuple(int(b) for b in rng.integers(0, 2, size=N))
    margin = to_fraction(margin, "--margin")
    net = goldreich_network(H, P, margin)
    return GoldreichPlant(H, P, margin, net, s, H.outputs(P, s)), rng


def goldreich_instance(
    N: int,
    M: int,
    *,
    k: int = 5,
    predicate: str = "xor-and",
    samples: int = 40,
    units: int = 2,
    margin: Fraction = Fraction(1, GRID),
    seed: int = 0,
) -> tuple[FitProblem, GoldreichPlant]:
    """The fitting instance (depth-2 class of ``units`` units) labelled by the depth-3 network."""
    check_cap(samples * (N + 2), MAX_ENTRIES, "goldreich: numbers n·(N + 2)", "use fewer samples")
    if not 1 <= units <= MAX_UNITS:
        raise InputError(f"goldreich: expected 1 ≤ --units ≤ {MAX_UNITS}, found {units}")
    plant, rng = goldreich_plant(N, M, k=k, predicate=predicate, margin=margin, seed=seed)
    X = [
        tuple(Fraction(int(v), GRID) for v in row)
        for row in np.rint(rng.normal(size=(samples, N)) * GRID).astype(np.int64)
    ]
    y = [sum(out, Fraction(0)) for out in plant.network.exact(X)]
    in_margin = sum(1 for x in X if any(0 < v < plant.margin for v in x))
    meta = {
        "generator": "goldreich",
        "paper": "Daniely, Srebro, Vardi, NeurIPS 2023",
        "parameters": {
            "N": N,
            "M": M,
            "k": k,
            "predicate": predicate,
            "samples": samples,
            "units": units,
            "margin": plant.margin,
            "seed": seed,
        },
        "labels": "y = Σ_j F(x)_j, F the depth-3 network (docs/families/goldreich.md); "
        "a depth-2 class fits depth-3 labels",
        "hyperedges": [list(e) for e in plant.hypergraph.edges],
        "planted_seed": list(plant.seed),
        "planted_outputs": list(plant.outputs),
        "samples_in_margin": in_margin,
    }
    return FitProblem(X=X, y=y, units=units, bias=True, meta=meta), plant


class GoldreichFamily(Family):
    """Goldreich local-PRG family with a depth-3 ReLU network (Daniely–Srebro–Vardi)."""

    name = "goldreich"
    summary = "Goldreich local PRG on a random k-uniform hypergraph, as a depth-3 ReLU network"
    example = "exactfit generate goldreich 12 36 --predicate xor-and --seed 1 -o goldreich.json"
    check_example = "exactfit family check goldreich --inputs 12 --outputs 36 --seed 1"

    def add_generate_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("N", type=int_at_least(1), help="seed bits = input dimension")
        q.add_argument("M", type=int_at_least(1), help="output bits = hyperedges")
        _add_common(q)
        q.add_argument("--samples", type=int_at_least(1), default=40, help="samples (40)")
        q.add_argument(
            "--units",
            type=number_arg(int, minimum=1, maximum=MAX_UNITS),
            default=2,
            help="units of the depth-2 class the instance asks for (2)",
        )

    def generate(self, args: argparse.Namespace) -> FitProblem:
        problem, _ = goldreich_instance(
            args.N,
            args.M,
            k=args.k,
            predicate=args.predicate,
            samples=args.samples,
            units=args.units,
            margin=args.margin,
            seed=args.seed,
        )
        return problem

    def add_check_arguments(self, q: argparse.ArgumentParser) -> None:
        q.add_argument("--inputs", type=int_at_least(1), default=12, help="seed bits N (12)")
        q.add_argument("--outputs", type=int_at_least(1), default=36, help="output bits M (36)")
        _add_common(q)
        q.add_argument(
            "--tau",
            type=_taus,
            default=(1e-5, 1e-4, 1e-3, 1e-2),
            help="parameter-noise levels τ, comma-separated (1e-5,1e-4,1e-3,1e-2)",
        )
        q.add_argument(
            "--draws", type=int_at_least(1), default=20, help="noisy networks per τ (20)"
        )
        q.add_argument(
            "--mc-samples",
            type=int_at_least(1),
            default=2000,
            help="Gaussian inputs per noisy network (2000)",
        )

    def check(self, args: argparse.Namespace) -> Report:
        from reductions.families.goldreich.checks import run_checks

        return run_checks(args)


def _add_common(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--predicate",
        choices=sorted(PREDICATES),
        default="xor-and",
        help="the local predicate (xor-and: u1⊕…⊕u_{k−2}⊕(u_{k−1}∧u_k))",
    )
    q.add_argument(
        "--k",
        type=number_arg(int, minimum=3, maximum=12),
        default=5,
        help="locality k, vertices per hyperedge (5)",
    )
    q.add_argument(
        "--margin",
        type=_positive_rational,
        default=Fraction(1, GRID),
        metavar="δ",
        help="width δ of the input ramp: bits are exact off (0, δ) (1/100)",
    )


def _positive_rational(text: str) -> Fraction:
    try:
        value = to_fraction(text, "--margin")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, found {text!r}")
    return value


def _taus(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers ≥ 0, found {text!r}"
        ) from None
    if not values or any(not (v >= 0 and v < float("inf")) for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers ≥ 0, found {text!r}")
    return values
