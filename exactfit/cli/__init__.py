"""The ``exactfit`` command line (see :mod:`exactfit.cli.main`)."""

from exactfit.cli.main import (
    EXIT_CODES,
    OneLineParser,
    main,
    number_arg,
    positive_float,
    positive_int,
    stdout_to_stderr,
)

__all__ = [
    "EXIT_CODES",
    "OneLineParser",
    "main",
    "number_arg",
    "positive_float",
    "positive_int",
    "stdout_to_stderr",
]
