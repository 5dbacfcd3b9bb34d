"""A tiny instance library written into a temporary folder (the real one comes later)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from exactfit import FitProblem
from exactfit.io import write_instance

#: (name, n, d, k, seed): small enough that brute force, enumeration and OR-Tools take < 1 s.
SPECS = [
    ("tiny_a", 5, 1, 1, 1),
    ("tiny_b", 6, 2, 1, 2),
    ("tiny_c", 6, 1, 1, 3),
]


def planted(n: int, d: int, k: int, seed: int) -> FitProblem:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).round(2)
    y = (np.maximum(X @ rng.normal(size=d) + 0.2, 0) + 0.1 * rng.normal(size=n)).round(2)
    return FitProblem(X=X, y=y, units=k, meta={"generator": "tests", "seed": seed})


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """``lib/`` with ``fit/*.json``, an ``index.solu`` (optima from brute force) and a
    ``quick.txt`` naming two of the three instances."""
    import exactfit
    from exactfit.bench.solu import SoluEntry, write_solu

    root = tmp_path / "lib"
    (root / "fit").mkdir(parents=True)
    entries = []
    brute = exactfit.get_solver("brute")
    for name, n, d, k, seed in SPECS:
        problem = planted(n, d, k, seed)
        write_instance(problem, root / "fit" / f"{name}.json")
        result = brute.solve(problem)
        assert result.status is exactfit.Status.OPTIMAL
        entries.append(SoluEntry(name, "opt", result.objective_exact))
    write_solu(entries, str(root / "index.solu"))
    (root / "quick.txt").write_text("# the quick subset\ntiny_a\ntiny_c  # trailing comment\n")
    return root


@pytest.fixture
def make_problem():
    """The generator behind :func:`library`, for tests that need other sizes."""
    return planted
