"""exactfit.interrupt: SIGINT as a stop request inside graceful sections, in this process."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from exactfit import interrupt


def ctrl_c() -> None:
    """Deliver SIGINT to this process; the handler runs before ``os.kill`` returns here."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.01)  # in case the interpreter runs the handler a few bytecodes later


@pytest.fixture(autouse=True)
def default_handler():
    """Each test starts from Python's own handler (a runner may have set another)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_first_press_in_a_graceful_section_is_a_request_and_the_second_raises():
    stopped = []
    with interrupt.graceful(), interrupt.on_stop(lambda: stopped.append(1)):
        ctrl_c()
        assert interrupt.requested() and stopped == [1]
        with pytest.raises(KeyboardInterrupt):
            ctrl_c()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_a_graceful_section_ctrl_c_raises_and_is_still_recorded():
    with interrupt.session():
        with pytest.raises(KeyboardInterrupt):
            ctrl_c()
        assert interrupt.requested()
        with interrupt.graceful():  # nested: the request of the outer session stands
            assert interrupt.requested()


def test_a_new_session_clears_the_request():
    with interrupt.graceful():
        interrupt.request()
        assert interrupt.requested()
    with interrupt.session():
        assert not interrupt.requested()


def test_an_ignored_sigint_stays_ignored():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with interrupt.graceful():
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_stopper_registered_after_the_request_runs_at_once():
    stopped = []
    with interrupt.graceful():
        interrupt.request()
        with interrupt.on_stop(lambda: stopped.append(1)):
            assert stopped == [1]


def test_call_waits_in_the_main_thread_so_ctrl_c_stops_a_blocking_backend():
    """The backend blocks (like SCIP inside C) until its stop is called; SIGINT from another
    thread reaches the handler while the main thread waits, and the stop ends the call."""
    release = threading.Event()
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    with interrupt.graceful():
        timer.start()
        began = time.perf_counter()
        value = interrupt.call(lambda: release.wait(30) and "stopped", release.set)
    assert value == "stopped" and time.perf_counter() - began < 5


def test_call_raises_the_backends_exception():
    def fail() -> None:
        raise RuntimeError("backend failed")

    with interrupt.graceful(), pytest.raises(RuntimeError, match="backend failed"):
        interrupt.call(fail, lambda: None)


def test_a_stopper_that_refuses_is_not_the_users_problem():
    def refuse() -> None:
        raise RuntimeError("already finished")

    with interrupt.graceful(), interrupt.on_stop(refuse):
        ctrl_c()
    assert interrupt.requested()


def test_backend_calls_share_one_helper_thread():
    """SCIP's CppAD interpreter numbers every thread it meets and crashes past its maximum;
    a new thread per call crashed the test suite after a few dozen solves."""
    with interrupt.graceful():
        threads = {interrupt.call(threading.get_ident, lambda: None) for _ in range(200)}
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_a_call_abandoned_by_a_second_ctrl_c_leaves_the_next_call_working():
    release = threading.Event()
    presses = [threading.Timer(t, lambda: os.kill(os.getpid(), signal.SIGINT)) for t in (0.2, 0.5)]
    with interrupt.graceful():
        for timer in presses:
            timer.start()
        with pytest.raises(KeyboardInterrupt):
            interrupt.call(lambda: release.wait(30), lambda: None)  # a stop that does not stop
    try:
        with interrupt.graceful():
            assert interrupt.call(lambda: "next", lambda: None) == "next"
    finally:
        release.set()


def test_stop_running_stops_the_calls_running_now_and_leaves_no_request():
    stopped = []
    with interrupt.graceful(), interrupt.on_stop(lambda: stopped.append(1)):
        interrupt.stop_running()
        assert stopped == [1] and not interrupt.requested()
