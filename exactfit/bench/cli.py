"""``exactfit bench``: run solvers over instance sets, check and tabulate the results.

Two actions, each an argparse sub-parser with its own ``--help``::

    exactfit bench [run] PATHS... [--solvers ...] [--time-limit S] [-j N] [-o FILE]
                   [--resume] [--quick] [--scheduler ADDRESS [--scheduler-timeout S]]
                   [--shards M] [--skip-invalid] [--verbose | --log FILE]
                   [--solu FILE] [--plot PNG]
    exactfit bench report RESULTS.jsonl... [--solu FILE] [--plot PNG]

A first word ``report`` means the report action and ``run`` the run action; anything else is a
path to benchmark (the implicit ``run``, inserted by :class:`_BenchParser`).  To benchmark a
folder literally named ``report`` or ``run``, write ``exactfit bench run report`` or
``exactfit bench ./report``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from exactfit.cli.args import OneLineParser
from exactfit.errors import InputError
from exactfit.files import check_output_path
from exactfit.numbers import short
from exactfit.plot import PLOT_SUFFIXES, check_plot_path

__all__ = ["PLOT_SUFFIXES", "SCHEDULER_TIMEOUT_S", "add_commands", "connect", "parse_solvers"]

DEFAULT_SOLVERS = "enum,scip,ortools"
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_OUTPUT = "results.jsonl"
#: Seconds to wait for a Dask scheduler before giving up (its default is 30 s of silence);
#: ``--scheduler-timeout`` changes it (up to an hour).
SCHEDULER_TIMEOUT_S = 10.0
#: A scheduler address: ``[tcp|tls|ws|wss|ucx]://HOST:PORT`` or ``HOST:PORT``.
_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$"
)

_EPILOG = """\
examples:
  exactfit bench instances/ --quick --time-limit 10 -o quick.jsonl
  exactfit bench instances/fit --solvers enum,scip,ortools --time-limit 60 -j 2 -o full.jsonl
  exactfit bench instances/ -o full.jsonl --resume            (continue an interrupted run)
  exactfit bench instances/ --scheduler tcp://10.0.0.5:8786 -o full.jsonl   (Dask cluster)
  exactfit bench instances/fit/big.json --solvers enum --shards 8 -j 2 -o big.jsonl
  exactfit bench report full.jsonl --plot profile.png

The first word 'report' selects the report action and 'run' the run action (the default);
write ./report to benchmark a folder named report.  Exit code 1 when a run is WRONG.
"""


class _BenchParser(OneLineParser):
    """The ``bench`` parser: a first word other than ``run``, ``report`` or help means ``run``.

    ``exactfit bench PATHS...`` predates the sub-commands; inserting the implicit ``run``
    keeps it working while ``run`` and ``report`` get their own parsers (and ``--help``).
    """

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        if words and words[0] not in (*_ACTIONS, "-h", "--help"):
            words.insert(0, "run")
        return super().parse_known_args(words, namespace)


_ACTIONS = ("run", "report")


def _add_run(actions: Any, hidden: bool = False) -> Any:
    """The ``run`` parser; with ``hidden``, only its options (for ``report`` to refuse)."""
    from exactfit.cli import number_arg, positive_float, positive_int

    if hidden:
        p, group = actions, actions
    else:
        p = actions.add_parser(
            "run",
            help="run solvers on instances (the default action)",
            description="Run every solver on every instance, appending one JSON line per run;\n"
            "check the results against index.solu and across solvers; print the table.",
            epilog=_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("paths", nargs="+", metavar="PATH", help="instance files or folders")
        group = p.add_argument_group("run options")

    def add(*flags: str, **kw: Any) -> None:
        group.add_argument(*flags, **({**kw, "help": argparse.SUPPRESS} if hidden else kw))

    add("--solvers", metavar="LIST", help=f"comma-separated (default {DEFAULT_SOLVERS})")
    add(
        "--time-limit",
        type=positive_float,
        metavar="S",
        help=f"seconds per run (default {DEFAULT_TIME_LIMIT:g})",
    )
    add("-j", "--jobs", type=positive_int, metavar="N", help="local worker processes")
    add("-o", "--output", metavar="FILE", help=f"JSONL results file (default {DEFAULT_OUTPUT})")
    add("--resume", action="store_true", help="continue FILE, skipping done runs")
    add("--quick", action="store_true", help="only the instances listed in the library's quick.txt")
    add("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (dask.distributed address)")
    add(
        "--shards",
        type=positive_int,
        metavar="M",
        help="split each enum run's cells into M shards over the same workers",
    )
    add(
        "--skip-invalid",
        action="store_true",
        help="run the valid instances and skip invalid ones (default: refuse to start)",
    )
    add(
        "--scheduler-timeout",
        type=number_arg(float, minimum=0, strict=True, maximum=3600, what="seconds"),
        metavar="S",
        help=f"seconds to wait for the --scheduler to answer (default {SCHEDULER_TIMEOUT_S:g})",
    )
    logs = group if hidden else group.add_mutually_exclusive_group()

    def add_log(*flags: str, **kw: Any) -> None:
        logs.add_argument(*flags, **({**kw, "help": argparse.SUPPRESS} if hidden else kw))

    add_log(
        "--verbose",
        action="store_true",
        help="(scip, ortools) print each run's backend log on stderr when the run ends",
    )
    add_log(
        "--log",
        metavar="FILE",
        help="(scip, ortools) write each run's backend log to FILE, under a header line per run",
    )
    return p


def _add_shared(p: Any) -> None:
    p.add_argument(
        "--solu",
        metavar="FILE",
        help="answers file (default: the index.solu beside the instances, if any)",
    )
    p.add_argument(
        "--plot",
        metavar="FILE",
        help="write the performance profile and, beside it, the cactus plot as one "
        "two-panel figure (.png, .svg or .pdf)",
    )


def add_commands(sub: Any) -> None:
    """Register ``bench`` (actions ``run`` and ``report``) on the ``exactfit`` parser."""
    p = sub.add_parser(
        "bench",
        help="compare solvers on instance sets (run, check, table, performance profile)",
        description="Compare solvers: 'run' (the default: 'exactfit bench PATHS...') runs them\n"
        "and tabulates; 'report' re-tabulates saved results.  'exactfit bench run --help'\n"
        "and 'exactfit bench report --help' list each action's options.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # sub.add_parser builds the main parser's class; bench needs the implicit 'run'
    p.__class__ = _BenchParser
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=OneLineParser)
    actions.required = True
    run = _add_run(actions)
    _add_shared(run)
    run.set_defaults(handler=_cmd_run)
    report = actions.add_parser(
        "report",
        help="re-tabulate saved results (and draw the profile and cactus plot)",
        description="Check saved results (JSONL; of several files, later ones win) against\n"
        "index.solu and each other, print the comparison table, and with --plot draw the\n"
        "performance profile and the cactus plot.",
        epilog="example: exactfit bench report full.jsonl --plot profile.png\n"
        "Exit code 1 when a run is WRONG.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("files", nargs="+", metavar="RESULTS", help="results files (JSONL)")
    _add_shared(report)
    # the run options, hidden, so that a misplaced one gets a message naming it
    _add_run(report, hidden=True)
    report.set_defaults(handler=_cmd_report)


def _cmd_run(args: argparse.Namespace) -> int:
    return _run(args, list(args.paths))


def _cmd_report(args: argparse.Namespace) -> int:
    return _report(args, list(args.files))


def _solu_for(paths: list[str], explicit: str | None) -> tuple[dict[str, Any], list[str]]:
    from exactfit.bench.solu import SOLU_NAME, find_library_file, read_solu

    if explicit is not None:
        return read_solu(explicit), [explicit]
    found: dict[str, Any] = {}
    used: list[str] = []
    for path in paths:
        f = find_library_file(path, SOLU_NAME) if Path(path).exists() else None
        if f is not None and str(f) not in used:
            used.append(str(f))
            for name, entry in read_solu(f).items():
                found.setdefault(name, entry)
    return found, used


def _require(module: str, option: str) -> None:
    """Fail before any work if ``option`` needs a package that is not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise InputError(
            f"{option} needs the package {module!r}; install the bench extra: "
            "pip install -e '.[bench]'"
        )


def parse_solvers(text: str | None) -> list[str]:
    """The solver names of ``--solvers`` (default :data:`DEFAULT_SOLVERS`), each registered
    and none twice."""
    from exactfit.solvers import REGISTRY

    known = ", ".join(sorted(REGISTRY))
    solvers = [s.strip() for s in (DEFAULT_SOLVERS if text is None else text).split(",")]
    if not any(solvers):
        raise InputError(
            f"--solvers: expected a comma-separated list from {known}, found {short(text)}"
        )
    for s in solvers:
        if s not in REGISTRY:
            raise InputError(f"--solvers: unknown solver {short(s)}; expected names from {known}")
    if len(set(solvers)) != len(solvers):
        raise InputError(f"--solvers: {','.join(solvers)} names a solver twice")
    return solvers


def _check_plot(plot: str | None) -> None:
    if plot:
        check_plot_path(plot, "--plot")
        _require("matplotlib", "--plot")


def connect(address: str, timeout: float | None = None) -> Any:
    """A ``dask.distributed.Client`` for ``address``, or a one-line :class:`InputError`
    (malformed address, or no scheduler answering within ``timeout`` seconds)."""
    if not _ADDRESS.match(address):
        raise InputError(
            "--scheduler: expected an address like tcp://HOST:PORT or HOST:PORT, found "
            f"{short(address)}"
        )
    _require("distributed", "--scheduler")
    from dask.distributed import Client

    wait = SCHEDULER_TIMEOUT_S if timeout is None else timeout
    try:
        return Client(address, timeout=f"{wait}s")
    # whatever the connection raises (OSError on a timeout, garbage from a non-Dask peer)
    except Exception as exc:
        raise InputError(
            f"--scheduler: no Dask scheduler answered at {address} within {wait:g} s "
            f"({type(exc).__name__}: {str(exc)[:120]}); start one or check the address"
        ) from None


def _valid_instances(instances: list[Any], skip: bool) -> list[Any]:
    """``instances`` without the invalid ones (``skip``), or an error listing them."""
    from exactfit.bench.jobs import invalid_instances

    bad = invalid_instances(instances)
    if not bad:
        return instances
    names = ", ".join(inst.path for inst, _ in bad[:10]) + (", ..." if len(bad) > 10 else "")
    if not skip:
        raise InputError(
            f"{len(bad)} invalid instance{'s' if len(bad) > 1 else ''}: {names} (first: "
            f"{bad[0][1]}); fix them, or pass --skip-invalid to run the others"
        )
    print(f"exactfit bench: skipped {len(bad)} invalid: {names}", file=sys.stderr)
    keep = [inst for inst in instances if inst not in {i for i, _ in bad}]
    if not keep:
        raise InputError("every instance is invalid; nothing to run")
    return keep


def _run(args: argparse.Namespace, paths: list[str]) -> int:
    from exactfit.bench.logs import backend_logs
    from exactfit.bench.runner import discover, live_display, run_benchmark
    from exactfit.cli import stdout_to_stderr

    if not paths:
        raise InputError("expected instance files or folders after 'run'")
    solvers = parse_solvers(args.solvers)
    if args.jobs is not None and args.scheduler is not None:
        raise InputError("--jobs and --scheduler exclude each other: the cluster sets parallelism")
    if args.scheduler_timeout is not None and args.scheduler is None:
        raise InputError("--scheduler-timeout needs --scheduler ADDRESS")
    output = args.output or DEFAULT_OUTPUT
    check_output_path(output, "-o")
    if args.log is not None:
        check_output_path(args.log, "--log")
    _check_plot(args.plot)
    instances = _valid_instances(discover(paths, quick=args.quick), args.skip_invalid)
    solu, solu_files = _solu_for(paths, args.solu)
    client = connect(args.scheduler, args.scheduler_timeout) if args.scheduler else None
    try:
        with stdout_to_stderr(), live_display() as hooks, backend_logs(args) as sink:
            records = run_benchmark(
                instances,
                solvers,
                time_limit=args.time_limit or DEFAULT_TIME_LIMIT,
                output=output,
                jobs=args.jobs or 1,
                resume=args.resume,
                client=client,
                shards=args.shards or 1,
                backend_log=sink,
                **hooks,
            )
    finally:
        if client is not None:
            client.close()
    names = {inst.name for inst in instances}
    records = [r for r in records if r["instance"] in names and r["solver"] in solvers]
    return _summarise(
        records, solu, f"results: {output}; answers: {', '.join(solu_files) or 'none'}", args.plot
    )


def _report(args: argparse.Namespace, files: list[str]) -> int:
    from exactfit.bench.results import load_records

    if not files:
        raise InputError("report: expected one or more results files (JSONL) after 'report'")
    given = [
        opt
        for opt, value in (
            ("--solvers", args.solvers),
            ("--time-limit", args.time_limit),
            ("--jobs", args.jobs),
            ("-o", args.output),
            ("--resume", args.resume or None),
            ("--quick", args.quick or None),
            ("--scheduler", args.scheduler),
            ("--shards", args.shards),
            ("--skip-invalid", args.skip_invalid or None),
            ("--scheduler-timeout", args.scheduler_timeout),
            ("--verbose", args.verbose or None),
            ("--log", args.log),
        )
        if value is not None
    ]
    if given:
        raise InputError(
            f"{given[0]} is a run option; 'report' takes only --solu and --plot "
            "(to benchmark a folder named 'report', write ./report)"
        )
    _check_plot(args.plot)
    records = []
    for f in files:
        records.extend(load_records(f))
    if not records:
        raise InputError(f"report: {', '.join(files)} holds no runs")
    paths = sorted({str(Path(r["path"]).parent) for r in records if r.get("path")})
    solu, solu_files = _solu_for(paths, args.solu)
    return _summarise(records, solu, f"answers: {', '.join(solu_files) or 'none'}", args.plot)


def _summarise(records: list[dict[str, Any]], solu: Any, where: str, plot: str | None) -> int:
    """Print the table (and draw the profile); exit 1 when a run is WRONG."""
    from exactfit.bench.report import format_summary, plot_profile, summarize

    summary = summarize(records, solu)
    print(format_summary(summary))
    print(where)
    if plot:
        plot_profile(records, plot, solu)
        print(f"performance profile and cactus plot: {plot}")
    return 1 if summary.wrongs else 0
