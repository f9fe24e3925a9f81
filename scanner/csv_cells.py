"""The one way every CSV output writes a row: cells from scanned repositories are data, never
spreadsheet formulas (OWASP CSV injection, #16).

A cell is neutralised where a spreadsheet could start a formula: at its start (after any
blank), and after a separator that a spreadsheet set to another delimiter would split on
(`a;=cmd()` is two cells where `;` separates). A cell that holds such a separator or starts or
ends with a blank is always quoted, so no importer splits or trims it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# A formula character after a separator (and blanks): `'` goes in front of the character.
_AFTER_SEPARATOR = re.compile(r"([,;\t|\r\n][ \t]*)(?=[=+\-@])")
_NEEDS_QUOTES = re.compile(r'[,;"\t\r\n|]|^\s|\s$')
_SEPARATOR = re.compile(r'[,;"\t\r\n|]')  # `_NEEDS_QUOTES` but the edges


def safe_cell(value: object) -> str:
    """`value` as a cell no spreadsheet runs: `'` before a formula at the start of the cell or
    after a separator inside it."""
    text = _AFTER_SEPARATOR.sub(r"\1'", str(value))
    return f"'{text}" if text.lstrip(" ").startswith(_FORMULA) else text


def row(values: Iterable[object]) -> str:
    """One CSV line (comma-separated, `\\n`-terminated) of safe, quoted-when-needed cells."""
    line = ",".join(map(_cell, values))
    return (line or '""') + "\n"  # one empty cell, not an empty line (as csv.writer does)


def _cell(value: object) -> str:
    text = str(value)
    # `_NEEDS_QUOTES` as one search and two looks at the edges: its `^\s|\s$` alternation
    # cost half a microsecond a cell (100,000 inventory answers are 1.5 million cells, #25)
    if _SEPARATOR.search(text) is None and not (text[:1].isspace() or text[-1:].isspace()):
        return f"'{text}" if text.startswith(_FORMULA) else text  # most cells
    return _quoted(safe_cell(text))


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell
