"""``exactfit generate KIND ...``: write seeded random or named sources and fitting instances.

Registered on the ``exactfit`` parser through :func:`add_commands`.  Graphs are written as DIMACS
(``.col``), formulas as DIMACS CNF (``.cnf``), hypergraphs in the ``p hyper`` format (``.hgr``) and
fitting instances as instance JSON; ``-o -`` (the default) writes to standard output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from exactfit.cli import number_arg
from exactfit.errors import InputError
from reductions.sources import generators as gen
from reductions.sources.io import write_source
from reductions.sources.types import CNF, Graph, Hypergraph

__all__ = ["add_commands", "add_fit_command"]

_EPILOG = """examples:
  exactfit generate planted-3sat 20 91 --seed 1 -o planted.cnf
  exactfit generate random-3sat 12 200 --seed 7 -o dense.cnf
  exactfit generate gnp 12 0.4 --seed 3 -o g.col
  exactfit generate gnp 12 0.4 --max-weight 9 --seed 3 -o w.col
  exactfit generate hypergraph 9 12 3 --seed 2 -o h.hgr
  exactfit generate named johnson:6:3 -o j63.col
  exactfit generate named fano -o fano.hgr
  exactfit generate fit 40 2 --units 1 --noise 0.1 --seed 5 -o fit.json
named sources: """ + ", ".join(gen.NAMED)


def _int_at_least(low: int) -> Any:
    return number_arg(int, minimum=low)


_probability = number_arg(float, minimum=0, maximum=1, what="a probability")
_non_negative = number_arg(float, minimum=0)


def add_commands(sub: Any) -> None:
    """Register ``generate`` on the ``exactfit`` sub-parsers."""
    p = sub.add_parser(
        "generate",
        help="write a seeded random or named source (graph, CNF, hypergraph) or fitting instance",
        description="Write a seeded random or named source instance, or a random fitting "
        "instance. The same arguments and seed always give the same file.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    # the order here is the order ``exactfit generate --help`` lists the kinds in
    _add_3sat(kinds)
    _add_gnp(kinds)
    _add_hypergraph(kinds)
    _add_named(kinds)
    add_fit_command(kinds)


def _output(
    q: argparse.ArgumentParser,
    seeded: bool = True,
    handler: Callable[[argparse.Namespace], int] | None = None,
) -> None:
    """The options every kind has, ``--seed`` (when seeded) and ``-o``, and its handler
    (:func:`_cmd_generate` unless given)."""
    if seeded:
        q.add_argument("--seed", type=_int_at_least(0), default=0, help="random seed (0)")
    q.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="output file (default: standard output)",
    )
    q.set_defaults(handler=handler or _cmd_generate)


def _add_3sat(kinds: Any) -> None:
    for kind, text in (
        ("planted-3sat", "satisfiable 3-CNF with a hidden assignment (recorded in a comment)"),
        ("random-3sat", "uniform random 3-CNF; dense ones are far from satisfiable"),
    ):
        q = kinds.add_parser(
            kind,
            help=text,
            description=text,
            epilog=f"example: exactfit generate {kind} 20 91 --seed 1 -o f.cnf",
        )
        q.add_argument("vars", type=_int_at_least(3), metavar="VARS")
        q.add_argument("clauses", type=_int_at_least(0), metavar="CLAUSES")
        _output(q)


def _add_gnp(kinds: Any) -> None:
    q = kinds.add_parser(
        "gnp",
        help="Erdős–Rényi G(n, p), optionally with random weights",
        epilog="example: exactfit generate gnp 12 0.4 --seed 3 -o g.col",
    )
    q.add_argument("n", type=_int_at_least(1), metavar="N")
    q.add_argument("p", type=_probability, metavar="P")
    q.add_argument(
        "--max-weight",
        type=_int_at_least(1),
        default=None,
        metavar="W",
        help="uniform integer edge weights in 1..W (default: unweighted)",
    )
    _output(q)


def _add_hypergraph(kinds: Any) -> None:
    q = kinds.add_parser(
        "hypergraph",
        help="M distinct random R-subsets of N vertices",
        epilog="example: exactfit generate hypergraph 9 12 3 --seed 2 -o h.hgr",
    )
    for name, low in (("n", 2), ("m", 0), ("r", 2)):
        q.add_argument(name, type=_int_at_least(low), metavar=name.upper())
    _output(q)


def _add_named(kinds: Any) -> None:
    q = kinds.add_parser(
        "named",
        help="a named graph or hypergraph",
        epilog="names: "
        + ", ".join(gen.NAMED)
        + "\nexample: exactfit generate named petersen -o petersen.col",
    )
    q.add_argument("name", metavar="NAME")
    _output(q, seeded=False)


def add_fit_command(kinds: Any) -> None:
    """Register ``generate fit`` (a fitting instance, not a source: it belongs with the fitting
    CLI and is kept apart so that it can move there)."""
    q = kinds.add_parser(
        "fit",
        help="random fitting instance: planted ReLU network plus noise",
        epilog="example: exactfit generate fit 40 2 --units 1 --seed 5 -o fit.json",
    )
    q.add_argument("n", type=_int_at_least(1), metavar="N", help="number of samples")
    q.add_argument("d", type=_int_at_least(1), metavar="D", help="input dimension")
    q.add_argument("--units", "-k", type=_int_at_least(1), default=1, help="planted units (1)")
    q.add_argument(
        "--bias",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="units have a bias (default: yes)",
    )
    q.add_argument(
        "--noise",
        type=_non_negative,
        default=0.1,
        help="standard deviation of the label noise (0.1)",
    )
    q.add_argument(
        "--digits", type=_int_at_least(0), default=2, help="decimals kept in data and labels (2)"
    )
    q.add_argument("--weighted", action="store_true", help="sample weights drawn from {1, 2, 3}")
    q.add_argument("--weight-bound", type=float, metavar="B", help="class constraint ‖w_j‖₂ ≤ B")
    q.add_argument("--nonnegative", action="store_true", help="class with all output signs +1")
    _output(q, handler=_cmd_generate_fit)


def _describe(obj: Graph | CNF | Hypergraph) -> str:
    if isinstance(obj, Graph):
        w = ", weighted" if obj.weighted else ""
        return f"graph {obj.name} (n={obj.n}, m={obj.m}{w})"
    if isinstance(obj, Hypergraph):
        return f"hypergraph {obj.name} (n={obj.n}, m={len(obj.edges)}, rank {obj.rank})"
    return f"CNF {obj.name} (vars={obj.num_vars}, clauses={obj.m})"


def _cmd_generate_fit(args: argparse.Namespace) -> int:
    from exactfit.generate import planted_fit
    from exactfit.io import write_instance

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


def _cmd_generate(args: argparse.Namespace) -> int:
    kind = args.kind
    if kind == "planted-3sat":
        obj: Graph | CNF | Hypergraph = gen.planted_3sat(args.vars, args.clauses, args.seed)
    elif kind == "random-3sat":
        obj = gen.random_3sat(args.vars, args.clauses, args.seed)
    elif kind == "gnp":
        if args.max_weight is None:
            obj = gen.gnp(args.n, args.p, args.seed)
        else:
            obj = gen.random_weighted_graph(args.n, args.p, args.max_weight, args.seed)
    elif kind == "hypergraph":
        if args.r > args.n:
            raise InputError(f"R = {args.r} exceeds N = {args.n}; hyperedges have R ≤ N vertices")
        obj = gen.random_hypergraph(args.n, args.m, args.r, args.seed)
    elif kind == "named":
        obj = gen.named_graph(args.name)
    else:  # pragma: no cover - argparse restricts the choices
        raise InputError(f"unknown kind {kind!r}")
    write_source(obj, args.output)
    if args.output != "-":
        print(f"wrote {_describe(obj)} to {args.output}")
    sys.stdout.flush()
    return 0
