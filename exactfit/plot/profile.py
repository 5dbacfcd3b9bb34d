"""The Dolan–Moré performance profile panel of ``bench report --plot``.

The ratios come from :func:`exactfit.bench.report.performance_profile`; this module only draws
them: ``ρ_s(τ)``, the fraction of the common instances solver s solves within a factor τ of the
fastest, as a step function of τ on a log₂ axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["draw_profile"]


def draw_profile(
    ax: Any, ratios: Mapping[str, Sequence[float]], n: int, time_limit: float | None
) -> None:
    """Draw the profile of ``ratios`` (per solver, sorted, ∞ if unsolved) over ``n`` instances."""
    finite = [r for rs in ratios.values() for r in rs if math.isfinite(r)]
    tau_max = max([2.0, *finite]) * 1.25
    for i, (s, rs) in enumerate(ratios.items()):
        xs, ys = [1.0], [0.0]
        for j, r in enumerate(rs, 1):
            if not math.isfinite(r):
                break
            xs.append(r)
            ys.append(j / n if n else 0.0)
        xs.append(tau_max)
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", label=s, linewidth=1.8, color=f"C{i}")
    ax.set_xscale("log", base=2)
    ax.set_xlim(1.0, tau_max)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel("τ (time within a factor τ of the fastest solver)")
    ax.set_ylabel("fraction of instances solved, ρ(τ)")
    title = f"Performance profile: {n} instances"
    if time_limit is not None:
        title += f", limit {time_limit:g} s"
    ax.set_title(title, fontsize=10.5)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
