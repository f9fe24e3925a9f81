"""Owner hints written as comments next to a declaration: `# owner: @team` or `nhi:owner=x`.

A hint counts on the declaration's own line or in the comment block directly above it. Pure:
the pipeline hands over the text it already read. Hints go to `declared_owners`, never to
`owners` (which only CODEOWNERS fills); policies decide what a hint is worth.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HINT = re.compile(r"(?:#|//|/\*|\*)\s*(?:owner:\s*|nhi:owner=)([^\s,*/]+)", re.IGNORECASE)
_COMMENT = re.compile(r"^\s*(#|//|/\*|\*)")
MARKERS = ("owner:", "nhi:owner=")


def owners_near(lines: Sequence[str], line: int) -> tuple[str, ...]:
    """Owner hints on `line` (1-based) or in the comment block right above it."""
    found = _HINT.findall(lines[line - 1]) if 0 < line <= len(lines) else []
    above = line - 2
    while above >= 0 and _COMMENT.match(lines[above]):
        found = _HINT.findall(lines[above]) + found
        above -= 1
    return tuple(dict.fromkeys(found))


def has_hints(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in MARKERS)
