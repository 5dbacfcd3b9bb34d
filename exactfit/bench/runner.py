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
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from exactfit import interrupt
from exactfit.bench.jobs import Instance, Job, discover, make_jobs
from exactfit.bench.relay import Relay, run_job_live, set_queue
from exactfit.bench.results import append_record, load_records
from exactfit.bench.worker import (
    LOG_KEY,
    dask_map,
    error_record,
    machine,
    run_job,
    run_sharded_job,
    versions,
)
from exactfit.errors import InputError
from exactfit.result import Limit

#: Seconds to wait for a terminated worker before killing it.
_JOIN_S = 2.0

__all__ = [
    "Instance",
    "Job",
    "dask_map",
    "discover",
    "live_display",
    "machine",
    "make_jobs",
    "record_line",
    "run_benchmark",
    "run_job",
    "run_sharded_job",
    "versions",
]


# ------------------------------------------------------------------------- executors
def _run_inline(
    jobs: Sequence[Job], started: Callable[[Job], None] | None = None
) -> Iterator[dict[str, Any]]:
    for job in jobs:
        if started is not None:
            started(job)
        yield run_job(job)


def _run_processes(
    jobs: Sequence[Job], workers: int, relay: Relay | None = None
) -> Iterator[dict[str, Any]]:
    """The jobs' records from ``workers`` local processes; with a ``relay``, the workers
    forward their runs' progress to it through a queue (read in a thread of this process)."""
    channel = _SPAWN.Queue() if relay is not None else None
    pool = _pool(workers, channel)
    with relay.from_queue(channel) if relay is not None else contextlib.nullcontext():
        try:
            with _blocked_sigint():
                # Workers are spawned inside submit(): born with SIGINT blocked, so a Ctrl-C
                # while one starts up cannot kill it mid-import (the parent gets it later).
                run = run_job if relay is None else run_job_live
                futures = {pool.submit(run, job): job for job in jobs}
            for fut in cf.as_completed(futures):
                yield _result_or_error(fut, futures[fut])
        except BaseException:  # Ctrl-C, or the consumer closed us early (GeneratorExit)
            with _blocked_sigint():  # a second Ctrl-C must not leave workers half-stopped
                _stop_pool(pool)
            raise
        pool.shutdown(wait=True)


#: spawn, not fork: the parent may hold solver threads or state that a fork would copy.
_SPAWN = multiprocessing.get_context("spawn")


def _pool(workers: int, channel: Any = None) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=_SPAWN, initializer=_init_worker, initargs=(channel,)
    )


@contextlib.contextmanager
def _blocked_sigint() -> Iterator[None]:
    """Block SIGINT in this thread for the scope; a pending one is delivered on exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: drop the queued jobs and kill the workers (a solver inside C code
    would otherwise finish its run first, up to the time limit)."""
    # ProcessPoolExecutor has no public way to stop running calls before Python 3.14's
    # terminate_workers(); its table of worker processes is the only handle on them.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.join(_JOIN_S)
        if proc.is_alive():
            proc.kill()
            proc.join(_JOIN_S)


def _init_worker(channel: Any = None) -> None:
    """Worker initialiser: ignore SIGINT, which the terminal sends to the whole process group
    (the parent alone decides what a Ctrl-C stops, and kills its workers); send file
    descriptor 1 to 2, so that solver libraries printing from C code cannot mix text into the
    table the parent prints on stdout; keep ``channel``, the queue for live progress."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    with contextlib.suppress(OSError):
        os.dup2(2, 1)
    set_queue(channel)


def _run_dask(
    jobs: Sequence[Job], client: Any, relay: Relay | None = None
) -> Iterator[dict[str, Any]]:
    """The jobs' records from the cluster; with a ``relay``, the tasks forward their runs'
    progress to it through the scheduler's event log."""
    from dask.distributed import as_completed

    with relay.from_dask(client) if relay is not None else contextlib.nullcontext() as channel:
        futures = {}
        for job in jobs:
            key = f"exactfit-{job.solver}-{job.instance}-{os.getpid()}-{time.monotonic_ns()}"
            if channel is None:
                fut = client.submit(run_job, job, pure=False, key=key)
            else:
                fut = client.submit(run_job_live, job, channel, pure=False, key=key)
            futures[fut] = job
        try:
            for fut in as_completed(list(futures)):
                yield _result_or_error(fut, futures[fut])
        except BaseException:  # Ctrl-C, or the consumer closed us early (GeneratorExit)
            with _blocked_sigint():
                _stop_dask(client, [f for f in futures if not f.done()])
            raise


def _stop_dask(client: Any, futures: list[Any]) -> None:
    """Cancel ``futures`` and ask the workers to stop the MIQP solves they are running.

    Dask cannot stop a running task; :func:`exactfit.interrupt.stop_running` run on every
    worker calls the stop of each scip or ortools solve there (they register it even off the
    main thread), which then returns at once, its result discarded.  A running ``enum`` task only
    honours ``KeyboardInterrupt`` and finishes within its time limit.  The request reaches
    every solve on those workers, also those of another client.
    """
    with contextlib.suppress(Exception):
        client.cancel(futures, force=True)
    if futures:
        with contextlib.suppress(Exception):
            client.run(interrupt.stop_running, on_error="ignore")


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
    started: Callable[[Job], None] | None = None,
    relay: Relay | None = None,
    backend_log: Callable[[dict[str, Any], str | None], None] | None = None,
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
    started : callable, optional
        Called as ``started(job)`` before each run made in this process (serial runs: their
        live progress is then this process's, see :func:`live_display`).
    relay : Relay, optional
        Where runs in other processes forward their live progress (:mod:`.relay`).
    backend_log : callable, optional
        Each run then captures its backend's log; called as ``backend_log(record, text)``
        when the run ends (``text`` ``None`` for a solver without a backend).

    Returns
    -------
    list of dict
        All records of the file: the earlier ones (when resuming) and the new ones.
    """
    out = Path(output)
    previous = _previous_records(out, resume, time_limit)
    done = {(r["instance"], r["solver"]) for r in previous}
    todo = make_jobs(instances, solvers, time_limit, skip=done, log=backend_log is not None)
    sharded = [j for j in todo if shards > 1 and j.solver == "enum"]
    todo = [j for j in todo if j not in sharded]
    total = len(todo) + len(sharded)
    records = list(previous)
    own_client = None
    if client is None and scheduler is not None:
        from dask.distributed import Client

        client = own_client = Client(scheduler)
    try:
        stream = _executor(todo, jobs, client, relay, started)
        # closing(): on Ctrl-C the executors stop at once (kill their workers, cancel tasks)
        # instead of when the generator is collected.
        with (
            interrupt.session(),
            contextlib.closing(_chain(stream, sharded, shards, jobs, client, started)) as chained,
        ):
            _append_all(chained, out, records, total, progress, backend_log)
    finally:
        if own_client is not None:
            own_client.close()
    return records


def _executor(
    todo: Sequence[Job], jobs: int, client: Any, relay: Relay | None, started: Any
) -> Iterator[dict[str, Any]]:
    """The records of ``todo`` from the cluster, local processes, or this process."""
    if client is not None:
        return _run_dask(todo, client, relay)
    if jobs > 1 and len(todo) > 1:
        return _run_processes(todo, min(jobs, len(todo)), relay)
    return _run_inline(todo, started)


def _append_all(
    stream: Iterator[dict[str, Any]],
    out: Path,
    records: list[dict[str, Any]],
    total: int,
    progress: Callable[[int, int, dict[str, Any]], None] | None,
    backend_log: Callable[[dict[str, Any], str | None], None] | None = None,
) -> None:
    """Append each record of ``stream`` to ``out`` (and ``records``) as it arrives, handing
    the run's backend log, which is not part of the record, to ``backend_log``.

    A run that ended because the user pressed Ctrl-C (a solver in this process stops with
    ``limit`` "interrupt" and the request set) is not a result: it is not written, so that
    ``--resume`` runs it again, and the benchmark stops with ``KeyboardInterrupt``.
    """
    with open(out, "a", encoding="utf-8") as fh:
        for count, record in enumerate(stream, 1):
            if interrupt.requested() or record.get("limit") == Limit.INTERRUPT.value:
                raise KeyboardInterrupt
            text = record.pop(LOG_KEY, None)
            if backend_log is not None:
                backend_log(record, text)
            append_record(fh, record)
            records.append(record)
            if progress is not None:
                progress(count, total, record)


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
    stream: Iterator[dict[str, Any]],
    sharded: Sequence[Job],
    shards: int,
    jobs: int,
    client: Any,
    started: Callable[[Job], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The records of ``stream``, then those of the sharded ``enum`` runs.

    A sharded run is driven from this process (its shards go to the executor, the merge and
    the certificate run here), so ``started`` is called for it as for a serial run: the
    display's nested line then shows the shards as they finish.
    """
    yield from stream
    if not sharded:
        return

    def run(job: Job, map_fn: Callable[..., Any]) -> dict[str, Any]:
        if started is not None:
            started(job)
        return run_sharded_job(job, shards, map_fn)

    if client is not None:
        for job in sharded:
            yield run(job, dask_map(client))
    elif jobs > 1:
        pool = _pool(jobs)
        try:
            for job in sharded:
                yield run(job, _pool_map(pool))
        except BaseException:
            with _blocked_sigint():
                _stop_pool(pool)
            raise
        pool.shutdown(wait=True)
    else:
        for job in sharded:
            yield run(job, _stoppable_map)


def _pool_map(pool: cf.ProcessPoolExecutor) -> Callable[..., Iterator[Any]]:
    """``pool.map``, but submitting (and so spawning workers) with SIGINT blocked; results
    come in order as they finish (so the caller can report each shard)."""

    def mapper(f: Callable[..., Any], items: Iterable[Any]) -> Iterator[Any]:
        with _blocked_sigint():
            futures = [pool.submit(f, item) for item in items]
        return (fut.result() for fut in futures)

    return mapper


def _stoppable_map(f: Callable[..., Any], items: Iterable[Any]) -> Iterator[Any]:
    """``map`` that starts no further item once a stop was requested: each shard catches its
    own Ctrl-C, and the next one would otherwise start afresh."""
    for item in items:
        if interrupt.requested():
            raise KeyboardInterrupt
        yield f(item)


def record_line(done: int, total: int, record: dict[str, Any]) -> str:
    """The ``[i/N]`` line of a finished run: ``[1/2] p enum: optimal 0.50s``."""
    wall = record.get("wall_s")
    took = f"{wall:.2f}s" if isinstance(wall, int | float) else "-"
    return f"[{done}/{total}] {record['instance']} {record['solver']}: {record['status']} {took}"


@contextlib.contextmanager
def live_display(stream: Any = None, enabled: bool | None = None) -> Iterator[dict[str, Any]]:
    """The ``progress`` and ``started`` hooks of :func:`run_benchmark` for one live display
    on ``stream`` (stderr; only a terminal unless ``enabled``), or no hooks (``{}``).

    The display's header is the ``[i/N]`` line of the last finished run; below it, a nested
    line per run in progress (incumbent, bound, cells or nodes), which disappears when the run
    ends: a serial run reports in this process, runs in worker processes or on a cluster
    through the ``relay`` hook (:mod:`exactfit.bench.relay`).
    """
    from exactfit import progress
    from exactfit.live import LiveDisplay, terminal_stream

    out = terminal_stream(stream, enabled)
    if out is None:
        yield {}
        return
    display = LiveDisplay(out)
    relay = Relay(display)

    def started(job: Job) -> None:
        display.begin(job.instance, solver=job.solver)

    def finished(done: int, total: int, record: dict[str, Any]) -> None:
        display.end(keep=False)
        relay.finished(record["instance"], record["solver"])
        display.set_header(record_line(done, total, record))

    display.set_header("[0/?] starting")
    with display, progress.observing(display):
        yield {"progress": finished, "started": started, "relay": relay}
