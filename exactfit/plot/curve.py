"""The d = 1 fit picture: the points, the piecewise-linear f and its kinks.

f is linear between the kinks ``x = −b_j / w_j`` of its units, so it is drawn exactly by
evaluating it at the ends of the view and at every kink inside it (no sampling grid that could
cut a corner).  Thin grey segments join each point to f: their lengths are the residuals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exactfit.plot.fit import FitView

__all__ = ["draw_curve", "kinks"]

#: Kinks up to this fraction of the data's span beyond it are brought into view.
_REACH = 0.25


def kinks(view: FitView) -> np.ndarray:
    """The sorted kink positions ``−b_j / w_j`` of the units with ``w_j ≠ 0``."""
    _, W, b = view.network.arrays()
    w = W[:, 0]
    return np.sort(-b[w != 0] / w[w != 0])


def _window(x: np.ndarray, knots: np.ndarray) -> tuple[float, float]:
    lo, hi = float(x.min()), float(x.max())
    span = hi - lo or 1.0
    near = knots[(knots >= lo - _REACH * span) & (knots <= hi + _REACH * span)]
    if near.size:
        lo, hi = min(lo, float(near.min())), max(hi, float(near.max()))
    pad = 0.04 * (hi - lo or 1.0)
    return lo - pad, hi + pad


def draw_curve(fig: Any, view: FitView) -> None:
    """Draw the d = 1 picture on ``fig``."""
    ax = fig.add_subplot(1, 1, 1)
    x = view.X[:, 0]
    knots = kinks(view)
    lo, hi = _window(x, knots)
    inside = knots[(knots > lo) & (knots < hi)]
    xs = np.unique(np.concatenate([[lo, hi], inside]))
    f = view.network.predict(xs.reshape(-1, 1))
    ax.vlines(
        x,
        view.y,
        view.predictions,
        color="0.6",
        linewidth=0.8,
        zorder=1,
        label="residuals f(xᵢ) − yᵢ",
    )
    sizes = 28.0 * view.weights / view.weights.mean()
    ax.scatter(
        x,
        view.y,
        s=sizes,
        color="tab:blue",
        edgecolor="white",
        linewidth=0.5,
        zorder=3,
        label=f"data ({x.size} points)",
    )
    ax.plot(xs, f, color="tab:orange", linewidth=2.0, zorder=2, label="fitted f(x)")
    if inside.size:
        fk = view.network.predict(inside.reshape(-1, 1))
        hidden = knots.size - inside.size
        label = "kinks (x = −b/w)" + (f"; {hidden} more outside the view" if hidden else "")
        # hollow and under the points: a filled marker hid a data point lying on a kink
        ax.scatter(
            inside,
            fk,
            marker="D",
            s=60,
            facecolor="none",
            edgecolor="black",
            linewidth=1.4,
            zorder=2.5,
            label=label,
        )
        for xk in inside:
            ax.axvline(xk, color="black", linewidth=0.6, linestyle=":", zorder=0)
    elif knots.size:
        ax.plot([], [], " ", label=f"{knots.size} kink(s), all outside the view")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("x")
    ax.set_ylabel("y and f(x)")
    ax.grid(True, alpha=0.3)
    if not np.allclose(view.weights, view.weights[0]):
        ax.plot([], [], " ", label="point area ∝ sample weight")
    ax.legend(loc="best", fontsize=9, framealpha=0.9)
