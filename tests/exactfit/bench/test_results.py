"""Records on disk (torn lines, repair) and the consistency checks that flag WRONG runs."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactfit.bench.results import RECORD_FORMAT, append_record, check_records, load_records
from exactfit.bench.solu import SoluEntry
from exactfit.errors import InputError


def rec(solver, status="optimal", objective=1.0, bound=1.0, instance="p", **kw):
    out = {
        "format": RECORD_FORMAT,
        "instance": instance,
        "solver": solver,
        "status": status,
        "objective": objective,
        "bound": bound,
        "wall_s": 0.5,
        "time_limit": 10.0,
    }
    out.update(kw)
    return out


OPT = {"p": SoluEntry("p", "opt", Fraction(1))}
BEST = {"p": SoluEntry("p", "best", Fraction(1))}
INF = {"p": SoluEntry("p", "inf")}


def test_agreeing_runs_have_no_findings():
    runs = [
        rec("a"),
        rec("b", objective=1.0 + 5e-7, bound=1.0 - 1e-3),  # within 1e-6 relative
        rec("c", status="feasible", objective=1.5, bound=0.2, limit="time"),
        rec("d", status="no_solution", objective=None, bound=0.9),
        rec("e", status="unsupported", objective=None, bound=None),
    ]
    assert check_records(runs, OPT) == []
    assert check_records(runs, BEST) == []
    assert check_records(runs) == []


@pytest.mark.parametrize(
    ("runs", "solu", "culprit", "fragment"),
    [
        # A bound above the known optimum (the planted wrong result of the issue).
        (
            [rec("a"), rec("x", status="feasible", objective=2.0, bound=1.01)],
            OPT,
            "x",
            "exceeds the known optimum",
        ),
        # OPTIMAL at the wrong value: the true optimum is lower.
        ([rec("x", objective=1.2, bound=1.2)], OPT, "x", "differs from the known optimum"),
        # Without any .solu: a false OPTIMAL contradicts another solver's network.
        (
            [
                rec("a", status="feasible", objective=1.0, bound=0.9),
                rec("x", objective=1.5, bound=1.5),
            ],
            {},
            "x",
            "exceeds a's objective",
        ),
        # A bound above a better network found by another solver.
        (
            [
                rec("a", status="feasible", objective=3.0, bound=0.5),
                rec("x", status="feasible", objective=4.0, bound=3.5),
            ],
            {},
            "x",
            "exceeds a's objective",
        ),
        # OPTIMAL above the best known value.
        ([rec("x", objective=1.1, bound=1.1)], BEST, "x", "is known (index.solu =best=)"),
        # A loss below the optimum: network or .solu wrong.
        (
            [rec("x", status="feasible", objective=0.9, bound=0.1)],
            OPT,
            "x",
            "below the known optimum",
        ),
        # A network for an instance marked infeasible.
        ([rec("x", status="feasible", objective=1.0, bound=None)], INF, "x", "infeasible"),
        # OPTIMAL without a bound, and a bound above its own objective.
        ([rec("x", bound=None)], {}, "x", "without a proven bound"),
        ([rec("x", status="feasible", objective=1.0, bound=1.1)], {}, "x", "its own objective"),
    ],
)
def test_planted_wrong_result_is_flagged(runs, solu, culprit, fragment):
    found = check_records(runs, solu)
    assert found, "the planted contradiction was not flagged"
    assert {w.solver for w in found} == {culprit}
    assert any(fragment in w.reason for w in found), [w.reason for w in found]


def test_tolerance_is_relative_and_absolute():
    # 1e-6 relative of 1000 is 1e-3: a bound 0.9e-3 above is accepted, 1.1e-3 is not.
    solu = {"p": SoluEntry("p", "opt", Fraction(1000))}
    ok = rec("x", status="feasible", objective=1001.0, bound=1000.0009)
    bad = rec("x", status="feasible", objective=1001.0, bound=1000.0011)
    assert check_records([ok], solu) == []
    assert check_records([bad], solu) != []
    # At an optimum of 0 only the absolute 1e-9 applies.
    zero = {"p": SoluEntry("p", "opt", Fraction(0))}
    assert check_records([rec("x", objective=5e-10, bound=0.0)], zero) == []
    assert check_records([rec("x", objective=2e-9, bound=2e-9)], zero) != []


def test_records_append_and_load(tmp_path):
    path = tmp_path / "r.jsonl"
    with open(path, "a") as fh:
        append_record(fh, rec("a"))
        append_record(fh, rec("b"))
    assert [r["solver"] for r in load_records(path)] == ["a", "b"]


def test_torn_last_line_is_ignored_and_repaired(tmp_path):
    path = tmp_path / "r.jsonl"
    with open(path, "a") as fh:
        append_record(fh, rec("a"))
    whole = path.read_bytes()
    path.write_bytes(whole + json.dumps(rec("b")).encode()[:40])  # died mid-write
    assert [r["solver"] for r in load_records(path)] == ["a"]
    assert path.read_bytes() != whole  # reading alone changes nothing...
    load_records(path, repair=True)
    assert path.read_bytes() == whole  # ...repair cuts the torn tail


def test_complete_last_line_without_newline_is_kept(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(rec("a")) + "\n" + json.dumps(rec("b")))
    assert [r["solver"] for r in load_records(path, repair=True)] == ["a", "b"]
    assert path.read_text().endswith("}\n")


def test_bad_middle_line_is_an_input_error(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(rec("a")) + "\n{oops\n" + json.dumps(rec("b")) + "\n")
    with pytest.raises(InputError, match=r"r.jsonl:2: malformed JSON"):
        load_records(path)
    path.write_text(json.dumps({"format": "something-else"}) + "\n")
    with pytest.raises(InputError, match="expected format 'exactfit-bench/1'"):
        load_records(path)


@given(
    opt=st.floats(0, 1e6, allow_nan=False),
    runs=st.lists(
        st.tuples(
            st.sampled_from(["optimal", "feasible", "no_solution"]),
            st.floats(0, 1e6, allow_nan=False),  # how far above the optimum the network is
            st.floats(0, 1e6, allow_nan=False),  # how far below the optimum the bound is
        ),
        min_size=1,
        max_size=4,
    ),
)
@settings(max_examples=200, deadline=None)
def test_truthful_runs_are_never_flagged(opt, runs):
    """Objectives ≥ the optimum ≥ bounds (and OPTIMAL exactly at it) never contradict."""
    records = []
    for i, (status, above, below) in enumerate(runs):
        if status == "optimal":
            objective, bound = opt, opt
        elif status == "feasible":
            objective, bound = opt + above, max(opt - below, 0.0)
        else:
            objective, bound = None, max(opt - below, 0.0)
        records.append(rec(f"s{i}", status=status, objective=objective, bound=bound))
    solu = {"p": SoluEntry("p", "opt", Fraction(opt))}
    assert check_records(records, solu) == []
    assert check_records(records, {"p": SoluEntry("p", "best", Fraction(opt))}) == []
