"""What every picture shares: the output check, the lazy matplotlib import, the atomic save.

Figures are built on matplotlib's Agg canvas directly (``Figure`` + ``FigureCanvasAgg``), never
through pyplot, so no global backend is chosen and no window can open.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from exactfit.errors import InputError
from exactfit.files import check_output_path

__all__ = ["PLOT_SUFFIXES", "check_plot_path", "new_figure", "require_matplotlib", "save_figure"]

#: The formats a picture is written in, chosen by the file name's ending.
PLOT_SUFFIXES = (".png", ".svg", ".pdf")
#: Resolution of raster output: small files (docs/img/ keeps each below 150 KB), sharp text.
DPI = 110


def check_plot_path(path: str, option: str) -> None:
    """Refuse a picture path before any work: a directory, a missing folder, standard output,
    or an ending other than :data:`PLOT_SUFFIXES`.

    Raises
    ------
    InputError
        One line naming the option, what was expected and what was found.
    """
    if str(path) == "-":
        # a binary picture on a terminal helps nobody; the check below would accept "-"
        raise InputError(
            f"{option} -: expected a file name ending in {', '.join(PLOT_SUFFIXES)}, "
            "found standard output"
        )
    check_output_path(path, option, PLOT_SUFFIXES)


def require_matplotlib(option: str = "plotting") -> None:
    """Fail in one line, before any work, if matplotlib cannot be imported.

    Raises
    ------
    InputError
        matplotlib is missing; the message names the extra that installs it.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(
            f'{option} needs matplotlib, which is not installed; pip install "exactfit[bench]"'
        ) from None


def new_figure(width: float, height: float) -> Any:
    """A matplotlib ``Figure`` of ``width`` × ``height`` inches on an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Any, path: str) -> None:
    """Write ``fig`` to ``path`` (format from the ending) atomically.

    The picture is drawn into a temporary file in the same folder and renamed over ``path``
    only when complete, so a failure (a full disk, Ctrl-C) never leaves a partial picture.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=directory)
    os.close(fd)
    try:
        fig.savefig(tmp, format=suffix.lstrip("."), dpi=DPI)
        # mkstemp creates 0600; give the picture the mode an ordinary open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
