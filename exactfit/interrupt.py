"""Ctrl-C as a request to stop, for code that can stop cleanly with what it has.

Python turns SIGINT into ``KeyboardInterrupt`` between two bytecodes of the main thread.  That
serves pure-Python search (``enum`` catches it and returns its incumbent), but not a backend
that runs for minutes inside one C call: the exception waits until the call returns, and an
exception thrown through the sign-model driver would lose the incumbent besides.  So:

* :func:`graceful` marks a section that polls :func:`requested` and can tell its backend to
  stop.  Inside it the *first* SIGINT only sets the request and calls the stoppers registered
  with :func:`on_stop` (``Model.interruptSolve``, a MathOpt ``SolveInterrupter``); the second
  raises ``KeyboardInterrupt`` as usual, for a user who does not want to wait.
* Outside a graceful section SIGINT still raises ``KeyboardInterrupt`` (and sets the request,
  so a caller such as ``bench`` can tell that a run ended because the user asked).
* :func:`call` runs a blocking backend call in a helper thread while the main thread waits, so
  that the handler runs at once instead of when the C call returns.

The handler is installed by the outermost :func:`session` (a graceful section opens one) and
only in the main thread over Python's own default handler: a SIGINT the caller ignores
(``nohup``, a background job) or handles itself stays theirs.  The request is cleared when an
outermost session begins, so one interrupted solve does not stop the next.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "call",
    "graceful",
    "on_stop",
    "presses",
    "request",
    "requested",
    "session",
    "stop_running",
]

T = TypeVar("T")

#: How often a waiting main thread re-sends a stop to the backend it waits for: a stop that
#: arrives while the backend is still starting can be reset by it (SCIP clears its interrupt
#: flag when a solve begins), so it is repeated until the call returns.
RESEND_S = 0.1


@dataclass
class _State:
    """The process-wide interrupt state (one SIGINT handler per process)."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    event: threading.Event = field(default_factory=threading.Event)
    sessions: int = 0
    graceful: int = 0
    presses: int = 0
    installed: bool = False
    previous: Any = None
    stoppers: dict[int, Callable[[], None]] = field(default_factory=dict)
    next_id: int = 0


_STATE = _State()


def requested() -> bool:
    """Whether a stop was requested (by SIGINT or :func:`request`) in the current session."""
    return _STATE.event.is_set()


def presses() -> int:
    """The Ctrl-C presses the handler has seen in the current session: a first one that
    raised ``KeyboardInterrupt`` outside a graceful section is a stop request, a second one
    an abort."""
    return _STATE.presses


def request() -> None:
    """Request a stop as a first Ctrl-C would: set the request and run every stopper."""
    _STATE.event.set()
    stop_running()


def stop_running() -> None:
    """Stop every backend call running now (from any thread), leaving no request behind.

    For a process whose sessions may never all end (a Dask worker with several threads): a
    standing request would stop every later solve there.  A backend stopped this way reports
    ``Limit.INTERRUPT``, after which the sign-model driver skips its remaining models anyway.
    """
    with _STATE.lock:
        stoppers = list(_STATE.stoppers.values())
    for stop in stoppers:
        _fire(stop)


def _fire(stop: Callable[[], None]) -> None:
    # A backend that has already finished may refuse the stop; that is no error of the user's.
    with contextlib.suppress(Exception):
        stop()


def _handler(signum: int, frame: Any) -> None:
    _STATE.presses += 1
    _STATE.event.set()
    if _STATE.graceful > 0 and _STATE.presses == 1:
        request()
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def session() -> Iterator[None]:
    """Scope in which SIGINT sets :func:`requested` (see the module docstring).

    The outermost session clears the request and, in the main thread over Python's default
    handler, installs the handler; it restores the previous one on exit.  Nested sessions
    share the outer one's state.
    """
    with _STATE.lock:
        outer = _STATE.sessions == 0
        _STATE.sessions += 1
        if outer:
            _STATE.event.clear()
            _STATE.presses = 0
            _install()
    try:
        yield
    finally:
        with _STATE.lock:
            _STATE.sessions -= 1
            if _STATE.sessions == 0 and _STATE.installed:
                signal.signal(signal.SIGINT, _STATE.previous)
                _STATE.installed = False


def _install() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    current = signal.getsignal(signal.SIGINT)
    if current is signal.default_int_handler:
        _STATE.previous = current
        signal.signal(signal.SIGINT, _handler)
        _STATE.installed = True


@contextlib.contextmanager
def graceful() -> Iterator[None]:
    """A section that honours :func:`requested`: the first SIGINT in it raises nothing."""
    with session():
        with _STATE.lock:
            _STATE.graceful += 1
        try:
            yield
        finally:
            with _STATE.lock:
                _STATE.graceful -= 1


@contextlib.contextmanager
def on_stop(stop: Callable[[], None]) -> Iterator[None]:
    """Call ``stop()`` when a stop is requested while this scope is open (at once if it
    already was).  ``stop`` must be safe to call from the main thread while the backend runs
    in another, and more than once."""
    with _STATE.lock:
        key = _STATE.next_id
        _STATE.next_id += 1
        _STATE.stoppers[key] = stop
    try:
        if requested():
            _fire(stop)
        yield
    finally:
        with _STATE.lock:
            del _STATE.stoppers[key]


@dataclass
class _Job:
    """One call handed to the helper thread, and what came of it."""

    fn: Callable[[], Any]
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


class _Helper:
    """One long-lived daemon thread that runs the backend calls, in turn.

    Long-lived because SCIP's expression interpreter (CppAD, used by its NLP heuristics)
    numbers every thread that ever evaluates an expression and fails past a fixed maximum:
    a new thread per call crashed the process (SIGSEGV in ``SCIPexprintEval``) after a few
    dozen solves.  Daemon because a call abandoned by a second Ctrl-C must not hold up the
    process exit; the next call then gets a fresh thread.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.busy = False

    def submit(self, fn: Callable[[], Any]) -> _Job:
        job = _Job(fn)
        with self.lock:
            if self.thread is None or self.busy:
                # First call, or the thread is still inside an abandoned call.
                self.jobs = queue.SimpleQueue()
                self.thread = threading.Thread(
                    target=self._serve, args=(self.jobs,), name="exactfit-backend", daemon=True
                )
                self.thread.start()
            self.busy = True
            self.jobs.put(job)
        return job

    def _serve(self, jobs: queue.SimpleQueue[_Job]) -> None:
        while True:
            job = jobs.get()
            try:
                job.value = job.fn()
            except BaseException as exc:  # handed to the waiting thread, which raises it
                job.error = exc
            job.done.set()

    def finished(self) -> None:
        with self.lock:
            self.busy = False


_HELPER = _Helper()


def call(fn: Callable[[], T], stop: Callable[[], None]) -> T:
    """``fn()``, stoppable by ``stop()`` on a request (see the module docstring).

    With the handler installed and in the main thread, ``fn`` runs in a daemon helper thread
    (it must release the GIL, as ``optimizeNogil`` and ``mathopt.solve`` do) and the main
    thread waits, so a SIGINT reaches the handler at once; a second SIGINT raises
    ``KeyboardInterrupt`` here and abandons the call to the process exit.  Otherwise ``fn``
    runs in this thread and only :func:`request` (from another thread) can stop it.
    ``fn``'s exception, if any, is raised here.
    """
    with on_stop(stop):
        if not (_STATE.installed and threading.current_thread() is threading.main_thread()):
            return fn()
        job = _HELPER.submit(fn)
        while not job.done.wait(RESEND_S):
            if requested():
                _fire(stop)
        _HELPER.finished()
        if job.error is not None:
            raise job.error
        return job.value
