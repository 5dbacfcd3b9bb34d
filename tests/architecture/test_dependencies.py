"""The dependency rule of docs/ARCHITECTURE.md, checked on the import statements.

Layers, lowest first: errors, interrupt, numbers → network, problem → result, verify, io, exact
→ solvers, plot → bench, cli.  A module imports only from its own layer or lower ones;
``reductions`` builds on ``exactfit`` and never the other way round (the CLI finds reductions'
commands by module name).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: For each part of exactfit, the parts it must never import (the first matching prefix rules).
FORBIDDEN = {
    "exactfit.errors": ("exactfit.",),
    # the interrupt machinery sits with errors at the bottom: every layer may use it
    "exactfit.interrupt": ("exactfit.",),
    # what solvers report and who listens: below the solvers, above nothing but errors
    "exactfit.progress": ("exactfit.",),
    # the live display and the trace files sit with result: solvers, bench and cli use them
    "exactfit.live": ("exactfit.solvers", "exactfit.bench", "exactfit.cli", "reductions"),
    "exactfit.trace": ("exactfit.solvers", "exactfit.bench", "exactfit.cli", "reductions"),
    # the caps sit just above errors: every reader may use them
    "exactfit.limits": (
        "exactfit.numbers",
        "exactfit.network",
        "exactfit.problem",
        "exactfit.result",
        "exactfit.files",
        "exactfit.schema",
        "exactfit.io",
        "exactfit.solvers",
        "exactfit.bench",
        "exactfit.cli",
    ),
    "exactfit.files": ("exactfit.problem", "exactfit.result", "exactfit.solvers", "exactfit.cli"),
    "exactfit.schema": ("exactfit.problem", "exactfit.result", "exactfit.solvers", "exactfit.cli"),
    "exactfit.numbers": ("exactfit.network", "exactfit.problem", "exactfit.result"),
    "exactfit.exact": ("exactfit.solvers", "exactfit.bench", "exactfit.cli", "reductions"),
    "exactfit.problem": ("exactfit.result", "exactfit.solvers", "exactfit.bench", "exactfit.cli"),
    "exactfit.network": ("exactfit.result", "exactfit.solvers", "exactfit.bench", "exactfit.cli"),
    "exactfit.result": ("exactfit.solvers", "exactfit.bench", "exactfit.cli"),
    "exactfit.solvers": ("exactfit.bench", "exactfit.cli", "reductions"),
    # pictures sit above io and result and below bench (its report draws through them)
    "exactfit.plot": ("exactfit.solvers", "exactfit.bench", "exactfit.cli", "reductions"),
    # bench's command module is a CLI plugin: it sits in the CLI layer
    "exactfit.bench.cli": ("reductions",),
    "exactfit.bench": ("exactfit.cli", "reductions"),
    "exactfit.io": ("exactfit.solvers", "exactfit.bench", "exactfit.cli", "reductions"),
    "exactfit.verify": ("exactfit.solvers", "exactfit.bench", "exactfit.cli", "reductions"),
    # the checker must stay independent of everything that produces certificates
    "exactfit.certificate": (
        "exactfit.solvers",
        "exactfit.exact",
        "exactfit.bench",
        "exactfit.cli",
        "reductions",
    ),
    "exactfit.generate": ("exactfit.solvers", "exactfit.bench", "exactfit.cli", "reductions"),
}


def _modules():
    for path in sorted((ROOT / "exactfit").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def _rule(module: str) -> tuple[str, ...]:
    for prefix, banned in FORBIDDEN.items():
        if module == prefix or module.startswith(prefix + "."):
            return banned
    return ()


@pytest.mark.parametrize(("module", "path"), list(_modules()), ids=lambda v: str(v))
def test_module_respects_the_dependency_rule(module, path):
    banned = _rule(module)
    for name in _imports(path):
        for b in banned:
            hit = name.startswith(b) if b.endswith(".") else name == b or name.startswith(b + ".")
            assert not hit, f"{module} imports {name}, which its layer must not use"


def test_exactfit_never_imports_reductions_except_the_cli_plugin_list():
    for module, path in _modules():
        if module.startswith("exactfit.cli"):
            continue
        for name in _imports(path):
            assert not name.startswith("reductions"), f"{module} imports {name}"
