"""What the CLI prints: result summaries, and keeping stdout clean of backend chatter."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from exactfit.result import Result

__all__ = ["format_network", "format_result", "stdout_to_stderr"]


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


def format_result(result: Result) -> str:
    """A human-readable summary of a result."""

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:.12g}"

    rows = [
        (
            "status",
            result.status.value + (f" (limit: {result.limit.value})" if result.limit else ""),
        )
    ]
    if result.proof is not None:
        rows.append(("proof", f"{result.proof.value}: {result.proof_detail}".rstrip(": ")))
    loss = num(result.objective)
    exact = result.stats.get("objective_exact")
    if exact is not None:
        loss += f"  (exact {exact})"
    rows += [("loss", loss), ("bound", num(result.bound))]
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
