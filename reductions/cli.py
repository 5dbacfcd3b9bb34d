"""``exactfit reduce`` and ``exactfit check``: run a reduction, or check it by solving both sides.

``reduce NAME SOURCE`` writes the target instance (fitting instance JSON, or a DIMACS source for
reductions between source problems).  ``check NAME SOURCE`` solves the source and the target
exactly, prints both optima, the predicted relation, the lifted and projected certificates'
values and PASS or FAIL (exit 0 or 1).  ``check NAME --random N --seed S`` checks N tiny random
sources and saves the first counterexample into a directory (``--out``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from exactfit.errors import InputError
from reductions.base import Reduction
from reductions.registry import REGISTRY, get_reduction

__all__ = ["add_commands", "progress_line", "reduction_params"]

_REDUCE_EPILOG = """examples:
  exactfit reduce maxcut_to_relu triangle.col -o triangle.json
  exactfit reduce dks_to_relu petersen.col --kappa 4 -o dks.json
  exactfit reduce coloring_to_relus fano.hgr --units 2 -o fano.json
  exactfit reduce sat3_to_max2sat formula.cnf -o formula2.cnf

reductions:
""" + "\n".join(f"  {name:24s} {REGISTRY[name][2]}" for name in sorted(REGISTRY))

_CHECK_EPILOG = """examples:
  exactfit check maxcut_to_relu triangle.col
  exactfit check coloring_to_relus k4.col --units 3 --solver scip
  exactfit check dks_to_relu --kappa 2 --random 20 --seed 1 --out counterexamples/
exit codes: 0 every check passed, 1 a check failed, 10 inconclusive (an optimum was not
proven, e.g. at --time-limit, and nothing else failed), 2 bad input."""


def _params(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reduction parameters")
    g.add_argument("--kappa", type=int, help="subgraph size κ (dks_to_relu)")
    g.add_argument("--units", type=int, help="number of colours = ReLU units (coloring_to_relus)")
    g.add_argument(
        "--signs",
        choices=("nonnegative", "free"),
        help="output signs of coloring_to_relus (default nonnegative, the class C+)",
    )
    g.add_argument(
        "--bias",
        action="store_true",
        help="ask for a bias (refused where the reduction is unsound with one)",
    )
    g.add_argument(
        "--allow-unsound",
        action="store_true",
        help="build an unsound configuration anyway (marked in meta; checks then FAIL)",
    )
    g.add_argument("--alpha", help="vertex weight α of gapmaxcut_to_unit_relu (default max(Δ,1))")
    g.add_argument("--q", help="edge scale q ≤ 1/√2 of gapmaxcut_to_unit_relu (default 408/577)")


def reduction_params(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`get_reduction` from the parsed options that were given."""
    out: dict[str, Any] = {}
    for key in ("kappa", "units", "signs", "alpha", "q"):
        value = getattr(args, key, None)
        if value is not None:
            out[key] = value
    if getattr(args, "bias", False):
        out["bias"] = True
    if getattr(args, "allow_unsound", False):
        out["allow_unsound"] = True
    return out


def _build(args: argparse.Namespace) -> Reduction:
    # an unknown name raises UnknownReduction, an InputError: one line and exit 2
    return get_reduction(args.name, **reduction_params(args))


def add_commands(sub: Any) -> None:
    """Register ``reduce`` and ``check`` on the ``exactfit`` sub-parsers."""
    p = sub.add_parser(
        "reduce",
        help="apply a reduction to a source instance (graph, hypergraph, CNF)",
        description="Apply a reduction to a source file and write the target instance; its "
        "meta records the reduction, parameters, source sha256 and the predicted relation.",
        epilog=_REDUCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", metavar="NAME", help="reduction name (see below)")
    p.add_argument("source", metavar="SOURCE", help="source file (DIMACS graph/CNF, .hgr) or -")
    _params(p)
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="output (default stdout)")
    p.set_defaults(handler=_cmd_reduce)

    q = sub.add_parser(
        "check",
        help="check a reduction by solving the source and the target exactly",
        description="Solve the source and the reduced instance exactly, print both optima, "
        "the predicted relation, the lifted and projected certificates' values, and PASS or "
        "FAIL. With --random N, check N tiny random sources and save the first "
        "counterexample.",
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    q.add_argument("name", metavar="NAME", help="reduction name")
    q.add_argument("source", metavar="SOURCE", nargs="?", help="source file (omit with --random)")
    _params(q)
    q.add_argument("--solver", default="auto", help="fitting solver for the target (auto)")
    q.add_argument("--cross-solver", help="a second fitting solver that must agree")
    q.add_argument("--source-method", default="auto", help="auto | cpsat | scip | brute")
    q.add_argument("--cross-source-method", help="a second source method that must agree")
    q.add_argument(
        "--time-limit",
        type=float,
        help="seconds for the fitting side: the target's solve and the exact-bound step together",
    )
    q.add_argument(
        "--exact-time",
        type=float,
        help="seconds for the exact-bound step (default: what the solve left of --time-limit, "
        "20 s without one)",
    )
    q.add_argument(
        "--stop-when-decided",
        action="store_true",
        help="let an MIQP stop once its bound decides the verdict with the lift as the upper end "
        "(faster; the items that need the optimum are then moot)",
    )
    q.add_argument("--max-cells", type=int, help="enumeration budget passed to the solver")
    q.add_argument(
        "--no-seed-lift",
        dest="seed_lift",
        action="store_false",
        help="do not start MIQP solvers from the lifted network (the completeness certificate)",
    )
    q.add_argument(
        "--no-exact-bound",
        dest="exact_bound",
        action="store_false",
        help="when the fit stops undecided, do not ask the exact prover for a separating bound",
    )
    q.add_argument("--random", type=int, metavar="N", help="check N random tiny sources")
    q.add_argument("--seed", type=int, default=0, help="seed of the first random source (0)")
    q.add_argument(
        "--out",
        default="counterexamples",
        metavar="DIR",
        help="where --random saves the first counterexample (default ./counterexamples)",
    )
    q.add_argument("--json", action="store_true", help="print the report as JSON")
    q.set_defaults(handler=_cmd_check)


def _check_outdir(path: str) -> None:
    """Refuse ``--out`` before the random checks run, not when a counterexample is saved: it
    is created if missing, so only an existing non-directory on its path is an error."""
    for part in (Path(path), *Path(path).parents):
        if part.exists():
            if not part.is_dir():
                raise InputError(
                    f"--out {path}: {part} is a file, expected a directory; choose another --out"
                )
            return


def progress_line(report: Any) -> str:
    """One ``--random`` progress line: the target optimum as a float approximation and, when
    short, the full rational (never a truncated numerator), or its bracket; the verdict and
    whether the bracket discriminates."""
    from reductions.check.report import _bracket, _fmt

    t = report.target
    target = _fmt(t.exact) if t.exact is not None else _bracket(t)
    disc = report.discrimination
    tag = ""
    if disc is not None and disc.holds and not disc.discriminating:
        tag = " (non-discriminating)"
    return (
        f"{report.source_name}: source {report.source_value}, target {target} {report.verdict}{tag}"
    )


def _read(path: str) -> Any:
    from reductions.sources.io import read_source

    return read_source(sys.stdin if path == "-" else path)


def _output_suffixes(red: Reduction) -> tuple[str, ...]:
    """The file endings ``reduce -o`` accepts for what ``red`` produces."""
    from reductions.sources.io import CNF_SUFFIXES, GRAPH_SUFFIXES

    return {"relu-fit": (".json",), "max-sat": CNF_SUFFIXES, "max-cut": GRAPH_SUFFIXES}.get(
        red.target_problem.name, ()
    )


def _check_size(red: Reduction, source: Any) -> None:
    """Refuse a source whose target would exceed the caps, before building the target."""
    from exactfit.limits import MAX_ENTRIES, MAX_SOURCE_ITEMS, MAX_SOURCE_VERTICES, check_cap

    n, d = red.size(source)
    if red.target_problem.name == "relu-fit":
        check_cap(
            n * (d + 2),
            MAX_ENTRIES,
            f"{red.name}: the target would have n = {n:,} points in d = {d:,} dimensions; "
            "its numbers n·(d + 2)",
            "use a smaller source",
        )
    else:
        check_cap(n, MAX_SOURCE_VERTICES, f"{red.name}: the target's size", "use a smaller source")
        check_cap(d, MAX_SOURCE_ITEMS, f"{red.name}: the target's size", "use a smaller source")


def _cmd_reduce(args: argparse.Namespace) -> int:
    from exactfit.files import check_output_path
    from exactfit.problem import FitProblem

    red = _build(args)
    check_output_path(args.output, "-o", _output_suffixes(red))
    source = _read(args.source)
    _check_size(red, source)
    target, _ = red.forward(source)
    if isinstance(target, FitProblem):
        from exactfit.io import write_instance

        write_instance(target, args.output)
    else:
        from reductions.sources import io as sio

        if args.output == "-":
            text = (
                sio.dimacs_cnf_text(target)
                if hasattr(target, "clauses")
                else (sio.dimacs_graph_text(target))
            )
            sys.stdout.write(text)
        else:
            sio.write_source(target, args.output)
    n, d = red.size(source)
    print(f"{red.name}: wrote {args.output} (size {n} × {d})", file=sys.stderr)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from reductions.check import check, check_random

    red = _build(args)
    options: dict[str, Any] = {}
    if args.max_cells is not None:
        options["max_cells"] = args.max_cells
    kwargs = {
        "solver": args.solver,
        "source_method": args.source_method,
        "cross_solver": args.cross_solver,
        "cross_source_method": args.cross_source_method,
        "time_limit": args.time_limit,
        "solver_options": options or None,
        "seed_lift": args.seed_lift,
        "exact_bound": args.exact_bound,
        "exact_time": args.exact_time,
        "stop_when_decided": args.stop_when_decided,
    }
    if args.random is not None:
        if args.source is not None:
            raise InputError("check: give either SOURCE or --random N, not both")
        _check_outdir(args.out)

        def progress(i: int, report: Any) -> None:
            print(f"[{i + 1}/{args.random}] {progress_line(report)}", file=sys.stderr)

        rr = check_random(red, args.random, args.seed, outdir=args.out, progress=progress, **kwargs)
        if args.json:
            out = {
                "reduction": rr.reduction,
                "seed": rr.seed,
                "tried": rr.tried,
                "passed": rr.passed,
                "inconclusive": rr.inconclusive,
                "failure_seed": rr.failure_seed,
                "saved_to": None if rr.saved_to is None else str(rr.saved_to),
                "first_failure": None if rr.first_failure is None else rr.first_failure.as_json(),
            }
            print(json.dumps(out, indent=2))
        elif rr.ok:
            note = ""
            if rr.inconclusive:
                note = f", {rr.inconclusive} inconclusive (optimum not proven)"
            print(f"PASS: {rr.passed} of {rr.tried} random sources (seeds {rr.seed}..){note}")
        else:
            print(rr.first_failure.text())
            print(f"FAIL at seed {rr.failure_seed}; counterexample saved to {rr.saved_to}")
        if not rr.ok:
            return 1
        return 10 if rr.inconclusive else 0
    if args.source is None:
        raise InputError("check: expected a SOURCE file or --random N")
    source = _read(args.source)
    _check_size(red, source)
    report = check(red, source, **kwargs)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        print(report.text())
    return {"PASS": 0, "FAIL": 1, "INCONCLUSIVE": 10}[report.verdict]
