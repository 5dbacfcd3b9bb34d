"""The ``exactfit`` command line.

Sub-commands: ``solve``, ``verify``, ``solvers``, ``generate``, ``plot`` (one module each in
this package; ``generate`` takes its source kinds from :mod:`reductions.sources.cli`),
``reduce`` and ``check`` (:mod:`reductions.cli`), ``family`` (:mod:`reductions.families.cli`),
``bench`` (:mod:`exactfit.bench.cli`).

Exit codes: 0 optimal / check passed; 10 stopped at a limit with an incumbent; 20 no solution;
1 a check failed or a solver errored; 2 bad input or usage (one line on stderr, no traceback);
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from exactfit.cli import generate, plot, solve, solvers, verify
from exactfit.cli.args import OneLineParser, number_arg, one_line, positive_float, positive_int
from exactfit.cli.output import stdout_to_stderr
from exactfit.cli.solve import EXIT_CODES
from exactfit.errors import InputError, SolverFailed

__all__ = [
    "EXIT_CODES",
    "OneLineParser",
    "build_parser",
    "main",
    "number_arg",
    "positive_float",
    "positive_int",
    "stdout_to_stderr",
]

#: Modules that add sub-commands through ``add_commands(subparsers)``.
_PLUGINS = ("reductions.cli", "reductions.families.cli", "exactfit.bench.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="exactfit",
        description="Globally optimal square-loss fits of small ReLU networks, with "
        "certificates, and executable hardness reductions.",
        epilog="example: exactfit solve instances/fit/planted_n12_d2.json",
    )
    from exactfit import __version__

    parser.add_argument("--version", action="version", version=f"exactfit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for command in (solve, verify, solvers, generate, plot):
        command.add_command(sub)
    # The plugins ship in this distribution: a missing one is a packaging bug and must fail.
    for module in _PLUGINS:
        importlib.import_module(module).add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()  # imports every command's module: a second or so
        args = parser.parse_args(argv)
    except KeyboardInterrupt:  # Ctrl-C while starting up: nothing was read yet
        print("exactfit: interrupted", file=sys.stderr)
        return 130
    try:
        return int(args.handler(args))
    except InputError as exc:
        print(f"exactfit {args.command}: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except SolverFailed as exc:
        print(f"exactfit {args.command}: solver failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"exactfit {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
