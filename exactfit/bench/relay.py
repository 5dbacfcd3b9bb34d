"""Live progress of runs in other processes: workers forward their snapshots to the parent.

With ``-j N`` or ``--scheduler`` a run's solver publishes its :class:`~exactfit.progress.Snapshot`
in a worker process, where the parent's live display cannot see it.  A worker running
:func:`run_job_live` therefore observes :mod:`exactfit.progress` and sends each run's
snapshots, as plain dicts, over a *channel*:

* ``-j N``: a ``multiprocessing`` queue handed to each worker when the pool starts it
  (:func:`init_worker`; a queue can only reach a process through inheritance);
* Dask: the scheduler's event log (``Worker.log_event`` on topic :data:`TOPIC`), to which the
  submitting client subscribes (``Client.subscribe_topic``).  Messages carry the benchmark's
  id, so benches of other clients on the same cluster are ignored.

The parent's :class:`Relay` turns the messages into one nested line per running job in the
:class:`~exactfit.live.LiveDisplay` (key: instance and solver, unique in a benchmark), and
drops them once the job's record has arrived.  A worker forwards at most
:data:`FORWARD_PER_S` snapshots a second per run (and every change of phase): the display
redraws only 4 times a second; what is held back is merged into the next send.  Nobody
watching (no terminal): no relay, no observer, and the workers run
:func:`exactfit.bench.worker.run_job` as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from exactfit import progress
from exactfit.bench.jobs import Job
from exactfit.bench.worker import run_job

__all__ = ["TOPIC", "DaskChannel", "Relay", "job_key", "run_job_live", "set_queue"]

#: The Dask event topic of the forwarded progress (one topic: the scheduler keeps a bounded
#: log per topic, so one per benchmark would pile up on a long-lived scheduler).
TOPIC = "exactfit-progress"
#: Snapshots forwarded per second and run (the display redraws 4 times a second).
FORWARD_PER_S = 4.0

Send = Callable[[dict[str, Any]], None]


def job_key(instance: str, solver: str) -> str:
    """The key of a job's line: (instance, solver) is unique within one benchmark."""
    return f"{instance} {solver}"


# ------------------------------------------------------------------------- worker side
class _Forwarder:
    """The process's one progress observer while forwarded jobs run in it.

    Snapshots are published process-wide, by whichever thread the solver or its backend uses;
    with one job running (a ``-j`` worker, a one-thread Dask worker) it gets them all, with
    several (threads of one Dask worker) each goes to the job running in the publishing
    thread, and one from an unknown thread is dropped rather than misattributed.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: dict[int, _Outbox] = {}  # by the thread the job runs in
        self.scope: contextlib.ExitStack | None = None

    def __call__(self, snap: progress.Snapshot) -> None:
        with self.lock:
            box = self.jobs.get(threading.get_ident())
            if box is None and len(self.jobs) == 1:
                (box,) = self.jobs.values()
            if box is None:
                return
            message = box.take(snap)
        if message is not None:
            _quiet_send(box.send, message)

    @contextlib.contextmanager
    def running(self, key: str, send: Send) -> Iterator[None]:
        ident = threading.get_ident()
        with self.lock:
            if not self.jobs:
                self.scope = contextlib.ExitStack()
                self.scope.enter_context(progress.observing(self))
            self.jobs[ident] = _Outbox(key, send)
        try:
            yield
        finally:
            with self.lock:
                del self.jobs[ident]
                if not self.jobs and self.scope is not None:
                    self.scope.close()
                    self.scope = None


@dataclasses.dataclass
class _Outbox:
    """One job's forwarding: what was held back by the rate limit, merged into the next send
    (a snapshot's ``None`` keeps the last value, so a held-back incumbent is not lost)."""

    key: str
    send: Send
    last: float = -float("inf")
    held: progress.Snapshot | None = None

    def take(self, snap: progress.Snapshot) -> dict[str, Any] | None:
        """The message to send for ``snap`` now, or ``None`` (held back until the next)."""
        merged = snap if self.held is None else _merge(self.held, snap)
        now = time.monotonic()
        new_phase = self.held is not None and bool(snap.phase) and snap.phase != self.held.phase
        if now - self.last < 1 / FORWARD_PER_S and not new_phase:
            self.held = merged
            return None
        self.last, self.held = now, merged
        return {"job": self.key, "snap": dataclasses.asdict(merged)}


def _merge(old: progress.Snapshot, new: progress.Snapshot) -> progress.Snapshot:
    """``new`` with the values it does not know taken from ``old`` (work counts only within
    one phase: a new phase starts its own count)."""
    same_phase = not new.phase or new.phase == old.phase
    work = (new.done, new.total, new.unit)
    if new.done is None and same_phase:
        work = (old.done, old.total, old.unit)
    return progress.Snapshot(
        new.solver or old.solver,
        new.phase or old.phase,
        old.incumbent if new.incumbent is None else new.incumbent,
        old.bound if new.bound is None else new.bound,
        *work,
    )


_FORWARDER = _Forwarder()
#: The ``-j`` worker's queue to the parent (set by :func:`init_worker`).
_QUEUE: Any = None


def _quiet_send(send: Send, message: dict[str, Any]) -> None:
    # Progress is a courtesy: a full queue or a closing connection must not fail the run.
    with contextlib.suppress(Exception):
        send(message)


def set_queue(channel: Any) -> None:
    """Keep ``channel`` (a multiprocessing queue, or ``None``) as this ``-j`` worker's way to
    the parent.  Its feeder thread is not waited for at exit: a parent that stopped reading
    must not keep the worker alive."""
    global _QUEUE
    _QUEUE = channel
    if channel is not None:
        channel.cancel_join_thread()


@dataclasses.dataclass(frozen=True)
class DaskChannel:
    """Where a Dask task sends its progress: the scheduler's event log, tagged ``bench``."""

    bench: str

    def __call__(self, message: dict[str, Any]) -> None:
        from distributed import get_worker

        get_worker().log_event(TOPIC, {**message, "bench": self.bench})


def run_job_live(job: Job, channel: Send | None = None) -> dict[str, Any]:
    """:func:`~exactfit.bench.worker.run_job`, forwarding the run's progress over ``channel``
    (default: the ``-j`` worker's queue); the record is the same."""
    send = channel if channel is not None else (_QUEUE.put_nowait if _QUEUE else None)
    if send is None:
        return run_job(job)
    key = job_key(job.instance, job.solver)
    _quiet_send(send, {"job": key, "start": job.instance, "solver": job.solver})
    with _FORWARDER.running(key, send):
        return run_job(job)


# ------------------------------------------------------------------------- parent side
class Relay:
    """The parent's end: messages from workers become nested lines of ``display``.

    Parameters
    ----------
    display : LiveDisplay
        Where the lines go (:meth:`~exactfit.live.LiveDisplay.begin`, ``update``, ``end``).
    """

    def __init__(self, display: Any) -> None:
        self.display = display
        self.lock = threading.Lock()
        self.done: set[str] = set()
        self.bench = uuid.uuid4().hex

    def receive(self, message: dict[str, Any]) -> None:
        """Apply one worker message (from any thread; malformed ones are ignored)."""
        key = message.get("job")
        if not isinstance(key, str):
            return
        with self.lock:
            if key in self.done:
                return  # late: the job's record is in
            if "start" in message:
                solver = str(message.get("solver", ""))
                self.display.begin(str(message["start"]), key=key, solver=solver)
            elif isinstance(message.get("snap"), dict):
                fields = {f.name for f in dataclasses.fields(progress.Snapshot)}
                snap = {k: v for k, v in message["snap"].items() if k in fields}
                with contextlib.suppress(TypeError):
                    self.display.update(key, progress.Snapshot(**snap))

    def finished(self, instance: str, solver: str) -> None:
        """The job's record arrived: its line goes, and later messages of it are dropped."""
        key = job_key(instance, solver)
        with self.lock:
            self.done.add(key)
            self.display.end(keep=False, key=key)

    @contextlib.contextmanager
    def from_queue(self, channel: Any) -> Iterator[None]:
        """Read ``channel`` (a multiprocessing queue) in a thread for the scope."""
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                try:
                    message = channel.get(timeout=0.1)
                except queue.Empty:
                    continue
                except Exception:  # a worker killed mid-write tore the queue: stop reading
                    return
                if isinstance(message, dict):
                    self.receive(message)

        reader = threading.Thread(target=read, name="exactfit-relay", daemon=True)
        reader.start()
        try:
            yield
        finally:
            stop.set()
            reader.join(1.0)
            with contextlib.suppress(Exception):  # its pipe and semaphores, now
                channel.close()

    @contextlib.contextmanager
    def from_dask(self, client: Any) -> Iterator[DaskChannel]:
        """Subscribe ``client`` to the workers' progress for the scope; yields the channel
        the tasks send to."""

        def handler(event: Any) -> None:
            _, message = event
            if isinstance(message, dict) and message.get("bench") == self.bench:
                self.receive(message)

        client.subscribe_topic(TOPIC, handler)
        try:
            yield DaskChannel(self.bench)
        finally:
            with contextlib.suppress(Exception):
                client.unsubscribe_topic(TOPIC)
