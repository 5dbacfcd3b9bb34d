"""What :func:`~reductions.check.check` reports: the named items, the verdict, text and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactfit.io import jsonable
from reductions.check.discrimination import Discrimination
from reductions.check.target import TargetOptimum
from reductions.interval import Interval

__all__ = ["OPTIMUM_DEPENDENT", "CheckReport", "Item"]


@dataclass(frozen=True)
class Item:
    """One named check: passed or not, and what was seen."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class CheckReport:
    """Everything :func:`check` saw; ``passed`` iff every item passed."""

    reduction: str
    parameters: dict
    source_name: str
    source_sha256: str
    size_declared: tuple[int, int]
    size_actual: tuple[int, int]
    source_value: int | None
    source_method: str
    target: TargetOptimum
    predicted: Interval | None
    decoded: Any
    lifted_value: Fraction | int | None
    projected_value: Any
    items: tuple[Item, ...]
    relation: str = ""
    discrimination: Discrimination | None = None
    target_instance: Any = field(default=None, compare=False, repr=False)
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def proven(self) -> bool:
        """Whether both optima were proven (otherwise optimum-dependent items are moot)."""
        names = {i.name: i.passed for i in self.items}
        return names.get("source optimal", False) and names.get("target optimal", False)

    @property
    def failures(self) -> tuple[Item, ...]:
        """Failed items that refute the reduction: when an optimum is unproven, the items
        that compare optima (``OPTIMUM_DEPENDENT``) are not counted."""
        skip = () if self.proven else OPTIMUM_DEPENDENT
        return tuple(i for i in self.items if not i.passed and i.name not in skip)

    @property
    def decided_by(self) -> str | None:
        """What decides a PASS: ``"optimum"`` when both optima are proven; ``"bound"`` when the
        source optimum is proven and the target was not solved to optimality, but its bracket
        [proven bound, loss] is consistent with the true source value only (a NO colouring
        instance whose proven bound is > 0, say); ``None`` otherwise."""
        if self.proven:
            return "optimum"
        names = {i.name: i.passed for i in self.items}
        disc = self.discrimination
        if (
            names.get("source optimal", False)
            and disc is not None
            and disc.lower is not None
            and disc.discriminating
        ):
            return "bound"
        return None

    @property
    def verdict(self) -> str:
        """``PASS``, ``FAIL`` (a check refutes the reduction) or ``INCONCLUSIVE`` (an optimum
        was not proven, e.g. a time limit, its bracket does not decide, and nothing else
        failed).  A PASS decided by a bound (:attr:`decided_by`) counts as a PASS."""
        if self.failures:
            return "FAIL"
        return "PASS" if self.decided_by is not None else "INCONCLUSIVE"

    @property
    def passed(self) -> bool:
        return self.verdict == "PASS"

    def text(self) -> str:
        """A human-readable report (what ``exactfit check`` prints)."""
        t = self.target
        status = f"{t.method}, {f'proven ({t.proof})' if t.proven else 'NOT proven'}"
        if t.note:
            status += f"; {t.note}"
        lines = [
            f"reduction   {self.reduction} {json.dumps(jsonable(self.parameters))}",
            f"source      {self.source_name or '(unnamed)'} sha256={self.source_sha256[:16]}…",
            f"size        declared {self.size_declared}, actual {self.size_actual}",
            f"source opt  {self.source_value} ({self.source_method})",
            f"target opt  {_fmt(t.exact) if t.exact is not None else _bracket(t)} ({status})",
            f"relation    {self.relation}",
            f"predicted   {self.predicted}",
            f"decoded     {self.decoded}",
            f"lifted      {_fmt(self.lifted_value)}",
            f"projected   {self.projected_value}",
        ]
        if self.discrimination is not None:
            lines.append(f"discrim.    {self.discrimination.text()}")
        moot = () if self.proven else OPTIMUM_DEPENDENT
        for i in self.items:
            # an item that compares optima is moot when an optimum is unproven: not a failure
            mark = "ok" if i.passed else "moot" if i.name in moot else "FAIL"
            lines.append(f"  [{mark}] {i.name}: {i.detail}")
        if self.verdict == "PASS":
            lines.append(f"decided     {self._decided_text()}")
        lines.append(self.verdict)
        return "\n".join(lines)

    def _decided_text(self) -> str:
        t = self.target
        if self.decided_by == "optimum":
            return f"by the proven optima (target proof: {t.proof})"
        disc = self.discrimination
        level = "exact certificate" if disc and disc.proof == "exact" else "backend tolerance"
        return (
            f"by a proven bound ({level}): the target was not solved to optimality, but its "
            f"bracket [{_fmt(t.lower)}, {_fmt(t.upper)}] is consistent with the source "
            f"optimum {self.source_value} only"
        )

    def as_json(self) -> dict[str, Any]:
        t = self.target
        return jsonable(
            {
                "reduction": self.reduction,
                "parameters": self.parameters,
                "source": {"name": self.source_name, "sha256": self.source_sha256},
                "size": {"declared": self.size_declared, "actual": self.size_actual},
                "source_optimum": self.source_value,
                "source_method": self.source_method,
                "target": {
                    "lower": t.lower,
                    "upper": t.upper,
                    "exact": t.exact,
                    "proven": t.proven,
                    "proof": t.proof,
                    "bound_proof": t.bound_proof,
                    "method": t.method,
                    "note": t.note,
                },
                "relation": self.relation,
                "predicted": None if self.predicted is None else self.predicted.as_json(),
                "decoded": self.decoded,
                "lifted_value": self.lifted_value,
                "projected_value": self.projected_value,
                "checks": [
                    {"name": i.name, "passed": i.passed, "detail": i.detail} for i in self.items
                ],
                "discrimination": (
                    None if self.discrimination is None else self.discrimination.as_json()
                ),
                "passed": self.passed,
                "verdict": self.verdict,
                "decided_by": self.decided_by if self.verdict == "PASS" else None,
            }
        )


def _fmt(x: Any) -> str:
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        if len(str(x)) > 40:  # the full rational is in the JSON report
            return f"≈{float(x):.12g} (exact rational, {len(str(x))} characters)"
        return f"{x} (≈{float(x):.12g})"
    return str(x)


def _bracket(t: TargetOptimum) -> str:
    return f"in [{_fmt(t.lower)}, {_fmt(t.upper)}]"


#: Items that compare optima; moot when an optimum is not proven.
OPTIMUM_DEPENDENT = (
    "source optimal",
    "target optimal",
    "source cross-check",
    "target cross-check",
    "relation",
    "decoded",
    "projected value",
)
