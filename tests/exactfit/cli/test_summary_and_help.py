"""Small things a user notices (issue 11, item 6): the solve summary names the instance and the
known optimum; every action of ``bench`` has its own ``--help``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import run_main

ROOT = Path(__file__).resolve().parents[3]
NOISY = ROOT / "instances" / "fit" / "noisy_n10_d1.json"


def test_summary_names_instance_and_known_optimum(capsys):
    rc, out, err = run_main(["solve", NOISY, "--solver", "enum"], capsys)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "instance   noisy_n10_d1"
    # instances/index.solu: =opt= noisy_n10_d1 0.2709992530917105
    known = next(line for line in lines if line.startswith("known"))
    assert "0.270999253092, the optimum in" in known and "index.solu" in known
    assert known.endswith("this loss matches it")


def test_summary_says_when_the_loss_is_above_the_optimum(capsys):
    rc, out, _ = run_main(["solve", NOISY, "--solver", "scip", "--time-limit", "0.001"], capsys)
    known = next(line for line in out.splitlines() if line.startswith("known"))
    if rc == 0:  # SCIP may prove it even so
        assert known.endswith("matches it")
    else:
        assert "this loss is above it by" in known


def test_summary_without_answers_and_with_a_broken_one(tmp_path, capsys):
    inst = tmp_path / "mine.json"
    shutil.copy(NOISY, inst)
    rc, out, _ = run_main(["solve", inst, "--solver", "enum"], capsys)
    assert rc == 0 and "instance   mine" in out and "known" not in out
    (tmp_path / "index.solu").write_text("=opt= mine\n")  # a value is missing
    rc, out, _ = run_main(["solve", inst, "--solver", "enum"], capsys)
    assert rc == 0, "a broken answers file must not fail the solve"
    assert "the answers file could not be read" in out


def test_best_known_and_infeasible_entries(tmp_path, capsys):
    inst = tmp_path / "mine.json"
    shutil.copy(NOISY, inst)
    (tmp_path / "index.solu").write_text("=best= mine 0.5\n")
    _, out, _ = run_main(["solve", inst, "--solver", "enum"], capsys)
    assert "0.5, the best known loss in" in out and "below it by" in out


@pytest.mark.parametrize(
    ("argv", "options", "absent"),
    [
        (["bench", "run", "--help"], ["--solvers", "--time-limit", "--jobs", "--resume",
                                      "--quick", "--scheduler", "--shards", "--skip-invalid",
                                      "--solu", "--plot"], []),
        (["bench", "report", "--help"], ["--solu", "--plot", "RESULTS"],
         ["--solvers", "--time-limit", "--resume", "--scheduler"]),
        (["bench", "--help"], ["run", "report"], []),
        (["plot", "--help"], ["--trace", "--output", "INSTANCE", "SOLUTION"], []),
    ],
)  # fmt: skip
def test_help_lists_own_options(capsys, argv, options, absent):
    rc, out, _ = run_main(argv, capsys)
    assert rc == 0
    for option in options:
        assert option in out.upper() if option.isupper() else option in out, option
    for option in absent:
        assert option not in out, f"{option} is not a report option"


def test_implicit_run_still_works(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "instances" / "fit" / "k2_n6_d1.json", tmp_path / "k2.json")
    rc, _out, err = run_main(["bench", "--solvers", "enum", "k2.json", "-o", "r.jsonl"], capsys)
    assert rc == 0, err
    assert (tmp_path / "r.jsonl").read_text().count("\n") == 1
