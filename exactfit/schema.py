"""The JSON Schemas of the instance and solution formats, and a small validator for them.

The schemas (draft 2020-12) ship in ``exactfit/schemas/`` and are published in
``docs/formats.md``.  They describe the structure of a file; the readers in
:mod:`exactfit.io` and :class:`exactfit.FitProblem` check what a schema cannot express
(equal row lengths, one label per row, magnitudes).  Validation runs first, so a structural
mistake is reported with its JSON path and the schema's own description of what belongs there.

The validator implements the keywords these schemas use (``type``, ``const``, ``enum``,
``properties``, ``required``, ``additionalProperties``, ``items``, ``minItems``, ``minimum``,
``maximum``, ``pattern``, ``oneOf``, ``allOf``, ``not``, ``if``/``then``, local ``$ref``);
a schema using any other keyword is refused (tests check the shipped ones), so the validator
can never silently accept what the schema forbids.  It walks iteratively through the data
depth, which :func:`exactfit.files.parse_json` has already bounded.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from exactfit.errors import InvalidInstance
from exactfit.numbers import short

__all__ = ["KEYWORDS", "load_schema", "schema_errors", "validate"]

#: Keywords the validator understands; the rest of a schema is annotation.
KEYWORDS = frozenset(
    {
        "type",
        "const",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "minimum",
        "maximum",
        "pattern",
        "oneOf",
        "allOf",
        "not",
        "if",
        "then",
        "$ref",
    }
)
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description"})

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    # JSON has one number type; bool is not a number there, though Python says it is an int.
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The shipped schema ``name`` ("instance" or "solution") as a dict."""
    text = resources.files("exactfit.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    schema = json.loads(text)
    unknown = _unknown_keywords(schema)
    if unknown:  # a packaging or editing bug, not a user error
        raise RuntimeError(f"schema {name} uses keywords the validator lacks: {sorted(unknown)}")
    return schema


def _unknown_keywords(schema: Any) -> set[str]:
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found |= set(node) - KEYWORDS - _ANNOTATIONS
            for key in ("properties", "$defs"):
                stack.extend(node.get(key, {}).values())
            for key in ("items", "additionalProperties", "not", "if", "then"):
                if isinstance(node.get(key), dict):
                    stack.append(node[key])
            for key in ("oneOf", "allOf"):
                stack.extend(node.get(key, []))
    return found


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, ``1.0`` is ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise RuntimeError(f"only local $ref is supported, found {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _local(schema: dict[str, Any], value: Any) -> str | None:
    """The first failure of ``value`` against the non-nesting keywords of ``schema``."""
    kind = schema.get("type")
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else kind
        if not any(_TYPES[k](value) for k in kinds):
            return "wrong type"
    if "const" in schema and not _equal(value, schema["const"]):
        return "wrong value"
    if "enum" in schema and not any(_equal(value, e) for e in schema["enum"]):
        return "not one of the allowed values"
    if isinstance(value, list) and len(value) < schema.get("minItems", 0):
        return f"fewer than {schema['minItems']} items"
    is_number = _TYPES["number"](value)
    if is_number and "minimum" in schema and value < schema["minimum"]:
        return "below the minimum"
    if is_number and "maximum" in schema and value > schema["maximum"]:
        return "above the maximum"
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        return "does not match the pattern"
    return None


def _found(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return short(value)


def schema_errors(
    value: Any,
    schema: dict[str, Any],
    root: dict[str, Any],
    path: str,
    expected: str = "a valid value",
) -> list[tuple[str, str, str]]:
    """Failures of ``value`` against ``schema`` as ``(path, expected, found)`` triples (at
    most one: the walk stops at the first).

    ``expected`` is the description of the innermost schema that says what belongs there.
    """
    errors: list[tuple[str, str, str]] = []
    # entries: (value, schema, path, nearest description, combinators?); a node's oneOf,
    # allOf, not and if/then are checked after its members (pushed below them), so that a
    # wrong member is reported at its own path before a rule about the whole object
    stack = [(value, schema, path, schema.get("description", expected), False)]
    while stack and not errors:
        v, s, p, expected, combined = stack.pop()
        if combined:
            errors.extend(_combined(v, s, root, p, expected))
            continue
        if "$ref" in s:
            s = _resolve(root, s["$ref"])
        expected = s.get("description", expected)
        if _local(s, v) is not None:
            errors.append((p, expected, _found(v)))
            break
        children, missing = _children(v, s, p, expected, root)
        errors.extend(missing)
        stack.append((v, s, p, expected, True))
        stack.extend((*child, False) for child in children)
    return errors[:1]


def _combined(
    v: Any, s: dict[str, Any], root: dict[str, Any], p: str, expected: str
) -> list[tuple[str, str, str]]:
    """The failures of ``v`` against the combining keywords of ``s``."""
    subs = s.get("oneOf")
    if subs is not None:
        results = [schema_errors(v, sub, root, p, expected) for sub in subs]
        if sum(not r for r in results) != 1:
            # when only one branch has the value's type, its own error is the precise one
            typed = [r for sub, r in zip(subs, results, strict=True) if _typed(sub, v, root)]
            return typed[0] if len(typed) == 1 and typed[0] else [(p, expected, _found(v))]
    for sub in s.get("allOf", []):
        # the failing branch's own error names the inner path
        inner = schema_errors(v, sub, root, p, expected)
        if inner:
            return inner
    if "not" in s and not schema_errors(v, s["not"], root, p):
        return [(p, expected, _found(v))]
    if "if" in s and "then" in s and not schema_errors(v, s["if"], root, p):
        return schema_errors(v, s["then"], root, p, expected)
    return []


def _typed(schema: dict[str, Any], value: Any, root: dict[str, Any]) -> bool:
    """Whether ``value`` has a type ``schema`` (after ``$ref``) allows."""
    if "$ref" in schema:
        schema = _resolve(root, schema["$ref"])
    kind = schema.get("type")
    if kind is None:
        return False
    return any(_TYPES[k](value) for k in ([kind] if isinstance(kind, str) else kind))


def _children(
    v: Any, s: dict[str, Any], p: str, expected: str, root: dict[str, Any]
) -> tuple[list, list]:
    """The (value, schema, path, expected) of ``v``'s members, and a missing-key failure."""
    out: list[tuple[Any, dict[str, Any], str, str]] = []
    if isinstance(v, dict):
        props = s.get("properties", {})
        for key in s.get("required", []):
            if key not in v:
                desc = props.get(key, {}).get("description", "a value")
                return [], [(f"{p}/{key}", desc, "nothing (the key is missing)")]
        extra = s.get("additionalProperties", True)
        for key in reversed(list(v)):
            if key in props:
                out.append((v[key], props[key], f"{p}/{key}", expected))
            elif extra is False:
                known = ", ".join(sorted(props))
                return [], [(p or "/", f"only the keys {known}", f"the key {short(key)}")]
            elif isinstance(extra, dict):
                out.append((v[key], extra, f"{p}/{key}", expected))
    if isinstance(v, list) and isinstance(s.get("items"), dict):
        items = s["items"]
        quick = _quick(items, root)
        # fast path for lists of leaves or of lists of leaves (X holds up to 10⁶ numbers):
        # only the failures are pushed for the full walk, which names them
        indices = range(len(v) - 1, -1, -1)
        if quick is not None:
            indices = [i for i in indices if not quick(v[i])]
        out.extend((v[i], items, f"{p}/{i}", expected) for i in indices)
    return out, []


def _quick(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """A fast predicate for a leaf schema or an array of leaves, else None."""
    if "$ref" in schema:
        schema = _resolve(root, schema["$ref"])
    leaf = _leaf(schema)
    if leaf is not None:
        return lambda value: _leaf_ok(leaf, value)
    items = schema.get("items")
    if set(schema) - _ANNOTATIONS <= {"type", "minItems", "items"} and isinstance(items, dict):
        inner = _leaf(_resolve(root, items["$ref"]) if "$ref" in items else items)
        if inner is not None and schema.get("type") == "array":
            low = schema.get("minItems", 0)
            return lambda value: (
                isinstance(value, list)
                and len(value) >= low
                and all(_leaf_ok(inner, x) for x in value)
            )
    return None


_LOCAL_ONLY = frozenset({"type", "const", "enum", "minItems", "minimum", "maximum", "pattern"})


def _leaf(schema: dict[str, Any]) -> list[dict[str, Any]] | None:
    """For a schema of only local keywords, or a oneOf of such schemas, the alternatives (so
    a value can be checked without the walk); otherwise None.  ``$ref``s must be resolved by
    the caller, so a schema with one is not a leaf."""
    words = set(schema) - _ANNOTATIONS
    if words <= _LOCAL_ONLY:
        return [schema]
    if words == {"oneOf"} and all(
        set(sub) - _ANNOTATIONS <= _LOCAL_ONLY for sub in schema["oneOf"]
    ):
        return schema["oneOf"]
    return None


def _leaf_ok(alternatives: list[dict[str, Any]], value: Any) -> bool:
    """Whether ``value`` satisfies exactly one alternative (a plain schema is one of one)."""
    return sum(_local(a, value) is None for a in alternatives) == 1


def validate(data: Any, name: str, source: str) -> None:
    """Check ``data`` against the shipped schema ``name``; raise the first failure.

    Raises
    ------
    InvalidInstance
        ``SOURCE: at PATH: expected DESCRIPTION, found VALUE (schema NAME.schema.json)``.
    """
    root = load_schema(name)
    errors = schema_errors(data, root, root, "")
    if errors:
        where, expected, found = errors[0]
        raise InvalidInstance(
            f"{source}: at {where or '/'}: expected {expected}, found {found} "
            f"(schema {name}.schema.json, docs/formats.md)"
        )
