"""The registry of reductions: name → (module, factory, one-line description).

:func:`get_reduction` imports a reduction's module only when that reduction is built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from exactfit.errors import InputError, UnknownReduction
from reductions.base import Reduction

__all__ = ["REGISTRY", "UnknownReduction", "get_reduction", "reduction_names"]

#: name -> (module, factory, one-line description)
REGISTRY: dict[str, tuple[str, str, str]] = {
    "maxcut_to_relu": (
        "reductions.maxcut_to_relu",
        "MaxCutToRelu",
        "(weighted) Max-Cut -> one bias-free ReLU; MC = W - ceil((opt - A n)/4)",
    ),
    "dks_to_relu": (
        "reductions.dks_to_relu",
        "DksToRelu",
        "Densest kappa-Subgraph -> one bias-free ReLU; D = m - ceil((opt - A n)/4) (needs --kappa)",
    ),
    "gapmaxcut_to_unit_relu": (
        "reductions.gapmaxcut_to_unit_relu",
        "GapMaxCutToUnitRelu",
        "Gap-Max-Cut -> one bias-free ReLU with ||w|| <= 1 on unit-ball points (two-sided map)",
    ),
    "coloring_to_relus": (
        "reductions.coloring_to_relus",
        "ColoringToRelus",
        "hypergraph k-colouring -> k ReLUs, realizable iff k-colourable (needs --units)",
    ),
    "sat3_to_max2sat": (
        "reductions.sat3_to_max2sat",
        "Sat3ToMax2Sat",
        "Max-3-SAT -> Max-2-SAT (Garey-Johnson-Stockmeyer); OPT2 = 6 m3 + OPT3",
    ),
    "max2sat_to_maxcut": (
        "reductions.max2sat_to_maxcut",
        "Max2SatToMaxCut",
        "Max-2-SAT -> weighted Max-Cut; MC = sum M_x + 2 OPT2",
    ),
    "weightedmaxcut_to_maxcut": (
        "reductions.weightedmaxcut_to_maxcut",
        "WeightedMaxCutToMaxCut",
        "weighted Max-Cut -> unweighted Max-Cut (length-3 paths); MC' = MC + 2(W - m)",
    ),
    "sat3_to_relu": (
        "reductions.sat3_to_relu",
        "sat3_to_relu",
        "chain Max-3-SAT -> Max-2-SAT -> weighted Max-Cut -> one ReLU",
    ),
    "sat3_to_unit_relu": (
        "reductions.sat3_to_unit_relu",
        "sat3_to_unit_relu",
        "Gap-ETH chain Max-3-SAT -> Max-2-SAT -> Max-Cut -> unweighted Max-Cut -> unit-ball ReLU",
    ),
}


def reduction_names() -> list[str]:
    """The registered names, sorted."""
    return sorted(REGISTRY)


def get_reduction(name: str, **params: Any) -> Reduction:
    """Build the reduction registered as ``name`` with its parameters (e.g. ``kappa=3``)."""
    if name not in REGISTRY:
        raise UnknownReduction(
            f"unknown reduction {name!r}; expected one of {', '.join(reduction_names())}"
        )
    module, factory, _ = REGISTRY[name]
    fn: Callable[..., Reduction] = getattr(importlib.import_module(module), factory)
    try:
        return fn(**params)
    except TypeError as exc:
        raise InputError(f"reduction {name!r}: bad parameters {sorted(params)}: {exc}") from None
