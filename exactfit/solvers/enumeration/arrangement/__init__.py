"""Complete enumeration of the chambers of a central hyperplane arrangement.

For lifted points ``z_1, …, z_n ∈ R^D`` the hyperplanes ``H_i = {θ : z_i·θ = 0}`` cut parameter
space into open polyhedral cones, the *chambers*.  A chamber is named by its sign vector
``s ∈ {−1, +1}`` over the distinct hyperplanes (``s_g = sign(z_g·θ)`` for θ inside).  Closed
chambers cover ``R^D``, which is what makes enumeration an exact algorithm for ReLU fitting.

Two enumerators, both complete:

* :class:`GenericEnumerator` (floating point, vectorised, streamed in work units that can be
  sharded).  Valid when the distinct normals are in general position, which it *checks* with a
  safety margin as it goes and otherwise raises :class:`NotGeneric`.  It realises the bijection
  behind Cover's count ``2·Σ_{i<D} C(m−1, i)``: with ``A'`` the arrangement without its last
  hyperplane ``H_last`` (normal ``u``), the chambers with ``s_last = +1`` are the chambers of
  ``A'`` meeting ``{u·θ > 0}``; those are (i) for every ray ``r`` of ``A'`` (an intersection of
  ``D−1`` hyperplanes ``T``) oriented with ``u·r > 0``, the unique chamber at ``r`` on which a
  generic functional ``φ`` attains its minimum over the affine chart ``u·θ = 1`` at ``r``
  (signs on ``T`` from the Lagrange multipliers of ``φ = λu + Σ_T α_t z_t``), and (ii) the chambers
  of the restriction of ``A'`` to ``u^⊥`` meeting ``{φ < 0}``, recursively.  The other half of
  the chambers are the negatives.  Rays are visited by sweeping great circles (intersections of
  ``D−2`` hyperplanes), so the active-set sums ``Σ_{s_g=+} Δ_g`` arrive by prefix sums at O(1)
  amortised cost per chamber.
* :func:`exact_chambers` (exact integer arithmetic, any data, any dimension): incremental
  deletion–restriction with interior witness points.  Adding hyperplane ``H`` splits exactly the
  chambers met by ``H``, which correspond one-to-one to the chambers of the arrangement restricted
  to ``H`` (computed recursively, one dimension lower); every other chamber keeps the side of its
  witness.  Used for degenerate data (repeated, collinear, coplanar or lattice points).  The
  plane is a base case (exactly verified angular sort); cut chambers are found by a verified
  hash of their sign vectors; witnesses are kept small by exactly checked rounding; repeated
  restrictions are memoised.  Integers are int64 under proven bounds, Python ints beyond.

Modules: :mod:`.hyperplanes` (the distinct hyperplanes of a point set, Cover's count),
:mod:`.generic` (the float enumerator), :mod:`.exact` (the exact integer enumerator) and
:mod:`.intarray` (exact integer arrays: int64 under proven bounds, Python ints beyond).

See ``docs/solvers/enumeration.md`` for the proofs.
"""

from exactfit.solvers.enumeration.arrangement.exact import exact_chambers
from exactfit.solvers.enumeration.arrangement.generic import GenericEnumerator, NotGeneric
from exactfit.solvers.enumeration.arrangement.hyperplanes import (
    Hyperplanes,
    cover_count,
    hyperplanes,
)

__all__ = [
    "GenericEnumerator",
    "Hyperplanes",
    "NotGeneric",
    "cover_count",
    "exact_chambers",
    "hyperplanes",
]
