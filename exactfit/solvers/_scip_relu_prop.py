"""A SCIP propagator that caps each ReLU output by the local range of its pre-activation.

At a node of the branch-and-bound tree the weights lie in the box of their local bounds,
``w ∈ [ℓ, u]`` (and ``b ∈ [ℓ_b, u_b]``), so a point's pre-activation ``t = w·z`` lies in
``[t⁻, t⁺]`` with ``t⁺ = Σ_l (x_l⁺ u_l − x_l⁻ ℓ_l) + u_b`` and ``t⁻`` the mirror image (interval
arithmetic).  Every solution of the node has ``p = σ(t) ≤ σ(t⁺)`` and ``q = σ(−t) ≤ σ(−t⁻)``;
the propagator lowers the local upper bounds of ``p`` and ``q`` to those values.

Why the model needs it: SCIP's own propagation sees only the row ``p − q = w·z`` and the
complementarity of ``p`` and ``q``, which bounds ``p`` by ``t⁺ + u_q``: with ``q`` unbounded,
nothing, until the point's own activity is branched on.  On ``dks_to_relu`` an edge ``uv`` whose
vertices have opposite signs has ``t ∈ [−0.18, 0.18]`` once the budget rows
(:mod:`exactfit.solvers._scip_budget`) pin ``|w_u|``, ``|w_v|`` near 1, so its cost
``(σ(t) − 2)² ≥ 3.3`` enters the bound without a branch on the edge; without the cap each such
edge had to be branched on separately.  Measured in docs/solvers/scip.md ("ReLU caps").

With a bias the cap needs bounds on ``b`` too; SCIP's ``b`` is free unless something bounds it,
so on such models the propagator mostly finds nothing to do.  A part that presolve
multi-aggregated is skipped (SCIP accepts no bound change on it).

Rounding: ``t⁺`` is a sum of at most ``d + 1`` float products, each with relative error below
2⁻⁵³, so its error is below ``(d + 1)·2⁻⁵³·m`` with ``m = Σ_l |x_l| max(|ℓ_l|, |u_l|) + max(|ℓ_b|,
|u_b|)``; the caps are raised by ``PAD·m`` (:data:`PAD` = 1e-9 covers ``d`` < 10⁶).  An infinite
bound gives no cap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["PAD", "include_relu_caps", "relu_caps"]

#: Relative padding of every cap (module docstring).
PAD = 1e-9
#: SCIP's infinity: bounds at or beyond it are infinite.
_INF = 1e19


def relu_caps(
    X: np.ndarray, lo: np.ndarray, hi: np.ndarray, blo: float = 0.0, bhi: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds on ``σ(x_i·w + b)`` and ``σ(−(x_i·w + b))`` for every row ``x_i`` of ``X``
    over the box ``lo ≤ w ≤ hi``, ``blo ≤ b ≤ bhi`` (``inf`` where a needed bound is infinite),
    padded outward (module docstring)."""
    pos, neg = np.maximum(X, 0.0), np.minimum(X, 0.0)
    lo = np.where(lo <= -_INF, -np.inf, lo)
    hi = np.where(hi >= _INF, np.inf, hi)
    with np.errstate(invalid="ignore"):  # 0·inf: a zero coefficient contributes nothing
        up = np.where(pos > 0, pos * hi, 0.0).sum(1) + np.where(neg < 0, neg * lo, 0.0).sum(1)
        down = np.where(pos > 0, pos * lo, 0.0).sum(1) + np.where(neg < 0, neg * hi, 0.0).sum(1)
    big = np.maximum(np.abs(lo), np.abs(hi))
    with np.errstate(invalid="ignore"):
        mag = np.where(X != 0, np.abs(X) * big, 0.0).sum(1) + max(abs(blo), abs(bhi))
    up, down = up + bhi, down + blo
    pad = PAD * mag  # 0 only when every term is exactly 0
    return np.maximum(up, 0.0) + pad, np.maximum(-down, 0.0) + pad


def include_relu_caps(
    m: Any,
    X: np.ndarray,
    W: list[Any],
    B: Any,
    P: list[Any],
    Q: list[Any],
    rows: list[int],
    unit: int = 0,
) -> Any:
    """Add the propagator to ``m`` for one unit: weights ``W``, bias ``B`` (or ``None``), parts
    ``P[i]``, ``Q[i]`` of the points ``rows`` (model units; ``X`` the points), named after
    ``unit`` (SCIP wants one name per propagator).  The ``Prop``
    subclass is defined here because pyscipopt is imported only when SCIP is used."""
    from pyscipopt import SCIP_PROPTIMING, SCIP_RESULT, Prop

    class ReluCaps(Prop):
        def __init__(self) -> None:
            self.vars: tuple[list[Any], Any, list[Any], list[Any]] | None = None
            self.last: tuple[Any, ...] | None = None
            self.X = np.asarray(X, dtype=float)[rows]

        def _transformed(self) -> tuple[list[Any], Any, list[Any], list[Any]]:
            if self.vars is None:
                t = self.model.getTransformedVar

                # A multi-aggregated part cannot take a bound change (SCIP rejects it); its
                # cap is simply not applied (a cap is only ever a strengthening).
                def mutable(v: Any) -> Any:
                    return None if v.getStatus() == "MULTAGGR" else v

                self.vars = (
                    [t(v) for v in W],
                    t(B) if B is not None else None,
                    [mutable(t(P[i])) for i in rows],
                    [mutable(t(Q[i])) for i in rows],
                )
            return self.vars

        def propexec(self, proptiming: Any) -> dict[str, Any]:
            w, b, p, q = self._transformed()
            lo = np.array([v.getLbLocal() for v in w])
            hi = np.array([v.getUbLocal() for v in w])
            blo, bhi = (b.getLbLocal(), b.getUbLocal()) if b is not None else (0.0, 0.0)
            if b is not None and (blo <= -_INF or bhi >= _INF):
                return {"result": SCIP_RESULT.DIDNOTFIND}
            key = (self.model.getCurrentNode().getNumber(), lo.tobytes(), hi.tobytes(), blo, bhi)
            if key == self.last:
                return {"result": SCIP_RESULT.DIDNOTFIND}  # nothing new at this node
            self.last = key
            cap_p, cap_q = relu_caps(self.X, lo, hi, blo, bhi)
            result = SCIP_RESULT.DIDNOTFIND
            for caps, parts in ((cap_p, p), (cap_q, q)):
                for k in np.flatnonzero(np.isfinite(caps)).tolist():
                    if parts[k] is None:
                        continue
                    infeasible, tightened = self.model.tightenVarUb(parts[k], caps[k])
                    if infeasible:
                        return {"result": SCIP_RESULT.CUTOFF}
                    if tightened:
                        result = SCIP_RESULT.REDUCEDDOM
            return {"result": result}

    prop = ReluCaps()
    timing = SCIP_PROPTIMING.BEFORELP
    desc = "ReLU output caps from pre-activation ranges"
    m.includeProp(prop, f"relucaps{unit}", desc, 0, 0, timing, priority=1, freq=1, delay=False)
    return prop
