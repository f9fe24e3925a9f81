"""What a valid path in a report is: one rule for the scanner that writes reports and for the
aggregator that reads them (#16).

A path is repository-relative with POSIX `/` separators: not empty, not absolute, no NUL and
no `..` segment. Any other character is data: `docs\\notes.env` is a file name git tracks on
POSIX, not a Windows path. The report schema's `$defs/path` states the same rule (a test
checks the two agree).
"""

from __future__ import annotations

import re

# The schema's `$defs/path` `not.pattern`, character for character.
INVALID = "^/|\x00|(^|/)\\.\\.(/|$)"
_INVALID = re.compile(INVALID)


def valid(path: str) -> bool:
    """Whether `path` may stand in a report as a repository-relative path."""
    return bool(path) and _INVALID.search(path) is None


def unquote(name: str) -> str:
    """git's C-style quoting of unusual file names (`"b/a\\"b.tf"`)."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    raw = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "surrogateescape")
