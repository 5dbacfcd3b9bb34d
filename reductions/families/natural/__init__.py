"""Natural-weight depth-2 networks of Daniely and Vardi (NeurIPS 2020): random networks with
normal or uniform weights, realizable data, identifiability by exact ERM, and the random K-SAT
source the hardness rests on.

:mod:`.construction` draws the networks and data, :mod:`.identify` decides function equality
exactly and runs the ERM/descent trials, :mod:`.family` is the CLI face.
``docs/families/natural.md``.
"""

from reductions.families.natural.family import NaturalFamily, check, check_ksat

__all__ = ["NaturalFamily", "check", "check_ksat"]
