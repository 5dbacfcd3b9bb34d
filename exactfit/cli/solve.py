"""``exactfit solve``: fit an instance (JSON or CSV) to proven global optimality."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exactfit.cli.args import number_arg, positive_float, positive_int, signs_arg
from exactfit.cli.output import EXIT_CODES, format_result, stdout_to_stderr
from exactfit.files import check_output_path
from exactfit.limits import MAX_UNITS

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "solve",
        help="fit an instance to proven global optimality",
        description="Fit an instance (JSON or CSV) to proven global optimality.",
        epilog="example: exactfit solve instances/fit/planted_n12_d2.json --solver scip "
        "-o sol.json",
    )
    p.add_argument("instance", help="instance JSON or CSV file ('-' for stdin)")
    p.add_argument("--solver", default="auto", help="enum, scip, ortools, brute, net or auto")
    p.add_argument("--time-limit", type=positive_float, metavar="S", help="seconds")
    p.add_argument("--json", action="store_true", help="print the solution JSON on stdout")
    p.add_argument("-o", "--output", metavar="SOLUTION", help="write the solution JSON here")
    p.add_argument("--seed", type=int, help="random seed passed to the solver")
    cert = p.add_mutually_exclusive_group()
    cert.add_argument(
        "--certify",
        dest="certify",
        action="store_true",
        default=None,
        help="prove the answer with an exact certificate: enum's default; "
        "with scip, ortools or auto the returned network is certified afterwards",
    )
    cert.add_argument(
        "--no-certify",
        dest="certify",
        action="store_false",
        help="(enum) skip the exact certificate: faster, OPTIMAL then has proof 'tolerance'",
    )
    p.add_argument(
        "--certificate",
        metavar="CERT",
        help="write the exact certificate (JSON) here; check it with "
        "'exactfit verify INSTANCE SOLUTION --certificate CERT'",
    )
    p.add_argument(
        "--max-cells",
        type=positive_int,
        metavar="N",
        help="(enum) refuse instances with more estimated cells",
    )
    p.add_argument("--formulation", choices=["auto", "sos1", "indicator"], help="(scip) MIQP form")
    p.add_argument(
        "--epsilon",
        type=positive_float,
        metavar="E",
        help="(net) additive error on the average loss Σc(f−y)²/Σc (docs/solvers/net.md)",
    )
    _add_watch_options(p)
    csvg = p.add_argument_group("CSV input (also override a JSON instance's class)")
    csvg.add_argument("--target", metavar="COLUMN", help="label column of a CSV (default last)")
    csvg.add_argument(
        "--units",
        type=number_arg(int, minimum=1, maximum=MAX_UNITS, what="a number of units"),
        metavar="K",
        help=f"number of ReLUs (1..{MAX_UNITS})",
    )
    csvg.add_argument("--no-bias", action="store_true", help="units without bias")
    csvg.add_argument("--signs", type=signs_arg, metavar="S", help="free, nonnegative or 1,-1,...")
    csvg.add_argument("--weight-bound", type=positive_float, metavar="B", help="‖w_j‖₂ ≤ B")
    p.set_defaults(handler=_cmd_solve)


def _add_watch_options(p: Any) -> None:
    """The options that watch a solve: live progress, the backend's log, the trace file."""
    prog = p.add_mutually_exclusive_group()
    prog.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="force the live progress display on stderr (default: only on a terminal)",
    )
    prog.add_argument(
        "--no-progress",
        "-q",
        "--quiet",
        dest="progress",
        action="store_false",
        help="no live progress display",
    )
    log = p.add_mutually_exclusive_group()
    log.add_argument(
        "--verbose",
        action="store_true",
        help="(scip, ortools) show the backend's own log on stderr, instead of the display",
    )
    log.add_argument(
        "--log",
        metavar="FILE",
        help="(scip, ortools) write the backend's own log to FILE (empty if auto chose enum)",
    )
    p.add_argument(
        "--trace",
        metavar="FILE",
        help="record the incumbent and bound over time to FILE (JSON lines, docs/formats.md)",
    )


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
    from exactfit.io import solution_to_dict, write_solution

    # output paths are checked before the solve, which may take hours
    if args.output:
        check_output_path(args.output, "-o")
    if args.certificate is not None:
        check_output_path(args.certificate, "--certificate")
    _check_watch_options(args)
    problem = _load_problem(args)
    options: dict[str, Any] = {}
    for key in ("seed", "max_cells", "formulation", "log", "epsilon"):
        if getattr(args, key) is not None:
            options[key] = getattr(args, key)
    if args.verbose:
        options["verbose"] = True
    if args.certify is not None:
        options["certify"] = args.certify
    if args.certificate is not None:
        _check_certificate_request(args, problem)
        options["certify"] = True
    result, recorder = _solve(args, problem, options)
    if args.trace is not None:
        recorder.write(args.trace, result)
    if args.output:
        write_solution(result, args.output)
    if args.certificate is not None:
        _write_certificate(result, args.certificate)
    if args.json:
        print(json.dumps(solution_to_dict(result), indent=2))
    else:
        print(format_result(result, instance=args.instance))
    return EXIT_CODES[result.status]


def _solve(args: argparse.Namespace, problem: Any, options: dict[str, Any]) -> tuple[Any, Any]:
    """The result of the solve and its trace recorder.  From here on (the instance is read)
    a first Ctrl-C is answered with a result, as :func:`exactfit.solve` answers one: the
    zero network with bound 0 when it comes before the solver started (the CLI's own set-up
    of the display and the log); before this point it exits 130 with no file."""
    import time

    import exactfit
    from exactfit import interrupt
    from exactfit.result import stopped_before_start
    from exactfit.trace import Recorder

    began = time.perf_counter()
    recorder = Recorder("" if args.solver == "auto" else args.solver)
    with interrupt.session():
        try:
            with _log_file(args.log), stdout_to_stderr(), _watching(args, recorder) as watch:
                result = exactfit.solve(problem, args.solver, time_limit=args.time_limit, **options)
                watch.done(result)
        except KeyboardInterrupt:
            if interrupt.presses() != 1:
                raise
            why, wall = "before the solver started", time.perf_counter() - began
            result = stopped_before_start(problem, args.solver, wall, why)
    return result, recorder


def _check_watch_options(args: argparse.Namespace) -> None:
    """Refuse ``--log``/``--verbose`` for a solver without a backend log (an unknown name is
    left to the solver lookup's message), and check the output paths before any work."""
    from exactfit.errors import InputError
    from exactfit.solvers import REGISTRY

    flag = "--log" if args.log is not None else "--verbose" if args.verbose else None
    info = REGISTRY.get(args.solver)
    if flag is not None and info is not None and "log" not in info.options:
        raise InputError(
            f"{flag}: solver {args.solver!r} runs no backend and has no log of its own; "
            "use it with --solver scip, ortools or auto"
        )
    if args.trace is not None:
        check_output_path(args.trace, "--trace")
    if args.log is not None:
        check_output_path(args.log, "--log")


@contextlib.contextmanager
def _log_file(path: str | None) -> Iterator[None]:
    """Start the ``--log`` file empty (every sign model's backend appends to it); remove it
    again when the solve fails before writing to it, so bad input leaves no file behind."""
    if path is None:
        yield
        return
    log = Path(path)
    log.write_text("", encoding="utf-8")
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            if log.stat().st_size == 0:
                log.unlink()
        raise


@dataclass
class _Session:
    """The observers of one solve: the trace recorder (written only on ``--trace``) and the
    live display (on a terminal, unless ``--quiet`` or ``--verbose``)."""

    recorder: Any
    display: Any = None
    ended: bool = False

    def done(self, result: Any) -> None:
        """The solve returned: the display's final line names the status."""
        if self.display is not None and not self.ended:
            self.display.end(result.status.value)
        self.ended = True


@contextlib.contextmanager
def _watching(args: argparse.Namespace, recorder: Any) -> Iterator[_Session]:
    """Observe the solve with the trace ``recorder`` and, on a terminal, the live display."""
    from exactfit import progress
    from exactfit.live import LiveDisplay, terminal_stream

    session = _Session(recorder)
    stream = None if args.verbose else terminal_stream(None, args.progress)
    with contextlib.ExitStack() as stack:
        if args.trace is not None:
            stack.enter_context(progress.observing(session.recorder))
        if stream is not None:
            session.display = stack.enter_context(LiveDisplay(stream))
            stack.enter_context(progress.observing(session.display))
            session.display.begin(Path(args.instance).name if args.instance != "-" else "")
        try:
            yield session
        finally:
            if session.display is not None and not session.ended:
                session.display.end("interrupted")


def _check_certificate_request(args: argparse.Namespace, problem: Any) -> None:
    """Refuse ``--certificate`` up front where no certificate can be built."""
    from exactfit.errors import InputError

    if args.certify is False:
        raise InputError("--certificate needs the exact proof; drop --no-certify")


def _write_certificate(result: Any, path: str) -> None:
    from exactfit.certificate import write_certificate

    if result.certificate is None:
        print(
            f"exactfit: no certificate written to {path}: the proof was not completed "
            f"({result.message or result.status.value})",
            file=sys.stderr,
        )
        return
    write_certificate(result.certificate, path)
