"""The orthogonal one-layer family of Goel, Gollakota, Jin, Karmalkar and Klivans (ICML 2020):
``f_S(x) = Σ_{w ∈ {±1}^k} χ(w) σ(⟨w, x_S⟩)``.

:mod:`.construction` builds ``f_S`` and the points, :mod:`.gaussian` its inner products under
N(0, I), :mod:`.checks` the exact checks, :mod:`.family` the CLI face.  ``docs/families/ggjkk.md``.
"""

from reductions.families.ggjkk.family import GgjkkFamily, check, generate

__all__ = ["GgjkkFamily", "check", "generate"]
