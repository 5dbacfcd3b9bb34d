"""Cell algebra: lifted points, per-point features and the batched bounds of every chamber.

With lifted points ``z_i`` each point contributes the feature row
``F_i = (c_i z_i z_iᵀ (upper triangle), c_i y_i z_i, c_i y_i⁺ z_i, c_i (y_i⁺)², c_i (y_i⁻)², 1)``;
the Gram matrix ``G``
and right-hand side ``h`` of a chamber's quadratic ``q_S(θ) = θᵀGθ − 2hᵀθ + Y`` are the active
sums ``Σ_{i∈S} F_i``, which the enumerators deliver as ``base + Σ_{s_g=+} Δ_g``
(:meth:`_Setup.deltas`).  :meth:`_Setup.sign_bounds` turns them into lower bounds on the cell
optimum for each output sign, :meth:`_Setup.trivial_bounds` the cheaper bounds that need no
factorisation.  :func:`_estimate` is Cover's bound on the work.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactfit.exact.cells import lifted_points
from exactfit.problem import FitProblem
from exactfit.solvers.enumeration.arrangement import Hyperplanes, cover_count, hyperplanes
from exactfit.solvers.enumeration.cellqp import LDL_MAX_DIM, ls_values

#: The hyperplanes of a problem, computed once: a solve asks for them several times (the
#: budget check, each shard's setup, the merge), and at n = 2000 each costs ~0.1 s of exact
#: arithmetic.  Problems are immutable and hashed by identity; entries die with them.
_HYPERPLANES: weakref.WeakKeyDictionary[FitProblem, Hyperplanes] = weakref.WeakKeyDictionary()


def problem_hyperplanes(problem: FitProblem) -> Hyperplanes:
    """``hyperplanes(lifted_points(problem))``, cached per problem object."""
    hp = _HYPERPLANES.get(problem)
    if hp is None:
        hp = _HYPERPLANES[problem] = hyperplanes(lifted_points(problem))
    return hp


def _estimate(problem: FitProblem, hp: Hyperplanes | None = None) -> tuple[int, int]:
    """``(per-unit cells, total cells or combinations)`` by Cover's bound."""
    if hp is None:
        hp = problem_hyperplanes(problem)
    c1 = cover_count(hp.m, problem.lifted_dim)
    k = problem.units
    if k == 1:
        return c1, c1
    total = 0
    for a in problem.sign_vectors():
        p = sum(1 for s in a if s > 0)
        total += math.comb(c1 + p - 1, p) * math.comb(c1 + k - p - 1, k - p)
    return c1, total


def trivial_column(D: int) -> int:
    """The column of ``c·y⁺²`` in the feature rows (``c·y⁻²`` is the next one): after the
    ``D(D+1)/2`` Gram entries and the two linear terms of ``D`` each."""
    return D * (D + 1) // 2 + 2 * D


@dataclass
class _Setup:
    problem: FitProblem
    Z: np.ndarray  # (n, D) float lifted points
    hp: Hyperplanes
    F: np.ndarray  # (n, P) features: c·zzᵀ (upper triangle), c·y·z, c·y⁺·z, c·y⁺², c·y⁻², 1
    Y: float
    D: int
    iu: tuple[np.ndarray, np.ndarray]
    E: np.ndarray  # weight coordinates for the norm bound

    @classmethod
    def build(cls, problem: FitProblem) -> _Setup:
        Z = problem.lifted()
        D = Z.shape[1]
        hp = problem_hyperplanes(problem)
        iu = np.triu_indices(D)
        c, y = problem.cf, problem.yf
        zz = (Z[:, :, None] * Z[:, None, :])[:, iu[0], iu[1]]
        # c·y⁺·z feeds the sign-aware bounds (:meth:`sign_bounds`), c·y⁺² and c·y⁻² the
        # trivial ones (:meth:`trivial_bounds`); the last column counts active points (exact
        # in floats), to spot near-empty cells
        yp, ym = np.maximum(y, 0.0), np.maximum(-y, 0.0)
        cols = [c[:, None] * zz, (c * y)[:, None] * Z, (c * yp)[:, None] * Z]
        cols += [(c * yp * yp)[:, None], (c * ym * ym)[:, None], np.ones((len(Z), 1))]
        F = np.hstack(cols)
        E = np.diag([1.0] * problem.d + ([0.0] if problem.bias else []))
        return cls(problem, Z, hp, F, float(c @ (y * y)), D, iu, E)

    # Per-hyperplane contributions: active sums of F for chamber signs s are
    # base + Σ_{s_g=+} delta_g (points opposite to their hyperplane's normal are active at −).
    def deltas(self) -> tuple[np.ndarray, np.ndarray]:
        m, P = self.hp.m, self.F.shape[1]
        plus = np.zeros((m, P))
        minus = np.zeros((m, P))
        g, o = self.hp.group, self.hp.orient
        np.add.at(plus, g[o > 0], self.F[o > 0])
        np.add.at(minus, g[o < 0], self.F[o < 0])
        return plus - minus, minus.sum(axis=0)

    def unpack(self, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        D = self.D
        nt = len(self.iu[0])
        G = np.zeros((*sums.shape[:-1], D, D))
        G[..., self.iu[0], self.iu[1]] = sums[..., :nt]
        G[..., self.iu[1], self.iu[0]] = sums[..., :nt]
        return G, sums[..., nt : nt + D]

    def trivial_bounds(self, sums: np.ndarray) -> np.ndarray:
        """Lower bounds ``(…, 2)`` on a cell's optimum for output sign ``a = +1`` and ``−1``
        that need no factorisation: ``Y − Σ_S c_i (y_i⁺)²`` and ``Y − Σ_S c_i (y_i⁻)²``.

        A point off the active set ``S`` predicts 0 and pays ``c_i y_i²``; an active point
        predicts a number of sign ``a``, so with ``a = +1`` it pays at least ``c_i (y_i⁻)²``
        and with ``a = −1`` at least ``c_i (y_i⁺)²``.  These are below :meth:`sign_bounds`
        (``h₊ᵀG⁺h₊ ≤ Σ_S c (y⁺)²``, a projection); their float error is bounded by
        :func:`.halfspace.trivial_allowance` (``docs/solvers/enumeration.md``)."""
        tc = trivial_column(self.D)
        return self.Y - sums[..., tc : tc + 2]

    def sign_bounds(self, sums: np.ndarray, trace_inv: bool = False, jit: Any = None) -> Any:
        """Lower bounds ``(…, 2)`` on a cell's optimum for output sign ``a = +1`` and ``−1``.

        On a cell with active set ``S`` and ``a = +1`` every active ``z_i·θ`` is ≥ 0, so a
        label ``y_i < 0`` costs ``(z_i·θ − y_i)² ≥ (z_i·θ)² + y_i²``; hence the cell optimum is
        at least ``Y − h₊ᵀG⁺h₊`` with ``h₊ = Σ_S c_i y_i⁺ z_i`` (least squares against the
        labels clipped at 0), and at least the plain bound ``Y − hᵀG⁺h``.  For ``a = −1`` the
        same holds with ``h₋ = Σ_S c_i y_i⁻ z_i = h₊ − h``.  Each column is the larger of the
        two; one factorisation of ``G`` serves all three right-hand sides.  ``trace_inv``: also
        return ``tr(G⁻¹)`` per cell (:func:`.cellqp.ls_values`).  ``jit``: the compiled
        kernels (:mod:`.kernels`) for a 2-D stack of sums (the same LDLᵀ, loop by loop).
        """
        nt, D = len(self.iu[0]), self.D
        if jit is not None and sums.ndim == 2 and D <= LDL_MAX_DIM:
            vals, good, tinv = jit.ldl_values(np.ascontiguousarray(sums), *self.iu, D)
            bad = np.flatnonzero(~good)
            if len(bad):  # singular or ill-conditioned: ls_values' eigendecomposition
                G, h = self.unpack(sums[bad])
                hp = sums[bad, nt + D : nt + 2 * D]
                vals[bad] = ls_values(G, np.stack([h, hp, hp - h], axis=-2))
        else:
            G, h = self.unpack(sums)
            hp = sums[..., nt + D : nt + 2 * D]
            vals, tinv = ls_values(G, np.stack([h, hp, hp - h], axis=-2), trace_inv=True)
        plain = vals[..., 0]
        out = self.Y - np.stack(
            [np.minimum(plain, vals[..., 1]), np.minimum(plain, vals[..., 2])], axis=-1
        )
        return (out, tinv) if trace_inv else out

    def joint_bounds(
        self, Fc: np.ndarray, acts: np.ndarray, combo: np.ndarray, av: np.ndarray
    ) -> np.ndarray:
        """Least-squares lower bounds ``Y − hᵀG⁺h`` of a block of unit-cell combinations: the
        joint Gram matrices from the unit cells' feature sums ``Fc`` and their pairwise overlaps."""
        B = len(combo)
        D, k = self.D, len(av)
        nt = len(self.iu[0])
        G = np.zeros((B, k * D, k * D))
        h = np.zeros((B, k * D))
        for j in range(k):
            Gj, hj = self.unpack(Fc[combo[:, j]])
            G[:, j * D : (j + 1) * D, j * D : (j + 1) * D] = Gj
            h[:, j * D : (j + 1) * D] = av[j] * hj
            for l in range(j + 1, k):
                both = acts[combo[:, j]] & acts[combo[:, l]]
                sums = both.astype(float) @ self.F[:, :nt]
                Gb, _ = self.unpack(np.hstack([sums, np.zeros((B, D))]))
                Gb = av[j] * av[l] * Gb
                G[:, j * D : (j + 1) * D, l * D : (l + 1) * D] = Gb
                G[:, l * D : (l + 1) * D, j * D : (j + 1) * D] = Gb
        return self.Y - ls_values(G, h)

    def constraint_rows(self, signs: np.ndarray) -> np.ndarray:
        return np.where(signs[:, None], self.hp.normals, -self.hp.normals)
