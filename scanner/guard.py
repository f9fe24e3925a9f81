"""The last stage before a terminal or a CI log: no output line can be a workflow command.

Everything `nhi` prints goes through `LineGuard` (see `scanner.cli._write`). Names and paths
come from untrusted repositories, and GitHub's runner reads every line a step prints
(actions/runner `ActionCommand.TryParseV2` and `TryParse`):

* `::name ...::data` is a command when it starts the line after leading whitespace is trimmed;
* the legacy `##[name ...]data` is a command wherever it stands in the line.

The runner splits lines at LF, CR and CRLF and compares culture-sensitively, which skips
"ignorable" characters (zero-width and other format characters). So the guard escapes every
control, format, line/paragraph separator and variation selector character (terminal escapes,
bidi overrides and lone CRs with them), then breaks each `##[` and each line-leading `::`.
Output is fed in pieces that need not end at line ends; the guard holds the unfinished line.
"""

from __future__ import annotations

import re

# Unicode categories Cc (but TAB and LF), Cf, Zl and Zp, and the variation selectors: what a
# terminal or the runner acts on or skips (tests/test_guard.py checks it against unicodedata).
_UNSAFE_BUT_CR = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)
_UNSAFE = re.compile(f"[{_UNSAFE_BUT_CR}\r]")
_LEGACY = "##["  # TryParse: anywhere in the line
# TryParseV2: `::` after a line's leading whitespace. Searched from each line feed, the block's
# start aside (a literal first character is found at memchr speed; `^` with MULTILINE tried
# every position of every line holding an ARN's `::`, #25).
_LEADING = re.compile(r"\n[^\S\n]*::")


# What `_clean` lets through of an ASCII block: printable ASCII, tab and line feed.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"


def _clean(block: str) -> bool:
    """Whether whole lines need no change: a quick test in C loops (a few ms a megabyte); the
    non-printable characters it also refuses (no-break space, private use) go line by line.
    An ASCII block (nearly all output) is one byte table pass, an eighth of the three copies
    and the `isprintable` that other text takes (a 70 MB answer: 0.19 -> 0.03 s, #25)."""
    if block.isascii() and not block.encode("ascii").translate(None, _PLAIN_ASCII):
        printable = True
    else:  # CRLF line ends (csv) and non-ASCII text
        printable = block.replace("\r\n", "").replace("\n", "").replace("\t", "").isprintable()
    # `_leading` alone: a `"::" in block` first cost twice the search where ARNs hold `::`
    return printable and _LEGACY not in block and not _leading(block)


def _leading(block: str) -> bool:
    """Whether a line of the block starts with `::` after its leading whitespace."""
    return block.lstrip().startswith("::") or _LEADING.search(block) is not None


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _json(match: re.Match[str]) -> str:
    # Outside a JSON string only ASCII structure and whitespace can stand, so every match is
    # inside one, where the \\u escape keeps the string's value unchanged.
    encoded = match.group().encode("utf-16-be")
    return "".join(f"\\u{encoded[i] << 8 | encoded[i + 1]:04x}" for i in range(0, len(encoded), 2))


def guard_line(line: str, *, json: bool = False, commands: bool = False) -> str:
    """One line (without its line end) made safe to print.

    `json`: the text is JSON, escaped so that it parses to the same value. `commands`: the
    line may be our own workflow command (the `github` format, whose data is already escaped).
    """
    if _UNSAFE.search(line):
        line = _UNSAFE.sub(_json if json else _visible, line)
    if _LEGACY in line:
        line = line.replace(_LEGACY, "##\\u005b" if json else "##\\[")
    stripped = line.lstrip()
    if stripped.startswith("::") and not (commands and len(stripped) == len(line)):
        cut = len(line) - len(stripped)
        line = line[:cut] + ("\\u003a:" if json else ":\\:") + line[cut + 2 :]
    return line


class LineGuard:
    """Feed pieces of output, get back the safe text of every line they completed."""

    def __init__(self, *, json: bool = False, commands: bool = False) -> None:
        self._json, self._commands, self._pending = json, commands, ""

    def feed(self, piece: str) -> str:
        """The guarded text of the lines this piece completes (each with its line end)."""
        text = self._pending + piece
        end = text.rfind("\n")
        if end < 0:
            self._pending = text
            return ""
        self._pending = text[end + 1 :]
        block = text[: end + 1]
        if _clean(block):
            return block  # nearly always: no per-line work
        return "".join(self._line(line) + "\n" for line in text[:end].split("\n"))

    def close(self) -> str:
        """The unfinished last line, guarded."""
        text, self._pending = self._pending, ""
        return guard_line(text, json=self._json, commands=self._commands) if text else ""

    def _line(self, line: str) -> str:
        # Our own line ends are LF or CRLF (csv); any other CR is escaped by guard_line.
        ending = "\r" if line.endswith("\r") else ""
        body = line.removesuffix("\r")
        return guard_line(body, json=self._json, commands=self._commands) + ending
