"""Exact integer arrays: int64 while every entry provably fits, Python integers beyond.

The exact enumerator computes with integer matrices whose entries can grow without bound.
These helpers keep them as fast int64 arrays while an a-priori bound proves that no product
overflows, and switch to object arrays of Python integers (which never overflow) otherwise.
"""

from __future__ import annotations

import math

import numpy as np

#: Integer arrays stay int64 while every entry is below this; beyond it they switch to Python
#: integers (object arrays), which never overflow.  Every product of int64 arrays is guarded
#: by an a-priori bound on its entries (:func:`_mul`, :func:`_cross2`, the witness update), so
#: overflow is impossible whatever the threshold below ``2**62``.
_INT_SAFE = 2**62


def _as_exact(a: np.ndarray) -> np.ndarray:
    """``a`` as int64 when all entries are small, else as an object array of Python ints."""
    a = np.asarray(a)
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64)
    big = max(abs(int(v)) for v in a.flat) if a.dtype == object else int(np.abs(a).max())
    if big < _INT_SAFE:
        return a.astype(np.int64)
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(a.flat):
        flat[i] = int(v)
    return out


def _row_gcd_shrink(a: np.ndarray) -> np.ndarray:
    """Divide each integer row by the gcd of its entries (keeps witnesses small)."""
    if a.size == 0:
        return a
    if a.dtype != object:
        g = np.gcd.reduce(a, axis=1)
        g[g == 0] = 1
        return a // g[:, None]
    rows = []
    for row in a:
        g = 0
        for v in row:
            g = math.gcd(g, int(v))
        rows.append([int(v) // g for v in row] if g > 1 else [int(v) for v in row])
    return _as_exact(np.array(rows, dtype=object))


def _mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact integer matrix product (int64 when safe, Python ints otherwise)."""
    if a.dtype == object or b.dtype == object:
        return _as_exact(np.dot(a.astype(object), b.astype(object)))
    if a.size and b.size:
        bound = int(np.abs(a).max()) * int(np.abs(b).max()) * max(a.shape[-1], 1)
        if bound >= 2**62:
            return _as_exact(np.dot(a.astype(object), b.astype(object)))
    return a @ b


def _sign(a: np.ndarray) -> np.ndarray:
    if a.dtype == object:
        return np.array([[(v > 0) - (v < 0) for v in row] for row in a], dtype=np.int8).reshape(
            a.shape
        )
    return np.sign(a).astype(np.int8)


def _cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact 2-D cross products ``a_x b_y − a_y b_x`` of integer rows (int64 or Python ints)."""
    if a.dtype != object and b.dtype != object and a.size:
        bound = 2 * int(np.abs(a).max()) * int(np.abs(b).max())
        if bound < 2**62:
            return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    a, b = a.astype(object), b.astype(object)
    return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
