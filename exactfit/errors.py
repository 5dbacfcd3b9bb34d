"""Every exception exactfit raises on purpose, under one root.

``ExactfitError`` is the root.  Its two families:

* :class:`InputError` — the user's input or usage is wrong.  The CLI prints the one-line
  message and exits with code 2.  It also subclasses ``ValueError``, so Python callers that
  catch ``ValueError`` around construction keep working.
* :class:`SolverFailed` — a backend failed in a way no input change explains.  Solvers turn
  it into an ERROR result with the raw message kept; the CLI reports it with exit code 1.

Anything else escaping a command is a bug and keeps its traceback.  Internal control-flow
signals (a deadline reached inside a long exact phase) derive from :class:`LimitReached`, so a
stray one is still recognisably exactfit's.
"""

from __future__ import annotations

__all__ = [
    "BudgetExceeded",
    "ExactfitError",
    "InputError",
    "InvalidInstance",
    "InvalidSolu",
    "InvalidSolution",
    "InvalidSource",
    "LimitReached",
    "MathOptUnsupported",
    "SolverFailed",
    "UnknownReduction",
    "UnknownSolver",
    "UnsoundReduction",
]


class ExactfitError(Exception):
    """Root of every exception exactfit raises deliberately."""


class InputError(ExactfitError, ValueError):
    """Bad input or usage: one line naming what was expected, what was found and the fix."""


class SolverFailed(ExactfitError):
    """A backend failed (its raw message is the exception's text)."""


class LimitReached(ExactfitError):
    """Raised inside a long exact phase when its deadline has passed (caught by the solver,
    which reports FEASIBLE with limit TIME; never reaches a user)."""


# ---------------------------------------------------------------------------- input errors
class InvalidInstance(InputError):
    """Data do not describe a valid fitting problem or network."""


class BudgetExceeded(InputError):
    """A solver refuses an instance whose estimated work exceeds the budget it was given."""


class UnknownSolver(InputError):
    """A solver name that is not registered, or whose backend is not installed."""


class MathOptUnsupported(InputError):
    """The chosen MathOpt backend cannot take the model (MathOpt's reason in the message)."""


class InvalidSolu(InputError):
    """A malformed ``.solu`` or ``quick.txt`` line (the message names file and line)."""


class UnknownReduction(InputError):
    """A reduction name that is not registered."""


class UnsoundReduction(InputError):
    """A reduction asked for a network class in which it is unsound."""


class InvalidSolution(InputError):
    """A source solution that does not have the shape its problem expects."""


class InvalidSource(InputError):
    """Data that do not describe a valid source instance (graph, CNF, hypergraph)."""


class InvalidCertificate(InputError):
    """A certificate file is malformed (not a certificate of the documented format)."""
