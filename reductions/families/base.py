"""The protocol every hard family implements, and the typed report of its checks.

A family contributes one ``exactfit generate NAME`` kind (arguments and a generator returning a
:class:`~exactfit.problem.FitProblem` whose ``meta`` holds the planted object) and one
``exactfit family check NAME`` (arguments and a list of :class:`Finding`).
"""

from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from dataclasses import dataclass

from exactfit.errors import InvalidInstance
from exactfit.problem import FitProblem

__all__ = ["Family", "Finding", "Report"]


@dataclass(frozen=True)
class Finding:
    """One checked property.

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"reflection identity"``.
    passed : bool or None
        ``True`` / ``False`` for an exact check; ``None`` for a measurement that has no
        pass/fail (a Monte Carlo estimate, a table row).
    detail : str
        The figures behind the verdict, one line.
    exact : bool
        Whether the verdict was reached in exact arithmetic (rationals, integers) rather than
        by simulation or high-precision floats.
    """

    name: str
    passed: bool | None
    detail: str
    exact: bool = True

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidInstance("finding: expected a name, found an empty string")
        if self.passed is not None and not isinstance(self.passed, bool):
            raise InvalidInstance(f"finding {self.name}: passed must be a bool or None")


@dataclass(frozen=True)
class Report:
    """The findings of one ``family check`` run.

    It passes when no finding failed: an exact check that fails and a high-precision one that
    fails (e.g. two 30-digit evaluations of a closed form disagreeing) both fail the report;
    measurements (``passed is None``) never do.
    """

    family: str
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return all(f.passed is not False for f in self.findings)

    def lines(self) -> list[str]:
        out = []
        for f in self.findings:
            mark = {True: "PASS", False: "FAIL", None: "info"}[f.passed]
            how = "exact" if f.exact else "estimate"
            out.append(f"{mark:4s}  {f.name} [{how}]: {f.detail}")
        out.append(f"{self.family}: {'PASS' if self.passed else 'FAIL'}")
        return out


class Family(ABC):
    """A hard family: a generator of instances and a check of its properties."""

    #: ``generate`` kind and ``family check`` name.
    name: str
    #: One line for ``--help``.
    summary: str
    #: An example command line for ``--help``.
    example: str
    #: Example of the check command for ``--help``.
    check_example: str

    @abstractmethod
    def add_generate_arguments(self, q: argparse.ArgumentParser) -> None:
        """Add this kind's arguments (``--seed`` and ``-o`` are added by the caller)."""

    @abstractmethod
    def generate(self, args: argparse.Namespace) -> FitProblem:
        """The instance for parsed arguments; raise ``InputError`` for bad values."""

    @abstractmethod
    def add_check_arguments(self, q: argparse.ArgumentParser) -> None:
        """Add the arguments of ``family check NAME`` (``--seed`` is added by the caller)."""

    @abstractmethod
    def check(self, args: argparse.Namespace) -> Report:
        """Check the family's properties for parsed arguments."""
