"""Exact chamber enumeration of a central arrangement with integer normals (any data).

Incremental deletion–restriction with interior witness points: adding hyperplane ``H`` splits
exactly the chambers met by ``H``, which correspond one-to-one to the chambers of the
arrangement restricted to ``H`` (computed recursively, one dimension lower); every other
chamber keeps the side of its witness.  The plane is a base case (exactly verified angular
sort); cut chambers are found by a verified hash of their sign vectors; witnesses are kept
small by exactly checked rounding; repeated restrictions are memoised.  Integers are int64
under proven bounds, Python ints beyond (:mod:`.intarray`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from exactfit.solvers.enumeration.arrangement.hyperplanes import _primitive
from exactfit.solvers.enumeration.arrangement.intarray import (
    _as_exact,
    _cross2,
    _mul,
    _row_gcd_shrink,
    _sign,
)

__all__ = ["exact_chambers"]

#: Restricted arrangements with at most this many sign entries are memoised.
_CACHE_ENTRY_MAX = 2**16
#: … and at most this many of them are kept (bounds the memory at a few hundred MB).
_CACHE_LEN = 2048
_FALLBACKS = [0]  # number of exact (hash-free) lookups, for tests and benchmarks
#: Seed of the random 64-bit weights hashing sign vectors (matches are always verified).
_HASH_SEED = 20240611


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
        basis = _perp_basis(z, normals.dtype)
        restricted = _mul(before, basis.T)  # (k, dim−1)
        _, sub_wit = _chambers_any(restricted, dim - 1, check, cache)
        q = _mul(sub_wit, basis)  # (r, dim): interior points of the restricted chambers
        zcol = z.reshape(-1, 1)
        num, den, keys_cut = _step_ratio(q, before, zcol)
        plus, minus = _split_witnesses(q, num, den, z)
        if k:
            upto = normals[: k + 1]
            plus = _shrink(plus, upto, np.hstack([keys_cut, np.ones((len(q), 1), np.int8)]))
            minus = _shrink(minus, upto, np.hstack([keys_cut, -np.ones((len(q), 1), np.int8)]))
        r = len(q)
        signs, H, wit = _grow(signs, H, wit, C, r)
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


def _perp_basis(z: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Integer basis of ``z^⊥`` (rows): ``e_l·z_a − e_a·z_l`` for ``l ≠ a`` (``a`` = first
    nonzero coordinate of ``z``)."""
    dim = len(z)
    a = int(np.flatnonzero(z != 0)[0])
    basis = np.zeros((dim - 1, dim), dtype=dtype)
    others = [c for c in range(dim) if c != a]
    for r, c in enumerate(others):
        basis[r, c] = z[a]
        basis[r, a] = -z[c]
    return _as_exact(basis)


def _step_ratio(
    q: np.ndarray, before: np.ndarray, zcol: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(num, den, keys_cut)``: a step ``ε = num/den`` per interior point ``q`` of a
    restricted chamber such that ``q ± εz`` keeps every sign of ``q`` against the earlier
    normals ``before``, and those signs (``keys_cut``, the cut chamber's sign vector)."""
    if len(before) == 0:
        num = np.ones(len(q), dtype=np.int64)
        den = np.full(len(q), 1, dtype=np.int64)
        keys_cut = np.zeros((len(q), 0), dtype=np.int8)
        return num, den, keys_cut
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
        return num, den, keys_cut
    try:
        with np.errstate(over="raise", under="ignore"):
            ratio = absv[:, nz].astype(float) / absz[nz].astype(float)[None, :]
        if not np.all(np.isfinite(ratio)):
            raise OverflowError
        j = nz[np.argmin(ratio, axis=1)]
    except (OverflowError, FloatingPointError):  # beyond float range: exact
        j = np.array(
            [min(nz, key=lambda t, row=row: Fraction(int(row[t]), int(absz[t]))) for row in absv]
        )
    num = absv[np.arange(len(q)), j]
    den = 2 * absz[j]
    return num, den, keys_cut


def _split_witnesses(
    q: np.ndarray, num: np.ndarray, den: np.ndarray, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Witnesses of the two halves ``±`` of each cut chamber, rows divided by their gcd.

    They are ``c·q ± z`` with the integer ``c = ⌈den/num⌉ ≥ 1/ε``, i.e. ``q ± ε'z`` with
    ``0 < ε' = 1/c ≤ ε``: every old sign is kept, and entries stay about ``|q|`` (whereas
    ``den·q ± num·z`` would multiply them by ``den`` at every step)."""
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
    return _row_gcd_shrink(_as_exact(plus)), _row_gcd_shrink(_as_exact(minus))


def _grow(
    signs: np.ndarray, H: np.ndarray, wit: np.ndarray, C: int, r: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chamber rows (signs, hashes, witnesses; ``C`` in use) with room for ``r`` more:
    the capacity is doubled until they fit (the same arrays when they already do)."""
    cap = len(signs)
    if C + r <= cap:
        return signs, H, wit
    while C + r > cap:
        cap *= 2
    grown = np.zeros((cap, signs.shape[1]), dtype=np.int8, order="F")
    grown[:C] = signs[:C]
    H = np.concatenate([H, np.zeros(cap - len(H), dtype=np.uint64)])
    wit = np.concatenate([wit, np.zeros((cap - len(wit), wit.shape[1]), dtype=wit.dtype)])
    return grown, H, wit


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
        prim, sign = _primitive([int(x) for x in v])
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
    if not distinct:
        return np.zeros((1, len(vectors)), dtype=np.int8), _as_exact(np.zeros((1, dim)))
    signs, wit = _chambers_distinct(_as_exact(np.array(distinct, dtype=object)), check)
    g = np.array(group, dtype=np.int64)
    o = np.array(orient, dtype=np.int8)
    return (signs[:, g] * o[None, :]).astype(np.int8), wit


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
