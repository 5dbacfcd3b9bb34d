"""Ctrl-C for real: SIGINT to a real ``exactfit`` subprocess while a solver runs.

Each case starts the command in its own process group (as a shell starts a foreground job),
waits until the solver is under way, sends SIGINT to the whole group (what a terminal's
Ctrl-C does) and checks the exit code, the time from the signal to the exit, the files
written, that no backend chatter reached stderr, and that no process of the group survives.

The instances (``exactfit generate fit 40 2 --units 2 --noise 1.0``, seeds 5, 6, 7) keep every
solver busy for more than a minute (measured: enum, scip and ortools each still running at 60 s
on every seed; at the default noise 0.1 enum solved seed 6 in 1.2 s), so a run can only end
early because of the signal.  The latency bound is generous for a
loaded CI machine; the measured figures are in docs/interrupts.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: Seconds from SIGINT to exit that the tests accept (the goal is 2 s; see the module doc).
LATENCY_S = 3.0
#: Seconds between the start of the command and the signal: past the imports and the first
#: sign model (~1 s on an idle machine), well before any solver could finish.
DELAY_S = 5.0
#: What the backends print from C when they are not silenced.
NOISE = ("pressed CTRL-C", "without GMP", "ERROR", "Traceback")

ROOT = Path(__file__).resolve().parents[3]


def _generate(path: Path, seed: int) -> None:
    args = ["generate", "fit", "40", "2", "--units", "2", "--noise", "1.0", "--seed", str(seed)]
    args += ["-o", str(path)]
    subprocess.run([sys.executable, "-m", "exactfit", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of three noisy (40, 2)-instances with two units."""
    folder = tmp_path_factory.mktemp("big")
    for seed in (5, 6, 7):
        _generate(folder / f"big40_s{seed}.json", seed)
    return folder


def _group(pgid: int) -> list[str]:
    """The processes still in group ``pgid``, as ``pid cmdline``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:  # fields: state, ppid, pgrp, ...
            out.append(f"{entry.name} {cmd}")
    return out


def interrupt(
    args: list[str], tmp_path: Path, delay: float = DELAY_S, tty: bool = False
) -> tuple[int, float, str, str]:
    """Run ``exactfit ARGS``, SIGINT its group after ``delay`` s; ``(rc, latency, out, err)``.
    With ``tty``, stderr is a pseudo-terminal (the live display draws; ``err`` is what it
    showed).  Fails if a process of the group outlives the command by more than 5 s."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with open(out, "w") as fo, open(err, "w") as fe, _stderr(fe, tty) as (stderr, shown):
        proc = subprocess.Popen(
            [sys.executable, "-m", "exactfit", *args],
            stdout=fo,
            stderr=stderr,
            env=env,
            start_new_session=True,
            # A test runner started in the background inherits SIGINT ignored; a user's
            # shell gives its foreground job the default disposition.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            time.sleep(delay)
            assert proc.poll() is None, f"ended before the signal: {err.read_text()}"
            sent = time.perf_counter()
            os.killpg(proc.pid, signal.SIGINT)
            rc = proc.wait(timeout=60)
            latency = time.perf_counter() - sent
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    waited = time.perf_counter()
    while _group(proc.pid) and time.perf_counter() - waited < 5:
        time.sleep(0.1)
    assert not _group(proc.pid), f"left behind: {_group(proc.pid)}"
    print(f"{' '.join(args)}{' (tty)' if tty else ''}: rc {rc}, SIGINT to exit {latency:.2f} s")
    return rc, latency, out.read_text(), "".join(shown) if tty else err.read_text()


@contextlib.contextmanager
def _stderr(file: Any, tty: bool) -> Iterator[tuple[Any, list[str]]]:
    """``(stderr for the child, what it showed)``: ``file``, or a pseudo-terminal whose
    output a thread collects until the scope ends."""
    if not tty:
        yield file, []
        return
    master, slave = pty.openpty()
    shown: list[str] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the slave side closed
                return
            if not chunk:
                return
            shown.append(chunk.decode(errors="replace"))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        yield slave, shown
    finally:
        os.close(slave)
        reader.join(5)
        os.close(master)


@pytest.mark.parametrize("solver", ["enum", "scip", "ortools", "auto"])
def test_first_ctrl_c_stops_solve_with_the_incumbent(solver, big, tmp_path):
    if solver in ("scip", "auto"):
        pytest.importorskip("pyscipopt")
    if solver == "ortools":
        pytest.importorskip("ortools.math_opt.python.mathopt")
    instance = big / "big40_s5.json"
    sol, trace = tmp_path / "sol.json", tmp_path / "trace.jsonl"
    rc, latency, out, err = interrupt(
        ["solve", str(instance), "--solver", solver, "-o", str(sol), "--trace", str(trace)],
        tmp_path,
    )
    assert rc == 10, err
    assert latency < LATENCY_S
    assert not [line for line in err.splitlines() if any(n in line for n in NOISE)], err
    written = json.loads(sol.read_text())
    assert written["status"] == "feasible" and written["limit"] == "interrupt"
    assert written["network"]["units"] and written["objective"] is not None
    if solver != "enum":  # enum reports no bound at an interrupt yet (docs/interrupts.md)
        assert 0 <= written["bound"] <= written["objective"]
    assert "limit: interrupt" in out
    # the trace of an interrupted solve is complete: its last line is the Result's
    from exactfit.trace import read_trace

    events = read_trace(trace)
    assert events[-1].event == "final"
    assert events[-1].incumbent == written["objective"]
    assert events[-1].bound == written["bound"]
    check = subprocess.run(
        [sys.executable, "-m", "exactfit", "verify", str(instance), str(sol)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("jobs", [[], ["-j", "2"]], ids=["serial", "j2"])
@pytest.mark.parametrize("solver", ["enum", "scip", "ortools"])
def test_ctrl_c_stops_bench_and_records_no_interrupted_run(solver, jobs, big, tmp_path):
    if solver == "scip":
        pytest.importorskip("pyscipopt")
    if solver == "ortools":
        pytest.importorskip("ortools.math_opt.python.mathopt")
    results = tmp_path / "r.jsonl"
    args = ["bench", str(big), "--solvers", solver, "--time-limit", "120", *jobs]
    rc, latency, _, err = interrupt([*args, "-o", str(results)], tmp_path)
    assert rc == 130, err
    assert latency < LATENCY_S
    assert "interrupted" in err
    assert not [line for line in err.splitlines() if any(n in line for n in NOISE)], err
    # Every run was cut short: none may be on disk as a result (--resume runs them again).
    lines = results.read_text().splitlines() if results.exists() else []
    assert lines == []


_CLUSTER = """
import sys, time
from dask.distributed import LocalCluster
cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None
)
print(cluster.scheduler_address, flush=True)
time.sleep(600)
"""


@pytest.fixture
def scheduler():
    """The address of a local Dask cluster in its own process (killed afterwards)."""
    pytest.importorskip("dask.distributed")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", _CLUSTER],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        yield proc.stdout.readline().strip()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_ctrl_c_stops_bench_on_a_dask_cluster_and_its_running_solves(big, tmp_path, scheduler):
    pytest.importorskip("pyscipopt")
    from dask.distributed import Client

    results = tmp_path / "r.jsonl"
    args = ["bench", str(big), "--solvers", "scip", "--time-limit", "120"]
    # on a terminal: the cluster's workers forward their runs' progress through the
    # scheduler's event log, a nested line per running job (two workers: two lines)
    rc, latency, _, err = interrupt(
        [*args, "--scheduler", scheduler, "-o", str(results)], tmp_path, tty=True
    )
    assert rc == 130, err
    assert latency < LATENCY_S
    lines = {line for line in err.replace("\r", "\n").split("\n") if "↳ big40_s" in line}
    assert len({line.split("↳ ")[1].split()[0] for line in lines}) >= 2, err[-2000:]
    assert any("nodes" in line and "scip" in line for line in lines), err[-2000:]
    assert not results.exists() or results.read_text() == ""
    # The workers' running solves were told to stop: none is left with a stop registered.
    with Client(scheduler, timeout=30) as client:
        began = time.perf_counter()
        while _running_solves(client) and time.perf_counter() - began < 10:
            time.sleep(0.1)
        assert _running_solves(client) == 0
        print(f"dask: no solve running {time.perf_counter() - began:.2f} s after the bench exited")


def _running_solves(client) -> int:
    """Solves running on the cluster: each registers its stop with exactfit.interrupt."""

    def count() -> int:  # runs on the workers (pickled by value)
        from exactfit import interrupt

        return len(interrupt._STATE.stoppers)

    return sum(client.run(count).values())


@pytest.mark.parametrize("solver", ["scip", "ortools"])
def test_backend_noise_stays_off_the_terminal(solver):
    """SoPlex warns "... without GMP" from C on this instance (twice under scip, measured with
    the redirection off); GSCIP's interrupt event handler logs an ERROR line on every solve."""
    pytest.importorskip("pyscipopt" if solver == "scip" else "ortools.math_opt.python.mathopt")
    instance = ROOT / "instances" / "fit" / "bounded_n12_d2_k2_b05.json"
    args = ["solve", str(instance), "--solver", solver, "--time-limit", "2"]
    r = subprocess.run(
        [sys.executable, "-m", "exactfit", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert r.returncode in (0, 10), r.stderr
    assert r.stderr == ""
    # the summary names the instance first, then the status
    assert r.stdout.startswith("instance   bounded_n12_d2_k2_b05\nstatus")


def test_ctrl_c_while_bench_starts_its_workers_stops_them_too(big, tmp_path):
    """At 1 s the parent is still importing or spawning its workers (born with SIGINT
    blocked, then ignoring it): the parent alone stops, and takes its workers down."""
    pytest.importorskip("pyscipopt")
    results = tmp_path / "r.jsonl"
    args = ["bench", str(big), "--solvers", "scip", "--time-limit", "120", "-j", "2"]
    rc, latency, _, err = interrupt([*args, "-o", str(results)], tmp_path, delay=1.0)
    assert rc == 130, err
    assert latency < LATENCY_S
    assert "Traceback" not in err  # no worker died of the signal mid-import
    assert not results.exists() or results.read_text() == ""


def test_ctrl_c_stops_bench_j2_with_its_live_display(big, tmp_path):
    """On a terminal, `bench -j 2` shows a nested line per running job, which the workers
    feed through a queue; Ctrl-C still stops everything at once, and the display ends."""
    pytest.importorskip("pyscipopt")
    results = tmp_path / "r.jsonl"
    args = ["bench", str(big), "--solvers", "scip", "--time-limit", "120", "-j", "2"]
    rc, latency, _, shown = interrupt([*args, "-o", str(results)], tmp_path, tty=True)
    assert rc == 130, shown
    assert latency < LATENCY_S
    # two jobs ran at once, each on its own nested line with the solver's own figures
    lines = {line for line in shown.replace("\r", "\n").split("\n") if "↳ big40_s" in line}
    running = {line.split("↳ ")[1].split()[0] for line in lines}
    assert len(running) >= 2, shown[-2000:]
    assert any("nodes" in line and "scip" in line for line in lines), shown[-2000:]
    assert "interrupted" in shown
    assert not results.exists() or results.read_text() == ""


#: Runs `exactfit solve` with one step of it made slow (30 s, after printing READY on stderr),
#: so that a real SIGINT lands in that step: the instance's read, the solver's set-up inside
#: exactfit.solve (the backend lookup), or the CLI's own set-up between the two.
_SLOW_STEP = """
import contextlib, sys, time
import exactfit, exactfit.io, exactfit.cli.solve
from exactfit.cli.main import main

def slow(fn):
    def wrapped(*args, **kwargs):
        print("READY", file=sys.stderr, flush=True)
        time.sleep(30)
        return fn(*args, **kwargs)
    return wrapped

step = sys.argv[1]
if step == "startup":  # the module, which exactfit.cli's function `main` hides
    cli_main = sys.modules["exactfit.cli.main"]
    cli_main.build_parser = slow(cli_main.build_parser)
elif step == "read":
    exactfit.io.read_instance = slow(exactfit.io.read_instance)
elif step == "setup":
    exactfit.get_solver = slow(exactfit.get_solver)
else:
    exactfit.cli.solve.stdout_to_stderr = slow(exactfit.cli.solve.stdout_to_stderr)
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("step", ["startup", "read", "setup", "cli"])
def test_ctrl_c_before_the_solver_starts(step, tmp_path):
    """Before the instance is read (the start-up's imports and parser, the read itself)
    there is nothing to answer: exit 130, one line, no file, no traceback.  Once it
    is read, a first Ctrl-C before the solver has a network is answered like one during
    the solve: rc 10, a complete file with the zero network and the bound 0 (which
    `verify` accepts), the summary saying so."""
    instance = ROOT / "instances" / "fit" / "noisy_n10_d1.json"
    sol = tmp_path / "sol.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = ["solve", str(instance), "--solver", "enum", "-o", str(sol)]
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_STEP, step, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stderr.readline().strip() == "READY"
        sent = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        latency = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"Ctrl-C during {step}: rc {proc.returncode}, SIGINT to exit {latency:.2f} s")
    assert latency < LATENCY_S
    assert "Traceback" not in err, err
    if step in ("startup", "read"):
        assert proc.returncode == 130, err
        assert err.strip() == f"exactfit{' solve' if step == 'read' else ''}: interrupted"
        assert not sol.exists() and list(tmp_path.iterdir()) == []
        return
    assert proc.returncode == 10, err
    written = json.loads(sol.read_text())
    assert written["status"] == "feasible" and written["limit"] == "interrupt"
    assert written["bound"] == 0
    assert all(
        u["b"] in (0, "0") and all(w in (0, "0") for w in u["w"])
        for u in written["network"]["units"]
    )
    # the objective is the zero network's loss: the weighted sum of the squared labels
    from exactfit.io import read_instance

    problem = read_instance(str(instance))
    weights = problem.sample_weight or (1,) * problem.n
    expected = sum(c * y * y for c, y in zip(weights, problem.y, strict=True))
    assert written["objective"] == pytest.approx(float(expected), rel=1e-15)
    assert "interrupted before the solver" in out and "limit: interrupt" in out
    check = subprocess.run(
        [sys.executable, "-m", "exactfit", "verify", str(instance), str(sol)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert check.returncode == 0, check.stdout + check.stderr


#: `exactfit solve ... --solver scip` with a thread that, once the backend has the process's
#: descriptors silenced, prints a message of ours (and a warning) on sys.stderr, as a
#: warning from a helper thread would.
_MESSAGE_DURING_SOLVE = """
import sys, threading, time, warnings
from exactfit.cli.main import main
from exactfit.solvers import _backend

def speak():
    while _backend._DEPTH == 0:
        time.sleep(0.001)
    print("exactfit: a message of ours", file=sys.stderr, flush=True)
    warnings.warn("a warning of ours")
    print("exactfit: a line on stdout", flush=True)

threading.Thread(target=speak, daemon=True).start()
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
def test_our_messages_reach_the_user_while_the_backend_is_silenced(tty, tmp_path):
    """The backend's C output stays off the terminal; ours (Python's sys.stderr and
    sys.stdout, from any thread) gets through: on a terminal above the live display."""
    pytest.importorskip("pyscipopt")
    instance = ROOT / "instances" / "fit" / "bounded_n12_d2_k2_b05.json"
    args = ["solve", str(instance), "--solver", "scip", "--time-limit", "5"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    with _stderr(subprocess.PIPE, tty) as (stderr, shown):
        r = subprocess.run(
            [sys.executable, "-c", _MESSAGE_DURING_SOLVE, *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
            timeout=120,
        )
    err = "".join(shown) if tty else r.stderr
    assert r.returncode in (0, 10), err
    assert "exactfit: a message of ours" in err
    assert "UserWarning: a warning of ours" in err
    # stdout is the summary's during a solve (backends print there): the line goes to stderr
    assert "exactfit: a line on stdout" in err and "a line on stdout" not in r.stdout
    assert not [line for line in err.splitlines() if any(n in line for n in NOISE)], err
    if tty:  # written above the display, which still ends with one whole final line
        from terminal import screen

        final = screen(err)
        assert "exactfit: a message of ours" in final
        assert final[-1].startswith("bounded_n12_d2_k2_b05.json  scip") and final[-1].endswith(
            ("optimal", "feasible")
        )
