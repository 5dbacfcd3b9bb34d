"""The independent certificate checker: exact rational arithmetic, no solver code.

:func:`check_certificate` accepts a :class:`~exactfit.certificate.format.Certificate` for a
problem only if (1) it was made for this instance (digest), (2) its network is in the class
and has exact loss ``upper``, (3) there is one tree per output-sign vector of the class, each
a complete preorder tree, and (4) every bound it implies, recomputed here from the data, is at
least ``lower``.  Then every network of the class has loss ``≥ lower`` (docs/certificate.md,
"Why a checked certificate is a proof").

The state along the walk is one quadratic ``q(θ) = θᵀGθ − 2hᵀθ + Y`` over the stacked unit
parameters ``θ = (θ_1, …, θ_k)``: a point with every unit's activity fixed contributes its exact
cost ``c(φ·θ − y)²`` (``φ`` stacks ``a_j z`` for its active units), any other point the constant
``c y²`` when no unit that may be active can move its prediction towards ``y``, else 0; both
are lower bounds of the point's loss on the node's region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint

from exactfit.certificate._algebra import _integral, _quadratic_min_term, _Reject
from exactfit.certificate.format import (
    Apex,
    Certificate,
    Fix,
    Imply,
    Leaf,
    Split,
    Tree,
    instance_digest,
)
from exactfit.problem import FitProblem, exact_loss, network_violations

__all__ = ["CertificateVerdict", "check_certificate"]


@dataclass(frozen=True)
class CertificateVerdict:
    """Outcome of a check: ``ok`` and, when not, the first ``reason`` found; the least bound
    the trees prove (``bound``), the network's exact loss, and the sizes walked."""

    ok: bool
    reason: str
    upper: Fraction | None = None
    bound: Fraction | None = None
    nodes: int = 0
    leaves: int = 0


def _q(v: Fraction) -> flint.fmpq:
    return flint.fmpq(v.numerator, v.denominator)


def _frac(v: flint.fmpq) -> Fraction:
    return Fraction(int(v.p), int(v.q))


class _Walk:
    """The quadratic and fixed activities of the current node, with undo."""

    def __init__(self, problem: FitProblem, signs: tuple[int, ...]) -> None:
        self.k, self.d = len(signs), problem.d
        self.D = problem.d + (1 if problem.bias else 0)
        self.signs = signs
        self.z = [[_q(v) for v in x] + ([flint.fmpq(1)] if problem.bias else []) for x in problem.X]
        self.zero = [all(v == 0 for v in z) for z in self.z]
        # integer multiples den_i·z_i of the points (for the fix bounds' ratios)
        self.zi = [_integral(z)[0] for z in self.z]
        self.c = [_q(v) for v in problem.sample_weight]
        self.y = [_q(v) for v in problem.y]
        B = problem.weight_bound
        self.B2 = None if B is None else _q(B * B)
        n, K = len(self.z), self.k * self.D
        self.status = [[0] * self.k for _ in range(n)]
        self.rows: list[tuple[int, int, int]] = []
        self.G = flint.fmpq_mat(K, K)
        self.h = flint.fmpq_mat(K, 1)
        self.Y = flint.fmpq(0)
        self.part: list[tuple[tuple[flint.fmpq, ...] | None, flint.fmpq]] = []
        for i in range(n):
            self.part.append(self._contribution(i))
            self._add(i, self.part[i], 1)
        # per open node: the pairs it fixed (with their old contributions) and its quadratic
        self.undo: list[
            tuple[list[tuple[int, int, tuple]], flint.fmpq_mat, flint.fmpq_mat, flint.fmpq]
        ] = []

    def _contribution(self, i: int) -> tuple[tuple[flint.fmpq, ...] | None, flint.fmpq]:
        """``(φ, 0)`` for an exact quadratic cost, ``(None, constant)`` for a relaxed one."""
        cy2 = self.c[i] * self.y[i] * self.y[i]
        st = self.status[i]
        if self.zero[i]:  # z = 0: the unit's input is 0 for every θ, so the cost is c·y²
            return None, cy2
        if all(st):
            if all(v < 0 for v in st):  # φ = 0: the constant cost c·y²
                return None, cy2
            phi: list[flint.fmpq] = []
            for j in range(self.k):
                s = self.signs[j] if st[j] > 0 else 0
                phi.extend(s * v for v in self.z[i])
            return tuple(phi), flint.fmpq(0)
        y = self.y[i]
        away = all(self.signs[j] * y <= 0 for j in range(self.k) if st[j] >= 0)
        return None, cy2 if away else flint.fmpq(0)

    def _add(self, i: int, part: tuple, sign: int) -> None:
        phi, const = part
        if phi is None:
            self.Y += sign * const
            return
        col = flint.fmpq_mat(len(phi), 1, list(phi))
        w = sign * self.c[i]
        self.G += (col * col.transpose()) * w
        self.h += col * (w * self.y[i])
        self.Y += w * self.y[i] * self.y[i]

    def fix(self, j: int, i: int, s: int) -> None:
        self.fix_many(j, ((i, s),))

    def fix_many(self, j: int, pairs: Sequence[tuple[int, int]]) -> None:
        """Fix unit ``j`` on every ``(point, side)``.  The points that become exact enter
        ``G, h`` through one product ``Φᵀ diag(c) Φ`` (the rows of ``Φ`` their ``φ``), which is
        the sum of their rank-one terms; every other contribution is a constant of ``Y``."""
        phis: list[flint.fmpq] = []
        weights: list[flint.fmpq] = []
        labels: list[flint.fmpq] = []
        for i, s in pairs:
            if not (0 <= j < self.k and 0 <= i < len(self.z)):
                raise _Reject(f"unit {j} / point {i} out of range")
            if s not in (1, -1) or type(s) is not int:
                # a side is a sign: any other factor would scale the Lemma-3 bound by s²
                raise _Reject(f"the side of point {i} for unit {j} is {s!r}, not +1 or -1")
            if self.status[i][j] != 0:
                raise _Reject(f"point {i} is already fixed for unit {j}")
            old = self.part[i]
            self._add(i, old, -1)
            self.status[i][j] = s
            new = self._contribution(i)
            self.part[i] = new
            self.rows.append((j, i, s))
            self.undo[-1][0].append((j, i, old))
            if new[0] is None:
                self.Y += new[1]
            else:
                phis.extend(new[0])
                weights.append(self.c[i])
                labels.append(self.y[i])
                self.Y += self.c[i] * self.y[i] * self.y[i]
        if weights:
            K, m = self.k * self.D, len(weights)
            # the i-th row of W is c_i·φ_i, so ΦᵀW = Σ c_i φ_i φ_iᵀ and Wᵀy = Σ c_i y_i φ_i
            Phi = flint.fmpq_mat(m, K, phis)
            W = flint.fmpq_mat(
                m, K, [weights[r] * phis[r * K + a] for r in range(m) for a in range(K)]
            )
            self.G += Phi.transpose() * W
            self.h += W.transpose() * flint.fmpq_mat(m, 1, labels)

    def push(self) -> None:
        # the node's quadratic is restored from this copy when the node is left
        self.undo.append(([], flint.fmpq_mat(self.G), flint.fmpq_mat(self.h), self.Y))

    def pop(self) -> None:
        entries, self.G, self.h, self.Y = self.undo.pop()
        for j, i, old in reversed(entries):
            self.status[i][j] = 0
            self.part[i] = old
            self.rows.pop()

    def row(self, r: int) -> list[flint.fmpq]:
        j, i, s = self.rows[r]
        vec = [flint.fmpq(0)] * (self.k * self.D)
        for a, v in enumerate(self.z[i]):
            vec[j * self.D + a] = s * v
        return vec

    def _with_rho(self, rho: tuple | None) -> tuple[flint.fmpq_mat, flint.fmpq]:
        """``(G + diag(ρ_j on the w-coordinates of block j), −Σ ρ_j B²)``."""
        if (rho is None) != (self.B2 is None) or (rho is not None and len(rho) != self.k):
            raise _Reject("norm multipliers do not match the class (one per unit iff bound)")
        if rho is None:
            return self.G, flint.fmpq(0)
        M = flint.fmpq_mat(self.G)
        offset = flint.fmpq(0)
        for j, r in enumerate(rho):
            if r < 0:
                raise _Reject(f"norm multiplier of unit {j} is negative")
            for a in range(self.d):
                M[j * self.D + a, j * self.D + a] += _q(r)
            offset -= _q(r) * self.B2
        return M, offset

    def leaf_bound(self, leaf: Leaf) -> flint.fmpq:
        """``min_θ q(θ) − Σ μ_r r·θ + Σ ρ_j(‖w_j‖² − B²)`` (≤ the loss on the region)."""
        M, offset = self._with_rho(leaf.rho)
        return self.Y + offset - _quadratic_min_term(M, self._lagrange_h(leaf.multipliers))

    def _lagrange_h(self, multipliers: Sequence[tuple[int, Fraction]]) -> list[flint.fmpq]:
        """``g = h + ½ Σ_r μ_r r`` (distinct rows of the node, ``μ ≥ 0``)."""
        K = self.k * self.D
        g = [self.h[a, 0] for a in range(K)]
        seen = set()
        for r, mu in multipliers:
            if not 0 <= r < len(self.rows) or r in seen:
                raise _Reject(f"multiplier row {r} is not a distinct row of the node")
            if mu < 0:
                raise _Reject(f"multiplier of row {r} is negative")
            seen.add(r)
            half = _q(mu) / 2
            for a, v in enumerate(self.row(r)):
                g[a] += half * v
        return g

    def implied(self, node: Imply) -> None:
        """Check every entry's Farkas combination ``side·z = Σ ν_r row_r`` (``ν ≥ 0``, rows
        of the node before this one) in exact arithmetic; rejects on the first failure."""
        K, j, nrows = self.k * self.D, node.unit, len(self.rows)
        if not 0 <= j < self.k:
            raise _Reject(f"imply for unit {j}: no such unit")
        for i, s, comb in node.entries:
            if not 0 <= i < len(self.z):
                raise _Reject(f"imply of point {i}: no such point")
            total = [flint.fmpq(0)] * K
            for r, nu in comb:
                if not 0 <= r < nrows or nu < 0:
                    raise _Reject(f"imply of point {i}: row {r} or its weight is invalid")
                for a, v in enumerate(self.row(r)):
                    total[a] += _q(nu) * v
            want = [flint.fmpq(0)] * K
            for a, v in enumerate(self.z[i]):
                want[j * self.D + a] = s * v
            if total != want:
                raise _Reject(f"imply of point {i}: the combination is not side·z")

    def apex(self, node: Apex) -> list[tuple[int, int]]:
        """Check ``Σ μ_r row_r = 0`` (``μ_r > 0``, distinct rows of the unit, spanning
        ``R^D``): then ``θ_unit = 0`` on the node (docs/certificate.md, Lemma 5).  Returns the
        pairs the subtree fixes: every nonzero point free for the unit, inactive."""
        j, D = node.unit, self.D
        if not 0 <= j < self.k:
            raise _Reject(f"apex for unit {j}: no such unit")
        total = [flint.fmpq(0)] * D
        listed: list[flint.fmpq] = []
        seen = set()
        for r, mu in node.multipliers:
            if not 0 <= r < len(self.rows) or r in seen or self.rows[r][0] != j:
                raise _Reject(f"apex row {r} is not a distinct row of unit {j}")
            if mu <= 0:
                raise _Reject(f"apex multiplier of row {r} is not positive")
            seen.add(r)
            _, i, s = self.rows[r]
            w = _q(mu) * s
            for a, v in enumerate(self.z[i]):
                total[a] += w * v
            listed.extend(self.z[i])
        if any(v != 0 for v in total):
            raise _Reject("apex multipliers do not combine the rows to 0")
        if not listed or flint.fmpq_mat(len(seen), D, listed).rank() < D:
            raise _Reject(f"apex rows do not span the parameters of unit {j}")
        return [(i, -1) for i in range(len(self.z)) if not self.zero[i] and self.status[i][j] == 0]

    def fix_bound(self, fix: Fix) -> flint.fmpq:
        """Least bound over the listed points of ``min q̃ + γ_i`` on ``{s·z_i·θ_j ≤ 0}``, where
        ``q̃ = q − Σ μ_r r·θ + Σ ρ_j(‖w_j‖² − B²) ≤ q`` on the node and the ball, with Hessian
        ``M`` (must be nonsingular) and minimiser ``θ_c = M⁻¹g``, ``g = h + ½Σ μ_r r``:
        ``q̃(θ_c) + γ_i + (s·z_i·θ_c)⁺² / (z_iᵀ(M⁻¹)_{jj} z_i)``, ``γ_i`` the wrong-side gain
        (docs/certificate.md, Lemma 3)."""
        j = fix.unit
        M, offset = self._with_rho(fix.rho)
        try:
            Minv = M.inv()
        except ZeroDivisionError:
            raise _Reject("a fix node needs a nonsingular quadratic") from None
        g = self.h
        if fix.multipliers:
            g = flint.fmpq_mat(self.k * self.D, 1, self._lagrange_h(fix.multipliers))
        tc = Minv * g
        qc = self.Y + offset - (g.transpose() * tc)[0, 0]
        for i, side in fix.pairs:
            if not (0 <= j < self.k and 0 <= i < len(self.z)) or self.zero[i]:
                raise _Reject(f"fix of point {i} for unit {j}: no such nonzero point")
            if side not in (1, -1) or type(side) is not int:
                raise _Reject(f"fix of point {i}: side {side!r} is not +1 or -1")
        if not fix.pairs:
            return qc
        gains = [self._wrong_side_gain(j, i, s) for i, s in fix.pairs]
        # t_i = s·z_i·θ_c and w_i = z_iᵀ(M⁻¹)_{jj}z_i for all listed points, in integers:
        # t²/w does not change when z_i is scaled, so the integer rows ẑ_i = den_i·z_i serve,
        # and with θ̂ = dθ·θ_c, B̂ = dB·(M⁻¹)_{jj} integral, t²/w = T²·dB / (W·dθ²) for
        # T = ẑ·θ̂ and W = ẑᵀB̂ẑ; the least ratio is found by integer cross-multiplication
        D, off = self.D, j * self.D
        theta, dt = _integral([tc[off + a, 0] for a in range(D)])
        block, db = _integral([Minv[off + a, off + b] for a in range(D) for b in range(D)])
        Zi = flint.fmpz_mat(len(fix.pairs), D, [v for i, _ in fix.pairs for v in self.zi[i]])
        T = [int(v) for v in (Zi * flint.fmpz_mat(D, 1, theta)).entries()]
        ZB = [int(v) for v in (Zi * flint.fmpz_mat(D, D, block)).entries()]
        best: tuple[int, int] | None = None  # (T², W) of the least ratio without a gain
        least_gained: flint.fmpq | None = None  # the least bound of the pairs with a gain
        for r, (i, s) in enumerate(fix.pairs):
            w = sum(ZB[r * D + a] * self.zi[i][a] for a in range(D))
            if w <= 0:
                raise _Reject("a fix node's quadratic is not positive definite")
            t = max(s * T[r], 0)
            if gains[r] != 0:
                b = gains[r] + flint.fmpq(t * t * db, w * dt * dt)
                least_gained = b if least_gained is None or b < least_gained else least_gained
            elif t == 0:
                return qc  # this point's bound is q̃(θ_c) itself, the least possible
            elif best is None or t * t * best[1] < best[0] * w:
                best = (t * t, w)
        out = least_gained
        if best is not None:
            plain = flint.fmpq(best[0] * db, best[1] * dt * dt)
            out = plain if out is None or plain < out else out
        return qc + out

    def _wrong_side_gain(self, j: int, i: int, s: int) -> flint.fmpq:
        """What point ``i``'s contribution to ``q`` gains on the wrong side ``−s`` of unit
        ``j`` when it is a constant there (docs/certificate.md, Lemma 3), else 0."""
        if self.status[i][j] != 0:
            raise _Reject(f"fix of point {i}: it is already fixed for unit {j}")
        self.status[i][j] = -s
        try:
            phi, const = self._contribution(i)
        finally:
            self.status[i][j] = 0
        if phi is not None:
            if any(v != 0 for v in phi):
                return flint.fmpq(0)  # a quadratic there: no constant gain
            const = self.c[i] * self.y[i] * self.y[i]  # every unit inactive: the cost c·y²
        return const - self.part[i][1]


def _walk_tree(walk: _Walk, tree: Tree, lower: Fraction) -> tuple[flint.fmpq, int]:
    """Walk one preorder tree; ``(least bound, leaves)``.  Rejects on any failed check."""
    lo = _q(lower)
    least: flint.fmpq | None = None
    leaves = 0
    stack: list[list] = []  # frames: [Split, child] or [Fix]
    nodes = tree.nodes
    pos = 0
    while True:
        if pos >= len(nodes):
            raise _Reject("the tree ends before every branch has a leaf")
        node = nodes[pos]
        pos += 1
        if isinstance(node, Split):
            walk.push()
            walk.fix(node.unit, node.point, 1)
            stack.append([node, 0])
            continue
        if isinstance(node, Imply | Apex):
            if isinstance(node, Imply):
                walk.implied(node)
                pairs = [(i, s) for i, s, _ in node.entries]
            else:
                pairs = walk.apex(node)
            walk.push()
            walk.fix_many(node.unit, pairs)
            stack.append([node])
            continue
        if isinstance(node, Fix):
            bound = walk.fix_bound(node)
        else:
            bound = walk.leaf_bound(node)
            leaves += 1
        if bound < lo:
            raise _Reject(
                f"node {pos - 1}: bound {float(_frac(bound)):.17g} is below the claimed "
                f"lower bound {float(lower):.17g}"
            )
        least = bound if least is None or bound < least else least
        if isinstance(node, Fix):
            walk.push()
            walk.fix_many(node.unit, node.pairs)
            stack.append([node])
            continue
        while stack:  # a leaf closes branches: undo until a split has its second child
            frame = stack[-1]
            walk.pop()
            if isinstance(frame[0], Split) and frame[1] == 0:
                frame[1] = 1
                walk.push()
                walk.fix(frame[0].unit, frame[0].point, -1)
                break
            stack.pop()
        if not stack:
            if pos != len(nodes):
                raise _Reject(f"{len(nodes) - pos} nodes after the tree is complete")
            return least, leaves


def check_certificate(problem: FitProblem, cert: Certificate) -> CertificateVerdict:
    """Check ``cert`` against ``problem`` in exact arithmetic (see the module docstring)."""
    if cert.digest != instance_digest(problem):
        return CertificateVerdict(False, "the certificate was made for a different instance")
    bad = network_violations(problem, cert.network)
    if bad:
        return CertificateVerdict(False, f"the certificate's network is not in the class: {bad[0]}")
    upper = exact_loss(problem, cert.network)
    if upper != cert.upper:
        return CertificateVerdict(False, "the network's exact loss differs from the claimed upper")
    if cert.lower > cert.upper:
        return CertificateVerdict(False, "the claimed lower bound exceeds the network's loss")
    want = sorted(problem.sign_vectors())
    if sorted(t.signs for t in cert.trees) != want:
        return CertificateVerdict(False, f"expected one tree per output-sign vector {want}")
    least: flint.fmpq | None = None
    nodes = leaves = 0
    for tree in cert.trees:
        try:
            low, count = _walk_tree(_Walk(problem, tree.signs), tree, cert.lower)
        except _Reject as exc:
            return CertificateVerdict(False, f"tree {list(tree.signs)}: {exc}", upper)
        least = low if least is None or low < least else least
        nodes += len(tree.nodes)
        leaves += count
    bound = _frac(least) if least is not None else None
    return CertificateVerdict(True, "", upper, bound, nodes, leaves)
