"""The Goldreich local-PRG family with depth-3 ReLU networks (after Daniely, Srebro, Vardi,
NeurIPS 2023): :mod:`.prg` (hypergraph, predicate, output bits, exhaustive inversion),
:mod:`.depth3` (a depth-3 network type with an exact evaluator), :mod:`.gadget` (the network
that maps Gaussian inputs to bits and computes the predicate), :mod:`.family` (generator and
``Family``), :mod:`.checks` (the ``family check`` findings).  Proofs:
``docs/families/goldreich.md``.
"""
