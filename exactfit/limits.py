"""The size caps every reader and generator checks *before* it allocates anything.

One table, so that the documented limits (``docs/formats.md``) and the code agree.  Each cap
is far above what any exact solver here can finish (the problems are NP-hard and the solvers
exponential in the units and the dimension), and far below what would exhaust memory or hang
a machine; the point is that a typo such as ``"units": 1000000000`` gets a one-line answer
instead of an allocation that never ends.
"""

from __future__ import annotations

from exactfit.errors import InputError

__all__ = [
    "MAX_CHECK_DRAWS",
    "MAX_DIGITS",
    "MAX_ENTRIES",
    "MAX_EXPONENT",
    "MAX_EXTRA_NUMBERS",
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "MAX_NET_ACTIVATIONS",
    "MAX_NET_NETWORKS",
    "MAX_NET_POINTS",
    "MAX_SOURCE_ITEMS",
    "MAX_SOURCE_VERTICES",
    "MAX_UNITS",
    "check_cap",
]

#: Hidden units of a network class.  Exact fitting is exponential in k; no solver proves
#: anything near 64 units, and above it the sign models alone (k + 1 of them) explode.
MAX_UNITS = 64
#: Numbers in one fitting instance, n·(d + 2) (features, label, weight): a 10⁶-number
#: instance is ~10 MB of JSON and ~200 MB of exact Fractions.
MAX_ENTRIES = 10**6
#: Numbers in one instance document beyond its data's n·(d + 2): units, signs, the weight
#: bound and whatever ``meta`` holds.  Counted while the JSON is parsed, so that a document
#: far over :data:`MAX_ENTRIES` stops before its numbers are all allocated.
MAX_EXTRA_NUMBERS = 10_000
#: Values in one JSON document, bounded on the raw text before parsing by its commas + 1 (
#: commas inside strings count too, so this is an upper estimate): twice the largest
#: instance's numbers, so that no valid instance comes near it.
MAX_JSON_VALUES = 2 * MAX_ENTRIES
#: Bytes of one input file (instance, solution, source, results file).
MAX_INPUT_BYTES = 64 * 2**20
#: Nesting depth of a JSON document (an instance needs 3; ``meta`` may nest a little).
MAX_JSON_DEPTH = 64
#: Decimal digits of one integer, numerator or denominator (Python refuses to convert more
#: than 4300 digits between text and int; staying below keeps every later ``str`` working).
MAX_DIGITS = 1000
#: Magnitude of the decimal exponent in a number like ``1e-30`` (``Fraction`` would build
#: ``10**exponent`` exactly, so ``1e999999999`` must be refused before it is parsed).
MAX_EXPONENT = 1000
#: Points of the ``net`` solver's ε-net of one unit's weight ball (docs/solvers/net.md): the net
#: is built in memory, m coordinates per point.
MAX_NET_POINTS = 10**6
#: Activation values the ``net`` solver keeps, n·N (samples times net points): 160 MB of floats.
MAX_NET_ACTIVATIONS = 2 * 10**7
#: Candidate networks (k-multisets of net points, per output-sign vector) the ``net`` solver
#: evaluates; each costs O(n) flops, so 10⁸ is about a minute.
MAX_NET_NETWORKS = 10**8
#: Random numbers a ``family check`` holds at once for a Monte Carlo estimate (draws times
#: dimension or width): 160 MB of floats.
MAX_CHECK_DRAWS = 2 * 10**7
#: Vertices of a graph or hypergraph, variables of a CNF.
MAX_SOURCE_VERTICES = 10**5
#: Edges, hyperedges or clauses of a source.
MAX_SOURCE_ITEMS = 10**6


def check_cap(value: int, cap: int, what: str, fix: str) -> None:
    """Refuse ``value > cap`` with one line naming the cap, the value and ``fix``.

    Parameters
    ----------
    value, cap : int
        What was asked for and the largest accepted value.
    what : str
        What is counted ("units", "vertices in the header", ...), with its location.
    fix : str
        How to get under the cap.

    Raises
    ------
    InputError
        ``value`` exceeds ``cap``.
    """
    if value > cap:
        raise InputError(f"{what}: expected at most {cap:,}, found {value:,}; {fix}")
