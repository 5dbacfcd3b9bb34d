"""The error contract of the command line: every InputError is one stderr line and exit 2;
SolverFailed is one line and exit 1; nothing prints a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import exactfit.cli.solvers as solvers_cmd
from exactfit import errors
from exactfit.cli import main
from exactfit.solvers import REGISTRY

ROOT = Path(__file__).resolve().parents[3]


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


INPUT_ERRORS = sorted(
    {errors.InputError, *_subclasses(errors.InputError)}, key=lambda c: c.__name__
)


def test_every_public_error_derives_from_the_root():
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.ExactfitError), name


@pytest.mark.parametrize("cls", INPUT_ERRORS, ids=lambda c: c.__name__)
def test_every_input_error_is_one_line_and_exit_2(cls, monkeypatch, capsys):
    def handler(args):
        raise cls("expected a thing, found another; pass the right one")

    monkeypatch.setattr(solvers_cmd, "_cmd_solvers", handler)
    assert main(["solvers"]) == 2
    err = capsys.readouterr().err
    assert err == "exactfit solvers: expected a thing, found another; pass the right one\n"


def test_solver_failed_is_one_line_and_exit_1(monkeypatch, capsys):
    def handler(args):
        raise errors.SolverFailed("backend said no")

    monkeypatch.setattr(solvers_cmd, "_cmd_solvers", handler)
    assert main(["solvers"]) == 1
    assert capsys.readouterr().err == "exactfit solvers: solver failed: backend said no\n"


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "exactfit", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("name", ["gurobi", "", "ENUM"])
def test_unknown_solver_is_one_line_and_exit_2(name):
    r = _run("solve", str(ROOT / "instances/fit/k2_n6_d1.json"), "--solver", name)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert f"unknown solver {name!r}" in lines[0]
    # every registered solver is named, in order
    assert ", ".join(sorted(REGISTRY)) in lines[0]
    assert r.stdout == ""
