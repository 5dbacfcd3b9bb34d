"""The command line through a subprocess: exit codes, one-line errors, written files."""

import json
import subprocess
import sys

import pytest

from exactfit.generate import planted_fit
from exactfit.io import write_instance


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "exactfit", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.json"
    write_instance(planted_fit(8, 1, noise=0.2, seed=5), path)
    return path


def test_solve_optimal_json_and_verify(tiny, tmp_path):
    out = tmp_path / "sol.json"
    r = run("solve", str(tiny), "--solver", "scip", "--json", "-o", str(out))
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    assert printed["status"] == "optimal"
    assert json.loads(out.read_text())["objective"] == printed["objective"]
    v = run("verify", str(tiny), str(out))
    assert v.returncode == 0, v.stdout
    assert "VERIFIED" in v.stdout


def test_human_summary(tiny):
    r = run("solve", str(tiny), "--solver", "brute")
    assert r.returncode == 0
    # the summary names the instance first; tmp_path has no index.solu, so no known line
    assert r.stdout.startswith("instance   tiny\nstatus     optimal")
    assert "f(x) = " in r.stdout
    assert "known" not in r.stdout


def test_time_limit_exit_10(tmp_path):
    path = tmp_path / "hard.json"
    write_instance(planted_fit(60, 3, units=2, noise=0.5, seed=1), path)
    r = run("solve", str(path), "--solver", "scip", "--time-limit", "0.01", "--json")
    assert r.returncode == 10, r.stderr
    assert json.loads(r.stdout)["status"] == "feasible"
    assert json.loads(r.stdout)["limit"] == "time"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "malformed JSON"),
        ('{"X": [[1], [2]], "y": [1, NaN]}', "NaN"),
        (
            '{"format": "exactfit-instance/1", "units": 1, "X": [[1], [2, 3]], "y": [1, 2]}',
            "ragged rows",
        ),
        (
            '{"format": "exactfit-instance/1", "units": 1, "X": [[1], [2]], "y": [1, 2], '
            '"sample_weight": [1, 0]}',
            "positive weight",
        ),
    ],
)
def test_bad_input_exit_2_one_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    out = tmp_path / "never.json"
    r = run("solve", str(path), "-o", str(out))
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in r.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("solve",),
        ("solve", "x.json", "--time-limit", "-1"),
        ("solve", "x.json", "--solver", "nope"),
        ("frobnicate",),
        ("solve", "/nonexistent.json"),
    ],
)
def test_usage_errors_exit_2_one_line(args):
    r = run(*args)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_stdin_instance(tiny):
    r = run("solve", "-", "--solver", "brute", "--json", stdin=tiny.read_text())
    assert r.returncode == 0
    assert json.loads(r.stdout)["status"] == "optimal"


def test_verify_rejects_wrong_claim_bound_and_signs(tiny, tmp_path):
    out = tmp_path / "sol.json"
    assert run("solve", str(tiny), "--solver", "brute", "-o", str(out)).returncode == 0
    good = json.loads(out.read_text())

    def check(mutate, expect):
        data = json.loads(json.dumps(good))
        mutate(data)
        path = tmp_path / "mut.json"
        path.write_text(json.dumps(data))
        r = run("verify", str(tiny), str(path))
        assert r.returncode == 1, r.stdout
        assert expect in r.stdout

    check(lambda d: d.update(objective=d["objective"] * 0.99), "FAIL  claimed objective")
    check(lambda d: d.update(bound=d["objective"] * 1.5), "FAIL  bound ≤ loss")
    check(
        lambda d: d["network"]["units"][0].update(a=-d["network"]["units"][0]["a"]),
        "FAIL  claimed objective",
    )


def test_verify_checks_class_constraints(tmp_path):
    inst = tmp_path / "c.json"
    write_instance(planted_fit(6, 2, seed=3, weight_bound=1.0, output_signs="nonnegative"), inst)
    sol = tmp_path / "s.json"
    sol.write_text(
        json.dumps(
            {
                "format": "exactfit-solution/1",
                "status": "feasible",
                "objective": None,
                "bound": None,
                "network": {"units": [{"a": -1, "w": [3, 4], "b": 0}]},
                "solver": "hand",
            }
        )
    )
    r = run("verify", str(inst), str(sol))
    assert r.returncode == 1
    assert "requires all signs +1" in r.stdout and "‖w‖₂ = 5 > B = 1" in r.stdout


def test_solvers_lists_registry():
    r = run("solvers")
    assert r.returncode == 0
    assert "scip" in r.stdout and "brute" in r.stdout


def test_readme_quick_start_instance_matches_index_solu():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    known = {}
    for line in (root / "instances" / "index.solu").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "=opt=":
            known[parts[1]] = float(parts[2])
    r = run("solve", str(root / "instances/fit/noisy_n10_d1.json"), "--json")
    assert r.returncode == 0, r.stderr
    objective = json.loads(r.stdout)["objective"]
    assert objective == pytest.approx(known["noisy_n10_d1"], rel=1e-7)
