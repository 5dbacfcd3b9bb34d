"""Errors that mean "the user's input is wrong": the CLI prints their one-line message and
exits with code 2.  Anything else escaping a command is a bug and keeps its traceback."""

from __future__ import annotations

__all__ = ["BudgetExceeded", "InputError"]


class InputError(ValueError):
    """Bad input or usage: one line naming what was expected, what was found and the fix."""


class BudgetExceeded(InputError):
    """A solver refuses an instance whose estimated work exceeds the budget it was given."""
