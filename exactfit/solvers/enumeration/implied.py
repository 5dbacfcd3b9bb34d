"""Implied activities: points on the hyperplane of a fixed point, and cones that hold only
the apex (a unit's rows force ``θ_j = 0``).

*One row.*  A free point on the hyperplane of a point fixed for the same unit, ``z_l = λ z_i``
(exact ``λ``), has ``side_l·z_l = |λ|·(side_i·z_i)`` with ``side_l = side_i·sign λ``: an
implied activity with a one-row Farkas combination (docs/certificate.md, Lemma 4).

*The apex.*  A node of the prover (:mod:`.prover`) is the cone ``{θ : r·θ ≥ 0}`` of its rows;
unit ``j``'s rows form the cone ``C_j`` of ``θ_j``.  Often ``C_j = {0}`` although every row is a
legitimate activity: with a bias, a point fixed active while the points around it in input
space are fixed inactive leaves no separating line, so only ``θ_j = 0`` remains.  The node
quadratic does not see it (a free point contributes its relaxed constant, 0 for a label the
unit moves towards), and the branch and bound would split the apex again and again.
``C_j = {0}`` exactly when some rows ``r ∈ S`` spanning ``R^D`` have ``Σ_S μ_r r = 0`` with
every ``μ_r > 0`` (Gordan): then each ``r·θ_j = 0`` on the node, so ``θ_j = 0``.  That is an
apex node (docs/certificate.md, Lemma 5): every point still free for the unit becomes
inactive, and the subtree's quadratic holds its true cost at ``θ_j = 0``.  The same
certificate with the candidate row ``s·z_i`` of a split among its rows shows that side ``s``
of the split is the apex alone: ``−s·z_i = Σ_S (μ_r/μ_i) r`` is then a one-entry implied
activity (Lemma 4) on the whole node, and the split is not needed.

Floats propose (:func:`gordan`, a phase-one simplex on
``{μ ≥ 0, Σ μ_r r = 0, Σ μ_r = 1}``); the multipliers are computed in exact rationals here and
checked again by the checker's walk before they enter a certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import flint
import numpy as np

from exactfit.certificate.check import _Reject, _Walk
from exactfit.certificate.format import Apex, Imply
from exactfit.errors import LimitReached
from exactfit.solvers.enumeration.proposals import FloatNode

__all__ = ["exact_gordan", "gordan"]

#: Pivot and reduced-cost tolerance of the float simplex (a proposal only: the exact
#: certificate decides).
LP_TOL = 1e-10
#: Pivots of one float simplex before it gives up (no certificate: the node is then searched).
LP_MAX_PIVOTS = 400


def gordan(R: np.ndarray) -> np.ndarray | None:
    """Row indices ``S`` of a vertex of ``{μ ≥ 0, Rᵀμ = 0, 1ᵀμ = 1}`` whose rows span ``R^D``
    (a float proposal that ``{θ : Rθ ≥ 0} = {0}``), or ``None``.

    ``R`` has unit rows.  A phase-one simplex on the ``D + 1`` equalities, started from the
    artificial basis, entering by Dantzig's rule for 40 pivots and then by Bland's (the
    problem is degenerate, the right-hand side is 0 but for one entry, and Bland's rule does
    not cycle)."""
    m, D = R.shape
    if m <= D:
        return None
    rows = D + 1
    T = np.zeros((rows, m + rows + 1))
    T[:D, :m] = R.T
    T[D, :m] = 1.0
    T[:, m : m + rows] = np.eye(rows)
    T[D, -1] = 1.0
    basis = list(range(m, m + rows))
    cost = np.zeros(m + rows)
    cost[m:] = 1.0
    for it in range(LP_MAX_PIVOTS):
        reduced = cost - cost[basis] @ T[:, :-1]
        entering = np.flatnonzero(reduced < -LP_TOL)
        if len(entering) == 0:
            break
        # Dantzig's rule (fast) for the first pivots, then Bland's (no cycling)
        e = int(entering[np.argmin(reduced[entering])] if it < 40 else entering[0])
        col = T[:, e]
        pos = col > LP_TOL
        if not pos.any():  # cannot happen for this bounded problem; give up
            return None
        ratio = np.full(rows, np.inf)
        ratio[pos] = T[pos, -1] / col[pos]
        ties = np.flatnonzero(ratio <= ratio.min() + LP_TOL)
        leave = int(min(ties, key=lambda r: basis[r]))
        T[leave] /= T[leave, e]
        others = np.arange(rows) != leave
        T[others] -= np.outer(T[others, e], T[leave])
        basis[leave] = e
    else:
        return None
    if sum(T[r, -1] for r in range(rows) if basis[r] >= m) > 1e-9:
        return None  # infeasible: the cone has an interior
    support = np.array(sorted(b for r, b in enumerate(basis) if b < m and T[r, -1] > LP_TOL))
    if len(support) <= D or np.linalg.matrix_rank(R[support]) < D:
        return None
    return support


def exact_gordan(rows: Sequence[Sequence[int]]) -> list[Fraction] | None:
    """Exact ``μ > 0`` with ``Σ μ_r rows_r = 0`` for ``D + 1`` integer rows of rank ``D``, or
    ``None`` when the rows have no such combination (the float proposal was wrong)."""
    m, D = len(rows), len(rows[0])
    if m != D + 1:
        return None
    # the null space of the D × (D+1) matrix with the rows as columns
    M = flint.fmpz_mat(D, m, [int(rows[c][a]) for a in range(D) for c in range(m)])
    null, nullity = M.nullspace()
    if nullity != 1:
        return None
    mu = [int(null[c, 0]) for c in range(m)]
    if all(v < 0 for v in mu):
        mu = [-v for v in mu]
    if not all(v > 0 for v in mu):
        return None
    return [Fraction(v) for v in mu]


class _ImplyRules:
    """The prover's (:class:`.prover._Prover`) implied activities: one-row ones, an apex node
    after a fix left a unit only ``θ_j = 0``, and a one-entry implied activity instead of a
    split one of whose sides is the apex alone.  Every proposal passes the checker's own test
    before it enters the tree."""

    f: FloatNode
    walk: _Walk
    k: int
    D: int
    den: list[int]
    counter: list[int]
    exact_z: list[tuple[Fraction, ...]]

    def _implied(self) -> Imply | None:
        """Free points on the hyperplane of a point fixed for the same unit: ``z_l = λ z_i``
        (exact rational ``λ``) gives ``side_l·z_l = |λ|·(side_i·z_i)`` with ``side_l =
        side_i·sign(λ)``, an implied activity with a one-row Farkas combination."""
        found = self.f.implied()
        if found is None:
            return None
        j, hits = found
        entries = []
        for l, i, r in hits:
            lam = self._ratio(l, i)
            side = int(self.f.fixed[i, j]) * (1 if lam > 0 else -1)
            entries.append((l, side, ((r, abs(lam)),)))
        node = Imply(j, tuple(entries))
        try:  # the checker's own test of the combinations, so the tree never holds a bad one
            self.walk.implied(node)
        except _Reject as exc:
            raise LimitReached(f"an implied activity failed its exact check: {exc}") from None
        return node

    def _ratio(self, l: int, i: int) -> Fraction:
        """The exact ``λ`` with ``z_l = λ·z_i`` (the two points share a hyperplane)."""
        zi, zl = self.exact_z[i], self.exact_z[l]
        a = next(a for a, v in enumerate(zi) if v != 0)
        return zl[a] / zi[a]

    def _unit_rows(self, j: int) -> list[int]:
        return [r for r, (jj, _) in enumerate(self.f.order) if jj == j]

    def _int_row(self, r: int) -> list[int]:
        _, i, s = self.walk.rows[r]
        return [s * v for v in self.walk.zi[i]]

    def _apex(self, theta: np.ndarray) -> tuple[Apex, list[tuple[int, int]]] | None:
        """When some unit's rows leave it only ``θ_j = 0`` (the module docstring), the apex node
        that fixes every point still free for it inactive, and those pairs."""
        for j in range(self.k):
            rows = self._unit_rows(j)
            if len(rows) <= self.D or np.abs(theta[j * self.D : (j + 1) * self.D]).max() > 1e-9:
                continue  # the cone QP's point θ_j ≠ 0 lies in the unit's cone
            support = gordan(self.f.A[rows][:, j * self.D : (j + 1) * self.D])
            if support is None:
                continue
            S = [rows[c] for c in support]
            mu = exact_gordan([self._int_row(r) for r in S])
            if mu is None:
                continue
            # Σ μ_c ẑ_c = 0 over integer rows ẑ_c = d_c·row_c: the multipliers of the rows
            node = Apex(
                j, tuple((r, mu[c] * self.den[self.walk.rows[r][1]]) for c, r in enumerate(S))
            )
            try:
                pairs = self.walk.apex(node)
            except _Reject:
                continue
            if not pairs:
                continue  # nothing left free for the unit: the apex would repeat this node
            self.counter[3] += 1
            return node, pairs
        return None

    def _split_implied(self, j: int, i: int, natural: int, theta: np.ndarray) -> Imply | None:
        """When one side of splitting ``(j, i)`` leaves unit ``j`` only the apex, the other
        side holds on the whole node: a one-entry implied activity instead of the split.
        ``θ`` (the node's cone QP point) is a point of the node: when its unit-``j`` block is
        not 0, the side it lies on is not the apex alone, and only the other is tested."""
        rows = self._unit_rows(j)
        if len(rows) < self.D:
            return None
        block = self.f.A[rows][:, j * self.D : (j + 1) * self.D]
        z = self.f.Z[i] / self.f.norms[i]
        tj = theta[j * self.D : (j + 1) * self.D]
        sides = (natural, -natural)
        if float(np.abs(tj).max(initial=0.0)) > 1e-9:
            sides = (-natural,)  # `natural` is θ's side (branch): that child holds θ ≠ 0
        for s in sides:
            support = gordan(np.vstack([block, s * z]))
            if support is None or support[-1] != len(rows):
                continue
            S = [rows[c] for c in support[:-1]]
            ints = [self._int_row(r) for r in S] + [[s * v for v in self.walk.zi[i]]]
            mu = exact_gordan(ints)
            if mu is None:
                continue
            # μ_new·s·ẑ_i + Σ μ_r ẑ_r = 0  ⇒  −s·z_i = Σ (μ_r d_r / (μ_new d_i)) r
            new = mu[-1] * self.den[i]
            comb = tuple((r, mu[c] * self.den[self.walk.rows[r][1]] / new) for c, r in enumerate(S))
            node = Imply(j, ((i, -s, comb),))
            try:
                self.walk.implied(node)
            except _Reject:
                continue
            self.counter[4] += 1
            return node
        return None
