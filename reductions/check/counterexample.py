"""A failing check saved as a directory ready to attach to a bug report."""

from __future__ import annotations

import json
from pathlib import Path

from exactfit.problem import FitProblem
from reductions.check.report import CheckReport
from reductions.sources.types import CNF, Hypergraph

__all__ = ["save_counterexample"]


def save_counterexample(report: CheckReport, outdir: Path, *, seed: int | None = None) -> Path:
    """Write source, instance, solution and a README into a fresh directory under ``outdir``."""
    from exactfit.io import write_instance, write_solution
    from reductions.sources.io import write_source

    outdir = Path(outdir)
    tag = f"{report.reduction}-{report.source_sha256[:10]}"
    d = outdir / f"counterexample-{tag}"
    d.mkdir(parents=True, exist_ok=True)
    src = report.source
    suffix = ".cnf" if isinstance(src, CNF) else ".hgr" if isinstance(src, Hypergraph) else ".col"
    write_source(src, d / f"source{suffix}")
    files = [f"source{suffix}"]
    if isinstance(report.target_instance, FitProblem):
        write_instance(report.target_instance, d / "instance.json")
        files.append("instance.json")
        if report.target.result is not None:
            write_solution(report.target.result, d / "solution.json")
            files.append("solution.json")
    (d / "report.json").write_text(json.dumps(report.as_json(), indent=2) + "\n")
    files.append("report.json")
    params = " ".join(
        f"--{k} {v}" for k, v in report.parameters.items() if k in ("kappa", "units", "alpha")
    )
    readme = [
        f"Counterexample for reduction {report.reduction}",
        "",
        f"Random seed: {seed}" if seed is not None else "",
        f"Source: {report.source_name} (sha256 {report.source_sha256})",
        f"Files: {', '.join(files)}",
        "",
        "Reproduce:",
        f"  exactfit check {report.reduction} source{suffix} {params}".rstrip(),
        "",
        "Report:",
        report.text(),
        "",
    ]
    (d / "README.txt").write_text("\n".join(line for line in readme) + "\n")
    return d
