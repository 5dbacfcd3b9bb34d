"""Running time of the ``net`` solver against 1/ε, next to the exact solvers on the same instances.

For a few bias-free instances scaled into the unit ball (‖x_i‖₂ ≤ 1, ‖w_j‖₂ ≤ 1), ε halves from
L̄(0)/2 until the net exceeds its caps; each row gives the net's dimension m, its points, the
candidate networks, the time (min of ``--repeats`` runs: the machine is shared, timings are
noisy) and the excess of the average loss over the exact optimum (which the guarantee keeps
≤ ε).  The exact solvers (``enum`` with its certificate, ``scip``) run once per instance.  The
picture: time against 1/ε (log-log), one colour per instance, exact times as dashed lines.

    PYTHONPATH=. python benchmarks/net_epsilon.py --plot docs/img/net_epsilon.png
"""

from __future__ import annotations

import argparse
import math
import time
from fractions import Fraction

import exactfit
from exactfit.errors import BudgetExceeded
from exactfit.generate import planted_fit
from exactfit.plot.figure import check_plot_path, new_figure, save_figure
from exactfit.problem import FitProblem

#: (label, n, d, k, seed, exact solvers)
INSTANCES = (
    ("k=1, d=2, n=15", 15, 2, 1, 2, ("enum", "scip")),
    ("k=1, d=4, n=20", 20, 4, 1, 3, ("enum", "scip")),
    ("k=2, d=1, n=8", 8, 1, 2, 5, ("scip",)),
)


def unit_ball(problem: FitProblem) -> FitProblem:
    """``problem`` scaled so that ‖x_i‖₂ ≤ 1, bias-free, with ‖w_j‖₂ ≤ 1."""
    R2 = max(sum(v * v for v in row) for row in problem.X)
    s = Fraction(math.isqrt(math.ceil(R2)) + 1)
    X = [[v / s for v in row] for row in problem.X]
    return FitProblem(X, problem.y, units=problem.units, bias=False, weight_bound=1)


def timed(problem: FitProblem, solver: str, repeats: int, **options):
    best, result = math.inf, None
    for _ in range(repeats):
        t = time.perf_counter()
        result = exactfit.solve(problem, solver, **options)
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3, help="runs per point, min taken (3)")
    p.add_argument("--halvings", type=int, default=8, help="at most this many ε values (8)")
    p.add_argument("--plot", metavar="PNG", help="draw time against 1/ε here")
    a = p.parse_args()
    if a.plot:
        check_plot_path(a.plot, "--plot")
    curves = []
    for label, n, d, k, seed, exact in INSTANCES:
        problem = unit_ball(planted_fit(n, d, units=k, bias=False, noise=0.3, seed=seed))
        C = float(sum(problem.sample_weight))
        lines = {}
        opt = None
        for solver in exact:
            t, r = timed(problem, solver, 1, certify=True)
            lines[solver] = t
            opt = r.bound if opt is None else max(opt, r.bound)
            print(f"{label}: {solver} (certify) {t:.3f} s, {r.status.value}, proof {r.proof.value}")
        zero = float(problem.null_loss()) / C
        print(f"{'ε':>9} {'1/ε':>7} {'m':>2} {'points':>9} {'networks':>11} {'s':>8} excess/ε")
        points = []
        for j in range(1, a.halvings + 1):
            eps = zero / 2**j
            try:
                t, r = timed(problem, "net", a.repeats, epsilon=eps)
            except BudgetExceeded as exc:
                print(f"{eps:9.3g} refused: {exc}")
                break
            excess = (r.objective - opt) / C
            s = r.stats
            print(
                f"{eps:9.3g} {1 / eps:7.1f} {s['dimensions']:2d} {s['net_points']:9,} "
                f"{s['networks']:11,} {t:8.4f} {excess / eps:.3f}"
            )
            points.append((1 / eps, t))
        curves.append((label, points, lines))
    if a.plot:
        _draw(curves, a.plot)
        print(f"wrote {a.plot}")


def _draw(curves, path: str) -> None:
    fig = new_figure(6.4, 4.2)
    ax = fig.add_subplot()
    styles = {"enum": "--", "scip": ":"}
    for i, (label, points, lines) in enumerate(curves):
        colour = f"C{i}"
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, "o-", color=colour, label=f"net, {label}")
        for solver, t in lines.items():
            ax.axhline(t, color=colour, linestyle=styles[solver], linewidth=1)
            ax.annotate(solver, (xs[0], t), color=colour, fontsize=7, va="bottom")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("1/ε (additive error on the average loss)")
    ax.set_ylabel("seconds (min of repeats)")
    ax.set_title("net: time against 1/ε; exact: enum dashed, scip dotted", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    save_figure(fig, path)


if __name__ == "__main__":
    main()
