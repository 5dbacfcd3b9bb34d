"""House rule check: no module in exactfit/ or reductions/ over 450 lines, no function over 80.

A function may be longer when its ``def`` line (or the line above it) carries a comment
``# long: <why>``; the reason is printed so a reviewer sees it.  Exit 1 on any violation.
Usage: ``python .ci/sizes.py`` from the repository root.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE = 450
MAX_FUNCTION = 80
ROOTS = ("exactfit", "reductions")


def main() -> int:
    bad: list[str] = []
    excused: list[str] = []
    for root in ROOTS:
        for path in sorted(Path(root).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            if len(lines) > MAX_MODULE:
                bad.append(f"{path}: {len(lines)} lines (max {MAX_MODULE})")
            for node in ast.walk(ast.parse(text, filename=str(path))):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                size = node.end_lineno - node.lineno + 1
                if size <= MAX_FUNCTION:
                    continue
                start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                near = " ".join(lines[max(start - 2, 0) : node.body[0].lineno])
                where = f"{path}:{node.lineno} {node.name}: {size} lines"
                if "# long:" in near:
                    excused.append(f"{where} ({near.split('# long:', 1)[1].strip()})")
                else:
                    bad.append(f"{where} (max {MAX_FUNCTION}; say why with '# long: ...')")
    for line in excused:
        print(f"allowed: {line}")
    for line in bad:
        print(f"too big: {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
