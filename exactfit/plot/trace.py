"""Reading a solve's trace file and drawing incumbent, bound and gap against time.

A trace (``exactfit solve --trace FILE``; the format is in docs/formats.md, "Trace files") is
JSON lines, one event per line::

    {"t": 0.42, "solver": "scip", "event": "incumbent", "incumbent": 0.245, "bound": 0.188}

``event`` is ``incumbent``, ``bound``, ``progress`` or ``final`` (the last line); ``incumbent``
and ``bound`` are numbers or null (not known yet).  Other keys are ignored, so that a later
writer may add fields.  Between events the values hold, so both are drawn as step functions.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactfit.errors import InputError
from exactfit.plot.figure import new_figure, save_figure
from exactfit.result import relative_gap
from exactfit.trace import TraceEvent
from exactfit.trace import read_trace as read_events

__all__ = ["Trace", "plot_trace", "read_trace", "relative_gap"]

#: y is drawn on a log scale when the positive values span at least this factor.
_LOG_SPAN = 100.0


@dataclass(frozen=True)
class Trace:
    """A trace file's events in file order; ``complete`` when the last one is ``final``."""

    source: str
    points: tuple[TraceEvent, ...]

    @property
    def complete(self) -> bool:
        return bool(self.points) and self.points[-1].event == "final"


def read_trace(path: str | os.PathLike[str]) -> Trace:
    """Read a trace file with :func:`exactfit.trace.read_trace` (the one reader of the format);
    a file without any event is refused too, since there is nothing to draw.

    Raises
    ------
    InputError
        A missing or unreadable file, a malformed line (named by number), or no events.
    """
    events = read_events(path)
    if not events:
        raise InputError(
            f"{path}: expected trace lines (JSON objects, one per line), found none; "
            "record one with exactfit solve INSTANCE --trace FILE"
        )
    return Trace(str(path), tuple(events))


def _series(trace: Trace, solver: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times and the carried-forward incumbent and bound (NaN while unknown) of ``solver``."""
    ts, inc, bnd = [], [], []
    last_i = last_b = math.nan
    for p in trace.points:
        if p.solver != solver:
            continue
        last_i = last_i if p.incumbent is None else p.incumbent
        last_b = last_b if p.bound is None else p.bound
        ts.append(p.t)
        inc.append(last_i)
        bnd.append(last_b)
    return np.array(ts), np.array(inc), np.array(bnd)


def _y_scale(ax: Any, values: np.ndarray) -> str:
    """Log y when the values span decades (symlog if some are 0, which log cannot show)."""
    finite = values[np.isfinite(values)]
    positive = finite[finite > 0]
    if positive.size == 0 or (finite < 0).any() or positive.max() / positive.min() < _LOG_SPAN:
        return "linear"
    if (finite == 0).any():
        # linear only below the decade of the smallest positive value, so that the ticks
        # stay powers of ten and 0 (a trivial bound) sits just under them
        floor = 10.0 ** math.floor(math.log10(float(positive.min())))
        ax.set_yscale("symlog", linthresh=floor, linscale=0.4)
        return "symlog"
    ax.set_yscale("log")
    return "log"


def _gap_text(inc: float, bnd: float) -> str:
    gap = relative_gap(None if math.isnan(inc) else inc, None if math.isnan(bnd) else bnd)
    if gap is None:
        return "final gap: — (no bound or no incumbent)"
    return "final gap: 0 (bound meets incumbent)" if gap == 0 else f"final gap: {100 * gap:.3g} %"


def _draw_solver(top: Any, bottom: Any, trace: Trace, solver: str, i: int, many: bool) -> Any:
    """Draw one solver's curves; returns its series (times, incumbent, bound)."""
    ts, inc, bnd = _series(trace, solver)
    t_end = max(p.t for p in trace.points)
    # hold the last values until the end of the trace
    ts, inc, bnd = np.append(ts, t_end), np.append(inc, inc[-1]), np.append(bnd, bnd[-1])
    tag = f" ({solver})" if many else ""
    colour = f"C{2 * i}"
    top.step(ts, inc, where="post", color=colour, linewidth=2, label=f"incumbent{tag}")
    top.step(
        ts,
        bnd,
        where="post",
        color=colour,
        linestyle="--",
        linewidth=2,
        label=f"proven lower bound{tag}",
    )
    top.fill_between(ts, bnd, inc, step="post", color=colour, alpha=0.12, linewidth=0)
    top.plot([t_end, t_end], [inc[-1], bnd[-1]], "o", color=colour, markersize=5)
    gaps = [
        relative_gap(None if math.isnan(a) else a, None if math.isnan(b) else b)
        for a, b in zip(inc, bnd, strict=True)
    ]
    gap = np.array([math.nan if g is None else 100.0 * g for g in gaps])
    bottom.step(ts, gap, where="post", color=colour, linewidth=1.6)
    # a gap known only at the last event would otherwise be a step of zero width
    bottom.plot([t_end], [gap[-1]], "o", color=colour, markersize=5)
    # the final gap as a legend entry without a line: the legend finds a free corner for it
    top.plot([], [], " ", label=f"{solver}: {_gap_text(inc[-1], bnd[-1])}")
    return ts, inc, bnd, gap


def plot_trace(trace: Trace, path: str, title: str | None = None) -> None:
    """Draw incumbent and bound against time (top) and the relative gap (bottom) to ``path``."""
    fig = new_figure(6.8, 5.2)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.3])
    solvers = list(dict.fromkeys(p.solver for p in trace.points))
    drawn = [
        _draw_solver(top, bottom, trace, s, i, len(solvers) > 1) for i, s in enumerate(solvers)
    ]
    scale = _y_scale(top, np.concatenate([np.concatenate(d[1:3]) for d in drawn]))
    top.set_ylabel("loss" + ("" if scale == "linear" else f" ({scale} scale)"))
    top.legend(loc="best", fontsize=9, framealpha=0.9)
    t_end = max(p.t for p in trace.points)
    # time starts at the solve's start, whenever the first event came
    top.set_xlim(0.0, t_end * 1.02 if t_end > 0 else 1.0)
    if all(np.isnan(np.concatenate(d[1:3])).all() for d in drawn):
        top.text(
            0.5,
            0.5,
            "no incumbent and no bound in the trace",
            transform=top.transAxes,
            ha="center",
            va="center",
            fontsize=10,
        )
    top.grid(True, which="both", alpha=0.3)
    bottom.set_ylabel("relative gap %")
    bottom.set_xlabel("seconds since the solve started")
    bottom.set_ylim(-4, 105)  # a final gap of 0 is a marker on the axis: keep it whole
    bottom.grid(True, alpha=0.3)
    if all(np.isnan(d[3]).all() for d in drawn):
        bottom.text(
            0.5,
            0.5,
            "no gap: the trace never has both an incumbent and a bound",
            transform=bottom.transAxes,
            ha="center",
            va="center",
            fontsize=9,
        )
    if title is None:
        title = f"{', '.join(solvers)}: incumbent and bound over {t_end:.3g} s"
        title += f" ({os.path.basename(trace.source)}"
        title += ")" if trace.complete else "; incomplete: no final line)"
    fig.suptitle(title, fontsize=11)
    save_figure(fig, path)
