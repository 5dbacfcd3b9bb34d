"""Reading and writing instances and solutions.

Instance JSON (``exactfit-instance/1``)::

    {"format": "exactfit-instance/1", "X": [[...], ...], "y": [...], "sample_weight": [...],
     "units": 1, "bias": true, "output_signs": null | "nonnegative" | [1, -1],
     "weight_bound": null | B, "meta": {...}}

Numbers are JSON numbers or exact rationals written as strings ``"p/q"``.  Writers keep every
value exact: integers as integers, dyadic rationals that a float represents exactly as JSON
floats (Python prints the shortest string that round-trips), anything else as ``"p/q"``.

Solution JSON (``exactfit-solution/1``) is what ``exactfit solve --json`` prints; see
:func:`solution_to_dict`.  CSV input: a header row, one column is the target, the others are
features.  Every writer is atomic: it writes a temporary file beside the target and renames it,
so an error never leaves a partial file behind.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.files import atomic_write, parse_json, read_text
from exactfit.limits import MAX_ENTRIES, MAX_EXTRA_NUMBERS
from exactfit.problem import (
    FitProblem,
    InvalidInstance,
    ReluNetwork,
    Unit,
    check_entries,
    to_fraction,
)
from exactfit.result import Result
from exactfit.schema import validate

__all__ = [
    "INSTANCE_FORMAT",
    "SOLUTION_FORMAT",
    "SolutionFile",
    "atomic_write",
    "dump_number",
    "instance_to_dict",
    "jsonable",
    "parse_json",
    "problem_from_dict",
    "read_csv",
    "read_instance",
    "read_solution",
    "read_text",
    "solution_to_dict",
    "write_instance",
    "write_solution",
]

INSTANCE_FORMAT = "exactfit-instance/1"
SOLUTION_FORMAT = "exactfit-solution/1"


# ---------------------------------------------------------------------------- plumbing
# read_text, atomic_write and parse_json live in exactfit.files (re-exported here).


def dump_number(value: int | float | Fraction) -> int | float | str:
    """JSON form of a number that loses nothing: int, exactly-representable float, or "p/q"."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInstance(f"cannot write the non-finite number {value!r}")
        return value
    f = Fraction(value)
    if f.denominator == 1:
        return int(f)
    as_float = float(f)
    if Fraction(as_float) == f:
        return as_float
    return f"{f.numerator}/{f.denominator}"


def _parse_json(text: str, source: str) -> Any:
    return parse_json(text, source)


# ---------------------------------------------------------------------------- instances
def instance_to_dict(problem: FitProblem) -> dict[str, Any]:
    """The instance JSON object for ``problem`` (exact)."""
    signs = problem.output_signs
    return {
        "format": INSTANCE_FORMAT,
        "X": [[dump_number(v) for v in row] for row in problem.X],
        "y": [dump_number(v) for v in problem.y],
        "sample_weight": [dump_number(v) for v in problem.sample_weight],
        "units": problem.units,
        "bias": problem.bias,
        "output_signs": list(signs) if isinstance(signs, tuple) else signs,
        "weight_bound": None if problem.weight_bound is None else dump_number(problem.weight_bound),
        "meta": jsonable(dict(problem.meta)),
    }


def jsonable(obj: Any) -> Any:
    """``obj`` with every ``Fraction`` replaced by :func:`dump_number` (mappings and sequences
    recursively, keys as strings): the one Fraction → JSON conversion of the project."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return dump_number(obj)
    return obj


def problem_from_dict(data: Any, source: str = "instance") -> FitProblem:
    """Validate an instance JSON object and build the :class:`FitProblem`.

    The structure is checked against the shipped schema (``instance.schema.json``, which
    requires ``format``, ``X``, ``y`` and ``units``); :class:`FitProblem` checks the rest.
    """
    if isinstance(data, dict):
        # before the schema walk, which would visit every one of a huge X's numbers
        check_entries(data.get("X"), source)
    validate(data, "instance", source)
    try:
        return FitProblem(
            X=data["X"],
            y=data["y"],
            sample_weight=data.get("sample_weight"),
            units=data["units"],
            bias=data.get("bias", True),
            output_signs=data.get("output_signs"),
            weight_bound=data.get("weight_bound"),
            meta=data.get("meta") or {},
        )
    except InvalidInstance as exc:
        raise InvalidInstance(f"{source}: {exc}") from None


def read_instance(path: str | os.PathLike[str], *, target: str | None = None) -> FitProblem:
    """Read an instance JSON file (``"-"`` for stdin), or a CSV file when it ends in ``.csv``."""
    if str(path).lower().endswith(".csv"):
        return read_csv(path, target=target)
    if target is not None:
        raise InvalidInstance(
            f"{path}: --target {target!r} names a CSV column, but this is a JSON instance "
            "(its labels are y); drop --target"
        )
    text = read_text(path)
    numbers = MAX_ENTRIES + MAX_EXTRA_NUMBERS
    return problem_from_dict(parse_json(text, str(path), max_numbers=numbers), str(path))


def write_instance(problem: FitProblem, path: str | os.PathLike[str]) -> None:
    """Write ``problem`` as instance JSON, atomically."""
    text = json.dumps(instance_to_dict(problem), indent=None, separators=(",", ":"))
    with atomic_write(path) as fh:
        fh.write(text + "\n")


def read_csv(
    path: str | os.PathLike[str],
    *,
    target: str | None = None,
    units: int = 1,
    bias: bool = True,
    output_signs: Any = None,
    weight_bound: Any = None,
) -> FitProblem:
    """Read a CSV with a header row; ``target`` names the label column (default: the last).

    Every other column is a feature.  Cells are numbers or ``p/q`` rationals.
    """
    text = read_text(path)
    # cells ≤ commas + line breaks + 1: bounded on the raw text, before csv allocates them
    cells, cap = text.count(",") + text.count("\n") + 1, MAX_ENTRIES + MAX_EXTRA_NUMBERS
    if cells > cap:
        raise InvalidInstance(
            f"{path}: expected a CSV of at most {cap:,} cells, found up to {cells:,} (its "
            "commas and line breaks + 1); subsample the data or reduce the features"
        )
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise InvalidInstance(f"{path}: expected a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InvalidInstance(
            f"{path}: the header names column {repeated[0]!r} twice; expected distinct "
            "column names (rename one)"
        )
    check_entries(rows[1:], str(path))
    if target is None:
        col = len(header) - 1
    elif target in header:
        col = header.index(target)
    else:
        raise InvalidInstance(
            f"{path}: no column named {target!r}; columns are {header}; pass --target COLUMN"
        )
    if len(header) < 2:
        raise InvalidInstance(f"{path}: expected a target column and at least one feature column")
    X, y = [], []
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InvalidInstance(
                f"{path}: line {lineno} has {len(row)} cells but the header has {len(header)}"
            )
        vals = [
            to_fraction(cell, f"{path}: line {lineno}, column {header[i]!r}")
            for i, cell in enumerate(row)
        ]
        y.append(vals[col])
        X.append(vals[:col] + vals[col + 1 :])
    meta = {"source": {"csv": str(path), "target": header[col]}}
    return FitProblem(X, y, None, units, bias, output_signs, weight_bound, meta)


# ---------------------------------------------------------------------------- solutions
@dataclass(frozen=True)
class SolutionFile:
    """A solution as read from JSON: the solver's claims plus its network."""

    status: str
    objective: float | None
    bound: float | None
    network: ReluNetwork | None
    solver: str
    wall_s: float | None
    stats: Mapping[str, Any]
    proof: str | None = None  # "exact" | "tolerance" on an optimal solution
    proof_detail: str = ""
    limit: str | None = None  # what stopped a feasible solve: "time", "interrupt", ...


def network_to_dict(network: ReluNetwork) -> dict[str, Any]:
    return {
        "units": [
            {"a": u.a, "w": [dump_number(v) for v in u.w], "b": dump_number(u.b)}
            for u in network.units
        ]
    }


def solution_to_dict(result: Result) -> dict[str, Any]:
    """The solution JSON object of design.md for ``result``."""
    out: dict[str, Any] = {
        "format": SOLUTION_FORMAT,
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "limit": None if result.limit is None else result.limit.value,
        "proof": None if result.proof is None else result.proof.value,
        "proof_detail": result.proof_detail or None,
        "network": None if result.network is None else network_to_dict(result.network),
        "solver": result.solver,
        "wall_s": result.wall_s,
        "stats": jsonable(dict(result.stats)),
    }
    if result.objective_exact is not None:
        q = result.objective_exact
        out["objective_exact"] = f"{q.numerator}/{q.denominator}"
    if result.message:
        out["message"] = result.message
    return out


def write_solution(result: Result, path: str | os.PathLike[str]) -> None:
    """Write the solution JSON for ``result``, atomically."""
    text = json.dumps(solution_to_dict(result), indent=2)
    with atomic_write(path) as fh:
        fh.write(text + "\n")


def _network_from(data: Any, source: str) -> ReluNetwork:
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise InvalidInstance(f"{source}: network must be an object with a list 'units'")
    units = []
    for j, u in enumerate(data["units"]):
        if not isinstance(u, dict) or "w" not in u or "a" not in u:
            raise InvalidInstance(f"{source}: network unit {j} needs keys 'a' and 'w' (and 'b')")
        w = u["w"]
        if not isinstance(w, list):
            raise InvalidInstance(f"{source}: network unit {j}: 'w' must be a list of numbers")
        units.append(
            Unit(
                u["a"],
                tuple(_param(v, f"{source}: unit {j} w[{i}]") for i, v in enumerate(w)),
                _param(u.get("b", 0), f"{source}: unit {j} b"),
            )
        )
    return ReluNetwork(tuple(units))


def _param(v: Any, what: str) -> float | Fraction:
    # Keep floats as floats (their exact binary value is what was written); strings become
    # exact rationals.
    if isinstance(v, float):
        to_fraction(v, what)
        return v
    return to_fraction(v, what)


def _opt_float(data: dict[str, Any], key: str, source: str) -> float | None:
    v = data.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InvalidInstance(f"{source}: {key} must be a number or null, found {v!r}")
    try:
        return float(v)
    except OverflowError:  # an integer beyond 1.8e308 (floats already overflowed on parsing)
        raise InvalidInstance(
            f"{source}: {key}: expected a number below 1.8e308, found an integer of "
            f"{len(str(abs(v)))} digits"
        ) from None


def read_solution(path: str | os.PathLike[str]) -> SolutionFile:
    """Read a solution JSON file (``"-"`` for stdin)."""
    source = str(path)
    data = _parse_json(read_text(path), source)
    # the schema requires a network on an optimal or feasible solution, a proof only on an
    # optimal one, and known values for status, limit and proof
    validate(data, "solution", source)
    status = data["status"]
    net = data.get("network")
    proof = data.get("proof")
    return SolutionFile(
        status=status,
        objective=_opt_float(data, "objective", source),
        bound=_opt_float(data, "bound", source),
        network=None if net is None else _network_from(net, source),
        solver=str(data.get("solver", "")),
        wall_s=_opt_float(data, "wall_s", source),
        stats=data.get("stats") or {},
        proof=proof,
        proof_detail=str(data.get("proof_detail") or ""),
        limit=data.get("limit"),
    )
