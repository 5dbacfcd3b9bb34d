"""SCIP's terminations, mapped to sign-model outcomes, and the settings a failed model is
retried with.

Every status string of PySCIPOpt's ``Model.getStatus()`` is in :data:`SCIP_STATUS`; an unknown
one, an impossible one (the loss is bounded below) or an exception inside SCIP is a failed model
(:func:`outcome_from_status`), which the driver (:mod:`exactfit.solvers._signmodels`) records with
the trivial bound 0 and names in the result's message.

:data:`RETRIES` is what :mod:`exactfit.solvers.scip` tries, in order, after an exception inside
SCIP (SoPlex's "error in LP solver", "unresolved numerical troubles in LP"): measured on the
library instance ``families/clwe_d2_n12_s13`` (docs/solvers/scip.md, "LP failures").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from exactfit.problem import ReluNetwork
from exactfit.result import Limit
from exactfit.solvers._signmodels import SignModelOutcome

__all__ = ["RETRIES", "SCIP_STATUS", "Retry", "outcome_from_status"]

#: Every status string PySCIPOpt's ``Model.getStatus()`` can return, mapped to
#: (finished proof?, limit that stopped it).  ``infeasible`` only happens under our objective
#: cut-off (the zero network is always feasible); anything not listed becomes ERROR.
SCIP_STATUS: dict[str, tuple[bool, Limit | None]] = {
    "optimal": (True, None),
    # limits/gap is OPT_RTOL/2 and limits/absgap OPT_ATOL/2 (see _set_params), half of what
    # finalize accepts, and finalize re-checks that the bound meets the recomputed loss.
    "gaplimit": (True, None),
    "infeasible": (True, None),
    "timelimit": (False, Limit.TIME),
    "nodelimit": (False, Limit.NODES),
    "totalnodelimit": (False, Limit.NODES),
    "stallnodelimit": (False, Limit.NODES),
    "memlimit": (False, Limit.BUDGET),
    "sollimit": (False, Limit.BUDGET),
    "bestsollimit": (False, Limit.BUDGET),
    "restartlimit": (False, Limit.BUDGET),
    "primallimit": (False, Limit.BUDGET),
    "duallimit": (False, Limit.BUDGET),
    "userinterrupt": (False, Limit.INTERRUPT),
    "terminate": (False, Limit.INTERRUPT),
}
_IMPOSSIBLE = {"unbounded", "inforunbd"}  # the loss is bounded below by 0


def outcome_from_status(
    signs: tuple[int, ...],
    status: str,
    *,
    dual: float = -math.inf,
    cutoff: float = math.inf,
    network: ReluNetwork | None = None,
    objective: float | None = None,
    nodes: int = 0,
) -> SignModelOutcome:
    """The outcome of one sign model from SCIP's raw ``status`` (see :data:`SCIP_STATUS`).

    ``infeasible`` under a finite cut-off proves the bound ``cutoff``; without one, an
    impossible status (``unbounded``, ``inforunbd``) or an unknown string (including
    ``"exception: ..."`` for an error inside SCIP), the outcome is an error that keeps the raw
    string.  A dual bound SCIP does not have (±infinity) gives the trivial bound 0.

    Parameters
    ----------
    signs : tuple of int
        The model's output signs.
    status : str
        ``Model.getStatus()``, verbatim.
    dual : float
        SCIP's dual bound, in the problem's units.
    cutoff : float
        The objective limit the model ran with (``inf``: none), in the problem's units.
    network, objective, nodes
        The incumbent (polished), SCIP's value for it, and the node count.
    """
    if status in _IMPOSSIBLE or status not in SCIP_STATUS:
        why = f"SCIP returned status {status!r} for signs {signs}"
        return SignModelOutcome(signs, status, error=why, nodes=nodes)
    if status == "infeasible":
        if not math.isfinite(cutoff):
            why = "SCIP declared the fitting model infeasible without a cut-off"
            return SignModelOutcome(signs, status, error=why, nodes=nodes)
        bound = cutoff
    else:
        bound = dual if math.isfinite(dual) and abs(dual) < 1e19 else 0.0
    limit = SCIP_STATUS[status][1]
    return SignModelOutcome(
        signs,
        status,
        bound=max(bound, 0.0),
        network=network,
        objective=objective,
        limit=limit,
        nodes=nodes,
    )


@dataclass(frozen=True)
class Retry:
    """One retry of a sign model that failed inside SCIP.

    Attributes
    ----------
    name : str
        What the retry changes, as recorded in ``stats["models"][i]["retried"]``.
    feastol_factor : float
        The feasibility tolerance of the retry is this times the solve's (≥ 1: never tighter).
    params : mapping
        Further SCIP parameters set on the retried model.
    """

    name: str
    feastol_factor: float = 1.0
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not (math.isfinite(self.feastol_factor) and self.feastol_factor >= 1.0):
            raise ValueError(f"a retry never tightens feastol, found {self.feastol_factor!r}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


#: After an exception inside SCIP, the model is solved again with these settings in turn until
#: one does not fail.  Measured on ``clwe_d2_n12_s13``, model (1, -1, -1, -1, -1) under the cut-off
#: 6.57e-14 (one run each, 60 s limit, 2 shared cores): SCIP's defaults and ``feastol`` 1e-7 fail
#: with "error in LP solver" after 9-24 s; ``lp/scaling`` 2 (SoPlex's aggressive scaling) proves
#: the cut-off in 10.8 s; ``numerics`` emphasis, ``lp/scaling`` 0 and a primal simplex resolve
#: run 60 s without failing or proving; ``lp/checkstability`` off fails.  The looser tolerance
#: stays as the last resort (it fixed the "unresolved numerical troubles" of an n = 8 instance).
RETRIES: tuple[Retry, ...] = (
    Retry("lp/scaling 2", params={"lp/scaling": 2}),
    Retry("feastol x10", feastol_factor=10.0),
)
