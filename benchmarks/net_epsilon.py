"""Running time of the ``net`` solver against 1/ε, next to the exact solvers on the same instances.

For a few bias-free instances scaled into the unit ball (‖x_i‖₂ ≤ 1, ‖w_j‖₂ ≤ 1), ε halves from
L̄(0)/2 until the net exceeds its caps; each row gives the net's dimension m, its points, the
candidate networks, the time (min of ``--repeats`` runs: the machine is shared, timings are
noisy) and the excess of the average loss over the exact optimum (which the guarantee keeps
≤ ε).  The exact solvers (``enum`` with its certificate, ``scip``) run once per instance.  The
picture's left panel: time against 1/ε (log-log), one colour per instance, exact times as
horizontal lines.

Those instances have d ≤ 4, so the net keeps m ≤ d dimensions and its size is only polynomial
in 1/ε.  The second table makes the exponential visible on :func:`spread_problem`: d unit
vectors e_1..e_d with weights ∝ 1/j, so the second moment has the harmonic spectrum
λ_j = 1/(j·H_d).  That spectrum makes the tail bound λ_{m+1} ≤ T/(m + 1) of the size proof
tight up to the factor H_d at every scale at once, so the plan keeps m ≈ 1/(H_d (η/k)²) ∝ 1/ε²
directions until m = d.  (Flat data, λ_j = 1/d, is no good for this: the plan keeps m = 0
until (η/k)² ≤ 1/d and then all d directions at once.)  Per ε it prints m and the plan's grid
count ``box_count`` = Π_t (2⌊1/h_t⌋ + 1), an upper bound on the net's size computed without
listing it, and, where the net fits the caps of ``exactfit.limits``, the exact net size and the
solver's time.  The right panel: log10(size) against 1/ε², with a line through the origin
fitted on the rows with m < d (where log size ∝ 1/ε² is the claim).

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
from exactfit.limits import MAX_NET_ACTIVATIONS
from exactfit.plot.figure import check_plot_path, new_figure, save_figure
from exactfit.problem import FitProblem
from exactfit.solvers.net.grid import net_points, plan

#: The spread instance's dimension, and the 1/ε values of its table.
SPREAD_D = 200
SPREAD_INVERSE_EPS = (1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20)

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


def spread_problem(d: int = SPREAD_D, units: int = 1) -> FitProblem:
    """d samples x_j = e_j (‖x_j‖ = 1) with weights c_j = 1/j and labels y_j = ±1.

    Σ = Σ_j p_j e_j e_jᵀ has eigenvalues λ_j = 1/(j·H_d) (trace 1), ρ² = L̄(0) = 1.
    """
    X = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    y = [Fraction((-1) ** i) for i in range(d)]
    c = [Fraction(1, j + 1) for j in range(d)]
    return FitProblem(X, y, units=units, bias=False, weight_bound=1, sample_weight=c)


def inner_count(net) -> int:
    """``Π_t (2⌊1/(√m h_t)⌋ + 1)``: the grid points with every ``|g_t| ≤ 1/√m``.

    Those have ``Σ g_t² ≤ 1``, so they are all in the net: a lower bound on ``|N|``, as
    ``box_count`` is an upper one.
    """
    return math.prod(2 * math.floor(1 / (math.sqrt(net.m) * h)) + 1 for h in net.steps)


def spread_sizes(problem: FitProblem, inverse_eps) -> list[tuple[float, int, int, int]]:
    """``(1/ε, m, inner_count, box_count)`` of the net's plan per 1/ε, listing no net."""
    nets = [(inv, plan(problem, 1 / inv)) for inv in inverse_eps]
    return [(inv, net.m, inner_count(net), net.box_count) for inv, net in nets]


def timed(problem: FitProblem, solver: str, repeats: int, **options):
    best, result = math.inf, None
    for _ in range(repeats):
        t = time.perf_counter()
        result = exactfit.solve(problem, solver, **options)
        best = min(best, time.perf_counter() - t)
    return best, result


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3, help="runs per point, min taken (3)")
    p.add_argument("--halvings", type=int, default=8, help="at most this many ε values (8)")
    p.add_argument("--plot", metavar="PNG", help="draw time against 1/ε here")
    p.add_argument("--spread-only", action="store_true", help="only the second table (spread data)")
    a = p.parse_args(argv)
    if a.plot:
        check_plot_path(a.plot, "--plot")
    curves = []
    for label, n, d, k, seed, exact in () if a.spread_only else INSTANCES:
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
    spread = _spread_table(a.repeats)
    if a.plot:
        _draw(curves, spread, a.plot)
        print(f"wrote {a.plot}")


def _spread_table(repeats: int) -> list[tuple]:
    """The second table: per 1/ε, m, both bounds on |N|, and under the caps |N| and seconds."""
    problem = spread_problem()
    print(
        f"\nspread data: d = n = {SPREAD_D}, x_j = e_j, weights 1/j (λ_j = 1/(j·H_d)), "
        "y = ±1, k = 1; exact solvers not run (d = 200)"
    )
    print(
        f"{'1/ε':>5} {'1/ε²':>7} {'m':>3} {'log10 inner':>11} {'log10 boxes':>11} {'|N|':>9} "
        f"{'solve s':>8} list s"
    )
    rows, fits = [], True
    for inv, m, inner, boxes in spread_sizes(problem, SPREAD_INVERSE_EPS):
        size = seconds = listing = None
        if fits:
            try:
                seconds, r = timed(problem, "net", repeats, epsilon=1 / inv)
                size = r.stats["net_points"]
                net = plan(problem, 1 / inv)
                listing = min(_seconds(net_points, net) for _ in range(repeats))
            except BudgetExceeded as exc:
                fits = False  # every smaller ε has a larger net
                print(f"      refused from here on: {str(exc).split(' (')[0]}")
        rows.append((inv, m, inner, boxes, size, seconds, listing))
        shown = (
            f"{size:9,} {seconds:8.3f} {listing:.5f}"
            if size is not None
            else f"{'—':>9} {'—':>8} —"
        )
        print(
            f"{inv:5g} {inv * inv:7.2f} {m:3d} {math.log10(inner):11.1f} "
            f"{math.log10(boxes):11.1f} {shown}"
        )
    return rows


def _seconds(f, *args) -> float:
    t = time.perf_counter()
    f(*args)
    return time.perf_counter() - t


def _draw(curves, spread, path: str) -> None:
    fig = new_figure(13.6, 4.6)
    left, right, zoom = fig.subplots(1, 3, width_ratios=(1.1, 1.1, 0.8))
    styles = {"enum": "--", "scip": ":"}
    for i, (label, points, lines) in enumerate(curves):
        colour = f"C{i}"
        xs, ys = zip(*points, strict=True)
        left.plot(xs, ys, "o-", color=colour, label=f"net, {label}")
        for solver, t in lines.items():
            left.axhline(
                t, color=colour, linestyle=styles[solver], linewidth=1, label=f"{solver}, {label}"
            )
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("1/ε (additive error on the average loss)")
    left.set_ylabel("seconds (min of repeats)")
    left.set_title(
        "d ≤ 4: net time polynomial in 1/ε\nexact solvers (certified): enum dashed, scip dotted",
        fontsize=10,
    )
    if curves:
        top = max(
            t for _, points, lines in curves for t in [*lines.values(), *(y for _, y in points)]
        )
        left.set_ylim(top=top * 300)  # room above the data for the legend
        left.legend(fontsize=6.5, loc="upper center", ncol=3)
    _draw_spread(right, spread)
    _draw_timed(zoom, spread)
    save_figure(fig, path)


def _draw_spread(ax, spread) -> None:
    """log10 of the net size against 1/ε², the fitted line, and the measured times."""
    x2 = [inv * inv for inv, *_ in spread]
    logs = [math.log10(boxes) for _, _, _, boxes, *_ in spread]
    lows = [math.log10(inner) for _, _, inner, *_ in spread]
    ax.plot(x2, logs, "o-", color="C3", label="log10 box_count (upper bound on |N|)")
    ax.plot(x2, lows, "o-", color="C4", ms=4, label="log10 inner cube count (lower bound)")
    sized = [(inv * inv, math.log10(n)) for inv, _, _, _, n, *_ in spread if n is not None]
    if sized:
        ax.plot(
            *zip(*sized, strict=True),
            "s",
            color="C2",
            mfc="none",
            ms=8,
            label="log10 |N| (listed by the solver)",
        )
    below = [i for i, (_, m, *_) in enumerate(spread) if m < SPREAD_D]
    xmax = max(x2[i] for i in below)
    for ys, name in ((logs, "upper"), (lows, "lower")):
        slope = sum(x2[i] * ys[i] for i in below) / sum(x2[i] ** 2 for i in below)
        ax.plot(
            [0, xmax],
            [0, slope * xmax],
            "k--",
            linewidth=1,
            label=f"fit on m < d, {name}: {slope:.2f}/ε²",
        )
    shown = set()
    for (_, m, *_), x, y in zip(spread, x2, logs, strict=True):
        if m not in shown and (m in (2, 7, 13, 29, 51, 78, 112) or m == SPREAD_D):
            shown.add(m)  # the first row of each labelled m only
            at = (12, -22) if m == SPREAD_D else (6, -10)
            ax.annotate(
                f"m={m}",
                (x, y),
                fontsize=7,
                xytext=at,
                textcoords="offset points",
                ha="left",
            )
    cap = math.log10(MAX_NET_ACTIVATIONS / SPREAD_D)
    ax.axhline(cap, color="grey", linewidth=1, linestyle=":")
    ax.annotate(
        f"cap: |N| ≤ {MAX_NET_ACTIVATIONS:.0e}/n (solver refuses above)",
        (x2[-1], cap),
        fontsize=7,
        color="grey",
        ha="right",
        va="bottom",
    )
    ax.set_xlabel("1/ε²")
    ax.set_ylabel("log10(net points of one unit)")
    ax.set_title(
        f"d = {SPREAD_D}, λ_j ∝ 1/j: log size ∝ 1/ε² until m = d\n"
        "(m = directions kept; then polynomial in 1/ε)",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper left")


def _draw_timed(ax, spread) -> None:
    """The rows whose net fits the caps: seconds against 1/ε², labelled with |N|."""
    rows = [(inv * inv, s, t, n) for inv, _, _, _, n, s, t in spread if s is not None]
    if not rows:
        return
    xs, solves, lists, _ = zip(*rows, strict=True)
    ax.plot(xs, solves, "^-", color="C0", label="whole solve")
    ax.plot(xs, lists, "v-", color="C1", label="listing the net (grid.net_points)")
    for x, t, _, n in rows:
        ax.annotate(f"|N|={n:,}", (x, t), fontsize=7, xytext=(2, 5), textcoords="offset points")
    ax.set_yscale("log")
    ax.margins(x=0.15)  # room for the last |N| label
    ax.set_xlabel("1/ε²")
    ax.set_ylabel("seconds (min of repeats)")
    ax.set_title(
        f"same data, nets within the caps (n·|N| ≤ {MAX_NET_ACTIVATIONS:.0e})\n"
        "whole solve: ε-independent cost dominates",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="center right")


if __name__ == "__main__":
    main()
