"""The exact search over face tuples: one least-squares solve per multiset of faces.

Data are scaled to integers once (:class:`IntegerData`): ``Z = λ_z·z``, ``c = λ_c·c``,
``y = λ_y·y``, which changes the loss by the constant factor ``λ_c·λ_y²`` and nothing else.  For
a multiset of faces ``(F_1..F_k)`` with features ``P_j`` and active sets ``S_j`` the regression

    min_v Σ_i c_i (Σ_j [i ∈ S_j] P_j[i]·v_j − y_i)²

has integer normal equations ``Hv = g`` (blocks ``H_jl = Σ_{i ∈ S_j ∩ S_l} c_i P_j[i] P_l[i]ᵀ``,
``g_j = Σ_{i ∈ S_j} c_i y_i P_j[i]``), solved exactly by :func:`exactfit.exact.psd.psd_solve`; the
value is ``Y − gᵀv`` with ``Y = Σ c_i y_i²``.  Output signs do not enter the regression (unit
``j`` with sign ``a_j`` has ``θ_j = a_j·λ_z N_j v_j / λ_y``); they enter feasibility only: unit
``j`` can take sign ``a`` iff ``a·X_i·(P_j[i]·v_j) ≥ 0`` for every point ``i``.  Pruning: a
multiset's value is a lower bound for every multiset of faces in the closures (the same
quadratic on a smaller subspace), so multisets are visited by decreasing total dimension and
skipped when the value of a covering multiset already reaches the incumbent.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from exactfit.exact.psd import psd_solve
from exactfit.problem import FitProblem, ReluNetwork, Unit
from exactfit.solvers.brute.faces import Face

__all__ = ["IntegerData", "Outcome", "search"]

#: How many multisets are visited between two looks at the clock.
CLOCK_EVERY = 64


def _lcm_of_denominators(values: Sequence[Fraction]) -> int:
    return math.lcm(*(Fraction(v).denominator for v in values))


@dataclass(frozen=True)
class IntegerData:
    """The problem's data scaled to integers (see the module docstring)."""

    Z: tuple[tuple[int, ...], ...]
    c: tuple[int, ...]
    y: tuple[int, ...]
    lz: int
    lc: int
    ly: int

    @classmethod
    def of(cls, problem: FitProblem) -> IntegerData:
        Z = [(*x, Fraction(1)) if problem.bias else tuple(x) for x in problem.X]
        lz = _lcm_of_denominators([v for z in Z for v in z])
        lc = _lcm_of_denominators(problem.sample_weight)
        ly = _lcm_of_denominators(problem.y)
        return cls(
            tuple(tuple(int(v * lz) for v in z) for z in Z),
            tuple(int(v * lc) for v in problem.sample_weight),
            tuple(int(v * ly) for v in problem.y),
            lz,
            lc,
            ly,
        )

    @property
    def null(self) -> int:
        """``Y = Σ c_i y_i²``, the scaled loss of the zero network."""
        return sum(c * y * y for c, y in zip(self.c, self.y, strict=True))

    def unscale(self, value: Fraction) -> Fraction:
        """A scaled loss back in the problem's units."""
        return value / (self.lc * self.ly * self.ly)


@dataclass(frozen=True)
class Outcome:
    """The search's result: the best value (scaled), the network reaching it, counters."""

    value: Fraction
    network: ReluNetwork | None
    solves: int
    pruned: int
    stopped: bool


class _Blocks:
    """Cached pieces of the normal equations: ``H_jj`` and ``g_j`` per face, ``H_jl`` per pair."""

    def __init__(self, faces: Sequence[Face], data: IntegerData) -> None:
        self.faces, self.c, self.y = faces, data.c, data.y
        self.diag = [self._cross(F, F) for F in faces]
        self.rhs = [
            [sum(self.c[i] * self.y[i] * F.features[i][a] for i in F.active) for a in range(F.dim)]
            for F in faces
        ]
        self.pairs: dict[tuple[int, int], list[list[int]]] = {}

    def _cross(self, F: Face, G: Face) -> list[list[int]]:
        both = sorted(set(F.active) & set(G.active))
        P, Q, c = F.features, G.features, self.c
        return [[sum(c[i] * P[i][a] * Q[i][b] for i in both) for b in range(G.dim)]
                for a in range(F.dim)]  # fmt: skip

    def system(self, combo: Sequence[int]) -> tuple[list[list[int]], list[int]]:
        """``(H, g)`` for the multiset ``combo`` (sorted face indices)."""
        rows: list[list[int]] = []
        g: list[int] = []
        for j, fj in enumerate(combo):
            block_rows: list[list[int]] = [[] for _ in range(self.faces[fj].dim)]
            for l, fl in enumerate(combo):
                if l == j:
                    B = self.diag[fj]
                elif l > j:
                    B = self._pair(fj, fl)
                else:
                    B = [list(col) for col in zip(*self._pair(fl, fj), strict=True)]
                for a, row in enumerate(B):
                    block_rows[a].extend(row)
            rows.extend(block_rows)
            g.extend(self.rhs[fj])
        return rows, g

    def _pair(self, f: int, h: int) -> list[list[int]]:
        key = (f, h)
        if key not in self.pairs:
            self.pairs[key] = self._cross(self.faces[f], self.faces[h])
        return self.pairs[key]


def _unit_signs(F: Face, num: Sequence[int]) -> tuple[int, ...]:
    """The output signs unit ``v = num/den`` (den > 0) may take on face ``F``: ``+1`` if the
    preactivations ``P·v`` have the face's signs, ``−1`` if the opposite ones."""
    pre = [sum(p * v for p, v in zip(row, num, strict=True)) for row in F.features]
    plus = all(s * p >= 0 for s, p in zip(F.signs, pre, strict=True))
    minus = all(s * p <= 0 for s, p in zip(F.signs, pre, strict=True))
    return (1,) * plus + (-1,) * minus


def _assign(allowed: Sequence[tuple[int, ...]], targets: set[tuple[int, ...]]) -> tuple | None:
    """Signs, one from each ``allowed[j]``, whose sorted tuple is one of ``targets``."""
    for choice in itertools.product(*allowed):
        if tuple(sorted(choice)) in targets:
            return choice
    return None


def _network(
    problem: FitProblem,
    data: IntegerData,
    faces: Sequence[Face],
    combo: Sequence[int],
    signs: Sequence[int],
    num: Sequence[int],
    den: int,
) -> ReluNetwork:
    """The exact network ``θ_j = a_j·λ_z·N_j v_j / λ_y`` of a feasible candidate."""
    units, off, d = [], 0, problem.d
    for fj, a in zip(combo, signs, strict=True):
        F = faces[fj]
        v = num[off : off + F.dim]
        off += F.dim
        D = len(data.Z[0])
        theta = [
            Fraction(a * data.lz * sum(col[t] * vi for col, vi in zip(F.basis, v, strict=True)),
                     den * data.ly)
            for t in range(D)
        ]  # fmt: skip
        units.append(Unit(a, tuple(theta[:d]), theta[d] if problem.bias else Fraction(0)))
    return ReluNetwork(tuple(units))


def search(
    problem: FitProblem,
    data: IntegerData,
    faces: Sequence[Face],
    parents: Sequence[tuple[int, ...]],
    deadline: float | None,
) -> Outcome:
    """The least loss over every multiset of ``k`` faces and the allowed sign vectors.

    Starts from the zero network (value ``Y``, feasible for every sign vector); stops early,
    with what it has, when ``time.perf_counter()`` passes ``deadline``.
    """
    k = problem.units
    targets = {tuple(sorted(s)) for s in problem.sign_vectors()}
    combos = sorted(
        itertools.combinations_with_replacement(range(len(faces)), k),
        key=lambda cb: (-sum(faces[f].dim for f in cb), cb),
    )
    if deadline is not None and time.perf_counter() > deadline:
        return Outcome(Fraction(data.null), None, 0, 0, True)
    zero = combos[-1]  # the multiset of L₀ faces: every unit is 0
    best = Fraction(data.null)
    network = _network(problem, data, faces, zero, min(targets), [], 1)
    blocks = _Blocks(faces, data)
    values: dict[tuple[int, ...], Fraction] = {}
    solves = pruned = 0
    for count, combo in enumerate(combos):
        if deadline is not None and count % CLOCK_EVERY == 0 and time.perf_counter() > deadline:
            return Outcome(best, network, solves, pruned, True)
        lower = max(
            (
                values[up]
                for j, f in enumerate(combo)
                for p in parents[f]
                if (up := tuple(sorted((*combo[:j], p, *combo[j + 1 :])))) in values
            ),
            default=None,
        )
        if lower is not None and lower >= best:
            values[combo] = lower
            pruned += 1
            continue
        H, g = blocks.system(combo)
        num, den = psd_solve(H, g)
        solves += 1
        value = Fraction(data.null * den - sum(a * b for a, b in zip(g, num, strict=True)), den)
        values[combo] = value
        if value >= best:
            continue
        allowed, off = [], 0
        for f in combo:
            allowed.append(_unit_signs(faces[f], num[off : off + faces[f].dim]))
            off += faces[f].dim
        choice = _assign(allowed, targets)
        if choice is not None:
            best = value
            network = _network(problem, data, faces, combo, choice, num, den)
    return Outcome(best, network, solves, pruned, False)
