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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Rational, Real
from types import MappingProxyType
from typing import Any

import numpy as np

from exactfit.errors import InvalidInstance

__all__ = [
    "FitProblem",
    "InvalidInstance",
    "ReluNetwork",
    "Unit",
    "exact_loss",
    "exact_predictions",
    "loss",
    "network_violations",
    "to_fraction",
]


def to_fraction(value: Any, what: str = "value") -> Fraction:
    """Convert a number to an exact ``Fraction``.

    Accepts ints, ``Fraction``/rationals, finite floats (converted exactly, so ``0.1`` becomes
    ``3602879701896397/36028797018963968``), numpy scalars, and strings such as ``"3"``, ``"-2/7"``
    or ``"0.25"`` (a decimal string is read as the decimal it spells, ``"0.1"`` = 1/10).
    Booleans, NaN and infinities are rejected with :class:`InvalidInstance`.
    """
    if isinstance(value, bool | np.bool_):
        raise InvalidInstance(f"{what}: expected a number, found the boolean {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    if isinstance(value, Rational):
        return Fraction(value.numerator, value.denominator)
    if isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            raise InvalidInstance(
                f"{what}: expected a finite number, found {float(value)!r}; remove or impute it"
            )
        return Fraction(float(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            result = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InvalidInstance(
                f"{what}: expected a number or a rational string like '3/7', found {value!r}"
            ) from None
        return result
    if isinstance(value, Real):
        return to_fraction(float(value), what)
    raise InvalidInstance(f"{what}: expected a number, found {type(value).__name__} {value!r}")


def _vector(values: Any, what: str) -> tuple[Fraction, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInstance(f"{what}: expected a list of numbers, found {type(values).__name__}")
    return tuple(to_fraction(v, f"{what}[{i}]") for i, v in enumerate(values))


def _matrix(rows: Any, what: str) -> tuple[tuple[Fraction, ...], ...]:
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2:
            raise InvalidInstance(
                f"{what}: expected a 2-D array (n samples × d features), found {rows.ndim}-D"
            )
        rows = rows.tolist()
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InvalidInstance(f"{what}: expected a list of rows, found {type(rows).__name__}")
    out = []
    width = None
    for i, row in enumerate(rows):
        if isinstance(row, str | bytes) or not isinstance(row, Iterable):
            raise InvalidInstance(
                f"{what}[{i}]: expected a row (a list of numbers), found {type(row).__name__}; "
                "write X as a list of rows, one per sample"
            )
        vec = _vector(row, f"{what}[{i}]")
        if width is None:
            width = len(vec)
        elif len(vec) != width:
            raise InvalidInstance(
                f"{what}: ragged rows: row 0 has {width} entries but row {i} has {len(vec)}; "
                "every sample needs the same number of features"
            )
        out.append(vec)
    return tuple(out)


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
        X = _matrix(self.X, "X")
        y = _vector(self.y, "y")
        n = len(X)
        if n == 0:
            raise InvalidInstance("X: expected at least one sample, found none")
        d = len(X[0])
        if d == 0:
            raise InvalidInstance("X: expected at least one feature per sample, found rows of 0")
        if len(y) != n:
            raise InvalidInstance(
                f"y: expected {n} labels (one per row of X), found {len(y)}; "
                "X and y must describe the same samples"
            )
        if self.sample_weight is None:
            c = (Fraction(1),) * n
        else:
            c = _vector(self.sample_weight, "sample_weight")
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
        if isinstance(self.units, bool) or not isinstance(self.units, int | np.integer):
            raise InvalidInstance(
                f"units: expected an integer k ≥ 1, found {type(self.units).__name__}"
            )
        k = int(self.units)
        if k < 1:
            raise InvalidInstance(f"units: expected an integer k ≥ 1, found {k}")
        if not isinstance(self.bias, bool | np.bool_):
            raise InvalidInstance(f"bias: expected true or false, found {self.bias!r}")
        signs = self.output_signs
        if signs is not None:
            if isinstance(signs, str):
                if signs != "nonnegative":
                    raise InvalidInstance(
                        "output_signs: expected null, 'nonnegative' or a list of ±1, "
                        f"found the string {signs!r}"
                    )
            else:
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
                signs = tuple(int(s) for s in signs)
        bound = self.weight_bound
        if bound is not None:
            bound = to_fraction(bound, "weight_bound")
            if bound <= 0:
                raise InvalidInstance(
                    f"weight_bound: expected a positive bound B (‖w_j‖₂ ≤ B), found {bound}; "
                    "use null for no bound"
                )
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
        """The output-sign vectors a solver must consider, each sorted with +1 first.

        Units are interchangeable, so with free signs only the number ``p`` of positive units
        matters: the vectors ``(+1)^p (−1)^{k−p}`` for ``p = k, …, 0``.
        """
        k = self.units
        if self.output_signs is None:
            return [(1,) * p + (-1,) * (k - p) for p in range(k, -1, -1)]
        if self.output_signs == "nonnegative":
            return [(1,) * k]
        return [tuple(self.output_signs)]

    def null_loss(self) -> Fraction:
        """Loss of the zero network, ``Σ c_i y_i²``: an upper bound on the optimum."""
        return sum(
            (c * v * v for c, v in zip(self.sample_weight, self.y, strict=True)), Fraction(0)
        )

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


@dataclass(frozen=True)
class Unit:
    """One hidden unit ``x ↦ a·σ(w·x + b)`` with ``a ∈ {−1, +1}``.

    ``w`` and ``b`` may be floats or exact ``Fraction``s; exact evaluation converts floats
    exactly.
    """

    a: int
    w: tuple[float | Fraction, ...]
    b: float | Fraction = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.a, bool) or self.a not in (1, -1):
            raise InvalidInstance(f"unit output sign a: expected +1 or -1, found {self.a!r}")
        w = tuple(self.w)
        for i, v in enumerate(w):
            _check_param(v, f"unit weight w[{i}]")
        _check_param(self.b, "unit bias b")
        object.__setattr__(self, "a", int(self.a))
        object.__setattr__(self, "w", w)


def _check_param(v: Any, what: str) -> None:
    if isinstance(v, bool) or not isinstance(v, Real | Fraction):
        raise InvalidInstance(f"{what}: expected a number, found {v!r}")
    if isinstance(v, float) and not math.isfinite(v):
        raise InvalidInstance(f"{what}: expected a finite number, found {v!r}")


@dataclass(frozen=True)
class ReluNetwork:
    """A depth-2 ReLU network ``f(x) = Σ_j a_j σ(w_j·x + b_j)``."""

    units: tuple[Unit, ...]

    def __post_init__(self) -> None:
        units = tuple(self.units)
        if not units:
            raise InvalidInstance("network: expected at least one unit, found none")
        widths = {len(u.w) for u in units}
        if len(widths) != 1:
            raise InvalidInstance(f"network: units have different input sizes {sorted(widths)}")
        object.__setattr__(self, "units", units)

    @classmethod
    def from_arrays(
        cls, a: Sequence[int], W: Any, b: Any | None = None, *, exact: bool = False
    ) -> ReluNetwork:
        """Build from signs ``a`` (k), weights ``W`` (k×d) and biases ``b`` (k, default 0)."""
        W = [list(row) for row in W]
        if b is None:
            b = [0] * len(W)
        conv = Fraction if exact else float
        return cls(
            tuple(
                Unit(int(aj), tuple(conv(v) for v in wj), conv(bj))
                for aj, wj, bj in zip(a, W, b, strict=True)
            )
        )

    @property
    def k(self) -> int:
        return len(self.units)

    @property
    def d(self) -> int:
        return len(self.units[0].w)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Float arrays ``(a (k,), W (k, d), b (k,))``."""
        a = np.array([u.a for u in self.units], dtype=float)
        W = np.array([[float(v) for v in u.w] for u in self.units], dtype=float).reshape(self.k, -1)
        b = np.array([float(u.b) for u in self.units], dtype=float)
        return a, W, b

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Float predictions ``f(x_i)`` for the rows of ``X``."""
        a, W, b = self.arrays()
        return np.maximum(np.asarray(X, dtype=float) @ W.T + b, 0.0) @ a


def network_violations(problem: FitProblem, network: ReluNetwork) -> list[str]:
    """Reasons why ``network`` is not in the class of ``problem`` (empty when it is).

    Checks are exact: the norm bound compares ``Σ w²`` with ``B²`` in rationals.
    """
    out: list[str] = []
    if network.d != problem.d:
        out.append(f"network input size is {network.d} but the instance has d = {problem.d}")
        return out
    if network.k > problem.units:
        out.append(f"network has {network.k} units but the instance allows k = {problem.units}")
    if not problem.bias:
        for j, u in enumerate(network.units):
            if u.b != 0:
                out.append(f"unit {j} has bias {u.b} but the instance is bias-free")
    signs = problem.output_signs
    if signs == "nonnegative":
        for j, u in enumerate(network.units):
            if u.a != 1:
                out.append(f"unit {j} has output sign -1 but the instance requires all signs +1")
    elif isinstance(signs, tuple):
        have = sorted(u.a for u in network.units)
        need = sorted(signs[: network.k]) if network.k == len(signs) else None
        if need is None or have != need:
            out.append(
                f"network output signs {[u.a for u in network.units]} do not match the "
                f"instance's fixed signs {list(signs)} (up to the order of units)"
            )
    if problem.weight_bound is not None:
        B2 = problem.weight_bound**2
        for j, u in enumerate(network.units):
            sq = sum((Fraction(v) ** 2 for v in u.w), Fraction(0))
            if sq > B2:
                out.append(
                    f"unit {j} has ‖w‖₂ = {math.sqrt(float(sq)):.12g} > B = {problem.weight_bound}"
                )
    return out


def exact_predictions(problem: FitProblem, network: ReluNetwork) -> list[Fraction]:
    """Exact ``f(x_i)`` for every sample, in rationals."""
    if network.d != problem.d:
        raise InvalidInstance(
            f"network input size is {network.d} but the instance has d = {problem.d}"
        )
    units = [(u.a, [Fraction(v) for v in u.w], Fraction(u.b)) for u in network.units]
    preds = []
    for x in problem.X:
        f = Fraction(0)
        for a, w, b in units:
            t = b + sum((wi * xi for wi, xi in zip(w, x, strict=True)), Fraction(0))
            if t > 0:
                f += t if a > 0 else -t
        preds.append(f)
    return preds


def exact_loss(problem: FitProblem, network: ReluNetwork) -> Fraction:
    """The loss ``Σ_i c_i (f(x_i) − y_i)²`` in exact rational arithmetic.

    Float parameters are converted exactly (``Fraction(0.1)`` is the binary value of 0.1),
    so the result is the true loss of the network as stored, with no rounding anywhere.
    """
    preds = exact_predictions(problem, network)
    return sum(
        (c * (f - y) ** 2 for c, f, y in zip(problem.sample_weight, preds, problem.y, strict=True)),
        Fraction(0),
    )


def loss(problem: FitProblem, network: ReluNetwork) -> float:
    """The loss ``Σ_i c_i (f(x_i) − y_i)²`` in floating point (fast, not exact)."""
    if network.d != problem.d:
        raise InvalidInstance(
            f"network input size is {network.d} but the instance has d = {problem.d}"
        )
    r = network.predict(problem.Xf) - problem.yf
    return float(problem.cf @ (r * r))


def clip_to_bound(problem: FitProblem, network: ReluNetwork) -> ReluNetwork:
    """Scale each unit's ``w`` down, if needed, so that ``Σ w² ≤ B²`` holds *exactly*.

    Numerical solvers return points that satisfy ``‖w‖ ≤ B`` only up to a feasibility
    tolerance.  Rather than accept a tolerance in verification, solvers pass their answer
    through here: the returned network is then strictly in the class and its (recomputed)
    loss is an honest upper bound on the optimum.
    """
    B = problem.weight_bound
    if B is None:
        return network
    B2 = B * B
    units = []
    for u in network.units:
        w = [float(v) for v in u.w]
        if sum((Fraction(v) ** 2 for v in u.w), Fraction(0)) > B2:
            scale = float(B) / math.sqrt(sum(v * v for v in w))
            while True:
                cand = [v * scale for v in w]
                if sum((Fraction(v) ** 2 for v in cand), Fraction(0)) <= B2:
                    break
                scale = math.nextafter(scale, 0.0)
            u = Unit(u.a, tuple(cand), u.b)
        units.append(u)
    return ReluNetwork(tuple(units))
