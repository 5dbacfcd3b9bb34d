"""What the CLI prints: result summaries, and keeping stdout clean of backend chatter."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exactfit.result import Result, Status

__all__ = ["EXIT_CODES", "format_network", "format_result", "known_optimum", "stdout_to_stderr"]

#: Exit code of a solve by the status of its result.
EXIT_CODES = {
    Status.OPTIMAL: 0,
    Status.FEASIBLE: 10,
    Status.NO_SOLUTION: 20,
    Status.INFEASIBLE: 20,
    Status.ERROR: 1,
}


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to file descriptor 1 to 2 (backends print from C code).

    Keeps ``--json`` output on stdout parseable whatever a solver library prints.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (e.g. some embedded runners): nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def format_network(network: Any) -> str:
    lines = []
    for u in network.units:
        terms = " ".join(f"{float(v):+.10g}·x{i + 1}" for i, v in enumerate(u.w))
        b = float(u.b)
        bias = f" {b:+.10g}" if b != 0 else ""
        lines.append(f"{'+' if u.a > 0 else '-'}σ({terms}{bias})")
    return "f(x) = " + "\n         ".join(lines)


def known_optimum(instance: str, objective: float | None) -> str | None:
    """The summary's ``known`` line: what ``index.solu`` says of ``instance``, or None.

    A malformed answers file is reported on the line rather than raised: the solve itself is
    fine, and failing it over a side file would lose hours of work.
    """
    from exactfit.bench.results import tolerance
    from exactfit.bench.solu import known_entry
    from exactfit.errors import InputError

    try:
        found = known_entry(instance)
    except InputError as exc:
        return f"— (the answers file could not be read: {exc})"
    if found is None:
        return None
    entry, solu = found
    rel = os.path.relpath(solu)
    where = rel if not rel.startswith(f"..{os.sep}..") else str(solu)
    if entry.kind in ("inf", "unkn"):
        return f"{'infeasible' if entry.kind == 'inf' else 'nothing known'}, says {where}"
    value = float(entry.value)  # type: ignore[arg-type]
    what = "the optimum" if entry.kind == "opt" else "the best known loss"
    text = f"{value:.12g}, {what} in {where}"
    if objective is not None:
        diff = objective - value
        if abs(diff) <= tolerance(objective, value):
            text += "; this loss matches it"
        else:
            text += f"; this loss is {'above' if diff > 0 else 'below'} it by {abs(diff):.3g}"
    return text


def format_result(result: Result, instance: str | None = None) -> str:
    """A human-readable summary of a result; ``instance`` (its file) adds the instance's name
    and what the library's ``index.solu`` knows of it."""

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:.12g}"

    rows = []
    if instance is not None:
        rows.append(("instance", "stdin" if instance == "-" else Path(instance).stem))
    rows.append(
        (
            "status",
            result.status.value + (f" (limit: {result.limit.value})" if result.limit else ""),
        )
    )
    if result.proof is not None:
        rows.append(("proof", f"{result.proof.value}: {result.proof_detail}".rstrip(": ")))
    loss = num(result.objective)
    exact = result.stats.get("objective_exact")
    if exact is not None:
        loss += f"  (exact {exact})"
    rows.append(("loss", loss))
    known = None if instance is None else known_optimum(instance, result.objective)
    if known is not None:
        rows.append(("known", known))
    rows.append(("bound", num(result.bound)))
    gap = result.gap
    rows.append(("gap", "—" if gap is None else f"{gap:.3g}"))
    solver = result.solver + (f"  [{result.stats['auto']}]" if "auto" in result.stats else "")
    rows += [("solver", solver), ("wall time", f"{result.wall_s:.3f} s")]
    if result.network is not None:
        rows.append(("network", format_network(result.network)))
    shown = {k: v for k, v in result.stats.items() if k not in ("auto", "objective_exact")}
    if shown:
        rows.append(("stats", ", ".join(f"{k}={_short(v)}" for k, v in shown.items())))
    if result.message:
        rows.append(("note", result.message))
    return "\n".join(f"{k:<10} {v}" for k, v in rows)


def _short(v: Any) -> str:
    text = json.dumps(v) if isinstance(v, list | dict) else str(v)
    return text if len(text) <= 60 else text[:57] + "..."
