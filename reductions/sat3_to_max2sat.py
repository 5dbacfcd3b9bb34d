"""Max-3-SAT → Max-2-SAT (the Garey–Johnson–Stockmeyer gadget).

Construction
------------
Every clause (a ∨ b ∨ c) of weight w_C (literals a, b, c) gets a fresh variable z and becomes the
ten clauses, each of weight w_C,

    a, b, c, z, ¬a∨¬b, ¬b∨¬c, ¬a∨¬c, a∨¬z, b∨¬z, c∨¬z.

Clauses with one or two literals are already Max-2-SAT clauses and are copied unchanged.
Fresh variables are numbered num_vars + 1, num_vars + 2, ... in clause order.

Proof of the gadget's count.  Let t be the number of true literals among a, b, c (as truth
values: the count holds even if literals repeat).  Counting satisfied clauses of the gadget

=====  =======  =======  ====
t      z=false  z=true   best
=====  =======  =======  ====
0      6        4        6
1      7        6        7
2      7        7        7
3      6        7        7
=====  =======  =======  ====

(singles a, b, c, z contribute t + z; the pairs ¬a∨¬b, ¬b∨¬c, ¬a∨¬c contribute
3 − C(t, 2), i.e. 3, 3, 2, 0 for t = 0..3; a∨¬z, b∨¬z, c∨¬z contribute 3 if z is false,
else t).  So a satisfied 3-clause allows 7 of 10 (with the best z) and an unsatisfied one at
most 6.

Value map (exact).  With W₃ the total weight of the 3-clauses, **OPT₂ = 6·W₃ + OPT₃**:
``lift`` extends an assignment by the best z per clause (value exactly 6W₃ + its 3-SAT value);
``project`` restricts an assignment to the original variables, and its 3-SAT value is at least
the Max-2-SAT value minus 6W₃ (each gadget contributes at most 6 + [clause satisfied]).

References
----------
M. R. Garey, D. S. Johnson, L. Stockmeyer, "Some simplified NP-complete graph problems",
Theoretical Computer Science 1 (1976) 237–267.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from reductions.base import Reduction
from reductions.interval import Interval, as_int
from reductions.problems import MaxSatProblem
from reductions.sampling import seeded
from reductions.sources import generators as gen
from reductions.sources.types import CNF, InvalidSource

__all__ = ["Sat3ToMax2Sat", "Sat3Trace"]


@dataclass(frozen=True)
class Sat3Trace:
    """``fresh[i]`` is the gadget variable of clause i (0 for clauses copied unchanged)."""

    num_vars: int
    fresh: tuple[int, ...]
    w3: int


def _gadget(a: int, b: int, c: int, z: int) -> list[tuple[int, ...]]:
    return [
        (a,), (b,), (c,), (z,),
        (-a, -b), (-b, -c), (-a, -c),
        (a, -z), (b, -z), (c, -z),
    ]  # fmt: skip


class Sat3ToMax2Sat(Reduction):
    """Max-3-SAT → Max-2-SAT; see the module docstring."""

    name = "sat3_to_max2sat"

    @property
    def source_problem(self) -> MaxSatProblem:
        return MaxSatProblem()

    @property
    def target_problem(self) -> MaxSatProblem:
        return MaxSatProblem()

    def relation(self) -> str:
        return "OPT2 = 6·W3 + OPT3 (W3 = total weight of 3-clauses)"

    def forward(self, f: CNF) -> tuple[CNF, Sat3Trace]:
        self.source_problem.check_instance(f)
        clauses: list[tuple[int, ...]] = []
        weights: list[int] = []
        fresh: list[int] = []
        nxt = f.num_vars
        w3 = 0
        for i, cl in enumerate(f.clauses):
            w = f.weight(i)
            if len(cl) > 3:
                raise InvalidSource(
                    f"sat3_to_max2sat: clause {i} has {len(cl)} literals; expected at most 3 "
                    "(split long clauses first)"
                )
            if len(cl) == 3:
                nxt += 1
                fresh.append(nxt)
                gadget = _gadget(*cl, nxt)
                clauses.extend(gadget)
                weights.extend([w] * len(gadget))
                w3 += w
            else:
                fresh.append(0)
                clauses.append(tuple(cl))
                weights.append(w)
        weighted = f.weights is not None
        name = f"{f.name}-max2sat" if f.name else "max2sat"
        target = CNF(nxt, tuple(clauses), tuple(weights) if weighted else None, name)
        return target, Sat3Trace(f.num_vars, tuple(fresh), w3)

    def lift(self, f: CNF, trace: Sat3Trace, assignment: Any) -> tuple[bool, ...]:
        a = [bool(v) for v in assignment]
        if len(a) != f.num_vars:
            raise InvalidSource(
                f"sat3_to_max2sat: expected {f.num_vars} truth values, found {len(a)}"
            )
        out = list(a) + [False] * sum(1 for z in trace.fresh if z)

        def val(lit: int) -> bool:
            return out[abs(lit) - 1] if lit > 0 else not out[abs(lit) - 1]

        for cl, z in zip(f.clauses, trace.fresh, strict=True):
            if not z:
                continue
            best = None
            for choice in (False, True):
                out[z - 1] = choice
                count = sum(any(val(t) for t in g) for g in _gadget(*cl, z))
                if best is None or count > best[0]:
                    best = (count, choice)
            out[z - 1] = best[1]
        return tuple(out)

    def project(self, f: CNF, trace: Sat3Trace, assignment: Any) -> tuple[bool, ...]:
        return tuple(bool(v) for v in tuple(assignment)[: trace.num_vars])

    def predicted(self, trace: Sat3Trace, source_value: int) -> Interval:
        return Interval.point(6 * trace.w3 + source_value)

    def source_value(self, trace: Sat3Trace, target_optimum: Any) -> int:
        return as_int(Fraction(target_optimum) - 6 * trace.w3)

    def lifted_value(self, trace: Sat3Trace, source_value: int) -> Fraction:
        return Fraction(6 * trace.w3 + source_value)

    def size(self, f: CNF) -> tuple[int, int]:
        n3 = sum(1 for c in f.clauses if len(c) == 3)
        return (f.num_vars + n3, f.m + 9 * n3)

    def random_source(self, seed: int) -> CNF:
        """Uniform random 3-CNF (every clause of 3 literals): 3..6 variables, at clause density
        1..6 (both sides of the satisfiability threshold ≈ 4.27)."""
        rng, sub = seeded(seed)
        n = rng.randint(3, 6)
        return gen.random_3sat(n, rng.randint(n, 6 * n), sub)
