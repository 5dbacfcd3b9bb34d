"""The enumeration solver ``enum`` (see :mod:`exactfit.solvers.enumeration.search`)."""

from exactfit.solvers.enumeration.search import (
    DEFAULT_MAX_CELLS,
    PRUNE_MARGIN,
    EnumSolver,
    ShardResult,
    merge_shards,
    problem_spec,
    solve_shard,
)

__all__ = [
    "DEFAULT_MAX_CELLS",
    "PRUNE_MARGIN",
    "EnumSolver",
    "ShardResult",
    "merge_shards",
    "problem_spec",
    "solve_shard",
]
