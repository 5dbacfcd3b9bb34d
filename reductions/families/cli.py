"""``exactfit generate FAMILY ...`` and ``exactfit family check FAMILY ...``.

The generate kinds are added to :mod:`exactfit.cli.generate` through :func:`add_generate_kinds`
(a ``KIND_PLUGINS`` module); the ``family`` command through :func:`add_commands` (a plugin of
:mod:`exactfit.cli.main`).  Exit codes of ``family check``: 0 every exact check passed, 1 one
failed, 2 bad input.
"""

from __future__ import annotations

import argparse
from typing import Any

from exactfit.cli.args import int_at_least
from exactfit.cli.generate import add_output_options
from reductions.families.registry import FAMILIES, get_family

__all__ = ["EXAMPLES", "add_commands", "add_generate_kinds"]


def _examples() -> str:
    return "".join(f"  {get_family(name).example}\n" for name in FAMILIES)


#: Example lines for ``exactfit generate --help``.
EXAMPLES = _examples()


def add_generate_kinds(kinds: Any) -> None:
    """Add one ``generate`` kind per family."""
    for name in FAMILIES:
        family = get_family(name)
        q = kinds.add_parser(
            name,
            help=family.summary,
            description=family.summary,
            epilog=f"example: {family.example}",
        )
        family.add_generate_arguments(q)
        add_output_options(q, _cmd_generate)


def add_commands(sub: Any) -> None:
    """Register ``family check NAME``."""
    p = sub.add_parser(
        "family",
        help="check the stated properties of a hard family (orthogonality, identities, ...)",
        description="Check, in exact arithmetic where possible, the properties that a hard "
        "family's paper states or that its docs page derives.",
        epilog="examples:\n" + "".join(f"  {get_family(n).check_example}\n" for n in FAMILIES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser("check", help="check one family's properties")
    names = check.add_subparsers(dest="family", metavar="FAMILY")
    names.required = True
    for name in FAMILIES:
        family = get_family(name)
        q = names.add_parser(name, help=family.summary, epilog=f"example: {family.check_example}")
        family.add_check_arguments(q)
        q.add_argument("--seed", type=int_at_least(0), default=0, help="random seed (0)")
        q.set_defaults(handler=_cmd_check)


def _cmd_generate(args: argparse.Namespace) -> int:
    from exactfit.files import check_output_path
    from exactfit.io import write_instance

    check_output_path(args.output, "-o", (".json",))
    problem = get_family(args.kind).generate(args)
    write_instance(problem, args.output)
    if args.output != "-":
        print(f"wrote {args.kind} instance ({problem.describe()}) to {args.output}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    report = get_family(args.family).check(args)
    for line in report.lines():
        print(line, flush=True)
    return 0 if report.passed else 1
