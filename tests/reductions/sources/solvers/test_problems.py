"""Exact source solvers: known optima, cross-checks against brute force, statuses."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reductions.sources import generators as gen
from reductions.sources.solvers import (
    BRUTE_LIMITS,
    chromatic_number,
    colourable,
    densest_subgraph,
    is_proper_colouring,
    max_cut,
    max_sat,
)
from reductions.sources.types import CNF, Graph, Hypergraph

METHODS = ["brute", "cpsat", "scip", "auto"]
MODELS = ["cpsat", "scip"]
SEEDS = range(24)


# ----------------------------------------------------------------------------- references
def ref_max_cut(g: Graph) -> int:
    """Plain-Python enumeration of all 2^n sides (independent of the numpy brute force)."""
    return max(
        g.cut_value(s) for r in range(g.n + 1) for s in itertools.combinations(range(g.n), r)
    )


def ref_dks(g: Graph, kappa: int) -> int:
    return max(g.induced_edges(s) for s in itertools.combinations(range(g.n), kappa))


def ref_max_sat(f: CNF) -> int:
    return max(f.satisfied(t) for t in itertools.product((False, True), repeat=f.num_vars))


def ref_colourable(h: Hypergraph, k: int) -> bool:
    return any(is_proper_colouring(h, k, c) for c in itertools.product(range(k), repeat=h.n))


def all_clauses_3() -> CNF:
    """The 8 clauses over x1, x2, x3 with every sign pattern: unsatisfiable, Max-3-SAT = 7."""
    signs = itertools.product((1, -1), repeat=3)
    return CNF(3, tuple((a * 1, b * 2, c * 3) for a, b, c in signs))


# ----------------------------------------------------------------------------- known values
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("name", "value"), [("petersen", 12), ("c5", 4), ("k4", 4), ("c6", 6)])
def test_max_cut_known(method, name, value):
    g = gen.named_graph(name)
    sol = max_cut(g, method=method)
    assert (sol.value, sol.optimal, sol.bound) == (value, True, value)
    assert g.cut_value(sol.certificate) == value
    assert list(sol.certificate) == sorted(set(sol.certificate))


@pytest.mark.parametrize("method", METHODS)
def test_max_sat_all_eight_clauses(method):
    sol = max_sat(all_clauses_3(), method=method)
    assert (sol.value, sol.optimal) == (7, True)
    assert len(sol.certificate) == 3 and all(isinstance(b, bool) for b in sol.certificate)
    assert all_clauses_3().satisfied(sol.certificate) == 7


@pytest.mark.parametrize("method", MODELS)
def test_dks_karate(method):
    g = gen.karate()
    optima = {5: 10, 6: 14, 7: 16, 8: 18, 9: 21, 10: 25}
    for kappa, value in optima.items():
        sol = densest_subgraph(g, kappa, method=method)
        assert (sol.value, sol.optimal) == (value, True), kappa
        assert len(sol.certificate) == kappa
        assert g.induced_edges(sol.certificate) == value


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("name", "omega"),
    [("johnson:5:2", 4), ("johnson:6:3", 4), ("johnson:6:2", 5), ("hamming:3:2", 2),
     ("hamming:2:3", 3), ("hamming:2:4", 4), ("hamming:3:3", 3), ("k5", 5)],
)  # fmt: skip
def test_dks_at_clique_number(method, name, omega):
    g = gen.named_graph(name)
    if method == "brute" and math.comb(g.n, omega) > BRUTE_LIMITS["densest_subgraph"]:
        pytest.skip("too large for brute force")
    sol = densest_subgraph(g, omega, method=method)
    assert (sol.value, sol.optimal) == (math.comb(omega, 2), True)
    # the certificate is a clique
    assert all((u, v) in set(g.edges) for u, v in itertools.combinations(sol.certificate, 2))
    # one more vertex cannot give C(ω+1, 2): no (ω+1)-clique
    if omega < g.n and (method != "brute" or math.comb(g.n, omega + 1) <= 10**5):
        assert densest_subgraph(g, omega + 1, method=method).value < math.comb(omega + 1, 2)


@pytest.mark.parametrize("method", METHODS)
def test_chromatic_number_petersen_and_small_mycielski(method):
    assert chromatic_number(gen.petersen(), method=method).value == 3
    for k in (1, 2, 3, 4):
        sol = chromatic_number(gen.mycielski(k), method=method)
        assert (sol.value, sol.optimal) == (k, True)
        assert is_proper_colouring(gen.mycielski(k), k, sol.certificate)


@pytest.mark.parametrize("method", MODELS)
def test_chromatic_number_mycielski_5(method):
    sol = chromatic_number(gen.mycielski(5), method=method)
    assert (sol.value, sol.optimal) == (5, True)
    assert is_proper_colouring(gen.mycielski(5), 5, sol.certificate)


@pytest.mark.parametrize("method", METHODS)
def test_k4_and_fano(method):
    k4 = gen.complete(4)
    no = colourable(k4, 3, method=method)
    assert (no.value, no.certificate, no.optimal) == (0, (), True)
    yes = colourable(k4, 4, method=method)
    assert yes.value == 1 and is_proper_colouring(k4, 4, yes.certificate)
    fano = gen.fano()
    no = colourable(fano, 2, method=method)
    assert (no.value, no.certificate, no.optimal) == (0, (), True)
    yes = colourable(fano, 3, method=method)
    assert yes.value == 1 and is_proper_colouring(fano, 3, yes.certificate)
    assert chromatic_number(fano, method=method).value == 3


# ----------------------------------------------------------------------------- random cross-checks
def rand_graph(seed: int, weighted: bool) -> Graph:
    rng = random.Random(seed)
    n = rng.randint(2, 9)
    p = rng.uniform(0.2, 0.9)
    return gen.random_weighted_graph(n, p, 9, seed) if weighted else gen.gnp(n, p, seed)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_max_cut_random(method, seed):
    g = rand_graph(seed, weighted=seed % 2 == 0)
    sol = max_cut(g, method=method)
    assert sol.optimal
    assert sol.value == ref_max_cut(g) == g.cut_value(sol.certificate)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_dks_random(method, seed):
    g = rand_graph(1000 + seed, weighted=seed % 2 == 1)
    kappa = random.Random(seed).randint(1, g.n)
    sol = densest_subgraph(g, kappa, method=method)
    assert sol.optimal and len(sol.certificate) == kappa == len(set(sol.certificate))
    assert sol.value == ref_dks(g, kappa) == g.induced_edges(sol.certificate)


def rand_cnf(seed: int) -> CNF:
    rng = random.Random(seed)
    n = rng.randint(1, 7)
    clauses = []
    for _ in range(rng.randint(1, 25)):
        width = rng.randint(1, min(n, 4))
        vs = rng.sample(range(1, n + 1), width)
        clauses.append(tuple(v if rng.random() < 0.5 else -v for v in vs))
    weights = tuple(rng.randint(1, 6) for _ in clauses) if seed % 2 else None
    return CNF(n, tuple(clauses), weights)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_max_sat_random(method, seed):
    f = rand_cnf(seed)
    sol = max_sat(f, method=method)
    assert sol.optimal and len(sol.certificate) == f.num_vars
    assert sol.value == ref_max_sat(f) == f.satisfied(sol.certificate)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_max_3sat_random_formulas(method, seed):
    f = gen.random_3sat(6, 10 + 3 * seed, seed)
    sol = max_sat(f, method=method)
    assert sol.value == ref_max_sat(f)
    # averaging: a uniform assignment satisfies 7/8 of the 3-literal clauses in expectation
    assert 8 * sol.value >= 7 * f.m


def rand_hyper(seed: int) -> tuple[Hypergraph, int]:
    rng = random.Random(seed)
    n = rng.randint(3, 7)
    r = rng.randint(2, 3)
    m = rng.randint(1, min(12, math.comb(n, r)))
    return gen.random_hypergraph(n, m, r, seed), rng.randint(1, 3)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_colourable_random(method, seed):
    h, k = rand_hyper(seed)
    sol = colourable(h, k, method=method)
    assert sol.optimal
    assert sol.value == int(ref_colourable(h, k))
    if sol.value:
        assert is_proper_colouring(h, k, sol.certificate)
    else:
        assert sol.certificate == ()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_chromatic_number_random(method, seed):
    rng = random.Random(2000 + seed)
    g = gen.gnp(rng.randint(2, 7), rng.uniform(0.2, 0.9), seed)
    sol = chromatic_number(g, method=method)
    chi = next(k for k in range(1, g.n + 1) if ref_colourable(Hypergraph.from_graph(g), k))
    assert (sol.value, sol.optimal) == (chi, True)
    assert is_proper_colouring(g, chi, sol.certificate)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 10), data=st.data())
def test_max_cut_half_the_weight_and_models_agree(n, data):
    pairs = list(itertools.combinations(range(n), 2))
    edges = data.draw(st.lists(st.sampled_from(pairs), unique=True))
    ws = tuple(data.draw(st.integers(1, 20)) for _ in edges)
    g = Graph(n, tuple(edges), ws)
    a = max_cut(g, method="brute")
    b = max_cut(g, method="cpsat")
    assert a.value == b.value
    assert 2 * a.value >= g.total_weight  # every graph has a cut of at least half the weight


# ----------------------------------------------------------------------------- statuses, limits
def test_brute_time_limit_gives_incumbent():
    g = gen.gnp(21, 0.5, 1)
    sol = max_cut(g, method="brute", time_limit=1e-9)
    assert sol.optimal is False and sol.bound is None
    assert sol.value == g.cut_value(sol.certificate)


@pytest.mark.parametrize("method", MODELS)
def test_model_time_limit_is_not_optimal(method):
    g = gen.gnp(90, 0.3, 7)
    sol = densest_subgraph(g, 15, method=method, time_limit=0.05)
    assert sol.optimal is False
    assert sol.value == g.induced_edges(sol.certificate) and len(sol.certificate) == 15
    assert sol.bound is None or sol.bound >= sol.value


def test_chromatic_time_limit_keeps_greedy_colouring():
    g = gen.gnp(60, 0.5, 3)
    sol = chromatic_number(g, method="cpsat", time_limit=0.01)
    assert sol.optimal is False
    assert is_proper_colouring(g, sol.value, sol.certificate)


def test_edge_cases():
    empty = Graph(3, ())
    assert max_cut(empty, method="cpsat").value == 0
    assert densest_subgraph(empty, 2, method="scip").value == 0
    assert chromatic_number(empty).value == 1
    assert colourable(Hypergraph(4, ()), 1, method="cpsat").certificate == (0, 0, 0, 0)
    assert max_sat(CNF(2, ()), method="scip").certificate == (False, False)
