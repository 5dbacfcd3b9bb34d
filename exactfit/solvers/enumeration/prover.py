"""The certificate prover: an exact branch and bound over (unit, point) activities.

Given an incumbent network (the float search's winner) with exact loss ``U``, the prover builds
for each output sign a search tree of the format of :mod:`exactfit.certificate.format` whose
every node bound is at least ``L = U·(1 − GAP_RTOL)``.  Floats *propose* (node quadratics, cone
QP multipliers, which points to fix in batch); every bound the certificate contains is decided
in rationals by the checker's own walk (:class:`exactfit.certificate.check._Walk`) as the tree
is built, so a certificate the prover returns passes the checker by construction, whatever the
float rounding did (a failed proposal falls back to the exact cone QP of the node or to more
branching).  A closed
cell whose exact optimum is below ``L`` carries a better network: it becomes the incumbent
(``U`` and ``L`` drop, every earlier bound stays valid), so the prover also *corrects* a float
answer.  The tree is the proof; docs/certificate.md gives its construction and the bounds.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

import flint
import numpy as np

from exactfit.certificate.check import _frac, _integral, _q, _Reject, _Walk
from exactfit.certificate.format import (
    Apex,
    Certificate,
    Fix,
    Imply,
    Leaf,
    Node,
    Split,
    Tree,
    instance_digest,
)
from exactfit.errors import LimitReached
from exactfit.exact.cells import lifted_points
from exactfit.exact.coneqp import exact_cone_qp
from exactfit.network import network_from_params
from exactfit.problem import FitProblem, ReluNetwork, clip_to_bound, exact_loss
from exactfit.solvers.enumeration.arrangement import hyperplanes
from exactfit.solvers.enumeration.cellqp import ConeQP, balls_cone_qp, solve_cone_qp
from exactfit.solvers.enumeration.implied import _ImplyRules
from exactfit.solvers.enumeration.proposals import FloatNode

_N = TypeVar("_N", Leaf, Fix)


class _Budget(LimitReached):
    """The node or fixing budget ran out (as opposed to a deadline or a failed check);
    ``fixings``: it was the fixing budget."""

    def __init__(self, message: str, *, fixings: bool) -> None:
        super().__init__(message)
        self.fixings = fixings


#: The certificate proves ``opt ≥ U·(1 − GAP_RTOL)``: an OPTIMAL with proof "exact" is within
#: this relative distance of the true optimum.
GAP_RTOL = Fraction(1, 10**10)
#: Budget of one proof (over all output signs): nodes, and point fixings (each costs an exact
#: update of the node quadratic and its share of a float cone QP, ~20–60 µs); beyond either
#: the proof is abandoned (the answer keeps proof "tolerance").  Deterministic, so the same
#: instance always gets the same proof level.  60 000 nodes: a hopeless proof ends at the node
#: budget (1000 × 2, σ = 0.4: ~2 ms a node); the largest measured proof takes 47 953.
MAX_NODES = 60_000
MAX_FIXINGS = 400_000
#: Lagrangian batch fixes (centred by the cone QP multipliers of a node that did not close)
#: only while the fixings spent are below this share of MAX_FIXINGS, and only of at least
#: LAGRANGE_MIN_PAIRS pairs (docs/certificate.md, the prover, step 2b).
LAGRANGE_SHARE = 0.5
LAGRANGE_MIN_PAIRS = 2


@dataclass
class _Incumbent:
    """The best network so far, its exact loss ``upper``, the target ``lower`` every bound
    must reach, and ``least``, the least bound recorded so far."""

    network: ReluNetwork
    upper: Fraction
    lower: Fraction
    least: flint.fmpq | None = None
    #: a weaker bound to prove instead of ``U·(1 − GAP_RTOL)`` (``prove(target=...)``)
    target: Fraction | None = None

    @classmethod
    def of(
        cls,
        problem: FitProblem,
        network: ReluNetwork,
        upper: Fraction | None = None,
        target: Fraction | None = None,
    ) -> _Incumbent:
        upper = exact_loss(problem, network) if upper is None else upper
        lower = upper * (1 - GAP_RTOL)
        return cls(network, upper, lower if target is None else min(lower, target), None, target)


class _Prover(_ImplyRules):
    """Branch and bound for one output-sign vector ``a``, in lockstep with an exact walk."""

    def __init__(
        self,
        problem: FitProblem,
        a: tuple[int, ...],
        inc: _Incumbent,
        check: Callable[..., None] | None,
        counter: list[int],
        exact_z: list[tuple[Fraction, ...]],
        group: np.ndarray,
        use_lagrange: bool = True,
    ) -> None:
        self.problem, self.a, self.inc, self.check, self.counter = problem, a, inc, check, counter
        self.use_lagrange = use_lagrange
        self.walk = _Walk(problem, a)
        self.f = FloatNode(problem, a, group)
        self.k, self.D, self.K = self.f.k, self.f.D, self.f.K
        self.B2 = None if problem.weight_bound is None else float(problem.weight_bound) ** 2
        # the last norm multipliers met, one per unit (batch fixes and nodes reuse them)
        self.last_rho = (Fraction(0),) * self.k
        self.exact_z = exact_z  # the exact lifted points
        # the last cone QP's (multipliers, float h + ½Σμr, ρ) when it did not close its node
        self.lagrange: tuple | None = None
        self.den = [_integral(z)[1] for z in self.walk.z]  # walk.zi[i] = den[i]·z_i

    def _rhos(self, rho: tuple[Fraction, ...] | None) -> tuple[Fraction, ...] | None:
        return None if self.B2 is None else (rho if rho is not None else (Fraction(0),) * self.k)

    def _rho_float(self, rho: tuple[Fraction, ...]) -> np.ndarray:
        return np.array([float(r) for r in rho])

    def _set_many(self, j: int, pairs: Sequence[tuple[int, int]]) -> None:
        self.counter[1] += len(pairs)
        if self.counter[1] > MAX_FIXINGS:
            raise _Budget("certificate budget of point fixings exceeded", fixings=True)
        self.walk.fix_many(j, pairs)
        self.f.set_many(j, pairs)

    def _push(self) -> None:
        self.walk.push()

    def _pop(self, count: int) -> None:
        self.walk.pop()
        self.f.unset(count)

    # -- the search ------------------------------------------------------------------------
    def node(self) -> list[Node]:
        """The subtree of the current node (the walk and ``fixed`` are restored on return)."""
        self.counter[0] += 1
        if self.counter[0] > MAX_NODES:
            raise _Budget("certificate node budget exceeded", fixings=False)
        if self.check is not None and self.counter[0] % 64 == 0:
            self.check(self.counter[0])  # the nodes so far, for the live progress
        implied = self._implied()
        if implied is not None:
            return self._narrowed(implied, [(i, side) for i, side, _ in implied.entries])
        G, h, Y = self.f.quadratic()
        leaf = self._plain_leaf(G, h, Y)
        if leaf is not None:
            return [leaf]
        fixes = self._batch(G, h, Y)
        if fixes is not None:
            return self._narrowed(fixes, fixes.pairs)
        theta, leaf = self._cone(G, h, Y)
        self._offer(theta)
        if leaf is not None:
            return [leaf]
        apex = self._apex(theta)  # a unit at 0 in the cone QP may have only the apex
        if apex is not None:
            return self._narrowed(*apex)
        fixes = self._lagrange_batch(G, h, Y)
        if fixes is not None:
            return self._narrowed(fixes, fixes.pairs)
        if len(self.f.free_pairs()) == 0:
            return [self._closed_cell()]
        j, i, natural = self.f.branch(theta)
        one_side = self._split_implied(j, i, natural, theta)
        if one_side is not None:
            return self._narrowed(one_side, [(i, one_side.entries[0][1])])
        parts = {}
        for s in (natural, -natural):
            self._push()
            self._set_many(j, ((i, s),))
            try:
                parts[s] = self.node()
            finally:
                self._pop(1)
        return [Split(j, i), *parts[1], *parts[-1]]

    def _narrowed(self, node: Imply | Fix | Apex, pairs: Sequence[tuple[int, int]]) -> list[Node]:
        """``node`` followed by the subtree in which its ``(point, side)`` pairs are fixed."""
        self._push()
        self._set_many(node.unit, pairs)
        try:
            return [node, *self.node()]
        finally:
            self._pop(len(pairs))

    def _plain_leaf(self, G: np.ndarray, h: np.ndarray, Y: float) -> Leaf | None:
        """A leaf without multipliers when the node quadratic's unconstrained minimum
        already clears ``L`` (then batch fixes or a cone QP would only cost more)."""
        target = float(self.inc.lower)
        if target > Y or self.f.minimum(G, h, Y) < target + 1e-9 * (abs(target) + abs(Y)):
            return None
        leaf = Leaf((), self._rhos(None))  # with a norm bound: ρ = 0
        bound = self._leaf_bound(leaf)
        return None if bound is None or bound < _q(self.inc.lower) else self._keep(leaf, bound)

    def _batch(self, G: np.ndarray, h: np.ndarray, Y: float) -> Fix | None:
        """Pairs whose wrong side the node quadratic ``(G, h, Y)`` alone bounds above ``L``
        (float proposal, exact confirmation), or ``None``; with a norm bound at the last
        norm multipliers met (any ``ρ ≥ 0`` is valid; a nearby node's is a good one)."""
        rho = self._rho_float(self.last_rho) if self.B2 is not None else None
        found = self.f.batch(G, h, Y, rho, self.B2, float(self.inc.lower))
        if found is None:
            return None
        fix = Fix(found[0], found[1], self._rhos(self.last_rho))
        try:
            exact = self.walk.fix_bound(fix)
        except _Reject:
            return None
        return self._keep(fix, exact) if exact >= _q(self.inc.lower) else None

    def _lagrange_batch(self, G: np.ndarray, h: np.ndarray, Y: float) -> Fix | None:
        """A batch fix centred at the minimiser of the node's Lagrangian at the cone QP
        multipliers just met (``self.lagrange``), which bounds the wrong sides from the cone
        QP's value rather than the unconstrained minimum.  Used only while the fixings are
        within LAGRANGE_SHARE of the budget, so a tree it fails to shrink still has the
        budget of the plain rule (:meth:`_batch`)."""
        if (
            not self.use_lagrange
            or self.lagrange is None
            or self.counter[1] > MAX_FIXINGS * LAGRANGE_SHARE
        ):
            return None
        mults, g_float, rho = self.lagrange
        rho_f = self._rho_float(rho) if rho is not None else None
        found = self.f.batch(G, g_float, Y, rho_f, self.B2, float(self.inc.lower))
        if found is None or len(found[1]) < LAGRANGE_MIN_PAIRS:
            return None
        fix = Fix(found[0], found[1], rho, mults)
        try:
            exact = self.walk.fix_bound(fix)
        except _Reject:
            return None
        if exact < _q(self.inc.lower):
            return None
        self.counter[2] += 1
        return self._keep(fix, exact)

    def _cone(self, G: np.ndarray, h: np.ndarray, Y: float) -> tuple[np.ndarray, Leaf | None]:
        """The node's float cone QP minimiser ``θ`` and, when its bound is at least ``L`` in
        exact arithmetic, the leaf: rounded float multipliers first; the exact cone QP's when
        those fall short of ``L`` or (tight leaves) of ``U``."""
        A = self.f.rows()
        rho: tuple[Fraction, ...] | None = None
        self.lagrange = None
        try:
            qp = solve_cone_qp(G, h, A)
            low = Y + qp.value
            # the cone QP without the ball bounds the one with it (ρ = 0); the ball's dual is
            # worth its bisection only when that bound falls short and θ is outside the ball
            short = low < float(self.inc.lower)
            if self.B2 is not None and short and self.f.outside(qp.theta, self.B2):
                qp, low, rho = self._ball(G, h, A, Y)
            elif self.B2 is not None:
                rho = (Fraction(0),) * self.k
        except RuntimeError:  # the float active set did not converge: decide it exactly
            return np.zeros(self.K), self._exact_leaf(rho)
        target = float(self.inc.lower)
        mults = []
        g = h.copy()
        for r, mu in zip(qp.working, qp.multipliers, strict=True):
            if mu > 0:
                i = self.f.order[r][1]
                mults.append((int(r), Fraction(float(mu) / float(self.f.norms[i]))))
                g += (0.5 * float(mu)) * A[r]
        if low < target - 1e-9 * (abs(target) + abs(Y)):
            self.lagrange = (tuple(sorted(mults)), g, self._rhos(rho)) if mults else None
            return qp.theta, None
        leaf = Leaf(tuple(sorted(mults)), self._rhos(rho))
        bound = self._leaf_bound(leaf)
        if bound is not None and bound >= _q(self.inc.upper):
            return qp.theta, self._keep(leaf, bound)
        exact = self._exact_leaf(rho)
        if exact is not None or bound is None or bound < _q(self.inc.lower):
            return qp.theta, exact
        return qp.theta, self._keep(leaf, bound)

    def _ball(
        self, G: np.ndarray, h: np.ndarray, A: np.ndarray, Y: float
    ) -> tuple[ConeQP, float, tuple[Fraction, ...]]:
        """The node's Lagrangian bound with the norm balls: at the last multipliers met (one
        cone QP, enough for most nodes), else at the maximised ones (:func:`balls_cone_qp`)."""
        rho, B2 = self.last_rho, float(self.B2)
        if any(rho):
            r = self._rho_float(rho)
            qp = solve_cone_qp(G + self.f.weighted(r), h, A)
            low = Y + qp.value - float(r.sum()) * B2
            if low >= float(self.inc.lower):
                return qp, low, rho
        qp, lowv, nu = balls_cone_qp(G, h, A, self.f.Es, B2, float(self.inc.lower) - Y)
        self.last_rho = self._rational_rho(nu)
        return qp, Y + lowv, self.last_rho

    @staticmethod
    def _rational_rho(nu: np.ndarray) -> tuple[Fraction, ...]:
        return tuple(Fraction(max(float(v), 0.0)) for v in nu)

    def _keep(self, node: _N, bound: flint.fmpq) -> _N:
        """Record ``bound`` (the certificate's lower bound is the least of them)."""
        least = self.inc.least
        self.inc.least = bound if least is None or bound < least else least
        return node

    def _leaf_bound(self, leaf: Leaf) -> flint.fmpq | None:
        try:
            return self.walk.leaf_bound(leaf)
        except _Reject:
            return None

    def _exact_leaf(self, rho: tuple[Fraction, ...] | None = None) -> Leaf | None:
        """The leaf of the node's exact cone QP, if it reaches ``L``; with a norm bound the
        Lagrangian one at the rational norm multipliers ``rho`` (any ``ρ ≥ 0`` gives a valid
        bound, the float one a near-optimal one)."""
        leaf, _ = self._exact_dual(rho)
        bound = None if leaf is None else self._leaf_bound(leaf)
        if bound is None or bound < _q(self.inc.lower):
            return None
        return self._keep(leaf, bound)

    def _exact_dual(
        self, rho: tuple[Fraction, ...] | None
    ) -> tuple[Leaf | None, list[Fraction] | None]:
        """``(leaf, θ)`` of the exact cone QP of ``θᵀ(G + Σ_j ρ_jE_j)θ − 2hᵀθ`` on the node's
        cone."""
        walk, K = self.walk, self.K
        G = [[_frac(walk.G[r, s]) for s in range(K)] for r in range(K)]
        h = [_frac(walk.h[r, 0]) for r in range(K)]
        rows = [[_frac(v) for v in walk.row(r)] for r in range(len(walk.rows))]
        if self.B2 is not None:
            rho = self._rhos(rho)
            for j, E in enumerate(self.f.Es):
                for r in np.flatnonzero(np.diag(E)):
                    G[r][r] += rho[j]
        sol = exact_cone_qp(G, h, rows, check=self.check)
        if not sol.certified:
            return None, None
        mults = tuple(
            sorted((int(r), m) for r, m in zip(sol.working, sol.multipliers, strict=True) if m > 0)
        )
        return Leaf(mults, self._rhos(rho)), list(sol.theta)

    def _closed_cell(self) -> Leaf:
        """Every pair is fixed: the node is a closed cell and its exact optimum is below ``L``
        only if it holds a better network, which then becomes the incumbent.  With a norm
        bound the cell's exact dual at the float multiplier gives the leaf, and its primal
        point, shrunk into the balls, the candidate network."""
        rho = None
        if self.B2 is not None:
            G, h, _ = self.f.quadratic()
            rho = self._rational_rho(balls_cone_qp(G, h, self.f.rows(), self.f.Es, self.B2)[2])
        leaf, theta = self._exact_dual(rho)
        if theta is not None:
            self._offer(np.array([float(v) for v in theta]), theta)
        bound = None if leaf is None else self._leaf_bound(leaf)
        if leaf is not None and bound is not None and bound >= _q(self.inc.lower):
            return self._keep(leaf, bound)
        raise LimitReached("a closed cell could not be bounded exactly")

    def _offer(self, theta: np.ndarray, exact_theta: list[Fraction] | None = None) -> None:
        """Make ``Σ_j a_j σ(θ_j·z)`` the incumbent when its exact loss is below ``U``."""
        if not np.all(np.isfinite(theta)):
            return
        if self.f.loss(theta) >= float(self.inc.upper) * (1 - 1e-12) and exact_theta is None:
            return
        th = exact_theta if exact_theta is not None else theta
        D = self.D
        net = network_from_params(
            self.problem, self.a, [th[j * D : (j + 1) * D] for j in range(self.k)]
        )
        cand = _Incumbent.of(self.problem, net, target=self.inc.target)
        if cand.upper < self.inc.upper:
            self.inc.network, self.inc.upper, self.inc.lower = cand.network, cand.upper, cand.lower


def prove(
    problem: FitProblem,
    network: ReluNetwork,
    *,
    check: Callable[..., None] | None = None,
    upper: Fraction | None = None,
    target: Fraction | None = None,
) -> Certificate:
    """A checked certificate for ``problem`` whose network is ``network`` or a better one.

    Any number of units.  Raises :class:`LimitReached` when the node budget or ``check`` stops
    the proof; everything returned has passed the exact walk of the checker.  ``upper`` is
    the exact loss of ``network`` when the caller already has it (it is not re-checked, so
    pass only :func:`exactfit.problem.exact_loss` of the network as clipped).  ``target``
    asks for the weaker claim ``opt ≥ min(target, U·(1 − GAP_RTOL))`` (a decision needs only a
    bound that separates; every node may stop as soon as its bound reaches it)."""
    clipped = clip_to_bound(problem, network)
    inc = _Incumbent.of(problem, clipped, upper if clipped is network else None, target)
    exact_z = lifted_points(problem)
    group = hyperplanes(exact_z).group
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 4 * problem.n * problem.units + 1000))
    try:
        # with Lagrangian fixes first; when they leave the budget short, once more without
        # them and with a fresh budget, so every proof the plain rule finishes is still found
        for use_lagrange in (True, False):
            counter = [0, 0, 0, 0, 0]  # nodes, fixings, Lagrangian fixes, apex, split implies
            inc.least = None
            try:
                # Bounds checked against an earlier (higher) L stay above every later one, so
                # a better network found mid-proof never invalidates what was built before it.
                trees = [
                    Tree(
                        a,
                        tuple(
                            _Prover(
                                problem, a, inc, check, counter, exact_z, group, use_lagrange
                            ).node()
                        ),
                    )
                    for a in problem.sign_vectors()
                ]
                break
            except _Budget as exc:
                # without a Lagrangian fix the plain rule would rebuild this very tree; and the
                # retry exists for Lagrangian fixes that spend the *fixing* budget: a tree that
                # ran out of nodes is no smaller under the plain rule (which splits more), and
                # a second failed attempt doubled the cost of every failed proof
                if not use_lagrange or counter[2] == 0 or not exc.fixings:
                    raise
    except RecursionError:  # a prover bug, not a reason for a traceback: keep the float proof
        raise LimitReached("certificate tree deeper than the recursion limit") from None
    finally:
        sys.setrecursionlimit(old)
    # every bound was checked against the target then in force (≥ the final one); the claim
    # is the least of them, which reaches the final loss when every tight leaf is exact
    lower = inc.lower if inc.least is None else min(_frac(inc.least), inc.upper)
    return Certificate(instance_digest(problem), inc.network, inc.upper, lower, tuple(trees))
