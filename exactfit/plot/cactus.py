"""The cactus panel of ``bench report --plot``: instances solved against time, per solver.

For each solver, the number of instances it solved (OPTIMAL and not WRONG) within t seconds,
as a step function of t on a log axis: a curve further up and left is better.  A dashed line in
the same colour counts only the solved runs whose bound was proven in exact rational arithmetic
(record field ``proof == "exact"``), drawn when a solver has any.  The data come from
:func:`exactfit.bench.report.cactus`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["draw_cactus"]

#: Times below this count as this, so that a log axis can show instant runs.
FLOOR_S = 0.01


def _step(ax: Any, times: Sequence[float], t_max: float, **style: Any) -> None:
    xs = [FLOOR_S, *(max(t, FLOOR_S) for t in times), t_max]
    ys = [0, *range(1, len(times) + 1), len(times)]
    ax.step(xs, ys, where="post", **style)


def draw_cactus(
    ax: Any,
    solved: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    instances: int,
    time_limit: float | None,
) -> None:
    """Draw per solver ``(times of solved runs, times of exactly proven runs)``, each sorted.

    ``instances`` (the number of instances in the records) sets the top of the y axis.
    """
    every = [t for pair in solved.values() for ts in pair for t in ts]
    t_max = max([time_limit or 1.0, *every, FLOOR_S * 10]) * 1.1
    exact_drawn = False
    for i, (s, (times, exact)) in enumerate(solved.items()):
        colour = f"C{i}"
        # a dashed line on top of the solid one would be invisible: say it in the label
        every_exact = bool(times) and len(exact) == len(times)
        label = f"{s}: {len(times)} solved" + (", all with an exact proof" if every_exact else "")
        _step(ax, times, t_max, color=colour, linewidth=1.8, label=label)
        if exact and not every_exact:
            _step(
                ax,
                exact,
                t_max,
                color=colour,
                linewidth=1.2,
                linestyle="--",
                label=f"{s}: {len(exact)} with an exact proof",
            )
        exact_drawn = exact_drawn or (bool(exact) and not every_exact)
    if time_limit is not None:
        ax.axvline(time_limit, color="0.4", linewidth=0.8, linestyle=":")
        ax.annotate(
            f"limit {time_limit:g} s",
            (time_limit, 0.5),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            va="center",
            fontsize=8,
            color="0.3",
        )
    ax.set_xscale("log")
    ax.set_xlim(FLOOR_S, t_max)
    ax.set_ylim(0, max(instances, 1) * 1.04)
    ax.set_xlabel("time per instance, seconds (log scale)")
    ax.set_ylabel("instances solved (optimal) within the time")
    title = f"Cactus plot: {instances} instances"
    if exact_drawn:
        title += " (dashed: exact proofs)"
    ax.set_title(title, fontsize=10.5)
    # major lines only: the minor ones of a log axis crowd the steps
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8.5)  # the curves climb to the upper right
