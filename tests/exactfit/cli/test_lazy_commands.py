"""Lazy sub-commands: ``--help`` lists every command from the table, a command imports only
its own module, and what a solve imports (no networkx, no reductions, no benchmark)."""

import subprocess
import sys
from pathlib import Path

import pytest

from exactfit.cli.main import COMMANDS, build_parser, chosen_command
from tests.clirun import run_main

ROOT = Path(__file__).resolve().parents[3]
INSTANCE = ROOT / "instances" / "fit" / "noisy_n10_d1.json"


def test_help_from_the_table_is_the_help_of_the_built_commands():
    # the placeholders' listing (names, order, one-line help) equals the fully built parser's
    assert build_parser(()).format_help() == build_parser().format_help()


def test_the_table_lists_exactly_the_commands_the_modules_build():
    listed = build_parser(())._subparsers._group_actions[0].choices
    built = build_parser()._subparsers._group_actions[0].choices
    assert list(listed) == list(built) == list(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["solve", "x.json", "--solver", "enum"], "solve"),
        (["-h", "bench"], "bench"),
        (["--", "check"], "check"),
        (["--version"], None),
        (["slove", "x.json"], None),
        (["--"], None),
        ([], None),
    ],
)
def test_chosen_command(argv, command):
    assert chosen_command(argv) == command


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_builds_alone_and_has_its_help(command, capsys):
    # building one command of a module (e.g. 'check' of reductions.cli) builds its siblings
    # too, beside placeholders of the others: no name may be added twice
    rc, out, _ = run_main([command, "--help"], capsys)
    assert rc == 0
    assert out.startswith(f"usage: exactfit {command}")


def test_generate_still_gets_the_plugin_kinds(capsys):
    from reductions.families.registry import FAMILIES

    rc, out, _ = run_main(["generate", "--help"], capsys)
    assert rc == 0
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("    ")}
    # the fit kind, the source kinds of reductions.sources.cli and one kind per family
    assert {"fit", "gnp", "hypergraph", "named", "planted-3sat", *FAMILIES} <= listed


def _modules_after(argv: list[str], watched: tuple[str, ...]) -> list[str]:
    """Run ``exactfit ARGV`` in a fresh interpreter; the ``watched`` modules it imported."""
    code = (
        "import contextlib, io, sys\n"
        "from exactfit.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({argv!r})\n"
        f"print(rc, *sorted(m for m in {watched!r} if m in sys.modules))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


HEAVY = (
    "networkx",
    "reductions",
    "exactfit.bench.cli",
    "exactfit.bench.runner",
    "rich",
    "matplotlib",
    "pyscipopt",
    "ortools",
    "dask",
)


def test_a_solve_imports_only_what_solving_needs():
    assert _modules_after(["solve", str(INSTANCE), "--solver", "enum", "-q"], HEAVY) == ["0"]


def test_a_command_imports_no_other_command_module():
    others = tuple(module for module, _ in COMMANDS.values() if module != "exactfit.cli.solvers")
    assert _modules_after(["solvers"], ("networkx", *others)) == ["0"]
