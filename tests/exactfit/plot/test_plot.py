"""``exactfit plot``: the pictures are written and not blank; bad input is one line, exit 2,
no file; matplotlib is imported only when drawing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from clirun import run_main

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[3]
FIT = ROOT / "instances" / "fit"
PNG = b"\x89PNG\r\n\x1a\n"

#: A hand-written network per instance (close to the optimum; no solver is run).
NETWORKS = {
    "planted_n30_d1_k1": [{"a": 1, "w": [0.662], "b": -0.0847}],
    "planted_n16_d2_k1": [{"a": 1, "w": [-1.08, -0.107], "b": -0.45}],
    "planted_n12_d2_k2": [{"a": 1, "w": [1.0, 0.5], "b": 0.1}, {"a": -1, "w": [-0.3, 1.0], "b": 0}],
    "planted_n30_d3_k1": [{"a": 1, "w": [-0.043, -0.327, 0.841], "b": 0.19}],
}

#: A solve's trace: incumbent and bound improving, the bound 0 at first.
TRACE = [
    {"t": 0.02, "solver": "scip", "event": "progress", "incumbent": None, "bound": 0.0},
    {"t": 0.15, "solver": "scip", "event": "incumbent", "incumbent": 5.31, "bound": 0.0},
    {"t": 0.9, "solver": "scip", "event": "bound", "incumbent": 0.92, "bound": 0.004},
    {"t": 3.5, "solver": "scip", "event": "incumbent", "incumbent": 0.261, "bound": 0.05},
    {"t": 30.0, "solver": "scip", "event": "bound", "incumbent": 0.245, "bound": 0.188},
    {"t": 44.0, "solver": "scip", "event": "final", "incumbent": 0.245, "bound": 0.188},
]


def solution(units, status="feasible", **extra):
    return {
        "format": "exactfit-solution/1",
        "status": status,
        "objective": None,
        "bound": None,
        "network": {"units": units},
        "solver": "test",
        **extra,
    }


def write_lines(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, units in NETWORKS.items():
        (tmp_path / f"{name}.sol.json").write_text(json.dumps(solution(units)))
    write_lines(tmp_path / "trace.jsonl", TRACE)
    return tmp_path


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_fit_picture_written(work, capsys, name):
    rc, _out, err = run_main(
        ["plot", FIT / f"{name}.json", f"{name}.sol.json", "-o", "f.png"], capsys
    )
    assert rc == 0, err
    data = (work / "f.png").read_bytes()
    assert data[:8] == PNG
    assert len(data) > 20_000, "a picture with points, a curve and labels is not this small"
    assert len(data) < 150_000
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == [], "temp file"


def test_d2_heat_map_is_not_one_colour(work, capsys):
    from matplotlib.image import imread

    argv = ["plot", FIT / "planted_n16_d2_k1.json", "planted_n16_d2_k1.sol.json", "-o", "h.png"]
    assert run_main(argv, capsys)[0] == 0
    image = imread(work / "h.png")[..., :3]
    colours = np.unique((image * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200, "a heat map, two colour bars and points: many colours"
    # the heat map's middle is not white: the axes are filled
    h, w = image.shape[:2]
    assert image[h // 3 : 2 * h // 3, w // 4 : w // 2].std() > 0.05


@pytest.mark.parametrize(("suffix", "head"), [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_vector_formats(work, capsys, suffix, head):
    argv = [
        "plot",
        FIT / "planted_n30_d1_k1.json",
        "planted_n30_d1_k1.sol.json",
        "-o",
        f"f{suffix}",
    ]
    assert run_main(argv, capsys)[0] == 0
    assert (work / f"f{suffix}").read_bytes().startswith(head)


def test_trace_picture_written(work, capsys):
    rc, _out, err = run_main(["plot", "--trace", "trace.jsonl", "-o", "t.png"], capsys)
    assert rc == 0, err
    data = (work / "t.png").read_bytes()
    assert data[:8] == PNG and 20_000 < len(data) < 150_000


@pytest.mark.parametrize("solver", ["enum", "scip"])
def test_a_recorded_trace_draws_with_its_solution(work, capsys, solver):
    # the two halves meet: a trace written by `solve --trace` is read by `plot --trace`
    inst = FIT / "planted_n16_d2_k1.json"
    rc, _out, err = run_main(
        ["solve", inst, "--solver", solver, "--trace", "rec.jsonl", "-o", "rec.sol.json"], capsys
    )
    assert rc == 0, err
    lines = [json.loads(v) for v in (work / "rec.jsonl").read_text().splitlines()]
    assert lines[-1]["event"] == "final" and lines[-1]["solver"] == solver
    rc, _out, err = run_main(["plot", "--trace", "rec.jsonl", "-o", "rec.png"], capsys)
    assert rc == 0, err
    assert (work / "rec.png").read_bytes()[:8] == PNG
    rc, _out, err = run_main(["plot", inst, "rec.sol.json", "-o", "recfit.png"], capsys)
    assert rc == 0, err
    assert (work / "recfit.png").stat().st_size > 20_000


def test_trace_of_two_solvers_without_final_line(work, capsys):
    rows = [{**r, "solver": s} for s in ("enum", "scip") for r in TRACE[:-1]]
    write_lines(work / "two.jsonl", rows)
    assert run_main(["plot", "--trace", "two.jsonl", "-o", "t.png"], capsys)[0] == 0
    from exactfit.plot.trace import read_trace

    assert not read_trace(work / "two.jsonl").complete


def test_trace_of_one_line_without_values(work, capsys):
    write_lines(
        work / "one.jsonl",
        [{"t": 0.5, "solver": "enum", "event": "final", "incumbent": None, "bound": None}],
    )
    assert run_main(["plot", "--trace", "one.jsonl", "-o", "t.png"], capsys)[0] == 0
    assert (work / "t.png").read_bytes()[:8] == PNG


def test_trace_gap_matches_result_gap():
    from exactfit.plot.trace import relative_gap

    assert relative_gap(0.245, 0.188) == pytest.approx((0.245 - 0.188) / 0.245)
    assert relative_gap(1.0, 1.0) == 0.0
    assert relative_gap(None, 0.0) is None


BAD = [
    ("suffix", ["plot", "I", "S", "-o", "fit.xyz"], "expected a file ending in .png, .svg, .pdf"),
    ("stdout", ["plot", "I", "S", "-o", "-"], "found standard output"),
    ("nodir", ["plot", "I", "S", "-o", "nodir/f.png"], "directory nodir does not exist"),
    ("dir", ["plot", "I", "S", "-o", "."], "is a directory"),
    ("no-instance", ["plot", "missing.json", "S", "-o", "f.png"], "missing.json: no such file"),
    ("no-solution", ["plot", "I", "missing.sol", "-o", "f.png"], "missing.sol: no such file"),
    ("one-file", ["plot", "I", "-o", "f.png"], "expected INSTANCE SOLUTION"),
    ("nothing", ["plot", "-o", "f.png"], "found nothing"),
    ("both", ["plot", "I", "S", "--trace", "trace.jsonl", "-o", "f.png"], "found both"),
    ("d-mismatch", ["plot", "I", "d2.sol.json", "-o", "f.png"], "takes d = 2 inputs"),
    ("no-network", ["plot", "I", "nonet.sol.json", "-o", "f.png"], "has no network to draw"),
    ("trace-empty", ["plot", "--trace", "empty.jsonl", "-o", "t.png"], "found none"),
    ("trace-blank", ["plot", "--trace", "blank.jsonl", "-o", "t.png"], "found none"),
    ("trace-missing", ["plot", "--trace", "nope.jsonl", "-o", "t.png"], "no such file"),
    ("trace-json", ["plot", "--trace", "torn.jsonl", "-o", "t.png"], "torn.jsonl:2: malformed"),
    ("trace-event", ["plot", "--trace", "event.jsonl", "-o", "t.png"], "expected one of incumbent"),
    ("trace-nan", ["plot", "--trace", "nan.jsonl", "-o", "t.png"], "found NaN"),
    ("trace-key", ["plot", "--trace", "nokey.jsonl", "-o", "t.png"], "is this a trace file?"),
    (
        "trace-t",
        ["plot", "--trace", "negative.jsonl", "-o", "t.png"],
        "t must be a finite number ≥ 0",
    ),
]


@pytest.fixture
def bad_files(work):
    d1 = "planted_n30_d1_k1.sol.json"
    (work / "d2.sol.json").write_text(json.dumps(solution(NETWORKS["planted_n16_d2_k1"])))
    nonet = {"format": "exactfit-solution/1", "status": "no_solution", "network": None}
    (work / "nonet.sol.json").write_text(json.dumps(nonet))
    (work / "empty.jsonl").write_text("")
    (work / "blank.jsonl").write_text("\n  \n")
    (work / "torn.jsonl").write_text(json.dumps(TRACE[0]) + '\n{"t": 1, "solv\n')
    write_lines(work / "event.jsonl", [{**TRACE[0], "event": "done"}])
    (work / "nan.jsonl").write_text(json.dumps(TRACE[0]).replace("0.0}", "NaN}") + "\n")
    write_lines(work / "nokey.jsonl", [{"time": 1}])
    write_lines(work / "negative.jsonl", [{**TRACE[0], "t": -1}])
    return d1


@pytest.mark.parametrize(("argv", "expected"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_one_line_exit_2_no_file(work, bad_files, capsys, argv, expected):
    instance = str(FIT / "planted_n30_d1_k1.json")
    argv = [instance if a == "I" else bad_files if a == "S" else a for a in argv]
    before = sorted(p.name for p in work.iterdir())
    rc, _out, err = run_main(argv, capsys)
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert expected in lines[0], lines[0]
    assert sorted(p.name for p in work.iterdir()) == before, "no file may be left behind"


def test_missing_matplotlib_is_one_line(work, capsys, monkeypatch):
    # an entry of None in sys.modules makes "import matplotlib" raise ImportError
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    argv = ["plot", FIT / "planted_n30_d1_k1.json", "planted_n30_d1_k1.sol.json", "-o", "f.png"]
    rc, _out, err = run_main(argv, capsys)
    assert rc == 2
    assert err.strip().splitlines() == [
        "exactfit plot: exactfit plot needs matplotlib, which is not installed; "
        'pip install "exactfit[bench]"'
    ]
    assert not (work / "f.png").exists()


def test_matplotlib_is_imported_only_when_drawing():
    code = (
        "import sys; from exactfit.cli.main import build_parser; import exactfit.plot; "
        "import exactfit.bench.report; build_parser(); "
        "print('matplotlib' in sys.modules)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
