"""Source problems (graphs, hypergraphs, CNF), their file formats, exact solvers and generators."""

from reductions.sources.types import CNF, Graph, Hypergraph, InvalidSource

__all__ = ["CNF", "Graph", "Hypergraph", "InvalidSource"]
