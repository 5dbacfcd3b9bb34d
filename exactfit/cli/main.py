"""The ``exactfit`` command line.

Sub-commands: ``solve``, ``verify``, ``solvers`` (here), ``reduce`` and ``check``
(:mod:`reductions.cli`), ``generate`` (:mod:`reductions.sources.cli`), ``bench``
(:mod:`exactfit.bench.cli`).

Exit codes: 0 optimal / check passed; 10 stopped at a limit with an incumbent; 20 no solution;
1 a check failed or a solver errored; 2 bad input or usage (one line on stderr, no traceback);
130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from exactfit.errors import InputError
from exactfit.result import Result, Status

__all__ = ["EXIT_CODES", "OneLineParser", "main", "number_arg", "positive_float", "positive_int"]

EXIT_CODES = {
    Status.OPTIMAL: 0,
    Status.FEASIBLE: 10,
    Status.NO_SOLUTION: 20,
    Status.INFEASIBLE: 20,
    Status.ERROR: 1,
}

#: Modules that add sub-commands through ``add_commands(subparsers)``.
_PLUGINS = ("reductions.cli", "reductions.sources.cli", "exactfit.bench.cli")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def number_arg(
    kind: type = float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    what: str | None = None,
) -> Any:
    """An argparse ``type`` accepting a finite ``kind`` number in a range.

    ``strict`` makes the minimum exclusive (``> minimum``).  Errors name what was expected
    and what was found.
    """
    noun = what or ("an integer" if kind is int else "a number")
    if minimum is not None:
        noun += f" {'>' if strict else '≥'} {minimum:g}"
    if maximum is not None:
        noun += f" and ≤ {maximum:g}" if minimum is not None else f" ≤ {maximum:g}"

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, found {text!r}") from None
        ok = value == value and abs(value) != float("inf")
        if minimum is not None:
            ok = ok and (value > minimum if strict else value >= minimum)
        if maximum is not None:
            ok = ok and value <= maximum
        if not ok:
            raise argparse.ArgumentTypeError(f"expected {noun}, found {text!r}")
        return value

    return parse


positive_float = number_arg(float, minimum=0, strict=True, what="a positive number")
positive_int = number_arg(int, minimum=1, what="a positive integer")


def _signs(text: str) -> Any:
    if text in ("free", "nonnegative"):
        return None if text == "free" else "nonnegative"
    try:
        return [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'free', 'nonnegative' or a list like '1,-1', found {text!r}"
        ) from None


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to file descriptor 1 to 2 (backends print from C code).

    Keeps ``--json`` output on stdout parseable whatever a solver library prints.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (e.g. some embedded runners): nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


# ------------------------------------------------------------------------------ solve
def _add_solve(sub: Any) -> None:
    p = sub.add_parser(
        "solve",
        help="fit an instance to proven global optimality",
        description="Fit an instance (JSON or CSV) to proven global optimality.",
        epilog="example: exactfit solve instances/fit/planted_n12_d2.json --solver scip "
        "-o sol.json",
    )
    p.add_argument("instance", help="instance JSON or CSV file ('-' for stdin)")
    p.add_argument("--solver", default="auto", help="enum, scip, ortools, brute or auto")
    p.add_argument("--time-limit", type=positive_float, metavar="S", help="seconds")
    p.add_argument("--json", action="store_true", help="print the solution JSON on stdout")
    p.add_argument("-o", "--output", metavar="SOLUTION", help="write the solution JSON here")
    p.add_argument("--seed", type=int, help="random seed passed to the solver")
    p.add_argument(
        "--certify",
        action="store_true",
        help="(enum) recompute the optimum exactly from the winning cell's KKT system",
    )
    p.add_argument(
        "--max-cells",
        type=positive_int,
        metavar="N",
        help="(enum) refuse instances with more estimated cells",
    )
    p.add_argument("--formulation", choices=["sos1", "indicator"], help="(scip) MIQP form")
    prog = p.add_mutually_exclusive_group()
    prog.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="force a progress bar on stderr",
    )
    prog.add_argument("--no-progress", dest="progress", action="store_false")
    csvg = p.add_argument_group("CSV input (also override a JSON instance's class)")
    csvg.add_argument("--target", metavar="COLUMN", help="label column of a CSV (default last)")
    csvg.add_argument("--units", type=positive_int, metavar="K", help="number of ReLUs")
    csvg.add_argument("--no-bias", action="store_true", help="units without bias")
    csvg.add_argument("--signs", type=_signs, metavar="S", help="free, nonnegative or 1,-1,...")
    csvg.add_argument("--weight-bound", type=positive_float, metavar="B", help="‖w_j‖₂ ≤ B")
    p.set_defaults(handler=_cmd_solve)


def _load_problem(args: argparse.Namespace) -> Any:
    from exactfit.io import read_instance

    problem = read_instance(args.instance, target=args.target)
    changes: dict[str, Any] = {}
    if args.units is not None:
        changes["units"] = args.units
    if args.no_bias:
        changes["bias"] = False
    if args.signs is not None:
        changes["output_signs"] = args.signs
    if args.weight_bound is not None:
        changes["weight_bound"] = args.weight_bound
    return problem.with_changes(**changes) if changes else problem


def _cmd_solve(args: argparse.Namespace) -> int:
    import exactfit
    from exactfit.io import solution_to_dict, write_solution

    problem = _load_problem(args)
    options: dict[str, Any] = {}
    for key in ("seed", "max_cells", "formulation", "progress"):
        if getattr(args, key) is not None:
            options[key] = getattr(args, key)
    if args.certify:
        options["certify"] = True
    with stdout_to_stderr():
        result = exactfit.solve(problem, args.solver, time_limit=args.time_limit, **options)
    if args.output:
        write_solution(result, args.output)
    if args.json:
        print(json.dumps(solution_to_dict(result), indent=2))
    else:
        print(format_result(result))
    return EXIT_CODES[result.status]


def format_network(network: Any) -> str:
    lines = []
    for u in network.units:
        terms = " ".join(f"{float(v):+.10g}·x{i + 1}" for i, v in enumerate(u.w))
        b = float(u.b)
        bias = f" {b:+.10g}" if b != 0 else ""
        lines.append(f"{'+' if u.a > 0 else '-'}σ({terms}{bias})")
    return "f(x) = " + "\n         ".join(lines)


def format_result(result: Result) -> str:
    """A human-readable summary of a result."""

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:.12g}"

    rows = [
        (
            "status",
            result.status.value + (f" (limit: {result.limit.value})" if result.limit else ""),
        )
    ]
    loss = num(result.objective)
    exact = result.stats.get("objective_exact")
    if exact is not None:
        loss += f"  (exact {exact})"
    rows += [("loss", loss), ("bound", num(result.bound))]
    gap = result.gap
    rows.append(("gap", "—" if gap is None else f"{gap:.3g}"))
    solver = result.solver + (f"  [{result.stats['auto']}]" if "auto" in result.stats else "")
    rows += [("solver", solver), ("wall time", f"{result.wall_s:.3f} s")]
    if result.network is not None:
        rows.append(("network", format_network(result.network)))
    shown = {k: v for k, v in result.stats.items() if k not in ("auto", "objective_exact")}
    if shown:
        rows.append(("stats", ", ".join(f"{k}={_short(v)}" for k, v in shown.items())))
    if result.message:
        rows.append(("note", result.message))
    return "\n".join(f"{k:<10} {v}" for k, v in rows)


def _short(v: Any) -> str:
    text = json.dumps(v) if isinstance(v, list | dict) else str(v)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------------------ verify
def _add_verify(sub: Any) -> None:
    p = sub.add_parser(
        "verify",
        help="check a solution exactly against an instance",
        description="Recompute a solution's loss in exact rational arithmetic, check the network "
        "is in the instance's class, and check the solver's claims (objective, bound, status).",
        epilog="example: exactfit verify instances/fit/planted_n12_d2.json sol.json",
    )
    p.add_argument("instance", help="instance JSON or CSV")
    p.add_argument("solution", help="solution JSON ('-' for stdin)")
    p.add_argument("--target", metavar="COLUMN", help="label column of a CSV instance")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.set_defaults(handler=_cmd_verify)


def _cmd_verify(args: argparse.Namespace) -> int:
    from exactfit.io import read_instance, read_solution
    from exactfit.verify import verify

    problem = read_instance(args.instance, target=args.target)
    solution = read_solution(args.solution)
    verdict = verify(problem, solution)
    if args.json:
        q = verdict.exact_loss
        print(
            json.dumps(
                {
                    "ok": verdict.ok,
                    "exact_loss": None if q is None else f"{q.numerator}/{q.denominator}",
                    "checks": [
                        {"name": c.name, "passed": c.passed, "detail": c.detail}
                        for c in verdict.checks
                    ],
                },
                indent=2,
            )
        )
    else:
        for c in verdict.checks:
            print(f"{'ok  ' if c.passed else 'FAIL'}  {c.name:<18} {c.detail}")
        print("VERIFIED" if verdict.ok else "REJECTED")
    return 0 if verdict.ok else 1


# ------------------------------------------------------------------------------ solvers
def _add_solvers(sub: Any) -> None:
    p = sub.add_parser(
        "solvers",
        help="list the registered solvers and whether they work here",
        epilog="example: exactfit solvers",
    )
    p.set_defaults(handler=_cmd_solvers)


def _cmd_solvers(args: argparse.Namespace) -> int:
    from exactfit.solvers import REGISTRY, available

    status = available()
    for name, (_, _, description) in REGISTRY.items():
        why = status[name]
        print(f"{name:<8} {'available' if why is None else 'unavailable':<12} {description}")
        if why is not None:
            print(f"{'':<8} {why}")
    return 0


# ------------------------------------------------------------------------------ main
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
    _add_solve(sub)
    _add_verify(sub)
    _add_solvers(sub)
    # The plugins ship in this distribution: a missing one is a packaging bug and must fail.
    for module in _PLUGINS:
        importlib.import_module(module).add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except InputError as exc:
        print(f"exactfit {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"exactfit {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
