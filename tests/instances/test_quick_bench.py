"""Issue acceptance: ``exactfit bench instances/ --quick`` runs in CI with zero WRONG rows."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_library_bench_has_no_wrong_rows(tmp_path):
    out = tmp_path / "quick.jsonl"
    r = subprocess.run(
        [sys.executable, "-m", "exactfit", "bench", str(ROOT / "instances"), "--quick",
         "--solvers", "enum,scip,ortools", "--time-limit", "20", "-o", str(out)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr  # 1 would mean a WRONG row
    assert "WRONG: none" in r.stdout
    records = [json.loads(line) for line in out.read_text().splitlines()]
    names = {
        line.split("#")[0].strip()
        for line in (ROOT / "instances" / "quick.txt").read_text().splitlines()
    } - {""}
    assert {rec["instance"] for rec in records} == names
    assert {rec["solver"] for rec in records} == {"enum", "scip", "ortools"}
    assert len(records) == 3 * len(names)
