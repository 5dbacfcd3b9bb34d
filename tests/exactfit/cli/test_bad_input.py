"""Every bad-input finding of issue 11, reproduced: one stderr line naming what was expected,
what was found and the fix; exit code 2; no traceback; no file left behind; no hang.

Cases that once hung run in a subprocess with a timeout; the rest run in-process through
:func:`exactfit.cli.main` (fast).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clirun import run_main

import exactfit.bench.cli as bench_cli

ROOT = Path(__file__).resolve().parents[3]
TINY = ROOT / "instances" / "fit" / "k2_n6_d1.json"
HEAD = {"format": "exactfit-instance/1", "units": 1}


def _instance(**changes):
    return json.dumps({**HEAD, "X": [[0], [1], [2]], "y": [0, 1, 1], **changes})


#: Files the cases read, by name (written into the test's working directory).
FILES = {
    "digits.json": _instance().replace('"y": [0, 1, 1]', '"y": [1' + "0" * 5000 + ", 1, 1]"),
    "exp-string.json": _instance(y=["1e999999", 1, 1]),
    "exp-literal.json": _instance().replace('"y": [0, 1, 1]', '"y": [1e999999, 1, 1]'),
    "e300.json": _instance(y=[1e300, 1, 1]),
    "wb300.json": _instance(weight_bound=1e300),
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "units.json": _instance(units=1_000_000_000),
    "noformat.json": json.dumps({"units": 1, "X": [[0], [1]], "y": [0, 1]}),
    "nounits.json": json.dumps({"format": "exactfit-instance/1", "X": [[0], [1]], "y": [0, 1]}),
    "dup.csv": "a,a,y\n1,2,3\n2,3,4\n",
    "edge.col": "p edge 100000000 1\ne 1 2\n",
    "hyper.hgr": "p hyper 100000000 1\ne 1 2\n",
    "triangle.col": "p edge 3 3\ne 1 2\ne 2 3\ne 1 3\n",
    "nonet.json": json.dumps(
        {"format": "exactfit-solution/1", "status": "feasible", "objective": 1.0, "network": None}
    ),
    "nan.jsonl": '{"format": "exactfit-bench/1", "instance": "a", "solver": "enum", '
    '"status": "optimal", "objective": 0, "bound": 0, "wall_s": NaN, "time_limit": 5}\n',
}

T = str(TINY)
# (id, argv, the substring the one line must contain)
IN_PROCESS = [
    ("solver-empty", ["solve", T, "--solver", ""], "unknown solver ''"),
    ("solver-case", ["solve", T, "--solver", "ENUM"], "unknown solver 'ENUM'"),
    ("digits", ["solve", "digits.json"], "expected an integer of at most 1000 digits"),
    ("exp-string", ["solve", "exp-string.json"], "expected a decimal exponent within ±1000"),
    ("exp-literal", ["solve", "exp-literal.json"], "the number 1e999999 overflows a float"),
    ("e300", ["solve", "e300.json"], "expected 0 or a magnitude in [1e-75, 1e75]"),
    ("wb300", ["solve", "wb300.json"], "weight_bound: expected a bound B in [1e-75, 1e75]"),
    ("wb300-flag", ["solve", T, "--weight-bound", "1e300"], "expected a bound B in [1e-75"),
    ("deep", ["solve", "deep.json"], "expected JSON nested at most 64 levels deep"),
    ("out-dot", ["solve", T, "-o", "."], "-o '.': is a directory; expected a file name"),
    ("cert-nodir", ["solve", T, "--certificate", "nodir/c.json"], "nodir does not exist"),
    ("bench-nodir", ["bench", T, "-o", "nodir/x.jsonl"], "directory nodir does not exist"),
    ("bench-dot", ["bench", T, "-o", "."], "is a directory"),
    ("scheduler", ["bench", T, "--scheduler", "notanaddress"], "expected an address like tcp://"),
    ("plot", ["bench", T, "--solvers", "enum", "--plot", "p.xyz"], "ending in .png, .svg, .pdf"),
    ("report-plot", ["bench", "report", "nan.jsonl", "--plot", "p.xyz"], "ending in .png"),
    ("units-flag", ["solve", T, "--units", "1000000"], "expected a number of units ≥ 1 and ≤ 64"),
    ("no-format", ["solve", "noformat.json"], "at /format: expected the string"),
    ("no-units", ["solve", "nounits.json"], "at /units: expected an integer k with 1 ≤ k ≤ 64"),
    ("dup-csv", ["solve", "dup.csv"], "the header names column 'a' twice"),
    ("target-json", ["solve", T, "--target", "y"], "names a CSV column, but this is a JSON"),
    ("solvers-empty", ["bench", T, "--solvers", ""], "--solvers: expected a comma-separated"),
    (
        "reduce-cnf",
        ["reduce", "maxcut_to_relu", "triangle.col", "-o", "out.cnf"],
        "ending in .json",
    ),
    ("nan-wall", ["bench", "report", "nan.jsonl"], "found NaN in the JSON"),
    ("no-network", ["verify", T, "nonet.json"], "at /network: expected a network"),
    ("gen-digits", ["generate", "fit", "5", "1", "--digits", "100"], "≥ 0 and ≤ 15"),
    ("gen-noise", ["generate", "fit", "5", "1", "--noise", "1e300", "-o", "g.json"], "noise·scale"),
]

# (id, argv, substring): these hung before the caps; each gets a subprocess and a timeout
ONCE_HUNG = [
    ("units-json", ["solve", "units.json", "--time-limit", "3"], "1 ≤ k ≤ 64, found 1000000000"),
    ("units-flag", ["solve", T, "--units", "1000000", "--time-limit", "3"], "≤ 64"),
    ("p-edge", ["reduce", "maxcut_to_relu", "edge.col", "-o", "o.json"], "at most 100,000"),
    ("p-hyper", ["reduce", "coloring_to_relus", "hyper.hgr", "--units", "2"], "at most 100,000"),
    ("named", ["generate", "named", "complete:100000", "-o", "g.col"], "at most 1,000,000"),
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _one_line_exit_2(rc, out, err, expected):
    assert rc == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert expected in lines[0], lines[0]
    assert len(lines[0]) < 600, "a huge input must not be echoed whole"


@pytest.mark.parametrize(
    ("argv", "expected"), [c[1:] for c in IN_PROCESS], ids=[c[0] for c in IN_PROCESS]
)
def test_bad_input_in_process(workdir, capsys, argv, expected):
    before = _files(workdir)
    rc, out, err = run_main(argv, capsys)
    _one_line_exit_2(rc, out, err, expected)
    assert _files(workdir) == before, "no file may be left behind"


@pytest.mark.parametrize(
    ("argv", "expected"), [c[1:] for c in ONCE_HUNG], ids=[c[0] for c in ONCE_HUNG]
)
def test_once_hanging_input_answers_fast(workdir, argv, expected):
    before = _files(workdir)
    start = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "exactfit", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=workdir,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    _one_line_exit_2(r.returncode, r.stdout, r.stderr, expected)
    assert time.monotonic() - start < 30
    assert _files(workdir) == before


@pytest.mark.parametrize("option", ["default", "flag"])
def test_unreachable_scheduler_gives_up_quickly(option, workdir, capsys, monkeypatch):
    """No answer within the connection timeout: one line, exit 2.  The timeout is the
    module's default (made 1 s here) or --scheduler-timeout's."""
    extra = []
    if option == "default":
        monkeypatch.setattr(bench_cli, "SCHEDULER_TIMEOUT_S", 1.0)
    else:
        extra = ["--scheduler-timeout", "1.5"]
    start = time.monotonic()
    rc, out, err = run_main(
        ["bench", T, "--scheduler", "tcp://127.0.0.1:9", "-o", "r.jsonl", *extra], capsys
    )
    wait = "1" if option == "default" else "1.5"
    _one_line_exit_2(
        rc, out, err, f"no Dask scheduler answered at tcp://127.0.0.1:9 within {wait} s"
    )
    assert time.monotonic() - start < 20
    assert not (workdir / "r.jsonl").exists()


@pytest.mark.parametrize(
    "value, expected",
    [("0", "expected seconds > 0 and ≤ 3600, found '0'"),
     ("1e9", "found '1e9'"), ("nan", "found 'nan'"), ("soon", "found 'soon'")],
)  # fmt: skip
def test_scheduler_timeout_is_checked_up_front(value, expected, workdir, capsys):
    rc, out, err = run_main(
        ["bench", T, "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", value], capsys
    )
    _one_line_exit_2(rc, out, err, expected)


def test_scheduler_timeout_needs_a_scheduler(workdir, capsys):
    rc, out, err = run_main(["bench", T, "--scheduler-timeout", "5"], capsys)
    _one_line_exit_2(rc, out, err, "--scheduler-timeout needs --scheduler ADDRESS")
    assert not (workdir / "results.jsonl").exists()


def test_huge_network_weights_are_judged_exactly(workdir, capsys):
    """A finite 1e300 weight: the exact loss (≈1e600) is beyond floats; verify says REJECTED
    (exit 1) because the claimed objective is not that loss, without an OverflowError."""
    sol = {
        "format": "exactfit-solution/1",
        "status": "feasible",
        "objective": 0.5,
        "bound": 0.0,
        "network": {"units": [{"a": 1, "w": [1e300], "b": 0}]},
    }
    (workdir / "s.json").write_text(json.dumps(sol))
    rc, out, err = run_main(["verify", T, "s.json"], capsys)
    assert rc == 1 and err == ""
    assert "FAIL  claimed objective  claimed 0.5, exact inf" in out
    assert out.strip().endswith("REJECTED")


def test_a_bound_above_the_loss_never_passes_the_optimality_claim(workdir, capsys):
    rc, out, _ = run_main(["solve", T, "--solver", "enum", "--json"], capsys)
    assert rc == 0
    sol = json.loads(out)
    sol["bound"] = 2 * sol["objective"]
    (workdir / "s.json").write_text(json.dumps(sol))
    rc, out, _ = run_main(["verify", T, "s.json"], capsys)
    assert rc == 1
    assert "FAIL  bound ≤ loss" in out
    assert "FAIL  optimality claim" in out and "is above the loss" in out
    assert "ok    optimality claim" not in out


def test_bench_refuses_invalid_instances_up_front(workdir, capsys):
    lib = workdir / "lib"
    lib.mkdir()
    (lib / "good.json").write_text(TINY.read_text())
    (lib / "bad.json").write_text(FILES["nounits.json"])
    (lib / "worse.json").write_text(FILES["units.json"])
    rc, out, err = run_main(["bench", "lib", "--solvers", "enum", "-o", "r.jsonl"], capsys)
    _one_line_exit_2(rc, out, err, "2 invalid instances: lib/bad.json, lib/worse.json")
    assert "--skip-invalid" in err
    assert not (workdir / "r.jsonl").exists()
    argv = ["bench", "lib", "--solvers", "enum", "-o", "r.jsonl", "--time-limit", "20"]
    rc, out, err = run_main([*argv, "--skip-invalid"], capsys)
    assert rc == 0, err
    assert err.strip() == "exactfit bench: skipped 2 invalid: lib/bad.json, lib/worse.json"
    records = [json.loads(line) for line in (workdir / "r.jsonl").read_text().splitlines()]
    assert [(r["instance"], r["status"]) for r in records] == [("good", "optimal")]
