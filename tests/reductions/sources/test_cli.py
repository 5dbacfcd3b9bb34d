"""``exactfit generate``: files that read back, reproducibility, one-line errors."""

from __future__ import annotations

import pytest

from exactfit.cli import main
from reductions.sources import generators as gen
from reductions.sources.io import read_source


def test_named_petersen(tmp_path, capsys):
    out = tmp_path / "p.col"
    assert main(["generate", "named", "petersen", "-o", str(out)]) == 0
    assert "wrote graph petersen (n=10, m=15)" in capsys.readouterr().out
    assert read_source(out) == gen.petersen()


def test_named_fano_and_johnson(tmp_path):
    assert main(["generate", "named", "fano", "-o", str(tmp_path / "f.hgr")]) == 0
    assert read_source(tmp_path / "f.hgr") == gen.fano()
    assert main(["generate", "named", "johnson:6:3", "-o", str(tmp_path / "j.col")]) == 0
    assert read_source(tmp_path / "j.col").edges == gen.johnson(6, 3).edges


def test_planted_3sat_same_seed_same_bytes(tmp_path):
    a, b, c = (tmp_path / f"{x}.cnf" for x in "abc")
    assert main(["generate", "planted-3sat", "20", "91", "--seed", "1", "-o", str(a)]) == 0
    assert main(["generate", "planted-3sat", "20", "91", "--seed", "1", "-o", str(b)]) == 0
    assert main(["generate", "planted-3sat", "20", "91", "--seed", "2", "-o", str(c)]) == 0
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    f = read_source(a)
    assert f == gen.planted_3sat(20, 91, 1)
    assert f.satisfied(gen.planted_assignment(f)) == 91


def test_random_3sat_gnp_weighted_hypergraph(tmp_path):
    assert main(["generate", "random-3sat", "12", "200", "--seed", "7", "-o",
                 str(tmp_path / "r.cnf")]) == 0  # fmt: skip
    assert read_source(tmp_path / "r.cnf") == gen.random_3sat(12, 200, 7)
    assert main(["generate", "gnp", "12", "0.4", "--seed", "3", "-o", str(tmp_path / "g.col")]) == 0
    assert read_source(tmp_path / "g.col") == gen.gnp(12, 0.4, 3)
    args = ["generate", "gnp", "12", "0.4", "--max-weight", "9", "--seed", "3"]
    assert main([*args, "-o", str(tmp_path / "w.col")]) == 0
    w = read_source(tmp_path / "w.col")
    assert w == gen.random_weighted_graph(12, 0.4, 9, 3)
    assert w.weights == gen.random_weighted_graph(12, 0.4, 9, 3).weights
    assert main(["generate", "hypergraph", "9", "12", "3", "--seed", "2", "-o",
                 str(tmp_path / "h.hgr")]) == 0  # fmt: skip
    assert read_source(tmp_path / "h.hgr") == gen.random_hypergraph(9, 12, 3, 2)


def test_stdout(capsys):
    assert main(["generate", "named", "c5"]) == 0
    out = capsys.readouterr().out
    assert "p edge 5 5" in out and "wrote" not in out


def test_fit_instance(tmp_path):
    from exactfit.io import read_instance

    out = tmp_path / "fit.json"
    args = ["generate", "fit", "25", "2", "--units", "2", "--no-bias", "--noise", "0.2"]
    assert main([*args, "--seed", "5", "-o", str(out)]) == 0
    p = read_instance(out)
    from exactfit.generate import planted_fit

    q = planted_fit(25, 2, units=2, bias=False, noise=0.2, seed=5)
    assert (p.X, p.y, p.units, p.bias) == (q.X, q.y, 2, False)
    assert p.meta["generator"]["name"] == "planted_fit" and p.meta["generator"]["seed"] == 5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "named", "fano", "-o", "x.col"], "a Hypergraph is written in a .hgr file"),
        (["generate", "named", "nonsuch"], "unknown name 'nonsuch'"),
        (["generate", "hypergraph", "3", "1", "4"], "R = 4 exceeds N = 3"),
        (["generate", "hypergraph", "4", "9", "3"], "m: expected an integer in 0..4"),
    ],
)
def test_input_errors_are_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "gnp", "12", "1.5"],
        ["generate", "planted-3sat", "2", "5"],
        ["generate", "gnp", "12", "0.5", "--seed", "-1"],
        ["generate"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "exactfit generate planted-3sat 20 91 --seed 1 -o planted.cnf" in out
    assert "mycielski:K" in out
