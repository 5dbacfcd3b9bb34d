"""Compiled (numba) kernels for the hot loops of a whole-arrangement sweep.

Each kernel is a loop-by-loop transcription of a vectorised numpy routine that stays the
reference, performing the same float operations in the same order per element, so it gives the
same values (up to the last bit where the compiler reorders nothing; the tests compare them):

* :func:`circle_sums` — the active sums at the crossings of a batch of circles
  (:meth:`.arrangement.generic.GenericEnumerator.sweep`'s running prefix sums), without the
  ``(circles, hyperplanes, P)`` intermediate arrays;
* :func:`kkt_solve` — the ray systems of :meth:`.arrangement.generic.GenericEnumerator._kkt`:
  solution and the determinant of the column-normalised matrix (Gaussian elimination with
  partial pivoting, the algorithm of LAPACK's ``getrf``: the same backward-error class);
* :func:`ldl_values` — :func:`.cellqp._ldl_values` for the three right-hand sides of
  :meth:`.algebra._Setup.sign_bounds`, read straight from the active sums;
* :func:`halfspace_increase` — the ``O(mD²)`` part of :func:`.halfspace.halfspace_bounds`;
* :func:`._fused.sweep_pairs` — all of the above between a circle's frame and the (cell, output
  sign) pairs :func:`.single._bound_single` keeps, fused (:mod:`.fused` drives it).

numba is imported only through :func:`get`, and only for big enumerations (:data:`MIN_CELLS`):
its import and a cold JIT cache cost about a second, which small solves must not pay.  The
compiled code is cached on disk (``cache=True``), so later processes load it.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["MIN_CELLS", "available", "get"]

#: Arrangements with at least this many chambers (Cover's bound) use the compiled kernels.
MIN_CELLS = 300_000

_KERNELS: Any = None


def get(cells: int) -> Any:
    """The compiled kernels when an enumeration of ``cells`` chambers should use them, else
    ``None`` (small enumeration, numba missing, or ``EXACTFIT_NO_JIT`` set)."""
    global _KERNELS
    if cells < MIN_CELLS or os.environ.get("EXACTFIT_NO_JIT"):
        return None
    if _KERNELS is None:
        try:
            _KERNELS = _build()
        except ImportError:
            _KERNELS = False
    return _KERNELS or None


def available() -> bool:
    """Whether big enumerations will run compiled (numba installed, not switched off), without
    importing numba."""
    import importlib.util

    return not os.environ.get("EXACTFIT_NO_JIT") and importlib.util.find_spec("numba") is not None


def _build() -> Any:
    from types import SimpleNamespace

    from exactfit.solvers.enumeration import _compiled, _fused

    mods = (_compiled, _fused)
    return SimpleNamespace(**{name: getattr(m, name) for m in mods for name in m.__all__})
