"""Exact ERM against gradient descent on the hard families ``ggjkk`` and ``natural``.

Table 1 (ggjkk): for K and d, the Gaussian norm E[f_S²] (closed form), exactfit's exact ERM loss
with 2^K units where it is feasible (tiny d), and gradient descent's plateau — the mean square
*test* loss after training divided by E[f_S²] (1 is the zero predictor's) — for the numpy Adam
trainer (``reductions.families.descent``) and, if installed, scikit-learn's ``MLPRegressor``.
Table 2 (natural): over seeded instances per (d, k), how often exact ERM reaches proven loss 0,
returns the planted function, and how often gradient descent reaches relative loss ≤ 1e-6.
``--plot FILE`` draws test loss / E[f_S²] against steps, one curve per d.

    PYTHONPATH=. python benchmarks/families_descent.py --plot docs/families/descent.png

Timings are wall-clock on a shared machine: read them as rough.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import exactfit
from exactfit.result import Status
from reductions.families.descent import train
from reductions.families.ggjkk import generate
from reductions.families.ggjkk.construction import gaussian_points, planted_network
from reductions.families.ggjkk.gaussian import c_counts, inner_product
from reductions.families.natural.identify import trial

#: d → (n, solver, fixed signs, seed) of the exact ERM runs, where exactfit proves opt = 0 in
#: seconds: the library instances ggjkk_d2_k2_n12 and ggjkk_d3_k2_n40 (instances/families/).
ERM_RUNS = {2: (12, "enum", False, 2), 3: (40, "scip", True, 1)}


def _norm(k: int) -> float:
    return float(inner_product(c_counts(range(k), range(k)), k))


def _data(d: int, k: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    s = tuple(sorted(int(i) for i in rng.choice(d, size=k, replace=False)))
    X = np.array(gaussian_points(n, d, rng, 2), dtype=float)
    a, W, _ = planted_network(s, d).arrays()
    return X, np.maximum(X @ W.T, 0) @ a, s


def _exact_erm(d: int, k: int) -> str:
    if k != 2 or d not in ERM_RUNS:
        return "—"
    n, solver, fixed, seed = ERM_RUNS[d]
    problem = generate(d, k, n, seed, fixed_signs=fixed)
    start = time.perf_counter()
    result = exactfit.solve(problem, solver=solver, time_limit=300)
    wall = time.perf_counter() - start
    loss = exactfit.exact_loss(problem, result.network)
    tag = "opt" if result.status is Status.OPTIMAL else result.status.value
    return f"{float(loss):.1e} {tag} ({solver} n={n}, {wall:.0f}s)"


def _sklearn_plateau(X, y, Xt, yt, width: int, steps: int, seed: int) -> float | None:
    try:
        from sklearn.neural_network import MLPRegressor
    except ImportError:
        return None
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    model = MLPRegressor(
        hidden_layer_sizes=(width,),
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=min(200, len(y)),
        learning_rate_init=1e-3,
        max_iter=steps,
        tol=0.0,
        n_iter_no_change=steps + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return float(np.mean((model.predict(Xt) - yt) ** 2))


def ggjkk_table(args: argparse.Namespace) -> dict[tuple[int, int], np.ndarray]:
    """Print table 1; return the test-loss curves (relative to E f²) by (k, d)."""
    curves: dict[tuple[int, int], np.ndarray] = {}
    print(
        f"ggjkk: n_train = {args.train}, n_test = {args.test}, {args.steps} full-batch Adam "
        f"steps (lr {args.lr}), width 2^K; MLPRegressor {args.sk_epochs} epochs (adam, batch "
        f"200, lr 1e-3); plateau = test MSE / E[f_S²] over {args.seeds} seeds"
    )
    head = f"{'K':>2} {'d':>3} {'E[f_S²]':>9}  {'exact ERM loss (2^K units)':<34}"
    print(head + f" {'Adam min/median':>13} {'(train)':>7}  {'MLP min/median':>13}  {'GD s':>5}")
    for k in args.k:
        norm = _norm(k)
        for d in args.dims:
            if d < k:
                continue
            start = time.perf_counter()
            finals, trains, best_curve, sk = [], [], None, []
            for seed in range(args.seeds):
                X, y, _ = _data(d, k, args.train + args.test, 100 * d + seed)
                Xtr, ytr, Xt, yt = (
                    X[: args.train],
                    y[: args.train],
                    X[args.train :],
                    y[args.train :],
                )
                run = train(Xtr, ytr, 2**k, steps=args.steps, lr=args.lr, seed=seed, test=(Xt, yt))
                finals.append(run.test_losses[-1] / norm)
                trains.append(run.losses[-1] / norm)
                if finals[-1] == min(finals):
                    best_curve = run.test_losses / norm
                if args.sklearn:
                    v = _sklearn_plateau(Xtr, ytr, Xt, yt, 2**k, args.sk_epochs, seed)
                    if v is not None:
                        sk.append(v / norm)
            gd_s = time.perf_counter() - start
            curves[k, d] = best_curve
            sk_text = f"{min(sk):6.3f} {np.median(sk):6.3f}" if sk else f"{'—':>13}"
            print(
                f"{k:>2} {d:>3} {norm:9.5f}  {_exact_erm(d, k):<34} {min(finals):6.3f}"
                f" {np.median(finals):6.3f} {np.median(trains):7.3f}  {sk_text}  {gd_s:5.1f}"
            )
    return curves


def natural_table(args: argparse.Namespace) -> None:
    """Print table 2."""
    print(
        f"\nnatural ({args.weights} weights): n = {args.nat_samples} points, "
        f"{args.nat_trials} instances per row; exact ERM by enum; GD: Adam, width k, 1500 steps"
    )
    print(
        f"{'d':>2} {'k':>2}  {'ERM opt=0':>9} {'ERM = planted':>13} {'GD ≤ 1e-6':>9}"
        f" {'GD worst':>9} {'s':>5}"
    )
    for d in args.nat_dims:
        for k in args.nat_k:
            start = time.perf_counter()
            runs = [
                trial(d, k, args.nat_samples, s, weights=args.weights)
                for s in range(args.nat_trials)
            ]
            t = args.nat_trials
            print(
                f"{d:>2} {k:>2}  {sum(r.erm_zero for r in runs):>5}/{t:<3}"
                f" {sum(r.erm_same for r in runs):>9}/{t:<3}"
                f" {sum(r.gd_loss <= 1e-6 for r in runs):>5}/{t:<3}"
                f" {max(r.gd_loss for r in runs):9.2e} {time.perf_counter() - start:5.1f}"
            )


def plot(curves: dict[tuple[int, int], np.ndarray], path: str, steps: int) -> None:
    """Test loss / E[f_S²] against steps, one panel per K, one curve per d."""
    from exactfit.plot.figure import new_figure, save_figure

    ks = sorted({k for k, _ in curves})
    fig = new_figure(4.6 * len(ks), 3.6)
    axes = fig.subplots(1, len(ks), squeeze=False)[0]
    for ax, k in zip(axes, ks, strict=True):
        dims = sorted(d for kk, d in curves if kk == k)
        colours = [f"C{i}" for i in range(len(dims))]
        for d, colour in zip(dims, colours, strict=True):
            c = curves[k, d]
            ax.plot(np.arange(c.size), c, color=colour, linewidth=1.6, label=f"d = {d}")
        ax.axhline(1.0, color="0.3", linestyle="--", linewidth=1, label="zero predictor")
        ax.set_yscale("log")
        ax.set_ylim(bottom=1e-4)
        ax.set_xlim(0, steps)
        ax.set_xlabel("Adam step (full batch)")
        ax.set_ylabel("test MSE / E[f_S²]")
        ax.set_title(f"ggjkk, K = {k}: Adam, {2**k} units (best of the seeds)")
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=8, loc="center right", framealpha=0.9)
    save_figure(fig, path)
    print(f"\nwrote {path}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, nargs="+", default=[2, 4], help="|S| values (2 4)")
    p.add_argument("--dims", type=int, nargs="+", default=[2, 3, 4, 8, 16, 32], help="d values")
    p.add_argument("--train", type=int, default=2000, help="training points (2000)")
    p.add_argument("--test", type=int, default=4000, help="test points (4000)")
    p.add_argument("--steps", type=int, default=2000, help="Adam steps (2000)")
    p.add_argument("--lr", type=float, default=0.01, help="Adam step size (0.01)")
    p.add_argument("--seeds", type=int, default=3, help="GD restarts per row (3)")
    p.add_argument(
        "--sklearn",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run scikit-learn's MLPRegressor when installed (default: yes)",
    )
    p.add_argument("--sk-epochs", type=int, default=200, help="MLPRegressor epochs (200)")
    p.add_argument("--weights", choices=["normal", "uniform"], default="normal")
    p.add_argument("--nat-dims", type=int, nargs="+", default=[1, 2])
    p.add_argument("--nat-k", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--nat-samples", type=int, default=8)
    p.add_argument("--nat-trials", type=int, default=10)
    p.add_argument("--plot", metavar="FILE", help="draw test loss against steps (PNG/SVG/PDF)")
    args = p.parse_args()
    if args.plot:
        from exactfit.plot.figure import check_plot_path, require_matplotlib

        check_plot_path(args.plot, "--plot")
        require_matplotlib("--plot")
    curves = ggjkk_table(args)
    natural_table(args)
    if args.plot:
        plot(curves, args.plot, args.steps)


if __name__ == "__main__":
    main()
