"""``exactfit generate ggjkk|natural`` and ``exactfit family check ggjkk|natural``."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from clirun import run_main

import exactfit
from exactfit.io import read_instance
from exactfit.network import ReluNetwork, Unit


def _planted(problem) -> ReluNetwork:
    return ReluNetwork(
        tuple(
            Unit(u["a"], tuple(Fraction(v) for v in u["w"]), Fraction(u["b"]))
            for u in problem.meta["planted"]
        )
    )


@pytest.mark.parametrize(
    ("argv", "units"),
    [
        (["ggjkk", "3", "2", "--samples", "15", "--seed", "1"], 4),
        (["ggjkk", "4", "2", "--subset", "1,3", "--fixed-signs"], 4),
        (["ggjkk", "2", "1", "--samples", "5"], 2),
        (["natural", "2", "3", "--weights", "uniform", "--samples", "9"], 3),
        (["natural", "1", "2", "--bias", "--digits", "2"], 2),
    ],
)
def test_generate_writes_a_realizable_instance(argv, units, tmp_path, capsys):
    out = tmp_path / "inst.json"
    rc, stdout, _ = run_main(["generate", *argv, "-o", out], capsys)
    assert rc == 0 and "wrote" in stdout
    problem = read_instance(out)
    assert problem.units == units and problem.meta["family"] == argv[0]
    assert exactfit.exact_loss(problem, _planted(problem)) == 0


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["generate", "ggjkk", "4", "3"], "K = 3 is odd"),
        (["generate", "ggjkk", "2", "4"], "D ≥ K"),
        (["generate", "ggjkk", "3", "2", "--subset", "0,5"], "0..2"),
        (["family", "check", "ggjkk", "--dims", "2", "--k", "3"], "--dims ≥ --k"),
        (["family", "check", "natural", "--sat-vars", "30"], "--sat-vars ≤ 20"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, match, tmp_path, capsys):
    out = tmp_path / "never.json"
    rc, _, stderr = run_main([*argv, "-o", out] if argv[0] == "generate" else argv, capsys)
    assert rc == 2
    assert match in stderr and len(stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_generate_bad_extension_exits_2_before_work(tmp_path, capsys):
    rc, _, stderr = run_main(["generate", "ggjkk", "3", "2", "-o", tmp_path / "x.txt"], capsys)
    assert rc == 2 and ".json" in stderr


def test_unknown_weight_law_is_a_usage_error(capsys):
    rc, _, stderr = run_main(["generate", "natural", "2", "2", "--weights", "cauchy"], capsys)
    assert rc == 2 and "cauchy" in stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["ggjkk", "--dims", "4", "--k", "2", "--points", "5", "--mc-samples", "5000"],
        ["ggjkk", "--dims", "4", "--k", "3", "--points", "5"],
        ["natural", "--dims", "1", "--k", "1", "--trials", "2", "--sat-vars", "8"],
    ],
)
def test_family_check_passes(argv, capsys):
    rc, stdout, _ = run_main(["family", "check", *argv, "--seed", "2"], capsys)
    assert rc == 0, stdout
    assert stdout.strip().splitlines()[-1] == f"{argv[0]}: PASS"
    assert "FAIL" not in stdout


LIBRARY = [
    ("ggjkk_d3_k2_n40", ["ggjkk", "3", "2", "--samples", "40", "--seed", "1", "--fixed-signs"]),
    ("ggjkk_d2_k2_n12", ["ggjkk", "2", "2", "--samples", "12", "--seed", "2"]),
    (
        "natural_d2_k2_n20_normal",
        ["natural", "2", "2", "--weights", "normal", "--samples", "20", "--seed", "1"],
    ),
    (
        "natural_d1_k3_n16_uniform",
        ["natural", "1", "3", "--weights", "uniform", "--samples", "16", "--seed", "2"],
    ),
]


@pytest.mark.parametrize(("name", "argv"), LIBRARY, ids=[n for n, _ in LIBRARY])
def test_library_instances_are_rebuilt_bit_for_bit(name, argv, tmp_path, capsys):
    lib = Path(__file__).resolve().parents[3] / "instances" / "families" / f"{name}.json"
    out = tmp_path / f"{name}.json"
    assert run_main(["generate", *argv, "-o", out], capsys)[0] == 0
    assert out.read_bytes() == lib.read_bytes()
    problem = read_instance(lib)
    assert exactfit.exact_loss(problem, _planted(problem)) == 0
