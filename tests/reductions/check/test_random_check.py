"""Karp-style random checking: each reduction's seeded sampler, pinned bit for bit."""

from __future__ import annotations

import hashlib
import json

import pytest

from exactfit.errors import InputError
from reductions.base import Chain
from reductions.check import random_source
from reductions.problems import source_json
from reductions.registry import get_reduction

#: sha256 of the first 200 sources (canonical JSON and name) of every sampler, recorded before
#: the samplers moved from the checker into the reductions: a change here renames every seeded
#: source, and saved counterexamples and test ids name their sources by seed.
PINNED = [
    ("maxcut_to_relu", {}, "e381c5cdc10bb6deba2244df0d79049ff52ddb87acff72a3b22579343af126ef"),
    (
        "dks_to_relu",
        {"kappa": 2},
        "9fe9a261c18e77e475ba176246374f3995dbf03a27a1a1fe92d8afa000617644",
    ),
    (
        "dks_to_relu",
        {"kappa": 3},
        "00ce4c25e3ff2baed109496e9fa63dc9e7a932b8aad3c2f8fe1d5650e945d9c4",
    ),
    (
        "gapmaxcut_to_unit_relu",
        {},
        "9fe9a261c18e77e475ba176246374f3995dbf03a27a1a1fe92d8afa000617644",
    ),
    (
        "coloring_to_relus",
        {"units": 2},
        "8f94215ea9aa346cf0b70b456797c7d8586a2c1c515ca5abd218df097f693e57",
    ),
    ("sat3_to_max2sat", {}, "7d4af49bd3de4d844e886ced873d7ff462641f8074edb2204c7ab47da41e6a12"),
    ("max2sat_to_maxcut", {}, "f49399708b419e0aefaeecfde5aa0c4cf72ebb4f7b40e41b4495a70fad2d685e"),
    ("sat3_to_relu", {}, "e146d93e1475a5cbd6ec5917602dab9227e7804e82a03a0c9dc9d08f35f7c669"),
]


IDS = [f"{name}{params}" for name, params, _ in PINNED]


@pytest.mark.parametrize(("name", "params", "digest"), PINNED, ids=IDS)
def test_random_sources_are_pinned(name, params, digest):
    red = get_reduction(name, **params)
    sources = [random_source(red, seed) for seed in range(200)]
    assert sources == [red.random_source(seed) for seed in range(200)]
    text = json.dumps([[source_json(s), s.name] for s in sources])
    assert hashlib.sha256(text.encode()).hexdigest() == digest


def test_a_reduction_without_a_sampler_is_refused():
    chain = Chain("unsampled", [get_reduction("sat3_to_max2sat")])
    with pytest.raises(InputError, match="no random source sampler for reduction 'unsampled'"):
        random_source(chain, 0)
