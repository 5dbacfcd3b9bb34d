"""The registry: names, building with parameters, refusals."""

from __future__ import annotations

import pytest

from exactfit.errors import InputError
from reductions.registry import UnknownReduction, get_reduction, reduction_names


def test_registry():
    assert reduction_names() == sorted(
        [
            "coloring_to_relus",
            "dks_to_relu",
            "gapmaxcut_to_unit_relu",
            "max2sat_to_maxcut",
            "maxcut_to_relu",
            "sat3_to_max2sat",
            "sat3_to_relu",
            "sat3_to_unit_relu",
            "weightedmaxcut_to_maxcut",
        ]
    )
    for name in reduction_names():
        params = {"kappa": 2} if name == "dks_to_relu" else {}
        params = {"units": 2} if name == "coloring_to_relus" else params
        assert get_reduction(name, **params).name == name
    with pytest.raises(UnknownReduction, match="expected one of"):
        get_reduction("maxcut_to_relus")
    with pytest.raises(InputError, match="bad parameters"):
        get_reduction("maxcut_to_relu", kappa=3)
    with pytest.raises(InputError, match="kappa"):
        get_reduction("dks_to_relu")
