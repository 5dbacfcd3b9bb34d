"""How the MIQP solvers call their backend: quietly, and stoppable by Ctrl-C.

SCIP and SoPlex write to the process's file descriptors from C, whatever the Python-side
settings: SoPlex's "Cannot set feasibility tolerance to small value 1e-11 without GMP" and
SCIP's error messages (GSCIP's interrupt event handler logs one on every solve given an
interrupter) go straight to descriptor 2.  :func:`run_backend` therefore points descriptors 1
and 2 at ``/dev/null`` for the duration of the call unless the user asked for the backend's
log (``verbose``), and runs the call through :func:`exactfit.interrupt.call`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from exactfit import interrupt

__all__ = ["quiet_descriptors", "run_backend"]

T = TypeVar("T")

_LOCK = threading.Lock()
_DEPTH = 0
_SAVED: list[int] = []


@contextlib.contextmanager
def quiet_descriptors(quiet: bool = True) -> Iterator[None]:
    """Send file descriptors 1 and 2 to ``/dev/null`` inside the scope (when ``quiet``).

    Descriptors belong to the process, so concurrent scopes (solves in threads of a Dask
    worker) share one redirection: the first to enter saves and redirects, the last to leave
    restores.  Python's own ``sys.stdout``/``sys.stderr`` are flushed first so that nothing
    written before the scope is lost.
    """
    global _DEPTH
    if not quiet:
        yield
        return
    with _LOCK:
        if _DEPTH == 0 and not _redirect():
            quiet = False
        else:
            _DEPTH += 1
    try:
        yield
    finally:
        if quiet:
            with _LOCK:
                _DEPTH -= 1
                if _DEPTH == 0:
                    _restore()


def _redirect() -> bool:
    """Save descriptors 1 and 2 and point them at ``/dev/null``; False if there are none."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        saved = [os.dup(1), os.dup(2)]
    except OSError:  # no real descriptors (an embedded runner): nothing to silence
        return False
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
    finally:
        os.close(null)
    _SAVED[:] = saved
    return True


def _restore() -> None:
    out, err = _SAVED
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.close(out)
    os.close(err)
    _SAVED.clear()


def run_backend(fn: Callable[[], T], stop: Callable[[], None], *, verbose: bool) -> T:
    """``fn()`` (a backend's solve), silenced unless ``verbose`` and stopped by ``stop()`` on
    the first Ctrl-C (see :func:`exactfit.interrupt.call`)."""
    with quiet_descriptors(not verbose):
        return interrupt.call(fn, stop)
