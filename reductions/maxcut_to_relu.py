"""(Weighted) Max-Cut → fitting a single bias-free ReLU.

Construction (in the spirit of [GKMR21] and [MR18]; written for this project)
-----------------------------------------------------------------------------
For a graph G = (V, E) with positive integer edge weights w_e (all 1 when unweighted), total
weight W = Σ_e w_e, maximum weighted degree Δ and n = |V|, let A = 2ΔW + 1 (an integer).  The
training set lives in R^n:

=============  =========================  =====  ===========
sample         x                          y      weight
=============  =========================  =====  ===========
vertex v       e_v and −e_v               1      A each
edge uv        e_u + e_v and −(e_u + e_v) 0      w_uv each
=============  =========================  =====  ===========

and the class is f(x) = σ(w·x): one unit, output sign +1, **no bias**.

Closed form.  From σ(t)² + σ(−t)² = t² and (σ(t) − 1)² + (σ(−t) − 1)² = (|t| − 1)² + 1,

    L(w) = A·n + A·Σ_v (|w_v| − 1)² + Σ_uv w_uv (w_u + w_v)².

Completeness (``lift``).  A cut given by s ∈ {±1}^V (s_v = +1 on the listed side) and w = s has
L = A·n + 4·(W − cut(s)): cut edges give (±1 ∓ 1)² = 0, uncut ones (±2)² = 4.

Soundness (``project``).  Let s = sign(w) (0 ↦ +1), δ_v = |w_v| − 1 and U = W − cut(s).  For an
uncut edge (w_u + w_v)² = (2 + δ_u + δ_v)² ≥ 4 + 4(δ_u + δ_v), so with u_v the weighted uncut
degree of v (Σ_v u_v = 2U, u_v ≤ Δ)

    L(w) ≥ A·n + 4U + Σ_v (A δ_v² + 4 u_v δ_v) ≥ A·n + 4U − Σ_v 4u_v²/A ≥ A·n + 4U(1 − 2Δ/A).

Value map.  With U* = W − MC, A·n + 4U*(1 − 2Δ/A) ≤ opt ≤ A·n + 4U*.  Since A > 2ΔW ≥ 2ΔU*
the lower end exceeds A·n + 4(U* − 1), hence **MC = W − ⌈(opt − A·n)/4⌉**, and sign(w*) is a
maximum cut (its U is at most (opt − A·n)/(4(1 − 2Δ/A)) < U* + 1).

Bias.  With a bias the construction is unsound: w = 0, b = 1 fits every vertex sample and
has loss 2W, far below A·n.  :class:`MaxCutToRelu` refuses ``bias=True`` unless
``allow_unsound=True``, in which case the instance is marked ``meta["unsound"]`` and the check
is expected to fail (:func:`bias_counterexample` exhibits the loss 2W exactly).

References
----------
[GKMR21] S. Goel, A. Klivans, P. Manurangsi, D. Reichman, "Tight Hardness Results for Training
         Depth-2 ReLU Networks", ITCS 2021, arXiv:2011.13550.
[MR18]   P. Manurangsi, D. Reichman, "The Computational Complexity of Training ReLU(s)",
         arXiv:1810.04207.
The gadget above is this project's own, not the papers'.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.problem import FitProblem, ReluNetwork, Unit
from reductions.base import Reduction, UnsoundReduction
from reductions.interval import Interval, ceil_quarter
from reductions.problems import MaxCutProblem
from reductions.sampling import GADGET_PROBABILITIES, seeded
from reductions.sources import generators as gen
from reductions.sources.types import Graph, InvalidSource

__all__ = ["MaxCutToRelu", "MaxCutTrace", "bias_counterexample", "vertex_samples"]

BIAS_REASON = (
    "maxcut_to_relu with a bias is unsound: w = 0, b = 1 fits every vertex sample (loss 2W < A·n)"
)


@dataclass(frozen=True)
class MaxCutTrace:
    """Constants of one application: A = 2ΔW + 1, n, total weight W, weighted max degree Δ."""

    A: int
    n: int
    W: int
    delta: int
    bias: bool


class MaxCutToRelu(Reduction):
    """(Weighted) Max-Cut → one bias-free ReLU (see the module docstring).

    Parameters
    ----------
    bias : bool
        Must be False; True raises :class:`UnsoundReduction` unless ``allow_unsound``.
    allow_unsound : bool
        Build the (unsound) biased instance anyway, marked ``meta["unsound"]``.
    """

    name = "maxcut_to_relu"

    def __init__(self, *, bias: bool = False, allow_unsound: bool = False) -> None:
        if bias and not allow_unsound:
            raise UnsoundReduction(
                f"{BIAS_REASON}; use the bias-free class (drop --bias) or pass "
                "allow_unsound=True to build the counterexample instance"
            )
        self.bias = bool(bias)
        self.allow_unsound = bool(allow_unsound)

    @property
    def source_problem(self) -> MaxCutProblem:
        return MaxCutProblem()

    @property
    def unsound(self) -> str | None:
        return BIAS_REASON if self.bias else None

    def parameters(self) -> dict[str, Any]:
        return {"bias": self.bias}

    def relation(self) -> str:
        return (
            "A·n + 4U(1 − 2Δ/A) ≤ opt ≤ A·n + 4U with U = W − MC; "
            "MC = W − ceil((opt − A·n)/4); sign(w*) is a maximum cut"
        )

    def constants(self, g: Graph) -> MaxCutTrace:
        W = g.total_weight
        delta = g.max_degree
        return MaxCutTrace(A=2 * delta * W + 1, n=g.n, W=W, delta=delta, bias=self.bias)

    def forward(self, g: Graph) -> tuple[FitProblem, MaxCutTrace]:
        self.source_problem.check_instance(g)
        t = self.constants(g)
        n = g.n
        X, y, c = vertex_samples(n, t.A)
        for e, (u, v) in enumerate(g.edges):
            for sign in (1, -1):
                x = [0] * n
                x[u] = x[v] = sign
                X.append(x)
                y.append(0)
                c.append(g.weight(e))
        meta = self._meta(g, {"A": t.A, "n": n, "W": t.W, "Delta": t.delta})
        problem = FitProblem(
            X, y, c, units=1, bias=self.bias, output_signs="nonnegative", meta=meta
        )
        return problem, t

    def lift(self, g: Graph, trace: MaxCutTrace, side: Any) -> ReluNetwork:
        s = set(_side(g, side))
        w = tuple(Fraction(1 if v in s else -1) for v in range(g.n))
        return ReluNetwork((Unit(1, w, Fraction(0)),))

    def project(self, g: Graph, trace: MaxCutTrace, network: ReluNetwork) -> tuple[int, ...]:
        w = network.units[0].w
        return tuple(v for v in range(g.n) if w[v] >= 0)

    def predicted(self, trace: MaxCutTrace, source_value: int) -> Interval:
        if not 0 <= source_value <= trace.W:
            raise ValueError(f"a cut value lies in 0..W = {trace.W}, found {source_value}")
        U = trace.W - source_value
        base = trace.A * trace.n
        lo = base + 4 * U * (1 - Fraction(2 * trace.delta, trace.A))
        return Interval(Fraction(lo), Fraction(base + 4 * U))

    def source_value(self, trace: MaxCutTrace, target_optimum: Any) -> int:
        return trace.W - ceil_quarter(target_optimum, trace.A * trace.n)

    def lifted_value(self, trace: MaxCutTrace, source_value: int) -> Fraction:
        return Fraction(trace.A * trace.n + 4 * (trace.W - source_value))

    def size(self, g: Graph) -> tuple[int, int]:
        return (2 * g.n + 2 * g.m, g.n)

    def random_source(self, seed: int) -> Graph:
        """G(n, p) on 5..9 vertices (p from :data:`~reductions.sampling.GADGET_PROBABILITIES`),
        weighted (weights 1..3) with probability 0.3.  Enumeration proves 7 vertices / 12 edges
        in about 2 s here, 10 vertices / 14 edges in about 10 s."""
        rng, sub = seeded(seed)
        n = rng.randint(5, 9)
        if rng.random() < 0.3:
            return gen.random_weighted_graph(n, rng.choice(GADGET_PROBABILITIES), 3, sub)
        return gen.gnp(n, rng.choice(GADGET_PROBABILITIES), sub)


def _side(g: Graph, side: Any) -> tuple[int, ...]:
    side = tuple(int(v) for v in side)
    if any(not (0 <= v < g.n) for v in side):
        raise InvalidSource(f"cut side {side} has a vertex outside 0..{g.n - 1}")
    return side


def vertex_samples(n: int, weight: int) -> tuple[list[list[int]], list[int], list[int]]:
    """The vertex samples of the single-ReLU gadgets: e_v and −e_v for every vertex v, label 1,
    weight ``weight`` each, as lists (X, y, sample weights) that the caller extends."""
    X: list[list[int]] = []
    y: list[int] = []
    c: list[int] = []
    for v in range(n):
        for sign in (1, -1):
            x = [0] * n
            x[v] = sign
            X.append(x)
            y.append(1)
            c.append(weight)
    return X, y, c


def bias_counterexample(problem: FitProblem) -> ReluNetwork:
    """The network σ(0·x + 1) that fits every label-1 sample of a biased instance.

    On :class:`MaxCutToRelu` instances built with ``bias=True`` its loss is exactly 2W
    (each edge sample is predicted 1 instead of 0), below the bias-free optimum ≥ A·n.
    """
    if not problem.bias:
        raise UnsoundReduction("bias_counterexample needs an instance with a bias")
    return ReluNetwork((Unit(1, tuple(Fraction(0) for _ in range(problem.d)), Fraction(1)),))
