"""Live progress without a solver: snapshots and observers, the display's line, the trace
recorder and the trace file format (docs/formats.md, "Trace files")."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from terminal import screen

from exactfit import progress
from exactfit.errors import InputError
from exactfit.live import LiveDisplay, RunLine, terminal_stream
from exactfit.progress import Snapshot, Throttle
from exactfit.trace import Recorder, TraceEvent, read_trace


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_observers_see_what_is_published_only_while_registered():
    seen: list[Snapshot] = []
    assert not progress.active()
    with progress.observing(seen.append):
        assert progress.active()
        progress.publish(Snapshot("scip", incumbent=1.0))
    progress.publish(Snapshot("scip", incumbent=0.5))
    assert [s.incumbent for s in seen] == [1.0]
    assert not progress.active()


def test_throttle():
    slow, fast = Throttle(3600.0), Throttle(0.0)
    assert slow.ready() and not slow.ready()
    assert fast.ready() and fast.ready()


def test_the_line_shows_incumbent_bound_gap_work_and_an_eta_for_countable_work():
    line = RunLine("p.json")
    line.update(Snapshot("enum", "enumerate", 2.0, 1.0, done=25, total=100, unit="cells"))
    line.began = line.phase_began = 100.0
    text = line.text(110.0)
    assert text == (
        "p.json  enum  enumerate  10.0s  incumbent 2  bound 1  gap 50%  25/100 cells  ETA ≤ 30s"
    )
    # a report that does not know the incumbent keeps the last one; a new phase resets work
    line.update(Snapshot("", "search", None, 1.5, done=3, unit="visited"))
    assert "incumbent 2  bound 1.5" in line.text(111.0) and "ETA" not in line.text(111.0)
    assert "3 visited" in line.text(111.0)


def test_gap_is_zero_within_the_optimality_tolerance():
    line = RunLine("")
    line.update(Snapshot("enum", incumbent=1e-30, bound=0.0))
    assert "gap 0%" in line.text(line.began)


def test_terminal_stream_only_for_a_terminal_unless_forced():
    pipe, tty = io.StringIO(), FakeTty()
    assert terminal_stream(pipe) is None and terminal_stream(tty) is tty
    assert terminal_stream(pipe, True) is pipe and terminal_stream(tty, False) is None


def test_display_redraws_in_place_and_keeps_a_whole_final_line(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    tty = FakeTty()
    display = LiveDisplay(tty)
    with display, progress.observing(display):
        display.begin("p")
        for i in range(30, 0, -1):  # a long line, then shorter ones: nothing may stay behind
            progress.publish(Snapshot("scip", f"model {i}", float(i) * 1e6, 0.0, i, unit="nodes"))
            display.refresh()
        display.end("optimal")
    (line,) = screen(tty.getvalue())
    assert line.startswith("p  scip  model 1  ")
    assert line.endswith("s  incumbent 1e+06  bound 0  gap 100%  1 nodes  optimal")


def test_a_nested_line_disappears_when_its_run_ends(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    tty = FakeTty()
    display = LiveDisplay(tty)
    with display:
        display.set_header("[0/2] starting")
        display.begin("a")
        display(Snapshot("enum", "search", 1.0, 0.5))
        display.refresh()
        assert screen(tty.getvalue())[1].startswith("  ↳ a  enum  search")
        display.end(keep=False)
        display.set_header("[1/2] a enum: optimal 0.10s")
    assert screen(tty.getvalue()) == ["[1/2] a enum: optimal 0.10s"]


def _result(objective, bound, solver="scip"):
    return SimpleNamespace(objective=objective, bound=bound, solver=solver)


def test_recorder_marks_improvements_and_ends_with_the_result(tmp_path, monkeypatch):
    monkeypatch.setattr("exactfit.trace.PROGRESS_EVERY_S", 3600.0)
    rec = Recorder("scip")
    rec(Snapshot("scip", incumbent=None, bound=0.0))  # the first bound
    rec(Snapshot("scip", incumbent=3.0, bound=0.0))
    rec(Snapshot("scip", incumbent=3.0, bound=0.0))  # nothing new: no line (throttled)
    rec(Snapshot("scip", incumbent=4.0, bound=1.0))  # a worse incumbent is not recorded
    rec(Snapshot("", incumbent=2.0))
    path = tmp_path / "t.jsonl"
    rec.write(path, _result(2.0, 1.5))
    events = read_trace(path)
    assert [(e.event, e.incumbent, e.bound) for e in events] == [
        ("bound", None, 0.0),
        ("incumbent", 3.0, 0.0),
        ("bound", 3.0, 1.0),
        ("incumbent", 2.0, 1.0),
        ("final", 2.0, 1.5),
    ]
    assert [e.t for e in events] == sorted(e.t for e in events)
    assert {e.solver for e in events} == {"scip"}
    assert [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]  # no temporary file left


def test_final_line_of_a_result_without_an_objective():
    rec = Recorder()
    final = rec.final(_result(None, float("inf"), "enum"))
    assert json.loads(final.to_json()) == {
        "t": final.t,
        "solver": "enum",
        "event": "final",
        "incumbent": None,
        "bound": None,
    }


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("not json", "JSON"),
        ('{"t": 0}', "keys"),
        ('{"t": "0", "solver": "s", "event": "final", "incumbent": null, "bound": null}', "t must"),
        ('{"t": 0, "solver": "s", "event": "done", "incumbent": null, "bound": null}', "event"),
        ('{"t": -1, "solver": "s", "event": "final", "incumbent": null, "bound": null}', "≥ 0"),
        ('{"t": 0, "solver": 1, "event": "final", "incumbent": null, "bound": null}', "string"),
    ],
)
def test_a_malformed_trace_line_is_one_input_error(line, words, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(InputError, match=words):
        read_trace(path)


def test_trace_event_refuses_what_the_format_does_not_allow():
    with pytest.raises(InputError):
        TraceEvent(0.0, "enum", "incumbent", float("nan"), None)


def test_certificate_phase_reports_the_provers_nodes():
    """The prover polls every 64 nodes with its node count: the live progress of the
    certify phase counts nodes (multiples of 64, increasing), not polls, and enum's
    callback gets them too.  The instance's proof takes ~160 nodes, so it polls twice."""
    from pathlib import Path

    import exactfit
    from exactfit.io import read_instance

    root = Path(__file__).resolve().parents[2]
    problem = read_instance(root / "instances" / "fit" / "noisy_n30_d2_k1.json")
    seen: list[Snapshot] = []
    polls: list[dict] = []
    with progress.observing(seen.append):
        result = exactfit.solve(problem, "enum", callback=polls.append)
    # the premise, stated so a faster prover that no longer reaches a poll fails here, clearly
    assert result.stats["certificate"]["nodes"] >= 128, "pick an instance with a larger proof"
    certify = [s for s in seen if s.phase == "certify"]
    counts = [s.done for s in certify if s.unit == "nodes"]
    assert counts and all(c % 64 == 0 for c in counts)
    assert counts == sorted(counts)
    # once the prover has counted nodes, the phase reports nothing else (before it, the
    # polishing of the winner polls its cone QPs, which it counts as steps)
    first = next(i for i, s in enumerate(certify) if s.unit == "nodes")
    assert {s.unit for s in certify[first:]} == {"nodes"}
    polled = [p["nodes"] for p in polls if p["phase"] == "certify" and "nodes" in p]
    # the cone QPs' polls between two node polls repeat the last count
    distinct = sorted(set(polled))
    assert distinct == [64 * (i + 1) for i in range(len(distinct))] and polled == sorted(polled)
    assert set(counts) <= set(polled)
    assert result.status is exactfit.Status.OPTIMAL and result.stats["certificate"]
