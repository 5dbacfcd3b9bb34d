"""Running ``exactfit ARGV`` in-process for the CLI tests."""

from __future__ import annotations

from exactfit.cli import main


def run_main(argv, capsys) -> tuple[int, str, str]:
    """``exactfit ARGV`` in-process: (exit code, stdout, stderr); argparse's usage errors
    arrive as ``SystemExit`` and give its code."""
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err
