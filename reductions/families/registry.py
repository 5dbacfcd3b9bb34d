"""The hard families: name → (module, class).  Modules are imported only when used."""

from __future__ import annotations

import importlib

from exactfit.errors import InputError
from reductions.families.base import Family

__all__ = ["FAMILIES", "get_family"]

#: name → (module, class name).  One line per family; the order is the order of ``--help``.
FAMILIES: dict[str, tuple[str, str]] = {
    "ggjkk": ("reductions.families.ggjkk", "GgjkkFamily"),
    "clwe": ("reductions.families.clwe", "ClweFamily"),
    "goldreich": ("reductions.families.goldreich.family", "GoldreichFamily"),
    "natural": ("reductions.families.natural", "NaturalFamily"),
}


def get_family(name: str) -> Family:
    """The family called ``name``; an ``InputError`` naming the known ones otherwise."""
    try:
        module, cls = FAMILIES[name]
    except KeyError:
        known = ", ".join(FAMILIES) or "none"
        raise InputError(f"unknown family {name!r}; known families: {known}") from None
    return getattr(importlib.import_module(module), cls)()
