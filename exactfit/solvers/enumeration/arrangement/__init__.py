"""Chamber enumeration of central hyperplane arrangements (see :mod:`.generic`)."""

from exactfit.solvers.enumeration.arrangement.generic import (
    GenericEnumerator,
    Hyperplanes,
    NotGeneric,
    cover_count,
    exact_chambers,
    hyperplanes,
)

__all__ = [
    "GenericEnumerator",
    "Hyperplanes",
    "NotGeneric",
    "cover_count",
    "exact_chambers",
    "hyperplanes",
]
