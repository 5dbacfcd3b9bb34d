"""The fused compiled sweep (importing this module imports numba): circles to kept pairs.

:func:`sweep_pairs` runs, for a batch of circles, every step between a circle's frame and the
(cell, output sign) pairs the single-unit search keeps, without intermediate arrays: the
crossings and their margin checks (:meth:`.arrangement.generic.GenericEnumerator._crossings`),
their angular order, the running sums (:func:`._compiled.circle_sums`), each ray's multiplier
signs (:func:`._compiled.kkt_ray`, with the allowance test of ``_kkt``), the sign-aware
least-squares bounds of both chambers ``±C`` (:func:`._compiled.ldl_row`), their error
allowance (:func:`.halfspace.halfspace_allowance`) and the drop test of
:func:`.single._bound_single`, with the trivial test before the multipliers and before the
factorisation (:meth:`.algebra._Setup.trivial_bounds`).  Each step is the same arithmetic as
its numpy reference; the chambers whose reference takes another route are *flagged* instead (a
multiplier too close to call, fewer than ``2D`` active points, a factorisation that is not
good): the caller computes
those from their sign vectors by the reference code.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from exactfit.solvers.enumeration._compiled import kkt_ray, ldl_factor, ldl_rhs, ldl_trace

__all__ = ["active_sums", "allowance", "circle_keys", "ray_signs", "sweep_pairs"]

_jit = numba.njit(cache=True, nogil=True)


@_jit
def allowance(kappa, gn, g8, D):  # pragma: no cover - compiled
    """:func:`.halfspace.halfspace_allowance` of one condition number, with ``gn = γ_{n+3}``
    and ``g8 = γ_{8D}`` computed by the caller (``inf`` when ``η ≥ 1/2``)."""
    eta = (gn * D + 10.0 * D * D * 2.0**-53) * kappa
    if not eta < 0.5:
        return np.inf
    return eta / (1.0 - eta) + 2.0 * gn * np.sqrt(D * kappa) + g8


@_jit
def circle_keys(circ, geom):  # pragma: no cover - compiled
    """Every circle's crossings with ``_crossings``' first two margin tests, unsorted:
    ``(err, tau, nabr, bs, keys)``, per circle ``c`` and normal ``j`` the angle ``tau``, ``nabr
    = |(a, b)|/‖w‖`` and ``bs = b``, and per circle the ``mm − r`` sort keys of its crossings
    (its own normals excluded): ``τ + π/2 ∈ [0, π]`` in fixed point above the index bits, so
    sorting the keys (numpy's integer sort, several times numba's ``argsort``) sorts the
    crossings by angle.  An order the fixed point gets wrong is not monotone in ``τ``, so it
    has a consecutive pair with a gap ``≤ 0``, which the gap test of :func:`sweep_pairs`
    rejects as it rejects crossings closer than ``2e`` (``e ≥ MARGIN = 10⁻¹¹``, far above the
    resolution ``π·2^{b−60}`` while ``mm < 2²⁰``)."""
    ev, fv, tol, Tp = circ
    W, wnorm = geom[0], geom[1]
    B, r = Tp.shape
    mm, dim = W.shape
    bits = 1
    while (1 << bits) < mm:
        bits += 1
    scale = 2.0 ** (60 - bits)
    tau, nabr, bs = np.empty((B, mm)), np.empty((B, mm)), np.empty((B, mm))
    keys = np.empty((B, mm - r), np.int64)
    inT = np.zeros(mm, np.bool_)
    for c in range(B):
        for t in range(r):
            inT[Tp[c, t]] = True
        tc = tol[c]
        nval = 0
        for j in range(mm):
            if inT[j]:
                continue
            a = 0.0
            b = 0.0
            for k in range(dim):
                a += ev[c, k] * W[j, k]
                b += fv[c, k] * W[j, k]
            nab = math.hypot(a, b)
            if nab <= tc * wnorm[j]:
                return 1, tau, nabr, bs, keys
            if abs(b) <= tc * wnorm[j]:
                return 2, tau, nabr, bs, keys
            tj = np.arctan(-a / b)
            tau[c, j], nabr[c, j], bs[c, j] = tj, nab / wnorm[j], b
            keys[c, nval] = (np.int64((tj + math.pi / 2) * scale) << bits) | j
            nval += 1
        for t in range(r):
            inT[Tp[c, t]] = False
    return 0, tau, nabr, bs, keys


@_jit
def _ray_multipliers(u, W, T, phi, wnorm, margin, M, x, sol, sel):  # pragma: no cover
    """``_kkt`` for one ray: writes the multiplier signs ``sel`` and returns ``unsure`` (a
    multiplier within its allowance of 0, or a singular system)."""
    dim = u.shape[0]
    r = T.shape[0]
    det = kkt_ray(u, W, T, phi, M, x, sol)
    cond = np.sqrt(dim) ** (dim - 1) / max(det, 1e-300)
    amax = 0.0
    for t in range(r):
        amax = max(amax, abs(sol[t + 1] * wnorm[T[t]]))
    tl = max(margin, 1e-13 * cond) * max(1.0, abs(sol[0])) * max(1.0, amax)
    unsure = det == 0.0
    for t in range(r):
        al = sol[t + 1] * wnorm[T[t]]
        unsure = unsure or abs(al) <= tl
        sel[t] = al > 0
    return unsure


@_jit
def _row_raise(q, a, rows, sg, D, L, d, uu, scale, ur):  # pragma: no cover - compiled
    """``max_r ((r·θ̂)⁻)²/(rᵀG⁻¹r)`` over the oriented rows ``sg·rows`` for ``θ̂ = G⁻¹g``,
    ``g = a·H[q]``, from a good :func:`._compiled.ldl_factor` and ``uu[q] = L⁻¹H[q]``
    (:func:`._compiled.ldl_rhs`): with ``ur = L⁻¹r``, ``rᵀS⁻¹g = Σ ur·uu[q]/d`` and
    ``rᵀS⁻¹r = Σ ur²/d`` (``G = scale·S``), Lemma H's raise is their ratio over ``scale``."""
    best = 0.0
    for k in range(rows.shape[0]):
        num = 0.0
        den = 0.0
        for j in range(D):
            v = sg * rows[k, j]
            for i in range(j):
                v -= L[j, i] * ur[i]
            ur[j] = v
            num += v * uu[q, j] / d[j]
            den += v * v / d[j]
        num *= a
        if num < 0.0 and den > 0.0:
            best = max(best, num * num / (den * scale))
    return best


@_jit
def _chamber_pairs(sv, key, bnd, colv, work, keys, vidx, bounds, n):  # pragma: no cover
    """The kept pairs of one chamber with active sums ``sv``, appended from ``n``: returns
    the new ``n``, or ``-1`` when the chamber must be flagged (few points, not good).  The
    trivial test runs first (its allowance ``ta`` is absolute, so it holds for few points
    too): a chamber it drops for every output sign is not factorised."""
    iu0, iu1, D, Y, trace_all, gn, g8, cap, tcol, ta = bnd
    S, L, d, H, uu, X, vals, tkeep, rows, sgn, ur = work
    some = False
    for vi in range(colv.shape[0]):
        tkeep[vi] = (Y - sv[tcol + colv[vi]]) - ta <= cap
        some = some or tkeep[vi]
    if not some:
        return n
    if sv[sv.shape[0] - 1] < 2 * D - 0.5:  # few active points: direct sums (the caller)
        return -1
    good, scale = ldl_factor(sv, iu0, iu1, D, S, L, d, H)
    if not good:
        return -1
    tinv = ldl_trace(D, L, d, X, scale)  # ldl_row's steps, the sign-aware ones on demand
    kappa = trace_all * tinv if np.isfinite(tinv) else np.inf
    al = allowance(kappa, gn, g8, D)
    plain = ldl_rhs(0, D, L, d, H, uu, scale)
    fin = np.isfinite(al)
    # every pair's bound is at least Y − plain (float subtraction is monotone): dropped
    if fin and (Y - plain) - al * Y > cap:
        return n
    vals[1] = vals[2] = np.nan
    for vi in range(colv.shape[0]):
        if not tkeep[vi]:
            continue
        q = 1 + colv[vi]
        if np.isnan(vals[q]):
            vals[q] = ldl_rhs(q, D, L, d, H, uu, scale)
        bd = Y - min(plain, vals[q])
        if not fin or bd - al * Y <= cap:
            if fin:  # Lemma H on the rows at hand (the ray's own and the last), allowance 8α
                a = 1.0 if colv[vi] == 0 else -1.0
                sg = sgn[0]
                up = Y - plain + _row_raise(0, a, rows, sg, D, L, d, uu, scale, ur)
                up = max(up, Y - vals[q] + _row_raise(q, 1.0, rows, sg, D, L, d, uu, scale, ur))
                if up - 8.0 * al * Y > cap:
                    continue
            keys[n] = key
            vidx[n] = vi
            bounds[n] = bd
            n += 1
    return n


@_jit
def _ray_dropped(s, dl, T, total, base, bnd, colv):  # pragma: no cover - compiled
    """Whether the trivial test drops both chambers of the ray ``T`` for every output sign
    whatever the ray's multiplier signs: ``s`` is the ``+`` chamber's sum before its own
    normals ``T`` are added, so its trivial column is at most ``s + Σ_t (Δ_t)⁺`` and the
    ``−`` chamber's at most ``total − s − Σ_t min(Δ_t, 0)`` (then ``+ base``); a larger active sum
    is a smaller bound."""
    Y, cap, tcol, ta = bnd[3], bnd[7], bnd[8], bnd[9]
    for vi in range(colv.shape[0]):
        p = tcol + colv[vi]
        up = s[p]
        dn = s[p]
        for t in range(T.shape[0]):
            v = dl[T[t], p]
            if v > 0:
                up += v
            else:
                dn += v
        if (Y - (up + base[p])) - ta <= cap or (Y - ((total[p] - dn) + base[p])) - ta <= cap:
            return False
    return True


@_jit
def _encode(level, T, radix, Denc):  # pragma: no cover - compiled
    """:meth:`.arrangement.generic.GenericEnumerator.encode` of the ``+`` chamber of ray
    ``T`` (its ``−`` twin is the key plus 1)."""
    key = level
    for q in range(Denc - 1):
        key = key * radix + (T[q] + 1 if q < T.shape[0] else 0)
    return key * 2


@_jit
def _gaps_ok(c, o, tol, cross):  # pragma: no cover - compiled
    """``_crossings``' third test on circle ``c`` in the order ``o``: consecutive angles more
    than ``2e`` apart (``e`` the margin over the smaller ``|(a, b)|/‖w‖``)."""
    tau, nabr = cross[0], cross[1]
    for k in range(o.shape[0] - 1):
        e = tol[c] / min(nabr[c, o[k + 1]], nabr[c, o[k]])
        if tau[c, o[k + 1]] - tau[c, o[k]] <= 2 * e:
            return False
    return True


@_jit
def _circle_pairs(c, o, T, cross, geom, sums_in, bnd, colv, bufs, out, n, nf):  # pragma: no cover
    """The rays of circle ``c`` (crossings in order ``o``, ``T[:r]`` its own normals): their
    chambers' kept pairs and flagged keys appended to ``out`` from ``n`` and ``nf``.  Returns
    ``(n, nf, chambers)``."""
    bs = cross[2]
    W, wnorm, u, phi, level, radix, Denc, margin, Nl = geom
    dl, last, total, base = sums_in
    acc, N, s, sv, sel, M, x, sol, work = bufs
    keys, vidx, bounds, flagged = out
    P = dl.shape[1]
    tcol = bnd[8]
    r = T.shape[0] - 1
    maxT = -1  # a ray is counted on the circle of its smaller normals only
    for t in range(r):
        maxT = max(maxT, T[t])
    acc[:] = 0.0
    N[:] = 0.0
    for j in o:
        if bs[c, j] < 0:
            for p in range(P):
                N[p] += dl[j, p]
    chambers = 0
    for j in o:
        w = 1.0 if bs[c, j] > 0 else -1.0
        for p in range(P):
            acc[p] += dl[j, p] * w
        if j <= maxT:
            continue
        pos = 1.0 if bs[c, j] > 0 else 0.0
        T[r] = j
        chambers += 2
        for p in range(tcol, tcol + 2):  # the trivial columns first: most rays stop here
            s[p] = acc[p] - pos * dl[j, p] + N[p] + last[p]
        if _ray_dropped(s, dl, T, total, base, bnd, colv):
            continue
        for p in range(P):
            s[p] = acc[p] - pos * dl[j, p] + N[p] + last[p]
        key = _encode(level, T, radix, Denc)
        if _ray_multipliers(u, W, T, phi, wnorm, margin, M, x, sol, sel):
            flagged[nf], flagged[nf + 1] = key, key + 1  # decided exactly by the caller
            nf += 2
            continue
        rows, sgn = work[8], work[9]
        for t in range(r + 1):
            side = 1.0 if sel[t] else -1.0  # the + chamber's side of its own normals
            for k in range(Nl.shape[1]):
                rows[t, k] = side * Nl[T[t], k]
            if sel[t]:
                for p in range(P):
                    s[p] += dl[T[t], p]
        for neg in range(2):
            sgn[0] = -1.0 if neg else 1.0  # the − chamber is the + one negated
            for p in range(P):
                sv[p] = ((total[p] - s[p]) if neg else s[p]) + base[p]
            got = _chamber_pairs(sv, key + neg, bnd, colv, work, keys, vidx, bounds, n)
            if got < 0:
                flagged[nf] = key + neg
                nf += 1
            else:
                n = got
    return n, nf, chambers


@_jit
def sweep_pairs(circ, cross, geom, sums_in, bnd, colv, start, capacity):  # pragma: no cover
    """Kept pairs of circles ``start, start+1, …`` until ``capacity`` could overflow.

    ``circ = (ev, fv, tol, Tp)``: per circle its frame vectors, margin and own normals;
    ``cross = (tau, nabr, bs, order)``: :func:`circle_keys`' crossings, ``order`` (B, mm − r)
    each circle's crossings by angle; ``geom = (W, wnorm, u, phi, level, radix, Denc,
    margin, normals)``: the level's projected normals, counted and generic functionals, the
    key radix, the enumerator's dimension and its normals in lifted coordinates (for the
    rows of Lemma H); ``sums_in = (dl, last, total, base)``: the per-hyperplane
    sums; ``bnd = (iu0, iu1, D, Y, trace_all, gn, g8, cap, tcol, ta)`` (``tcol``: the column
    of ``c·y⁺²`` in the sums, ``ta``: the trivial bound's allowance times ``Y``); ``colv``:
    per output sign of the group, 0 for ``a = +1`` and 1 for ``a = −1``.

    Returns ``(err, next, n, keys, vidx, bounds, nf, flagged, chambers)``: ``err`` 0, or 3
    for ``_crossings``' third ``NotGeneric`` test (output void); ``next`` the first circle not
    done; ``n`` kept pairs (key, index into ``colv``, bound); ``nf`` flagged keys."""
    tol, Tp = circ[2], circ[3]
    order = cross[3]
    dl = sums_in[0]
    D = bnd[2]
    B, r = Tp.shape
    mm, dim = geom[0].shape
    P = dl.shape[1]
    out = (np.empty(capacity, np.int64), np.empty(capacity, np.int64), np.empty(capacity))
    out = (*out, np.empty(capacity, np.int64))
    T = np.empty(r + 1, np.int64)
    work = (np.empty((D, D)), np.zeros((D, D)), np.empty(D), np.empty((3, D)))
    work = (*work, np.empty((3, D)), np.zeros((D, D)), np.empty(3))
    work = (*work, np.empty(colv.shape[0], np.bool_))
    # the rows Lemma H uses in the kernel: the ray's own normals and the last hyperplane's
    Nl = geom[8]
    rows = np.empty((r + 2, Nl.shape[1]))
    rows[r + 1] = Nl[Nl.shape[0] - 1]  # s_last = + on every + chamber
    work = (*work, rows, np.empty(1), np.empty(D))
    bufs = (np.empty(P), np.empty(P), np.empty(P), np.empty(P), np.empty(r + 1, np.bool_))
    bufs = (*bufs, np.empty((dim, dim)), np.empty(dim), np.empty(dim), work)
    n = nf = chambers = 0
    c = start
    while c < B and n + 2 * mm * colv.shape[0] <= capacity and nf + 2 * mm <= capacity:
        if not _gaps_ok(c, order[c], tol, cross):
            return 3, c, 0, out[0], out[1], out[2], 0, out[3], 0
        for t in range(r):
            T[t] = Tp[c, t]
        n, nf, got = _circle_pairs(
            c, order[c], T, cross, geom, sums_in, bnd, colv, bufs, out, n, nf
        )
        chambers += got
        c += 1
    return 0, c, n, out[0], out[1], out[2], nf, out[3], chambers


@_jit
def _null_vector(A, V, out):  # pragma: no cover - compiled
    """A unit vector ``out`` orthogonal to the ``r = dim − 1`` rows of ``A`` (destroyed):
    Householder reflections ``H_1…H_r`` with ``H_r⋯H_1 Aᵀ`` upper triangular, and
    ``out = H_1⋯H_r e_dim`` — backward stable, like the SVD the numpy route takes (a different
    sign or last bits only; every sign read off the ray clears a margin far above that)."""
    r, dim = A.shape
    for k in range(r):
        nrm = 0.0
        for i in range(k, dim):
            nrm += A[k, i] * A[k, i]
        nrm = np.sqrt(nrm)
        alpha = -nrm if A[k, k] >= 0 else nrm
        for i in range(dim):
            V[k, i] = 0.0
        V[k, k] = A[k, k] - alpha
        for i in range(k + 1, dim):
            V[k, i] = A[k, i]
        vn = 0.0
        for i in range(k, dim):
            vn += V[k, i] * V[k, i]
        if vn > 0:
            for i in range(k, dim):
                V[k, i] /= np.sqrt(vn)
        for j in range(k + 1, r):  # reflect the remaining rows
            dot = 0.0
            for i in range(k, dim):
                dot += V[k, i] * A[j, i]
            for i in range(k, dim):
                A[j, i] -= 2.0 * dot * V[k, i]
    for i in range(dim):
        out[i] = 0.0
    out[dim - 1] = 1.0
    for k in range(r - 1, -1, -1):
        dot = 0.0
        for i in range(k, dim):
            dot += V[k, i] * out[i]
        for i in range(k, dim):
            out[i] -= 2.0 * dot * V[k, i]


@_jit
def ray_signs(T, W, u, phi, wnorm, margin):  # pragma: no cover - compiled
    """:meth:`.arrangement.generic.GenericEnumerator.signs` for the rays ``T`` (c, dim−1) of
    one level: ``(signs (c, mm), unsure (c,))``, the ray (the null vector of ``W[T]``,
    :func:`_null_vector`) oriented by ``u``, the sign of each other normal on it, and the
    multiplier signs on ``T`` (:meth:`._kkt`'s float test); ``unsure``: a multiplier too
    close to call (the caller decides that row exactly)."""
    C, r = T.shape
    mm, dim = W.shape
    signs = np.zeros((C, mm), np.bool_)
    unsure = np.zeros(C, np.bool_)
    A = np.empty((r, dim))
    V = np.empty((r, dim))
    ray = np.empty(dim)
    M = np.empty((dim, dim))
    x = np.empty(dim)
    sol = np.empty(dim)
    sel = np.empty(r, np.bool_)
    for c in range(C):
        for t in range(r):
            for k in range(dim):
                A[t, k] = W[T[c, t], k]
        _null_vector(A, V, ray)
        o = 0.0
        for k in range(dim):
            o += ray[k] * u[k]
        if o < 0:
            ray[:] = -ray
        elif o == 0:  # as numpy's sign(0): the zero ray, every sign False
            ray[:] = 0.0
        for j in range(mm):
            v = 0.0
            for k in range(dim):
                v += ray[k] * W[j, k]
            signs[c, j] = v > 0
        unsure[c] = _ray_multipliers(u, W, T[c], phi, wnorm, margin, M, x, sol, sel)
        for t in range(r):
            signs[c, T[c, t]] = sel[t]
    return signs, unsure


@_jit
def active_sums(signs, group, orient, F):  # pragma: no cover - compiled
    """``hp.active(signs) @ F`` (B, P): each row the sum of the feature rows of its active
    points (``orient_i·s_{group_i} = +1``), the same ``n``-term sums in index order."""
    B = signs.shape[0]
    n, P = F.shape
    out = np.zeros((B, P))
    for c in range(B):
        for i in range(n):
            g = group[i]
            if g >= 0 and orient[i] != 0 and signs[c, g] == (orient[i] > 0):
                for p in range(P):
                    out[c, p] += F[i, p]
    return out
