"""Benchmark records (one JSON object per line) and their consistency checks.

A record describes one run of one solver on one instance::

    {"format": "exactfit-bench/1", "instance": "planted_n20_d2_s1",
     "path": "instances/fit/planted_n20_d2_s1.json", "solver": "scip",
     "status": "optimal", "objective": 0.1146, "bound": 0.1146, "wall_s": 0.21,
     "limit": null, "time_limit": 60.0, "host": "...", "versions": {...},
     "timestamp": "2026-11-22T03:00:00+00:00", "message": ""}

``status`` is a :class:`exactfit.Status` value or ``"unsupported"`` (the solver declined the
instance).  Files are appended to and flushed after every run, so an interrupted benchmark loses
nothing; a torn last line (the process died mid-write) is dropped on resume.  A run stopped by
the user's Ctrl-C is not a result and is never written; a record with ``"limit": "interrupt"``
(written by earlier versions) is skipped when reading, so ``--resume`` runs that pair again.

Consistency
-----------
A run is WRONG when what it claims contradicts a known fact, with tolerance
``tol(a, b) = 1e-6·max(|a|, |b|) + 1e-9``:

* its bound exceeds the ``=opt=`` value, the ``=best=`` value, another run's objective or its
  own objective by more than ``tol`` (a proven lower bound can never do that);
* it is OPTIMAL and its objective differs from the ``=opt=`` value, or exceeds the ``=best=``
  value or another run's objective, by more than ``tol``;
* its objective lies below the ``=opt=`` value by more than ``tol`` (objectives are losses of
  returned networks, recomputed exactly: either the network or the ``.solu`` entry is wrong);
* it returned a network for an ``=inf=`` instance, or claims INFEASIBLE where a network exists;
* it is OPTIMAL without a bound.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exactfit.bench.solu import SoluEntry
from exactfit.errors import InputError
from exactfit.files import parse_json
from exactfit.numbers import short
from exactfit.result import Limit

__all__ = [
    "CHECK_ATOL",
    "CHECK_RTOL",
    "RECORD_FORMAT",
    "Wrong",
    "append_record",
    "check_records",
    "load_records",
    "tolerance",
]

RECORD_FORMAT = "exactfit-bench/1"

#: Contradictions larger than ``CHECK_RTOL·max(|a|, |b|) + CHECK_ATOL`` are WRONG.  Ten times
#: looser than the 1e-7 at which solvers are tested to agree, so that only real errors (an
#: invalid bound, a false optimum) are flagged, never round-off.
CHECK_RTOL = 1e-6
CHECK_ATOL = 1e-9

_STATUSES = {"optimal", "feasible", "no_solution", "infeasible", "error", "unsupported"}


def tolerance(a: float, b: float) -> float:
    """The slack allowed between two values that should agree (see the module doc)."""
    return CHECK_RTOL * max(abs(a), abs(b)) + CHECK_ATOL


@dataclass(frozen=True)
class Wrong:
    """One contradiction found in a run: ``reason`` says what and against what."""

    instance: str
    solver: str
    reason: str


def append_record(fh: Any, record: Mapping[str, Any]) -> None:
    """Write one record as a JSON line and push it to disk (flush + fsync)."""
    fh.write(json.dumps(dict(record), sort_keys=True, allow_nan=False) + "\n")
    fh.flush()
    # A StringIO or pipe has no file descriptor to sync.
    with contextlib.suppress(OSError, AttributeError, ValueError, io.UnsupportedOperation):
        os.fsync(fh.fileno())


def _validate(record: Any, where: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object per line, found {type(record).__name__}")
    fmt = record.get("format")
    if fmt != RECORD_FORMAT:
        raise InputError(
            f"{where}: expected format {RECORD_FORMAT!r}, found {short(fmt)}; "
            "is this an exactfit bench results file?"
        )
    for key in ("instance", "solver", "status", "time_limit"):
        if key not in record:
            raise InputError(f"{where}: record lacks the key {key!r}")
    if not isinstance(record["status"], str) or record["status"] not in _STATUSES:
        raise InputError(
            f"{where}: status {short(record['status'])} is not one of {sorted(_STATUSES)}"
        )
    for key in ("instance", "solver"):
        if not isinstance(record[key], str) or not record[key]:
            raise InputError(
                f"{where}: {key}: expected a non-empty string, found {short(record[key])}"
            )
    for key in ("objective", "bound", "wall_s", "time_limit"):
        value = record.get(key)
        if value is None and key != "time_limit":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            # NaN fails value >= 0 too; a negative loss, bound or time is never a result
            what = "a positive number" if key == "time_limit" else "a number ≥ 0 or null"
            raise InputError(f"{where}: {key}: expected {what}, found {short(value)}")
    if record["time_limit"] == 0:
        raise InputError(f"{where}: time_limit: expected a positive number, found 0")
    for key in ("path", "proof", "limit", "message"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise InputError(
                f"{where}: {key}: expected a string or null, found {short(record[key])}"
            )
    return record


def load_records(path: str | os.PathLike[str], *, repair: bool = False) -> list[dict[str, Any]]:
    """Read a results file.

    A last line without its newline that does not parse is a run torn by an interruption: it is
    ignored, and with ``repair=True`` cut from the file (so that appending continues cleanly).
    A complete last line lacking only its newline gets one (with ``repair``).  Any other bad
    line is an :class:`InputError` naming it.  Records of runs the user interrupted are left
    out (see the module docstring).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    records: list[dict[str, Any]] = []
    if not data:
        return records
    complete_end = data.rfind(b"\n") + 1  # bytes up to and including the last newline
    tail = data[complete_end:]
    for lineno, raw in enumerate(data[:complete_end].splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = parse_json(raw.decode("utf-8", errors="replace"), where)
        except InputError as exc:
            raise InputError(f"{exc}; remove or fix the line") from None
        records.append(_validate(obj, where))
    if tail.strip():
        try:
            obj = parse_json(tail.decode("utf-8", errors="replace"), f"{path}:last line")
        except InputError:
            obj = None
        if obj is not None:
            records.append(_validate(obj, f"{path}:last line"))
            if repair:
                with open(p, "ab") as fh:
                    fh.write(b"\n")
        elif repair:
            with open(p, "r+b") as fh:
                fh.truncate(complete_end)
    elif tail and repair:
        with open(p, "r+b") as fh:
            fh.truncate(complete_end)
    return [r for r in records if r.get("limit") != Limit.INTERRUPT.value]


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def check_records(
    records: Sequence[Mapping[str, Any]], solu: Mapping[str, SoluEntry] | None = None
) -> list[Wrong]:
    """Every contradiction among ``records`` and against ``solu`` (see the module doc)."""
    solu = solu or {}
    by_instance: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        by_instance[r["instance"]].append(r)
    wrongs: list[Wrong] = []
    for name, runs in by_instance.items():
        entry = solu.get(name)
        for r in runs:
            wrongs.extend(Wrong(name, r["solver"], why) for why in _against_facts(r, entry, runs))
    return wrongs


def _against_facts(
    r: Mapping[str, Any], entry: SoluEntry | None, runs: Iterable[Mapping[str, Any]]
) -> list[str]:
    out: list[str] = []
    status, obj, bound = r["status"], _num(r.get("objective")), _num(r.get("bound"))
    if status == "optimal" and bound is None:
        out.append("claims optimal without a proven bound")
    if bound is not None and obj is not None and bound - obj > tolerance(bound, obj):
        out.append(f"bound {bound!r} exceeds its own objective {obj!r}")
    if entry is not None and entry.kind in ("opt", "best"):
        known = float(entry.value)
        label = "known optimum" if entry.kind == "opt" else "best known objective"
        if bound is not None and bound - known > tolerance(bound, known):
            out.append(f"bound {bound!r} exceeds the {label} {known!r} (index.solu)")
        if status == "optimal" and obj is not None:
            if entry.kind == "opt" and abs(obj - known) > tolerance(obj, known):
                out.append(f"optimal objective {obj!r} differs from the known optimum {known!r}")
            if entry.kind == "best" and obj - known > tolerance(obj, known):
                out.append(f"claims optimal {obj!r} but {known!r} is known (index.solu =best=)")
        if entry.kind == "opt" and obj is not None and known - obj > tolerance(obj, known):
            out.append(
                f"objective {obj!r} is below the known optimum {known!r}: the returned network "
                "or the index.solu entry is wrong"
            )
    if entry is not None and entry.kind == "inf" and obj is not None:
        out.append("returned a network for an instance index.solu marks infeasible")
    for q in runs:
        if q is r:
            continue
        other = _num(q.get("objective"))
        if other is None:
            continue
        who = f"{q['solver']}'s objective {other!r}"
        if bound is not None and bound - other > tolerance(bound, other):
            out.append(f"bound {bound!r} exceeds {who}")
        elif status == "optimal" and obj is not None and obj - other > tolerance(obj, other):
            out.append(f"claims optimal {obj!r} but {who} is better")
        if status == "infeasible":
            out.append(f"claims infeasible but {q['solver']} returned a network")
    return out
