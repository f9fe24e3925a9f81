"""Fuzz the #16 guards: URL userinfo removal, CSV cells and the path rule.

Userinfo planted anywhere in any text never survives `strip_userinfo`; no CSV row, split by an
importer on any separator and ignoring quotes, has a cell that starts a formula, and reads back
as the safe cells; the scanner's path rule and the schema the aggregator validates with agree.
"""

from __future__ import annotations

import csv
import io
import re

import jsonschema_rs
from hypothesis import example, given
from hypothesis import strategies as st

from scanner import paths, secrets
from scanner.csv_cells import _FORMULA, _NEEDS_QUOTES, _cell, _quoted, row, safe_cell
from scanner.reporters.json import _schema

TOKEN = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", min_size=12,
                max_size=24).map(lambda t: f"Tk{t}")  # fmt: skip
AROUND = st.text(alphabet="ab1:/@ +=-._\n\t\"'`;,?#", max_size=30)
SCHEME = st.sampled_from(["https", "git+https", "ssh", "postgres", "s3", "x1.y-z+w"])
CELLS = st.text(alphabet="=+-@ \t\r\n,;|\"'ab1", max_size=12)
PATHS = st.text(alphabet="ab./\\\x00 :", max_size=12)


@given(AROUND, SCHEME, st.text(alphabet="ci-.", max_size=4), TOKEN, AROUND, st.booleans())
def test_no_userinfo_survives(
    before: str, scheme: str, user: str, token: str, after: str, as_user: bool
) -> None:
    userinfo = f"{token}@" if as_user else f"{user}:{token}@"
    text = f"{before}{scheme}://{userinfo}host.example/p{after}"
    assert token not in secrets.strip_userinfo(text)


@given(st.lists(CELLS, min_size=1, max_size=5))
def test_no_csv_cell_starts_a_formula(cells: list[str]) -> None:
    line = row(cells)
    assert next(csv.reader(io.StringIO(line, newline=""))) == [safe_cell(c) for c in cells]
    for piece in re.split(r"[,;\t|\r\n]", line):
        text = piece.lstrip(" ")
        text = text[1:] if text.startswith('"') else text
        assert not text.startswith(("=", "+", "-", "@")), (line, piece)


@given(st.text(alphabet="=+-@ \t\r\n\x0b,;|\"'ab1\u2003\x85", max_size=6))
@example(" =")  # quoted by the rule, then `safe_cell`'s quote mark leaves nothing to quote
def test_a_cell_is_what_the_quoting_rule_made_it(cell: str) -> None:
    """`_cell` looks at a cell's edges with `str.isspace` instead of `_NEEDS_QUOTES`'s
    `^\\s|\\s$` (#25): for any cell, the cell the rule as one search made."""
    if _NEEDS_QUOTES.search(cell) is None:
        by_rule = f"'{cell}" if cell.startswith(_FORMULA) else cell
    else:
        by_rule = _quoted(safe_cell(cell))
    assert _cell(cell) == by_rule


_FAST = jsonschema_rs.Draft202012Validator(_schema()["$defs"]["path"])


@given(PATHS)
def test_one_path_rule(path: str) -> None:
    assert paths.valid(path) is _FAST.is_valid(path)
