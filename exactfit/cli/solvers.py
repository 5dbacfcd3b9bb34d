"""``exactfit solvers``: what is registered and whether it works on this machine."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "solvers",
        help="list the registered solvers and whether they work here",
        epilog="example: exactfit solvers",
    )
    p.set_defaults(handler=_cmd_solvers)


def _cmd_solvers(args: argparse.Namespace) -> int:
    from exactfit.solvers import REGISTRY, available

    status = available()
    for name, info in REGISTRY.items():
        why = status[name]
        state = "available" if why is None else "unavailable"
        print(f"{name:<8} {state:<12} {info.description}")
        if why is not None:
            print(f"{'':<8} {why}")
    return 0
