"""Pictures: the fitted network on its data, a solve's trace, the bench profile and cactus.

One module per picture kind: :mod:`~exactfit.plot.fit` (dispatches on the input dimension to
:mod:`~exactfit.plot.curve` for d = 1, :mod:`~exactfit.plot.heatmap` for d = 2 and
:mod:`~exactfit.plot.residuals` for d ≥ 3), :mod:`~exactfit.plot.trace` (incumbent and bound
against time), :mod:`~exactfit.plot.profile` and :mod:`~exactfit.plot.cactus` (the two panels
of ``bench report --plot``).  :mod:`~exactfit.plot.figure` holds what they share: the output
path check, the lazy matplotlib import and the atomic save.

Importing this package does not import matplotlib; only drawing does, so that every other
command works without the ``bench`` extra installed.
"""

from __future__ import annotations

from exactfit.plot.figure import PLOT_SUFFIXES, check_plot_path, require_matplotlib

__all__ = ["PLOT_SUFFIXES", "check_plot_path", "require_matplotlib"]
