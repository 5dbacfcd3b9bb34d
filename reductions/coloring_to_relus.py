"""Hypergraph k-colouring → realizability by k ReLUs.

Construction (in the spirit of [GKMR21] and [MR18]; written for this project)
-----------------------------------------------------------------------------
For a hypergraph H = (V, E) (a graph is the rank-2 case) with rank r = max |e|, the samples in
R^n, all of weight 1, are

* the origin with label 0;
* (e_v, 1) for each vertex v;
* (1_e, 0) for each hyperedge e, where 1_e = Σ_{v∈e} e_v.

The target class is k units f(x) = Σ_j a_j σ(w_j·x + b_j) in one of

* "C+"  : all a_j = +1 (``signs="nonnegative"``), with or without a bias;
* "C±0" : signs free, no bias (``signs="free"``, ``bias=False``);
* "C±b" : signs free with a bias — **unsound**, refused unless ``allow_unsound=True``.

Completeness (``lift``).  A proper colouring c : V → {0..k−1} gives units
w_j[v] = 1 if c(v) = j else −(r − 1), a_j = +1, b_j = 0.  At e_v only unit c(v) is active
(value 1).  At 1_e unit j sees #{v ∈ e : c(v) = j} − (r − 1)·#{v ∈ e : c(v) ≠ j} ≤
(|e| − 1) − (r − 1) ≤ 0, because a proper colouring leaves no edge monochromatic.  Loss 0.

Soundness in C+ (``project``).  If the loss is 0 then f(0) = Σ_j σ(b_j) = 0 forces every
b_j ≤ 0, and f(e_v) = 1 makes some unit active at e_v; colour v by the first such unit.  If an
edge e were monochromatic in colour j, then w_j·1_e + b_j = Σ_{v∈e}(w_j[v] + b_j) − (|e|−1)b_j
> 0, so f(1_e) ≥ σ(w_j·1_e + b_j) > 0, contradicting the label 0.  In C±0 the same conclusion is
stated for k = 2 and k = 3 in reductions.md §4; for k ≥ 4 only χ(H) ≤ max(k, 2^{k−1} − 1) is
proved, so the value map is not claimed there (``predicted`` gives [0, ∞) for NO instances).
The projection colours v by the first active unit with a_j = +1 and, if that is improper,
merges the activation-pattern classes (at most 2^k − 1 of them, see ``project``) into k
colours; if no merge is proper for a loss-0 network, the check reports it as a failure.

Value map.  Source value = 1 if H is k-colourable else 0.  **opt = 0 ⇔ χ(H) ≤ k** in C+ and in
C±0 for k ≤ 3: ``predicted(1) = {0}``, ``predicted(0) = (0, ∞)``.

Unsound class C±b.  σ(1·x) − (r/(r−1))·σ(1·x − 1) fits every r-uniform instance with loss 0:
it gives 0 at the origin, 1 at e_v and r − (r/(r−1))(r−1) = 0 at 1_e.  So the Fano plane
(3-uniform, not 2-colourable) is fitted exactly by 2 units.  :func:`signed_bias_counterexample`
builds it; the reduction refuses the class unless asked to build the counterexample instance.

References
----------
[GKMR21] S. Goel, A. Klivans, P. Manurangsi, D. Reichman, "Tight Hardness Results for Training
         Depth-2 ReLU Networks", ITCS 2021, arXiv:2011.13550.
[MR18]   P. Manurangsi, D. Reichman, "The Computational Complexity of Training ReLU(s)",
         arXiv:1810.04207.
The gadget above is this project's own, not the papers'.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.problem import FitProblem, ReluNetwork, Unit
from exactfit.result import OPT_ATOL
from reductions.base import Reduction, UnsoundReduction
from reductions.interval import Interval
from reductions.problems import ColourableProblem
from reductions.sampling import seeded
from reductions.sources.solvers import colourable
from reductions.sources.types import Graph, Hypergraph, InvalidSource

__all__ = ["ColoringToRelus", "ColouringTrace", "signed_bias_counterexample"]

SIGNED_BIAS_REASON = (
    "coloring_to_relus in the signed-with-bias class C±b is unsound: "
    "σ(1·x) − (r/(r−1))σ(1·x − 1) fits every r-uniform instance with loss 0"
)


@dataclass(frozen=True)
class ColouringTrace:
    """k units, rank r, the class ("C+", "C±0" or "C±b") and whether the value map is claimed."""

    k: int
    r: int
    n: int
    cls: str
    claimed: bool


class ColoringToRelus(Reduction):
    """Hypergraph k-colouring → k ReLUs realizable (see the module docstring).

    Parameters
    ----------
    units : int
        Number of colours = number of units k ≥ 1.
    signs : {"nonnegative", "free"}
        Output signs of the class.
    bias : bool
        Whether units have a bias.
    allow_unsound : bool
        Build the C±b instance anyway (marked ``meta["unsound"]``).
    """

    name = "coloring_to_relus"

    def __init__(
        self,
        units: int | None = None,
        *,
        signs: str = "nonnegative",
        bias: bool = False,
        allow_unsound: bool = False,
    ) -> None:
        if units is None:
            raise InvalidSource("coloring_to_relus: expected the number of colours (--units K)")
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise InvalidSource(f"coloring_to_relus: expected units k ≥ 1, found {units!r}")
        if signs not in ("nonnegative", "free"):
            raise InvalidSource(
                f"coloring_to_relus: signs must be 'nonnegative' or 'free', found {signs!r}"
            )
        self.k = units
        self.signs = signs
        self.bias = bool(bias)
        if signs == "nonnegative":
            self.cls = "C+"
        elif not self.bias:
            self.cls = "C±0"
        else:
            self.cls = "C±b"
            if not allow_unsound:
                raise UnsoundReduction(
                    f"{SIGNED_BIAS_REASON}; use signs='nonnegative' (C+) or no bias (C±0), "
                    "or pass allow_unsound=True to build the counterexample instance"
                )

    @property
    def source_problem(self) -> ColourableProblem:
        return ColourableProblem(self.k)

    @property
    def sound(self) -> bool:
        """Whether the value map opt = 0 ⇔ χ(H) ≤ k is proved for this class."""
        return self.cls == "C+" or (self.cls == "C±0" and self.k <= 3)

    @property
    def claimed(self) -> bool:
        """Whether ``predicted`` states the value map: in the proved classes, and in the
        unsound class C±b (built only with ``allow_unsound``) so that a check exhibits the
        failure instead of silently claiming nothing."""
        return self.sound or self.cls == "C±b"

    @property
    def exact_value_map(self) -> bool:  # type: ignore[override]
        return self.claimed

    @property
    def unsound(self) -> str | None:
        return SIGNED_BIAS_REASON if self.cls == "C±b" else None

    def parameters(self) -> dict[str, Any]:
        return {"units": self.k, "signs": self.signs, "bias": self.bias}

    def relation(self) -> str:
        if self.sound:
            return f"opt = 0 iff χ(H) ≤ {self.k} (class {self.cls})"
        if self.cls == "C±0":
            return (
                f"χ(H) ≤ {self.k} ⇒ opt = 0; opt = 0 ⇒ χ(H) ≤ max(k, 2^(k−1) − 1) "
                f"= {max(self.k, 2 ** (self.k - 1) - 1)} (class C±0, k ≥ 4)"
            )
        return f"UNSOUND (class C±b): only χ(H) ≤ {self.k} ⇒ opt = 0 holds"

    @staticmethod
    def _hypergraph(h: Any) -> Hypergraph:
        if isinstance(h, Graph):
            return Hypergraph.from_graph(h)
        if not isinstance(h, Hypergraph):
            raise InvalidSource(
                f"coloring_to_relus: expected a Hypergraph or Graph, found {type(h).__name__}"
            )
        return h

    def forward(self, h: Any) -> tuple[FitProblem, ColouringTrace]:
        h = self._hypergraph(h)
        n = h.n
        X: list[list[int]] = [[0] * n]
        y = [0]
        for v in range(n):
            x = [0] * n
            x[v] = 1
            X.append(x)
            y.append(1)
        for e in h.edges:
            x = [0] * n
            for v in e:
                x[v] = 1
            X.append(x)
            y.append(0)
        t = ColouringTrace(self.k, h.rank, n, self.cls, self.claimed)
        meta = self._meta(h, {"k": self.k, "r": h.rank, "class": self.cls})
        problem = FitProblem(
            X,
            y,
            None,
            units=self.k,
            bias=self.bias,
            output_signs="nonnegative" if self.signs == "nonnegative" else None,
            meta=meta,
        )
        return problem, t

    def lift(self, h: Any, trace: ColouringTrace, colouring: Any) -> ReluNetwork:
        h = self._hypergraph(h)
        c = tuple(int(x) for x in colouring)
        if len(c) != h.n or any(not (0 <= x < self.k) for x in c):
            raise InvalidSource(
                f"coloring_to_relus: expected {h.n} colours in 0..{self.k - 1}, found {c}"
            )
        low = Fraction(-(trace.r - 1))
        units = tuple(
            Unit(1, tuple(Fraction(1) if c[v] == j else low for v in range(h.n)), Fraction(0))
            for j in range(self.k)
        )
        return ReluNetwork(units)

    def project(self, h: Any, trace: ColouringTrace, network: ReluNetwork) -> tuple[int, ...]:
        """Colour v by the first unit with a_j = +1 active at e_v; if that is improper, merge
        the *activation-pattern classes* into k colours.

        Pattern classes: v ↦ P(v) = {j : w_j[v] + b_j > 0}.  For a loss-0 network in C+ or
        C±0 no edge has all its vertices in one class (if all v ∈ e share P, the units in P
        are active at 1_e, bias-free units outside P are inactive, and f(1_e) = Σ_{v∈e} f(e_v)
        = |e| ≠ 0; in C+ with a bias f(1_e) ≥ σ(w_j·1_e + b_j) > 0 for j ∈ P).  There are at
        most 2^k − 1 classes, independent of n, so trying every map from classes to k colours
        (at most 3^7 maps for k = 3) is a constant-size search; beyond 2·10^5 maps it is
        skipped.  This realises the C±0 soundness claim for k ≤ 3 constructively; the check
        reports any loss-0 network for which no map is proper.
        """
        h = self._hypergraph(h)
        units = network.units
        simple = []
        for v in range(h.n):
            colour = 0
            for j, u in enumerate(units):
                if u.a > 0 and u.w[v] + u.b > 0:
                    colour = j
                    break
            simple.append(colour)
        if _proper(h, simple):
            return tuple(simple)
        patterns = [
            frozenset(j for j, u in enumerate(units) if u.w[v] + u.b > 0) for v in range(h.n)
        ]
        classes = sorted(set(patterns), key=sorted)
        index = {p: i for i, p in enumerate(classes)}
        if self.k ** len(classes) <= 200_000:
            for choice in itertools.product(range(self.k), repeat=len(classes)):
                colouring = [choice[index[patterns[v]]] for v in range(h.n)]
                if _proper(h, colouring):
                    return tuple(colouring)
        return tuple(simple)

    def predicted(self, trace: ColouringTrace, source_value: int) -> Interval:
        if source_value == 1:
            return Interval.point(0)
        if trace.claimed:
            return Interval(Fraction(0), None, lo_open=True)
        return Interval(Fraction(0), None)

    def source_value(self, trace: ColouringTrace, target_optimum: Any) -> int | None:
        if not trace.claimed:
            return None
        if isinstance(target_optimum, float):
            # a solver's rounding of the optimum: 0 within the documented tolerance
            return 1 if target_optimum <= OPT_ATOL else 0
        return 1 if Fraction(target_optimum) == 0 else 0

    def lifted_value(self, trace: ColouringTrace, source_value: int) -> Fraction | None:
        return Fraction(0) if source_value == 1 else None

    def size(self, h: Any) -> tuple[int, int]:
        h = self._hypergraph(h)
        return (1 + h.n + len(h.edges), h.n)

    def random_source(self, seed: int) -> Hypergraph:
        """A hypergraph of either answer, rank 2 (probability 1/2) or 3, on 5..7 vertices
        (5..6 for k ≥ 3, whose NO instances SCIP proves only when small: issue 13).

        With probability 1/2 a YES instance: a planted k-colouring and random hyperedges that it
        leaves non-monochromatic.  Otherwise a NO instance: random hyperedges added one at a time
        until the hypergraph is not k-colourable (decided exactly by brute force), or a YES one
        if even all r-subsets can be k-coloured.
        """
        rng, sub = seeded(seed)
        n = rng.randint(5, 7 if self.k <= 2 else 6)
        r = rng.choice((2, 3))
        edges = list(itertools.combinations(range(n), r))
        random.Random(sub).shuffle(edges)
        if rng.random() < 0.5:
            colour = [rng.randrange(self.k) for _ in range(n)]
            proper = [e for e in edges if len({colour[v] for v in e}) > 1]
            chosen = proper[: rng.randint(1, max(1, min(len(proper), 2 * n)))]
            return Hypergraph(n, tuple(sorted(chosen)), f"planted{self.k}col:seed={seed}")
        for m in range(1, len(edges) + 1):
            h = Hypergraph(n, tuple(sorted(edges[:m])), f"blocked{self.k}col:seed={seed}")
            if colourable(h, self.k, method="brute").value == 0:
                return h
        return h


def _proper(h: Hypergraph, colouring: list[int]) -> bool:
    return all(len({colouring[v] for v in e}) > 1 for e in h.edges)


def signed_bias_counterexample(problem: FitProblem, r: int) -> ReluNetwork:
    """σ(1·x) − (r/(r−1))·σ(1·x − 1), padded with zero units to the instance's k ≥ 2.

    Written with positive homogeneity as a_2 = −1, w_2 = (r/(r−1))·1, b_2 = −r/(r−1).  Its loss
    is 0 on every r-uniform instance of :class:`ColoringToRelus` in the class C±b.
    """
    if r < 2 or problem.units < 2 or not problem.bias:
        raise UnsoundReduction(
            "the signed-bias counterexample needs rank r ≥ 2, k ≥ 2 units and a bias"
        )
    d = problem.d
    s = Fraction(r, r - 1)
    units = [
        Unit(1, tuple(Fraction(1) for _ in range(d)), Fraction(0)),
        Unit(-1, tuple(s for _ in range(d)), -s),
    ]
    units += [Unit(1, tuple(Fraction(0) for _ in range(d)), Fraction(0))] * (problem.units - 2)
    return ReluNetwork(tuple(units))
