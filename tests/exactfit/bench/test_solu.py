"""``.solu`` and ``quick.txt`` parsing, writing and lookup."""

from __future__ import annotations

from fractions import Fraction

import pytest

from exactfit.bench.solu import (
    SoluEntry,
    find_library_file,
    format_solu,
    parse_quick,
    parse_solu,
    read_solu,
    write_solu,
)
from exactfit.errors import InputError

TEXT = """\
# comment
=opt=  a   0.25
=best= b   1/3

=inf=  c
=unkn= d
=opt=  e   7
"""


def test_parse_keeps_values_exact():
    got = parse_solu(TEXT)
    assert got == {
        "a": SoluEntry("a", "opt", Fraction(1, 4)),
        "b": SoluEntry("b", "best", Fraction(1, 3)),
        "c": SoluEntry("c", "inf"),
        "d": SoluEntry("d", "unkn"),
        "e": SoluEntry("e", "opt", Fraction(7)),
    }


def test_write_then_read_round_trips(tmp_path):
    entries = parse_solu(TEXT)
    entries["f"] = SoluEntry("f", "opt", Fraction(0.1))  # the binary value of 0.1, exactly
    path = tmp_path / "index.solu"
    write_solu(entries, str(path))
    assert read_solu(path) == entries
    assert format_solu(entries.values()).splitlines()[0] == "=opt=  a  0.25"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("=opt= a\n", "expected '=opt= name value'"),
        ("=inf= a 3\n", "expected '=inf= name'"),
        ("=optimal= a 3\n", "starting with =opt="),
        ("=opt= a x\n", "expected a number"),
        ("=opt= a 1\n=best= a 2\n", "listed twice"),
    ],
)
def test_bad_lines_name_file_and_line(text, fragment):
    with pytest.raises(InputError) as info:
        parse_solu(text, "lib/index.solu")
    assert fragment in str(info.value)
    assert "lib/index.solu:" in str(info.value)


def test_quick_list_skips_comments():
    assert parse_quick("# q\n\na\n b  # why\n#c\n") == ["a", "b"]


def test_library_file_is_found_in_parents(tmp_path):
    (tmp_path / "lib" / "fit" / "deep").mkdir(parents=True)
    (tmp_path / "lib" / "index.solu").write_text("")
    start = tmp_path / "lib" / "fit" / "deep"
    assert find_library_file(start, "index.solu") == (tmp_path / "lib" / "index.solu").resolve()
    assert find_library_file(start, "nothing.here") is None
