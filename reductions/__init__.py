"""Reductions from combinatorial problems to ReLU fitting problems, with exact value maps.

``reductions.check(reduction, source) -> CheckReport`` solves both sides exactly and checks the
predicted relation; ``reductions.get_reduction(name, **params)`` builds a registered reduction.
"""

from reductions.base import Chain, Reduction
from reductions.check import CheckReport, check, check_random
from reductions.interval import Interval
from reductions.registry import get_reduction, reduction_names

__all__ = [
    "Chain",
    "CheckReport",
    "Interval",
    "Reduction",
    "check",
    "check_random",
    "get_reduction",
    "reduction_names",
]
