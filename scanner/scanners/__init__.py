"""The scanner registry: one module per file kind, listed in `SCANNERS`.

A scanner is a module with `PATTERNS` (globs on the repository-relative POSIX path) and a
pure `scan(path, text)` that yields facts and raises `ParseError` on bad syntax, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from scanner import globs
from scanner.model import Fact
from scanner.scanners import dotenv, mcp, mcp_clients, mcp_manifests, terraform, workflows


class Scanner(Protocol):
    """What every module in `SCANNERS` provides (checked by mypy at the table below)."""

    @property
    def PATTERNS(self) -> tuple[str, ...]: ...

    def scan(self, path: str, text: str) -> Iterator[Fact]: ...


SCANNERS: dict[str, Scanner] = {
    "dotenv": dotenv,
    "mcp": mcp,
    "terraform": terraform,
    "workflows": workflows,
}


# One pattern for every scanner's globs, a named group each, in `SCANNERS` order: the first
# scanner whose globs match a path claims it (one match per path; a repository lists 100,000).
_CLAIMS = re.compile("|".join(
    f"(?P<{name}>" + "|".join(f"(?:{globs.to_regex(p)})" for p in module.PATTERNS) + ")"
    for name, module in SCANNERS.items()
))  # fmt: skip


# Scanners that also recognise files by content (issue 18): globs tried only when no scanner
# claims a file by name, and the cheap byte test discovery runs before such a file is scanned.
CONTENT: dict[str, tuple[re.Pattern[str], Callable[[str], bool], Callable[[bytes], bool]]] = {
    "mcp": (
        re.compile("|".join(f"(?:{globs.to_regex(p)})" for p in mcp_clients.CONTENT_PATTERNS)),
        mcp_clients.skipped_for_content,
        lambda data: mcp_clients.sniff(data) or mcp_manifests.sniff(data),
    ),
}


def prepare(names: Iterable[str]) -> None:
    """Build what the named scanners need once, before any file is timed: a scanner module may
    have a `prepare()` (Terraform builds python-hcl2's grammar)."""
    for name in sorted(set(names)):
        setup = getattr(SCANNERS[name], "prepare", None)
        if setup is not None:
            setup()


def for_path(path: str) -> str | None:
    """The name of the scanner that reads `path`, or None."""
    claimed = _CLAIMS.fullmatch(path)
    return claimed.lastgroup if claimed else by_content(path)


def by_content(path: str) -> str | None:
    """The scanner that may recognise `path` by content when no scanner claims it by name."""
    for name, (matcher, skipped, _) in CONTENT.items():
        if matcher.fullmatch(path) and not skipped(path):
            return name
    return None


def sniffer(path: str) -> Callable[[bytes], bool] | None:
    """The byte test a file must pass before it is scanned: None when it is claimed by name."""
    if _CLAIMS.fullmatch(path):
        return None
    name = by_content(path)
    return None if name is None else CONTENT[name][2]
