"""The ``net`` solver: a proper ε-approximate learner for weight-bounded, bias-free networks.

For an instance with a weight bound ``‖w_j‖₂ ≤ B`` and no bias, and an additive error
``ε > 0``, the solver returns a network ``f̂`` of the class with

    L̄(f̂) ≤ min_{f in the class} L̄(f) + ε,      L̄(f) = Σ_i c_i (f(x_i) − y_i)² / Σ_i c_i,

deterministically (no failure probability).  Construction (:mod:`.grid`): an ε-net of each
unit's weight ball in the seminorm of the data's weighted second moment, on its top
eigen-directions; search (:mod:`.search`): every network whose units are net points.  Proof,
constants and complexity in ``docs/solvers/net.md``.

The status is FEASIBLE, never OPTIMAL, and the proven lower bound passed on is 0: the
guarantee relates the answer to the optimum, but its proof runs through a float64
eigendecomposition and float loss comparisons, which is not the exact proof a bound needs.
The guarantee is stated in ``stats["guarantee"]``; a time limit or Ctrl-C returns the best
network so far with ``holds: false``.
"""

from __future__ import annotations

import math
import numbers
import time
from typing import Any

import numpy as np

from exactfit.errors import BudgetExceeded, InputError
from exactfit.limits import MAX_NET_ACTIVATIONS, MAX_NET_NETWORKS
from exactfit.problem import FitProblem, ReluNetwork, Unit, clip_to_bound
from exactfit.result import Result, finalize
from exactfit.solvers._common import check_registered_options, check_time_limit
from exactfit.solvers.net.floats import check_resolution
from exactfit.solvers.net.grid import NetPlan, net_points, plan
from exactfit.solvers.net.search import SearchOutcome, candidate_count, search

__all__ = ["NetSolver", "check_epsilon"]


def check_epsilon(problem: FitProblem, epsilon: Any) -> float:
    """``ε`` as a float; raise unless ``0 < ε < L̄(0)`` (when ``L̄(0) > 0``).

    ``L̄(0) = Σ c y² / Σ c`` is the average loss of the zero network, which is in the class and
    already meets any ``ε ≥ L̄(0)``: such a request asks for nothing.
    """
    if epsilon is None:
        raise InputError(
            "net: expected --epsilon E (the additive error on the average loss), found none; "
            "e.g. --epsilon 0.1"
        )
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise InputError(f"net: epsilon must be a number, found {epsilon!r}")
    eps = float(epsilon)
    if not (math.isfinite(eps) and eps > 0):
        raise InputError(f"net: epsilon must be a positive finite number, found {epsilon!r}")
    zero = float(problem.null_loss()) / float(sum(problem.sample_weight))
    if zero > 0 and eps >= zero:
        raise InputError(
            f"net: epsilon must be below {zero:.6g}, the average loss of the zero network "
            f"(which already meets any larger ε), found {eps:g}; ask for a smaller epsilon"
        )
    return eps


class NetSolver:
    """Exhaustive search over an ε-net of weight-bounded units (see the module docstring)."""

    name = "net"

    def unsupported(self, problem: FitProblem) -> str | None:
        if problem.weight_bound is None:
            return (
                "net covers the weight ball ‖w_j‖₂ ≤ B and needs a weight bound; give the "
                "instance a weight_bound (or --weight-bound B)"
            )
        if problem.bias:
            return (
                "net covers bias-free units only (the class leaves biases unbounded); use "
                "--no-bias or another solver"
            )
        return None

    def solve(
        self,
        problem: FitProblem,
        *,
        time_limit: float | None = None,
        epsilon: Any = None,
        **options: Any,
    ) -> Result:
        """Search the net of ``problem`` for additive error ``epsilon`` (required).

        ``seed`` is accepted and ignored: the construction is deterministic.
        """
        check_registered_options(self.name, options)
        time_limit = check_time_limit(time_limit)
        reason = self.unsupported(problem)
        if reason is not None:
            raise InputError(f"net: {reason}")
        eps = check_epsilon(problem, epsilon)
        check_resolution(
            problem, eps, float(problem.null_loss()) / float(sum(problem.sample_weight))
        )
        start = time.perf_counter()
        deadline = None if time_limit is None else start + time_limit
        net = plan(problem, eps)
        G = net_points(net)
        N = len(G)
        _check_size(problem, net, N)
        B = float(problem.weight_bound)
        A = np.maximum((B * problem.Xf @ net.basis.T) @ G.T, 0.0)
        out = search(A, problem.yf, problem.cf, problem.sign_vectors(), deadline)
        network = _network(problem, net, G, out)
        return finalize(
            problem,
            network,
            bound=0.0,
            solver=self.name,
            wall_s=time.perf_counter() - start,
            proven=False,
            limit=out.limit,
            stats=_stats(problem, net, N, out),
            message=_message(problem, eps, out),
        )


def _check_size(problem: FitProblem, net: NetPlan, N: int) -> None:
    """Refuse a net whose activations or candidate networks exceed the caps."""
    if problem.n * N > MAX_NET_ACTIVATIONS:
        raise BudgetExceeded(
            f"net: {problem.n * N:,} activations (n = {problem.n} samples × {N:,} net points) "
            f"exceed the cap {MAX_NET_ACTIVATIONS:,} for ε = {net.epsilon:g}; use a larger "
            "--epsilon or fewer samples"
        )
    count = candidate_count(N, problem.sign_vectors())
    if count > MAX_NET_NETWORKS:
        raise BudgetExceeded(
            f"net: {count:.3g} candidate networks ({N:,} net points per unit, k = "
            f"{problem.units}) exceed the cap {MAX_NET_NETWORKS:.0e} for ε = {net.epsilon:g}; "
            "use a larger --epsilon or fewer units"
        )


def _network(problem: FitProblem, net: NetPlan, G: np.ndarray, out: SearchOutcome) -> ReluNetwork:
    """The winner lifted back, ``w_j = B Σ_t g_t e_t``, clipped exactly into the ball."""
    B = float(problem.weight_bound)
    units = []
    for a, i in zip(out.signs, out.points, strict=True):
        w = B * (net.basis.T @ G[i]) if net.m else np.zeros(problem.d)
        units.append(Unit(int(a), tuple(float(v) for v in w), 0.0))
    return clip_to_bound(problem, ReluNetwork(tuple(units)))


def _stats(problem: FitProblem, net: NetPlan, N: int, out: SearchOutcome) -> dict[str, Any]:
    total_weight = float(sum(problem.sample_weight))
    return {
        "guarantee": {
            "holds": out.limit is None,
            "deterministic": True,
            # the covering argument runs on a float64 eigenbasis: say so, since everything
            # else that exactfit calls proven is exact
            "proof": (
                "float64: rounding errors bounded and refused above a 1e-4 relative margin, "
                "assuming LAPACK's O(d·u) backward error for eigh; not exact"
            ),
            "epsilon": net.epsilon,
            "statement": "average loss <= min over the class + epsilon (docs/solvers/net.md)",
            "loss_excess_at_most": net.epsilon * total_weight,
        },
        "eta": net.eta,
        "dimensions": net.m,
        "alpha": net.alpha,
        "tail_eigenvalue": net.tail,
        "grid_boxes": net.box_count,
        "net_points": N,
        "networks": out.total,
        "evaluated": out.evaluated,
    }


def _message(problem: FitProblem, eps: float, out: SearchOutcome) -> str:
    if out.limit is not None:
        return (
            f"net: stopped ({out.limit.value}) after {out.evaluated:,} of {out.total:,} "
            "networks: the ε guarantee does not hold for this answer"
        )
    excess = eps * float(sum(problem.sample_weight))
    return (
        f"ε-net guarantee (not an optimality proof): average loss ≤ best in the class + {eps:g}, "
        f"i.e. loss ≤ opt + {excess:.6g}"
    )
