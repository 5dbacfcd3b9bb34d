"""The fitting problem and the networks it ranges over.

A *fitting problem* is a weighted training set together with a network class.  For data
``x_i ∈ R^d``, labels ``y_i`` and positive sample weights ``c_i`` (i = 1..n), the class of
``k``-unit depth-2 ReLU networks is

    f(x) = Σ_{j=1..k} a_j σ(w_j·x + b_j),      σ(t) = max(0, t),

with output signs ``a_j ∈ {−1, +1}`` (positive homogeneity of σ lets any real output weight be
absorbed into ``(w_j, b_j)``), ``b_j = 0`` when the class has no bias, optionally all
``a_j = +1`` (``output_signs="nonnegative"``) or a fixed sign vector, and optionally a norm bound
``‖w_j‖₂ ≤ B`` on every unit (the bias is not bounded).  The objective is the weighted sum

    L(f) = Σ_i c_i (f(x_i) − y_i)²,

with no factor 1/2 and no mean.  Data are stored exactly as ``fractions.Fraction`` (floats are
converted exactly, strings ``"p/q"`` are parsed), so any network can be re-evaluated without
rounding; float copies are kept for the numerical solvers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np

from exactfit.errors import InvalidInstance
from exactfit.limits import MAX_ENTRIES, MAX_UNITS
from exactfit.network import (
    ReluNetwork,
    Unit,
    clip_to_bound,
    exact_loss,
    exact_predictions,
    loss,
    network_violations,
)
from exactfit.numbers import to_fraction, to_matrix, to_vector

__all__ = [
    "FitProblem",
    "InvalidInstance",
    "ReluNetwork",
    "Unit",
    "check_entries",
    "clip_to_bound",
    "exact_loss",
    "exact_predictions",
    "loss",
    "network_violations",
    "to_fraction",
]


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class FitProblem:
    """A weighted least-squares fitting problem over k-unit ReLU networks.

    Parameters
    ----------
    X : (n, d) array-like of numbers
        Sample points ``x_i``.  Stored exactly (``Fraction``); float copy in :attr:`Xf`.
    y : (n,) array-like
        Labels ``y_i``.
    sample_weight : (n,) array-like, optional
        Positive weights ``c_i``; default all ones.
    units : int
        Number of hidden units ``k ≥ 1``.
    bias : bool
        Whether units have a bias ``b_j`` (otherwise ``b_j = 0``).
    output_signs : None, "nonnegative" or sequence of ±1
        ``None``: each ``a_j ∈ {−1, +1}`` free; ``"nonnegative"``: all ``a_j = +1``;
        a sequence: ``a_j`` fixed to the given signs (length ``k``).
    weight_bound : number, optional
        ``B > 0``: every unit satisfies ``‖w_j‖₂ ≤ B`` (bias excluded).
    meta : mapping, optional
        Provenance (generator, reduction, parameters, predicted relation).  JSON-serialisable.

    Notes
    -----
    The optimum ``opt = inf_f L(f)`` is attained and, for rational data without a weight
    bound, rational: on each closed activation cell the loss is a convex quadratic whose
    minimiser over the polyhedral cell solves a rational linear KKT system.
    """

    X: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    sample_weight: tuple[Fraction, ...] | None = None
    units: int = 1
    bias: bool = True
    output_signs: str | tuple[int, ...] | None = None
    weight_bound: Fraction | None = None
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    Xf: np.ndarray = field(init=False, repr=False)
    yf: np.ndarray = field(init=False, repr=False)
    cf: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        X, y, c = _samples(self.X, self.y, self.sample_weight)
        k = _units(self.units)
        if not isinstance(self.bias, bool | np.bool_):
            raise InvalidInstance(f"bias: expected true or false, found {self.bias!r}")
        signs = _output_signs(self.output_signs, k)
        bound = _weight_bound(self.weight_bound)
        meta = self.meta if self.meta is not None else {}
        if not isinstance(meta, Mapping):
            raise InvalidInstance(f"meta: expected an object, found {type(meta).__name__}")
        put(self, "X", X)
        put(self, "y", y)
        put(self, "sample_weight", c)
        put(self, "units", k)
        put(self, "bias", bool(self.bias))
        put(self, "output_signs", signs)
        put(self, "weight_bound", bound)
        put(self, "meta", MappingProxyType(dict(meta)))
        put(self, "Xf", _readonly(np.array([[float(v) for v in row] for row in X], dtype=float)))
        put(self, "yf", _readonly(np.array([float(v) for v in y], dtype=float)))
        put(self, "cf", _readonly(np.array([float(v) for v in c], dtype=float)))

    # ----------------------------------------------------------------- derived facts
    @property
    def n(self) -> int:
        """Number of samples."""
        return len(self.X)

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.X[0])

    @property
    def k(self) -> int:
        """Number of units (alias of :attr:`units`)."""
        return self.units

    @property
    def lifted_dim(self) -> int:
        """Dimension ``D`` of one unit's parameter space: ``d + 1`` with a bias, else ``d``."""
        return self.d + 1 if self.bias else self.d

    def lifted(self) -> np.ndarray:
        """Float points ``z_i = (x_i, 1)`` (with a bias) or ``z_i = x_i``, shape (n, D)."""
        if self.bias:
            return np.hstack([self.Xf, np.ones((self.n, 1))])
        return self.Xf.copy()

    def sign_vectors(self) -> list[tuple[int, ...]]:
        """The output-sign vectors a solver must consider.

        Units are interchangeable, so with free signs only the number ``p`` of positive units
        matters: the vectors ``(+1)^p (−1)^{k−p}`` for ``p = k, …, 0`` (sorted with +1 first).
        Fixed signs are the one vector given, in unit order and not necessarily sorted.
        """
        k = self.units
        if self.output_signs is None:
            return [(1,) * p + (-1,) * (k - p) for p in range(k, -1, -1)]
        if self.output_signs == "nonnegative":
            return [(1,) * k]
        return [tuple(self.output_signs)]

    def null_loss(self) -> Fraction:
        """Loss of the zero network, ``Σ c_i y_i²``: an upper bound on the optimum."""
        # Cached: model builders ask for it once per sample, and an exact sum over n samples
        # each time made building SCIP's model quadratic in n (2000 points: 30 s).
        cached = self.__dict__.get("_null_loss")
        if cached is None:
            cached = sum(
                (c * v * v for c, v in zip(self.sample_weight, self.y, strict=True)), Fraction(0)
            )
            object.__setattr__(self, "_null_loss", cached)
        return cached

    def with_changes(self, **changes: Any) -> FitProblem:
        """A copy with some fields replaced (validated again)."""
        fields = {
            "X": self.X,
            "y": self.y,
            "sample_weight": self.sample_weight,
            "units": self.units,
            "bias": self.bias,
            "output_signs": self.output_signs,
            "weight_bound": self.weight_bound,
            "meta": dict(self.meta),
        }
        fields.update(changes)
        return FitProblem(**fields)

    def describe(self) -> str:
        """One line summarising the problem class."""
        if isinstance(self.output_signs, tuple):
            signs = "signs " + "".join("+" if s > 0 else "-" for s in self.output_signs)
        else:
            signs = "signs +" if self.output_signs == "nonnegative" else "signs free"
        bias = "bias" if self.bias else "no bias"
        parts = [f"n={self.n}", f"d={self.d}", f"k={self.units}", bias, signs]
        if self.weight_bound is not None:
            parts.append(f"‖w‖≤{self.weight_bound}")
        return ", ".join(parts)


# ------------------------------------------------------------------------- validation
#: Nonzero data must lie in ``[FLOAT_SAFE_MIN, FLOAT_SAFE_MAX]`` in absolute value: then every
#: product of three numbers (Gram entries ``c·z·z``, weighted squared labels ``c·y²``, and their
#: sums over n ≤ 10⁸ samples) is a normal float, so the float copies the numerical solvers use
#: are faithful to relative precision 2⁻⁵³ (no overflow to ∞, no underflow to 0 or to
#: subnormals that lose digits).
FLOAT_SAFE_MIN = Fraction(1, 10**75)
FLOAT_SAFE_MAX = Fraction(10**75)


def _check_range(values: Iterable[Fraction], what: str) -> None:
    for i, v in enumerate(values):
        if v != 0 and not (FLOAT_SAFE_MIN <= abs(v) <= FLOAT_SAFE_MAX):
            raise InvalidInstance(
                f"{what}[{i}]: expected 0 or a magnitude in [1e-75, 1e75], found a number "
                f"of about 1e{_decimal_exponent(v)}; rescale the data (the solvers compute in "
                "floating point)"
            )


def _decimal_exponent(v: Fraction) -> int:
    """``⌊log10 |v|⌋`` up to one (digit counts: exact for any size, no float conversion)."""
    return len(str(abs(v.numerator))) - len(str(v.denominator))


def check_entries(X: Any, where: str = "X") -> None:
    """Refuse data of more than ``MAX_ENTRIES`` numbers, n·(d + 2), before converting any.

    ``X`` is whatever the caller holds (rows, an array); shapes that are not rows are left to
    the validation that follows.
    """
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2:
        n, d = int(shape[0]), int(shape[1])
    elif isinstance(X, list | tuple) and X and isinstance(X[0], list | tuple):
        n, d = len(X), len(X[0])
    else:
        return
    if n * (d + 2) > MAX_ENTRIES:
        raise InvalidInstance(
            f"{where}: expected at most {MAX_ENTRIES:,} numbers (n·(d + 2)), found n = {n:,} "
            f"samples of d = {d:,} features; subsample the data or reduce the features"
        )


def _samples(
    X_in: Any, y_in: Any, weights: Any
) -> tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...], tuple[Fraction, ...]]:
    """Exact ``(X, y, c)``: non-empty, consistent lengths, positive weights (default 1)."""
    check_entries(X_in)
    X = to_matrix(X_in, "X")
    y = to_vector(y_in, "y")
    n = len(X)
    if n == 0:
        raise InvalidInstance("X: expected at least one sample, found none")
    if len(X[0]) == 0:
        raise InvalidInstance("X: expected at least one feature per sample, found rows of 0")
    if len(y) != n:
        raise InvalidInstance(
            f"y: expected {n} labels (one per row of X), found {len(y)}; "
            "X and y must describe the same samples"
        )
    for i, row in enumerate(X):
        _check_range(row, f"X[{i}]")
    _check_range(y, "y")
    if weights is None:
        return X, y, (Fraction(1),) * n
    c = to_vector(weights, "sample_weight")
    if len(c) != n:
        raise InvalidInstance(
            f"sample_weight: expected {n} weights (one per sample), found {len(c)}"
        )
    for i, ci in enumerate(c):
        if ci <= 0:
            raise InvalidInstance(
                f"sample_weight[{i}]: expected a positive weight, found {ci}; "
                "drop the sample instead of giving it weight 0"
            )
    _check_range(c, "sample_weight")
    return X, y, c


def _units(units: Any) -> int:
    if isinstance(units, bool) or not isinstance(units, int | np.integer):
        raise InvalidInstance(f"units: expected an integer k ≥ 1, found {type(units).__name__}")
    k = int(units)
    if not 1 <= k <= MAX_UNITS:
        raise InvalidInstance(
            f"units: expected an integer k with 1 ≤ k ≤ {MAX_UNITS}, found {k}"
            + ("" if k < 1 else "; exact fitting is exponential in k, use fewer units")
        )
    return k


def _output_signs(signs: Any, k: int) -> str | tuple[int, ...] | None:
    """``None``, ``"nonnegative"`` or a tuple of ``k`` signs ±1."""
    if signs is None:
        return None
    if isinstance(signs, str):
        if signs != "nonnegative":
            raise InvalidInstance(
                "output_signs: expected null, 'nonnegative' or a list of ±1, "
                f"found the string {signs!r}"
            )
        return signs
    if not isinstance(signs, Iterable):
        raise InvalidInstance(
            "output_signs: expected null, 'nonnegative' or a list of ±1, "
            f"found {type(signs).__name__}"
        )
    signs = tuple(signs)
    if len(signs) != k:
        raise InvalidInstance(
            f"output_signs: expected {k} signs (one per unit), found {len(signs)}"
        )
    for j, s in enumerate(signs):
        if isinstance(s, bool) or s not in (1, -1):
            raise InvalidInstance(f"output_signs[{j}]: expected +1 or -1, found {s!r}")
    return tuple(int(s) for s in signs)


def _weight_bound(bound: Any) -> Fraction | None:
    if bound is None:
        return None
    bound = to_fraction(bound, "weight_bound")
    if bound <= 0:
        raise InvalidInstance(
            f"weight_bound: expected a positive bound B (‖w_j‖₂ ≤ B), found {bound}; "
            "use null for no bound"
        )
    # B² enters the solvers' float models: the data's range keeps it a normal float
    if not FLOAT_SAFE_MIN <= bound <= FLOAT_SAFE_MAX:
        raise InvalidInstance(
            f"weight_bound: expected a bound B in [1e-75, 1e75], found about "
            f"1e{_decimal_exponent(bound)}; rescale the data, or use null for no bound"
        )
    return bound
