"""The ``exactfit`` command line.

Sub-commands: ``solve``, ``verify``, ``solvers``, ``generate``, ``plot`` (one module each in
this package; ``generate`` takes its source kinds from :mod:`reductions.sources.cli`),
``reduce`` and ``check`` (:mod:`reductions.cli`), ``family`` (:mod:`reductions.families.cli`),
``bench`` (:mod:`exactfit.bench.cli`).

The commands load lazily: :data:`COMMANDS` names each command's module and its one-line help,
so ``exactfit --help`` lists them all without importing any, and ``exactfit solve`` imports the
solve module only (not networkx, the reductions or the benchmark), because start-up time is
most of a small solve.

Exit codes: 0 optimal / check passed; 10 stopped at a limit with an incumbent; 20 no solution;
1 a check failed or a solver errored; 2 bad input or usage (one line on stderr, no traceback);
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Collection, Sequence

from exactfit.cli.args import OneLineParser, number_arg, one_line, positive_float, positive_int
from exactfit.cli.output import EXIT_CODES, stdout_to_stderr
from exactfit.errors import InputError, SolverFailed

__all__ = [
    "COMMANDS",
    "EXIT_CODES",
    "OneLineParser",
    "build_parser",
    "chosen_command",
    "main",
    "number_arg",
    "positive_float",
    "positive_int",
    "stdout_to_stderr",
]

#: Every sub-command, in the order ``--help`` lists them: the module whose
#: ``add_commands(subparsers)`` builds its parser (a module may build several, e.g. ``reduce``
#: and ``check``) and the one-line help ``--help`` shows, which must equal the help the module
#: gives (a test checks it).  The plugins ship in this distribution: a missing one is a
#: packaging bug and must fail.
COMMANDS: dict[str, tuple[str, str]] = {
    "solve": ("exactfit.cli.solve", "fit an instance to proven global optimality"),
    "verify": ("exactfit.cli.verify", "check a solution exactly against an instance"),
    "solvers": ("exactfit.cli.solvers", "list the registered solvers and whether they work here"),
    "generate": (
        "exactfit.cli.generate",
        "write a seeded random or named source (graph, CNF, hypergraph) or fitting instance",
    ),
    "plot": ("exactfit.cli.plot", "draw a fitted network on its data, or a solve's trace"),
    "reduce": (
        "reductions.cli",
        "apply a reduction to a source instance (graph, hypergraph, CNF)",
    ),
    "check": (
        "reductions.cli",
        "check a reduction by solving the source and the target exactly",
    ),
    "family": (
        "reductions.families.cli",
        "check the stated properties of a hard family (orthogonality, identities, ...)",
    ),
    "bench": (
        "exactfit.bench.cli",
        "compare solvers on instance sets (run, check, table, performance profile)",
    ),
}


def chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names, or None when it names none of :data:`COMMANDS`.

    The main parser's own options (``-h``, ``--version``) take no value, so the command is
    the first argument that is not an option (or the one after ``--``).
    """
    for i, arg in enumerate(argv):
        if arg == "--":
            arg = argv[i + 1] if i + 1 < len(argv) else ""
        elif arg.startswith("-"):
            continue
        return arg if arg in COMMANDS else None
    return None


def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The ``exactfit`` parser, with the commands in ``load`` built in full (None: all).

    Building one builds every command of its module.  Every other command is a placeholder
    carrying only its help from :data:`COMMANDS`: it lists in ``--help`` and is a valid
    choice, but its module is not imported.
    """
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
    modules = {module for name, (module, _) in COMMANDS.items() if load is None or name in load}
    for name, (module, text) in COMMANDS.items():
        if name in sub.choices:  # built with an earlier command of the same module
            continue
        if module in modules:
            importlib.import_module(module).add_commands(sub)
        else:
            sub.add_parser(name, help=text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        command = chosen_command(argv)
        parser = build_parser(() if command is None else (command,))
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
