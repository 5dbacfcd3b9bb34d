"""Run every solver on every instance, locally in parallel or on a Dask cluster.

The jobs come from :mod:`exactfit.bench.jobs`; each runs through
:func:`exactfit.bench.worker.run_job`, which never raises.  Records are appended to the results
file by the submitting process as runs finish (one writer, so lines never interleave).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from exactfit.bench.jobs import Instance, Job, discover, make_jobs
from exactfit.bench.results import append_record, load_records
from exactfit.bench.worker import (
    dask_map,
    error_record,
    machine,
    run_job,
    run_sharded_job,
    versions,
)
from exactfit.errors import InputError

__all__ = [
    "Instance",
    "Job",
    "dask_map",
    "discover",
    "machine",
    "make_jobs",
    "run_benchmark",
    "run_job",
    "run_sharded_job",
    "tty_progress",
    "versions",
]


# ------------------------------------------------------------------------- executors
def _run_inline(jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
    for job in jobs:
        yield run_job(job)


def _run_processes(jobs: Sequence[Job], workers: int) -> Iterator[dict[str, Any]]:
    # spawn, not fork: the parent may hold solver threads or state that a fork would copy.
    ctx = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_quiet_stdout)
    futures = {pool.submit(run_job, job): job for job in jobs}
    try:
        for fut in cf.as_completed(futures):
            yield _result_or_error(fut, futures[fut])
    finally:
        # On an interrupt, drop what has not started and do not wait for the rest.
        pool.shutdown(wait=False, cancel_futures=True)


def _quiet_stdout() -> None:
    """Worker initialiser: send file descriptor 1 to 2, so that solver libraries printing from
    C code cannot mix text into the table the parent prints on stdout."""
    with contextlib.suppress(OSError):
        os.dup2(2, 1)


def _run_dask(jobs: Sequence[Job], client: Any) -> Iterator[dict[str, Any]]:
    from dask.distributed import as_completed

    futures = {}
    for job in jobs:
        fut = client.submit(
            run_job,
            job,
            pure=False,
            key=f"exactfit-{job.solver}-{job.instance}-{os.getpid()}-{time.monotonic_ns()}",
        )
        futures[fut] = job
    try:
        for fut in as_completed(list(futures)):
            yield _result_or_error(fut, futures[fut])
    finally:
        # Pending tasks are dropped; running ones finish on their own within their limits.
        client.cancel([f for f in futures if not f.done()])


def _result_or_error(fut: Any, job: Job) -> dict[str, Any]:
    """The job's record, or an error record when the worker itself died."""
    try:
        return fut.result()
    except Exception as exc:
        return error_record(job, f"worker failed: {type(exc).__name__}: {exc}")


def run_benchmark(
    instances: Sequence[Instance],
    solvers: Sequence[str],
    *,
    time_limit: float,
    output: str | os.PathLike[str],
    jobs: int = 1,
    resume: bool = False,
    client: Any = None,
    scheduler: str | None = None,
    shards: int = 1,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run ``solvers`` × ``instances``, appending a record to ``output`` as each run ends.

    Parameters
    ----------
    instances, solvers
        What to run (solver names from the registry).
    time_limit : float
        Seconds per run, enforced by each solver.
    output : path
        The JSONL results file.  It must not exist (or be empty) unless ``resume``, which
        keeps its records, skips the (instance, solver) pairs they cover and appends the rest;
        resuming with a different time limit is refused (the table would mix limits).
    jobs : int
        Local worker processes (1 runs in this process).
    client, scheduler
        A ``dask.distributed.Client``, or the address of a scheduler to connect to; either
        runs the jobs on that cluster instead of locally.
    shards : int
        With ``shards > 1``, each ``enum`` run splits its cells into that many shards spread
        over the same executor (the cluster, or ``jobs`` local processes); these runs go one
        at a time after the others.
    progress : callable, optional
        Called as ``progress(done, total, record)`` after each run.

    Returns
    -------
    list of dict
        All records of the file: the earlier ones (when resuming) and the new ones.
    """
    out = Path(output)
    previous = _previous_records(out, resume, time_limit)
    done = {(r["instance"], r["solver"]) for r in previous}
    todo = make_jobs(instances, solvers, time_limit, skip=done)
    sharded = [j for j in todo if shards > 1 and j.solver == "enum"]
    todo = [j for j in todo if j not in sharded]
    total = len(todo) + len(sharded)
    records = list(previous)
    own_client = None
    if client is None and scheduler is not None:
        from dask.distributed import Client

        client = own_client = Client(scheduler)
    try:
        if client is not None:
            stream = _run_dask(todo, client)
        elif jobs > 1 and len(todo) > 1:
            stream = _run_processes(todo, min(jobs, len(todo)))
        else:
            stream = _run_inline(todo)
        with open(out, "a", encoding="utf-8") as fh:
            for count, record in enumerate(_chain(stream, sharded, shards, jobs, client), 1):
                append_record(fh, record)
                records.append(record)
                if progress is not None:
                    progress(count, total, record)
    finally:
        if own_client is not None:
            own_client.close()
    return records


def _previous_records(out: Path, resume: bool, time_limit: float) -> list[dict[str, Any]]:
    """The records already in ``out`` (refused unless resuming with the same time limit)."""
    if not out.exists() or out.stat().st_size == 0:
        return []
    if not resume:
        raise InputError(
            f"{out} already holds results; pass --resume to continue it or choose another -o"
        )
    previous = load_records(out, repair=True)
    limits = {float(r["time_limit"]) for r in previous}
    if limits and limits != {float(time_limit)}:
        raise InputError(
            f"{out} holds runs with time limit {sorted(limits)[0]:g} s but --time-limit is "
            f"{time_limit:g} s; use the same limit to resume, or a new -o file"
        )
    return previous


def _chain(
    stream: Iterator[dict[str, Any]], sharded: Sequence[Job], shards: int, jobs: int, client: Any
) -> Iterator[dict[str, Any]]:
    """The records of ``stream``, then those of the sharded ``enum`` runs."""
    yield from stream
    if not sharded:
        return
    if client is not None:
        for job in sharded:
            yield run_sharded_job(job, shards, dask_map(client))
    elif jobs > 1:
        ctx = multiprocessing.get_context("spawn")
        pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_quiet_stdout)
        try:
            for job in sharded:
                yield run_sharded_job(job, shards, pool.map)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    else:
        for job in sharded:
            yield run_sharded_job(job, shards, map)


def tty_progress(stream: Any = None) -> Callable[[int, int, dict[str, Any]], None] | None:
    """A one-line progress printer for ``stream`` (stderr), or ``None`` if it is not a TTY."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None

    def show(done: int, total: int, record: dict[str, Any]) -> None:
        wall = record.get("wall_s")
        took = f"{wall:.2f}s" if isinstance(wall, int | float) else "-"
        what = f"{record['instance']} {record['solver']}: {record['status']} {took}"
        line = f"[{done}/{total}] {what}"
        stream.write("\r\033[K" + line[:120] + ("\n" if done == total else ""))
        stream.flush()

    return show
