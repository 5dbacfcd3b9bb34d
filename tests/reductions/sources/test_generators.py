"""Generators: determinism, structure of the named graphs, planted and random 3-CNF, fit data."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest

from exactfit.errors import InputError
from reductions.sources import generators as gen
from reductions.sources.io import read_dimacs_cnf, write_dimacs_cnf
from reductions.sources.solvers import max_sat
from reductions.sources.types import Graph, Hypergraph


@pytest.mark.parametrize(
    "make",
    [
        lambda s: gen.gnp(15, 0.4, s),
        lambda s: gen.random_weighted_graph(12, 0.5, 9, s),
        lambda s: gen.random_hypergraph(10, 20, 3, s),
        lambda s: gen.planted_3sat(10, 30, s),
        lambda s: gen.random_3sat(10, 30, s),
    ],
)
def test_seeded_and_deterministic(make):
    a, b, c = make(1), make(1), make(2)
    assert a == b and a.name == b.name
    assert a != c  # a different seed gives a different instance (checked for these parameters)


def test_gnp_extremes():
    assert gen.gnp(6, 0.0, 1).m == 0
    assert gen.gnp(6, 1.0, 1).m == 15


def test_weighted_graph_weights_in_range():
    g = gen.random_weighted_graph(20, 0.5, 4, 3)
    assert g.weighted and set(g.weights) <= {1, 2, 3, 4} and len(set(g.weights)) == 4


@pytest.mark.parametrize(("n", "m", "r"), [(8, 10, 3), (6, 18, 3), (5, 10, 2), (7, 35, 4)])
def test_random_hypergraph(n, m, r):
    h = gen.random_hypergraph(n, m, r, 5)
    assert h.n == n and len(h.edges) == m == len(set(h.edges))
    assert all(len(e) == r for e in h.edges)


def test_petersen():
    g = gen.petersen()
    assert nx.is_isomorphic(g.to_networkx(), nx.petersen_graph())
    assert set(g.degrees()) == {3} and g.m == 15


@pytest.mark.parametrize(("n", "k"), [(5, 2), (6, 3), (7, 2), (4, 1)])
def test_johnson(n, k):
    g = gen.johnson(n, k)
    assert g.n == math.comb(n, k)
    assert set(g.degrees()) == {k * (n - k)}
    clique = max(len(c) for c in nx.find_cliques(g.to_networkx()))
    assert clique == max(k + 1, n - k + 1)


def test_johnson_5_2_is_the_complement_of_petersen():
    assert nx.is_isomorphic(gen.johnson(5, 2).to_networkx(), nx.complement(nx.petersen_graph()))


@pytest.mark.parametrize(("d", "q"), [(3, 2), (2, 3), (2, 4), (3, 3)])
def test_hamming(d, q):
    g = gen.hamming(d, q)
    assert g.n == q**d
    assert set(g.degrees()) == {d * (q - 1)}
    assert max(len(c) for c in nx.find_cliques(g.to_networkx())) == q


def test_hamming_3_2_is_the_cube():
    assert nx.is_isomorphic(gen.hamming(3, 2).to_networkx(), nx.hypercube_graph(3))


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
def test_mycielski(k):
    g = gen.mycielski(k)
    assert nx.is_isomorphic(g.to_networkx(), nx.mycielski_graph(k))
    assert g.n == (3 * 2 ** (k - 2) - 1 if k >= 2 else 1)
    assert sum(nx.triangles(g.to_networkx()).values()) == 0


def test_fano_is_a_projective_plane():
    h = gen.fano()
    assert h.n == 7 and len(h.edges) == 7 and all(len(e) == 3 for e in h.edges)
    for pair in itertools.combinations(range(7), 2):
        assert sum(set(pair) <= set(e) for e in h.edges) == 1
    for v in range(7):
        assert sum(v in e for e in h.edges) == 3


def test_karate_and_social():
    g = gen.karate()
    assert (g.n, g.m, g.weighted) == (34, 78, False)
    assert (gen.named_graph("florentine").n, gen.named_graph("florentine").m) == (15, 20)
    assert gen.named_graph("les-miserables").n == 77
    assert gen.named_graph("davis").n == 32


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("petersen", gen.petersen()),
        ("Johnson:6:3", gen.johnson(6, 3)),
        ("hamming:3:2", gen.hamming(3, 2)),
        ("mycielski:4", gen.mycielski(4)),
        ("fano", gen.fano()),
        ("k4", Graph(4, tuple(itertools.combinations(range(4), 2)))),
        ("c5", Graph(5, ((0, 1), (1, 2), (2, 3), (3, 4), (0, 4)))),
        ("complete:3", gen.complete(3)),
        ("cycle:4", gen.cycle(4)),
    ],
)
def test_named_graph(name, expected):
    got = gen.named_graph(name)
    assert type(got) is type(expected)
    assert (got.n, got.edges) == (expected.n, expected.edges)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("dodecahedron", "unknown name"),
        ("johnson:6", "unknown name"),
        ("johnson:a:b", "integer parameters"),
        ("c2", "expected an integer ≥ 3"),
        ("johnson:4:4", "expected an integer in 1..3"),
        ("", "expected a name"),
    ],
)
def test_named_graph_errors(name, message):
    with pytest.raises(InputError, match=message):
        gen.named_graph(name)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gen.gnp(5, 1.5, 1), "probability"),
        (lambda: gen.gnp(5, 0.5, -1), "seed"),
        (lambda: gen.random_hypergraph(4, 5, 3, 1), r"m: expected an integer in 0\.\.4"),
        (lambda: gen.planted_3sat(2, 5, 1), "n_vars"),
    ],
)
def test_generator_errors(call, message):
    with pytest.raises(InputError, match=message):
        call()


@pytest.mark.parametrize("seed", range(5))
def test_planted_3sat(tmp_path, seed):
    f = gen.planted_3sat(12, 60, seed)
    tau = gen.planted_assignment(f)
    assert tau is not None and f.satisfied(tau) == f.m == 60
    assert all(len(c) == 3 == len({abs(t) for t in c}) for c in f.clauses)
    write_dimacs_cnf(f, tmp_path / "p.cnf")
    back = read_dimacs_cnf(tmp_path / "p.cnf")
    assert gen.planted_assignment(back) == tau
    assert max_sat(f, method="cpsat").value == 60


def test_dense_random_3sat_is_far_from_satisfiable():
    f = gen.random_3sat(10, 400, 1)
    sol = max_sat(f, method="cpsat")
    assert sol.optimal
    assert sol.value < f.m  # unsatisfiable
    assert 8 * sol.value >= 7 * f.m  # and, as always, at least 7/8 of the clauses
    assert gen.planted_assignment(f) is None


def test_hypergraph_from_generators_is_valid():
    assert isinstance(gen.fano(), Hypergraph)
