"""The source kinds of ``exactfit generate``: seeded random or named graphs, CNF formulas and
hypergraphs.

Added to the command of :mod:`exactfit.cli.generate` through :func:`add_generate_kinds`.  Graphs
are written as DIMACS (``.col``), formulas as DIMACS CNF (``.cnf``), hypergraphs in the
``p hyper`` format (``.hgr``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from exactfit.cli.args import int_at_least, number_arg
from exactfit.cli.generate import add_output_options
from exactfit.errors import InputError
from reductions.sources import generators as gen
from reductions.sources import ksat
from reductions.sources.io import write_source
from reductions.sources.types import CNF, Graph, Hypergraph

__all__ = ["EXAMPLES", "add_generate_kinds"]

#: Example lines for ``exactfit generate --help``.
EXAMPLES = """  exactfit generate planted-3sat 20 91 --seed 1 -o planted.cnf
  exactfit generate random-3sat 12 200 --seed 7 -o dense.cnf
  exactfit generate random-ksat 16 4 --seed 2 -o k4.cnf
  exactfit generate gnp 12 0.4 --seed 3 -o g.col
  exactfit generate gnp 12 0.4 --max-weight 9 --seed 3 -o w.col
  exactfit generate hypergraph 9 12 3 --seed 2 -o h.hgr
  exactfit generate named johnson:6:3 -o j63.col
  exactfit generate named fano -o fano.hgr
named sources: """ + ", ".join(gen.NAMED)


_probability = number_arg(float, minimum=0, maximum=1, what="a probability")


def add_generate_kinds(kinds: Any) -> None:
    """Add the source kinds to the ``generate`` sub-parsers ``kinds``."""
    # the order here is the order ``exactfit generate --help`` lists the kinds in
    _add_3sat(kinds)
    _add_ksat(kinds)
    _add_gnp(kinds)
    _add_hypergraph(kinds)
    _add_named(kinds)


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
        q.add_argument("vars", type=int_at_least(3), metavar="VARS")
        q.add_argument("clauses", type=int_at_least(0), metavar="CLAUSES")
        add_output_options(q, _cmd_generate)


def _add_ksat(kinds: Any) -> None:
    for kind, text in (
        ("planted-ksat", "satisfiable K-CNF with a hidden assignment (recorded in a comment)"),
        ("random-ksat", "uniform random K-CNF, by default at the refutation density n^(K/2)"),
    ):
        q = kinds.add_parser(
            kind,
            help=text,
            description=text + ". Clauses: --clauses M, or ⌈VARS^s⌉ with s from --exponent "
            "(default max(1, K/2)).",
            epilog=f"example: exactfit generate {kind} 16 4 --seed 2 -o f.cnf",
        )
        q.add_argument("vars", type=int_at_least(1), metavar="VARS")
        q.add_argument("k", type=int_at_least(1), metavar="K", help="clause width")
        how = q.add_mutually_exclusive_group()
        how.add_argument("--clauses", type=int_at_least(0), metavar="M", help="clause count")
        how.add_argument(
            "--exponent",
            type=number_arg(float, minimum=1, maximum=8),
            metavar="S",
            help="clause count ⌈VARS^S⌉ (default max(1, K/2))",
        )
        add_output_options(q, _cmd_generate)


def _add_gnp(kinds: Any) -> None:
    q = kinds.add_parser(
        "gnp",
        help="Erdős–Rényi G(n, p), optionally with random weights",
        epilog="example: exactfit generate gnp 12 0.4 --seed 3 -o g.col",
    )
    q.add_argument("n", type=int_at_least(1), metavar="N")
    q.add_argument("p", type=_probability, metavar="P")
    q.add_argument(
        "--max-weight",
        type=int_at_least(1),
        default=None,
        metavar="W",
        help="uniform integer edge weights in 1..W (default: unweighted)",
    )
    add_output_options(q, _cmd_generate)


def _add_hypergraph(kinds: Any) -> None:
    q = kinds.add_parser(
        "hypergraph",
        help="M distinct random R-subsets of N vertices",
        epilog="example: exactfit generate hypergraph 9 12 3 --seed 2 -o h.hgr",
    )
    for name, low in (("n", 2), ("m", 0), ("r", 2)):
        q.add_argument(name, type=int_at_least(low), metavar=name.upper())
    add_output_options(q, _cmd_generate)


def _add_named(kinds: Any) -> None:
    q = kinds.add_parser(
        "named",
        help="a named graph or hypergraph",
        epilog="names: "
        + ", ".join(gen.NAMED)
        + "\nexample: exactfit generate named petersen -o petersen.col",
    )
    q.add_argument("name", metavar="NAME")
    add_output_options(q, _cmd_generate, seeded=False)


def _describe(obj: Graph | CNF | Hypergraph) -> str:
    if isinstance(obj, Graph):
        w = ", weighted" if obj.weighted else ""
        return f"graph {obj.name} (n={obj.n}, m={obj.m}{w})"
    if isinstance(obj, Hypergraph):
        return f"hypergraph {obj.name} (n={obj.n}, m={len(obj.edges)}, rank {obj.rank})"
    return f"CNF {obj.name} (vars={obj.num_vars}, clauses={obj.m})"


def _cmd_generate(args: argparse.Namespace) -> int:
    from exactfit.files import check_output_path

    check_output_path(args.output, "-o")
    kind = args.kind
    if kind == "planted-3sat":
        obj: Graph | CNF | Hypergraph = gen.planted_3sat(args.vars, args.clauses, args.seed)
    elif kind == "random-3sat":
        obj = gen.random_3sat(args.vars, args.clauses, args.seed)
    elif kind in ("planted-ksat", "random-ksat"):
        m = args.clauses
        if m is None:
            m = ksat.refutation_clauses(args.vars, args.exponent or max(1.0, args.k / 2))
        make = ksat.planted_ksat if kind == "planted-ksat" else ksat.random_ksat
        obj = make(args.vars, m, args.k, args.seed)
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
