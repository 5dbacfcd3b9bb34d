"""``exactfit reduce`` and ``exactfit check`` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from exactfit.cli import main
from exactfit.io import read_instance
from reductions.problems import source_hash
from reductions.registry import reduction_names
from reductions.sources import CNF, Graph
from reductions.sources.io import read_dimacs_cnf, write_dimacs_cnf, write_dimacs_graph


@pytest.fixture
def triangle(tmp_path):
    path = tmp_path / "triangle.col"
    write_dimacs_graph(Graph(3, ((0, 1), (1, 2), (0, 2)), name="triangle"), path)
    return path


def test_reduce_writes_instance_with_meta(triangle, tmp_path, capsys):
    out = tmp_path / "tri.json"
    assert main(["reduce", "maxcut_to_relu", str(triangle), "-o", str(out)]) == 0
    problem = read_instance(out)
    assert (problem.n, problem.d, problem.bias) == (12, 3, False)
    meta = problem.meta
    assert meta["reduction"] == "maxcut_to_relu"
    assert meta["source"]["sha256"] == source_hash(Graph(3, ((0, 1), (1, 2), (0, 2))))
    assert meta["predicted"]["constants"]["A"] == "13"
    assert "MC = W − ceil" in meta["predicted"]["relation"]
    assert problem.sample_weight[0] == Fraction(13)


def test_reduce_source_side(tmp_path):
    src = tmp_path / "f.cnf"
    write_dimacs_cnf(CNF(3, ((1, 2, 3),)), src)
    out = tmp_path / "f2.cnf"
    assert main(["reduce", "sat3_to_max2sat", str(src), "-o", str(out)]) == 0
    f2 = read_dimacs_cnf(out)
    assert (f2.num_vars, f2.m) == (4, 10)


def test_check_pass_prints_both_optima(triangle, capsys):
    assert main(["check", "maxcut_to_relu", str(triangle), "--solver", "enum"]) == 0
    out = capsys.readouterr().out
    assert "source opt  2" in out
    assert "5057/119" in out
    assert out.rstrip().endswith("PASS")


def test_check_json(triangle, capsys):
    assert main(["check", "dks_to_relu", str(triangle), "--kappa", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] and data["target"]["exact"] == "4273648/9715"
    assert data["source_optimum"] == 1 and data["decoded"] == 1


def test_check_refuses_unsound_with_exit_2(triangle, capsys):
    assert main(["check", "maxcut_to_relu", str(triangle), "--bias"]) == 2
    err = capsys.readouterr().err
    assert "unsound" in err and len(err.strip().splitlines()) == 1


def test_check_unsound_allowed_fails_with_exit_1(triangle, capsys):
    code = main(["check", "maxcut_to_relu", str(triangle), "--bias", "--allow-unsound"])
    assert code == 1
    assert capsys.readouterr().out.rstrip().endswith("FAIL")


def test_check_random_passes(capsys, tmp_path):
    code = main(
        ["check", "sat3_to_max2sat", "--random", "3", "--seed", "5", "--out", str(tmp_path)]
    )
    assert code == 0
    assert "PASS: 3 of 3" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())


def test_check_random_refuses_an_out_that_is_a_file_before_any_check(tmp_path, capsys):
    blocker = tmp_path / "notadir"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        code = main(["check", "sat3_to_max2sat", "--random", "3", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1
        assert "is a file, expected a directory" in err and "[1/3]" not in err
    assert blocker.read_text() == "x"


def test_check_random_saves_first_counterexample(tmp_path, capsys):
    code = main(
        [
            "check", "maxcut_to_relu", "--bias", "--allow-unsound", "--random", "4",
            "--seed", "1", "--solver", "enum", "--out", str(tmp_path),
        ]
    )  # fmt: skip
    assert code == 1
    (saved,) = list(tmp_path.iterdir())
    names = {p.name for p in saved.iterdir()}
    assert {"source.col", "instance.json", "solution.json", "report.json", "README.txt"} <= names
    report = json.loads((saved / "report.json").read_text())
    assert report["passed"] is False
    assert "exactfit check maxcut_to_relu source.col" in (saved / "README.txt").read_text()
    assert read_instance(saved / "instance.json").meta["unsound"]


def test_check_needs_source_or_random(capsys):
    assert main(["check", "maxcut_to_relu"]) == 2
    assert "SOURCE" in capsys.readouterr().err


ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    """``python -m exactfit ARGS`` from the repository root (so its code is the one run)."""
    return subprocess.run(
        [sys.executable, "-m", "exactfit", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


@pytest.mark.parametrize("command", ["check", "reduce"])
def test_unknown_reduction_is_one_line_and_exit_2(command, tmp_path):
    source = tmp_path / "x.col"
    write_dimacs_graph(Graph(2, ((0, 1),)), source)
    for path in (source, tmp_path / "missing.col"):  # the name is refused before the file is read
        r = run(command, "nope", str(path))
        assert r.returncode == 2
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr
        assert "unknown reduction 'nope'" in lines[0]
        assert all(name in lines[0] for name in reduction_names())
        assert r.stdout == ""


def test_unknown_solver_is_one_line_and_exit_2(triangle):
    r = run("check", "maxcut_to_relu", str(triangle), "--solver", "nope")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "unknown solver 'nope'" in lines[0]


@pytest.fixture
def check_kwargs(monkeypatch):
    """The keyword arguments the CLI last passed to ``check`` (a spy around the real one)."""
    rc = sys.modules["reductions.check"]  # the package (its name is shadowed by the function)
    seen: dict = {}
    real = rc.check

    def spy(red, source, **kwargs):
        seen.update(kwargs)
        return real(red, source, **kwargs)

    monkeypatch.setattr(rc, "check", spy)
    return seen


@pytest.mark.parametrize(("flag", "expected"), [([], True), (["--no-exact-bound"], False)])
def test_check_passes_the_exact_bound_switch(triangle, check_kwargs, flag, expected):
    """``--no-exact-bound`` reaches ``check`` as ``exact_bound=False`` (the default asks the
    prover for a separating bound when the fit stops undecided)."""
    assert main(["check", "maxcut_to_relu", str(triangle), "--solver", "enum", *flag]) == 0
    assert check_kwargs["exact_bound"] is expected


@pytest.mark.parametrize(
    ("flag", "key", "expected"),
    [
        ([], "exact_time", None),
        (["--exact-time", "7.5"], "exact_time", 7.5),
        ([], "stop_when_decided", False),
        (["--stop-when-decided"], "stop_when_decided", True),
    ],
)
def test_check_passes_the_exact_time_and_the_stop_switch(
    triangle, check_kwargs, flag, key, expected
):
    """``--exact-time S`` reaches ``check`` as ``exact_time=S`` (default ``None``: what the fit
    left of ``--time-limit``); ``--stop-when-decided`` as ``stop_when_decided=True``."""
    assert main(["check", "maxcut_to_relu", str(triangle), "--solver", "enum", *flag]) == 0
    assert check_kwargs[key] == expected


@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_a_bad_exact_time_is_one_line_and_exit_2(triangle, value):
    r = run("check", "maxcut_to_relu", str(triangle), "--exact-time", value)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "expected exact_time as a number of seconds ≥ 0" in lines[0] and value in lines[0]
    assert r.stdout == ""
