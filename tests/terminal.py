"""A tiny terminal emulator for tests of the live display: what a screen shows after a stream
of text with the control sequences rich uses (carriage return, newline, erase line, cursor
up, cursor visibility and colours).  Stale characters would survive in its lines."""

from __future__ import annotations

import re

_CSI = re.compile(r"\x1b\[(\??)(\d*)([A-Za-z])")


def screen(text: str) -> list[str]:
    """The lines a terminal shows after ``text`` (trailing spaces stripped, empty last line
    dropped)."""
    lines: list[list[str]] = [[]]
    row = col = 0
    pos = 0
    while pos < len(text):
        match = _CSI.match(text, pos)
        if match is not None:
            private, number, code = match.groups()
            count = int(number or 1)
            if not private and code == "K":
                lines[row] = []  # rich erases whole lines (2K) before redrawing them
            elif not private and code == "A":
                row = max(row - count, 0)
            elif not private and code == "G":
                col = count - 1
            pos = match.end()
            continue
        char = text[pos]
        pos += 1
        if char == "\r":
            col = 0
        elif char == "\n":
            row, col = row + 1, 0
            while len(lines) <= row:
                lines.append([])
        else:
            line = lines[row]
            line.extend(" " * (col - len(line)))
            if col < len(line):
                line[col] = char
            else:
                line.append(char)
            col += 1
    out = ["".join(line).rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out
