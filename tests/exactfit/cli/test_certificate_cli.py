"""``solve --certificate`` and ``verify --certificate`` through a subprocess."""

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from exactfit.generate import planted_fit
from exactfit.io import write_instance


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "exactfit", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def solved(tmp_path):
    inst = tmp_path / "inst.json"
    write_instance(planted_fit(14, 2, noise=0.3, seed=3), inst)
    sol, cert = tmp_path / "sol.json", tmp_path / "cert.json"
    r = run("solve", str(inst), "-o", str(sol), "--certificate", str(cert))
    assert r.returncode == 0, r.stderr
    assert "proof      exact" in r.stdout
    return inst, sol, cert


def test_a_written_certificate_verifies(solved):
    inst, sol, cert = solved
    r = run("verify", str(inst), str(sol), "--certificate", str(cert))
    assert r.returncode == 0, r.stdout
    assert "ok    certificate" in r.stdout and "optimal within 1e-9 relative" in r.stdout
    assert "optimality not checked" not in r.stdout
    plain = run("verify", str(inst), str(sol))
    assert plain.returncode == 0 and "optimality not checked" in plain.stdout


def test_a_tampered_certificate_is_rejected(solved, tmp_path):
    inst, sol, cert = solved
    data = json.loads(cert.read_text())
    nodes = data["trees"][0]["nodes"]
    leaf = next(n for n in nodes if n[0] == "leaf" and n[1])
    leaf[1][0][1] = "-1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    r = run("verify", str(inst), str(sol), "--certificate", str(bad))
    assert r.returncode == 1 and "FAIL  certificate" in r.stdout and "REJECTED" in r.stdout
    other = json.loads(inst.read_text())
    other["y"][0] = str(Fraction(other["y"][0]) + 1)
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(other))
    r = run("verify", str(changed), str(sol), "--certificate", str(cert))
    assert r.returncode == 1 and "different instance" in r.stdout


def test_certificate_errors_are_one_line_exit_2(solved, tmp_path):
    inst, sol, _ = solved
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "exactfit-certificate", "version": 99}')
    r = run("verify", str(inst), str(sol), "--certificate", str(junk))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "version" in r.stderr
    out = tmp_path / "c2.json"
    r = run("solve", str(inst), "--no-certify", "--certificate", str(out))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and not out.exists()


def test_two_units_get_a_certificate_that_verify_accepts(tmp_path):
    two, sol, cert = tmp_path / "two.json", tmp_path / "sol.json", tmp_path / "cert.json"
    write_instance(planted_fit(6, 1, units=2, noise=0.2, seed=1), two)
    r = run("solve", str(two), "--certificate", str(cert), "-o", str(sol), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["proof"] == "exact"
    r = run("verify", str(two), str(sol), "--certificate", str(cert))
    assert r.returncode == 0 and "certificate" in r.stdout


def test_scip_answers_take_the_exact_route(tmp_path):
    inst = tmp_path / "inst.json"
    write_instance(planted_fit(10, 1, noise=0.3, seed=2), inst)
    r = run("solve", str(inst), "--solver", "scip", "--certify", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["proof"] == "exact" and "scip's network certified" in data["proof_detail"]
