"""Turn a file's bytes into the text a scanner reads, or say plainly why not.

Pure: the pipeline reads the bytes; this decides. Binary files and text that is not UTF-8
become `ParseError`s (and so report errors) rather than guesses at an encoding.
"""

from __future__ import annotations

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
