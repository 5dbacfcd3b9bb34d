"""Karp-style random testing: check many tiny seeded random sources, stop at the first failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exactfit.errors import InputError
from reductions.base import Reduction
from reductions.check.counterexample import save_counterexample
from reductions.check.report import CheckReport
from reductions.check.steps import check
from reductions.registry import get_reduction

__all__ = ["RandomReport", "check_random", "random_source"]


def random_source(red: Reduction, seed: int) -> Any:
    """A tiny random source for ``red`` (deterministic in ``seed``): ``red.random_source(seed)``.

    Each reduction declares its own sampler (:meth:`~reductions.base.Reduction.random_source`;
    the shared conventions and sizes are in :mod:`reductions.sampling`).
    """
    return red.random_source(seed)


@dataclass(frozen=True)
class RandomReport:
    """Outcome of :func:`check_random`: how many passed, and the first failure if any."""

    reduction: str
    seed: int
    tried: int
    passed: int
    inconclusive: int
    first_failure: CheckReport | None
    failure_seed: int | None
    saved_to: Path | None

    @property
    def ok(self) -> bool:
        return self.first_failure is None


def check_random(
    reduction: Reduction | str,
    count: int,
    seed: int,
    *,
    sampler: Callable[[Reduction, int], Any] | None = None,
    outdir: str | Path | None = None,
    progress: Callable[[int, CheckReport], None] | None = None,
    **check_options: Any,
) -> RandomReport:
    """Check ``count`` random tiny sources (source i uses seed ``seed + i``), Karp-style.

    Stops at the first failing source; if ``outdir`` is given the counterexample is saved
    there (see :func:`save_counterexample`).  Sources whose optimum could not be proven
    (verdict INCONCLUSIVE) are counted, not saved.
    """
    red = get_reduction(reduction) if isinstance(reduction, str) else reduction
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InputError(f"--random: expected a positive number of sources, found {count!r}")
    sample = sampler or random_source
    passed = inconclusive = 0
    for i in range(count):
        s = seed + i
        source = sample(red, s)
        report = check(red, source, **check_options)
        if progress is not None:
            progress(i, report)
        if report.verdict == "FAIL":
            saved = None
            if outdir is not None:
                saved = save_counterexample(report, Path(outdir), seed=s)
            return RandomReport(red.name, seed, i + 1, passed, inconclusive, report, s, saved)
        if report.verdict == "INCONCLUSIVE":
            inconclusive += 1
        else:
            passed += 1
    return RandomReport(red.name, seed, count, passed, inconclusive, None, None, None)
