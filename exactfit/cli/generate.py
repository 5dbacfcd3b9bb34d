"""``exactfit generate KIND ...``: write a seeded random instance.

The command and its ``fit`` kind (a planted fitting instance, :func:`exactfit.generate.planted_fit`)
live here; the source kinds (graphs, CNF, hypergraphs) are added by the plugins in
:data:`KIND_PLUGINS`, each a module with ``add_generate_kinds(kinds)`` and an ``EXAMPLES`` text.
The same arguments and seed always give the same file; ``-o -`` (the default) writes to
standard output.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from exactfit.cli.args import int_at_least, number_arg, positive_float

__all__ = ["KIND_PLUGINS", "add_commands", "add_output_options"]

#: Modules that add kinds to ``generate`` (they ship in this distribution).
KIND_PLUGINS = ("reductions.sources.cli", "reductions.families.cli")

_FIT_EXAMPLE = "exactfit generate fit 40 2 --units 1 --noise 0.1 --seed 5 -o fit.json"


def add_commands(sub: Any) -> None:
    """Register ``generate`` with the ``fit`` kind and every plugin's kinds."""
    plugins = [importlib.import_module(m) for m in KIND_PLUGINS]
    examples = "".join(f"{p.EXAMPLES.rstrip()}\n" for p in plugins)
    p = sub.add_parser(
        "generate",
        help="write a seeded random or named source (graph, CNF, hypergraph) or fitting instance",
        description="Write a seeded random or named source instance, or a random fitting "
        "instance. The same arguments and seed always give the same file.",
        epilog=f"examples:\n  {_FIT_EXAMPLE}\n{examples}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    for plugin in plugins:  # the order here is the order ``--help`` lists the kinds in
        plugin.add_generate_kinds(kinds)
    _add_fit(kinds)


def add_output_options(
    q: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int], seeded: bool = True
) -> None:
    """The options every kind has, ``--seed`` (when seeded) and ``-o``, and its handler."""
    if seeded:
        q.add_argument("--seed", type=int_at_least(0), default=0, help="random seed (0)")
    q.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="output file (default: standard output)",
    )
    q.set_defaults(handler=handler)


def _add_fit(kinds: Any) -> None:
    q = kinds.add_parser(
        "fit",
        help="random fitting instance: planted ReLU network plus noise",
        epilog="example: exactfit generate fit 40 2 --units 1 --seed 5 -o fit.json",
    )
    q.add_argument("n", type=int_at_least(1), metavar="N", help="number of samples")
    q.add_argument("d", type=int_at_least(1), metavar="D", help="input dimension")
    q.add_argument("--units", "-k", type=int_at_least(1), default=1, help="planted units (1)")
    q.add_argument(
        "--bias",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="units have a bias (default: yes)",
    )
    q.add_argument(
        "--noise",
        type=number_arg(float, minimum=0),
        default=0.1,
        help="standard deviation of the label noise (0.1)",
    )
    q.add_argument(
        "--digits",
        # more decimals than a float carries (~16) are noise, and the grid is drawn in int64
        type=number_arg(int, minimum=0, maximum=15),
        default=2,
        help="decimals kept in data and labels (2; at most 15)",
    )
    q.add_argument("--weighted", action="store_true", help="sample weights drawn from {1, 2, 3}")
    q.add_argument(
        "--weight-bound", type=positive_float, metavar="B", help="class constraint ‖w_j‖₂ ≤ B"
    )
    q.add_argument("--nonnegative", action="store_true", help="class with all output signs +1")
    add_output_options(q, _cmd_generate_fit)


def _cmd_generate_fit(args: argparse.Namespace) -> int:
    from exactfit.files import check_output_path
    from exactfit.generate import planted_fit
    from exactfit.io import write_instance

    check_output_path(args.output, "-o", (".json",))
    problem = planted_fit(
        args.n,
        args.d,
        units=args.units,
        bias=args.bias,
        noise=args.noise,
        seed=args.seed,
        weighted=args.weighted,
        weight_bound=args.weight_bound,
        output_signs="nonnegative" if args.nonnegative else None,
        scale=10**args.digits,
    )
    write_instance(problem, args.output)
    if args.output != "-":
        print(f"wrote fitting instance ({problem.describe()}) to {args.output}")
    return 0
