"""scanner.guard: the line guard every printed line passes through."""

from __future__ import annotations

import itertools
import json
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.guard import _UNSAFE, LineGuard, guard_line


def test_the_unsafe_set_is_every_control_format_and_separator_character() -> None:
    wanted = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")
        or 0xFE00 <= c <= 0xFE0F
        or 0xE0100 <= c <= 0xE01EF
    } - {"\t", "\n"}
    # A superset: the table also holds format characters added by later Unicode versions.
    assert wanted <= {chr(c) for c in range(sys.maxunicode + 1) if _UNSAFE.fullmatch(chr(c))}


@pytest.mark.parametrize(
    ("line", "text", "as_json"),
    [
        ("::error::x", ":\\:error::x", "\\u003a:error::x"),
        (" \t::warning::x", " \t:\\:warning::x", " \t\\u003a:warning::x"),
        ("a ##[error]b", "a ##\\[error]b", "a ##\\u005berror]b"),
        (
            "a \u200b\x1b[31m\U000e0041",
            "a \\u200b\\x1b[31m\\ue0041",
            "a \\u200b\\u001b[31m\\udb40\\udc41",
        ),
        ("a::b", "a::b", "a::b"),
    ],
)
def test_guard_line(line: str, text: str, as_json: str) -> None:
    assert guard_line(line) == text
    assert guard_line(line, json=True) == as_json


def test_json_keeps_its_value() -> None:
    value = {"path": "##[error]\u202e\x9b\U000e0041 x", "k": "\u2028::stop-commands::t"}
    printed = json.dumps(value, ensure_ascii=False, indent=2)
    guarded = LineGuard(json=True)
    out = "".join(guarded.feed(c) for c in printed) + guarded.close()
    assert "##[" not in out
    assert json.loads(out) == value


def test_lines_are_guarded_across_pieces_and_keep_their_ends() -> None:
    guard = LineGuard()
    pieces = ["ok\r", "\n #", "#[x] :", ":y\n:", ":error::z\r::w", "arning::v"]
    out = "".join(guard.feed(p) for p in pieces) + guard.close()
    assert out == "ok\r\n ##\\[x] ::y\n:\\:error::z\\x0d::warning::v"


def test_own_commands_pass_only_at_the_line_start() -> None:
    guard = LineGuard(commands=True)
    out = guard.feed("::warning file=a::m ##[x]\n ::error::forged\n") + guard.close()
    assert out == "::warning file=a::m ##\\[x]\n :\\:error::forged\n"


@given(
    # \u2003 and \u00a0: spaces a forged line may start with (str.isprintable says no).
    text=st.text(alphabet=st.sampled_from(list("ab :#[]\n\r\t\x1b\u200b\u202e\x85 \u2003\u00a0"))),
    cuts=st.lists(st.integers(min_value=0, max_value=200)),
)
def test_any_chunking_gives_the_line_by_line_answer(text: str, cuts: list[int]) -> None:
    guard = LineGuard()
    bounds = sorted({0, len(text), *(c for c in cuts if c < len(text))})
    out = "".join(guard.feed(text[a:b]) for a, b in itertools.pairwise(bounds)) + guard.close()
    lines = text.split("\n")
    expected = "\n".join(
        guard_line(line[:-1]) + "\r" if line.endswith("\r") and n < len(lines) - 1
        else guard_line(line)
        for n, line in enumerate(lines)
    )  # fmt: skip
    assert out == expected
    assert not any(line.lstrip().startswith("::") or "##[" in line for line in out.split("\n"))


def test_output_written_a_block_at_a_time_is_guarded_as_line_by_line(monkeypatch) -> None:
    """Into a pipe, `write` hands the guard 64 KiB blocks (#25): a forged command cut by a
    block's end, or by a piece's, is still broken, and every other line is as it was."""
    import io

    from scanner.cli.common import _BLOCK, write

    lines = [f'{{"n": {n}, "arn": "arn:aws:iam::1:role/r{n}"}}' for n in range(4000)]
    lines[1234] = " ::error file=x::forged"
    lines[2000] = "##[warning]legacy"
    text = "\n".join(lines) + "\n"
    assert len(text) > 2 * _BLOCK
    cut = text.index("::error")  # a piece ends inside the forged command
    pieces = [text[: cut + 3], text[cut + 3 : _BLOCK + 7], text[_BLOCK + 7 :]]
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    write(pieces, json=True)
    expected = text.replace(" ::error", " \\u003a:error").replace("##[", "##\\u005b")
    assert out.getvalue() == expected


@pytest.mark.parametrize("char", [chr(c) for c in range(128) if chr(c) != "\n"])
def test_every_ascii_character_in_a_block_is_guarded_as_in_a_line(char: str) -> None:
    """An ASCII block is checked by one byte table pass (#25): each of the 127 characters, in
    a line of its own and amid others, comes out as `guard_line` makes it."""
    block = f'a{char}b\n{{"x": "y"}}\n'
    assert LineGuard().feed(block) == guard_line(f"a{char}b") + "\n" + '{"x": "y"}\n'
