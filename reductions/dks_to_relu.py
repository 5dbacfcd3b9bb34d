"""Densest κ-Subgraph → fitting a single bias-free ReLU.

Construction (in the spirit of [GKMR21]; written for this project)
-------------------------------------------------------------------
For an unweighted graph G = (V, E), n = |V|, m = |E|, maximum degree Δ and 1 ≤ κ ≤ n, let
A = 2n(4m + 2Δ² + 4) and B = 8m + 16.  With **1** the all-ones vector, the samples in R^n are

=============  ===========  ==================  ======
sample         x            y                   weight
=============  ===========  ==================  ======
vertex v       e_v and −e_v 1                   A each
edge uv        e_u + e_v    2                   1
size +         **1**        max(2κ − n, 0)      B
size −         −**1**       max(n − 2κ, 0)      B
=============  ===========  ==================  ======

and the class is f(x) = σ(w·x) (one unit, output sign +1, no bias).

Completeness (``lift``).  A κ-set S gives w = 1_S − 1_{V∖S}: every vertex pair costs A·1
(one of ±e_v is predicted 1, the other 0), edges inside S are fitted exactly (σ(2) = 2), every
other edge is predicted 0 (cost 4), and **1**·w = 2κ − n fits both size samples.  So
L = A·n + 4(m − |E(S)|).

Soundness (``project``, S = {v : w_v > 0}).  Write δ_v = |w_v| − 1.  If |S| = κ, every edge not
inside S has w_u + w_v ≤ |δ_u| + |δ_v| on its positive part, so it costs at least
4 − 4(|δ_u| + |δ_v|); with the vertex terms A·n + A Σ δ_v² this gives
L ≥ A·n + 4(m − |E(S)|) + Σ_v min_δ (Aδ² − 4Δ|δ|) = A·n + 4(m − |E(S)|) − 4nΔ²/A.
If |S| ≠ κ then **1**·w misses 2κ − n by at least 2 − Σ|δ_v|, and the size pair costs at least
(B/2)(2 − Σ|δ_v|)²; with the vertex terms (≥ A(Σ|δ_v|)²/n) the excess over A·n is at least
4(A/n)(B/2)/(A/n + B/2) ≥ B = 8m + 16 > 4m + 2.  (When |S| ≠ κ the projection returns the κ
vertices with the largest w_v, ties by index; the bound above covers it.)

Value map.  4nΔ²/A = 2Δ²/(4m + 2Δ² + 4) < 1, so with D_κ the densest value
A·n + 4(m − D_κ) − 4nΔ²/A ≤ opt ≤ A·n + 4(m − D_κ), hence **D_κ = m − ⌈(opt − A·n)/4⌉**, and
{v : w*_v > 0} is a densest κ-set.

Bias.  With a bias the instance is unsound (w = 0, b = 1 fits every vertex sample, loss far
below A·n); refused unless ``allow_unsound=True``.

References
----------
[GKMR21] S. Goel, A. Klivans, P. Manurangsi, D. Reichman, "Tight Hardness Results for Training
         Depth-2 ReLU Networks", ITCS 2021, arXiv:2011.13550.
The gadget above is this project's own, not the paper's.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.problem import FitProblem, ReluNetwork, Unit
from reductions.base import Reduction, UnsoundReduction
from reductions.interval import Interval, ceil_quarter
from reductions.maxcut_to_relu import vertex_samples
from reductions.problems import DensestSubgraphProblem
from reductions.sampling import GADGET_PROBABILITIES, seeded
from reductions.sources import generators as gen
from reductions.sources.types import Graph, InvalidSource

__all__ = ["DksToRelu", "DksTrace"]

BIAS_REASON = (
    "dks_to_relu with a bias is unsound: w = 0, b = 1 fits every vertex sample (loss ≪ A·n)"
)


@dataclass(frozen=True)
class DksTrace:
    """Constants: κ, A = 2n(4m + 2Δ² + 4), B = 8m + 16, n, m, Δ."""

    kappa: int
    A: int
    B: int
    n: int
    m: int
    delta: int
    bias: bool


class DksToRelu(Reduction):
    """Densest κ-Subgraph → one bias-free ReLU (see the module docstring).

    Parameters
    ----------
    kappa : int
        Subgraph size κ, 1 ≤ κ ≤ n (checked against each source).
    bias, allow_unsound : bool
        ``bias=True`` is refused (:class:`UnsoundReduction`) unless ``allow_unsound``.
    """

    name = "dks_to_relu"

    def __init__(
        self, kappa: int | None = None, *, bias: bool = False, allow_unsound: bool = False
    ) -> None:
        if kappa is None:
            raise InvalidSource("dks_to_relu: expected the subgraph size kappa (--kappa K)")
        if isinstance(kappa, bool) or not isinstance(kappa, int) or kappa < 1:
            raise InvalidSource(f"dks_to_relu: expected an integer kappa ≥ 1, found {kappa!r}")
        if bias and not allow_unsound:
            raise UnsoundReduction(
                f"{BIAS_REASON}; use the bias-free class or pass allow_unsound=True"
            )
        self.kappa = kappa
        self.bias = bool(bias)

    @property
    def source_problem(self) -> DensestSubgraphProblem:
        return DensestSubgraphProblem(self.kappa)

    @property
    def unsound(self) -> str | None:
        return BIAS_REASON if self.bias else None

    def parameters(self) -> dict[str, Any]:
        return {"kappa": self.kappa, "bias": self.bias}

    def relation(self) -> str:
        return (
            "A·n + 4(m − D) − 4nΔ²/A ≤ opt ≤ A·n + 4(m − D); D = m − ceil((opt − A·n)/4); "
            "{v : w*_v > 0} is a densest κ-set"
        )

    def _check(self, g: Graph) -> None:
        self.source_problem.check_instance(g)
        if g.weighted:
            raise InvalidSource(
                "dks_to_relu: expected an unweighted graph, found edge weights; drop the weights"
            )
        if self.kappa > g.n:
            raise InvalidSource(
                f"dks_to_relu: kappa = {self.kappa} exceeds the number of vertices n = {g.n}"
            )

    def forward(self, g: Graph) -> tuple[FitProblem, DksTrace]:
        self._check(g)
        n, m, delta = g.n, g.m, g.max_degree
        t = DksTrace(
            self.kappa, 2 * n * (4 * m + 2 * delta * delta + 4), 8 * m + 16, n, m, delta, self.bias
        )
        X, y, c = vertex_samples(n, t.A)
        for u, v in g.edges:
            x = [0] * n
            x[u] = x[v] = 1
            X.append(x)
            y.append(2)
            c.append(1)
        X.append([1] * n)
        y.append(max(2 * self.kappa - n, 0))
        c.append(t.B)
        X.append([-1] * n)
        y.append(max(n - 2 * self.kappa, 0))
        c.append(t.B)
        meta = self._meta(g, {"A": t.A, "B": t.B, "n": n, "m": m, "Delta": delta})
        problem = FitProblem(
            X, y, c, units=1, bias=self.bias, output_signs="nonnegative", meta=meta
        )
        return problem, t

    def lift(self, g: Graph, trace: DksTrace, vertices: Any) -> ReluNetwork:
        s = set(int(v) for v in vertices)
        if len(s) != self.kappa:
            raise InvalidSource(f"dks_to_relu: expected {self.kappa} vertices, found {sorted(s)}")
        w = tuple(Fraction(1 if v in s else -1) for v in range(g.n))
        return ReluNetwork((Unit(1, w, Fraction(0)),))

    def project(self, g: Graph, trace: DksTrace, network: ReluNetwork) -> tuple[int, ...]:
        w = network.units[0].w
        positive = [v for v in range(g.n) if w[v] > 0]
        if len(positive) == self.kappa:
            return tuple(positive)
        order = sorted(range(g.n), key=lambda v: (-w[v], v))
        return tuple(sorted(order[: self.kappa]))

    def predicted(self, trace: DksTrace, source_value: int) -> Interval:
        if not 0 <= source_value <= trace.m:
            raise ValueError(f"an induced edge count lies in 0..m = {trace.m}, not {source_value}")
        U = trace.m - source_value
        base = trace.A * trace.n + 4 * U
        slack = Fraction(4 * trace.n * trace.delta**2, trace.A)
        return Interval(base - slack, Fraction(base))

    def source_value(self, trace: DksTrace, target_optimum: Any) -> int:
        return trace.m - ceil_quarter(target_optimum, trace.A * trace.n)

    def lifted_value(self, trace: DksTrace, source_value: int) -> Fraction:
        return Fraction(trace.A * trace.n + 4 * (trace.m - source_value))

    def size(self, g: Graph) -> tuple[int, int]:
        return (2 * g.n + g.m + 2, g.n)

    def random_source(self, seed: int) -> Graph:
        """G(n, p) on max(κ + 1, 5)..9 vertices (so that the κ-subset is a real choice)."""
        rng, sub = seeded(seed)
        n = rng.randint(max(self.kappa + 1, 5), max(self.kappa + 1, 9))
        return gen.gnp(n, rng.choice(GADGET_PROBABILITIES), sub)
