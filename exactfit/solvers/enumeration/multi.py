"""Lower bounds of k ≥ 2 unit-cell combinations: sign-aware least squares and the halfspace bound.

A combination fixes every unit's chamber ``S_j`` (active set) and output sign ``a_j``; the
loss on the product of the closed chambers is ``Σ_i c_i (y_i − p_i)²`` with the prediction
``p_i = Σ_{j: i∈S_j} a_j z_i·θ_j`` and ``z_i·θ_j ≥ 0`` on ``S_j``.  Two relaxations give the
bounds of :func:`joint_sign_bounds`:

* **Sign-aware labels.**  If every unit active at point ``i`` has the same output sign ``s``,
  then ``s·p_i ≥ 0``, and for the label clipped to that sign, ``ỹ_i = max(s·y_i, 0)·s``,
  ``(p_i − y_i)² ≥ (p_i − ỹ_i)² + (y_i − ỹ_i)²`` (the cross term ``2(p_i − ỹ_i)(ỹ_i − y_i)``
  is ≥ 0: it vanishes when ``ỹ_i = y_i`` and otherwise ``ỹ_i = 0`` and ``p_i, −y_i`` have the
  sign ``s``).  Points where units of both signs are active keep ``ỹ_i = y_i``; inactive points
  have ``p_i = 0`` and ``ỹ_i = 0``.  Since ``y² = ỹ² + (y − ỹ)²`` the loss is at least
  ``Y − 2h̃ᵀθ + θᵀGθ`` with ``h̃`` the joint linear term of the clipped labels, whose minimum
  over all ``θ`` is ``Y − h̃ᵀG⁺h̃``.  With ``ỹ = y`` this is the plain least-squares bound the
  search used before; both are computed and the larger is kept.
* **The halfspace bound** (:mod:`.halfspace`) of either quadratic, with the joint ``G`` (size
  ``kD``) and the ``k·m`` chamber rows, each acting on its own unit's block: the minimum over
  one violated halfspace is ``Y − ‖t‖² + ((wᵀt)⁻)²/‖w‖²``, less the same a-priori float
  allowance (``halfspace_allowance`` with dimension ``kD``; every entry of the joint ``G`` and
  ``h̃`` is a sum of at most ``n`` terms ``±c_i z_i z_iᵀ`` / ``±c_i ỹ_i z_i``, the shape the
  single-unit analysis assumes).

Both are computed from one eigendecomposition of ``G`` and carry the explicit allowance;
where ``G`` is singular or too ill-conditioned for it (``κ > KAPPA_MAX``) no such bound is
given and the search keeps the point bound of :mod:`.pairs`.  (The batched least squares the
search used before, decided with ``PRUNE_MARGIN`` only, exceeded the exact pair optimum on
nearly singular ``G``: ``tests/.../test_pairs.py`` holds such a case.)
"""

from __future__ import annotations

import numpy as np

from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cellqp import _ldl_values
from exactfit.solvers.enumeration.conedual import aggregated_increments
from exactfit.solvers.enumeration.halfspace import (
    KAPPA_MAX,
    condition_bound,
    halfspace_allowance,
)

__all__ = ["joint_sign_bounds"]


def _clipped_labels(setup: _Setup, A: list[np.ndarray], av: np.ndarray) -> np.ndarray:
    """``ỹ`` (B, n): labels clipped to the sign of the units active at each point."""
    y = setup.problem.yf
    plus = np.zeros(A[0].shape, dtype=bool)
    minus = np.zeros(A[0].shape, dtype=bool)
    for j, Aj in enumerate(A):
        if av[j] > 0:
            plus |= Aj
        else:
            minus |= Aj
    return np.where(
        plus & minus,
        y,
        np.where(plus, np.maximum(y, 0.0), np.where(minus, np.minimum(y, 0.0), 0.0)),
    )


def _joint_system(
    setup: _Setup, A: list[np.ndarray], av: np.ndarray, labels: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The joint Gram matrices (B, kD, kD) and linear terms (B, R, kD) of each label set."""
    Z, c = setup.Z, setup.problem.cf
    B, D, k = len(A[0]), setup.D, len(A)
    nt = len(setup.iu[0])
    G = np.zeros((B, k * D, k * D))
    lin = np.zeros((B, len(labels), k * D))
    for j in range(k):
        for l in range(j, k):
            both = (A[j] & A[l]).astype(float)
            Gb, _ = setup.unpack(np.hstack([_blocked(both, setup.F[:, :nt]), np.zeros((B, D))]))
            Gb = av[j] * av[l] * Gb
            G[:, j * D : (j + 1) * D, l * D : (l + 1) * D] = Gb
            G[:, l * D : (l + 1) * D, j * D : (j + 1) * D] = Gb
        for r, lab in enumerate(labels):
            lin[:, r, j * D : (j + 1) * D] = av[j] * _blocked(A[j] * (c * lab), Z)
    return G, lin


def _blocked(a: np.ndarray, b: np.ndarray, rows: int = 256) -> np.ndarray:
    """``a @ b`` in blocks of rows: OpenBLAS splits one tall product over threads, which on a
    busy machine is several times slower than these single-threaded blocks (same sums)."""
    out = np.empty((len(a), b.shape[1]))
    for r in range(0, len(a), rows):
        np.matmul(a[r : r + rows], b, out=out[r : r + rows])
    return out


def joint_sign_bounds(
    setup: _Setup,
    acts: np.ndarray,
    table: np.ndarray,
    combo: np.ndarray,
    av: np.ndarray,
    cutoff: float = np.inf,
    aggregate: bool = False,
) -> np.ndarray:
    """Lower bounds (B,) on the optima of the unit-cell combinations ``combo`` (B, k) for the
    output signs ``av``: unit cells' active sets ``acts`` (C, n), chamber signs ``table`` (C, m).

    The larger of the plain and sign-aware least-squares bounds, raised by the halfspace
    bound where that one is at most ``cutoff`` (the search's pruning threshold: elsewhere the
    least-squares bound already prunes), less the float allowance; where the joint ``G`` is
    not well conditioned, the split bound instead (:func:`_split_bounds`).  Pairs whose
    ``LDLᵀ`` least-squares bound exceeds ``cutoff`` keep that one (:func:`_ldl_bounds`).
    ``aggregate``: raise the pairs still at most ``cutoff`` by the aggregated-row bound
    (:mod:`.conedual`; the pair search does so lazily, just before a pair's cone QP)."""
    k = combo.shape[1]
    A = [acts[combo[:, j]] for j in range(k)]
    y = np.broadcast_to(setup.problem.yf, A[0].shape)
    ylab = _clipped_labels(setup, A, av)
    G, lin = _joint_system(setup, A, av, [y, ylab])
    n_terms = int(max(Aj.sum(axis=1).max(initial=0) for Aj in A))
    # most pairs are pruned by least squares alone: decide those from LDLᵀ factors first
    out = _ldl_bounds(setup, G, lin, n_terms)
    rest = np.flatnonzero(~(out > cutoff))
    if len(rest):
        A, ylab, G, lin = [Aj[rest] for Aj in A], ylab[rest], G[rest], lin[rest]
        out[rest] = _eigen_bounds(
            setup, table, combo[rest], av, A, ylab, G, lin, n_terms, cutoff, aggregate
        )
    return out


def _ldl_bounds(setup: _Setup, G: np.ndarray, lin: np.ndarray, n_terms: int) -> np.ndarray:
    """The least-squares bounds (B,) ``Y − min_r h_rᵀG⁻¹h_r`` from an ``LDLᵀ`` factorisation,
    less the allowance for ``κ ≤ 2·tr(G)·tr(G⁻¹)`` (the factor 2 covers the rounding of the
    computed traces), ``−∞`` where the factors are not usable or ``κ > KAPPA_MAX``."""
    dim = G.shape[-1]
    scale = np.maximum(np.einsum("bii->bi", G).max(axis=1), 1e-300)
    vals, good, tr = _ldl_values(G / scale[:, None, None], lin)
    trace = np.einsum("bii->b", G)
    with np.errstate(invalid="ignore", over="ignore"):
        kappa = np.where(good, 2.0 * trace * (tr / scale), np.inf)
        ok = good & (kappa <= KAPPA_MAX)
        allow = halfspace_allowance(np.where(ok, kappa, 1.0), n_terms, dim) * setup.Y
        return np.where(ok, setup.Y - (vals / scale[:, None]).min(axis=1) - allow, -np.inf)


def _eigen_bounds(setup, table, combo, av, A, ylab, G, lin, n_terms, cutoff, aggregate):
    """:func:`joint_sign_bounds` from the eigendecomposition of ``G`` (the pairs the
    least-squares bound of :func:`_ldl_bounds` does not prune)."""
    k, D = combo.shape[1], setup.D
    out = np.full(len(ylab), -np.inf)
    lam, V = np.linalg.eigh(G)
    kappa = condition_bound(lam, n_terms, k * D)
    good = kappa <= KAPPA_MAX
    bad = np.flatnonzero(~good)
    if len(bad):  # singular or ill-conditioned joint G: the split bound
        orient = [av[j] * np.where(table[combo[bad, j]], 1.0, -1.0) for j in range(k)]
        out[bad] = _split_bounds(setup, [Aj[bad] for Aj in A], ylab[bad], orient)
    ok = np.flatnonzero(good)
    if len(ok) == 0:
        return out
    inv_sqrt = 1.0 / np.sqrt(lam[ok])  # (b, kD)
    t = (lin[ok] @ V[ok]) * inv_sqrt[:, None, :]  # (b, 2, kD)
    ls = setup.Y - np.einsum("bri,bri->br", t, t)
    allow = halfspace_allowance(kappa[ok], n_terms, k * D) * setup.Y
    out[ok] = ls.max(axis=1) - allow
    near = out[ok] <= cutoff
    if np.any(near):
        sel = ok[near]
        W = _rows(setup, table, combo[sel], V[sel], inv_sqrt[near])
        tn, bound = t[near], ls[near] + _increments(t[near], W)
        out[sel] = np.maximum(out[sel], bound.max(axis=1) - allow[near])
        # where the best single row still does not prune: a combination of rows
        agg = np.flatnonzero(out[sel] <= cutoff) if aggregate else []
        if len(agg):
            inc, extra = aggregated_increments(tn[agg], W[agg], kappa[ok][near][agg], D)
            raised = (ls[near][agg] + inc - extra * setup.Y).max(axis=1) - allow[near][agg]
            out[sel[agg]] = np.maximum(out[sel[agg]], raised)
    return out


def _split_bounds(
    setup: _Setup, A: list[np.ndarray], ylab: np.ndarray, orient: list[np.ndarray]
) -> np.ndarray:
    """The split bound (B,): the point bound plus, for each set ``T`` of units, the
    least-squares residual of the clipped labels on the points whose active units are exactly
    ``T``.  There the prediction is ``z·ζ_T`` with ``ζ_T = Σ_{j∈T} a_j θ_j``; taking the
    ``ζ_T`` free (one per ``T``) relaxes the pair, so the sum of these residuals (each ``≥ 0``,
    less the allowance where its Gram matrix is well conditioned, else 0) is a lower bound.
    For ``T = {j}`` alone ``ζ_T = a_jθ_j`` stays in ``a_j K_j`` (no other group uses ``θ_j``),
    so that residual is raised by the halfspace bound of the rows ``orient[j]·n`` (B, m):
    ``a_j`` times unit ``j``'s chamber orientation."""
    c, y, D = setup.problem.cf, setup.problem.yf, setup.D
    nt = len(setup.iu[0])
    out = (c * (y - ylab) ** 2).sum(axis=1)
    k = len(A)
    for T in range(1, 2**k):
        group = np.ones(A[0].shape, dtype=bool)
        for j, Aj in enumerate(A):
            group &= Aj if T >> j & 1 else ~Aj
        single = [j for j in range(k) if 1 << j == T]
        out += _residuals(setup, group, ylab, nt, D, orient[single[0]] if single else None)
    return out


def _residuals(setup, group, ylab, nt, D, orient=None) -> np.ndarray:
    """Least-squares residuals (B,) of labels ``ylab`` on the point sets ``group`` (B, n),
    raised by the halfspace bound of the rows ``orient·n`` when given, less the float
    allowance, clamped at 0; 0 where the Gram matrix is ill conditioned."""
    out = np.zeros(len(group))
    w = group * (setup.problem.cf * ylab)  # (B, n)
    Gs = np.hstack([group.astype(float) @ setup.F[:, :nt], np.zeros((len(w), D))])
    lam, V = np.linalg.eigh(setup.unpack(Gs)[0])
    n_terms = int(group.sum(axis=1).max(initial=0))
    kappa = condition_bound(lam, n_terms, D)
    ok = kappa <= KAPPA_MAX
    if np.any(ok):
        inv_sqrt = 1.0 / np.sqrt(lam[ok])
        t = ((w[ok] @ setup.Z)[:, None, :] @ V[ok])[:, 0, :] * inv_sqrt
        res = (w[ok] * ylab[ok]).sum(axis=1) - (t * t).sum(axis=1)
        if orient is not None:
            W = (setup.hp.normals @ V[ok]) * inv_sqrt[:, None, :] * orient[ok][:, :, None]
            res += _increments(t[:, None, :], W)[:, 0]
        res -= halfspace_allowance(kappa[ok], n_terms, D) * setup.Y
        out[ok] = np.maximum(res, 0.0)
    return out


def _rows(setup, table, combo, V, inv_sqrt) -> np.ndarray:
    """The whitened oriented chamber rows ``w̄ = Λ^{-1/2}Vᵀ(e_j ⊗ ±n)`` (b, k·m, kD) of every
    unit's block: the combination's cone is ``{w̄·u ≥ 0}`` in ``u = Λ^{1/2}Vᵀθ``."""
    D = setup.D
    out = []
    for j in range(combo.shape[1]):
        w = (setup.hp.normals @ V[:, j * D : (j + 1) * D, :]) * inv_sqrt[:, None, :]
        orient = np.where(table[combo[:, j]], 1.0, -1.0)  # (b, m)
        out.append(w * orient[:, :, None])
    return np.concatenate(out, axis=1)


def _increments(t, W) -> np.ndarray:
    """``((w̄ᵀt)⁻)²/‖w̄‖²`` of the most violated row, per combination and label set."""
    wn2 = np.einsum("bmi,bmi->bm", W, W)
    viol = t @ W.transpose(0, 2, 1)  # (b, R, M)
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = np.where(viol < 0, viol * viol / wn2[:, None, :], 0.0)
    return inc.max(axis=-1, initial=0.0)
