"""The d = 2 fit picture: f as a heat map, each unit's activation line, residuals as colours.

The heat map uses a sequential colour map (f's value); the points use a diverging one centred
at 0 (blue: f below the label, red: above), with white-edged black outlines so that a point
with a near-zero residual stays visible on any background.  Each unit's line ``w·x + b = 0``
is where it switches on; a tick on the line's active side shows which half-plane that is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exactfit.plot.fit import FitView

__all__ = ["draw_heatmap"]

_GRID = 240
_LINE_COLOURS = ("black", "magenta", "tab:cyan", "gold", "lime", "tab:brown")


def _box(X: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.06 * np.where(hi - lo > 0, hi - lo, 1.0)
    return (
        float(lo[0] - pad[0]),
        float(hi[0] + pad[0]),
        float(lo[1] - pad[1]),
        float(hi[1] + pad[1]),
    )


def _segment(w: np.ndarray, b: float, box: tuple[float, float, float, float]) -> np.ndarray | None:
    """The part of ``w·x + b = 0`` inside ``box`` as two end points, or None."""
    x0, x1, y0, y1 = box
    pts = []
    if w[1] != 0:
        for x in (x0, x1):
            y = -(b + w[0] * x) / w[1]
            if y0 <= y <= y1:
                pts.append((x, y))
    if w[0] != 0:
        for y in (y0, y1):
            x = -(b + w[1] * y) / w[0]
            if x0 <= x <= x1:
                pts.append((x, y))
    if len(pts) < 2:
        return None
    pts_arr = np.unique(np.round(np.array(pts), 12), axis=0)
    return pts_arr[[0, -1]] if len(pts_arr) >= 2 else None


def _lines(ax: Any, view: FitView, box: tuple[float, float, float, float]) -> int:
    """Draw each unit's activation line; the number drawn."""
    a, W, b = view.network.arrays()
    drawn = 0
    for j in range(view.network.k):
        seg = _segment(W[j], b[j], box)
        if seg is None:
            continue
        colour = _LINE_COLOURS[j % len(_LINE_COLOURS)]
        sign = "+" if a[j] > 0 else "−"
        ax.plot(
            seg[:, 0],
            seg[:, 1],
            color=colour,
            linewidth=1.8,
            linestyle="--",
            label=f"unit {j + 1} (a = {sign}1): w·x + b = 0, arrow to its active side",
        )
        # a short arrow from the line's middle into the side where the unit is active
        mid = seg.mean(axis=0)
        step = W[j] / np.linalg.norm(W[j]) * 0.06 * min(box[1] - box[0], box[3] - box[2])
        ax.annotate(
            "",
            xy=mid + step,
            xytext=mid,
            arrowprops={"arrowstyle": "->", "color": colour, "linewidth": 1.5},
        )
        drawn += 1
    return drawn


def draw_heatmap(fig: Any, view: FitView) -> None:
    """Draw the d = 2 picture on ``fig``."""
    from matplotlib.colors import TwoSlopeNorm

    ax = fig.add_subplot(1, 1, 1)
    box = _box(view.X)
    gx = np.linspace(box[0], box[1], _GRID)
    gy = np.linspace(box[2], box[3], _GRID)
    mx, my = np.meshgrid(gx, gy)
    f = view.network.predict(np.column_stack([mx.ravel(), my.ravel()])).reshape(mx.shape)
    image = ax.imshow(
        f, origin="lower", extent=box, aspect="auto", cmap="viridis", interpolation="bilinear"
    )
    fig.colorbar(image, ax=ax, label="f(x) (background)", fraction=0.05, pad=0.02)
    drawn = _lines(ax, view, box)
    r = view.residuals
    top = float(np.abs(r).max()) or 1.0
    points = ax.scatter(
        view.X[:, 0],
        view.X[:, 1],
        c=r,
        cmap="RdBu_r",
        norm=TwoSlopeNorm(vcenter=0.0, vmin=-top, vmax=top),
        s=46,
        edgecolor="black",
        linewidth=0.7,
        zorder=3,
    )
    # below the axes, so that the two colour bars cannot be mistaken for one another
    fig.colorbar(
        points,
        ax=ax,
        label="residual f(xᵢ) − yᵢ (point colour)",
        location="bottom",
        fraction=0.05,
        pad=0.02,
        aspect=40,
    )
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if drawn:
        # above the axes: inside, a legend hid a data point or a line in the examples
        ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            fontsize=8,
            frameon=False,
            borderaxespad=0.2,
        )
    if drawn < view.network.k:
        ax.text(
            0.99,
            0.01,
            f"{view.network.k - drawn} unit line(s) outside the view",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            color="white",
        )
