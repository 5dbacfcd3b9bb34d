"""Check a reduction on a source by solving both sides exactly (and Karp-style random testing).

:func:`check` runs, for one source instance:

1. ``forward``; the instance's size must equal ``size(source)``;
2. the source optimum, exactly (``reductions.sources.solvers``);
3. the target optimum, exactly: for fitting targets ``exactfit.solve`` (enumeration with an
   exact rational certificate when ``auto`` picks it, SCIP otherwise, whose float optimum is
   made exact by :func:`rational_refit`, the KKT system of its activation cell in Fractions);
   for source-side targets the source solvers;
4. the **relation**: the target optimum lies in ``predicted(trace, source optimum)`` (exactly
   when the optimum is known as a rational, otherwise the solver's proven bracket
   [bound, objective] must lie in it up to the solver tolerance ``OPT_ATOL + OPT_RTOL·|opt|``);
5. the **decoded** source value equals the source optimum (exact value maps only);
6. the **lifted** source certificate is a valid target solution whose exact value equals the
   completeness value ``lifted_value`` (where defined) and does not beat the predicted bound
   (≥ its lower end for minimisation targets); for the exact maps ``lifted_value`` is the
   interval's other end;
7. the **projected** target certificate is a valid source solution; for exact value maps its
   value equals the source optimum; for every map it satisfies the soundness inequality
   (target value ≥ predicted(projected value).lo for minimisation targets, ≤ .hi for
   maximisation targets), as does the round trip project(lift(certificate));
8. optionally, cross-checks: a second fitting solver and a second source method must agree.

:func:`check_random` samples tiny random sources (seeded) and stops at the first failure,
which :func:`save_counterexample` writes into a directory ready to attach to a bug report.
"""

from exactfit.exact.refit import rational_refit
from reductions.check.counterexample import save_counterexample
from reductions.check.random_check import RandomReport, check_random, random_source

# OPTIMUM_DEPENDENT stays importable from here, outside __all__ as before
from reductions.check.report import OPTIMUM_DEPENDENT as OPTIMUM_DEPENDENT
from reductions.check.report import CheckReport, Item
from reductions.check.steps import check
from reductions.check.target import TargetOptimum, solve_fit

__all__ = [
    "CheckReport",
    "Item",
    "RandomReport",
    "TargetOptimum",
    "check",
    "check_random",
    "random_source",
    "rational_refit",
    "save_counterexample",
    "solve_fit",
]
