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

See ``docs/solvers/enumeration.md`` for the proofs.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from exactfit.exact.linalg import int_det

__all__ = [
    "GenericEnumerator",
    "Hyperplanes",
    "NotGeneric",
    "cover_count",
    "exact_chambers",
    "hyperplanes",
]

#: Relative margin below which a float sign, gap or multiplier counts as "possibly zero".  All
#: normals are unit vectors, so the quantities tested are O(1); float error is ~1e-15, and a
#: value above this margin has a certain sign.  Below it the enumerator refuses (NotGeneric).
MARGIN = 1e-11
#: Smallest singular value accepted for the D−2 normals defining a circle.
RANK_MARGIN = 1e-7


class NotGeneric(Exception):
    """The float enumerator met a (near-)degenerate configuration; use the exact one."""


def cover_count(m: int, dim: int) -> int:
    """Chambers of ``m`` hyperplanes through the origin of ``R^dim`` in general position.

    ``2·Σ_{i<dim} C(m−1, i)`` (Cover 1965), an upper bound for any central arrangement of
    ``m`` distinct hyperplanes; 1 when ``m = 0``.
    """
    if m == 0:
        return 1
    return 2 * sum(math.comb(m - 1, i) for i in range(min(dim, m)))


# ----------------------------------------------------------------------- distinct hyperplanes
def _primitive(vec: Sequence[Fraction]) -> tuple[tuple[int, ...], int]:
    """Primitive integer vector on the line of ``vec`` with first nonzero entry > 0, and the
    orientation ``±1`` with ``vec = λ·sign·primitive`` (λ > 0); ``((), 0)`` for the zero vector."""
    den = 1
    for v in vec:
        den = den * v.denominator // math.gcd(den, v.denominator)
    ints = [int(v * den) for v in vec]
    g = 0
    for v in ints:
        g = math.gcd(g, v)
    if g == 0:
        return (), 0
    ints = [v // g for v in ints]
    lead = next(v for v in ints if v != 0)
    sign = 1 if lead > 0 else -1
    return tuple(sign * v for v in ints), sign


@dataclass(frozen=True)
class Hyperplanes:
    """The distinct hyperplanes ``{θ : z_i·θ = 0}`` of a set of lifted points.

    Attributes
    ----------
    exact : tuple of tuple of int
        Primitive integer normal of each distinct hyperplane (first nonzero entry positive).
    normals : (m, D) float array
        The same normals scaled to unit length.
    group : (n,) int array
        Index of the hyperplane of each point, ``−1`` for ``z_i = 0`` (never active).
    orient : (n,) int array
        ``z_i = λ_i·orient_i·normal_{group_i}`` with ``λ_i > 0``; 0 for ``z_i = 0``.  A point is
        active in the chamber with signs ``s`` iff ``orient_i·s_{group_i} = +1``.
    """

    exact: tuple[tuple[int, ...], ...]
    normals: np.ndarray
    group: np.ndarray
    orient: np.ndarray

    @property
    def m(self) -> int:
        return len(self.exact)

    def active(self, signs: np.ndarray) -> np.ndarray:
        """Boolean activity ``(…, n)`` of the points for chamber signs ``(…, m)`` (bool = +)."""
        signs = np.asarray(signs, dtype=bool)
        if self.m == 0:
            return np.zeros((*signs.shape[:-1], len(self.group)), dtype=bool)
        g = np.where(self.group >= 0, self.group, 0)
        s = signs[..., g]
        return np.where(self.orient > 0, s, np.where(self.orient < 0, ~s, False))


def hyperplanes(points: Sequence[Sequence[Fraction]]) -> Hyperplanes:
    """Group exact points ``z_i`` by the hyperplane ``z_i·θ = 0`` they define."""
    index: dict[tuple[int, ...], int] = {}
    exact: list[tuple[int, ...]] = []
    group = np.full(len(points), -1, dtype=np.int64)
    orient = np.zeros(len(points), dtype=np.int64)
    for i, z in enumerate(points):
        prim, sign = _primitive(z)
        if sign == 0:
            continue
        g = index.get(prim)
        if g is None:
            g = index[prim] = len(exact)
            exact.append(prim)
        group[i] = g
        orient[i] = sign
    dim = len(points[0]) if len(points) else 0
    if exact:
        # Scaling via floats of huge integers can overflow: normalise by the largest entry first.
        normals = np.array(
            [[float(Fraction(v, max(abs(x) for x in e))) for v in e] for e in exact],
            dtype=float,
        )
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    else:
        normals = np.zeros((0, dim))
    return Hyperplanes(tuple(exact), normals, group, orient)


# ------------------------------------------------------------------------ exact enumerator
#: Integer arrays stay int64 while every entry is below this; beyond it they switch to Python
#: integers (object arrays), which never overflow.  Every product of int64 arrays is guarded
#: by an a-priori bound on its entries (:func:`_mul`, :func:`_cross2`, the witness update), so
#: overflow is impossible whatever the threshold below ``2**62``.
_INT_SAFE = 2**62
#: Restricted arrangements with at most this many sign entries are memoised.
_CACHE_ENTRY_MAX = 2**16
#: … and at most this many of them are kept (bounds the memory at a few hundred MB).
_CACHE_LEN = 2048
_FALLBACKS = [0]  # number of exact (hash-free) lookups, for tests and benchmarks
#: Seed of the random 64-bit weights hashing sign vectors (matches are always verified).
_HASH_SEED = 20240611


def _as_exact(a: np.ndarray) -> np.ndarray:
    """``a`` as int64 when all entries are small, else as an object array of Python ints."""
    a = np.asarray(a)
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64)
    big = max(abs(int(v)) for v in a.flat) if a.dtype == object else int(np.abs(a).max())
    if big < _INT_SAFE:
        return a.astype(np.int64)
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(a.flat):
        flat[i] = int(v)
    return out


def _row_gcd_shrink(a: np.ndarray) -> np.ndarray:
    """Divide each integer row by the gcd of its entries (keeps witnesses small)."""
    if a.size == 0:
        return a
    if a.dtype != object:
        g = np.gcd.reduce(a, axis=1)
        g[g == 0] = 1
        return a // g[:, None]
    rows = []
    for row in a:
        g = 0
        for v in row:
            g = math.gcd(g, int(v))
        rows.append([int(v) // g for v in row] if g > 1 else [int(v) for v in row])
    return _as_exact(np.array(rows, dtype=object))


def _mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact integer matrix product (int64 when safe, Python ints otherwise)."""
    if a.dtype == object or b.dtype == object:
        return _as_exact(np.dot(a.astype(object), b.astype(object)))
    if a.size and b.size:
        bound = int(np.abs(a).max()) * int(np.abs(b).max()) * max(a.shape[-1], 1)
        if bound >= 2**62:
            return _as_exact(np.dot(a.astype(object), b.astype(object)))
    return a @ b


def _sign(a: np.ndarray) -> np.ndarray:
    if a.dtype == object:
        return np.array([[(v > 0) - (v < 0) for v in row] for row in a], dtype=np.int8).reshape(
            a.shape
        )
    return np.sign(a).astype(np.int8)


def _cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact 2-D cross products ``a_x b_y − a_y b_x`` of integer rows (int64 or Python ints)."""
    if a.dtype != object and b.dtype != object and a.size:
        bound = 2 * int(np.abs(a).max()) * int(np.abs(b).max())
        if bound < 2**62:
            return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    a, b = a.astype(object), b.astype(object)
    return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]


def _chambers_plane(normals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chambers of ``N ≥ 2`` distinct lines through the origin of ``R^2`` (integer normals).

    The ``2N`` rays ``±(−z_y, z_x)`` split the plane into ``2N`` sectors, each of angle in
    ``(0, π)``; the sum of a sector's two bounding rays is an integer point strictly inside it.
    The angular order is found in floats and then *verified* exactly: sorted by half-plane
    (``y > 0`` or ``y = 0 < x`` first), each consecutive pair within a half must have an exact
    positive cross product, which makes the order exact (angles in a half-plane are ordered by
    the sign of the cross product).  A failed check falls back to an exact comparison sort.
    """
    rays = np.concatenate([np.stack([-normals[:, 1], normals[:, 0]], axis=1)] * 2)
    N = len(normals)
    rays[N:] = -rays[N:]
    rays = _as_exact(rays)
    x = np.array([int(v) for v in rays[:, 0]], dtype=object) if rays.dtype == object else rays[:, 0]
    y = np.array([int(v) for v in rays[:, 1]], dtype=object) if rays.dtype == object else rays[:, 1]
    half = ~((y > 0) | ((y == 0) & (x > 0)))  # False: angle in [0, π), True: in [π, 2π)
    ang = np.arctan2(y.astype(float), x.astype(float))
    ang = np.where(half, ang + 2 * np.pi, ang)  # angles in [0, 2π) up to rounding
    order = np.lexsort((ang, half))
    rs, hs = rays[order], half[order]
    same = hs[1:] == hs[:-1]
    cr = _cross2(rs[:-1], rs[1:])
    if not np.all(cr[same] > 0):

        def cmp(i: int, j: int) -> int:
            if half[i] != half[j]:
                return -1 if not half[i] else 1
            c = int(x[i]) * int(y[j]) - int(y[i]) * int(x[j])
            return -1 if c > 0 else (1 if c < 0 else 0)

        order = np.array(sorted(range(2 * N), key=functools.cmp_to_key(cmp)), dtype=np.int64)
        rs = rays[order]
    nxt = np.roll(rs, -1, axis=0)
    if rs.dtype == object or nxt.dtype == object:
        wit = _as_exact(rs.astype(object) + nxt.astype(object))
    else:
        wit = rs + nxt  # entries < 2**63: rays are below 2**62
    wit = _row_gcd_shrink(_as_exact(wit))
    signs = _sign(_mul(wit, normals.T))
    return signs, wit


def _chambers_distinct(
    normals: np.ndarray, check: Callable[[], None] | None = None, cache: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Chambers of distinct (pairwise non-parallel, nonzero) integer normals, rows of
    ``normals`` (N, dim).  Returns ``(signs (C, N) int8 in ±1, witnesses (C, dim))``, each
    witness an integer point strictly inside its chamber.  ``check`` is called once per added
    hyperplane at every recursion level (it may raise to abandon the enumeration)."""
    N, dim = normals.shape
    if dim == 1:  # a single hyperplane {0} (distinct normals on a line coincide): two rays
        sgn = 1 if int(normals[0, 0]) > 0 else -1
        return np.array([[1], [-1]], dtype=np.int8), _as_exact(np.array([[sgn], [-sgn]]))
    if dim == 2 and N >= 2:
        if check is not None:
            check()
        return _chambers_plane(normals)
    # Chambers live in preallocated rows (grown by doubling): adding H_k writes the side of
    # every kept chamber into column k, turns each cut chamber's row into its + half and
    # appends its − half.  Cut chambers are found by their sign vectors on the first k
    # hyperplanes through a 64-bit hash (Σ_{s_j=+} R_j mod 2^64, updated incrementally) whose
    # every match is then verified on the full sign vector; a failed verification (a hash
    # collision, probability ~C·r/2^64) falls back to exact byte-string matching.
    rng = np.random.default_rng(_HASH_SEED)
    R = rng.integers(0, np.iinfo(np.uint64).max, size=N, dtype=np.uint64, endpoint=True)
    cap = 64
    signs = np.zeros((cap, N), dtype=np.int8, order="F")  # column k is written per step
    wit = np.zeros((cap, dim), dtype=np.int64)
    H = np.zeros(cap, dtype=np.uint64)
    C = 1
    for k in range(N):
        if check is not None:
            check()
        z = normals[k]
        before = normals[:k]
        # Integer basis of z^⊥: e_l·z_a − e_a·z_l for l ≠ a (a = first nonzero coordinate).
        a = int(np.flatnonzero(z != 0)[0])
        basis = np.zeros((dim - 1, dim), dtype=normals.dtype)
        others = [c for c in range(dim) if c != a]
        for r, c in enumerate(others):
            basis[r, c] = z[a]
            basis[r, a] = -z[c]
        basis = _as_exact(basis)
        restricted = _mul(before, basis.T)  # (k, dim−1)
        _, sub_wit = _chambers_any(restricted, dim - 1, check, cache)
        q = _mul(sub_wit, basis)  # (r, dim): interior points of the restricted chambers
        zcol = z.reshape(-1, 1)
        if k == 0:
            num = np.ones(len(q), dtype=np.int64)
            den = np.full(len(q), 1, dtype=np.int64)
            keys_cut = np.zeros((len(q), 0), dtype=np.int8)
        else:
            vals = _mul(q, before.T)  # (r, k), no zeros: q is interior to its restricted chamber
            keys_cut = _sign(vals)
            hz = _mul(before, zcol)[:, 0]
            # ε = |v_j| / (2|h_j·z|) at (approximately) the least ratio keeps every old sign:
            # a float argmin is within 1e-12 of the least ratio, and the factor 2 absorbs it.
            absv = np.abs(vals)
            absz = np.abs(hz)
            nz = np.flatnonzero(absz != 0)
            if len(nz) == 0:
                num = np.ones(len(q), dtype=np.int64)
                den = np.ones(len(q), dtype=np.int64)
            else:
                try:
                    with np.errstate(over="raise", under="ignore"):
                        ratio = absv[:, nz].astype(float) / absz[nz].astype(float)[None, :]
                    if not np.all(np.isfinite(ratio)):
                        raise OverflowError
                    j = nz[np.argmin(ratio, axis=1)]
                except (OverflowError, FloatingPointError):  # beyond float range: exact
                    j = np.array(
                        [
                            min(nz, key=lambda t, row=row: Fraction(int(row[t]), int(absz[t])))
                            for row in absv
                        ]
                    )
                num = absv[np.arange(len(q)), j]
                den = 2 * absz[j]
        # The witnesses are c·q ± z with the integer c = ⌈den/num⌉ ≥ 1/ε, i.e. q ± ε'z with
        # 0 < ε' = 1/c ≤ ε: every old sign is kept, and entries stay about |q| (whereas
        # den·q ± num·z would multiply them by den at every step).
        num = _as_exact(np.asarray(num).reshape(-1, 1))
        den = _as_exact(np.asarray(den).reshape(-1, 1))
        if num.dtype == object or den.dtype == object:
            c = _as_exact((den.astype(object) + num.astype(object) - 1) // num.astype(object))
        else:
            c = (den + num - 1) // num  # num ≥ 1: q is off every earlier hyperplane
        zrow = _as_exact(z.reshape(1, -1))
        small = all(x.dtype != object for x in (q, c, zrow)) and (
            int(np.abs(q).max(initial=0)) * int(np.abs(c).max(initial=0))
            + int(np.abs(zrow).max(initial=0))
            < 2**62
        )
        if small:
            plus, minus = c * q + zrow, c * q - zrow
        else:
            qo, co, zo = (x.astype(object) for x in (q, c, zrow))
            plus, minus = co * qo + zo, co * qo - zo
        plus = _row_gcd_shrink(_as_exact(plus))
        minus = _row_gcd_shrink(_as_exact(minus))
        if k:
            upto = normals[: k + 1]
            plus = _shrink(plus, upto, np.hstack([keys_cut, np.ones((len(q), 1), np.int8)]))
            minus = _shrink(minus, upto, np.hstack([keys_cut, -np.ones((len(q), 1), np.int8)]))
        r = len(q)
        if C + r > cap:
            while C + r > cap:
                cap *= 2
            grown = np.zeros((cap, N), dtype=np.int8, order="F")
            grown[:C] = signs[:C]
            signs = grown
            H = np.concatenate([H, np.zeros(cap - len(H), dtype=np.uint64)])
            wit = np.concatenate([wit, np.zeros((cap - len(wit), dim), dtype=wit.dtype)])
        if wit.dtype != object and any(x.dtype == object for x in (plus, minus)):
            wit = wit.astype(object)
        rows = _find_rows(signs[:C, :k], H[:C], keys_cut, R[:k])
        side = _sign(_mul(wit[:C], zcol))[:, 0]
        signs[:C, k] = side
        new = np.arange(C, C + r)
        hcut = H[rows]
        with np.errstate(over="ignore"):
            H[:C] += np.where(side > 0, R[k], np.uint64(0))
            H[rows] = hcut + R[k]
        H[new] = hcut
        signs[new, :k] = keys_cut
        signs[new, k] = -1
        signs[rows, k] = 1
        wit[rows] = plus
        wit[new] = minus
        C += r
    return signs[:C], _as_exact(wit[:C])


#: Witnesses with entries above this are replaced by rounded rescalings when those verify.
_SHRINK_ABOVE = 2**40
#: Bits kept by the rescaled witnesses.
_SHRINK_BITS = 30


def _shrink(wit: np.ndarray, normals: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Smaller integer witnesses for the same chambers.

    Witness entries grow with every ε-step and recursion level; any point with the same
    (nonzero) signs against ``normals`` is an equally valid witness.  Rows with large entries
    are rescaled to ~``_SHRINK_BITS`` bits and rounded; a rounded row replaces the original
    only when its signs against every normal are *exactly* the expected ``signs`` (int64 or
    Python-integer products), so the result is exact whatever the rounding did.
    """
    if len(wit) == 0:
        return wit
    if wit.dtype == object:
        big = np.array([max(abs(int(v)) for v in row) for row in wit], dtype=object)
        todo = np.flatnonzero(big >= _SHRINK_ABOVE)
        if len(todo) == 0:
            return wit
        cand = np.zeros((len(todo), wit.shape[1]), dtype=np.int64)
        for t, i in enumerate(todo):
            sh = int(big[i]).bit_length() - _SHRINK_BITS
            cand[t] = [int(v) >> sh for v in wit[i]]  # floor of v / 2^sh
    else:
        big = np.abs(wit).max(axis=1)
        todo = np.flatnonzero(big >= _SHRINK_ABOVE)
        if len(todo) == 0:
            return wit
        scale = 2.0**_SHRINK_BITS / big[todo].astype(float)
        cand = np.rint(wit[todo].astype(float) * scale[:, None]).astype(np.int64)
    ok = np.all(_sign(_mul(cand, normals.T)) == signs[todo], axis=1)
    if not ok.any():
        return wit
    out = wit.copy()
    out[todo[ok]] = cand[ok]
    return _as_exact(_row_gcd_shrink(_as_exact(out)))


def _find_rows(signs: np.ndarray, H: np.ndarray, keys: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Row of ``signs`` (C, k) equal to each row of ``keys`` (r, k), exactly.

    ``H`` holds the rows' hashes ``Σ_{s_j=+} R_j`` (mod 2^64).  Every key must occur."""
    r, k = keys.shape
    if k == 0:
        return np.zeros(r, dtype=np.int64)  # the single chamber R^dim
    with np.errstate(over="ignore"):
        kh = np.zeros(r, dtype=np.uint64)
        for j in range(k):  # column loop: uint64 matmul is not available everywhere
            kh += np.where(keys[:, j] > 0, R[j], np.uint64(0))
    korder = np.argsort(kh, kind="stable")
    ks = kh[korder]
    # Filter by the top bits (one gather in an occupancy table beats a binary search per
    # row); the few rows that pass (~1/16 false positives) are resolved by binary search.
    bits = int(min(24, r.bit_length() + 4))
    occupied = np.zeros(2**bits, dtype=bool)
    occupied[ks >> np.uint64(64 - bits)] = True
    cand = np.flatnonzero(occupied[H >> np.uint64(64 - bits)])
    pos = np.minimum(np.searchsorted(ks, H[cand]), r - 1)
    hit = ks[pos] == H[cand]
    cand, pos = cand[hit], pos[hit]
    key_of = korder[pos]
    if (
        len(cand) == r
        and np.array_equal(np.sort(key_of), np.arange(r))
        and np.array_equal(signs[cand], keys[key_of])
    ):
        rows = np.empty(r, dtype=np.int64)
        rows[key_of] = cand
        return rows
    _FALLBACKS[0] += 1
    index = {row.tobytes(): i for i, row in enumerate(signs)}
    try:
        found = [index[row.tobytes()] for row in np.ascontiguousarray(keys)]
        return np.array(found, dtype=np.int64)
    except KeyError as exc:  # pragma: no cover - would be a bug in the restriction
        raise RuntimeError("exact enumerator: a restricted chamber has no parent") from exc


def _chambers_any(
    vectors: np.ndarray,
    dim: int,
    check: Callable[[], None] | None = None,
    cache: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Chambers for arbitrary integer normals (rows; zero or parallel ones allowed, a zero
    normal gets sign 0).  Returns ``(signs (C, len(vectors)), witnesses (C, dim))``."""
    if dim == 0:
        return np.zeros((1, len(vectors)), dtype=np.int8), _as_exact(np.zeros((1, 0)))
    if vectors.dtype != object and len(vectors):
        # Vectorised grouping (int64): primitive rows with first nonzero entry positive.
        g = np.gcd.reduce(vectors, axis=1)
        nonzero = g != 0
        prim = vectors // np.where(nonzero, g, 1)[:, None]
        first = np.argmax(prim != 0, axis=1)
        lead = prim[np.arange(len(prim)), first]
        sgn = np.where(nonzero, np.sign(lead), 0).astype(np.int8)
        prim = prim * np.where(sgn < 0, -1, 1)[:, None]
        if not nonzero.any():
            return np.zeros((1, len(vectors)), dtype=np.int8), _as_exact(np.zeros((1, dim)))
        uniq, inv = np.unique(prim[nonzero], axis=0, return_inverse=True)
        grp = np.zeros(len(vectors), dtype=np.int64)
        grp[nonzero] = inv.reshape(-1)
        uniq = np.ascontiguousarray(uniq, dtype=np.int64)
        # Restrictions of lattice data (e.g. reductions) repeat the same arrangement many
        # times over: memoise by the exact normals (the result is a pure function of them).
        key = (uniq.shape, uniq.tobytes())
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            hit = _chambers_distinct(uniq, check, cache)
            if cache is not None and hit[0].size <= _CACHE_ENTRY_MAX and len(cache) < _CACHE_LEN:
                cache[key] = hit
        signs, wit = hit
        return (signs[:, grp] * sgn[None, :]).astype(np.int8), wit
    index: dict[tuple[int, ...], int] = {}
    distinct: list[tuple[int, ...]] = []
    group, orient = [], []
    for v in vectors:
        prim, sign = _int_primitive([int(x) for x in v])
        if sign == 0:
            group.append(0)
            orient.append(0)
            continue
        g = index.get(prim)
        if g is None:
            g = index[prim] = len(distinct)
            distinct.append(prim)
        group.append(g)
        orient.append(sign)
    if dim == 0:
        return np.zeros((1, len(vectors)), dtype=np.int8), _as_exact(np.zeros((1, 0)))
    if not distinct:
        return np.zeros((1, len(vectors)), dtype=np.int8), _as_exact(np.zeros((1, dim)))
    signs, wit = _chambers_distinct(_as_exact(np.array(distinct, dtype=object)), check)
    g = np.array(group, dtype=np.int64)
    o = np.array(orient, dtype=np.int8)
    return (signs[:, g] * o[None, :]).astype(np.int8), wit


def _int_primitive(vec: Sequence[int]) -> tuple[tuple[int, ...], int]:
    g = 0
    for v in vec:
        g = math.gcd(g, v)
    if g == 0:
        return (), 0
    lead = next(v for v in vec if v != 0)
    sign = 1 if lead > 0 else -1
    return tuple(sign * v // g for v in vec), sign


def exact_chambers(
    normals: Sequence[Sequence[int]], check: Callable[[], None] | None = None
) -> np.ndarray:
    """All chambers of the central arrangement with the given distinct integer normals.

    Exact and complete for any normals (they must be pairwise non-parallel and nonzero, as
    produced by :func:`hyperplanes`).  Returns a boolean array ``(cells, m)``, True where
    ``s_g = +1``, rows in a deterministic order (a pure function of the normals).  ``check``
    (optional) is called often during the enumeration, at least once per added hyperplane at
    every recursion level; raising from it (a deadline, ``KeyboardInterrupt``) abandons it.
    """
    normals = [tuple(int(v) for v in z) for z in normals]
    if not normals:
        return np.zeros((1, 0), dtype=bool)
    signs, _ = _chambers_distinct(_as_exact(np.array(normals, dtype=object)), check, {})
    signs = signs > 0
    return np.ascontiguousarray(signs)


# ------------------------------------------------------------------ generic float enumerator
@dataclass(frozen=True)
class _Level:
    """One level of the recursion: a subspace ``V`` (orthonormal basis ``Q``, D×dim), the
    functional ``u`` whose positive side is counted, the generic functional ``phi`` and the
    normals of ``A'`` projected into ``V`` (coordinates, shape (m−1, dim))."""

    dim: int
    Q: np.ndarray
    u: np.ndarray
    phi: np.ndarray
    W: np.ndarray
    wnorm: np.ndarray


class GenericEnumerator:
    """Float enumeration of the chambers of ``m`` unit normals in general position in ``R^D``.

    Parameters
    ----------
    normals : (m, D) array
        Unit normals of distinct hyperplanes; ``m ≥ D`` and rank ``D`` are required.
    seed : int
        Seed of the generic functionals ``φ`` (any seed gives the same set of chambers).

    Notes
    -----
    Work is split into *units* (one great circle each, plus one unit for the base level); a
    unit yields cells as ``(keys, sums)`` where ``sums[c] = Σ_{g: s_g=+} delta[g]`` for a
    caller-supplied ``delta`` (m, P).  Every chamber ``C`` of the ``P`` half (``s_last = +``)
    is yielded together with ``−C``.  Keys are int64 codes of ``(level, T, negated)``,
    independent of how units are batched or sharded; :meth:`signs` rebuilds sign vectors.
    """

    def __init__(
        self,
        normals: np.ndarray,
        seed: int = 20240601,
        exact: Sequence[Sequence[int]] | None = None,
    ) -> None:
        W = np.asarray(normals, dtype=float)
        m, D = W.shape
        if m < D:
            raise NotGeneric(f"{m} hyperplanes in dimension {D}: not essential")
        sv = np.linalg.svd(W, compute_uv=False)
        if sv[-1] < RANK_MARGIN * sv[0]:
            raise NotGeneric("normals do not span parameter space")
        if exact is not None and (len(exact) != m or any(len(e) != D for e in exact)):
            raise ValueError(f"exact normals: expected {m} rows of length {D}")
        self.m, self.D = m, D
        self.W = W
        self.exact = None if exact is None else [[int(v) for v in e] for e in exact]
        rng = np.random.default_rng(seed)
        # The generic functionals are integer vectors (exact in floating point), so every float
        # decision below is an approximation of an exactly defined integer predicate, which
        # :meth:`_kkt` evaluates exactly when the float value is too close to call.
        self.g: list[list[int]] = []
        levels: list[_Level] = []
        Q = np.eye(D)
        u = W[-1].copy()
        Wp = W[:-1]
        for level in range(D):
            dim = D - level
            g_int = [int(v) for v in rng.integers(-(2**20), 2**20, size=D, endpoint=True)]
            self.g.append(g_int)
            g = np.array(g_int, dtype=float)
            phi = Q.T @ g
            phi /= np.linalg.norm(phi)
            Wl = Wp @ Q
            levels.append(_Level(dim, Q, u, phi, Wl, np.linalg.norm(Wl, axis=1)))
            if dim == 1:
                break
            # next subspace: u^⊥ inside V (coordinates), functional −φ restricted there
            _, _, vt = np.linalg.svd(u[None, :])
            Qn = vt[1:].T  # dim × (dim−1)
            un = -(Qn.T @ phi)
            nu = np.linalg.norm(un)
            if nu < MARGIN:
                raise NotGeneric("generic functional degenerate")
            Q = Q @ Qn
            u = un / nu
        self.levels = levels
        # radix for keys
        self._radix = m + 1

    # ---------------------------------------------------------------- work units
    def units(self) -> list[tuple[int, np.ndarray]]:
        """Work units: ``(level, T')`` with ``T'`` an array of (dim−2)-subsets (one row per
        circle) for levels with dim ≥ 2, and the base level with an empty array."""
        out = []
        mm = self.m - 1
        for li, L in enumerate(self.levels):
            if L.dim >= 2:
                r = L.dim - 2
                if r == 0:
                    out.append((li, np.zeros((1, 0), dtype=np.int64)))
                else:
                    combos = np.fromiter(
                        itertools.chain.from_iterable(itertools.combinations(range(mm), r)),
                        dtype=np.int64,
                    ).reshape(-1, r)
                    out.append((li, combos))
            else:
                out.append((li, np.zeros((1, 0), dtype=np.int64)))
        return out

    def n_work(self) -> int:
        return sum(len(t) for _, t in self.units())

    def work_items(
        self, shard: int = 0, num_shards: int = 1, batch: int = 64
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Batches ``(level, T'-rows)`` of this shard's circles (round-robin over circles)."""
        pos = 0
        for li, rows in self.units():
            idx = np.arange(pos, pos + len(rows))
            pos += len(rows)
            mine = rows[(idx % num_shards) == shard]
            for s in range(0, len(mine), batch):
                yield li, mine[s : s + batch]

    # ---------------------------------------------------------------- keys
    def encode(self, level: int, T: np.ndarray, neg: np.ndarray) -> np.ndarray:
        key = np.full(len(T), level, dtype=np.int64)
        for c in range(self.D - 1):
            col = T[:, c] + 1 if c < T.shape[1] else np.zeros(len(T), dtype=np.int64)
            key = key * self._radix + col
        return key * 2 + neg.astype(np.int64)

    def decode(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keys = np.asarray(keys, dtype=np.int64)
        neg = (keys % 2).astype(bool)
        k = keys // 2
        cols = []
        for _ in range(self.D - 1):
            cols.append(k % self._radix - 1)
            k = k // self._radix
        T = np.stack(cols[::-1], axis=1) if cols else np.zeros((len(keys), 0), dtype=np.int64)
        return k, T, neg

    # ---------------------------------------------------------------- sweeping
    def sweep(self, level: int, Tp: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cells of a batch of circles: ``(keys, sums)``, both chambers ``C`` and ``−C``.

        ``delta`` (m, P): per-hyperplane contribution; ``sums`` = Σ over ``s_g = +``.
        """
        L = self.levels[level]
        mm = self.m - 1
        dl = delta[:-1]
        last = delta[-1]
        total = delta.sum(axis=0)
        if L.dim == 1:
            val = L.W[:, 0] * L.u[0]
            if np.any(np.abs(val) <= MARGIN * L.wnorm):
                raise NotGeneric("a hyperplane contains the base line")
            s = val > 0
            sums = (dl * s[:, None]).sum(axis=0) + last
            T = np.full((1, self.D - 1), -1, dtype=np.int64)
            keys = np.concatenate(
                [self.encode(level, T, np.array([False])), self.encode(level, T, np.array([True]))]
            )
            return keys, np.stack([sums, total - sums])
        B = len(Tp)
        r = Tp.shape[1]
        # The circle's basis is accurate to ~eps/σ_min of the D−2 defining normals: every margin
        # below is scaled by 1/σ_min (1 when the circle is a whole 2-D level).
        tol = np.full(B, MARGIN)
        if r == 0:
            E = np.broadcast_to(np.eye(L.dim)[None], (B, 2, 2)).copy()
        else:
            _, sv, vt = np.linalg.svd(L.W[Tp])  # (B, r, dim)
            smin = sv[:, -1] / np.maximum(L.wnorm[Tp].max(axis=1), 1e-300)
            if np.any(smin < RANK_MARGIN):
                raise NotGeneric("D−1 normals nearly dependent")
            tol = MARGIN / np.minimum(smin, 1.0)
            E = vt[:, r:, :]  # (B, 2, dim)
        uE = np.einsum("bkd,d->bk", E, L.u)
        nuE = np.linalg.norm(uE, axis=1)
        if np.any(nuE < MARGIN):
            raise NotGeneric("a circle lies in the counted hyperplane")
        e1 = uE / nuE[:, None]
        f1 = np.stack([-e1[:, 1], e1[:, 0]], axis=1)
        ev = np.einsum("bk,bkd->bd", e1, E)
        fv = np.einsum("bk,bkd->bd", f1, E)
        a = ev @ L.W.T  # (B, mm)
        b = fv @ L.W.T
        inT = np.zeros((B, mm), dtype=bool)
        if r:
            np.put_along_axis(inT, Tp, True, axis=1)
        nab = np.hypot(a, b)
        rel = L.wnorm[None, :]
        tcol = tol[:, None]
        if np.any((nab <= tcol * rel) & ~inT):
            raise NotGeneric("D normals linearly dependent")
        if np.any((np.abs(b) <= tcol * rel) & ~inT):
            raise NotGeneric("a ray lies in the counted hyperplane")
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = np.arctan(-a / b)
        tau = np.where(inT, np.inf, tau)
        order = np.argsort(tau, axis=1, kind="stable")
        ts = np.take_along_axis(tau, order, axis=1)
        nvalid = mm - r
        if nvalid > 1:
            # τ = arctan(−a/b) moves by at most |δ(a, b)|/|(a, b)| for a perturbation δ
            nab_s = np.take_along_axis(nab / rel, order, axis=1)[:, :nvalid]
            err = tcol / np.minimum(nab_s[:, 1:], nab_s[:, :-1])
            gaps = np.diff(ts[:, :nvalid], axis=1)
            if np.any(gaps <= 2 * err):
                raise NotGeneric("three hyperplanes share a ray")
        pos = np.take_along_axis(b > 0, order, axis=1) & ~np.take_along_axis(inT, order, axis=1)
        neg = np.take_along_axis(b < 0, order, axis=1) & ~np.take_along_axis(inT, order, axis=1)
        Ds = dl[order]  # (B, mm, P)
        P = dl.shape[1]
        cpos = np.cumsum(Ds * pos[:, :, None], axis=1)
        prefix_pos = np.concatenate([np.zeros((B, 1, P)), cpos[:, :-1]], axis=1)
        cneg = np.cumsum((Ds * neg[:, :, None])[:, ::-1], axis=1)[:, ::-1]
        suffix_neg = np.concatenate([cneg[:, 1:], np.zeros((B, 1, P))], axis=1)
        base = prefix_pos + suffix_neg  # (B, mm, P) sums just at the crossing, crossing excluded
        maxT = Tp.max(axis=1) if r else np.full(B, -1)
        out = (order > maxT[:, None]) & ~np.take_along_axis(inT, order, axis=1)
        bi, ki = np.nonzero(out)
        if len(bi) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, P))
        j = order[bi, ki]
        T = np.concatenate([Tp[bi], j[:, None]], axis=1)  # sorted: j > max T'
        sel = self._kkt(level, T)
        sums = base[bi, ki] + last
        sums = sums + np.einsum("ct,ctp->cp", sel.astype(float), dl[T])
        full_T = np.full((len(T), self.D - 1), -1, dtype=np.int64)
        full_T[:, : T.shape[1]] = T
        kp = self.encode(level, full_T, np.zeros(len(T), dtype=bool))
        kn = self.encode(level, full_T, np.ones(len(T), dtype=bool))
        return np.concatenate([kp, kn]), np.concatenate([sums, total[None, :] - sums])

    def _kkt(self, level: int, T: np.ndarray) -> np.ndarray:
        """Signs of the multipliers ``α`` in ``φ = λu + Σ_T α_t w_t``, one row per ray (True: +).

        Solved in floating point; a multiplier whose float value is within the error allowance
        of zero is decided exactly instead (:meth:`_exact_alpha_signs`), so the answer is exact
        whenever the enumerator was given the exact normals.
        """
        L = self.levels[level]
        M = np.concatenate(
            [np.broadcast_to(L.u, (len(T), L.dim))[:, :, None], np.transpose(L.W[T], (0, 2, 1))],
            axis=2,
        )
        sol = np.linalg.solve(M, np.broadcast_to(L.phi, (len(T), L.dim))[:, :, None])[:, :, 0]
        # Multipliers for unit normals, and an error allowance from the conditioning of the
        # column-normalised system: σ_min ≥ |det| / √dim^(dim−1) for unit columns.
        alpha = sol[:, 1:] * L.wnorm[T]
        Mn = M / np.linalg.norm(M, axis=1, keepdims=True)
        det = np.abs(np.linalg.det(Mn))
        cond = np.sqrt(L.dim) ** (L.dim - 1) / np.maximum(det, 1e-300)
        scale = np.maximum(1.0, np.abs(sol[:, :1])) * np.maximum(
            1.0, np.abs(alpha).max(axis=1, keepdims=True)
        )
        tol = np.maximum(MARGIN, 1e-13 * cond)[:, None]
        pos = alpha > 0
        unsure = np.flatnonzero(np.any(np.abs(alpha) <= tol * scale, axis=1))
        if len(unsure):
            if self.exact is None:
                raise NotGeneric("generic functional orthogonal to an edge")
            for c in unsure:
                pos[c] = self._exact_alpha_signs(level, T[c])
        return pos

    def _exact_alpha_signs(self, level: int, T: np.ndarray) -> np.ndarray:
        """Exact signs of the multipliers α_t for one ray of ``level`` (Cramer's rule).

        In full coordinates the level's subspace is ``V = c^⊥`` for ``c = (z_last, g_0, …,
        g_{level−2})``, its counted functional is ``u = z_last`` (level 0) or ``−g_{level−1}``,
        and the multipliers solve the square integer system ``g_level = λu + Σ_T α_t z_t +
        Σ_j μ_j c_j``.  Every float quantity of the level is a positive multiple of the exact
        one, so ``sign α_t = sign det M_t · sign det M`` with ``M_t`` the matrix with column
        ``z_t`` replaced by ``g_level``.
        """
        ex = self.exact
        u = ex[-1] if level == 0 else [-v for v in self.g[level - 1]]
        comp = [ex[-1], *self.g[: level - 1]] if level else []
        cols = [u] + [ex[int(t)] for t in T] + comp
        rows = [list(r) for r in zip(*cols, strict=True)]
        det = int_det(rows)
        if det == 0:
            raise NotGeneric("D normals linearly dependent (exact)")
        out = np.zeros(len(T), dtype=bool)
        for a in range(len(T)):
            cols_a = list(cols)
            cols_a[1 + a] = self.g[level]
            det_a = int_det([list(r) for r in zip(*cols_a, strict=True)])
            if det_a == 0:
                raise NotGeneric("generic functional orthogonal to an edge (exact)")
            out[a] = (det_a > 0) == (det > 0)
        return out

    # ---------------------------------------------------------------- reconstruction
    def signs(self, keys: np.ndarray) -> np.ndarray:
        """Sign vectors (bool, True = +) of the chambers with the given keys, shape (c, m)."""
        level, T, neg = self.decode(keys)
        out = np.zeros((len(keys), self.m), dtype=bool)
        for li in np.unique(level):
            sel = np.nonzero(level == li)[0]
            L = self.levels[int(li)]
            r = L.dim - 1
            if r == 0:
                val = L.W[:, 0] * L.u[0]
                s = np.broadcast_to(val > 0, (len(sel), self.m - 1))
            else:
                Ts = T[sel, :r]
                _, _, vt = np.linalg.svd(L.W[Ts])
                ray = vt[:, -1, :]
                ray = ray * np.sign(ray @ L.u)[:, None]
                s = (ray @ L.W.T) > 0
                s = s.copy()
                np.put_along_axis(s, Ts, self._kkt(int(li), Ts), axis=1)
            out[sel, :-1] = s
            out[sel, -1] = True
        out[neg] = ~out[neg]
        return out
