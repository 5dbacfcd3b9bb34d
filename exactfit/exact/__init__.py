"""Exact rational arithmetic: the one home of the project's exact linear algebra.

:mod:`exactfit.exact.linalg` holds the matrix routines over Q and Z (reduced row echelon form,
solve, null space, determinants), computed by FLINT through python-flint; everything that proves
a value exactly builds on it.  :mod:`exactfit.exact.cells` builds the exact quadratic of a cell,
:mod:`exactfit.exact.coneqp` is the exact cell optimum (a convex quadratic over a polyhedral
cone, in rationals), :mod:`exactfit.exact.refit` the exact refit of a network on its cell, and
:mod:`exactfit.exact.reference` the same algorithms in plain ``Fraction`` arithmetic, which the
tests hold the fast paths to; :mod:`exactfit.exact.psd` solves integer normal equations
fraction-free (the brute force's least-squares solves).  ``docs/exact.md`` describes them and
their measured costs.
"""
