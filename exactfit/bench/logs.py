"""``bench --verbose`` and ``bench --log FILE``: each run's backend log, one block per run.

The log of a run is captured on its worker (:data:`exactfit.bench.worker.LOG_KEY`: a
temporary file the backend appends to, read back into the record, so serial runs, ``-j N``
and a Dask cluster without a shared file system all work alike) and handed to the parent,
which writes it as one block when the run ends: a header line naming the run, then the log.
Blocks never interleave, whatever runs in parallel.  ``--verbose`` writes the blocks to
standard error (above the live display, on a terminal), ``--log FILE`` to FILE (started empty,
appended to with ``--resume``); the backends' descriptors stay silenced in both cases, so
nothing else reaches the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

__all__ = ["backend_logs", "header"]

Sink = Callable[[dict[str, Any], str | None], None]


def header(record: dict[str, Any]) -> str:
    """The line above a run's log: ``==> tiny_a scip: optimal 0.52s <==``."""
    wall = record.get("wall_s")
    took = f" {wall:.2f}s" if isinstance(wall, int | float) else ""
    return f"==> {record['instance']} {record['solver']}: {record['status']}{took} <=="


def _write(fh: TextIO, record: dict[str, Any], text: str | None) -> None:
    if text is None:
        body = f"({record['solver']} runs no backend: no log)\n"
    else:
        body = text if text.endswith("\n") or not text else text + "\n"
        body = body or "(the backend wrote nothing)\n"
    fh.write(f"{header(record)}\n{body}")
    fh.flush()


@contextlib.contextmanager
def backend_logs(args: argparse.Namespace) -> Iterator[Sink | None]:
    """The ``backend_log`` hook of :func:`~exactfit.bench.runner.run_benchmark` for
    ``args.verbose``/``args.log`` (``None``: no log wanted, none captured)."""
    if not args.verbose and args.log is None:
        yield None
        return
    if args.verbose:
        yield lambda record, text: _write(sys.stderr, record, text)
        return
    with open(args.log, "a" if args.resume else "w", encoding="utf-8") as fh:
        yield lambda record, text: _write(fh, record, text)
