"""The faces of one unit's central hyperplane arrangement, in exact integer arithmetic.

For integer lifted points ``z_1..z_n ∈ Z^D`` the hyperplanes ``{θ : z_i·θ = 0}`` cut parameter
space ``R^D`` into relatively open polyhedral cones, the *faces*; a face is named by its sign
vector ``X ∈ {−1, 0, +1}^n``, ``X_i = sign(z_i·θ)`` for every ``θ`` in it (a *covector* of the
oriented matroid of the points).  Its tight set ``T = {i : X_i = 0}`` is a flat (every ``z_l`` in
the span of ``z_T`` is in ``T``) and the face is open in ``V_T = {θ : z_i·θ = 0, i ∈ T}``.

Enumeration (:func:`arrangement_faces`).  Let ``ρ = rank Z`` and ``L₀ = {θ : Zθ = 0}``.
*Cocircuits*: for each flat ``T`` of rank ``ρ − 1``, ``V_T/L₀`` is a line; a ``v ∈ V_T \\ L₀``
gives the two faces ``±sign(Zv)`` (the rays of the arrangement modulo ``L₀``).  *All faces*: the
closure of ``{0}`` (the face ``L₀``) under composition with cocircuits,
``(X∘C)_i = X_i if X_i ≠ 0 else C_i``.

Proof that this finds every face and nothing else.  Realisable: if ``θ_X`` realises ``X`` and
``θ_C`` realises ``C``, then ``θ_X + εθ_C`` realises ``X∘C`` for small ``ε > 0``.  Complete: the
closure of a face ``F ≠ L₀`` is a polyhedral cone that is pointed modulo ``L₀``, so it is
generated (modulo ``L₀``) by its extreme rays ``r_1..r_m``, each a one-dimensional face modulo
``L₀``, i.e. a cocircuit ``C_l``; a point of the relative interior of ``F`` is ``Σ λ_l r_l`` with
every ``λ_l > 0``.  Each ``C_l`` conforms to ``X`` (``C_{l,i} ∈ {0, X_i}``, as ``r_l`` lies in the
closure), so ``sign(Σ_l λ_l z_i·r_l)`` is ``X_i`` if some ``C_{l,i} ≠ 0`` and 0 otherwise: exactly
``(C_1∘…∘C_m)_i``.  Hence ``X = C_1∘…∘C_m``.

Each face carries an integer basis ``N`` (``r = dim`` columns, ``r = ρ − rank z_T``) of a
complement of ``L₀`` in ``V_T`` and its *features* ``P = ZN`` (full column rank ``r``): every
``θ ∈ V_T`` has ``Zθ = Pu`` for a unique ``u``.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from exactfit.errors import LimitReached
from exactfit.exact.linalg import rref

__all__ = ["Arrangement", "Face", "arrangement_faces", "composition_bound", "face_count_bound"]


@dataclass(frozen=True)
class Face:
    """One relatively open face of the arrangement.

    Attributes
    ----------
    signs : tuple of int
        ``X_i = sign(z_i·θ) ∈ {−1, 0, +1}`` on the face.
    basis : tuple of r integer tuples of length D
        The columns ``N_1..N_r``: ``V_T = span(N) ⊕ L₀``.
    features : tuple of n integer tuples of length r
        Row ``i`` is ``(z_i·N_1, …, z_i·N_r)``; zero for ``i ∈ T``.
    """

    signs: tuple[int, ...]
    basis: tuple[tuple[int, ...], ...]
    features: tuple[tuple[int, ...], ...]

    @property
    def dim(self) -> int:
        """Dimension of the face modulo ``L₀`` (the number of free parameters ``r``)."""
        return len(self.basis)

    @property
    def active(self) -> tuple[int, ...]:
        """The points ``i`` with ``z_i·θ > 0`` on the face."""
        return tuple(i for i, s in enumerate(self.signs) if s > 0)


def _frac_rows(rows: Sequence[Sequence[int]]) -> list[list[Fraction]]:
    return [[Fraction(v) for v in row] for row in rows]


def _integer_nullspace(rows: Sequence[Sequence[int]], D: int) -> list[tuple[int, ...]]:
    """An integer basis of ``{θ ∈ R^D : row·θ = 0 for every row}`` (each vector primitive)."""
    if not rows:
        return [tuple(int(i == j) for i in range(D)) for j in range(D)]
    R, piv = rref(_frac_rows(rows))
    out = []
    for f in (c for c in range(D) if c not in piv):
        x = [Fraction(0)] * D
        x[f] = Fraction(1)
        for row, pc in zip(R, piv, strict=True):
            x[pc] = -row[f]
        scale = math.lcm(*(v.denominator for v in x))
        ints = [int(v * scale) for v in x]
        g = math.gcd(*ints)
        out.append(tuple(v // g for v in ints))
    return out


def _rank(rows: Sequence[Sequence[int]]) -> int:
    return len(rref(_frac_rows(rows))[1]) if rows else 0


def _dot(a: Sequence[int], b: Sequence[int]) -> int:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


def _cocircuits(Z: Sequence[Sequence[int]], rho: int) -> set[tuple[int, ...]]:
    n, D = len(Z), len(Z[0])
    out: set[tuple[int, ...]] = set()
    for T in itertools.combinations(range(n), rho - 1):
        rows = [Z[i] for i in T]
        if _rank(rows) != rho - 1:
            continue
        for v in _integer_nullspace(rows, D):
            X = tuple(_sign(_dot(z, v)) for z in Z)
            if any(X):  # v ∉ L₀: it spans V_T modulo L₀
                out.add(X)
                out.add(tuple(-s for s in X))
                break
    return out


def _flat_basis(Z: Sequence[Sequence[int]], T: tuple[int, ...]) -> tuple[list, list]:
    """``(N, P)`` of the flat ``T``: the kept basis columns and the features ``P = ZN``."""
    D = len(Z[0])
    N = _integer_nullspace([Z[i] for i in T], D)
    P = [[_dot(z, col) for col in N] for z in Z]
    # Keep the columns of P that are independent (pivot columns): they span the same
    # preactivations Zθ, θ ∈ V_T, and dropping the rest removes exactly L₀.
    keep = rref(_frac_rows(P))[1] if N else []
    return [N[c] for c in keep], [tuple(row[c] for c in keep) for row in P]


@dataclass(frozen=True)
class Arrangement:
    """The faces (highest dimension first, then by sign vector) and, for each, the indices of
    the faces covering it: one dimension higher with it in their closure."""

    faces: tuple[Face, ...]
    covers: tuple[tuple[int, ...], ...]


def _masks(X: Sequence[int]) -> tuple[int, int]:
    """A sign vector as two bit masks (plus, minus): composition becomes three integer ops."""
    plus = sum(1 << i for i, s in enumerate(X) if s > 0)
    minus = sum(1 << i for i, s in enumerate(X) if s < 0)
    return plus, minus


def _signs(mask: tuple[int, int], n: int) -> tuple[int, ...]:
    plus, minus = mask
    return tuple((plus >> i & 1) - (minus >> i & 1) for i in range(n))


def arrangement_faces(Z: Sequence[Sequence[int]], deadline: float | None = None) -> Arrangement:
    """Every face of the arrangement of the integer points ``Z`` (n × D) and the covering
    relation.  ``G`` covers ``F`` iff ``G = F∘C`` for a cocircuit ``C`` and ``dim G = dim F + 1``
    (a point of ``F`` plus a small multiple of an extreme ray of ``cl G`` outside ``cl F`` lies
    in ``G``), so the covers come out of the same compositions.

    Raises :class:`~exactfit.errors.LimitReached` once ``time.perf_counter()`` passes
    ``deadline``.
    """
    n = len(Z)
    rho = _rank(Z)
    cocircuits = [_masks(C) for C in sorted(_cocircuits(Z, rho))] if rho else []
    seen = {(0, 0)}
    frontier = [(0, 0)]
    up: dict[tuple[int, int], set[tuple[int, int]]] = {}
    while frontier:
        if deadline is not None and time.perf_counter() > deadline:
            raise LimitReached("brute: time limit reached while enumerating faces")
        nxt = []
        for X in frontier:
            plus, minus = X
            free = ~(plus | minus)
            above = up.setdefault(X, set())
            for cp, cm in cocircuits:
                Y = (plus | (cp & free), minus | (cm & free))
                if Y == X:
                    continue
                above.add(Y)
                if Y not in seen:
                    seen.add(Y)
                    nxt.append(Y)
        frontier = nxt
    flats: dict[tuple[int, ...], tuple[list, list]] = {}
    faces = []
    for mask in seen:
        X = _signs(mask, n)
        T = tuple(i for i in range(n) if X[i] == 0)
        if T not in flats:
            flats[T] = _flat_basis(Z, T)
            if len(flats[T][0]) != rho - _rank([Z[i] for i in T]):
                raise ArithmeticError(f"flat {T}: dimension contradicts its rank")
        N, P = flats[T]
        faces.append(Face(X, tuple(N), tuple(P)))
    faces.sort(key=lambda F: (-F.dim, F.signs))
    index = {_masks(F.signs): i for i, F in enumerate(faces)}
    covers = tuple(
        tuple(
            sorted(
                index[Y] for Y in up.get(_masks(F.signs), ()) if faces[index[Y]].dim == F.dim + 1
            )
        )
        for F in faces
    )
    return Arrangement(tuple(faces), covers)


def _chambers(m: int, r: int) -> int:
    """Cover's bound on the chambers of ``m`` central hyperplanes in ``R^r``."""
    if r == 0 or m == 0:
        return 1
    return 2 * sum(math.comb(m - 1, i) for i in range(r))


def face_count_bound(n: int, D: int) -> int:
    """An upper bound on the number of faces of ``n`` central hyperplanes in ``R^D``.

    A face other than ``L₀`` is a chamber of the arrangement restricted to ``V_T`` for its flat
    ``T`` of rank ``t < D``; ``T`` has a basis of ``t`` points and at most ``n − t`` hyperplanes
    cut ``V_T`` (dimension ``D − t``): at most ``1 + Σ_{t < D} C(n, t)·chambers(n − t, D − t)``
    faces (attained in general position), and at most ``3^n`` sign vectors.
    """
    bound = 1 + sum(math.comb(n, t) * _chambers(n - t, D - t) for t in range(min(D - 1, n) + 1))
    return min(bound, 3**n)


def composition_bound(n: int, D: int) -> int:
    """An upper bound on the compositions :func:`arrangement_faces` does: every face times
    every cocircuit (at most two per flat of rank ``ρ − 1 ≤ D − 1``, spanned by ``ρ − 1``
    points)."""
    cocircuits = min(2 * max(math.comb(n, r) for r in range(min(D, n + 1))), 3**n)
    return face_count_bound(n, D) * cocircuits
