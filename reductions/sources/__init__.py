"""Source problems (graphs, hypergraphs, CNF), their file formats, exact solvers and generators."""

from reductions.sources.io import (
    read_dimacs_cnf,
    read_dimacs_graph,
    read_hypergraph,
    read_source,
    write_dimacs_cnf,
    write_dimacs_graph,
    write_hypergraph,
    write_source,
)
from reductions.sources.solvers import (
    SourceSolution,
    chromatic_number,
    colourable,
    densest_subgraph,
    max_cut,
    max_sat,
)
from reductions.sources.types import CNF, Graph, Hypergraph, InvalidSource

__all__ = [
    "CNF",
    "Graph",
    "Hypergraph",
    "InvalidSource",
    "SourceSolution",
    "chromatic_number",
    "colourable",
    "densest_subgraph",
    "max_cut",
    "max_sat",
    "read_dimacs_cnf",
    "read_dimacs_graph",
    "read_hypergraph",
    "read_source",
    "write_dimacs_cnf",
    "write_dimacs_graph",
    "write_hypergraph",
    "write_source",
]
