"""``bench --log FILE`` and ``bench --verbose``: each run's backend log as one block under a
header line, the same from serial runs and from ``-j`` workers; never in the results file."""

from __future__ import annotations

import json
import re

import pytest

from exactfit.cli import main

#: The header of a run's block (exactfit.bench.logs.header).
HEADER = re.compile(r"^==> (\S+) (\S+): (\S+) \d+\.\d\ds <==$", re.M)


def _blocks(text):
    """``{(instance, solver): log text}`` of a log file's blocks."""
    heads = list(HEADER.finditer(text))
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return {(h[1], h[2]): text[h.end() + 1 : end] for h, end in zip(heads, ends, strict=True)}


@pytest.mark.parametrize("jobs", [[], ["-j", "2"]], ids=["serial", "j2"])
def test_log_file_has_one_block_per_run_with_the_backend_log(jobs, library, tmp_path, capfd):
    pytest.importorskip("pyscipopt")
    log, out = tmp_path / "bench.log", tmp_path / "r.jsonl"
    args = ["bench", library, "--solvers", "enum,scip", "--log", log, "-o", out, *jobs]
    assert main([str(a) for a in args]) == 0
    blocks = _blocks(log.read_text())
    names = {"tiny_a", "tiny_b", "tiny_c"}
    assert set(blocks) == {(n, s) for n in names for s in ("enum", "scip")}
    for (_, solver), text in blocks.items():
        if solver == "scip":  # SCIP's own log: its statistics of the sign models
            assert "presolving" in text and "SCIP Status" in text
        else:
            assert text == "(enum runs no backend: no log)\n"
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 6 and not any("backend_log" in r for r in records)
    stdout, stderr = capfd.readouterr()
    assert "presolving" not in stdout + stderr  # the terminal got none of it


def test_verbose_prints_each_runs_log_on_stderr_and_keeps_stdout_clean(library, tmp_path, capfd):
    pytest.importorskip("pyscipopt")
    args = ["bench", library, "--solvers", "scip", "--verbose", "-o", tmp_path / "r.jsonl"]
    assert main([str(a) for a in args]) == 0
    stdout, stderr = capfd.readouterr()
    blocks = _blocks(stderr)
    assert set(blocks) == {(n, "scip") for n in ("tiny_a", "tiny_b", "tiny_c")}
    assert all("presolving" in text for text in blocks.values())
    assert "presolving" not in stdout and "==>" not in stdout
    assert stdout.startswith("3 instances, time limit 60 s")  # the table


def test_log_and_verbose_exclude_each_other_and_are_run_options(library, tmp_path, capsys):
    log = tmp_path / "x.log"
    with pytest.raises(SystemExit):
        main(["bench", str(library), "--verbose", "--log", str(log)])
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["bench", "report", str(tmp_path / "r.jsonl"), "--log", str(log)]) == 2
    assert "--log is a run option" in capsys.readouterr().err
    assert not log.exists()
