"""The certificate format ``exactfit-certificate`` (versions 1 and 2): data types, JSON, digest.

A certificate proves ``opt ≥ lower`` for one instance by a *search tree* per output-sign vector:
every node is a polyhedral region of parameter space (the networks whose units have fixed
activities on some points), and the tree's leaves cover it.  Nodes are written in preorder:

* :class:`Split` ``(unit, point)`` — two children follow: the point active for the unit
  (``z·θ_unit ≥ 0``), then inactive (``z·θ_unit ≤ 0``);
* :class:`Fix` ``(unit, ((point, side), …), rho)`` — every listed point is fixed to ``side`` for
  the rest of the subtree; the networks with a listed point on the other side are bounded by
  the node's quadratic (the checker computes the bound; ``rho`` adds the norm constraints);
  one child follows;
* :class:`Imply` ``(unit, ((point, side, combination), …))`` — every listed point's activity
  is implied by the node's rows (a nonnegative combination of them equals ``side·z``); one
  child follows;
* :class:`Apex` ``(unit, multipliers)`` — positive multipliers on rows of ``unit`` that span
  ``R^D`` and sum to 0: the unit's parameters are 0 on the node, so every point still free for
  it is inactive; one child follows (version 2; a certificate without apex nodes is written as
  version 1, which it is);
* :class:`Leaf` ``(multipliers, rho)`` — a Lagrangian lower bound on the leaf region.

Every number is an exact rational (written ``"p/q"``).  The format is defined, with the proof
of why a checked certificate is a proof, in ``docs/certificate.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactfit.errors import InvalidCertificate
from exactfit.io import atomic_write, read_text
from exactfit.numbers import to_fraction
from exactfit.problem import FitProblem, ReluNetwork, Unit

FORMAT = "exactfit-certificate"
#: The version written for a certificate that has an apex node; one without any is version 1
#: (the format before apex nodes, unchanged), so older readers still read it.
VERSION = 2
VERSIONS = (1, 2)


@dataclass(frozen=True)
class Split:
    """Branch on the activity of ``point`` for ``unit``: active child first."""

    unit: int
    point: int

    def __post_init__(self) -> None:
        _check_index(self.unit, "split unit")
        _check_index(self.point, "split point")


@dataclass(frozen=True)
class Fix:
    """Fix each ``(point, side)`` (side +1 active, −1 inactive) for ``unit``; ``rho`` (one
    ``ρ_j ≥ 0`` per unit, only with a weight bound) adds the norm constraints to the bound."""

    unit: int
    pairs: tuple[tuple[int, int], ...]
    rho: tuple[Fraction, ...] | None = None
    #: ``(row, μ ≥ 0)`` on the node's rows, as in a leaf: the bound's centre is then the
    #: minimiser of the Lagrangian (empty: of the node quadratic itself)
    multipliers: tuple[tuple[int, Fraction], ...] = ()

    def __post_init__(self) -> None:
        _check_index(self.unit, "fix unit")
        for i, side in self.pairs:
            _check_index(i, "fix point")
            _check_side(side)


@dataclass(frozen=True)
class Imply:
    """Fix each ``(point, side, combination)`` for ``unit`` because the node's rows imply it:
    ``side·z_point = Σ ν_r·row_r`` with ``ν_r ≥ 0`` (a Farkas combination of the rows fixed
    before this node), so every network of the node already has that activity."""

    unit: int
    entries: tuple[tuple[int, int, tuple[tuple[int, Fraction], ...]], ...]

    def __post_init__(self) -> None:
        _check_index(self.unit, "imply unit")
        for i, side, _ in self.entries:
            _check_index(i, "imply point")
            _check_side(side)


@dataclass(frozen=True)
class Apex:
    """``Σ μ_r·row_r = 0`` with every ``μ_r > 0`` on rows of ``unit`` that span ``R^D``: on the
    node ``θ_unit = 0``, so every point still free for ``unit`` is fixed inactive (the checker
    lists them: every nonzero point not fixed for the unit)."""

    unit: int
    multipliers: tuple[tuple[int, Fraction], ...]

    def __post_init__(self) -> None:
        _check_index(self.unit, "apex unit")


@dataclass(frozen=True)
class Leaf:
    """Lagrangian bound: ``multipliers`` ``(row, μ ≥ 0)`` on the node's fixed-activity rows
    (numbered in the order they were fixed along the path), ``rho`` (one ``ρ_j ≥ 0`` per unit,
    only with a weight bound) on the norm constraints."""

    multipliers: tuple[tuple[int, Fraction], ...]
    rho: tuple[Fraction, ...] | None = None


Node = Split | Fix | Imply | Apex | Leaf


def _check_index(v: object, what: str) -> None:
    if type(v) is not int or v < 0:
        raise InvalidCertificate(f"certificate {what}: expected an index ≥ 0, found {v!r}")


def _check_side(v: object) -> None:
    if type(v) is not int or v not in (1, -1):
        raise InvalidCertificate(f"certificate side: expected +1 or -1, found {v!r}")


@dataclass(frozen=True)
class Tree:
    """The search tree of one output-sign vector, nodes in preorder."""

    signs: tuple[int, ...]
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Certificate:
    """A claimed proof that ``upper ≥ opt ≥ lower`` for the instance with digest ``digest``:
    ``network`` has exact loss ``upper`` and every leaf of ``trees`` bounds its region below
    by at least ``lower``."""

    digest: str
    network: ReluNetwork
    upper: Fraction
    lower: Fraction
    trees: tuple[Tree, ...]

    def size(self) -> int:
        return sum(len(t.nodes) for t in self.trees)


def instance_digest(problem: FitProblem) -> str:
    """SHA-256 of the exact instance (data, weights and class) in a canonical text form."""

    def q(v: Fraction) -> str:
        return f"{v.numerator}/{v.denominator}"

    data = {
        "X": [[q(v) for v in row] for row in problem.X],
        "y": [q(v) for v in problem.y],
        "c": [q(v) for v in problem.sample_weight],
        "units": problem.units,
        "bias": problem.bias,
        "signs": [list(s) for s in problem.sign_vectors()],
        "bound": None if problem.weight_bound is None else q(problem.weight_bound),
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _q(v: Fraction) -> str:
    return f"{v.numerator}/{v.denominator}"


def _node_json(node: Node) -> list[Any]:
    if isinstance(node, Split):
        return ["split", node.unit, node.point]
    if isinstance(node, Apex):
        return ["apex", node.unit, [[r, _q(v)] for r, v in node.multipliers]]
    if isinstance(node, Imply):  # (an Imply has no norm multipliers)
        entries = [[i, s, [[r, _q(v)] for r, v in comb]] for i, s, comb in node.entries]
        return ["imply", node.unit, entries]
    rho = None if node.rho is None else [_q(v) for v in node.rho]
    if isinstance(node, Fix):
        out = ["fix", node.unit, [list(p) for p in node.pairs], rho]
        # the multipliers are written only when there are any (a 4-entry fix has none)
        return [*out, [[r, _q(v)] for r, v in node.multipliers]] if node.multipliers else out
    return ["leaf", [[r, _q(v)] for r, v in node.multipliers], rho]


def certificate_to_dict(cert: Certificate) -> dict[str, Any]:
    apex = any(isinstance(n, Apex) for t in cert.trees for n in t.nodes)
    return {
        "format": FORMAT,
        "version": VERSION if apex else 1,
        "instance_sha256": cert.digest,
        "network": [
            {"a": u.a, "w": [_q(Fraction(v)) for v in u.w], "b": _q(Fraction(u.b))}
            for u in cert.network.units
        ],
        "upper": _q(cert.upper),
        "lower": _q(cert.lower),
        "trees": [
            {"signs": list(t.signs), "nodes": [_node_json(n) for n in t.nodes]} for t in cert.trees
        ],
    }


def write_certificate(cert: Certificate, path: str | os.PathLike[str]) -> None:
    """Write ``cert`` as JSON, atomically (no partial file on failure)."""
    with atomic_write(path) as fh:
        json.dump(certificate_to_dict(cert), fh, separators=(",", ":"))
        fh.write("\n")


def _bad(where: str, expected: str, found: Any) -> InvalidCertificate:
    text = repr(found)
    if len(text) > 60:
        text = text[:57] + "..."
    return InvalidCertificate(f"certificate {where}: expected {expected}, found {text}")


def _int(v: Any, where: str) -> int:
    if type(v) is not int:
        raise _bad(where, "an integer", v)
    return v


def _num(v: Any, where: str) -> Fraction:
    if not isinstance(v, str | int):
        raise _bad(where, 'an exact rational "p/q"', v)
    try:
        return to_fraction(v, where)
    except ValueError as exc:
        raise _bad(where, 'an exact rational "p/q"', v) from exc


def _list(v: Any, where: str) -> list[Any]:
    if not isinstance(v, list):
        raise _bad(where, "a list", v)
    return v


def _side(v: Any, where: str) -> int:
    if type(v) is not int or v not in (1, -1):
        raise _bad(where, "a side +1 or -1", v)
    return v


def _weights(raw: Any, where: str) -> tuple[tuple[int, Fraction], ...]:
    """``[[row, "p/q"], …]``: multipliers of a leaf, combination weights of an implication."""
    out = []
    for p in _list(raw, where):
        p = _list(p, where)
        if len(p) != 2:
            raise _bad(where, "[row, rational] pairs", p)
        out.append((_int(p[0], where), _num(p[1], where)))
    return tuple(out)


def _rho(raw: Any, where: str) -> tuple[Fraction, ...] | None:
    return None if raw is None else tuple(_num(v, where) for v in _list(raw, where))


def _parse_node(raw: Any, where: str, version: int) -> Node:
    raw = _list(raw, where)
    kind = raw[0] if raw and isinstance(raw[0], str) else ""
    size = {"split": 3, "fix": 4, "imply": 3, "leaf": 3, "apex": 3}.get(kind)
    if size is None or (kind == "apex" and version < 2):
        kinds = "split|fix|imply|leaf" + ("|apex" if version >= 2 else "")
        raise _bad(where, f'["{kinds}", …] (version {version})', raw)
    if len(raw) != size and not (kind == "fix" and len(raw) == 5):
        raise _bad(where, f"a {kind} node of {size} entries", raw)
    if kind == "split":
        return Split(_int(raw[1], where), _int(raw[2], where))
    if kind == "leaf":
        return Leaf(_weights(raw[1], where), _rho(raw[2], where))
    if kind == "apex":
        return Apex(_int(raw[1], where), _weights(raw[2], where))
    items = [_list(e, where) for e in _list(raw[2], where)]
    if kind == "fix":
        if any(len(p) != 2 for p in items):
            raise _bad(where, "[point, ±1] pairs", raw[2])
        pairs = tuple((_int(p[0], where), _side(p[1], where)) for p in items)
        mults = _weights(raw[4], where) if len(raw) == 5 else ()
        return Fix(_int(raw[1], where), pairs, _rho(raw[3], where), mults)
    if any(len(e) != 3 for e in items):
        raise _bad(where, "[point, ±1, [[row, ν], …]] entries", raw[2])
    entries = tuple((_int(e[0], where), _side(e[1], where), _weights(e[2], where)) for e in items)
    return Imply(_int(raw[1], where), entries)


def certificate_from_dict(data: Any, source: str = "certificate") -> Certificate:
    """Parse and type-check a certificate (structure only; the checker decides validity)."""
    if not isinstance(data, dict):
        raise _bad(source, "a JSON object", type(data).__name__)
    version = data.get("version")
    if data.get("format") != FORMAT or type(version) is not int or version not in VERSIONS:
        found = (data.get("format"), version)
        raise _bad("format", f"{FORMAT!r} version 1 or 2", found)
    digest = data.get("instance_sha256")
    if not isinstance(digest, str):
        raise _bad("instance_sha256", "a hex string", digest)
    units = []
    for j, u in enumerate(_list(data.get("network"), "network")):
        if not isinstance(u, dict) or u.get("a") not in (1, -1):
            raise _bad(f"network[{j}]", '{"a": ±1, "w": [...], "b": ...}', u)
        w = tuple(_num(v, f"network[{j}].w") for v in _list(u.get("w"), f"network[{j}].w"))
        units.append(Unit(u["a"], w, _num(u.get("b", "0"), f"network[{j}].b")))
    if not units:
        raise _bad("network", "at least one unit", [])
    trees = []
    for t, tree in enumerate(_list(data.get("trees"), "trees")):
        if not isinstance(tree, dict):
            raise _bad(f"trees[{t}]", '{"signs": [...], "nodes": [...]}', tree)
        signs = tuple(_int(s, f"trees[{t}].signs") for s in _list(tree.get("signs"), "signs"))
        raw = _list(tree.get("nodes"), f"trees[{t}].nodes")
        nodes = tuple(_parse_node(n, f"trees[{t}].nodes[{i}]", version) for i, n in enumerate(raw))
        trees.append(Tree(signs, nodes))
    return Certificate(
        digest,
        ReluNetwork(tuple(units)),
        _num(data.get("upper"), "upper"),
        _num(data.get("lower"), "lower"),
        tuple(trees),
    )


def read_certificate(path: str | os.PathLike[str]) -> Certificate:
    """Read a certificate file; one-line :class:`InvalidCertificate` on any malformation."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidCertificate(f"{path}: not valid JSON ({exc})") from exc
    return certificate_from_dict(data, str(path))
