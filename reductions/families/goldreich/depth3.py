"""A small depth-3 ReLU network type with rational weights and an exact evaluator.

``F(x) = A σ(W₂ σ(W₁ x + b₁) + b₂) + c`` maps ``R^d → R^m`` through two hidden ReLU layers (of
widths ``h₁`` and ``h₂``) and a linear output layer.  It sits beside exactfit's depth-2
:class:`~exactfit.network.ReluNetwork` only to *label* data and to be checked; nothing in
exactfit fits depth 3.

The exact evaluator works on integer numerators: every layer is written as an integer matrix
over one common denominator, the batch of points likewise, and the products are taken in numpy
object arrays of Python integers (arbitrary precision, so exact), which is one to two orders of
magnitude faster than ``Fraction`` arithmetic element by element.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from exactfit.errors import InvalidInstance
from exactfit.numbers import to_fraction

__all__ = ["Depth3Network"]

Matrix = tuple[tuple[Fraction, ...], ...]


def _matrix(rows: Any, what: str, cols: int | None = None) -> Matrix:
    out = tuple(tuple(to_fraction(v, what) for v in row) for row in rows)
    if not out:
        raise InvalidInstance(f"{what}: expected at least one row, found none")
    widths = {len(r) for r in out}
    if len(widths) != 1 or (cols is not None and widths != {cols}):
        want = cols if cols is not None else "equal"
        raise InvalidInstance(f"{what}: expected rows of {want} entries, found {sorted(widths)}")
    return out


def _vector(values: Any, what: str, size: int) -> tuple[Fraction, ...]:
    out = tuple(to_fraction(v, what) for v in values)
    if len(out) != size:
        raise InvalidInstance(f"{what}: expected {size} entries, found {len(out)}")
    return out


def _integral(M: Matrix, b: tuple[Fraction, ...]) -> tuple[np.ndarray, np.ndarray, int]:
    """``(N, B, D)`` with ``M = N/D`` and ``b = B/D`` (object arrays of ints, ``D ≥ 1``)."""
    D = lcm(*(v.denominator for row in M for v in row), *(v.denominator for v in b))
    N = np.array([[int(v * D) for v in row] for row in M], dtype=object)
    B = np.array([int(v * D) for v in b], dtype=object)
    return N, B, D


@dataclass(frozen=True, eq=False)
class Depth3Network:
    """``F(x) = A σ(W₂ σ(W₁ x + b₁) + b₂) + c`` with exact rational parameters.

    Parameters
    ----------
    W1 : (h₁, d) rationals
    b1 : (h₁,) rationals
    W2 : (h₂, h₁) rationals
    b2 : (h₂,) rationals
    A : (m, h₂) rationals
        Output layer (linear, no ReLU).
    c : (m,) rationals
        Output offsets.
    """

    W1: Matrix
    b1: tuple[Fraction, ...]
    W2: Matrix
    b2: tuple[Fraction, ...]
    A: Matrix
    c: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        put = object.__setattr__
        W1 = _matrix(self.W1, "W1")
        put(self, "W1", W1)
        put(self, "b1", _vector(self.b1, "b1", len(W1)))
        W2 = _matrix(self.W2, "W2", len(W1))
        put(self, "W2", W2)
        put(self, "b2", _vector(self.b2, "b2", len(W2)))
        A = _matrix(self.A, "A", len(W2))
        put(self, "A", A)
        put(self, "c", _vector(self.c, "c", len(A)))

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.W1[0])

    @property
    def widths(self) -> tuple[int, int, int]:
        """``(h₁, h₂, m)``."""
        return len(self.W1), len(self.W2), len(self.A)

    def exact(self, X: Any) -> list[tuple[Fraction, ...]]:
        """Exact outputs ``F(x)`` (rationals) for the rows of ``X`` (numbers of any kind)."""
        rows = [tuple(to_fraction(v, "x") for v in row) for row in X]
        if not rows:
            return []
        if any(len(r) != self.d for r in rows):
            raise InvalidInstance(f"network input: expected points of {self.d} coordinates")
        Dx = lcm(*(v.denominator for r in rows for v in r))
        H = np.array([[int(v * Dx) for v in r] for r in rows], dtype=object).T  # (d, n)
        den = Dx
        for W, b in ((self.W1, self.b1), (self.W2, self.b2)):
            N, B, D = _integral(W, b)
            H = N.dot(H) + (B * den)[:, None]  # numerators over den·D
            H = np.where(H > 0, H, 0)
            den *= D
        N, B, D = _integral(self.A, self.c)
        out = N.dot(H) + (B * den)[:, None]
        den *= D
        return [tuple(Fraction(int(v), den) for v in col) for col in out.T]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Float copies ``(W1, b1, W2, b2, A, c)``."""
        return tuple(
            np.array(
                [[float(v) for v in r] for r in M]
                if isinstance(M[0], tuple)
                else [float(v) for v in M]
            )
            for M in (self.W1, self.b1, self.W2, self.b2, self.A, self.c)
        )

    @staticmethod
    def forward(params: tuple[np.ndarray, ...], X: np.ndarray) -> np.ndarray:
        """Float outputs (n, m) of the network with float parameters ``params`` (as from
        :meth:`arrays`, possibly perturbed) on the rows of ``X``."""
        W1, b1, W2, b2, A, c = params
        H = np.maximum(np.asarray(X, dtype=float) @ W1.T + b1, 0.0)
        H = np.maximum(H @ W2.T + b2, 0.0)
        return H @ A.T + c
