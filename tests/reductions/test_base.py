"""The protocol pieces: chains, declared sizes, the package's exports."""

from __future__ import annotations

import pytest

from exactfit.errors import InputError
from reductions.base import Chain
from reductions.registry import get_reduction
from reductions.sources import CNF, Graph


def test_chain_refuses_mismatched_steps():
    with pytest.raises(InputError, match="produces relu-fit but"):
        Chain("bad", [get_reduction("maxcut_to_relu"), get_reduction("max2sat_to_maxcut")])


def test_chain_composes_value_maps():
    chain = get_reduction("sat3_to_relu")
    f = CNF(3, ((1, 2, 3), (-1, 2)))
    _, trace = chain.forward(f)
    t1, t2, t3 = trace.traces
    for v in range(3):
        mc = t2.sum_M + 2 * (6 * t1.w3 + v)
        assert chain.predicted(trace, v) == get_reduction("maxcut_to_relu").predicted(t3, mc)
        lifted = chain.lifted_value(trace, v)
        assert lifted == t3.A * t3.n + 4 * (t3.W - mc)
        assert chain.source_value(trace, lifted) == v


def test_size_declarations():
    g = Graph(4, ((0, 1), (1, 2), (2, 3)))
    assert get_reduction("maxcut_to_relu").size(g) == (14, 4)
    assert get_reduction("dks_to_relu", kappa=2).size(g) == (13, 4)
    assert get_reduction("gapmaxcut_to_unit_relu").size(g) == (14, 4)
    assert get_reduction("coloring_to_relus", units=2).size(g) == (8, 4)
    f = CNF(3, ((1, 2, 3), (1, -2)))
    assert get_reduction("sat3_to_max2sat").size(f) == (4, 11)
    for name, src in [("maxcut_to_relu", g), ("sat3_to_max2sat", f), ("sat3_to_relu", f)]:
        red = get_reduction(name)
        target, _ = red.forward(src)
        shape = (target.n, target.d) if hasattr(target, "d") else (target.num_vars, target.m)
        assert red.size(src) == shape


def test_package_exports_check():
    import reductions

    report = reductions.check("sat3_to_max2sat", CNF(3, ((1, 2, 3), (-1, -2, -3))))
    assert isinstance(report, reductions.CheckReport)
    assert report.passed, report.text()
    assert (report.source_value, report.target.exact) == (2, 14)


def test_names_that_moved_out_of_base_still_import_from_it():
    import reductions.base as base
    from exactfit import errors
    from reductions import interval, problems, registry

    for name, home in (
        ("Interval", interval),
        ("sqrt_lo", interval),
        ("FIT", problems),
        ("MaxCutProblem", problems),
        ("source_hash", problems),
        ("get_reduction", registry),
        ("REGISTRY", registry),
        ("UnknownReduction", errors),
    ):
        assert getattr(base, name) is getattr(home, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        base.nothing_here  # noqa: B018
