"""Write the hand-made degenerate fitting instances of the library (``instances/degenerate/``).

Every instance is small, exact (rational data) and deterministic: no random numbers are drawn, so
running this script twice writes the same files.  Each one stresses a place where a solver can
go wrong on data that is not in general position:

``deg_duplicates``
    Repeated points, some with conflicting labels: a fit can only reach the (weighted) mean label
    at a repeated point, so the optimum is strictly positive even for a large network.
``deg_collinear``
    Points on one line in the plane: the activation cells of the arrangement are degenerate
    (many hyperplanes through each pair of points coincide).
``deg_lattice``
    All nine points of {-1, 0, 1}^2 with labels of mixed sign: ties everywhere (points on many
    common hyperplanes, the origin on every bias-free one).
``deg_nonpositive``
    All labels <= 0 and output signs +1 (the class C+): every network output is >= 0, so the
    optimum is f = 0 with loss sum_i y_i^2 (the null loss), which must be proved, not just found.
``deg_constant``
    All points identical: only a constant can be fitted; the optimum is the variance of the
    labels times n, reached with a positive bias unit (labels are positive).
``deg_zero_bound``
    Collinear data with a small weight bound ||w|| <= 1/4, so the bound is active at the optimum.

Usage: ``python instances/make_degenerate.py [OUTDIR]`` (default: ``instances/degenerate``).
"""

from __future__ import annotations

import sys
from fractions import Fraction as F
from pathlib import Path

from exactfit.io import write_instance
from exactfit.problem import FitProblem


def _points(rows: list[list[int | F]]) -> tuple[tuple[F, ...], ...]:
    return tuple(tuple(F(v) for v in row) for row in rows)


def instances() -> dict[str, FitProblem]:
    """The degenerate instances by name (see the module docstring for what each one tests)."""
    out: dict[str, FitProblem] = {}

    # Three distinct points, each repeated, two of them with conflicting labels.
    out["deg_duplicates"] = FitProblem(
        X=_points([[0], [0], [0], [1], [1], [2], [2], [2]]),
        y=tuple(F(v) for v in ("1", "-1", "1/2", "2", "2", "-1", "0", "3")),
        units=2,
        bias=True,
        meta={"family": "degenerate", "what": "duplicated points with conflicting labels"},
    )

    # Seven points on the line x2 = 2 x1 + 1 in the plane.
    xs = [F(-3), F(-2), F(-1), F(0), F(1, 2), F(1), F(2)]
    out["deg_collinear"] = FitProblem(
        X=tuple((x, 2 * x + 1) for x in xs),
        y=tuple(F(v) for v in ("0", "1/4", "-1/2", "1", "3/2", "1", "-1")),
        units=2,
        bias=True,
        meta={"family": "degenerate", "what": "collinear points in R^2"},
    )

    # The 3 x 3 lattice {-1, 0, 1}^2 with labels of mixed sign (a fixed pattern).
    lattice = [[a, b] for a in (-1, 0, 1) for b in (-1, 0, 1)]
    labels = [1, 0, -1, 0, 1, 0, -1, 0, 1]
    out["deg_lattice"] = FitProblem(
        X=_points(lattice),
        y=tuple(F(v) for v in labels),
        units=2,
        bias=False,
        meta={"family": "degenerate", "what": "0/+-1 lattice points, bias-free"},
    )

    # Non-positive labels with non-negative output signs: the optimum is f = 0.
    out["deg_nonpositive"] = FitProblem(
        X=_points([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1], [-1, -1]]),
        y=tuple(F(v) for v in ("-1", "0", "-1/2", "-2", "0", "-3/2")),
        units=2,
        bias=True,
        output_signs="nonnegative",
        meta={
            "family": "degenerate",
            "what": "all labels <= 0 with output signs +1: optimum sum y^2 (f = 0)",
        },
    )

    # One point repeated: only constants can be fitted.
    out["deg_constant"] = FitProblem(
        X=_points([[1, -1]] * 6),
        y=tuple(F(v) for v in ("1", "2", "3", "1/2", "5/2", "3")),
        units=1,
        bias=True,
        meta={"family": "degenerate", "what": "all points identical: constant fit"},
    )

    # Collinear data whose best fit needs a steep unit, under a small weight bound.
    out["deg_zero_bound"] = FitProblem(
        X=_points([[-2], [-1], [0], [1], [2], [3]]),
        y=tuple(F(v) for v in ("0", "0", "0", "2", "4", "6")),
        units=1,
        bias=True,
        weight_bound=F(1, 4),
        meta={"family": "degenerate", "what": "active weight bound ||w|| <= 1/4 on a ramp"},
    )
    return out


def main(argv: list[str]) -> int:
    outdir = Path(argv[0]) if argv else Path(__file__).resolve().parent / "degenerate"
    outdir.mkdir(parents=True, exist_ok=True)
    for name, problem in instances().items():
        write_instance(problem, outdir / f"{name}.json")
        print(f"wrote {outdir / (name + '.json')} (n={problem.n}, d={problem.d})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
