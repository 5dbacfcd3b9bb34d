"""Enumeration solver ``enum``: every activation cell, batched bounds, exact cell optima.

Mathematics (details and proofs in ``docs/solvers/enumeration.md``).  With lifted points
``z_i`` and ``θ = (w, b)``, each chamber of the central arrangement ``{z_i·θ = 0}`` has an
active set ``S`` and on its closure the single-unit loss is the convex quadratic
``q_S(θ) = Σ_{i∈S} c_i(z_i·θ − y_i)² + Σ_{i∉S} c_i y_i²``.  Closed chambers cover parameter
space, so ``opt = min_S min_{closure} q_S``.  For ``k`` units (Arora et al. 2018) the output signs
are fixed per sign vector, each unit takes one chamber, and the loss on the product of closed
chambers is a joint convex quadratic.

Algorithm: (0) for a single unit, a heuristic incumbent ``U`` confines every better network to
small convex regions (:func:`_regions`), and only the chambers of the hyperplanes crossing them
are enumerated; (1) enumerate the chambers (:mod:`.arrangement`), computing
for each the least-squares values of its quadratic (plain and sign-aware,
:meth:`_Setup.sign_bounds`), lower bounds on the cell optimum; (2) visit cells (or unit-cell
combinations) in increasing bound order and solve each cell's cone QP
(:mod:`.cellqp`), keeping the incumbent with the smallest ``(value, key)``;
(3) stop when the next bound exceeds the incumbent by more than the safety margin
``PRUNE_MARGIN·Y`` (float error allowance of the batched bounds, documented).  Every pruned
cell's bound then exceeds the optimum found, which is therefore optimal.

The cell loop is split into shards (cell ranges of the enumeration's work units):
:meth:`EnumSolver.solve_shards` maps the pure function :func:`solve_shard` over shards with any
``map`` and merges the picklable partial results; ``solve`` is the one-shard case, and the
winner ``min (value, key)`` does not depend on the sharding.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TextIO

import numpy as np

from exactfit.errors import BudgetExceeded, InputError
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.exact.linalg import rref
from exactfit.problem import FitProblem, ReluNetwork, Unit, clip_to_bound
from exactfit.result import Limit, Result, finalize
from exactfit.solvers.enumeration.arrangement import (
    GenericEnumerator,
    Hyperplanes,
    NotGeneric,
    cover_count,
    exact_chambers,
    hyperplanes,
)
from exactfit.solvers.enumeration.cellqp import ball_cone_qp, ls_values, solve_cone_qp

__all__ = [
    "DEFAULT_MAX_CELLS",
    "PRUNE_MARGIN",
    "EnumSolver",
    "ShardResult",
    "merge_shards",
    "problem_spec",
    "solve_shard",
]

#: Default budget: estimated cells (unit-cell combinations for k ≥ 2) above which enum refuses.
DEFAULT_MAX_CELLS = 5_000_000
#: A cell is pruned only when its float bound exceeds the incumbent by more than
#: ``PRUNE_MARGIN·(Σ c y²)``: an allowance for the rounding of batched normal equations.
PRUNE_MARGIN = 1e-9
#: Chamber counts up to this use the exact integer enumerator directly (larger ones try the
#: float enumerator first and fall back to the exact one on degenerate data).
EXACT_CELLS = 200
#: ``certify`` re-checks every cell's bound in rationals when the exact enumerator was used
#: and there are at most this many chambers.
RIGOROUS_CELLS = 5000
#: Incumbents with float loss below this fraction of Σ c y² are checked for an exact zero fit.
REALIZABLE_TOL = 1e-9


def _estimate(problem: FitProblem, hp: Hyperplanes | None = None) -> tuple[int, int]:
    """``(per-unit cells, total cells or combinations)`` by Cover's bound."""
    if hp is None:
        hp = hyperplanes(_lifted_exact(problem))
    c1 = cover_count(hp.m, problem.lifted_dim)
    k = problem.units
    if k == 1:
        return c1, c1
    total = 0
    for a in problem.sign_vectors():
        p = sum(1 for s in a if s > 0)
        total += math.comb(c1 + p - 1, p) * math.comb(c1 + k - p - 1, k - p)
    return c1, total


def _lifted_exact(problem: FitProblem) -> list[tuple[Fraction, ...]]:
    if problem.bias:
        return [(*x, Fraction(1)) for x in problem.X]
    return [tuple(x) for x in problem.X]


# --------------------------------------------------------------------------------- setup
@dataclass
class _Setup:
    problem: FitProblem
    Z: np.ndarray  # (n, D) float lifted points
    hp: Hyperplanes
    F: np.ndarray  # (n, P) features: c·zzᵀ (upper triangle), c·y·z, c·y⁺·z, 1
    Y: float
    D: int
    iu: tuple[np.ndarray, np.ndarray]
    E: np.ndarray  # weight coordinates for the norm bound

    @classmethod
    def build(cls, problem: FitProblem) -> _Setup:
        Z = problem.lifted()
        D = Z.shape[1]
        hp = hyperplanes(_lifted_exact(problem))
        iu = np.triu_indices(D)
        c, y = problem.cf, problem.yf
        zz = (Z[:, :, None] * Z[:, None, :])[:, iu[0], iu[1]]
        # c·y⁺·z feeds the sign-aware bounds (:meth:`sign_bounds`); the last column counts
        # active points (exact in floats), to spot near-empty cells
        yp = np.maximum(y, 0.0)
        F = np.hstack(
            [c[:, None] * zz, (c * y)[:, None] * Z, (c * yp)[:, None] * Z, np.ones((len(Z), 1))]
        )
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

    def sign_bounds(self, sums: np.ndarray) -> np.ndarray:
        """Lower bounds ``(…, 2)`` on a cell's optimum for output sign ``a = +1`` and ``−1``.

        On a cell with active set ``S`` and ``a = +1`` every active ``z_i·θ`` is ≥ 0, so a
        label ``y_i < 0`` costs ``(z_i·θ − y_i)² ≥ (z_i·θ)² + y_i²``; hence the cell optimum is
        at least ``Y − h₊ᵀG⁺h₊`` with ``h₊ = Σ_S c_i y_i⁺ z_i`` (least squares against the
        labels clipped at 0), and at least the plain bound ``Y − hᵀG⁺h``.  For ``a = −1`` the
        same holds with ``h₋ = Σ_S c_i y_i⁻ z_i = h₊ − h``.  Each column is the larger of the
        two; one factorisation of ``G`` serves all three right-hand sides.
        """
        G, h = self.unpack(sums)
        nt, D = len(self.iu[0]), self.D
        hp = sums[..., nt + D : nt + 2 * D]
        vals = ls_values(G, np.stack([h, hp, hp - h], axis=-2))
        plain = vals[..., 0]
        return self.Y - np.stack(
            [np.minimum(plain, vals[..., 1]), np.minimum(plain, vals[..., 2])], axis=-1
        )

    def constraint_rows(self, signs: np.ndarray) -> np.ndarray:
        return np.where(signs[:, None], self.hp.normals, -self.hp.normals)


# ----------------------------------------------------------------------------- enumerators
class _ExactCells:
    """All chambers from the exact enumerator; keys are row numbers.

    ``check`` is forwarded to :func:`exact_chambers` (deadline and interrupt polling).
    """

    def __init__(self, hp: Hyperplanes, D: int, check: Callable[[], None] | None = None) -> None:
        self.m = hp.m
        if hp.m == 0:
            self.table = np.zeros((1, 0), dtype=bool)
        else:
            self.table = exact_chambers(hp.exact, check)
        del D

    def blocks(
        self, shard: int, num_shards: int, delta: np.ndarray, base: np.ndarray, size: int = 4096
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        keys = np.arange(len(self.table), dtype=np.int64)
        keys = keys[keys % num_shards == shard]
        for s in range(0, len(keys), size):
            k = keys[s : s + size]
            yield k, base + self.table[k].astype(float) @ delta

    def signs(self, keys: np.ndarray) -> np.ndarray:
        return self.table[np.asarray(keys, dtype=np.int64)]

    def all_keys(self) -> np.ndarray:
        return np.arange(len(self.table), dtype=np.int64)


class _GenericCells:
    def __init__(self, hp: Hyperplanes, D: int) -> None:
        self.m = hp.m
        self.gen = GenericEnumerator(hp.normals, exact=hp.exact)

    def blocks(
        self, shard: int, num_shards: int, delta: np.ndarray, base: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        batch = max(16, 65536 // max(self.gen.m, 1))
        for level, Tp in self.gen.work_items(shard, num_shards, batch=batch):
            keys, sums = self.gen.sweep(level, Tp, delta)
            yield keys, sums + base

    def signs(self, keys: np.ndarray) -> np.ndarray:
        return self.gen.signs(keys)

    def all_keys(self) -> np.ndarray:
        delta = np.zeros((self.gen.m, 1))
        out = [k for k, _ in self.blocks(0, 1, delta, np.zeros(1))]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _cells(setup: _Setup, mode: str, check: Callable[[], None] | None = None):
    if mode == "exact":
        return _ExactCells(setup.hp, setup.D, check)
    return _GenericCells(setup.hp, setup.D)


def _choose_mode(setup: _Setup) -> str:
    if cover_count(setup.hp.m, setup.D) <= EXACT_CELLS or setup.hp.m < setup.D:
        return "exact"
    return "generic"


# ------------------------------------------------------------------------------- regions
#: Relative safety factor of the region test (float error of the centre and the quadratic
#: forms is below cond·eps ≤ 1e-8 under the conditioning cap below; this is 100× that).
REGION_SAFETY = 1e-6
#: Regions are only used when the Gram matrix of the forcing points is this well conditioned.
REGION_COND = 1e8


def _heuristic_upper(setup: _Setup) -> float:
    """An upper bound on the optimum: the float loss of a network found by alternating least
    squares (fit the points active at the current θ, repeat), over the allowed output signs.

    Any network's loss bounds the optimum from above, so the quality of this heuristic only
    affects speed (the size of the regions below), never correctness.  With a norm bound the
    candidate is shrunk into the ball (``tθ`` stays a valid network for ``0 < t ≤ 1``).
    """
    problem = setup.problem
    Z, c, y = setup.Z, problem.cf, problem.yf
    sq = np.sqrt(c)
    best = setup.Y
    B = None if problem.weight_bound is None else float(problem.weight_bound)
    for (a,) in problem.sign_vectors():
        active = np.ones(len(y), dtype=bool)
        for _ in range(30):
            if not active.any():
                break
            theta = np.linalg.lstsq(Z[active] * sq[active, None], a * y[active] * sq[active])[0]
            if B is not None:
                wn = float(np.linalg.norm(setup.E @ theta))
                if wn > B:
                    theta = theta * (B / wn) * (1 - 1e-9)
            pred = a * np.maximum(Z @ theta, 0.0)
            best = min(best, float(c @ (pred - y) ** 2))
            nxt = Z @ theta > 0
            if np.array_equal(nxt, active):
                break
            active = nxt
    return best


@dataclass(frozen=True)
class _Region:
    """A set of cells for one output sign: the chambers of the hyperplanes ``free``, each
    extended by the signs ``fixed[g]`` of every other hyperplane."""

    free: tuple[int, ...]
    fixed: tuple[bool, ...]

    def cost(self, D: int) -> int:
        return cover_count(len(self.free), D)


#: Regions with more cells than this are split on the activity of one more point …
REGION_SPLIT_CELLS = 500
#: … at most this deep, into at most this many leaves per output sign.
REGION_DEPTH = 24
REGION_LEAVES = 256


def _regions(setup: _Setup, a: int, upper: float) -> list[_Region]:
    """Cell sets covering every cell that can hold a unit of output sign ``a`` with loss ≤ U.

    ``U`` is ``upper`` slightly widened.  A network ``a·σ(θ·z)`` predicts with the sign of
    ``a`` (or 0), so the points with ``a y_i < 0`` cost at least ``K = Σ_{a y_i<0} c_i y_i²``
    whatever θ.  A *node* fixes some points inactive (``I``) and some active (``J``) and has
    the budget ``b = U − K − Σ_I c_i y_i²``; its networks are those with these activities and
    loss ≤ U.  Every other point with ``a y_i > 0`` and ``c_i y_i² > b`` must be active too
    (inactive it alone would exceed the budget), so with ``H`` those and ``J`` the loss is at
    least ``K + Σ_I c_i y_i² + Σ_H c_i(z_i·θ − a y_i)²``: θ lies in the ellipsoid
    ``E = {θ : Σ_H c_i(z_i·θ − a y_i)² ≤ b}``.  A hyperplane ``z_g·θ = 0`` meets E iff
    ``LS_H + (z_g·θ_c)²/(z_gᵀM⁻¹z_g) ≤ b`` (``M = Σ_H c_i z_i z_iᵀ``, centre ``θ_c``); one that
    does not keeps the sign of ``z_g·θ_c`` on E, and the hyperplanes of points in ``H ∪ I``
    have the sign of their fixed activity.  The node's cells are the chambers of the remaining
    (*free*) hyperplanes with all other signs fixed.  A node with too many cells is split on
    the heaviest free point ``j`` (``a y_j > 0``): ``j`` active (budget unchanged, E shrinks) or
    inactive (budget ``b − c_j y_j²``); the two children partition the node's networks.  When
    ``H`` does not span (or ``M`` is ill conditioned) E is unbounded and only the activity
    signs are fixed.  Every comparison is widened by ``REGION_SAFETY`` (a hyperplane in doubt
    is free), so the leaves cover every cell whose optimum is ≤ U: with U above the optimum
    they contain an optimal cell, and every other cell's optimum exceeds U.
    """
    problem = setup.problem
    hp = setup.hp
    Z, c, y = setup.Z, problem.cf, problem.yf
    ay = a * y
    cy2 = c * y * y
    slack = REGION_SAFETY * (upper + 1e-3 * setup.Y)  # widens every region: the safe direction
    spent = float(cy2[ay < 0].sum())
    if spent > upper + slack:
        return []
    N = hp.normals
    D = setup.D

    def node(inactive: frozenset[int], active: frozenset[int], budget: float):
        """``(region, heavy set)`` of a node, or ``None`` when it holds no network."""
        H = np.zeros(len(y), dtype=bool)
        H[list(active)] = True
        H |= (ay > 0) & (cy2 > budget)
        H[list(inactive)] = False
        want = np.zeros(hp.m, dtype=np.int8)  # +1 / −1: sign forced by a fixed activity
        for pts, act in ((np.flatnonzero(H), True), (np.array(sorted(inactive), dtype=int), False)):
            if len(pts) == 0:
                continue
            g, o = hp.group[pts], hp.orient[pts]
            if np.any(g < 0):
                if act:
                    return None  # z_i = 0 is never active
                keep = g >= 0
                g, o = g[keep], o[keep]
            sg = np.where(act, o, -o).astype(np.int8)
            if np.any((want[g] != 0) & (want[g] != sg)):
                return None
            np.put(want, g, sg)
            if len(np.unique(g)) != len(g):  # one hyperplane, several points: check them all
                for gg, ss in zip(g, sg, strict=True):
                    if want[gg] != ss:
                        return None
        free = want == 0
        fixed = want > 0
        if H.sum() >= D:
            ZH, cH, yH = Z[H], c[H], ay[H]
            M = (ZH * cH[:, None]).T @ ZH
            ev = np.linalg.eigvalsh(M)
            if ev[0] > 0 and ev[-1] <= REGION_COND * ev[0]:
                theta_c = np.linalg.solve(M, (ZH * cH[:, None]).T @ yH)
                ls_h = float(cH @ (ZH @ theta_c - yH) ** 2)
                if ls_h > budget * (1 + REGION_SAFETY):
                    return None
                lin = N @ theta_c
                quad = np.einsum("gi,gi->g", N, np.linalg.solve(M, N.T).T)
                crosses = (ls_h + lin * lin / quad <= budget * (1 + REGION_SAFETY)) | (
                    np.abs(lin) <= REGION_SAFETY * np.linalg.norm(theta_c)
                )
                fixed = np.where(free & ~crosses, lin > 0, fixed)
                free &= crosses
                rest = ~H & (hp.group >= 0)
                rest[list(inactive)] = False
                cut = _tighter_cut(Z, c, np.maximum(ay, 0.0), H, rest, M, N, free, budget)
                if cut is None:
                    return None
                drop, side = cut
                fixed = np.where(drop, side, fixed)
                free &= ~drop
        region = _Region(tuple(int(g) for g in np.flatnonzero(free)), tuple(bool(v) for v in fixed))
        return region, H

    leaves: list[_Region] = []
    root = node(frozenset(), frozenset(), upper - spent + slack)
    stack = [] if root is None else [(root, frozenset(), frozenset(), upper - spent + slack, 0)]
    while stack:
        (region, H), inactive, active, budget, depth = stack.pop()
        if region.cost(D) <= REGION_SPLIT_CELLS or depth >= REGION_DEPTH:
            leaves.append(region)
            continue
        free_g = np.zeros(hp.m, dtype=bool)
        free_g[list(region.free)] = True
        cand = np.flatnonzero((ay > 0) & ~H & (hp.group >= 0) & free_g[np.maximum(hp.group, 0)])
        cand = cand[~np.isin(cand, list(inactive))]
        if len(cand) == 0 or len(leaves) + len(stack) + 2 > REGION_LEAVES:
            leaves.append(region)
            continue
        j = int(cand[np.argmax(cy2[cand])])
        kids = [
            (node(inactive, active | {j}, budget), inactive, active | {j}, budget),
            (
                node(inactive | {j}, active, budget - cy2[j]) if budget >= cy2[j] else None,
                inactive | {j},
                active,
                budget - cy2[j],
            ),
        ]
        kids = [k for k in kids if k[0] is not None]
        if sum(k[0][0].cost(D) for k in kids) >= region.cost(D):
            leaves.append(region)
            continue
        for kid in kids:
            stack.append((kid[0], kid[1], kid[2], kid[3], depth + 1))
    return leaves


def _tighter_cut(
    Z: np.ndarray,
    c: np.ndarray,
    t: np.ndarray,
    H: np.ndarray,
    rest: np.ndarray,
    M: np.ndarray,
    N: np.ndarray,
    cand: np.ndarray,
    budget: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Hyperplanes among ``cand`` that miss ``R = {θ : Φ(θ) ≤ budget}``, and their side.

    ``Φ(θ) = Σ_H c_i(z_i·θ − t_i)² + Σ_rest c_i((z_i·θ − t_i)⁺)²`` (``t_i = max(a y_i, 0)``) is
    a lower bound on the loss a node's network spends beyond its fixed costs: a point outside
    H that is active costs at least its overshoot ``((z_i·θ − t_i)⁺)²``.  ``Φ = Q + P`` with
    ``Q`` the quadratic over H (Hessian ``2M``) and ``P`` convex, so for any ``θ̂``
    ``Φ(θ) ≥ Φ(θ̂) + ∇Φ(θ̂)·(θ − θ̂) + (θ − θ̂)ᵀM(θ − θ̂)``, whose minimum over a hyperplane
    through ``θ̂`` is explicit: a rigorous lower bound on ``min Φ`` there, whatever ``θ̂`` is.
    ``θ̂`` comes from a few semismooth Newton steps (least squares over H and the overshooting
    points, on the hyperplane).  ``None``: even the unconstrained bound exceeds the budget (the
    node holds no network).  The side of a dropped hyperplane is its sign at a point of R.
    """
    drop = np.zeros(len(N), dtype=bool)
    side = np.zeros(len(N), dtype=bool)
    Minv = np.linalg.inv(M)
    limit = budget * (1 + REGION_SAFETY)

    def phi_grad(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = theta @ Z.T - t  # (…, n)
        r = np.where(H, r, np.where(rest, np.maximum(r, 0.0), 0.0))
        return (c * r * r).sum(axis=-1), 2.0 * (c * r) @ Z

    def newton(normal: np.ndarray | None, start: np.ndarray) -> np.ndarray:
        theta = start
        for _ in range(8):
            over = rest & (theta @ Z.T > t)
            w = c * (H | over)
            A = np.einsum("...i,ij,ik->...jk", w, Z, Z)
            b = np.einsum("...i,ij->...j", w * t, Z)
            sol = np.linalg.solve(A, b[..., None])[..., 0]
            if normal is not None:  # least squares on the hyperplane normal·θ = 0
                An = np.linalg.solve(A, normal[..., None])[..., 0]
                lam = np.einsum("...j,...j->...", normal, sol) / np.einsum(
                    "...j,...j->...", normal, An
                )
                sol = sol - lam[..., None] * An
            if np.allclose(sol, theta, rtol=0, atol=0):
                break
            theta = sol
        return theta

    def lower(theta: np.ndarray, normal: np.ndarray | None) -> np.ndarray:
        """The bound, minus an allowance for cancellation between its two terms (relative
        float error ≤ cond·eps ≤ 1e-8 each; the allowance is 10× that)."""
        val, g = phi_grad(theta)
        if normal is not None:
            Mn = normal @ Minv.T
            lam = np.einsum("...j,...j->...", Mn, g) / np.einsum("...j,...j->...", Mn, normal)
            g = g - lam[..., None] * normal
        drop = 0.25 * np.einsum("...j,jk,...k->...", g, Minv, g)
        return val - drop - 1e-7 * (np.abs(val) + np.abs(drop))

    x0 = np.linalg.solve(M, (c * H * t) @ Z)
    x0 = newton(None, x0)
    if lower(x0, None) > limit:
        return None
    inside, _ = phi_grad(x0)
    idx = np.flatnonzero(cand)
    if inside > budget or len(idx) == 0:
        return drop, side  # no point of R at hand to orient a cut: keep every candidate
    nrm = N[idx]
    start = x0[None, :] - (nrm @ x0)[:, None] * nrm  # x0 projected onto each hyperplane
    thetas = newton(nrm, start)
    lows = lower(thetas, nrm)
    lin = nrm @ x0
    ok = (lows > limit) & (np.abs(lin) > REGION_SAFETY * np.linalg.norm(x0))
    drop[idx[ok]] = True
    side[idx[ok]] = lin[ok] > 0
    return drop, side


class _RegionCells:
    """Chambers of the hyperplanes ``cross``, each extended by the ``fixed`` signs of the
    others: a superset of the chambers meeting a region (see :func:`_region`).  Patterns that
    are not chambers of the whole arrangement are harmless: the QP over their closed cone is
    still the loss of a real network, and its bound is still a valid lower bound."""

    def __init__(
        self,
        setup: _Setup,
        cross: Sequence[int],
        fixed: np.ndarray,
        mode: str,
        check: Callable[[], None] | None = None,
    ) -> None:
        hp = setup.hp
        self.cross = np.asarray(cross, dtype=np.int64)
        self.fixed = np.asarray(fixed, dtype=bool)
        self.free = np.zeros(hp.m, dtype=bool)
        self.free[self.cross] = True
        none = np.zeros(0, dtype=np.int64)
        sub = Hyperplanes(
            tuple(hp.exact[g] for g in self.cross), hp.normals[self.cross], none, none
        )
        small = cover_count(sub.m, setup.D) <= EXACT_CELLS or sub.m < setup.D
        self.inner = (
            _ExactCells(sub, setup.D, check)
            if mode == "exact" or small
            else _GenericCells(sub, setup.D)
        )
        self.m = sub.m

    def blocks(
        self, shard: int, num_shards: int, delta: np.ndarray, base: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        base = base + (self.fixed & ~self.free).astype(float) @ delta
        yield from self.inner.blocks(shard, num_shards, delta[self.cross], base)

    def signs(self, keys: np.ndarray) -> np.ndarray:
        out = np.repeat(self.fixed[None, :], len(keys), axis=0)
        out[:, self.cross] = self.inner.signs(keys)
        return out


# ----------------------------------------------------------------------------- progress
class _Progress:
    """A one-line progress display on a stream, only when enabled."""

    def __init__(self, enabled: bool, stream: TextIO, total: int | None, label: str) -> None:
        self.enabled, self.stream, self.total, self.label = enabled, stream, total, label
        self.last = 0.0
        self.t0 = time.monotonic()

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        frac = f" {100.0 * done / self.total:5.1f}%" if self.total else ""
        self.stream.write(f"\r{self.label}: {done:,} cells{frac} {extra} {now - self.t0:6.1f}s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _progress_enabled(progress: bool | None, stream: TextIO) -> bool:
    if progress is not None:
        return bool(progress)
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# ---------------------------------------------------------------------------- cell optima
@dataclass
class _Best:
    value: float
    key: tuple[int, ...]
    theta: np.ndarray  # (k, D)
    lower: float
    patterns: list[np.ndarray]  # per unit: chamber signs over hyperplanes
    kkt: float
    signs: tuple[int, ...]
    exact_theta: list[list[Fraction]] | None = None  # set when an exact zero fit was proven

    def better(self, value: float, key: tuple[int, ...]) -> bool:
        return (value, key) < (self.value, self.key)


def _single_cell(
    setup: _Setup, signs: np.ndarray, a: int
) -> tuple[float, np.ndarray, float, float]:
    """Canonical cell optimum for output sign ``a``: (value, θ, lower bound, KKT residual).

    Deterministic: the same cell gives bit-identical output in any shard.
    """
    act = setup.hp.active(signs)
    sums = act.astype(float) @ setup.F
    G, h = setup.unpack(sums)
    h = a * h
    A = setup.constraint_rows(signs)
    if setup.problem.weight_bound is not None:
        B2 = float(setup.problem.weight_bound) ** 2
        qp, low, _ = ball_cone_qp(G, h, A, setup.E, B2)
        return setup.Y + qp.value, qp.theta, setup.Y + low, qp.kkt_residual
    qp = solve_cone_qp(G, h, A)
    return setup.Y + qp.value, qp.theta, setup.Y + qp.value, qp.kkt_residual


def _joint_system(
    setup: _Setup, a: tuple[int, ...], acts: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    D, k = setup.D, len(a)
    Gs = np.zeros((k * D, k * D))
    hs = np.zeros(k * D)
    for j in range(k):
        for l in range(j, k):
            both = acts[j] & acts[l]
            Gb, hb = setup.unpack(both.astype(float) @ setup.F)
            Gs[j * D : (j + 1) * D, l * D : (l + 1) * D] = a[j] * a[l] * Gb
            Gs[l * D : (l + 1) * D, j * D : (j + 1) * D] = a[j] * a[l] * Gb
            if l == j:
                hs[j * D : (j + 1) * D] = a[j] * hb
    return Gs, hs


def _joint_cell(
    setup: _Setup, a: tuple[int, ...], patterns: list[np.ndarray]
) -> tuple[float, np.ndarray, float, float]:
    D, k, m = setup.D, len(a), setup.hp.m
    acts = [setup.hp.active(s) for s in patterns]
    G, h = _joint_system(setup, a, acts)
    A = np.zeros((k * m, k * D))
    for j, s in enumerate(patterns):
        A[j * m : (j + 1) * m, j * D : (j + 1) * D] = setup.constraint_rows(s)
    qp = solve_cone_qp(G, h, A)
    return setup.Y + qp.value, qp.theta.reshape(k, D), setup.Y + qp.value, qp.kkt_residual


# ------------------------------------------------------------------------------ shard work
@dataclass
class ShardResult:
    """Picklable outcome of one shard."""

    shard: int
    not_generic: bool
    best: _Best | None
    cells: int
    combos: int
    visited: int
    pruned: int
    qps: int
    enumerated: bool  # every cell of the shard has a bound
    lower: float | None  # valid lower bound on the shard's cells when stopped early
    limit: str | None
    realizable: bool
    seconds: float
    visited_low: float = math.inf  # least lower bound of the visited cells' optima
    region: dict[str, Any] | None = None  # the incumbent regions used (single unit)


def _check_stop(deadline: float | None) -> bool:
    return deadline is not None and time.time() >= deadline


def _tick(
    bar: Any, done: int, state: dict[str, Any], deadline: float | None, callback: Any
) -> bool:
    """Report search progress; mark the time limit and return True when it has passed."""
    bar.update(done, f"visited {state['visited']:,}")
    if callback is not None:
        callback({"phase": "search", "visited": state["visited"]})
    if _check_stop(deadline):
        state["limit"] = "time"
        return True
    return False


class _TimeUp(Exception):
    """Raised by the polling hooks of long exact phases when the deadline has passed."""


def _poller(
    deadline: float | None,
    callback: Callable[[dict[str, Any]], None] | None,
    phase: str,
    bar: _Progress | None = None,
) -> Callable[[], None]:
    """A no-argument hook for long exact phases (exact enumeration, certification): it reports
    ``{"phase": phase, "step": i}`` to ``callback`` (which may raise ``KeyboardInterrupt``, like
    Ctrl-C) and raises :class:`_TimeUp` once ``deadline`` has passed.  Ctrl-C itself arrives as
    ``KeyboardInterrupt`` between any two Python bytecodes, so needs no polling."""
    count = itertools.count(1)

    def check() -> None:
        step = next(count)
        if bar is not None and step % 16 == 0:
            bar.update(0, f"{phase}: step {step:,}")
        if callback is not None:
            callback({"phase": phase, "step": step})
        if _check_stop(deadline):
            raise _TimeUp

    return check


def problem_spec(problem: FitProblem) -> dict[str, Any]:
    """A picklable description of ``problem`` (FitProblem's read-only meta does not pickle)."""
    return {
        "X": problem.X,
        "y": problem.y,
        "sample_weight": problem.sample_weight,
        "units": problem.units,
        "bias": problem.bias,
        "output_signs": problem.output_signs,
        "weight_bound": problem.weight_bound,
        "meta": dict(problem.meta),
    }


def solve_shard(
    problem: FitProblem | dict[str, Any],
    shard: int = 0,
    num_shards: int = 1,
    mode: str | None = None,
    deadline: float | None = None,
    progress: bool | None = False,
    progress_stream: TextIO | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
    regions: bool = True,
) -> ShardResult:
    """Solve shard ``shard`` of ``num_shards`` (a pure function of its arguments).

    ``mode`` is ``"exact"`` or ``"generic"`` (default: chosen from the size); a generic shard
    that meets a degenerate configuration returns ``not_generic=True`` and no answer.
    ``regions`` (single unit) enumerates only the chambers that can hold a network better than
    a heuristic incumbent (:func:`_region`); ``False`` enumerates the whole arrangement.
    ``deadline`` is an absolute ``time.time()``; ``callback`` receives a dict after every batch
    (a test hook: raising ``KeyboardInterrupt`` there acts like Ctrl-C).
    """
    t0 = time.time()
    if isinstance(problem, dict):
        problem = FitProblem(**problem)
    setup = _Setup.build(problem)
    mode = mode or _choose_mode(setup)
    stream = progress_stream if progress_stream is not None else sys.stderr
    est = _estimate(problem, setup.hp)[1]
    bar = _Progress(_progress_enabled(progress, stream), stream, max(1, est // num_shards), "enum")
    k = problem.units
    zero = _Best(
        setup.Y, (-1,), np.zeros((k, setup.D)), setup.Y, [], 0.0, problem.sign_vectors()[0]
    )
    state = {
        "best": zero,
        "cells": 0,
        "combos": 0,
        "visited": 0,
        "pruned": 0,
        "qps": 0,
        "enumerated": False,
        "lower": None,
        "limit": None,
        "realizable": False,
        "visited_low": math.inf,
        "region": None,
    }
    try:
        check = _poller(deadline, callback, "enumerate-exact", bar)
        if k == 1:
            groups = _single_groups(setup, mode, check, regions, state)
            bar.total = max(1, sum(cover_count(g.m, setup.D) for g, _ in groups) // num_shards)
            _search_single(setup, groups, shard, num_shards, deadline, bar, callback, state)
        else:
            cells = _cells(setup, mode, check)
            _search_multi(setup, cells, shard, num_shards, deadline, bar, callback, state)
    except NotGeneric:
        bar.close()
        return ShardResult(
            shard, True, None, 0, 0, 0, 0, 0, False, None, None, False, time.time() - t0
        )
    except KeyboardInterrupt:
        state["limit"] = "interrupt"
    except _TimeUp:
        state["limit"] = "time"
    bar.close()
    return ShardResult(
        shard,
        False,
        state["best"],
        state["cells"],
        state["combos"],
        state["visited"],
        state["pruned"],
        state["qps"],
        state["enumerated"],
        state["lower"],
        state["limit"],
        state["realizable"],
        time.time() - t0,
        state["visited_low"],
        state["region"],
    )


def _single_groups(
    setup: _Setup,
    mode: str,
    check: Callable[[], None] | None,
    regions: bool,
    state: dict[str, Any],
) -> list[tuple[Any, list[int]]]:
    """The cell sets to enumerate for a single unit: ``(cells, sign-vector indices)``; with
    ``regions=False`` one set, the whole arrangement, for every output sign."""
    svs = setup.problem.sign_vectors()
    if not regions or setup.hp.m == 0:
        return [(_cells(setup, mode, check), list(range(len(svs))))]
    plan = _region_plan(setup)
    state["region"] = plan.info  # set first: a limit may strike in the exact sub-enumeration
    return [
        (_RegionCells(setup, reg.free, np.array(reg.fixed, dtype=bool), mode, check), vs)
        for reg, vs in plan.shared.items()
    ]


@dataclass(frozen=True)
class _RegionPlan:
    """The incumbent regions of every output sign: ``shared`` maps each distinct region to
    the sign-vector indices it serves (identical regions of both signs, e.g. both unbounded,
    share one enumeration); ``info`` is the summary reported in the stats."""

    shared: dict[_Region, list[int]]
    info: dict[str, Any]

    def cells(self, D: int) -> int:
        return sum(r.cost(D) for r in self.shared)


def _region_plan(setup: _Setup) -> _RegionPlan:
    upper = _heuristic_upper(setup)
    shared: dict[_Region, list[int]] = {}
    signs = []
    for v, (a,) in enumerate(setup.problem.sign_vectors()):
        leaves = _regions(setup, a, upper)
        signs.append(
            {"sign": a, "regions": len(leaves), "cells_bound": sum(r.cost(setup.D) for r in leaves)}
        )
        for reg in leaves:
            shared.setdefault(reg, []).append(v)
    return _RegionPlan(shared, {"upper": upper, "signs": signs})


def _search_single(setup, groups, shard, num_shards, deadline, bar, callback, state) -> None:
    delta, base = setup.deltas()
    svs = setup.problem.sign_vectors()
    # One bound per (cell, output sign): the sign-aware bounds differ between a = +1 and −1.
    keys_l, vs_l, gs_l, bounds_l = [], [], [], []
    for gi, (cells, vs) in enumerate(groups):
        cols = [0 if svs[v][0] > 0 else 1 for v in vs]
        for keys, sums in cells.blocks(shard, num_shards, delta, base):
            # Prefix sums carry absolute rounding of the order of the total; for cells with few
            # active points that is large relative to their own sums: recompute those directly.
            few = sums[:, -1] < 2 * setup.D - 0.5
            if np.any(few):
                act = setup.hp.active(cells.signs(keys[few]))
                sums[few] = act.astype(float) @ setup.F
            keys_l.append(np.repeat(keys, len(vs)))
            vs_l.append(np.tile(np.array(vs, dtype=np.int64), len(keys)))
            gs_l.append(np.full(len(keys) * len(vs), gi, dtype=np.int64))
            bounds_l.append(setup.sign_bounds(sums)[:, cols].reshape(-1))
            state["cells"] += len(keys)
            bar.update(state["cells"], "enumerated")
            if callback is not None:
                callback({"phase": "enumerate", "cells": state["cells"]})
            if _check_stop(deadline):
                state["limit"] = "time"
                return

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    keys, vs, gs = cat(keys_l, np.int64), cat(vs_l, np.int64), cat(gs_l, np.int64)
    bounds = cat(bounds_l, float)
    state["enumerated"] = True
    order = np.lexsort((vs, keys, gs, bounds))
    keys, vs, gs, bounds = keys[order], vs[order], gs[order], bounds[order]
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    state["lower"] = float(bounds[0] - margin) if len(bounds) else None
    pos, batch = 0, 64
    seen: set[tuple[int, int]] = set()  # (group, cell) with at least one output sign solved
    try:
        while pos < len(keys):
            best = state["best"]
            if bounds[pos] - margin > best.value:
                break
            stop = min(len(keys), pos + batch)
            sub = np.searchsorted(bounds[pos:stop], best.value + margin, side="right")
            stop = pos + max(int(sub), 1)
            gsel = gs[pos:stop]
            signs = np.zeros((stop - pos, setup.hp.m), dtype=bool)
            for gi in np.unique(gsel):
                rows = np.flatnonzero(gsel == gi)
                signs[rows] = groups[gi][0].signs(keys[pos:stop][rows])
            for r in range(stop - pos):
                if bounds[pos + r] - margin > state["best"].value:
                    stop = pos + r
                    break
                state["visited"] += 1
                if r % 16 == 15 and _check_stop(deadline):
                    stop = pos + r + 1
                    state["limit"] = "time"
                v = int(vs[pos + r])
                seen.add((int(gsel[r]), int(keys[pos + r])))
                value, theta, low, kkt = _single_cell(setup, signs[r], svs[v][0])
                state["qps"] += 1
                state["visited_low"] = min(state["visited_low"], low)
                key = (int(gsel[r]), int(keys[pos + r]), v)
                if state["best"].better(value, key):
                    state["best"] = _Best(value, key, theta[None, :], low, [signs[r]], kkt, svs[v])
                    if value <= REALIZABLE_TOL * setup.Y and _prove_zero(
                        setup, state, deadline, callback
                    ):
                        return
                if state["limit"] is not None:
                    break
            pos = stop
            state["lower"] = float(bounds[pos] - margin) if pos < len(keys) else None
            if state["limit"] is not None:
                return
            batch = min(batch * 2, 4096)
            if _tick(bar, state["cells"], state, deadline, callback):
                return
    finally:
        state["pruned"] = state["cells"] - len(seen)


def _prove_zero(
    setup: _Setup,
    state: dict[str, Any],
    deadline: float | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> bool:
    """Realizable short-circuit: if the incumbent's cell has exact optimum 0, keep the exact
    zero-loss network and report it (the loss is ≥ 0, so it is optimal)."""
    best = state["best"]
    theta, value, _ = _certify(setup, best, _poller(deadline, callback, "certify"))
    if theta is None or value != 0:
        return False
    best.exact_theta = theta
    state["realizable"] = True
    state["lower"] = 0.0
    return True


def _combos(C: int, a: tuple[int, ...], chunk: int = 8192) -> Iterator[np.ndarray]:
    """Unit-cell index tuples for sign vector ``a`` (+ units first), non-decreasing within
    each group of equal sign (units of equal sign are interchangeable)."""
    p = sum(1 for s in a if s > 0)
    q = len(a) - p
    it = (
        tuple(x) + tuple(y)
        for x in itertools.combinations_with_replacement(range(C), p)
        for y in itertools.combinations_with_replacement(range(C), q)
    )
    while True:
        block = list(itertools.islice(it, chunk))
        if not block:
            return
        yield np.array(block, dtype=np.int64).reshape(len(block), len(a))


def _search_multi(setup, cells, shard, num_shards, deadline, bar, callback, state) -> None:
    keys1 = cells.all_keys()
    keys1.sort()
    table = cells.signs(keys1)  # (C, m)
    C = len(table)
    state["cells"] = C
    acts = setup.hp.active(table)  # (C, n)
    Fc = acts.astype(float) @ setup.F
    D = setup.D
    # + units first (a fixed sign list may be given in any order; units are interchangeable)
    svs = [tuple(sorted(a, reverse=True)) for a in setup.problem.sign_vectors()]
    k = setup.problem.units
    recs = []  # (bounds, v, combos)
    chunk_id = 0
    nt = len(setup.iu[0])
    for v, a in enumerate(svs):
        av = np.array(a, dtype=float)
        for combo in _combos(C, a):
            chunk_id += 1
            if chunk_id % num_shards != shard:
                continue
            B = len(combo)
            G = np.zeros((B, k * D, k * D))
            h = np.zeros((B, k * D))
            for j in range(k):
                Gj, hj = setup.unpack(Fc[combo[:, j]])
                G[:, j * D : (j + 1) * D, j * D : (j + 1) * D] = Gj
                h[:, j * D : (j + 1) * D] = av[j] * hj
                for l in range(j + 1, k):
                    both = acts[combo[:, j]] & acts[combo[:, l]]
                    sums = both.astype(float) @ setup.F[:, :nt]
                    Gb, _ = setup.unpack(np.hstack([sums, np.zeros((B, D))]))
                    Gb = av[j] * av[l] * Gb
                    G[:, j * D : (j + 1) * D, l * D : (l + 1) * D] = Gb
                    G[:, l * D : (l + 1) * D, j * D : (j + 1) * D] = Gb
            recs.append((setup.Y - ls_values(G, h), np.full(B, v), combo))
            state["combos"] += B
            bar.update(state["combos"], "combinations")
            if callback is not None:
                callback({"phase": "enumerate", "combos": state["combos"]})
            if _check_stop(deadline):
                state["limit"] = "time"
                return
    if not recs:
        state["enumerated"] = True
        return
    bounds = np.concatenate([r[0] for r in recs])
    vs = np.concatenate([r[1] for r in recs])
    combos = np.concatenate([r[2] for r in recs])
    state["enumerated"] = True
    order = np.lexsort((*(combos[:, j] for j in range(k - 1, -1, -1)), vs, bounds))
    bounds, vs, combos = bounds[order], vs[order], combos[order]
    margin = PRUNE_MARGIN * max(setup.Y, 1e-300)
    state["lower"] = float(bounds[0] - margin)
    try:
        for r in range(len(bounds)):
            best = state["best"]
            if bounds[r] - margin > best.value:
                break
            a = svs[int(vs[r])]
            pats = [table[c] for c in combos[r]]
            value, theta, low, kkt = _joint_cell(setup, a, pats)
            state["qps"] += 1
            state["visited_low"] = min(state["visited_low"], low)
            state["visited"] += 1
            key = (int(vs[r]), *(int(keys1[c]) for c in combos[r]))
            if best.better(value, key):
                state["best"] = _Best(value, key, theta, low, pats, kkt, a)
                if value <= REALIZABLE_TOL * setup.Y and _prove_zero(
                    setup, state, deadline, callback
                ):
                    break
            state["lower"] = float(bounds[r + 1] - margin) if r + 1 < len(bounds) else None
            if r % 64 == 0 and _tick(bar, state["combos"], state, deadline, callback):
                return
    finally:
        state["pruned"] = len(bounds) - state["visited"]


# ------------------------------------------------------------------------------- results
def _network(
    setup: _Setup, best: _Best, exact_theta: list[list[Fraction]] | None = None
) -> ReluNetwork:
    d = setup.problem.d
    units = []
    for j, aj in enumerate(best.signs):
        th = exact_theta[j] if exact_theta is not None else [float(v) for v in best.theta[j]]
        b = th[d] if setup.problem.bias else 0.0
        units.append(Unit(int(aj), tuple(th[:d]), b))
    return clip_to_bound(setup.problem, ReluNetwork(tuple(units)))


def _certify(
    setup: _Setup, best: _Best, check: Callable[[], None] | None = None
) -> tuple[list[list[Fraction]] | None, Fraction | None, str]:
    """Exact rational optimum of the winning cell (or combination) from its KKT system.

    ``check`` is polled once per exact active-set iteration (see :func:`_poller`)."""
    problem = setup.problem
    if not best.patterns:
        return None, problem.null_loss(), "zero network (no cell improved on it)"
    Zx = _lifted_exact(problem)
    D, k = setup.D, len(best.signs)
    c, y = problem.sample_weight, problem.y
    acts = [setup.hp.active(p) for p in best.patterns]
    G = [[Fraction(0)] * (k * D) for _ in range(k * D)]
    h = [Fraction(0)] * (k * D)
    for i, z in enumerate(Zx):
        for j in range(k):
            if not acts[j][i]:
                continue
            aj = best.signs[j]
            for t in range(D):
                h[j * D + t] += aj * c[i] * y[i] * z[t]
            for l in range(k):
                if not acts[l][i]:
                    continue
                al = best.signs[l]
                for t in range(D):
                    for u in range(D):
                        G[j * D + t][l * D + u] += aj * al * c[i] * z[t] * z[u]
    A = []
    for j, pat in enumerate(best.patterns):
        for g, normal in enumerate(setup.hp.exact):
            row = [Fraction(0)] * (k * D)
            sgn = 1 if pat[g] else -1
            for t in range(D):
                row[j * D + t] = Fraction(sgn * normal[t])
            A.append(row)
    sol = exact_cone_qp(G, h, A, check=check)
    value = problem.null_loss() + sol.value
    theta = [list(sol.theta[j * D : (j + 1) * D]) for j in range(k)]
    if not sol.certified:
        return None, None, "exact KKT check failed"
    if problem.weight_bound is not None:
        B2 = problem.weight_bound**2
        if any(sum((v * v for v in th[: problem.d]), Fraction(0)) > B2 for th in theta):
            return None, None, "norm bound active at the optimum: no rational certificate"
    return theta, value, "exact KKT certificate"


def _exact_system(setup: _Setup, signs: np.ndarray, a: int) -> tuple[list, list, list]:
    """Exact ``(G, a·h, A)`` of one chamber for a single unit with output sign ``a``."""
    problem = setup.problem
    Zx = _lifted_exact(problem)
    D = setup.D
    act = setup.hp.active(signs)
    G = [[Fraction(0)] * D for _ in range(D)]
    h = [Fraction(0)] * D
    for i in np.flatnonzero(act):
        z, ci, yi = Zx[i], problem.sample_weight[i], problem.y[i]
        for t in range(D):
            h[t] += a * ci * yi * z[t]
            for u in range(t, D):
                G[t][u] += ci * z[t] * z[u]
    for t in range(D):
        for u in range(t):
            G[t][u] = G[u][t]
    A = [
        [Fraction(v if sg else -v) for v in normal]
        for normal, sg in zip(setup.hp.exact, signs, strict=True)
    ]
    return G, h, A


def _exact_ls_value(G: list, h: list) -> Fraction:
    """``hᵀG⁺h`` exactly (``h`` is in the range of ``G``: any solution of ``Gx = h`` will do)."""
    D = len(h)
    R, piv = rref([[*G[i], h[i]] for i in range(D)])
    x = [Fraction(0)] * D
    for row, pc in zip(R, piv, strict=True):
        if pc == D:
            raise ArithmeticError("h outside the range of G")
        x[pc] = row[D]
    return sum((a * b for a, b in zip(h, x, strict=True)), Fraction(0))


def _rigorous_recheck(
    setup: _Setup,
    mode: str,
    value: Fraction,
    check: Callable[[], None] | None = None,
    cells: int | None = None,
) -> bool | None:
    """Re-prove ``opt ≥ value`` exactly: every chamber (exact enumeration) has a rational
    least-squares bound ``≥ value`` or, failing that, an exact cell optimum ``≥ value`` for
    each output sign.  ``None`` when not applicable (float enumeration, k ≥ 2, norm bound, or
    more than ``RIGOROUS_CELLS`` chambers; ``cells``, the chamber count when known, avoids
    enumerating again in that case).  ``check`` is polled throughout."""
    problem = setup.problem
    if mode != "exact" or problem.units != 1 or problem.weight_bound is not None:
        return None
    if cells is not None and cells > RIGOROUS_CELLS:
        return None  # known from the search: do not enumerate again for nothing
    table = _ExactCells(setup.hp, setup.D, check).table
    if len(table) > RIGOROUS_CELLS:
        return None
    Y = problem.null_loss()
    signs_list = [a[0] for a in problem.sign_vectors()]
    for row in table:
        if check is not None:
            check()
        G, h, A = _exact_system(setup, row, 1)
        if Y - _exact_ls_value(G, h) >= value:
            continue
        for a in signs_list:
            sol = exact_cone_qp(G, [a * v for v in h], A, check=check)
            if not sol.certified or Y + sol.value < value:
                return False
    return True


def merge_shards(
    problem: FitProblem,
    parts: Iterable[ShardResult],
    *,
    wall_s: float,
    certify: bool = False,
    mode: str = "",
    deadline: float | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> Result:
    """Combine shard outcomes into one :class:`Result` (winner = min ``(value, key)``).

    The certificate (``certify``) honours ``deadline`` (absolute ``time.time()``) and Ctrl-C:
    if either strikes during it, the search's outcome is returned as FEASIBLE with its (valid)
    bound and ``limit`` TIME or INTERRUPT, without the certificate."""
    parts = sorted(parts, key=lambda p: p.shard)
    setup = _Setup.build(problem)
    best = min((p.best for p in parts if p.best is not None), key=lambda b: (b.value, b.key))
    limit = next((p.limit for p in parts if p.limit == "interrupt"), None) or next(
        (p.limit for p in parts if p.limit), None
    )
    realizable = any(p.realizable for p in parts)
    stats: dict[str, Any] = {
        "cells": parts[0].cells if problem.units > 1 else sum(p.cells for p in parts),
        "cells_pruned": sum(p.pruned for p in parts),
        "qps": sum(p.qps for p in parts),
        "pattern": [np.flatnonzero(setup.hp.active(pt)).tolist() for pt in best.patterns],
        "kkt_residual": best.kkt,
        "enumerator": mode,
        "shards": len(parts),
    }
    if problem.units > 1:
        stats["combinations"] = sum(p.combos for p in parts)
    if parts[0].region is not None:
        stats["region"] = parts[0].region
    message = ""
    exact_theta = None
    cert_limit = None
    if certify and limit is None:
        check = _poller(deadline, callback, "certify")
        try:
            exact_theta, value, note = _certify(setup, best, check)
            if value is not None:
                stats["objective_exact"] = f"{value.numerator}/{value.denominator}"
            stats["certificate"] = note
            if value is not None and exact_theta is not None:
                checked = _rigorous_recheck(setup, mode, value, check, stats["cells"])
                if checked is not None:
                    stats["rigorous_recheck"] = checked
                    if checked:
                        message = (
                            "every cell's lower bound was re-checked in exact arithmetic "
                            "(exact cell enumeration, rational bounds and cell optima)"
                        )
        except (_TimeUp, KeyboardInterrupt) as exc:
            cert_limit = "time" if isinstance(exc, _TimeUp) else "interrupt"
            exact_theta = None
            message = ""
            for key in ("objective_exact", "certificate", "rigorous_recheck"):
                stats.pop(key, None)
    if exact_theta is None and best.exact_theta is not None:
        exact_theta = best.exact_theta
        stats.setdefault("objective_exact", "0/1")
    network = _network(setup, best, exact_theta)
    if limit is None:
        proven = True
        # Pruned cells have bounds above the incumbent; visited ones were solved.
        bound = 0.0 if realizable else min([best.lower, *(p.visited_low for p in parts)])
        if realizable:
            note = "realizable: an exact zero-loss network was found"
            message = f"{message}; {note}" if message else note
        if cert_limit is not None:
            # The search finished (its bound stands) but the certificate was cut short: a
            # limit was hit, so the answer is reported FEASIBLE, never OPTIMAL.
            proven, limit = False, cert_limit
            note = f"certificate stopped by {limit}; search bound from float pruning"
            message = f"{message}; {note}" if message else note
    else:
        proven = False
        lows = [p.lower if p.enumerated else None for p in parts]
        if realizable:
            bound = 0.0
        elif any(v is None for v in lows) and not all(p.enumerated for p in parts):
            bound = None
        else:
            vals = [v for v in lows if v is not None]
            bound = min([best.value, *vals, *(p.visited_low for p in parts)])
        message = f"stopped by {limit} after {stats['qps']} cell QPs"
    return finalize(
        problem,
        network,
        bound=bound,
        solver="enum",
        wall_s=wall_s,
        proven=proven,
        limit=Limit(limit) if limit else None,
        stats=stats,
        message=message,
    )


class EnumSolver:
    """Exact enumeration of activation cells (see the module docstring)."""

    name = "enum"

    def unsupported(self, problem: FitProblem) -> str | None:
        if problem.weight_bound is not None and problem.units > 1:
            return "the norm bound is supported for a single unit only; use --solver scip"
        return None

    def estimate_cells(self, problem: FitProblem) -> int:
        """Cover's bound on the cells (unit-cell combinations for k ≥ 2) to enumerate."""
        return _estimate(problem)[1]

    def region_cells(self, problem: FitProblem) -> int | None:
        """Cover's bound on the cells inside the incumbent regions (single unit), or ``None``.

        Cheap (a heuristic fit and one linear-algebra pass per region node), and never more
        than :meth:`estimate_cells`."""
        if problem.units != 1:
            return None
        setup = _Setup.build(problem)
        if setup.hp.m == 0:
            return 1
        return min(_region_plan(setup).cells(setup.D), self.estimate_cells(problem))

    def over_budget(
        self, problem: FitProblem, max_cells: int | None = None, regions: bool = True
    ) -> str | None:
        """``None`` within budget, else one line naming the estimate.

        A single unit whose whole arrangement is over budget is still taken when the cells of
        its incumbent regions (``regions=True``, the solver's default) are within it."""
        limit = DEFAULT_MAX_CELLS if max_cells is None else int(max_cells)
        est = self.estimate_cells(problem)
        if est <= limit:
            return None
        if regions and problem.units == 1:
            inside = self.region_cells(problem)
            if inside is not None and inside <= limit:
                return None
            what = f"cells ({inside:,} inside the incumbent regions)"
        else:
            what = "cells" if problem.units == 1 else "cell combinations"
        return (
            f"estimated {est:,} {what} exceed the enumeration budget of {limit:,} "
            "(raise --max-cells or use --solver scip)"
        )

    def solve(
        self,
        problem: FitProblem,
        *,
        time_limit: float | None = None,
        certify: bool = False,
        max_cells: int | None = None,
        progress: bool | None = None,
        progress_stream: TextIO | None = None,
        callback: Callable[[dict[str, Any]], None] | None = None,
        **options: Any,
    ) -> Result:
        """Solve to proven optimality (or until ``time_limit`` seconds / Ctrl-C)."""
        return self.solve_shards(
            problem,
            1,
            time_limit=time_limit,
            certify=certify,
            max_cells=max_cells,
            progress=progress,
            progress_stream=progress_stream,
            callback=callback,
            **options,
        )

    def solve_shards(
        self,
        problem: FitProblem,
        num_shards: int,
        map_fn: Callable[..., Iterable[ShardResult]] = map,
        *,
        time_limit: float | None = None,
        certify: bool = False,
        max_cells: int | None = None,
        progress: bool | None = None,
        progress_stream: TextIO | None = None,
        callback: Callable[[dict[str, Any]], None] | None = None,
        **options: Any,
    ) -> Result:
        """Run :func:`solve_shard` for shards ``0..num_shards−1`` through ``map_fn`` and merge.

        The result (objective and network) is the same for any ``num_shards`` and any map
        (builtin ``map``, ``ProcessPoolExecutor.map``, a dask client's map + gather).
        """
        unknown = sorted(set(options) - {"seed", "regions"})
        if unknown:
            raise InputError(
                f"enum: unknown option {unknown[0]!r}; enum takes certify, max_cells, progress, "
                "regions, time_limit"
            )
        regions = options.get("regions", True)
        if not isinstance(regions, bool):
            raise InputError(f"enum: regions must be true or false, found {regions!r}")
        if time_limit is not None and not (time_limit > 0):
            raise InputError(f"time limit must be positive seconds, found {time_limit!r}")
        if max_cells is not None and not (isinstance(max_cells, int) and max_cells > 0):
            raise InputError(f"max_cells must be a positive integer, found {max_cells!r}")
        if int(num_shards) < 1:
            raise InputError(f"num_shards must be at least 1, found {num_shards!r}")
        reason = self.unsupported(problem)
        if reason is not None:
            raise InputError(f"enum cannot take this instance: {reason}")
        over = self.over_budget(problem, max_cells, regions)
        if over is not None:
            raise BudgetExceeded(over)
        t0 = time.time()
        deadline = None if time_limit is None else t0 + float(time_limit)
        setup = _Setup.build(problem)
        mode = _choose_mode(setup)
        n = int(num_shards)
        show = progress if n == 1 else False
        if n > 1:
            progress_stream = None  # streams do not travel to other processes

        spec = problem if n == 1 else problem_spec(problem)

        def run(mode: str) -> list[ShardResult]:
            args = [
                (spec, i, n, mode, deadline, show, progress_stream, callback, regions)
                for i in range(n)
            ]
            return list(map_fn(_shard_star, args))

        parts = run(mode)
        if any(p.not_generic for p in parts):
            mode = "exact"
            parts = run(mode)
        return merge_shards(
            problem,
            parts,
            wall_s=time.time() - t0,
            certify=certify,
            mode=mode,
            deadline=deadline,
            callback=callback,
        )


def _shard_star(args: tuple) -> ShardResult:
    return solve_shard(*args)
