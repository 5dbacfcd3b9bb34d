"""``exactfit plot``: draw a fitted network on its data, or a solve's trace."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from exactfit.errors import InputError

__all__ = ["add_commands"]

_EPILOG = """\
examples:
  exactfit solve instances/fit/planted_n30_d1_k1.json -o sol.json
  exactfit plot instances/fit/planted_n30_d1_k1.json sol.json -o fit.png
  exactfit plot --trace trace.jsonl -o trace.svg

d = 1: the points and the piecewise-linear fit with its kinks; d = 2: a heat map of f with each
unit's activation line and the points coloured by residual; d >= 3: residual plots.  The
format follows the ending of -o: .png, .svg or .pdf.  Needs matplotlib (pip install
"exactfit[bench]").
"""


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="draw a fitted network on its data, or a solve's trace",
        description="Draw SOLUTION's network on INSTANCE's data, or (--trace) the incumbent "
        "and bound of a solve against time.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("instance", nargs="?", help="instance JSON or CSV file")
    p.add_argument("solution", nargs="?", help="solution JSON of that instance (solve -o)")
    p.add_argument("--trace", metavar="TRACE", help="a trace file (solve --trace) to draw instead")
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="picture file: .png, .svg or .pdf"
    )
    p.add_argument("--title", help="replace the picture's title")
    p.set_defaults(handler=_cmd_plot)


def _check_inputs(args: argparse.Namespace) -> None:
    if args.trace is not None and (args.instance or args.solution):
        raise InputError(
            "expected either INSTANCE SOLUTION or --trace TRACE, found both; draw one picture "
            "per call"
        )
    if args.trace is None and not (args.instance and args.solution):
        found = "nothing" if not args.instance else f"only {args.instance}"
        raise InputError(
            f"expected INSTANCE SOLUTION (or --trace TRACE), found {found}; e.g. exactfit plot "
            "instance.json sol.json -o fit.png"
        )


def _cmd_plot(args: argparse.Namespace) -> int:
    from exactfit.plot import check_plot_path, require_matplotlib

    # everything a user can get wrong is refused before any reading or drawing
    _check_inputs(args)
    check_plot_path(args.output, "-o")
    require_matplotlib("exactfit plot")
    if args.trace is not None:
        from exactfit.plot.trace import plot_trace, read_trace

        plot_trace(read_trace(args.trace), args.output, title=args.title)
        print(f"trace plot: {args.output}")
        return 0
    from exactfit.io import read_instance, read_solution
    from exactfit.plot.fit import plot_fit

    problem = read_instance(args.instance)
    solution = read_solution(args.solution)
    name = "stdin" if args.instance == "-" else Path(args.instance).stem
    plot_fit(problem, solution, args.output, name, title=args.title)
    print(f"fit plot: {args.output}")
    return 0
