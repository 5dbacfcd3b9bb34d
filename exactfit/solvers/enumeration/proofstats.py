"""What a certificate proves, recorded in a result's ``stats`` (the one place both the
certified default of ``enum`` and the exact route for other solvers write it)."""

from __future__ import annotations

from typing import Any

from exactfit.certificate.format import Certificate

__all__ = ["record_proof"]


def record_proof(stats: dict[str, Any], cert: Certificate, seconds: float) -> None:
    """Record ``cert`` in ``stats``: its size and time under ``certificate``, and
    ``objective_exact`` (the exact optimum) when its bound meets the loss exactly, else
    ``bound_exact`` (the optimum lies in [bound, loss])."""
    stats["certificate"] = {"nodes": cert.size(), "seconds": round(seconds, 6)}
    q = cert.lower
    if cert.lower == cert.upper:
        stats["objective_exact"] = f"{q.numerator}/{q.denominator}"
    else:
        stats.pop("objective_exact", None)
        stats["bound_exact"] = f"{q.numerator}/{q.denominator}"
