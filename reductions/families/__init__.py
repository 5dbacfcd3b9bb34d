"""Hard families: the concrete networks and distributions that hardness-of-learning papers rest
on, as seeded generators of standard instance files and exact checks of their stated properties.

Each family is a reduction from a hard problem to learning (an orthogonal family, a lattice
problem, a pseudorandom generator, random K-SAT), so it lives beside the reductions; unlike
those it has no value map to check by solving two sides, but properties of the generated
objects (orthogonality, a piecewise-linear identity, a predicate computed on bits) that are
checked in exact arithmetic or estimated by simulation.  :mod:`reductions.families.base` is the
protocol, :mod:`reductions.families.registry` the list, :mod:`reductions.families.cli` the
``generate`` kinds and the ``family check`` command.  Proofs: ``docs/families/``.
"""
