"""The compiled kernels of :mod:`.kernels` (importing this module imports numba).

See :mod:`.kernels` for what each one transcribes and when they are used.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "circle_sums",
    "halfspace_increase",
    "kkt_ray",
    "kkt_solve",
    "ldl_factor",
    "ldl_rhs",
    "ldl_row",
    "ldl_trace",
    "ldl_values",
]

_jit = numba.njit(cache=True, nogil=True)


@_jit
def circle_sums(order, b, inT, maxT, dl, last):  # pragma: no cover - compiled
    """``(rows (cells,), js (cells,), sums (cells, P))`` for circles ``order`` (B, mm):
    per circle the crossings ``k`` after its own normals (``order > maxT``), in circle then
    crossing order, with ``sums = Σ_{l<k} pos_l Δ_l + Σ_{l>k} neg_l Δ_l + last``."""
    B, mm = order.shape
    P = dl.shape[1]
    count = 0
    for c in range(B):
        for k in range(mm):
            j = order[c, k]
            if j > maxT[c] and not inT[c, j]:
                count += 1
    rows = np.empty(count, np.int64)
    js = np.empty(count, np.int64)
    sums = np.empty((count, P))
    acc = np.empty(P)
    N = np.empty(P)
    out = 0
    for c in range(B):
        for p in range(P):
            N[p] = 0.0
            acc[p] = 0.0
        for j in range(mm):
            if b[c, j] < 0 and not inT[c, j]:
                for p in range(P):
                    N[p] += dl[j, p]
        for k in range(mm):
            j = order[c, k]
            if inT[c, j]:
                continue
            w = 1.0 if b[c, j] > 0 else (-1.0 if b[c, j] < 0 else 0.0)
            for p in range(P):
                acc[p] += dl[j, p] * w
            if j > maxT[c]:
                pos = 1.0 if b[c, j] > 0 else 0.0
                for p in range(P):
                    sums[out, p] = acc[p] - pos * dl[j, p] + N[p] + last[p]
                rows[out] = c
                js[out] = j
                out += 1
    return rows, js, sums


@_jit
def kkt_ray(u, W, T, phi, M, x, sol):  # pragma: no cover - compiled
    """One ray system of :func:`kkt_solve`: writes ``sol`` of ``M x = φ`` with
    ``M = [u, W[T]ᵀ]`` and returns ``|det|`` of ``M`` with unit columns (0 when a pivot
    vanishes; ``sol`` is then undefined).  ``M``, ``x``: work arrays (dim, dim), (dim,)."""
    dim = u.shape[0]
    r = T.shape[0]
    cn = 1.0
    for i in range(dim):
        M[i, 0] = u[i]
    s = 0.0
    for i in range(dim):
        s += u[i] * u[i]
    cn *= np.sqrt(s)
    for t in range(r):
        s = 0.0
        for i in range(dim):
            M[i, t + 1] = W[T[t], i]
            s += M[i, t + 1] * M[i, t + 1]
        cn *= np.sqrt(s)
    for i in range(dim):
        x[i] = phi[i]
    dv = 1.0
    for k in range(dim):
        piv = k
        for i in range(k + 1, dim):
            if abs(M[i, k]) > abs(M[piv, k]):
                piv = i
        if M[piv, k] == 0.0:
            return 0.0
        if piv != k:
            for q in range(dim):
                M[k, q], M[piv, q] = M[piv, q], M[k, q]
            x[k], x[piv] = x[piv], x[k]
        dv *= M[k, k]
        for i in range(k + 1, dim):
            f = M[i, k] / M[k, k]
            for q in range(k, dim):
                M[i, q] -= f * M[k, q]
            x[i] -= f * x[k]
    for k in range(dim - 1, -1, -1):
        s = x[k]
        for q in range(k + 1, dim):
            s -= M[k, q] * sol[q]
        sol[k] = s / M[k, k]
    return abs(dv) / cn


@_jit
def kkt_solve(u, W, T, phi):  # pragma: no cover - compiled
    """Per row ``c``: ``sol`` of ``M x = φ`` with ``M = [u, W[T[c]]ᵀ]`` and ``|det|`` of
    ``M`` with unit columns (0 when a pivot vanishes)."""
    C = T.shape[0]
    dim = u.shape[0]
    sol = np.zeros((C, dim))
    det = np.zeros(C)
    M = np.empty((dim, dim))
    x = np.empty(dim)
    row = np.empty(dim)
    for c in range(C):
        dv = kkt_ray(u, W, T[c], phi, M, x, row)
        if dv == 0.0:
            continue
        sol[c] = row
        det[c] = dv
    return sol, det


@_jit
def ldl_factor(row, iu0, iu1, D, S, L, d, H):  # pragma: no cover - compiled
    """The factorisation step of :func:`ldl_row`: ``S = LDLᵀ`` of the scaled Gram matrix of
    ``row`` and its three right-hand sides ``H``; returns ``(good, scale)``."""
    nt = iu0.shape[0]
    scale = -np.inf
    for t in range(nt):
        if iu0[t] == iu1[t] and row[t] > scale:
            scale = row[t]
    scale = max(scale, 1e-300)
    for t in range(nt):
        v = row[t] / scale
        S[iu0[t], iu1[t]] = v
        S[iu1[t], iu0[t]] = v
    for i in range(D):
        H[0, i] = row[nt + i]
        H[1, i] = row[nt + D + i]
        H[2, i] = row[nt + D + i] - row[nt + i]
    for j in range(D):
        s = 0.0
        for k in range(j):
            s += L[j, k] * L[j, k] * d[k]
        d[j] = S[j, j] - s
        safe = d[j] if d[j] > 0 else 1.0
        for i in range(j + 1, D):
            s = 0.0
            for k in range(j):
                s += L[i, k] * L[j, k] * d[k]
            L[i, j] = (S[i, j] - s) / safe
    ok = True
    prod = 1.0
    for j in range(D):
        ok = ok and d[j] > 0
        prod *= d[j]
    return ok and prod > 1e-9, scale


@_jit
def ldl_rhs(q, D, L, d, H, u, scale):  # pragma: no cover - compiled
    """``hᵀS⁻¹h/scale`` for right-hand side ``q`` of a good :func:`ldl_factor`."""
    tot = 0.0
    for j in range(D):
        s = 0.0
        for k in range(j):
            s += L[j, k] * u[q, k]
        u[q, j] = H[q, j] - s
        tot += u[q, j] * u[q, j] / d[j]
    return tot / scale


@_jit
def ldl_trace(D, L, d, X, scale):  # pragma: no cover - compiled
    """``tr S⁻¹/scale`` of a good :func:`ldl_factor` (``S⁻¹ = L⁻ᵀD⁻¹L⁻¹``)."""
    tr = 0.0
    for j in range(D):
        X[j, j] = 1.0
        for i in range(j):
            s = 0.0
            for k in range(i, j):
                s += L[j, k] * X[k, i]
            X[j, i] = -s
        acc = 0.0
        for i in range(j + 1):
            acc += X[j, i] * X[j, i]
        tr += acc / d[j]
    return tr / scale


@_jit
def ldl_row(row, iu0, iu1, D, S, L, d, H, u, X, vals):  # pragma: no cover - compiled
    """One row of :func:`ldl_values`: writes ``vals`` (3,) and returns ``(good, tr S⁻¹/scale)``
    (``inf`` when not good).  ``S, L, X`` (D, D), ``d`` (D,), ``H, u`` (3, D): work arrays."""
    good, scale = ldl_factor(row, iu0, iu1, D, S, L, d, H)
    if not good:
        for q in range(3):
            vals[q] = 0.0
        return False, np.inf
    for q in range(3):
        vals[q] = ldl_rhs(q, D, L, d, H, u, scale)
    return True, ldl_trace(D, L, d, X, scale)


@_jit
def ldl_values(sums, iu0, iu1, D):  # pragma: no cover - compiled
    """``(values (B, 3), good (B,), tr S⁻¹/scale (B,))`` of :func:`.cellqp.ls_values` for
    the right-hand sides ``h, h₊, h₊ − h`` of each row of active sums."""
    B = sums.shape[0]
    vals = np.zeros((B, 3))
    good = np.zeros(B, np.bool_)
    tinv = np.full(B, np.inf)
    S = np.empty((D, D))
    L = np.zeros((D, D))
    d = np.empty(D)
    H = np.empty((3, D))
    u = np.empty((3, D))
    X = np.zeros((D, D))
    for c in range(B):
        good[c], tinv[c] = ldl_row(sums[c], iu0, iu1, D, S, L, d, H, u, X, vals[c])
    return vals, good, tinv


@_jit
def halfspace_increase(V, scale, t, normals, signs, enough):  # pragma: no cover - compiled
    """:func:`.halfspace.halfspace_bounds`' raise ``max_r ((w_rᵀt)⁻)²/‖w_r‖²`` (B, R)
    with ``w_r = Λ^{-1/2}Vᵀr`` for the oriented normals ``r`` of each cell, without the
    ``(B, m, D)`` array of the ``w_r``.  A row is evaluated (as in numpy) only when a cheap
    test finds it violated: ``r·θ̂ < 0`` with ``θ̂ = VΛ^{-1/2}t``, the same number as
    ``w_rᵀt`` summed in another order — a row it skips has ``w_rᵀt`` within rounding of 0, and
    a maximum over fewer rows is still a lower bound (Lemma H holds row by row).  A cell's scan
    stops once some ``inc[c, r]`` reaches ``enough[c, r]`` (likewise)."""
    B, R, D = t.shape
    m = normals.shape[0]
    inc = np.zeros((B, R))
    w = np.empty(D)
    th = np.empty((R, D))
    viol = np.empty(R, np.bool_)
    for c in range(B):
        for r in range(R):
            for j in range(D):
                s = 0.0
                for i in range(D):
                    s += V[c, j, i] * (scale[c, i] * t[c, r, i])
                th[r, j] = s
        done = False
        for g in range(m):
            if done:
                break
            some = False
            for r in range(R):
                v = 0.0
                for j in range(D):
                    v += normals[g, j] * th[r, j]
                viol[r] = (v < 0) if signs[c, g] else (v > 0)
                some = some or viol[r]
            if not some:
                continue
            wn2 = 0.0
            for i in range(D):
                s = 0.0
                for j in range(D):
                    s += V[c, j, i] * normals[g, j]
                w[i] = s * scale[c, i]
                wn2 += w[i] * w[i]
            for r in range(R):
                if not viol[r]:
                    continue
                v = 0.0
                for i in range(D):
                    v += w[i] * t[c, r, i]
                if not signs[c, g]:
                    v = -v
                if v < 0:
                    q = v * v / wn2
                    if q > inc[c, r]:
                        inc[c, r] = q
                        done = done or q >= enough[c, r]
    return inc
