"""The hooks the ``ortools`` solver hands to ``mathopt.solve``: its log file and live progress.

MathOpt's message callback receives the backend's log lines (GSCIP's SCIP log) whether or not
``enable_output`` is set, so a log file needs no file-descriptor tricks.  Its solve callback
reports GSCIP's primal and dual bound and node count (``CallbackData.mip_stats``) on the
events ``MIP_SOLUTION`` and ``MIP_NODE``; ``MIP`` is refused by GSCIP in this wheel ("event
CALLBACK_EVENT_MIP is not supported").  The callback is registered only when someone observes
the progress (:attr:`MipProgress.enabled`), so an unobserved solve pays nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exactfit.solvers._signmodels import MipProgress

__all__ = ["solve_hooks"]


def solve_hooks(log: Any, live: MipProgress | None, scale: float) -> dict[str, Any]:
    """``mathopt.solve``'s keyword arguments for the ``log`` file (``msg_cb``, appending each
    line) and the live progress (``callback_reg`` and ``cb``: GSCIP supports the MIP_SOLUTION
    and MIP_NODE events, not MIP, in this wheel)."""
    from ortools.math_opt.python import mathopt

    hooks: dict[str, Any] = {}
    if log is not None:
        path = log

        def write(lines: Sequence[str]) -> None:
            # opened per batch of lines: the file stays complete if the process is killed
            with open(path, "a", encoding="utf-8") as fh:
                fh.writelines(line + "\n" for line in lines)

        hooks["msg_cb"] = write
    if live is not None and live.enabled:
        unscale = scale**2

        def watch(data: Any) -> Any:
            stats = data.mip_stats
            if stats is not None:
                live.model(
                    lambda: (
                        stats.primal_bound / unscale,
                        stats.dual_bound / unscale,
                        int(stats.explored_nodes),
                    )
                )
            return mathopt.CallbackResult()

        events = {mathopt.Event.MIP_SOLUTION, mathopt.Event.MIP_NODE}
        hooks["callback_reg"] = mathopt.CallbackRegistration(events=events)
        hooks["cb"] = watch
    return hooks
