"""One benchmark run on a worker: solve a :class:`~exactfit.bench.jobs.Job` and describe the
outcome as a JSON record.  :func:`run_job` never raises for a solver failure: an exception
becomes a record with status ``error`` and the exception in ``message``."""

from __future__ import annotations

import contextlib
import datetime
import importlib
import json
import os
import platform
import socket
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from exactfit.bench.jobs import Job
from exactfit.bench.results import RECORD_FORMAT
from exactfit.errors import BudgetExceeded, InputError

__all__ = [
    "BACKEND_MODULES",
    "LOG_KEY",
    "dask_map",
    "error_record",
    "machine",
    "run_job",
    "run_sharded_job",
    "versions",
]


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


#: The record key of a run's backend log (``Job.log``): taken off by the parent, which
#: writes the log (``bench --log``/``--verbose``) and the record without it.
LOG_KEY = "backend_log"


def run_job(job: Job) -> dict[str, Any]:
    """Run one job and return its record (never raises for a solver failure).  With
    ``job.log`` and a solver that has a backend log, the record's :data:`LOG_KEY` holds the
    log's text, captured in a temporary file on the worker (no shared file system needed)."""
    from exactfit.solvers import REGISTRY

    info = REGISTRY.get(job.solver)
    if not (job.log and info is not None and "log" in info.options):
        return _execute(
            job, lambda solver, problem: solver.solve(problem, time_limit=job.time_limit)
        )
    fd, path = tempfile.mkstemp(prefix="exactfit-log-", suffix=".txt")
    os.close(fd)
    try:
        record = _execute(
            job, lambda solver, problem: solver.solve(problem, time_limit=job.time_limit, log=path)
        )
        with open(path, encoding="utf-8", errors="replace") as fh:
            record[LOG_KEY] = fh.read()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return record


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


def error_record(
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
        "proof": None,
        "time_limit": job.time_limit,
        "host": host,
        "machine": machine,
        "versions": versions,
        "message": message,
    }


def _execute(job: Job, call: Callable[[Any, Any], Any]) -> dict[str, Any]:
    import exactfit
    from exactfit.io import problem_from_dict

    record = error_record(
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
                proof=None if result.proof is None else result.proof.value,
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
