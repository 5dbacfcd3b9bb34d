"""Watching a solve from the command line: the live display (only on a terminal), the
backend's log (``--verbose``, ``--log``) and the trace file (``--trace``)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from terminal import screen

from exactfit.cli import main
from exactfit.trace import EVENTS, read_trace

ROOT = Path(__file__).resolve().parents[3]
#: Two units, six points: every solver proves it in well under a second.
SMALL = str(ROOT / "instances" / "fit" / "k2_n6_d1.json")
#: Backend log lines, and the chatter the backends print from C when not silenced.
LOG_WORDS = ("presolving", "SCIP Status")
NOISE = ("without GMP", "ERROR", "SCIP Status", "presolving")


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    """A fake terminal is 80 columns to rich unless told: room for the whole line."""
    monkeypatch.setenv("COLUMNS", "200")


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _backend(solver: str) -> None:
    if solver == "scip":
        pytest.importorskip("pyscipopt")
    if solver == "ortools":
        pytest.importorskip("ortools.math_opt.python.mathopt")


@pytest.mark.parametrize("solver", ["enum", "scip", "ortools"])
def test_trace_file_is_written_and_ends_with_the_result(solver, tmp_path, capsys):
    _backend(solver)
    trace, sol = tmp_path / "t.jsonl", tmp_path / "s.json"
    rc = main(["solve", SMALL, "--solver", solver, "--trace", str(trace), "-o", str(sol)])
    assert rc == 0
    written = json.loads(sol.read_text())
    lines = trace.read_text().splitlines()
    assert all(
        set(json.loads(line)) == {"t", "solver", "event", "incumbent", "bound"} for line in lines
    )
    events = read_trace(trace)
    assert len(events) >= 2  # at least one report before the final line
    assert [e.t for e in events] == sorted(e.t for e in events)  # t never decreases
    assert {e.event for e in events} <= set(EVENTS)
    assert [e.event for e in events].count("final") == 1
    final = events[-1]
    assert final.event == "final" and final.solver == solver
    assert final.incumbent == written["objective"] and final.bound == written["bound"]
    assert {e.solver for e in events} == {solver}
    # incumbents only go down and bounds only up, as recorded
    incumbents = [e.incumbent for e in events[:-1] if e.incumbent is not None]
    bounds = [e.bound for e in events[:-1] if e.bound is not None]
    assert incumbents == sorted(incumbents, reverse=True) and bounds == sorted(bounds)


def test_no_trace_file_without_the_flag_and_a_bad_trace_path_is_refused(tmp_path, capsys):
    assert main(["solve", SMALL, "--solver", "enum", "--trace", str(tmp_path / "no/t")]) == 2
    assert "--trace" in capsys.readouterr().err


@pytest.mark.parametrize("solver", ["scip", "ortools"])
def test_log_writes_the_backend_log_to_a_file_and_nothing_to_the_terminal(solver, tmp_path, capfd):
    _backend(solver)
    log = tmp_path / "backend.log"
    assert main(["solve", SMALL, "--solver", solver, "--log", str(log)]) == 0
    text = log.read_text()
    assert text and any(word in text for word in LOG_WORDS)
    out, err = capfd.readouterr()
    assert not [line for line in (out + err).splitlines() if any(n in line for n in NOISE)]
    assert "optimal" in out and "optimal" not in err


@pytest.mark.parametrize("solver", ["scip", "ortools"])
def test_verbose_shows_the_backend_log(solver, capfd):
    _backend(solver)
    assert main(["solve", SMALL, "--solver", solver, "--verbose"]) == 0
    out, err = capfd.readouterr()
    assert "presolving" in err  # the backend's stdout goes to stderr during a solve
    assert out.startswith("instance   k2_n6_d1\nstatus     optimal")  # stdout: only the summary


def test_log_and_verbose_are_refused_for_a_solver_without_a_backend(tmp_path, capsys):
    assert main(["solve", SMALL, "--solver", "enum", "--log", str(tmp_path / "l")]) == 2
    assert "no log of its own" in capsys.readouterr().err
    assert main(["solve", SMALL, "--solver", "brute", "--verbose"]) == 2


@pytest.mark.parametrize("solver", ["enum", "scip", "ortools"])
def test_progress_appears_on_a_terminal_and_ends_with_one_whole_line(solver, monkeypatch, capsys):
    _backend(solver)
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["solve", SMALL, "--solver", solver]) == 0
    # rich redrew the line in place: the screen holds exactly one line, the final state
    (final,) = screen(tty.getvalue())
    assert final.startswith(f"k2_n6_d1.json  {solver}  ")
    assert "incumbent" in final and "bound" in final and final.endswith("  optimal")
    assert "status     optimal" in capsys.readouterr().out


@pytest.mark.parametrize("flag", [[], ["--quiet"], ["--verbose"]], ids=["pipe", "quiet", "verbose"])
def test_no_progress_when_not_a_terminal_or_when_asked(flag, monkeypatch, capfd):
    pytest.importorskip("pyscipopt")
    if flag:  # a terminal, but --quiet (no display) or --verbose (the log instead)
        monkeypatch.setattr(sys, "stderr", tty := FakeTty())
    assert main(["solve", SMALL, "--solver", "scip", *flag]) == 0
    drawn = tty.getvalue() if flag else capfd.readouterr().err
    assert "incumbent" not in drawn and "\x1b[" not in drawn
