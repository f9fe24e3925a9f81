"""Deepening a shallow checkout just enough for the identities' files (#22).

Blame names a line's author only when the commit that wrote it was fetched; on a shallow clone
every older line is blamed on the boundary commit. A file whose lines can all be attributed is
one that was added after the boundary (or renamed from such a file). So: find the files that
declare identities (a parse-only scan, which also warms the per-file cache the real scan
reads), then fetch more history, doubling the depth each time, until each of those files was
added inside the fetched history, the clone is whole, or the time budget runs out. A small
repository becomes whole on the first step; a large one stops at the depth its identities need.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from scanner import git

FIRST_STEP = 50  # commits; then 100, 200, 400 ... (never fewer than the clone already has)

Fetch = Callable[[Path, int, float], "str | None"]  # (root, commits, seconds) -> problem


@dataclass(frozen=True, slots=True, kw_only=True)
class Deepened:
    """What deepening did: for the Action's log line."""

    fetched: int  # commits now reachable from HEAD that were not before
    seconds: float
    whole: bool  # the clone is no longer shallow
    missing: tuple[str, ...]  # identity files whose history still starts before the boundary
    problem: str | None  # why it stopped early (a fetch failed, the budget ran out)

    def describe(self) -> str:
        took = f"fetched {self.fetched} more commit{'s' * (self.fetched != 1)} in " \
               f"{self.seconds:.1f} s"  # fmt: skip
        if self.whole:
            return f"the checkout was shallow; {took}: its full history"
        if not self.missing:
            return f"the checkout was shallow; {took}: every identity file's history is complete"
        named = ", ".join(self.missing[:5]) + (" ..." if len(self.missing) > 5 else "")
        return (f"the checkout was shallow; {took}; the history of {len(self.missing)} identity "
                f"file{'s' * (len(self.missing) != 1)} still starts before the fetched commits "
                f"({named}){f' ({self.problem})' if self.problem else ''}: the provisioners of "
                "their older lines are unknown")  # fmt: skip


def incomplete(root: Path, files: Collection[str]) -> set[str]:
    """The `files` (repository-relative) not added after the shallow boundary: their older
    lines are blamed on the boundary commit."""
    boundary = git.shallow_commits(root)
    if not boundary or not files:
        return set()
    listing = git.run(root, "log", "--format=", "--name-status", "-z", "-M", "--diff-filter=AR",
                      "HEAD", "--not", *sorted(boundary))  # fmt: skip
    added: set[str] = set()
    renamed: dict[str, str] = {}  # new path -> the path it came from
    tokens = iter(listing.split("\0"))
    for status in tokens:
        if status.startswith("A"):
            added.add(next(tokens, ""))
        elif status.startswith("R"):
            old, new = next(tokens, ""), next(tokens, "")
            renamed.setdefault(new, old)  # the newest rename of a path comes first
    return {name for name in files if not _complete(name, added, renamed)}


def _complete(name: str, added: set[str], renamed: dict[str, str]) -> bool:
    seen: set[str] = set()
    while name not in added:
        if name in seen or name not in renamed:
            return False
        seen.add(name)
        name = renamed[name]
    return True


def deepen(root: Path, files: Collection[str], seconds: float, fetch: Fetch) -> Deepened:
    """Fetch history with `fetch` until every one of `files` is attributable, within
    `seconds`."""
    started = time.monotonic()
    before = _depth(root)
    missing, problem, step = set(files), None, max(FIRST_STEP, before)
    try:
        missing = incomplete(root, files)
        while missing:
            left = seconds - (time.monotonic() - started)
            if left <= 0:
                problem = f"the {seconds:g} s budget ran out"
                break
            problem = fetch(root, step, left)
            if problem is not None:
                break
            missing, step = incomplete(root, files), step * 2
    except git.GitError as error:  # git cannot list the history it has: every file is cut
        problem = str(error)
    return Deepened(
        fetched=_depth(root) - before,
        seconds=time.monotonic() - started,
        whole=not git.is_shallow(root),
        missing=tuple(sorted(missing)),
        problem=problem,
    )


def _depth(root: Path) -> int:
    try:
        return int(git.run(root, "rev-list", "--count", "HEAD", timeout=60.0).strip() or 0)
    except (git.GitError, subprocess.TimeoutExpired, ValueError):
        return 0
