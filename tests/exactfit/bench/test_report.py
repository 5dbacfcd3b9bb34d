"""The table (counts, shifted geometric mean, WRONG rows), the performance profile, and the
``exactfit bench`` command end to end."""

from __future__ import annotations

import json
import math

import pytest

from exactfit.bench.report import (
    format_summary,
    performance_profile,
    plot_profile,
    shifted_geometric_mean,
    summarize,
)
from exactfit.bench.results import RECORD_FORMAT
from exactfit.cli import main


def rec(instance, solver, status, wall, objective=1.0, bound=1.0, limit=10.0):
    return {
        "format": RECORD_FORMAT,
        "instance": instance,
        "solver": solver,
        "status": status,
        "objective": objective,
        "bound": bound if status != "feasible" else 0.5,
        "wall_s": wall,
        "time_limit": limit,
        "path": f"/nowhere/{instance}.json",
    }


def test_shifted_geometric_mean_closed_form():
    # (1+1)(3+1) = 8 -> sqrt(8) - 1
    assert shifted_geometric_mean([1.0, 3.0]) == pytest.approx(math.sqrt(8) - 1, rel=1e-15)
    assert shifted_geometric_mean([0.0, 0.0, 0.0]) == 0.0
    assert shifted_geometric_mean([5.0], shift=10.0) == pytest.approx(5.0, rel=1e-15)
    assert math.isnan(shifted_geometric_mean([]))


RECORDS = [
    rec("p1", "fast", "optimal", 1.0),
    rec("p2", "fast", "optimal", 3.0),
    rec("p1", "slow", "optimal", 2.0),
    rec("p2", "slow", "feasible", 10.4),  # stopped at the limit: counts as 10
    rec("p3", "slow", "optimal", 0.5),  # not run by "fast": outside the time mean
]


def test_summary_counts_and_time_at_limit():
    summary = summarize(RECORDS)
    rows = {r.solver: r for r in summary.rows}
    assert (rows["fast"].runs, rows["fast"].solved, rows["fast"].feasible) == (2, 2, 0)
    assert (rows["slow"].runs, rows["slow"].solved, rows["slow"].feasible) == (3, 2, 1)
    assert summary.common == 2 and summary.instances == 3
    assert rows["fast"].sgm_s == pytest.approx(math.sqrt(2 * 4) - 1, rel=1e-12)
    assert rows["slow"].sgm_s == pytest.approx(math.sqrt(3 * 11) - 1, rel=1e-12)
    text = format_summary(summary)
    assert "WRONG: none" in text
    assert [line.split()[7] for line in text.splitlines() if line.startswith(("fast", "slow"))] == [
        "0",
        "0",
    ]


def test_wrong_run_is_a_row_and_not_solved():
    planted = [*RECORDS[:3], rec("p2", "slow", "optimal", 2.0, objective=4.0, bound=4.0)]
    summary = summarize(planted)
    rows = {r.solver: r for r in summary.rows}
    assert rows["slow"].wrong == 1 and rows["slow"].solved == 1
    # The WRONG run counts at the time limit in the mean.
    assert rows["slow"].sgm_s == pytest.approx(math.sqrt(3 * 11) - 1, rel=1e-12)
    text = format_summary(summary)
    assert "WRONG p2 slow: bound 4.0 exceeds fast's objective 1.0" in text


def test_performance_profile_ratios():
    common, ratios = performance_profile(RECORDS)
    assert common == ["p1", "p2"]
    assert ratios["fast"] == [1.0, 1.0]
    assert ratios["slow"] == [2.0, math.inf]


def test_profile_png_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "profile.png"
    plot_profile(RECORDS, str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000


# ---------------------------------------------------------------------------- the command
def test_bench_command_runs_checks_and_reports(library, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.jsonl"
    png = tmp_path / "p.png"
    code = main(
        ["bench", str(library), "--quick", "--solvers", "enum,ortools", "--time-limit", "30",
         "-o", str(out), "--plot", str(png)]
    )  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0, text
    assert "WRONG: none" in text
    assert "index.solu" in text
    assert len(out.read_text().splitlines()) == 4  # 2 quick instances x 2 solvers
    assert png.read_bytes()[:4] == b"\x89PNG"

    # Plant a wrong result: a bound above the known optimum.
    lines = out.read_text().splitlines()
    bad = json.loads(lines[0])
    bad["bound"] = bad["objective"] * 1.01 + 1e-3
    bad["status"] = "feasible"
    out.write_text("\n".join([json.dumps(bad), *lines[1:]]) + "\n")
    code = main(["bench", "report", str(out), "--solu", str(library / "index.solu")])
    text = capsys.readouterr().out
    assert code == 1
    assert f"WRONG {bad['instance']} {bad['solver']}: bound" in text
    assert "exceeds the known optimum" in text


def test_report_word_and_folder_named_report(library, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report").mkdir()
    source = library / "fit" / "tiny_a.json"
    (tmp_path / "report" / "tiny_a.json").write_text(source.read_text())
    # 'run' forces the run action even for a folder named report; ./report also works.
    assert main(["bench", "run", "report", "--solvers", "enum", "-o", "a.jsonl"]) == 0
    assert main(["bench", "./report", "--solvers", "enum", "-o", "b.jsonl"]) == 0
    assert main(["bench", "report", "a.jsonl", "b.jsonl"]) == 0
    capsys.readouterr()
    # Run options after 'report' are refused with one line and exit code 2.
    assert main(["bench", "report", "a.jsonl", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "--quick is a run option" in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------------------- the cactus plot
def test_cactus_counts_optimal_only_and_exact_separately():
    from exactfit.bench.report import cactus

    records = [
        {**rec("p1", "a", "optimal", 2.0), "proof": "exact"},
        {**rec("p2", "a", "optimal", 1.0), "proof": "tolerance"},
        rec("p3", "a", "feasible", 10.0),  # at the limit: not solved
        rec("p1", "b", "optimal", 0.5),  # no proof field (older records): solved, not exact
        rec("p2", "b", "error", 0.1),
    ]
    assert cactus(records) == {"a": ([1.0, 2.0], [2.0]), "b": ([0.5], [])}


def test_cactus_leaves_out_wrong_runs():
    from exactfit.bench.report import cactus

    # b's bound 2 exceeds a's loss 1, which is a network's exact loss: b is WRONG
    records = [rec("p1", "a", "optimal", 1.0), rec("p1", "b", "optimal", 1.0, 2.0, 2.0)]
    assert cactus(records) == {"a": ([1.0], []), "b": ([], [])}


def test_plot_writes_profile_and_cactus_side_by_side(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    path = tmp_path / "p.png"
    plot_profile([{**r, "proof": "exact"} for r in RECORDS], str(path))
    image = imread(path)
    height, width = image.shape[:2]
    assert width > 2 * height, "two panels side by side"
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"], "one file, no temporary left"
