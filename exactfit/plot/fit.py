"""The fitted network on its data: one picture per input dimension.

``d = 1``: the points and the piecewise-linear f with its kinks (:mod:`exactfit.plot.curve`);
``d = 2``: a heat map of f, each unit's activation line and the points coloured by residual
(:mod:`exactfit.plot.heatmap`); ``d ≥ 3``: residuals against prediction and against sample
index (:mod:`exactfit.plot.residuals`).  The title names the instance, the loss (recomputed
here from the network, never the file's claim), the status and the proof level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exactfit.errors import InvalidSolution
from exactfit.io import SolutionFile
from exactfit.network import ReluNetwork, loss
from exactfit.plot.figure import new_figure, save_figure
from exactfit.problem import FitProblem

__all__ = ["FitView", "fit_view", "plot_fit"]


@dataclass(frozen=True)
class FitView:
    """Everything a fit picture draws, in floats.

    Attributes
    ----------
    X, y, weights : ndarray
        The data (n × d, n, n).
    predictions, residuals : ndarray
        ``f(x_i)`` and ``f(x_i) − y_i``.
    network : ReluNetwork
        The solution's network.
    title : str
        Instance name, loss, status and proof level.
    """

    X: np.ndarray
    y: np.ndarray
    weights: np.ndarray
    predictions: np.ndarray
    residuals: np.ndarray
    network: ReluNetwork
    title: str


def _title(name: str, problem: FitProblem, network: ReluNetwork, solution: SolutionFile) -> str:
    status = solution.status
    proof = f", proof {solution.proof}" if solution.proof else ""
    stop = f" (limit: {solution.limit})" if solution.limit else ""
    value = loss(problem, network)
    head = f"{name}: loss {value:.6g}, {status}{stop}{proof}"
    shape = f"n = {problem.n}, d = {problem.d}, k = {network.k} unit{'s' * (network.k > 1)}"
    solver = f", solver {solution.solver}" if solution.solver else ""
    return f"{head}\n{shape}{solver}"


def fit_view(problem: FitProblem, solution: SolutionFile, name: str) -> FitView:
    """The float data of a fit picture, or a one-line error if the solution cannot be drawn.

    Raises
    ------
    InvalidSolution
        The solution has no network, or its input size differs from the instance's.
    """
    network = solution.network
    if network is None:
        raise InvalidSolution(
            f"the solution has no network to draw (status {solution.status}); plot a solution "
            "with status optimal or feasible"
        )
    if network.d != problem.d:
        raise InvalidSolution(
            f"the solution's network takes d = {network.d} inputs but the instance {name} has "
            f"d = {problem.d}; pass the solution of this instance"
        )
    X = problem.Xf.reshape(problem.n, problem.d)
    predictions = network.predict(X)
    return FitView(
        X=X,
        y=problem.yf,
        weights=problem.cf,
        predictions=predictions,
        residuals=predictions - problem.yf,
        network=network,
        title=_title(name, problem, network, solution),
    )


def plot_fit(
    problem: FitProblem,
    solution: SolutionFile,
    path: str,
    name: str,
    *,
    title: str | None = None,
) -> None:
    """Draw ``solution``'s network on ``problem``'s data to ``path`` (PNG, SVG or PDF).

    Parameters
    ----------
    problem : FitProblem
        The instance.
    solution : SolutionFile
        A solution of it (read with :func:`exactfit.io.read_solution`).
    path : str
        The picture file; written atomically.
    name : str
        The instance's name, for the title.
    title : str, optional
        Replaces the title (instance, loss, status, proof).
    """
    view = fit_view(problem, solution, name)
    if problem.d == 1:
        from exactfit.plot.curve import draw_curve as draw
    elif problem.d == 2:
        from exactfit.plot.heatmap import draw_heatmap as draw
    else:
        from exactfit.plot.residuals import draw_residuals as draw
    fig = new_figure(*((9.6, 4.2) if problem.d > 2 else (6.8, 5.0)))
    draw(fig, view)
    fig.suptitle(view.title if title is None else title, fontsize=10.5)
    save_figure(fig, path)
