"""The source file formats, one module each (DIMACS graph, DIMACS CNF, hypergraph), and the
line-oriented reading and atomic writing they share (:mod:`.lines`).

:mod:`reductions.sources.io` is the public face: it re-exports every reader and writer and
chooses the format of a file by its header.
"""
