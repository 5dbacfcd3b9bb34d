"""The prover's float side: what a node of the exact search looks like in floating point.

A node of the prover (:mod:`.prover`) fixes the activities of some ``(unit, point)`` pairs.
:class:`FloatNode` mirrors, in floats, the quadratic the checker's walk keeps in rationals
(:class:`exactfit.certificate.check._Walk`) and proposes what the exact side then decides:
the node's constraint rows, the activities implied by a fixed point on the same hyperplane,
the pairs whose wrong side the node quadratic alone bounds (batch fixes), and the pair to branch
on.  Nothing here is trusted: every proposal reaches the certificate only after its exact check.

With ``k`` units the parameters are stacked, ``θ = (θ_1, …, θ_k)`` with ``θ_j = (w_j, b_j)``,
and a point's cost is a quadratic of ``θ`` only once every unit's activity on it is fixed;
until then it contributes the constant ``c y²`` when no unit that may be active can move its
prediction towards ``y`` (the checker's relaxed cost), else nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from exactfit.problem import FitProblem

__all__ = ["FloatNode"]

#: A batch fix is proposed only for pairs whose float bound clears ``L`` by this fraction.
FIX_MARGIN = 1e-9
#: Conditioning beyond which a node quadratic is not used for batch fixes.
FIX_COND = 1e12


class FloatNode:
    """The fixed activities of the current node and their float consequences.

    ``fixed[i, j]`` is ``+1`` (unit ``j`` active on point ``i``), ``−1`` (inactive) or ``0``
    (free); ``order`` lists the fixed pairs ``(unit, point)`` in fixing order, which is the
    order of the exact walk's rows.
    """

    def __init__(self, problem: FitProblem, signs: tuple[int, ...], group: np.ndarray) -> None:
        Z = problem.lifted()
        self.Z, self.c, self.y = Z, problem.cf, problem.yf
        self.n, self.D = Z.shape
        self.k = len(signs)
        self.K = self.k * self.D
        self.a = np.array(signs, dtype=float)
        norms = np.linalg.norm(Z, axis=1)
        self.zero = norms == 0
        self.norms = np.where(self.zero, 1.0, norms)
        # toward[i, j]: unit j, when active, can move point i's prediction towards y_i
        self.toward = self.a[None, :] * self.y[:, None] > 0
        self.fixed = np.zeros((self.n, self.k), dtype=np.int8)
        self.order: list[tuple[int, int]] = []
        # kept along with `order` so that no node re-scans it: the rows, and per unit the
        # first fixed point of each hyperplane group (``group[i] ≥ 0``: points sharing one)
        self.A = np.zeros((self.n * self.k, self.K))
        self.group = group
        self.first: list[dict[int, tuple[int, int]]] = [{} for _ in range(self.k)]
        self.firsts: list[int | None] = []  # the group each fixing entered in `first`, if any
        # E_j: the diagonal selecting unit j's weights (not its bias)
        w_coords = [1.0] * problem.d + ([0.0] if problem.bias else [])
        self.Es = [
            np.diag([0.0] * (j * self.D) + w_coords + [0.0] * ((self.k - 1 - j) * self.D))
            for j in range(self.k)
        ]

    # -- state -------------------------------------------------------------------------------
    def set(self, j: int, i: int, s: int) -> None:
        self.set_many(j, ((i, s),))

    def set_many(self, j: int, pairs: Sequence[tuple[int, int]]) -> None:
        """Fix unit ``j`` on every ``(point, side)``, in this order (the rows' order)."""
        r0, m = len(self.order), len(pairs)
        idx = np.fromiter((i for i, _ in pairs), dtype=np.intp, count=m)
        sides = np.fromiter((s for _, s in pairs), dtype=float, count=m)
        self.fixed[idx, j] = sides
        self.order.extend((j, int(i)) for i in idx)
        self.A[r0 : r0 + m] = 0.0
        self.A[r0 : r0 + m, j * self.D : (j + 1) * self.D] = (
            self.Z[idx] * (sides / self.norms[idx])[:, None]
        )
        first = self.first[j]
        for r, g in enumerate(self.group[idx].tolist(), start=r0):
            new = g >= 0 and g not in first
            if new:
                first[g] = (self.order[r][1], r)
            self.firsts.append(g if new else None)

    def unset(self, count: int) -> None:
        """Free the last ``count`` pairs fixed."""
        if count == 0:
            return
        tail, groups = self.order[-count:], self.firsts[-count:]
        del self.order[-count:], self.firsts[-count:]
        units, points = np.array(tail, dtype=np.intp).T
        self.fixed[points, units] = 0
        for (j, _), g in zip(tail, groups, strict=True):
            if g is not None:
                del self.first[j][g]

    def free_pairs(self) -> np.ndarray:
        """``(point, unit)`` index pairs still free, on nonzero points (rows of an array)."""
        return np.argwhere((self.fixed == 0) & ~self.zero[:, None])

    def weighted(self, rho: np.ndarray) -> np.ndarray:
        """``Σ_j ρ_j E_j``: the Hessian of the norm multipliers' term."""
        return sum((r * E for r, E in zip(rho, self.Es, strict=True)), np.zeros((self.K, self.K)))

    def outside(self, theta: np.ndarray, B2: float) -> bool:
        """Whether some unit's weights at ``θ`` leave the ball ``‖w_j‖² ≤ B²``."""
        return any(float(theta @ E @ theta) > B2 for E in self.Es)

    def blocks(self, theta: np.ndarray) -> np.ndarray:
        """``θ`` as a ``(k, D)`` array of unit parameters."""
        return theta.reshape(self.k, self.D)

    # -- the node quadratic ------------------------------------------------------------------
    def quadratic(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Float ``(G, h, Y)`` of the node (the same contributions as the exact walk)."""
        full = np.all(self.fixed != 0, axis=1) & ~self.zero
        act = (self.fixed[full] > 0) * self.a[None, :]  # (m, k): a_j on active units, else 0
        P = (act[:, :, None] * self.Z[full][:, None, :]).reshape(-1, self.K)
        cf, yf = self.c[full], self.y[full]
        G = (P * cf[:, None]).T @ P
        h = P.T @ (cf * yf)
        # relaxed: every unit that may be active (free or active) pushes away from y
        away = np.all((self.fixed < 0) | ~self.toward, axis=1)
        const = full | self.zero | away
        return G, h, float(self.c[const] @ (self.y[const] ** 2))

    def minimum(self, G: np.ndarray, h: np.ndarray, Y: float) -> float:
        """Float ``min_θ θᵀGθ − 2hᵀθ + Y`` (``h`` is in the range of ``G``)."""
        return Y - float(h @ np.linalg.lstsq(G, h, rcond=None)[0]) if G.any() else Y

    def rows(self) -> np.ndarray:
        """The node's constraint rows ``s·z_i/‖z_i‖`` in unit ``j``'s block, in fixing order."""
        return self.A[: len(self.order)].copy()

    # -- proposals ---------------------------------------------------------------------------
    def implied(self) -> tuple[int, list[tuple[int, int, int]]] | None:
        """Free pairs ``(j, l)`` whose point shares a hyperplane (``group``) with a point ``i``
        already fixed for unit ``j``: ``(unit, [(l, i, row of i), …])`` for the first unit that
        has any, else ``None`` (the exact side computes the ratio and the side)."""
        for j in range(self.k):
            first = self.first[j]
            if not first:
                continue
            keys = np.fromiter(first, dtype=self.group.dtype, count=len(first))
            free = (self.fixed[:, j] == 0) & ~self.zero & np.isin(self.group, keys)
            hits = [(int(l), *first[int(self.group[l])]) for l in np.flatnonzero(free)]
            if hits:
                return j, hits
        return None

    def batch(
        self,
        G: np.ndarray,
        h: np.ndarray,
        Y: float,
        rho: np.ndarray | None,
        B2: float | None,
        low: float,
    ) -> tuple[int, tuple[tuple[int, int], ...]] | None:
        """The unit with the most free pairs whose wrong side the node quadratic (with
        ``Σ_j ρ_j(‖w_j‖² − B²)`` when there is a norm bound) bounds above ``low``, and those
        ``(point, side)`` pairs; ``None`` when there are none or the quadratic is singular.
        For ``M = G + Σ_j ρ_jE_j`` with minimiser ``θ_c`` the bound of pair ``(j, i)`` is
        ``q̃(θ_c) + (z_i·θ_{c,j})² / z_iᵀ(M⁻¹)_{jj}z_i`` (docs/certificate.md, Lemma 3)."""
        if rho is not None and B2 is not None:
            G = G + self.weighted(rho)
            Y -= float(rho.sum()) * B2
        if not G.any():
            return None
        ev = np.linalg.eigvalsh(G)
        if ev[0] <= ev[-1] / FIX_COND:
            return None
        free = self.free_pairs()
        if len(free) == 0:
            return None
        Minv = np.linalg.inv(G)
        theta = Minv @ h
        qc = Y - float(h @ theta)
        margin = low + FIX_MARGIN * (abs(low) + abs(Y))
        best: tuple[int, tuple[tuple[int, int], ...]] | None = None
        for j in range(self.k):
            pts = free[free[:, 1] == j, 0]
            if len(pts) == 0:
                continue
            sl = slice(j * self.D, (j + 1) * self.D)
            Zp = self.Z[pts]
            t = Zp @ theta[sl]
            w = np.einsum("ij,ij->i", Zp @ Minv[sl, sl], Zp)
            # side +1 (wrong side inactive) may gain a constant; side −1 never does
            up = qc + self.gain(j)[pts] + np.maximum(t, 0.0) ** 2 / w
            down = qc + np.maximum(-t, 0.0) ** 2 / w
            ok = np.maximum(up, down) >= margin
            if ok.sum() > (0 if best is None else len(best[1])):
                side = np.where(up >= down, 1, -1)[ok]
                pairs = tuple((int(i), int(si)) for i, si in zip(pts[ok], side, strict=True))
                best = (j, pairs)
        return best

    def gain(self, j: int) -> np.ndarray:
        """Per point, what its relaxed constant gains when unit ``j`` is inactive on it (the
        wrong side of fixing it active): ``c y²`` when that makes every unit that may be
        active push away from ``y`` while now some does not, and the point's cost there is
        not a quadratic (no other unit fixed active once all are fixed); else 0.  The wrong
        side of fixing it inactive (active there) gains nothing."""
        pushes = (self.fixed < 0) | ~self.toward
        others = np.arange(self.k) != j
        away_now = np.all(pushes, axis=1)
        away_then = np.all(pushes[:, others], axis=1)
        quad = np.all(self.fixed[:, others] != 0, axis=1) & np.any(
            self.fixed[:, others] > 0, axis=1
        )
        return np.where(away_then & ~away_now & ~quad, self.c * self.y**2, 0.0)

    def branch(self, theta: np.ndarray) -> tuple[int, int, int]:
        """``(unit, point, natural side)`` to branch on: among points with a free unit, the one
        whose true cost at ``θ`` exceeds its relaxed cost the most; its first free unit; the
        side that unit has at ``θ``."""
        T = self.Z @ self.blocks(theta).T  # (n, k) pre-activations
        pred = np.maximum(T, 0.0) @ self.a
        true = self.c * (pred - self.y) ** 2
        away = np.all((self.fixed < 0) | ~self.toward, axis=1)
        gap = true - np.where(away, self.c * self.y**2, 0.0)
        open_ = np.any(self.fixed == 0, axis=1) & ~self.zero
        gap = np.where(open_, gap, -np.inf)
        i = int(np.argmax(gap))
        j = int(np.flatnonzero(self.fixed[i] == 0)[0])
        return j, i, 1 if T[i, j] > 0 else -1

    def loss(self, theta: np.ndarray) -> float:
        """Float loss of the network ``Σ_j a_j σ(z·θ_j)``."""
        pred = np.maximum(self.Z @ self.blocks(theta).T, 0.0) @ self.a
        return float(self.c @ (pred - self.y) ** 2)
