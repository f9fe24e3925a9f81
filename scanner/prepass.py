"""A linear pass for secret shapes, for a file whose parser gave up (issue 16, class 5).

When a file times out (`--file-timeout`, `--deadline`) or is too large for its parser, the
scan cannot say which identities it declares, but it must not hide a secret a simple pass can
still see. This pass reads the text once: every run of characters that can belong to a token
is checked against `secrets.detect` (the same shapes and the same dummy filter as every
scanner), and PEM private key headers are found by name. It gives the detector and the line,
never the value.
"""

from __future__ import annotations

import re

from scanner import secrets

MAX_SHAPES = 100  # per file: enough to act on, without flooding the report
_MAX_RUN = 4096  # no known shape is longer (a PEM key is found by its header)
# Quotes, brackets, blanks and separators end a token; `=` too (`KEY=value`, `?a=b` in a URL).
_CANDIDATE = re.compile(r"[^\s\"'`,;(){}\[\]<>=|\\]{8," + str(_MAX_RUN) + "}")
_PRIVATE_KEY = re.compile(r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY")


def shapes(text: str) -> list[tuple[int, str]]:
    """(line, detector) of each secret shape in `text`, in order, at most MAX_SHAPES."""
    found: dict[tuple[int, str], None] = {}
    for pattern, detector in ((_CANDIDATE, None), (_PRIVATE_KEY, "private_key")):
        line, position = 1, 0
        for match in pattern.finditer(text):
            line += text.count("\n", position, match.start())
            position = match.start()
            kind = detector or _detector(match[0])
            if kind is not None:
                found[(line, kind)] = None
                if len(found) >= MAX_SHAPES:
                    return sorted(found)
    return sorted(found)


def _detector(token: str) -> str | None:
    match = secrets.detect(token)
    return None if match is None or match.detector == "private_key" else match.detector
