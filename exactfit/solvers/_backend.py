"""How the MIQP solvers call their backend: quietly, and stoppable by Ctrl-C.

SCIP and SoPlex write to the process's file descriptors from C, whatever the Python-side
settings: SoPlex's "Cannot set feasibility tolerance to small value 1e-11 without GMP" and
SCIP's error messages (GSCIP's interrupt event handler logs one on every solve given an
interrupter) go straight to descriptor 2.  :func:`run_backend` therefore points descriptors 1
and 2 at ``/dev/null`` for the duration of the call unless the user asked for the backend's
log (``verbose``), and runs the call through :func:`exactfit.interrupt.call`.

Our own messages must still get through (a warning, a message printed from another thread
while the backend runs): for the scope, Python's ``sys.stdout`` and ``sys.stderr`` are
pointed at duplicates of the descriptors as they were, so only writes to the raw
descriptors (the backends' C code) are silenced.  A stream the live display has taken over
(rich's file proxy, which writes through its own duplicate of the terminal) is left alone, so
a message appears above the display.  What holds the old stream *object* (a logging handler
made earlier, ``sys.__stderr__``, faulthandler) is silenced with the descriptors.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO, TypeVar

from exactfit import interrupt

__all__ = ["quiet_descriptors", "run_backend"]

T = TypeVar("T")

_LOCK = threading.Lock()
_DEPTH = 0
_SAVED: list[int] = []
#: (name in sys, the stream replaced, its replacement) for each stream pointed elsewhere.
_STREAMS: list[tuple[str, TextIO, TextIO]] = []


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
    for name, fd, saved_fd in (("stdout", 1, saved[0]), ("stderr", 2, saved[1])):
        _keep_stream(name, fd, saved_fd)
    return True


def _keep_stream(name: str, fd: int, saved_fd: int) -> None:
    """Point ``sys.<name>`` at a duplicate of ``saved_fd`` if it writes to descriptor ``fd``
    itself (not if it is rich's proxy or a test's capture)."""
    stream = getattr(sys, name)
    if hasattr(stream, "rich_proxied_file"):
        return
    try:
        if stream.fileno() != fd:
            return
    except (AttributeError, OSError, ValueError):
        return
    encoding = getattr(stream, "encoding", None) or "utf-8"
    errors = getattr(stream, "errors", None) or "strict"
    kept = os.fdopen(os.dup(saved_fd), "w", encoding=encoding, errors=errors, buffering=1)
    _STREAMS.append((name, stream, kept))
    setattr(sys, name, kept)


def _restore() -> None:
    for name, stream, kept in reversed(_STREAMS):
        with contextlib.suppress(Exception):
            kept.flush()
        if getattr(sys, name) is kept:
            setattr(sys, name, stream)
        with contextlib.suppress(OSError):
            kept.close()
    _STREAMS.clear()
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
