"""Gap-Max-Cut → a single bias-free ReLU with ‖w‖₂ ≤ 1 (first-order gap; Gap-ETH style).

Construction (in the spirit of [GKMR21]; written for this project)
-------------------------------------------------------------------
For an unweighted graph G = (V, E) with n vertices, m edges and maximum degree Δ, a weight
α > 0 and an edge scale q with 0 < q ≤ 1/√2, all labels are 1 and the samples are

=============  ===================  =====  ===========
sample         x                    y      weight
=============  ===================  =====  ===========
vertex v       ±e_v                 1      α each
edge uv        ±q(e_u − e_v)        1      1 each
=============  ===================  =====  ===========

and the class is f(x) = σ(w·x), no bias, ‖w‖₂ ≤ 1.  reductions.md §3 uses q = 1/√2 (unit-norm
edge points).  **Exact rational data.**  1/√2 is irrational, and no rescaling fixes that: the
rescaling rule of reductions.md §0 multiplies all points by one λ, so the ratio 1/√2 between
the edge and the vertex points survives any λ (scaling the points by √2 makes the vertex points
irrational instead), and the per-sample rescaling (x, y, c) → (λx, λy, c/λ²), exact for
bias-free networks, moves the √2 into the label.  So this module keeps every datum rational by
taking q a rational *at most* 1/√2 — by default the continued-fraction convergent
q = 408/577 (1/√2 − q ≈ 1.1e-6; edge points have norm √2·q ≈ 1 − 1.5e-6 ≤ 1) — and proves every
statement below for general q, with √2 replaced by 2q (they coincide at q = 1/√2).

Closed form.  From (σ(t) − 1)² + (σ(−t) − 1)² = (|t| − 1)² + 1,

    L(w) = 2αn + 2m − 2Ψ(w) + Q(w),   Ψ(w) = α‖w‖₁ + q Σ_uv |w_u − w_v|,
    Q(w) = α‖w‖² + q² Σ_uv (w_u − w_v)²  ∈ [0, α + 2q²Δ]  on the unit ball

(the Laplacian's largest eigenvalue is at most 2Δ).

Value map (two-sided).  Let Φ = max_{‖w‖≤1} Ψ(w).  Ψ(w) = max over s ∈ {±1}^V, τ ∈ {±1}^E of
g·w with g = αs + qBτ (B the signed incidence matrix), so Φ = max ‖αs + qBτ‖ and

    α²n + 4qα·MC ≤ Φ² ≤ α²n + 4qα·MC + 2q²Δm

(s·Bτ ≤ 2·cut(s), with equality for τ aligned to s; ‖Bτ‖² ≤ Σ_v deg(v)² ≤ 2Δm).  Hence

    2αn + 2m − 2√(α²n + 4qα·MC + 2q²Δm) ≤ opt ≤ 2αn + 2m − 2√(α²n + 4qα·MC) + α + 2q²Δ,

and opt is also at most the exact loss of the lifted network.  ``predicted`` returns these end
points as exact rationals rounded outward (√ bounded by integer square roots).  The map is not
exact: ``source_value`` is ``None``.

Completeness (``lift``).  A cut s gives w = ρ·s with ρ = min(ρ*, ρ_n), where
ρ* = (αn + 2q·cut)/(αn + 4q²·cut) minimises L along the ray and ρ_n ≤ 1/√n is a rational lower
bound (so ‖w‖ ≤ 1 exactly).  Its loss is the rational
2αn + 2m − 2ρ(αn + 2q·cut) + ρ²(αn + 4q²·cut) (``lifted_value``).

Soundness (``project``: s = sign(w), 0 ↦ +1).  Ψ(w) = g·w ≤ ‖g‖ for g = α·sign(w) + qB·sign(Bᵀw),
and ‖g‖² ≤ α²n + 4qα·cut(s) + 2q²Δm, so every feasible w has
L(w) ≥ 2αn + 2m − 2√(α²n + 4qα·cut(s) + 2q²Δm) = predicted(cut(s)).lo.

Gap.  For a promise (c, s) on the cut fraction, reductions.md asks for α > Δ/(2√2(c − s)); the
default here is α = max(Δ, 1), which satisfies it whenever c − s ≥ 1/(2√2).  The YES/NO losses
separate only for large n (the gap is first order, ε ≈ 1/√n of the total weight); on tiny
graphs the interval is wide and the check tests the two-sided relation itself.

References
----------
[GKMR21] S. Goel, A. Klivans, P. Manurangsi, D. Reichman, "Tight Hardness Results for Training
         Depth-2 ReLU Networks", ITCS 2021, arXiv:2011.13550.
The gadget above is this project's own, not the paper's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.problem import FitProblem, ReluNetwork, Unit, to_fraction
from reductions.base import Reduction
from reductions.interval import Interval, sqrt_hi, sqrt_lo
from reductions.problems import MaxCutProblem
from reductions.sampling import GADGET_PROBABILITIES, seeded
from reductions.sources import generators as gen
from reductions.sources.types import Graph, InvalidSource

__all__ = ["DEFAULT_Q", "GapMaxCutToUnitRelu", "GapTrace"]

#: A continued-fraction convergent of 1/√2 from below: 408/577 ≈ 0.7071057 < 0.7071068.
DEFAULT_Q = Fraction(408, 577)


@dataclass(frozen=True)
class GapTrace:
    """Constants: α, q, n, m, Δ and the rational ρ_n ≤ 1/√n used by ``lift``."""

    alpha: Fraction
    q: Fraction
    n: int
    m: int
    delta: int
    rho_n: Fraction


class GapMaxCutToUnitRelu(Reduction):
    """Gap-Max-Cut → one bias-free ReLU in the unit ball (see the module docstring).

    Parameters
    ----------
    alpha : number, optional
        Vertex weight α > 0; default max(Δ, 1) of each source.
    q : number, optional
        Edge scale, a rational 0 < q ≤ 1/√2 (checked exactly as 2q² ≤ 1); default 408/577.
    """

    name = "gapmaxcut_to_unit_relu"
    exact_value_map = False

    def __init__(self, alpha: Any = None, q: Any = None) -> None:
        self.alpha = None if alpha is None else to_fraction(alpha, "alpha")
        if self.alpha is not None and self.alpha <= 0:
            raise InvalidSource(f"gapmaxcut_to_unit_relu: expected alpha > 0, found {alpha}")
        self.q = DEFAULT_Q if q is None else to_fraction(q, "q")
        if not (self.q > 0 and 2 * self.q * self.q <= 1):
            raise InvalidSource(
                f"gapmaxcut_to_unit_relu: expected 0 < q ≤ 1/√2 (so edge points lie in the "
                f"unit ball), found q = {self.q}"
            )

    @property
    def source_problem(self) -> MaxCutProblem:
        return MaxCutProblem()

    def parameters(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "q": self.q}

    def relation(self) -> str:
        return (
            "2αn + 2m − 2√(α²n + 4qα·MC + 2q²Δm) ≤ opt ≤ "
            "min(2αn + 2m − 2√(α²n + 4qα·MC) + α + 2q²Δ, loss of the lifted maximum cut)"
        )

    def forward(self, g: Graph) -> tuple[FitProblem, GapTrace]:
        self.source_problem.check_instance(g)
        if g.weighted:
            raise InvalidSource(
                "gapmaxcut_to_unit_relu: expected an unweighted graph, found edge weights"
            )
        n, m, delta = g.n, g.m, g.max_degree
        t = self.trace_of(n, m, delta)
        alpha = t.alpha
        X: list[list[Fraction]] = []
        y: list[int] = []
        c: list[Fraction] = []
        zero, one = Fraction(0), Fraction(1)
        for v in range(n):
            for sign in (1, -1):
                x = [zero] * n
                x[v] = sign * one
                X.append(x)
                y.append(1)
                c.append(alpha)
        for u, v in g.edges:
            for sign in (1, -1):
                x = [zero] * n
                x[u] = sign * self.q
                x[v] = -sign * self.q
                X.append(x)
                y.append(1)
                c.append(one)
        meta = self._meta(
            g, {"alpha": alpha, "q": self.q, "n": n, "m": m, "Delta": delta, "rho_n": t.rho_n}
        )
        problem = FitProblem(
            X, y, c, units=1, bias=False, output_signs="nonnegative", weight_bound=1, meta=meta
        )
        return problem, t

    def trace_of(self, n: int, m: int, delta: int) -> GapTrace:
        """The constants of ``forward`` for a graph with n vertices, m edges and maximum degree
        Δ, without building the instance (the value map depends on nothing else)."""
        if n < 1 or m < 0 or delta < 0:
            raise InvalidSource(f"gapmaxcut_to_unit_relu: bad sizes n={n}, m={m}, Δ={delta}")
        alpha = self.alpha if self.alpha is not None else Fraction(max(delta, 1))
        # ρ_n = floor(2^32/√n)/2^32 ≤ 1/√n, so Σ w² = n·ρ_n² ≤ 1 holds exactly.
        rho_n = Fraction(math.isqrt((1 << 64) // n), 1 << 32)
        return GapTrace(alpha, self.q, n, m, delta, rho_n)

    def _rho(self, t: GapTrace, cut: int) -> Fraction:
        star = (t.alpha * t.n + 2 * t.q * cut) / (t.alpha * t.n + 4 * t.q * t.q * cut)
        return min(star, t.rho_n)

    def lift(self, g: Graph, trace: GapTrace, side: Any) -> ReluNetwork:
        s = set(int(v) for v in side)
        rho = self._rho(trace, g.cut_value(s))
        w = tuple(rho if v in s else -rho for v in range(g.n))
        return ReluNetwork((Unit(1, w, Fraction(0)),))

    def project(self, g: Graph, trace: GapTrace, network: ReluNetwork) -> tuple[int, ...]:
        w = network.units[0].w
        return tuple(v for v in range(g.n) if w[v] >= 0)

    def lifted_value(self, trace: GapTrace, source_value: int) -> Fraction:
        t = trace
        rho = self._rho(t, source_value)
        a_n = t.alpha * t.n
        return (
            2 * a_n
            + 2 * t.m
            - 2 * rho * (a_n + 2 * t.q * source_value)
            + rho * rho * (a_n + 4 * t.q * t.q * source_value)
        )

    def predicted(self, trace: GapTrace, source_value: int) -> Interval:
        t = trace
        a, q, mc = t.alpha, t.q, source_value
        base = 2 * a * t.n + 2 * t.m
        lo = base - 2 * sqrt_hi(a * a * t.n + 4 * q * a * mc + 2 * q * q * t.delta * t.m)
        hi = base - 2 * sqrt_lo(a * a * t.n + 4 * q * a * mc) + a + 2 * q * q * t.delta
        return Interval(lo, min(hi, self.lifted_value(t, mc)))

    def size(self, g: Graph) -> tuple[int, int]:
        return (2 * g.n + 2 * g.m, g.n)

    def random_source(self, seed: int) -> Graph:
        """G(n, p) on 5..6 vertices (unweighted: the construction needs it).

        Smaller than the other graph samplers because the per-cell ball constraint makes the
        fit slow: enumeration took 5 s on 5 vertices / 6 edges and 37 s on 6 / 9 here (2 shared
        cores); 8 vertices did not finish in 60 s (issue 13)."""
        rng, sub = seeded(seed)
        return gen.gnp(rng.randint(5, 6), rng.choice(GADGET_PROBABILITIES), sub)
