"""Exact rational arithmetic: the one home of the project's exact linear algebra.

:mod:`exactfit.exact.linalg` holds the matrix routines over Q and Z (Gauss–Jordan, Bareiss
determinants); everything that proves a value exactly builds on it.  :mod:`exactfit.exact.coneqp`
is the exact cell optimum (a convex quadratic over a polyhedral cone, in rationals);
:mod:`exactfit.exact.psd` solves integer normal equations fraction-free (the brute force's
least-squares solves).
"""
