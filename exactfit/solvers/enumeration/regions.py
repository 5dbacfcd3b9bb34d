"""Incumbent regions: cell sets that must contain every network better than an incumbent.

A heuristic network's loss ``U`` bounds the optimum from above (:func:`_heuristic_upper`).
For each output sign, :func:`_regions` covers every cell whose optimum can be ``≤ U`` by a
few *regions*: the chambers of the hyperplanes crossing an ellipsoid (or a tighter convex
set, :func:`_tighter_cut`) that holds every such network, each extended by the signs the
other hyperplanes keep on it.  :func:`_region_plan` collects them for all output signs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.arrangement import Hyperplanes, cover_count

#: Relative safety factor of the region test (float error of the centre and the quadratic
#: forms is below cond·eps ≤ 1e-8 under the conditioning cap below; this is 100× that).
REGION_SAFETY = 1e-6
#: Regions are only used when the Gram matrix of the forcing points is this well conditioned.
REGION_COND = 1e8


def _heuristic_upper(setup: _Setup) -> float:
    """An upper bound on the optimum: the float loss of :func:`_heuristic`'s network."""
    return _heuristic(setup)[0]


def _heuristic(setup: _Setup) -> tuple[float, np.ndarray | None, int]:
    """``(loss, θ, a)``: a single unit ``a·σ(θ·z)`` found by alternating least squares (fit
    the points active at the current θ, repeat) over the allowed output signs, and its float
    loss; ``(Y, None, 0)`` when no candidate beats the zero network.

    Any network's loss bounds the optimum from above, so the quality of this heuristic only
    affects speed (the size of the regions below), never correctness.  With a norm bound the
    candidate is shrunk into the ball (``tθ`` stays a valid network for ``0 < t ≤ 1``).
    """
    problem = setup.problem
    Z, c, y = setup.Z, problem.cf, problem.yf
    sq = np.sqrt(c)
    best, best_theta, best_a = setup.Y, None, 0
    B = None if problem.weight_bound is None else float(problem.weight_bound)
    for a in sorted({s for v in problem.sign_vectors() for s in v}, reverse=True):
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
            loss = float(c @ (pred - y) ** 2)
            if loss < best:
                best, best_theta, best_a = loss, theta, a
            nxt = Z @ theta > 0
            if np.array_equal(nxt, active):
                break
            active = nxt
    return best, best_theta, best_a


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
    c, y = problem.cf, problem.yf
    ay = a * y
    cy2 = c * y * y
    slack = REGION_SAFETY * (upper + 1e-3 * setup.Y)  # widens every region: the safe direction
    spent = float(cy2[ay < 0].sum())
    if spent > upper + slack:
        return []
    D = setup.D
    node = functools.partial(_node, setup, ay, cy2)

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


def _node(
    setup: _Setup,
    ay: np.ndarray,
    cy2: np.ndarray,
    inactive: frozenset[int],
    active: frozenset[int],
    budget: float,
) -> tuple[_Region, np.ndarray] | None:
    """``(region, heavy set)`` of a node of :func:`_regions`, or ``None`` when it holds no
    network (``ay = a·y``, ``cy2 = c·y²``)."""
    hp = setup.hp
    H = np.zeros(len(ay), dtype=bool)
    H[list(active)] = True
    H |= (ay > 0) & (cy2 > budget)
    H[list(inactive)] = False
    want = _forced_signs(hp, H, inactive)
    if want is None:
        return None
    free = want == 0
    fixed = want > 0
    if H.sum() >= setup.D:
        narrowed = _ellipsoid_signs(setup, ay, H, inactive, budget, free, fixed)
        if narrowed is None:
            return None
        free, fixed = narrowed
    region = _Region(tuple(int(g) for g in np.flatnonzero(free)), tuple(bool(v) for v in fixed))
    return region, H


def _forced_signs(hp: Hyperplanes, H: np.ndarray, inactive: frozenset[int]) -> np.ndarray | None:
    """Per hyperplane ``+1`` / ``−1`` where the activity fixed for a point (active on ``H``,
    inactive on ``inactive``) forces its sign, 0 where free; ``None`` on a contradiction."""
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
    return want


def _ellipsoid_signs(
    setup: _Setup,
    ay: np.ndarray,
    H: np.ndarray,
    inactive: frozenset[int],
    budget: float,
    free: np.ndarray,
    fixed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(free, fixed)`` narrowed by the ellipsoid of the heavy set ``H`` and the tighter cut:
    hyperplanes that miss them keep one sign on every network of the node.  Unchanged when
    ``M`` is singular or ill conditioned; ``None`` when the node holds no network."""
    Z, c, N = setup.Z, setup.problem.cf, setup.hp.normals
    ZH, cH, yH = Z[H], c[H], ay[H]
    M = (ZH * cH[:, None]).T @ ZH
    ev = np.linalg.eigvalsh(M)
    if not (ev[0] > 0 and ev[-1] <= REGION_COND * ev[0]):
        return free, fixed
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
    rest = ~H & (setup.hp.group >= 0)
    rest[list(inactive)] = False
    cut = _tighter_cut(Z, c, np.maximum(ay, 0.0), H, rest, M, N, free, budget)
    if cut is None:
        return None
    drop, side = cut
    fixed = np.where(drop, side, fixed)
    free &= ~drop
    return free, fixed


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
