"""The problems and the canonical identity of a source."""

from __future__ import annotations

from reductions.problems import source_hash
from reductions.sources import CNF, Graph


def test_source_hash_is_canonical():
    g1 = Graph(3, ((1, 0), (2, 1)))
    g2 = Graph(3, ((1, 2), (0, 1)), name="renamed")
    assert source_hash(g1) == source_hash(g2)  # names and edge order do not matter
    assert source_hash(g1) != source_hash(Graph(3, ((0, 1),)))
    assert source_hash(CNF(2, ((1, 2),))) != source_hash(CNF(2, ((1, -2),)))
    assert len(source_hash(g1)) == 64
