from exactfit.solvers.enumeration import *  # noqa: F403  (registry shim; the lead removes it)
