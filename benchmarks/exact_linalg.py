"""Benchmark: exact linear algebra, plain ``Fraction`` against FLINT (python-flint) and gmpy2.

Prints four tables (microseconds or milliseconds per call, best of a few repeats; every timed
FLINT and gmpy2 column includes the conversion from and back to ``Fraction``, since the rest
of the project speaks ``Fraction``):

1. ``rref`` of the augmented systems that occur: ``D × (D+1)`` least-squares systems (Gram sums
   of 6- and 9-decimal data, D ≤ 4), ``kD × (kD+1)`` ones (kD ≤ 12), integer constraint
   blocks, rank-deficient ones, and certificate-sized ones with 60-digit denominators.
   Columns: :func:`exactfit.exact.reference.rref` (Gauss–Jordan on ``Fraction``), FLINT
   (:func:`exactfit.exact.linalg.rref`: ``fmpq_mat.rref`` plus both conversions), FLINT's
   elimination alone (no conversion), the same Gauss–Jordan on gmpy2 ``mpq`` (with
   conversions), and the conversion ``Fraction → fmpq_mat`` alone.
2. ``int_det`` of integer matrices: Bareiss on Python ints against ``fmpz_mat.det``.
3. Per chamber, on real chambers of generated instances: the cell system and its
   least-squares bound (``cell_system`` + ``ls_value``), and the whole exact cone QP
   (``exact_cone_qp``), reference against the FLINT-backed modules; results asserted equal.
(The fourth table, the old rigorous re-check of ``--certify`` end to end, went with the
re-check itself: certificates replaced it, see ``benchmarks/certificate.py``.)

Usage::

    python benchmarks/exact_linalg.py            # everything (about two minutes)
    python benchmarks/exact_linalg.py --quick    # fewer repeats

gmpy2 is optional (it is not a dependency of exactfit); without it its column shows ``n/a``.
"""

from __future__ import annotations

import argparse
import random
import time
import timeit
from collections.abc import Callable
from fractions import Fraction

import flint

from exactfit.exact import cells, coneqp, linalg, reference
from exactfit.generate import planted_fit
from exactfit.solvers.enumeration.algebra import _Setup
from exactfit.solvers.enumeration.cells import _ExactCells

try:
    import gmpy2
except ImportError:  # optional: only this benchmark's comparison column uses it
    gmpy2 = None


def best(f: Callable[[], object], budget: float) -> float:
    """Seconds per call of ``f``: best of 3 rounds of as many calls as fit in ``budget`` s."""
    t = time.perf_counter()
    f()
    number = max(1, int(budget / max(time.perf_counter() - t, 1e-7)))
    return min(timeit.repeat(f, number=number, repeat=3)) / number


def decimal(rng: random.Random, digits: int, scale: int = 3) -> Fraction:
    return Fraction(rng.randint(-scale * 10**digits, scale * 10**digits), 10**digits)


def ls_system(rng: random.Random, D: int, n: int, digits: int) -> list[list[Fraction]]:
    """``[G | h]`` of ``n`` random lifted points with ``digits`` decimals (rank ``min(n, D)``)."""
    Z = [[decimal(rng, digits) for _ in range(D - 1)] + [Fraction(1)] for _ in range(n)]
    y = [decimal(rng, digits) for _ in range(n)]
    G = [[sum((z[a] * z[b] for z in Z), Fraction(0)) for b in range(D)] for a in range(D)]
    h = [sum((z[a] * v for z, v in zip(Z, y, strict=True)), Fraction(0)) for a in range(D)]
    return [[*G[i], h[i]] for i in range(D)]


def big_system(rng: random.Random, r: int, c: int, digits: int) -> list[list[Fraction]]:
    """Dense ``r × c`` with numerators and denominators of ``digits`` digits (certificates)."""
    top = 10**digits
    return [
        [Fraction(rng.randint(-top, top), rng.randint(1, top)) for _ in range(c)] for _ in range(r)
    ]


def gmpy2_rref(M: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """The reference Gauss–Jordan elimination on gmpy2 ``mpq``, conversions included."""
    # the reference elimination is generic in the field type: run it on mpq
    R, pivots = reference.rref([[gmpy2.mpq(v.numerator, v.denominator) for v in row] for row in M])
    return [[Fraction(int(v.numerator), int(v.denominator)) for v in row] for row in R], pivots


def rref_cases(rng: random.Random) -> list[tuple[str, list[list[Fraction]]]]:
    cases = [
        ("ls D=2, 6 dec", ls_system(rng, 2, 30, 6)),
        ("ls D=3, 6 dec", ls_system(rng, 3, 30, 6)),
        ("ls D=3, 9 dec", ls_system(rng, 3, 30, 9)),
        ("ls D=4, 9 dec", ls_system(rng, 4, 30, 9)),
        ("ls D=4 rank 2, 6 dec", ls_system(rng, 4, 2, 6)),
        ("kD=6, 6 dec", ls_system(rng, 6, 40, 6)),
        ("kD=8, 9 dec", ls_system(rng, 8, 40, 9)),
        ("kD=12, 6 dec", ls_system(rng, 12, 40, 6)),
        ("kD=12, 9 dec", ls_system(rng, 12, 40, 9)),
        (
            "normals 40x4, int",
            [[Fraction(rng.randint(-99, 99)) for _ in range(4)] for _ in range(40)],
        ),
        ("cert 6x7, 60-digit", big_system(rng, 6, 7, 60)),
        ("cert 12x13, 60-digit", big_system(rng, 12, 13, 60)),
    ]
    return cases


def table_rref(budget: float) -> None:
    rng = random.Random(1)
    print("1. rref (µs per call; FLINT and gmpy2 include Fraction conversions both ways)")
    head = ("case", "Fraction", "flint", "flint core", "gmpy2", "convert", "flint ×")
    print(f"{head[0]:24s}" + "".join(f"{h:>11s}" for h in head[1:]))
    for name, M in rref_cases(rng):
        want = reference.rref(M)
        if linalg.rref(M) != want or (gmpy2 and gmpy2_rref(M) != want):
            raise SystemExit(f"rref disagrees on {name}")
        Q = linalg.qmat(M)
        t_ref = best(lambda M=M: reference.rref(M), budget)
        t_fl = best(lambda M=M: linalg.rref(M), budget)
        t_core = best(lambda Q=Q: Q.rref(), budget)
        t_gm = best(lambda M=M: gmpy2_rref(M), budget) if gmpy2 else None
        t_cv = best(lambda M=M: linalg.qmat(M), budget)
        gm = f"{t_gm * 1e6:11.0f}" if t_gm is not None else f"{'n/a':>11s}"
        print(
            f"{name:24s}{t_ref * 1e6:11.0f}{t_fl * 1e6:11.0f}{t_core * 1e6:11.1f}{gm}"
            f"{t_cv * 1e6:11.1f}{t_ref / t_fl:11.1f}"
        )


def table_det(budget: float) -> None:
    rng = random.Random(2)
    print("\n2. int_det (µs per call)")
    print(f"{'case':24s}{'Bareiss':>11s}{'flint':>11s}{'flint ×':>11s}")
    for n, bits in [(3, 8), (3, 64), (4, 8), (4, 64), (5, 30), (8, 64), (12, 64)]:
        M = [[rng.randint(-(2**bits), 2**bits) for _ in range(n)] for _ in range(n)]
        if linalg.int_det(M) != reference.int_det(M):
            raise SystemExit("int_det disagrees")
        t_ref = best(lambda M=M: reference.int_det(M), budget)
        t_fl = best(lambda M=M: linalg.int_det(M), budget)
        print(
            f"{f'{n}x{n}, {bits}-bit':24s}{t_ref * 1e6:11.1f}{t_fl * 1e6:11.1f}{t_ref / t_fl:11.1f}"
        )


def chamber_systems(problem, count: int, seed: int) -> list[tuple]:
    """``count`` random cell-system arguments (k units in random chambers) of ``problem``."""
    setup = _Setup.build(problem)
    table = _ExactCells(setup.hp, None).table
    rng = random.Random(seed)
    pts = cells.lifted_points(problem)
    out = []
    for _ in range(count):
        pats = [table[rng.randrange(len(table))] for _ in range(problem.units)]
        signs = [rng.choice((1, -1)) for _ in pats]
        active = [setup.hp.active(p) for p in pats]
        out.append((pts, problem.sample_weight, problem.y, setup.hp.exact, pats, active, signs))
    return out


def timed(f: Callable[..., object], items: list[tuple]) -> tuple[float, list]:
    """Seconds per call of ``f(*item)`` over ``items``, and the results."""
    t = time.perf_counter()
    out = [f(*it) for it in items]
    return (time.perf_counter() - t) / len(items), out


def table_chambers(count: int) -> None:
    print("\n3. per chamber, real chambers (ms per call; cells = cell_system + ls_value)")
    print(f"{'case':28s}{'D·k':>5s}{'cells ref':>11s}{'cells new':>11s}{'×':>7s}"
          f"{'QP ref':>11s}{'QP new':>11s}{'×':>7s}")  # fmt: skip
    for n, d, k, digits in [
        (30, 2, 1, 6),
        (40, 3, 1, 9),
        (12, 2, 2, 6),
        (10, 3, 2, 9),
        (8, 3, 3, 6),
    ]:
        problem = planted_fit(n, d, units=k, seed=7, scale=10**digits)
        items = chamber_systems(problem, count, seed=n)
        for it in items:
            if cells.cell_system(*it) != reference.cell_system(*it):
                raise SystemExit("cell_system disagrees")
        ref_sys = [reference.cell_system(*it) for it in items]
        new_sys = [cells.cell_system(*it) for it in items]
        q1, ref_qp = timed(reference.exact_cone_qp, ref_sys)
        q2, new_qp = timed(coneqp.exact_cone_qp, new_sys)
        if ref_qp != new_qp:
            raise SystemExit("exact_cone_qp disagrees")

        def ref_cells(*it, k=k):
            G, h, _ = reference.cell_system(*it)
            return reference.ls_value(G, h) if k == 1 else None

        def new_cells(*it, k=k):
            G, h, _ = cells.cell_system(*it)
            return cells.ls_value(G, h) if k == 1 else None

        t1, _ = timed(ref_cells, items)
        t2, _ = timed(new_cells, items)
        name = f"n={n} d={d} k={k}, {digits} dec"
        print(f"{name:28s}{(d + 1) * k:5d}{t1 * 1e3:11.3f}{t2 * 1e3:11.3f}{t1 / t2:7.1f}"
              f"{q1 * 1e3:11.3f}{q2 * 1e3:11.3f}{q1 / q2:7.1f}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="fewer repeats and smaller cases")
    args = ap.parse_args(argv)
    print(f"python-flint {flint.__version__}, gmpy2 {gmpy2.version() if gmpy2 else 'absent'}\n")
    table_rref(0.02 if args.quick else 0.1)
    table_det(0.02 if args.quick else 0.1)
    table_chambers(20 if args.quick else 60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
