"""``exactfit generate clwe|goldreich`` and ``exactfit family check clwe|goldreich``."""

from __future__ import annotations

from fractions import Fraction

import pytest
from clirun import run_main

from exactfit.io import read_instance
from exactfit.network import ReluNetwork, Unit, exact_loss


def test_generate_clwe_writes_a_valid_instance(tmp_path, capsys) -> None:
    out = tmp_path / "c.json"
    rc, stdout, _ = run_main(
        [
            "generate",
            "clwe",
            "2",
            "--gamma",
            "3/2",
            "--noise",
            "0.02",
            "--samples",
            "25",
            "--cutoff",
            "2",
            "--seed",
            "4",
            "-o",
            out,
        ],
        capsys,
    )
    assert rc == 0 and "wrote clwe instance" in stdout
    problem = read_instance(out)
    assert (problem.n, problem.d, problem.units) == (25, 2, 9)
    meta = problem.meta
    assert sum(Fraction(v) ** 2 for v in meta["secret"]) == 1
    planted = ReluNetwork(
        tuple(
            Unit(u["a"], tuple(Fraction(v) for v in u["w"]), Fraction(u["b"]))
            for u in meta["planted"]
        )
    )
    assert exact_loss(problem, planted) == Fraction(meta["planted_loss"])


def test_generate_goldreich_writes_a_valid_instance(tmp_path, capsys) -> None:
    out = tmp_path / "g.json"
    rc, _, _ = run_main(
        [
            "generate",
            "goldreich",
            "8",
            "12",
            "--predicate",
            "xor-and",
            "--samples",
            "10",
            "--seed",
            "2",
            "-o",
            out,
        ],
        capsys,
    )
    assert rc == 0
    problem = read_instance(out)
    assert (problem.n, problem.d, problem.units) == (10, 8, 2)
    assert len(problem.meta["hyperedges"]) == 12 and len(problem.meta["planted_seed"]) == 8
    assert all(0 <= y <= 12 and y.denominator == 1 for y in problem.y)


@pytest.mark.parametrize(
    "argv",
    [
        [
            "family",
            "check",
            "clwe",
            "--dims",
            "1",
            "--gamma",
            "1/2",
            "--samples",
            "50",
            "--mc-samples",
            "5000",
            "--fit-samples",
            "5",
            "--fit-units",
            "1",
            "--seed",
            "2",
        ],
        [
            "family",
            "check",
            "goldreich",
            "--inputs",
            "8",
            "--outputs",
            "20",
            "--tau",
            "1e-4",
            "--draws",
            "2",
            "--mc-samples",
            "100",
            "--seed",
            "2",
        ],
    ],
    ids=["clwe", "goldreich"],
)
def test_family_check_exits_0(argv, capsys) -> None:
    rc, out, _ = run_main(argv, capsys)
    assert rc == 0, out
    assert out.strip().splitlines()[-1].endswith(": PASS")
    assert "FAIL" not in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["generate", "clwe", "1", "--gamma", "-2"], "positive"),
        (["generate", "clwe", "1", "--cutoff", "16"], "15"),
        (["generate", "goldreich", "4", "3"], "N ≥ k"),
        (["generate", "goldreich", "8", "3", "--predicate", "maj"], "invalid choice"),
        (["family", "check", "goldreich", "--tau", "x"], "comma-separated"),
        (["generate", "goldreich", "8", "3", "--k", "2"], "≥ 3"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, needle: str, tmp_path, capsys) -> None:
    out = tmp_path / "x.json"
    rc, _, err = run_main([*argv, "-o", out] if argv[0] == "generate" else argv, capsys)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and needle in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        # Monte Carlo arrays allocated at once: these were MemoryError tracebacks
        (["ggjkk", "--dims", "4", "--k", "2", "--mc-samples", str(10**11)], "--mc-samples·2^k"),
        (["clwe", "--dims", "2", "--mc-samples", str(10**11)], "--mc-samples·D"),
        (["goldreich", "--draws", str(10**8)], "--mc-samples·--draws·N"),
        (["goldreich", "--mc-samples", str(10**11)], "--mc-samples·--draws·N"),
        # work without end: these ran for hours
        (["ggjkk", "--dims", "64", "--k", "6", "--pairs", str(10**8)], "--pairs·4^k"),
        (["ggjkk", "--dims", "64", "--k", "6"], "--pairs·4^k"),
        (["goldreich", "--outputs", "6000"], "pattern probes"),
        (["clwe", "--dims", "2", "--fit-samples", str(10**5)], "≤ 12"),
        (["natural", "--trials", str(10**8)], "≤ 100"),
    ],
)
def test_family_checks_refuse_sizes_before_work(argv, needle: str, capsys) -> None:
    rc, _, err = run_main(["family", "check", *argv], capsys)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err
