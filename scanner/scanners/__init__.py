"""The scanner registry: one module per file kind, listed in `SCANNERS`.

A scanner is a module with `PATTERNS` (globs on the repository-relative POSIX path) and a
pure `scan(path, text)` that yields facts and raises `ParseError` on bad syntax, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from scanner import globs
from scanner.model import Fact
from scanner.scanners import (
    dotenv,
    mcp,
    mcp_clients,
    mcp_manifests,
    terraform,
    tfvars,
    workflows,
)


class Scanner(Protocol):
    """What every module in `SCANNERS` provides (checked by mypy at the table below)."""

    @property
    def PATTERNS(self) -> tuple[str, ...]: ...

    def scan(self, path: str, text: str) -> Iterator[Fact]: ...


SCANNERS: dict[str, Scanner] = {
    "dotenv": dotenv,
    "mcp": mcp,
    "terraform": terraform,
    "tfvars": tfvars,
    "workflows": workflows,
}


@dataclass(frozen=True, slots=True)
class Globs:
    """One table's file patterns as two regexes: `names`, what a path's last component must
    match (cheap: a file name is short), then `paths`, the whole path. A monorepo lists
    100,000 paths and nearly all of them are nobody's: the name says so in a microsecond,
    where each whole-path pattern backtracks over the path's folders (7 us a path)."""

    names: re.Pattern[str]
    paths: re.Pattern[str]

    @classmethod
    def of(cls, patterns: Iterable[str]) -> Globs:
        patterns = tuple(patterns)
        last = {p.rpartition("/")[2] for p in patterns}
        anything = any("**" in name or "\\" in name or not name for name in last)
        names = ".*" if anything else "|".join(f"(?:{globs.to_regex('/' + n)})" for n in last)
        paths = "|".join(f"(?:{globs.to_regex(p)})" for p in patterns)
        return cls(re.compile(names, re.DOTALL), re.compile(paths))

    def match(self, path: str) -> bool:
        return bool(self.names.fullmatch(path.rpartition("/")[2]) and self.paths.fullmatch(path))


# In `SCANNERS` order: the first scanner whose patterns match a path claims it.
_CLAIMS = tuple((name, Globs.of(module.PATTERNS)) for name, module in SCANNERS.items())

# Scanners that also recognise files by content (issue 18): globs tried only when no scanner
# claims a file by name, and the cheap byte test discovery runs before such a file is scanned.
CONTENT: dict[str, tuple[Globs, Callable[[str], bool], Callable[[bytes], bool]]] = {
    "mcp": (
        Globs.of(mcp_clients.CONTENT_PATTERNS),
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
    return _claimed(path) or by_content(path)


def _claimed(path: str) -> str | None:
    return next((name for name, table in _CLAIMS if table.match(path)), None)


def by_content(path: str) -> str | None:
    """The scanner that may recognise `path` by content when no scanner claims it by name."""
    for name, (table, skipped, _) in CONTENT.items():
        if table.match(path) and not skipped(path):
            return name
    return None


def sniffer(path: str) -> Callable[[bytes], bool] | None:
    """The byte test a file must pass before it is scanned: None when it is claimed by name."""
    if _claimed(path):
        return None
    name = by_content(path)
    return None if name is None else CONTENT[name][2]
