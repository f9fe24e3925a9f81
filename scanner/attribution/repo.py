"""What attribution knows about a repository, read once: its shallow boundary, the configured
identity, bots, the revisions `.git-blame-ignore-revs` lists (read like a scanned file), and
the options and blame history types the other attribution modules share."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scanner import git, reading
from scanner.attribution.blame import Commit, Line
from scanner.errors import ParseError
from scanner.model import (
    Progress,
    ScanError,
)

IGNORE_REVS = ".git-blame-ignore-revs"

MAX_TEXT = 5_000_000  # files larger than the scan's own cap are blamed without their text

MAX_IGNORE_REVS_BYTES = 1024 * 1024

_HEX = re.compile(r"[0-9a-f]{4,64}")

BOTS = (
    r"\[bot\]", r"^dependabot", r"^renovate", r"^github-actions", r"^mergify",
    r"^snyk-bot", r"^pre-commit-ci", r"noreply@github\.com$",  # web-flow: GitHub's web UI
    # "GitHub Action", the addresses workflows commit as (cloudposse's readme-action: actions@)
    r"^actions?@github\.com$",
    r"^copilot$", r"\+copilot@users\.noreply\.github\.com$",  # the Copilot coding agent
    # An account named as a bot: semantic-release-bot, CFT's cloud-foundation-bot, getsentry-bot
    # <bot@...>, k8s-ci-robot (a hyphenated login, or an address whose name part ends in bot).
    r"^[\w.-]+[-_](?:ro)?bot$", r"^(?:\d+\+)?(?:[\w.-]*[-_])?(?:ro)?bots?@",
    # An address nobody reads is nobody's: coding agents sign their co-authored commits so
    # (Claude Code's noreply@anthropic.com), as do Cursor's and Qwen Code's agents.
    r"^no-?reply@", r"^cursoragent@cursor\.com$", r"^qwen-coder@",
)  # fmt: skip


class BlameCache(Protocol):
    """Where blame outputs are kept between runs (scanner.pipeline.cache.Cache)."""

    def get_text(self, key: str) -> str | None: ...

    def put_text(self, key: str, value: str) -> None: ...

    def put_texts(self, entries: Mapping[str, str]) -> None: ...

    def preload(self, keys: Sequence[str]) -> frozenset[str]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    bot_patterns: tuple[str, ...] = ()  # extra regexes on author name or email
    workers: int = 0  # 0: twice the cores, at most 8
    cache: BlameCache | None = None
    blobs: Mapping[str, str] = field(default_factory=dict)  # clean files' blob ids
    deadline: float | None = None  # time.monotonic() instant: no blame or matching after it
    deadline_seconds: float | None = None  # the --deadline it came from, for messages
    match_timeout: float | None = None  # seconds for all CODEOWNERS matching (--file-timeout)
    owner: str | None = None  # outside git: the folder's owner (--owner), its provisioner
    progress: Progress | None = None  # ("blamed", files done, files) as blame goes


@dataclass(frozen=True, slots=True, kw_only=True)
class History:
    """Blame results for one file, and what we looked past to get them."""

    lines: Mapping[int, Line]
    first: Mapping[int, Line]  # before bot commits were ignored
    unignored: Mapping[int, Line] | None  # without .git-blame-ignore-revs (when it exists)
    ignored: frozenset[str]  # revisions listed in .git-blame-ignore-revs
    bots: frozenset[str]  # bot commits we looked past
    error: str | None = None
    cached: bool = False  # every blame came from the cache (a warm scan)

    @property
    def failed(self) -> str | None:
        """Why blame failed, unless only because the file is not committed yet."""
        new = self.error is not None and ("no such path" in self.error or "HEAD" in self.error)
        return None if new else self.error


@dataclass(frozen=True, slots=True, kw_only=True)
class Repo:
    """What attribution needs to know about the repository, read once."""

    root: Path
    in_git: bool
    shallow: frozenset[str] = frozenset()
    me: tuple[str, str] = ("", "")
    head: str | None = None
    at_top: bool = False  # the scanned folder is the work tree's top (not a subfolder)
    cache: BlameCache | None = None
    blobs: Mapping[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()  # full ids from .git-blame-ignore-revs
    bot: re.Pattern[str] = field(default_factory=lambda: re.compile("|".join(BOTS)))

    def is_bot(self, commit: Commit) -> bool:
        """Asked for every blamed line: answered once per author (#21)."""
        return _is_bot(self.bot, commit.author, commit.email)

    def is_bot_author(self, author: str, email: str) -> bool:
        """`is_bot` of a commit's author name and (lower-case) email."""
        return _is_bot(self.bot, author, email)

    def ancestor(self, older: str, newer: str) -> bool:
        """Whether `older` is an ancestor of `newer` (memoised: asked only on ties)."""
        return _ancestor(self.root, older, newer)


_NOT_BLAMED = "not attributed (no git blame)"


@functools.lru_cache(maxsize=4096)
def _is_bot(bot: re.Pattern[str], author: str, email: str) -> bool:
    return bool(bot.search(author.lower()) or bot.search(email))


@functools.lru_cache(maxsize=4096)
def _ancestor(root: Path, older: str, newer: str) -> bool:
    return git.is_ancestor(root, older, newer)


def describe(root: Path, in_git: bool, options: Options) -> tuple[Repo, tuple[ScanError, ...]]:
    if not in_git:
        return Repo(root=root, in_git=False), ()
    top = git.toplevel(root)
    ignored, errors = ignored_revisions(root, top or root)
    pattern = "|".join([*BOTS, *options.bot_patterns])
    return Repo(
        root=root,
        in_git=True,
        shallow=git.shallow_commits(root) if git.is_shallow(root) else frozenset(),
        me=git.identity(root),
        ignored=ignored,
        bot=re.compile(pattern, re.IGNORECASE),
        head=git.head(root),
        at_top=top is not None and top == root.resolve(),
        cache=options.cache,
        blobs=options.blobs,
    ), errors


def ignored_revisions(root: Path, top: Path) -> tuple[frozenset[str], tuple[ScanError, ...]]:
    """Full commit ids from `.git-blame-ignore-revs`, and each line we could not use.

    Read like a scanned file (never through a link out of the repository, never a device),
    and parsed the way git parses it (`#` starts a comment), except that an abbreviated id is
    resolved and a bad line is an error instead of a blame that fails for every file.
    """
    if not os.path.lexists(top / IGNORE_REVS):
        return frozenset(), ()
    try:
        text = reading.read(top, IGNORE_REVS, MAX_IGNORE_REVS_BYTES).decode("utf-8", "replace")
    except ParseError as error:
        return frozenset(), (ScanError(path=IGNORE_REVS, line=None, message=error.message),)
    full: set[str] = set()
    short: dict[int, str] = {}
    errors: list[ScanError] = []
    for number, raw in enumerate(text.split("\n"), 1):
        value = raw.split("#")[0].strip().lower()
        if git.FULL_ID.fullmatch(value):
            full.add(value)  # one this clone lacks is skipped, as git does
        elif _HEX.fullmatch(value):
            short[number] = value
        elif value:
            errors.append(ScanError(path=IGNORE_REVS, line=number,
                                    message="not a commit id; line ignored"))  # fmt: skip
    resolved = git.commit_ids(root, list(short.values()))
    for (number, value), sha in zip(short.items(), resolved, strict=True):
        if sha is None:
            message = f"{value} names no commit, or more than one; line ignored"
            errors.append(ScanError(path=IGNORE_REVS, line=number, message=message))
        else:
            full.add(sha)
    return frozenset(full), tuple(sorted(errors, key=lambda e: e.line or 0))
