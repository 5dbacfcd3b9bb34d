"""Benchmark: whole-process start-up, what a small ``exactfit solve`` costs before solving.

Each row is one command run as a fresh process, ``--repeats`` times (interleaved, so that a
burst of load on a shared machine hits every row alike); it prints the minimum and the median
wall time.  The first rows are the floor: the interpreter alone, numpy, numpy with FLINT (the
exact arithmetic of enum's default certificate), the ``exactfit`` package, and every module a
10-point solve imports, imported without solving.  The last row says which heavy modules the
solve imported (none of networkx, the reductions or the benchmark should appear; the
sub-commands load lazily, see ``exactfit/cli/main.py``).

Usage::

    PYTHONPATH=$PWD python benchmarks/startup.py
    PYTHONPATH=$PWD python benchmarks/startup.py --repeats 20 --instance instances/fit/x.json
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = (
    "networkx",
    "reductions",
    "exactfit.bench.cli",
    "rich",
    "matplotlib",
    "pyscipopt",
    "numba",
)


def commands(instance: str) -> dict[str, list[str]]:
    """Row name → argv of the process it times."""
    py = sys.executable
    solve = [py, "-m", "exactfit", "solve", instance, "-q"]
    imported = (
        "import contextlib, io, sys\n"
        "from exactfit.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['solve', {instance!r}, '-q'])\n"
        "print(' '.join(sorted(m for m in sys.modules if not m.startswith('_'))))\n"
    )
    modules = subprocess.run([py, "-c", imported], capture_output=True, text=True, check=True)
    names = modules.stdout.split()
    heavy = sorted({m.split(".")[0] for m in names if m.startswith(HEAVY)})
    print(f"a solve imports {len(names)} modules; heavy ones: {', '.join(heavy) or 'none'}")
    # exactfit's modules, FLINT and numpy.ma (which np.unique loads) pull in all the others
    ours = [m for m in names if m.startswith("exactfit.") and m != "exactfit.cli.__main__"]
    ours += [m for m in ("flint", "numpy.ma") if m in names]
    return {
        "python -c pass": [py, "-c", "pass"],
        "import numpy": [py, "-c", "import numpy"],
        "import numpy, flint": [py, "-c", "import numpy, flint"],
        "import exactfit": [py, "-c", "import exactfit"],
        "import the solve's modules": [py, "-c", "import " + ", ".join(ours)],
        "exactfit --help": [py, "-m", "exactfit", "--help"],
        "exactfit solve (10 points)": solve,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--instance", default="instances/fit/noisy_n10_d1.json")
    ap.add_argument("--repeats", type=int, default=10, help="runs per row (10)")
    args = ap.parse_args(argv)
    rows = commands(args.instance)
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(args.repeats):
        for name, cmd in rows.items():
            began = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - began)
    print(f"{'process':30s} {'min s':>7} {'median s':>9}")
    for name, ts in times.items():
        print(f"{name:30s} {min(ts):7.3f} {statistics.median(ts):9.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
