"""``exactfit verify``: re-evaluate a solution exactly against an instance."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
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
    p.add_argument(
        "--certificate",
        metavar="CERT",
        help="check optimality with this certificate (from 'exactfit solve --certificate')",
    )
    p.set_defaults(handler=_cmd_verify)


def _cmd_verify(args: argparse.Namespace) -> int:
    from exactfit.io import read_instance, read_solution
    from exactfit.verify import verify

    problem = read_instance(args.instance, target=args.target)
    solution = read_solution(args.solution)
    certificate = None
    if args.certificate is not None:
        from exactfit.certificate import read_certificate

        certificate = read_certificate(args.certificate)
    verdict = verify(problem, solution, certificate)
    if args.json:
        q = verdict.exact_loss
        print(
            json.dumps(
                {
                    "ok": verdict.ok,
                    "exact_loss": None if q is None else f"{q.numerator}/{q.denominator}",
                    "notes": list(verdict.notes),
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
        for note in verdict.notes:
            print(f"note  {note}")
        print("VERIFIED" if verdict.ok else "REJECTED")
    return 0 if verdict.ok else 1
