"""Run every solver on every instance, locally in parallel or on a Dask cluster.

Each (instance, solver) pair is a :class:`Job` carrying the instance *text*, so a worker needs
no shared file system, and its own time limit, because neither a process pool nor Dask can
stop a task that is running.  :func:`run_job` is the unit of work; it never raises: a solver
exception becomes a record with status ``error`` and the exception in ``message``.  Records are
appended to the results file by the submitting process as runs finish (one writer, so lines
never interleave).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime
import importlib
import json
import multiprocessing
import os
import platform
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from exactfit.bench.results import RECORD_FORMAT, append_record, load_records
from exactfit.bench.solu import QUICK_NAME, find_library_file, read_quick
from exactfit.errors import BudgetExceeded, InputError

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
    "versions",
]

INSTANCE_SUFFIX = ".json"


@dataclass(frozen=True)
class Instance:
    """An instance file of the library: ``name`` is the file name without ``.json``."""

    name: str
    path: str


@dataclass(frozen=True)
class Job:
    """One run: ``solver`` on the instance whose JSON is ``text``, within ``time_limit`` s."""

    instance: str
    path: str
    text: str
    solver: str
    time_limit: float


def _is_instance(path: Path) -> bool:
    """Whether a ``.json`` file is an exactfit instance (solutions and others are skipped)."""
    try:
        with open(path, encoding="utf-8") as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return '"exactfit-instance/1"' in head or ('"X"' in head and '"format"' not in head)


def discover(paths: Sequence[str], *, quick: bool = False) -> list[Instance]:
    """The instances named by ``paths`` (files, or directories searched recursively).

    Names must be unique.  With ``quick``, only the names listed in the ``quick.txt`` found
    beside ``index.solu`` (in each path's directory or its nearest parent that has one).
    """
    found: dict[str, Instance] = {}
    quick_names: set[str] | None = set() if quick else None
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            files = sorted(f for f in p.rglob(f"*{INSTANCE_SUFFIX}") if _is_instance(f))
        elif p.is_file():
            files = [p]
        else:
            raise InputError(f"{arg}: no such file or directory; give instance files or folders")
        if quick:
            qfile = find_library_file(p, QUICK_NAME)
            if qfile is None:
                raise InputError(
                    f"--quick: no {QUICK_NAME} in {arg} or its parents; the library lists its "
                    f"quick subset in {QUICK_NAME} beside index.solu (docs/bench.md)"
                )
            quick_names.update(read_quick(qfile))
        for f in files:
            name = f.name[: -len(INSTANCE_SUFFIX)] if f.name.endswith(INSTANCE_SUFFIX) else f.stem
            if name in found and Path(found[name].path).resolve() != f.resolve():
                raise InputError(
                    f"two instances are named {name!r} ({found[name].path} and {f}); "
                    "instance names must be unique across the benchmark"
                )
            found[name] = Instance(name, str(f))
    if quick_names is not None:
        missing = sorted(quick_names - set(found))
        if missing:
            raise InputError(
                f"--quick: {QUICK_NAME} lists {missing[0]!r}, which is not among the instances "
                "found; fix the list or the paths"
            )
        found = {k: v for k, v in found.items() if k in quick_names}
    if not found:
        raise InputError(
            f"no instances found in {', '.join(paths)}; expected *{INSTANCE_SUFFIX} instance files"
        )
    return sorted(found.values(), key=lambda inst: inst.name)


def make_jobs(
    instances: Iterable[Instance],
    solvers: Sequence[str],
    time_limit: float,
    *,
    skip: Iterable[tuple[str, str]] = (),
) -> list[Job]:
    """One job per (instance, solver) pair not in ``skip``, instance-major order."""
    done = set(skip)
    jobs = []
    for inst in instances:
        text = None
        for solver in solvers:
            if (inst.name, solver) in done:
                continue
            if text is None:
                text = Path(inst.path).read_text(encoding="utf-8")
            jobs.append(Job(inst.name, inst.path, text, solver, float(time_limit)))
    return jobs


@cache
def versions() -> dict[str, str]:
    """Versions of Python, exactfit and the solver libraries on this worker."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("exactfit", "numpy", "ortools", "pyscipopt"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "missing"
    return out


@cache
def machine() -> dict[str, Any]:
    """CPU model, logical cores and platform of this worker."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform()}


#: Backend modules imported before the clock starts, so that the first run of a solver in a
#: worker does not pay the library import (~0.3 s for OR-Tools) inside its measured time.
BACKEND_MODULES = {
    "scip": ("pyscipopt",),
    "ortools": ("ortools.math_opt.python.mathopt",),
}


def run_job(job: Job) -> dict[str, Any]:
    """Run one job and return its record (never raises for a solver failure)."""
    return _execute(job, lambda solver, problem: solver.solve(problem, time_limit=job.time_limit))


def run_sharded_job(job: Job, shards: int, map_fn: Callable[..., Any]) -> dict[str, Any]:
    """Run an ``enum`` job with its cells split into ``shards`` shards mapped by ``map_fn``.

    ``map_fn(f, items)`` is any ``map``: builtin, a process pool's, or :func:`dask_map`.  The
    enumeration merges the shards into the same result as a single-process run (see
    ``docs/solvers/enumeration.md``).  The record gets ``"shards": shards``.
    """
    if job.solver != "enum":
        raise InputError(f"sharding is implemented by the enum solver only, not {job.solver!r}")

    def call(solver: Any, problem: Any) -> Any:
        return solver.solve_shards(problem, shards, map_fn, time_limit=job.time_limit)

    record = _execute(job, call)
    record["shards"] = shards
    return record


def dask_map(client: Any) -> Callable[..., list[Any]]:
    """A ``map`` that runs ``f`` over ``items`` as tasks on a Dask cluster and gathers them."""

    def mapper(f: Callable[..., Any], items: Iterable[Any]) -> list[Any]:
        futures = client.map(f, list(items), pure=False)
        return client.gather(futures)

    return mapper


def _error_record(
    job: Job, message: str, *, host: Any = None, machine: Any = None, versions: Any = None
) -> dict[str, Any]:
    """A record for ``job`` with status "error"; a finished run overwrites the outcome fields."""
    return {
        "format": RECORD_FORMAT,
        "instance": job.instance,
        "path": job.path,
        "solver": job.solver,
        "status": "error",
        "objective": None,
        "bound": None,
        "wall_s": None,
        "limit": None,
        "time_limit": job.time_limit,
        "host": host,
        "machine": machine,
        "versions": versions,
        "message": message,
    }


def _execute(job: Job, call: Callable[[Any, Any], Any]) -> dict[str, Any]:
    import exactfit
    from exactfit.io import problem_from_dict

    record = _error_record(
        job, "", host=socket.gethostname(), machine=machine(), versions=versions()
    )
    try:
        problem = problem_from_dict(json.loads(job.text), job.path)
        solver = exactfit.get_solver(job.solver)
        for module in BACKEND_MODULES.get(job.solver, ()):
            importlib.import_module(module)
        reason = solver.unsupported(problem)
        result = None
        if reason is not None:
            record.update(status="unsupported", wall_s=0.0, message=reason)
        else:
            start = time.perf_counter()
            try:
                result = call(solver, problem)
            except BudgetExceeded as exc:  # the solver declined after estimating the work
                record.update(status="unsupported", wall_s=time.perf_counter() - start)
                record["message"] = str(exc)
                result = None
            wall = time.perf_counter() - start
        if result is not None:
            record.update(
                status=result.status.value,
                objective=_finite(result.objective),
                bound=_finite(result.bound),
                wall_s=wall,
                limit=None if result.limit is None else result.limit.value,
                message=result.message,
            )
    except Exception as exc:  # recorded, not swallowed: the record carries the exception
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" at {last[0].filename}:{last[0].lineno}" if last else ""
        record.update(status="error", message=f"{type(exc).__name__}: {exc}{where}")
    record["timestamp"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return record


def _finite(v: float | None) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if v == v and abs(v) != float("inf") else None


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
        return _error_record(job, f"worker failed: {type(exc).__name__}: {exc}")


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
    previous: list[dict[str, Any]] = []
    if out.exists() and out.stat().st_size > 0:
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
