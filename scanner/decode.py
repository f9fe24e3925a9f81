"""Turn a file's bytes into the text a scanner reads, or say plainly why not.

Pure: the pipeline reads the bytes; this decides. Binary files and text that is not UTF-8
become `ParseError`s (and so report errors) rather than guesses at an encoding.
"""

from __future__ import annotations

import codecs

from scanner.errors import ParseError

_SNIFF = 8192  # like git, look for a NUL byte near the start to tell binary from text


def decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped; CRLF is kept for the scanners to handle)."""
    if b"\0" in data[:_SNIFF]:
        raise ParseError("binary file (contains NUL bytes); skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ParseError(
            f"not valid UTF-8 text (invalid byte at offset {error.start}); skipped", line
        ) from None


def export_text(data: bytes) -> str:
    """The text of a file an organisation exported (a roster, a teams file, an audit log):
    UTF-8, with or without a byte-order mark, or UTF-16 with one, which Windows PowerShell 5.1
    writes for `Out-File` and `>` (learn.microsoft.com, about_Character_Encoding). Raises
    UnicodeDecodeError for anything else."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")
