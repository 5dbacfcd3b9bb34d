"""Float enumeration of the chambers of an arrangement in general position (vectorised).

With ``A'`` the arrangement without its last hyperplane ``H_last`` (normal ``u``), the
chambers with ``s_last = +1`` are the chambers of ``A'`` meeting ``{u·θ > 0}``: (i) for every
ray ``r`` of ``A'`` oriented with ``u·r > 0``, the unique chamber at ``r`` on which a generic
functional ``φ`` attains its minimum over the chart ``u·θ = 1`` (signs on the ray's
hyperplanes from the Lagrange multipliers), and (ii) the chambers of the restriction of ``A'``
to ``u^⊥`` meeting ``{φ < 0}``, recursively; the other half are the negatives.  Rays are
visited by sweeping great circles, so active-set sums arrive by prefix sums.  General position
is checked with a safety margin as it goes; a degenerate configuration raises
:class:`NotGeneric`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactfit.errors import ExactfitError
from exactfit.exact.linalg import int_det

__all__ = ["GenericEnumerator", "NotGeneric"]

#: Relative margin below which a float sign, gap or multiplier counts as "possibly zero".  All
#: normals are unit vectors, so the quantities tested are O(1); float error is ~1e-15, and a
#: value above this margin has a certain sign.  Below it the enumerator refuses (NotGeneric).
MARGIN = 1e-11
#: Smallest singular value accepted for the D−2 normals defining a circle.
RANK_MARGIN = 1e-7


class NotGeneric(ExactfitError):
    """The float enumerator met a (near-)degenerate configuration; use the exact one."""


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
        #: compiled kernels (:mod:`..kernels`) for big sweeps, set by the caller; None: numpy
        self.jit: Any = None
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
        dl = delta[:-1]
        last = delta[-1]
        total = delta.sum(axis=0)
        if L.dim == 1:
            return self._sweep_line(level, dl, last, total)
        B = len(Tp)
        r = Tp.shape[1]
        order, b, inT = self._crossings(L, Tp)
        P = dl.shape[1]
        inTs = np.take_along_axis(inT, order, axis=1)
        pos = np.take_along_axis(b > 0, order, axis=1) & ~inTs
        neg = np.take_along_axis(b < 0, order, axis=1) & ~inTs
        maxT = Tp.max(axis=1) if r else np.full(B, -1)
        out = (order > maxT[:, None]) & ~inTs
        bi, ki = np.nonzero(out)
        if len(bi) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, P))
        # The sums just at crossing k (crossing excluded): the + crossings before it and the −
        # ones after it, Σ_{l<k} pos_l Δ_l + Σ_{l>k} neg_l Δ_l = C_k − pos_k Δ_k + N with one
        # running sum C_k = Σ_{l≤k} (pos_l − neg_l) Δ_l and the circle's total N of − crossings.
        if self.jit is not None:  # the same sums, compiled, without the (B, mm, P) arrays
            bi, j, sums = self.jit.circle_sums(order, b, inT, maxT, dl, last)
        else:
            Ds = dl[order]  # (B, mm, P)
            C = np.cumsum(Ds * (pos.astype(float) - neg)[:, :, None], axis=1)
            N = ((b < 0) & ~inT).astype(float) @ dl  # (B, P)
            j = order[bi, ki]
            sums = C[bi, ki] - pos[bi, ki][:, None] * dl[j] + N[bi] + last
        T = np.concatenate([Tp[bi], j[:, None]], axis=1)  # sorted: j > max T'
        sel = self._kkt(level, T)
        sums = sums + np.einsum("ct,ctp->cp", sel.astype(float), dl[T])
        full_T = np.full((len(T), self.D - 1), -1, dtype=np.int64)
        full_T[:, : T.shape[1]] = T
        kp = self.encode(level, full_T, np.zeros(len(T), dtype=bool))
        kn = self.encode(level, full_T, np.ones(len(T), dtype=bool))
        return np.concatenate([kp, kn]), np.concatenate([sums, total[None, :] - sums])

    def _sweep_line(
        self, level: int, dl: np.ndarray, last: np.ndarray, total: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The base level (a line): its two chambers, ``(keys, sums)`` as in :meth:`sweep`."""
        L = self.levels[level]
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

    def frames(self, L: _Level, Tp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per circle of ``Tp`` (rows) the orthonormal frame ``(e, f)`` of its 2-plane in the
        level's coordinates, with ``e`` along the counted functional, and its margin (scaled
        by ``1/σ_min`` of the circle's normals); raises :class:`NotGeneric` as ``_crossings``."""
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
        return ev, fv, tol

    def _crossings(self, L: _Level, Tp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where the other hyperplanes cross the circles of ``Tp`` (one circle per row).

        Returns ``(order, b, inT)``: per circle, the normals sorted by the angle at which their
        hyperplane crosses it (the circle's own normals last), the side ``b`` of each crossing
        with respect to the counted functional, and the mask of the circle's own normals.
        Raises :class:`NotGeneric` when a decision is within the float error allowance.
        """
        mm = self.m - 1
        B = len(Tp)
        r = Tp.shape[1]
        ev, fv, tol = self.frames(L, Tp)
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
        return order, b, inT

    def _kkt(self, level: int, T: np.ndarray) -> np.ndarray:
        """Signs of the multipliers ``α`` in ``φ = λu + Σ_T α_t w_t``, one row per ray (True: +).

        Solved in floating point; a multiplier whose float value is within the error allowance
        of zero is decided exactly instead (:meth:`_exact_alpha_signs`), so the answer is exact
        whenever the enumerator was given the exact normals.
        """
        L = self.levels[level]
        if self.jit is not None:  # compiled: a singular system gets det 0 (decided exactly)
            sol, det = self.jit.kkt_solve(L.u, L.W, np.ascontiguousarray(T), L.phi)
        else:
            M = np.concatenate(
                [
                    np.broadcast_to(L.u, (len(T), L.dim))[:, :, None],
                    np.transpose(L.W[T], (0, 2, 1)),
                ],
                axis=2,
            )
            rhs = np.broadcast_to(L.phi, (len(T), L.dim))[:, :, None]
            sol = np.linalg.solve(M, rhs)[:, :, 0]
            det = np.abs(np.linalg.det(M / np.linalg.norm(M, axis=1, keepdims=True)))
        # Multipliers for unit normals, and an error allowance from the conditioning of the
        # column-normalised system: σ_min ≥ |det| / √dim^(dim−1) for unit columns.
        alpha = sol[:, 1:] * L.wnorm[T]
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
            elif self.jit is not None:  # compiled; rows too close to call: exactly, as below
                Ts = np.ascontiguousarray(T[sel, :r])
                s, unsure = self.jit.ray_signs(Ts, L.W, L.u, L.phi, L.wnorm, MARGIN)
                for c in np.flatnonzero(unsure):
                    s[c, Ts[c]] = self._kkt(int(li), Ts[c : c + 1])[0]
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
