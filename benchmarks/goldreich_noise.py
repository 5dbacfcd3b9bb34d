"""Print and plot how the Goldreich depth-3 network degrades under parameter noise N(0, τ²).

For one seeded hypergraph (N seed bits, M outputs, XOR–AND of locality k) and several input-ramp
margins δ, every parameter of the network is perturbed independently by N(0, τ²) and the
perturbed network F_τ is compared with F on Gaussian inputs: P[some output off by ≥ 1/2] and
‖F_τ − F‖₂ (root mean square over inputs, outputs and perturbations), against τ.  The margin
column is the closed-form bound 1 − (1 − p_δ)^k on the error F makes itself on one output.

    PYTHONPATH=. python benchmarks/goldreich_noise.py --plot docs/families/goldreich_noise.png
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import numpy as np

from reductions.families.goldreich.checks import margin_bound, parameter_noise
from reductions.families.goldreich.family import goldreich_plant

TAUS = tuple(float(t) for t in np.logspace(-6, -1, 11))
MARGINS = (Fraction(1, 100), Fraction(1, 10), Fraction(1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--inputs", type=int, default=12, help="seed bits N (12)")
    p.add_argument("--outputs", type=int, default=36, help="output bits M (36)")
    p.add_argument("--k", type=int, default=5, help="locality k (5)")
    p.add_argument("--draws", type=int, default=20, help="perturbed networks per τ (20)")
    p.add_argument("--samples", type=int, default=2000, help="inputs per network (2000)")
    p.add_argument("--seed", type=int, default=0, help="seed (0)")
    p.add_argument("--plot", help="write the figure here (PNG/SVG/PDF)")
    a = p.parse_args()
    start = time.perf_counter()
    results = {}
    print(f"N={a.inputs} M={a.outputs} k={a.k} xor-and, {a.draws} networks × {a.samples} inputs")
    print(
        f"{'δ':>6} {'margin bound':>12} {'τ':>9} {'P[off ≥ 1/2]':>14} {'± se':>8} {'‖F_τ−F‖₂':>10}"
    )
    for margin in MARGINS:
        plant, _ = goldreich_plant(a.inputs, a.outputs, k=a.k, margin=margin, seed=a.seed)
        rng = np.random.default_rng(a.seed + 1)
        rows = parameter_noise(plant.network, TAUS, a.draws, a.samples, rng)
        results[margin] = rows
        bound = margin_bound(margin, a.k)
        for r in rows:
            print(f"{margin!s:>6} {bound:12.5f} {r.tau:9.2e} {r.p:14.4f} {r.se:8.1e} {r.l2:10.4g}")
    print(f"({time.perf_counter() - start:.1f} s)")
    if a.plot:
        _plot(results, a)


def _plot(results: dict, a: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for margin, rows in results.items():
        taus = [r.tau for r in rows]
        left.errorbar(
            taus,
            [r.p for r in rows],
            yerr=[r.se for r in rows],
            marker="o",
            capsize=2,
            label=f"δ = {margin}",
        )
        right.plot(taus, [r.l2 for r in rows], marker="o", label=f"δ = {margin}")
    left.set(
        xscale="log",
        xlabel="τ (parameter noise)",
        ylabel="P[some output off by ≥ 1/2]",
        title="wrong bits under parameter noise",
    )
    right.set(
        xscale="log",
        yscale="log",
        xlabel="τ (parameter noise)",
        ylabel="‖F_τ − F‖₂",
        title="L2 distance",
    )
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(f"Goldreich depth-3 network, N={a.inputs}, M={a.outputs}, xor-and k={a.k}")
    fig.tight_layout()
    fig.savefig(a.plot, dpi=110)
    print(f"wrote {a.plot}")


if __name__ == "__main__":
    main()
