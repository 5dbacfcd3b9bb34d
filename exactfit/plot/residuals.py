"""The d ≥ 3 fit picture: the residuals, against the prediction and against the sample index.

Without a way to draw f over R^d, the two views a reader checks a fit with: structure in
residual against prediction (a missed unit shows as a bend), and outliers by sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exactfit.plot.fit import FitView

__all__ = ["draw_residuals"]


def draw_residuals(fig: Any, view: FitView) -> None:
    """Draw the d ≥ 3 picture on ``fig``: two panels side by side."""
    r = view.residuals
    sizes = 30.0 * view.weights / view.weights.mean()
    left, right = fig.subplots(1, 2, sharey=True)
    left.scatter(view.predictions, r, s=sizes, color="tab:blue", edgecolor="white", linewidth=0.5)
    left.set_xlabel("prediction f(xᵢ)")
    left.set_ylabel("residual f(xᵢ) − yᵢ")
    index = np.arange(1, r.size + 1)
    right.vlines(index, 0.0, r, color="tab:blue", linewidth=1.2)
    right.scatter(index, r, s=sizes, color="tab:blue", edgecolor="white", linewidth=0.5)
    right.set_xlabel("sample i")
    for ax in (left, right):
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.grid(True, alpha=0.3)
    worst = int(np.argmax(np.abs(r)))
    right.annotate(
        f"largest |residual|: sample {worst + 1}",
        (index[worst], r[worst]),
        xytext=(6, 6),
        textcoords="offset points",
        fontsize=8,
    )
    if not np.allclose(view.weights, view.weights[0]):
        left.text(
            0.01, 0.99, "point area ∝ sample weight", transform=left.transAxes, va="top", fontsize=8
        )
