"""Pieces every solver needs: option checks, the network from unit parameters, symmetry rows.

The option checks raise :class:`~exactfit.errors.InputError` with one line that names what was
expected and what was found, so the CLI can print it and exit 2.  They are written for any
solver (a solver passes its own name and option set), so that every solver words the same
mistake the same way.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from exactfit.errors import InputError
from exactfit.problem import FitProblem, ReluNetwork, Unit

__all__ = [
    "check_bound_target",
    "check_choice",
    "check_feastol",
    "check_log",
    "check_options",
    "check_positive_int",
    "check_registered_options",
    "check_start",
    "check_time_limit",
    "network_from_theta",
    "symmetry_pairs",
]

#: Options every solver accepts without listing them (the CLI passes ``progress`` to all).
SILENT_OPTIONS = ("progress",)

V = TypeVar("V")


def check_log(solver: str, path: Any) -> None:
    """``path`` (the ``log`` option: where the backend's log goes) is ``None`` or a path."""
    import os

    if path is not None and not isinstance(path, str | os.PathLike):
        raise InputError(f"{solver}: log must be a file path, found {path!r}")


def check_options(
    solver: str,
    options: Mapping[str, Any],
    allowed: Iterable[str],
    *,
    silent: Iterable[str] = SILENT_OPTIONS,
    takes: str | None = None,
) -> None:
    """Raise :class:`InputError` naming the first option ``solver`` does not take.

    Parameters
    ----------
    solver : str
        Registry name, the first word of the message.
    options : mapping
        The keyword options the solver was called with.
    allowed : iterable of str
        Options the solver takes and lists in the message.
    silent : iterable of str
        Options accepted but not listed (they mean nothing to this solver, but a caller may pass
        them to every solver).
    takes : str, optional
        The text after "``<solver> takes``"; default the sorted list of ``allowed``, or "no
        options" when it is empty.
    """
    listed = set(allowed)
    unknown = sorted(set(options) - listed - set(silent))
    if not unknown:
        return
    if takes is None:
        takes = str(sorted(listed)) if listed else "no options"
    raise InputError(f"{solver}: unknown option {unknown[0]!r}; {solver} takes {takes}")


def check_registered_options(
    solver: str, options: Mapping[str, Any], *, takes: str | None = None
) -> None:
    """:func:`check_options` against the options ``solver`` declares in the registry."""
    # imported here: exactfit.solvers (the registry) is this module's parent package
    from exactfit.solvers import REGISTRY

    info = REGISTRY.get(solver)
    if info is None:
        raise InputError(
            f"solver {solver!r} is not in the registry, so its options are unknown; register "
            "it in exactfit.solvers.REGISTRY or give it a registered name"
        )
    check_options(solver, options, info.options, silent=info.silent_options, takes=takes)


def check_start(solver: str, problem: FitProblem, start: Any) -> ReluNetwork | None:
    """``start`` (the incumbent a MIQP begins with) is ``None`` or a network in the problem's
    class (exact membership: units, signs, bias, ``Σ w² ≤ B²`` in rationals)."""
    from exactfit.problem import network_violations

    if start is None:
        return None
    if not isinstance(start, ReluNetwork):
        raise InputError(
            f"{solver}: start: expected a ReluNetwork, found {type(start).__name__}; pass the "
            "network to begin from (e.g. a reduction's lifted network)"
        )
    why = network_violations(problem, start)
    if why:
        raise InputError(
            f"{solver}: start: expected a network in the problem's class, found one that "
            f"violates it ({'; '.join(why)}); give a feasible network or no start"
        )
    return start


def check_time_limit(time_limit: float | None) -> float | None:
    """``time_limit`` as a float (``None``: no limit); raise unless it is positive seconds."""
    if time_limit is None:
        return None
    if not (time_limit > 0):  # also rejects NaN
        raise InputError(f"time limit must be positive seconds, found {time_limit!r}")
    return float(time_limit)


def check_positive_int(what: str, value: Any) -> int | None:
    """``value`` as an int (``None`` passes through); raise unless it is an integer ≥ 1.

    ``what`` starts the message, e.g. ``"ortools: node_limit"``.  Booleans are refused (``True``
    is an ``int`` in Python, but never a count the user meant).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InputError(f"{what} must be a positive integer, found {value!r}")
    return int(value)


def check_bound_target(solver: str, value: Any) -> float | None:
    """A loss to stop at once the proven bound reaches it: a finite number ≥ 0, as a float
    (``None`` passes through)."""
    if value is None:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not (math.isfinite(float(value)) and float(value) >= 0):
        raise InputError(
            f"{solver}: bound_target must be a finite loss ≥ 0, found {value!r}; "
            "leave it out to solve to optimality"
        )
    return float(value)


def check_choice(what: str, value: V, choices: Collection[V]) -> V:
    """``value`` if it is one of ``choices``; else raise, listing them (``what`` starts the
    message, e.g. ``"scip: formulation"``)."""
    if value not in choices:
        raise InputError(f"{what} must be one of {list(choices)}, found {value!r}")
    return value


def check_feastol(solver: str, value: Any) -> float:
    """A feasibility tolerance in (0, 1e-3), as a float.

    Above 1e-3 the MIQP's complementarity (and so the ReLU) is not even approximately
    enforced; the polished network would still be verified exactly, but the bound would not
    mean anything.
    """
    try:
        tol = float(value)
    except (TypeError, ValueError):
        tol = float("nan")
    if not (0 < tol < 1e-3):
        raise InputError(f"{solver}: feastol must be in (0, 1e-3), found {value!r}")
    return tol


def network_from_theta(
    problem: FitProblem, signs: Sequence[int], theta: Sequence[Sequence[float]]
) -> ReluNetwork:
    """The float network with output signs ``signs`` and unit parameters ``theta``.

    Row ``j`` of ``theta`` is ``θ_j = (w_j, b_j)`` with a bias and ``w_j`` without (the
    lifted parameters of the module docstrings); rows may be longer, the tail is ignored
    without a bias.
    """
    d = problem.d
    return ReluNetwork(
        tuple(
            Unit(
                int(signs[j]),
                tuple(float(v) for v in theta[j][:d]),
                float(theta[j][d]) if problem.bias else 0.0,
            )
            for j in range(len(signs))
        )
    )


def symmetry_pairs(
    problem: FitProblem, signs: Sequence[int], W: Sequence[Sequence[V]], b: Sequence[V | None]
) -> list[tuple[int, V, V]]:
    """``(j, first, second)`` for each pair of adjacent units of equal sign: ``first ≥
    second`` is a valid symmetry-breaking row.

    ``first``/``second`` are the biases of units ``j``/``j + 1`` (the first weights when the
    problem is bias-free), given as the backend's model variables ``W`` and ``b``.  Valid
    because units of equal output sign are interchangeable: any network can be permuted into
    this order without changing its function.
    """
    pairs = []
    for j in range(len(signs) - 1):
        if signs[j] == signs[j + 1]:
            first = b[j] if problem.bias else W[j][0]
            second = b[j + 1] if problem.bias else W[j + 1][0]
            pairs.append((j, first, second))
    return pairs
