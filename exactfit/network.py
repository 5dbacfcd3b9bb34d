"""Depth-2 ReLU networks ``f(x) = Σ_j a_j σ(w_j·x + b_j)`` and their loss on a problem.

A network's parameters may be floats or exact ``Fraction``s.  :func:`exact_loss` evaluates in
rationals (floats converted exactly), so the loss it returns is the true loss of the network as
stored; :func:`network_violations` decides class membership exactly (``Σ w² ≤ B²`` in
rationals); :func:`clip_to_bound` moves a float solution strictly into the norm ball.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np

from exactfit.errors import InvalidInstance

if TYPE_CHECKING:
    from exactfit.problem import FitProblem

__all__ = [
    "ReluNetwork",
    "Unit",
    "clip_to_bound",
    "exact_loss",
    "exact_predictions",
    "loss",
    "network_from_params",
    "network_violations",
]


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


def network_from_params(
    problem: FitProblem, signs: Sequence[int], params: Sequence[Sequence[Any]]
) -> ReluNetwork:
    """The network ``Σ_j a_j σ(w_j·x + b_j)`` with ``a = signs`` whose unit ``j`` has the
    lifted parameters ``params[j] = (w_j, b_j)`` (``w_j`` alone without bias), clipped into
    the norm ball (:func:`clip_to_bound`).  Fractions stay exact; other numbers become
    floats."""
    d = problem.d

    def num(v: Any) -> Fraction | float:
        return v if isinstance(v, Fraction) else float(v)

    units = []
    for a, p in zip(signs, params, strict=True):
        units.append(Unit(int(a), tuple(num(v) for v in p[:d]), num(p[d]) if problem.bias else 0.0))
    return clip_to_bound(problem, ReluNetwork(tuple(units)))
