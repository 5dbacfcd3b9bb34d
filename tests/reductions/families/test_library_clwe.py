"""The clwe instances of the library: each regenerates bit for bit, and its planted network
(read back from ``meta``) has exact loss 0, which proves the ``=opt= 0`` of ``index.solu``."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from clirun import run_main

from exactfit.bench.solu import read_solu
from exactfit.io import read_instance
from exactfit.network import ReluNetwork, Unit, exact_loss

LIB = Path(__file__).resolve().parents[3] / "instances"
FILES = sorted((LIB / "families").glob("clwe_*.json"))


def test_there_are_clwe_instances() -> None:
    assert len(FILES) >= 3


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_planted_network_proves_opt_zero(path: Path, tmp_path, capsys) -> None:
    problem = read_instance(path)
    units = tuple(
        Unit(u["a"], tuple(Fraction(v) for v in u["w"]), Fraction(u["b"]))
        for u in problem.meta["planted"]
    )
    net = ReluNetwork(units)
    assert net.k == problem.units
    assert exact_loss(problem, net) == 0
    assert read_solu(LIB / "index.solu")[path.stem].value == 0
    # the file is what its recorded parameters generate
    p = problem.meta["parameters"]
    out = tmp_path / path.name
    argv = [
        "generate",
        "clwe",
        p["d"],
        "--gamma",
        p["gamma"],
        "--cutoff",
        p["cutoff"],
        "--noise",
        p["noise"],
        "--samples",
        p["samples"],
        "--seed",
        p["seed"],
        "-o",
        out,
    ]
    assert run_main(argv, capsys)[0] == 0
    assert json.loads(out.read_text()) == json.loads(path.read_text())
