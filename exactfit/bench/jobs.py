"""What a benchmark runs: the instances found under the given paths and one job per
(instance, solver) pair.  A :class:`Job` carries the instance *text*, so a worker needs no
shared file system, and its own time limit, because neither a process pool nor Dask can stop a
task that is running."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from exactfit.bench.solu import QUICK_NAME, find_library_file, read_quick
from exactfit.errors import InputError

__all__ = ["INSTANCE_SUFFIX", "Instance", "Job", "discover", "invalid_instances", "make_jobs"]

INSTANCE_SUFFIX = ".json"


@dataclass(frozen=True)
class Instance:
    """An instance file of the library: ``name`` is the file name without ``.json``."""

    name: str
    path: str


@dataclass(frozen=True)
class Job:
    """One run: ``solver`` on the instance whose JSON is ``text``, within ``time_limit`` s;
    with ``log``, the worker also captures the backend's own log (``bench --log``)."""

    instance: str
    path: str
    text: str
    solver: str
    time_limit: float
    log: bool = False


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


def invalid_instances(instances: Iterable[Instance]) -> list[tuple[Instance, str]]:
    """The instances whose file does not read as a valid instance, each with the one-line
    reason, so that a benchmark refuses them before any run instead of recording errors."""
    from exactfit.io import read_instance

    bad = []
    for inst in instances:
        try:
            read_instance(inst.path)
        except InputError as exc:
            bad.append((inst, str(exc)))
    return bad


def make_jobs(
    instances: Iterable[Instance],
    solvers: Sequence[str],
    time_limit: float,
    *,
    skip: Iterable[tuple[str, str]] = (),
    log: bool = False,
) -> list[Job]:
    """One job per (instance, solver) pair not in ``skip``, instance-major order; ``log``:
    each captures its backend's log."""
    done = set(skip)
    jobs = []
    for inst in instances:
        text = None
        for solver in solvers:
            if (inst.name, solver) in done:
                continue
            if text is None:
                text = Path(inst.path).read_text(encoding="utf-8")
            jobs.append(Job(inst.name, inst.path, text, solver, float(time_limit), log))
    return jobs
