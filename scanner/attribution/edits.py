"""Who first declared an identity whose line was edited since: blame names the last person who
changed a line, and a one-line declaration (a publish step's `uses:`, a `.env` key, an MCP
`env` entry, a secret reference) is edited for reasons that create nothing: an action pinned
to a commit, a version bumped, an input renamed, a value rotated.

So the file as the blamed commit's parent had it is read with the same scanner; while that
version declares the same identity (same kind and name), its line there is blamed at the
parent, and so on back to the commit whose parent did not declare it: that commit introduced
it. Terraform blocks are not walked here (`provisioner._walk_back` and `moves` trace them).
Where the walk cannot finish, the blamed commit stays the answer and the hops say why.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner import git
from scanner.attribution import blame, history, moves, provenance, versions
from scanner.attribution.blame import Line
from scanner.attribution.repo import History, Repo
from scanner.model import Identity

MAX_HOPS = 10  # edits of one declaration looked past, at most
# `uses: owner/repo/path@ref`: what an edit of a step's action did, told without its values.
_USES = re.compile(r"\buses\s*:\s*['\"]?(?P<action>[^@\s'\"#]+)@(?P<ref>[^\s'\"#]+)")
_PIN = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


class _Untold(Exception):
    """A walk that could not finish (the deadline, a git failure): its notes are today's
    answer's evidence, and nothing is remembered of it, so a later scan tries again."""

    def __init__(self, notes: tuple[str, ...]) -> None:
        super().__init__(*notes)
        self.notes = notes


@dataclass(frozen=True, slots=True)
class Walk:
    """Where a walk back ended: `line` introduced the declaration when `hops` are edits looked
    past; when `failed`, `line` is the blamed one (today's answer) and `hops` say why."""

    line: Line
    hops: tuple[str, ...]
    failed: bool = False


def through(
    repo: Repo,
    identity: Identity,
    past: History,
    choice: provenance.Choice,
    text: Sequence[str],
    deadline: float | None = None,
) -> provenance.Choice:
    """`choice` (one line of `identity`, whose file now reads `text`) walked back past the
    edits of its line, remembered between scans (a walk asks only about commits)."""
    start = choice.line
    if start is None:
        return choice
    ignored = past.bots | repo.ignored
    material = (f"edits\0{start.commit.sha}\0{start.previous}\0{start.original_path}\0"
                f"{start.number}\0{identity.scanner}\0{identity.kind}\0{identity.name}\0"
                f"{identity.pointer}\0{sorted(ignored)}\0{sorted(repo.shallow)}")  # fmt: skip

    def compute() -> moves.Trace | None:
        found = walk(repo, identity, start, text, ignored, deadline)
        if found is not None and found.failed:
            raise _Untold(found.hops)
        return None if found is None else moves.Trace(found.line.commit, found.hops)

    try:  # an uncommitted line is walked from HEAD, which a commit changes: never kept
        walked = moves.remembered(None if start.commit.uncommitted else repo.cache, material,
                                  compute)  # fmt: skip
    except _Untold as untold:  # today's answer, and why it stands
        return dataclasses.replace(choice, notes=(*choice.notes, *untold.notes))
    if walked is None:
        return dataclasses.replace(choice, walked=True)
    line = dataclasses.replace(start, commit=walked.commit, original_path=identity.path,
                               previous=None)  # fmt: skip
    return provenance.Choice(line=line, notes=(*choice.notes, *walked.hops), looked_past=True,
                             walked=True)  # fmt: skip


def walk(
    repo: Repo,
    identity: Identity,
    start: Line,
    text: Sequence[str],
    ignored: frozenset[str],
    deadline: float | None = None,
) -> Walk | None:
    """Walk back from `start` (the blamed line of `identity`, whose file now reads `text`);
    None when `start`'s commit introduced the declaration."""
    line, found, lines = start, identity, text
    current = versions.current(identity.scanner, identity.path, text)
    newer, path = repo.head or "HEAD", identity.path  # the version `found` is read from
    hops: list[str] = []
    looked_for_bots = False
    for _ in range(MAX_HOPS):
        if deadline is not None and time.monotonic() > deadline:
            return _failed(start, hops, "the scan's deadline passed")
        who = "an uncommitted change" if line.commit.uncommitted else \
            f"{line.commit.email} in {line.commit.sha[:7]}"  # fmt: skip
        if not line.commit.uncommitted:  # what the blamed commit wrote declared it?
            written = versions.declarations(repo, identity, line.commit.sha,
                                            line.original_path or path)  # fmt: skip
            if isinstance(written, str):
                return _failed(start, hops, f"whether {who} introduced it is unknown: {written}")
            mine = versions.counterpart(found, current, written)
            moved_in = (line.original_path or path) != path
            if mine is None and moved_in:  # written in another file, or under another name
                return _failed(start, hops, f"{who} wrote its line in {line.original_path}, "
                                            "whether as this declaration is unknown")  # fmt: skip
            if mine is None:  # its line is older than the declaration: who made it one?
                later = versions.introduced_between(repo, identity, found, current,
                                                    line.commit.sha, newer, path)  # fmt: skip
                if isinstance(later, str):
                    return _failed(start, hops, f"{who} wrote its line before it declared "
                                                f"this; {later}")  # fmt: skip
                hops.append(f"its line is older: written by {who}, before it declared this")
                return Walk(line=dataclasses.replace(line, commit=later), hops=tuple(hops))
            found, current = mine, written
        before = line.previous or ((repo.head, identity.path)
                                   if line.commit.uncommitted and repo.head else None)  # fmt: skip
        if before is None:  # the commit created the file: nothing older to look at
            break
        there = versions.declarations(repo, identity, *before)
        if isinstance(there, str):
            return _failed(start, hops, f"whether {who} introduced it is unknown: {there}")
        older = versions.counterpart(found, current, there)
        if older is None:
            break
        old = moves.show(repo.root, *before) or ""
        hops.append(
            f"edited by {who} ({_change(lines, line.number, old, older)})"
            + (f"; it was in {before[1]} before" if before[1] != found.path else "")
        )
        earlier = _blamed_line(repo, older, before, old, ignored)
        if earlier is not None and not looked_for_bots and repo.is_bot(earlier.commit):
            # A run of version bumps by a bot (one blame each): blamed past them all at once.
            rev, older_path = before
            looked_for_bots, ignored = True, ignored | history.bot_commits(repo, older_path, rev)
            earlier = _blamed_line(repo, older, before, old, ignored)
            hops.append(f"edits by bots before {before[0][:7]} were looked past")
        if earlier is None:
            return _failed(start, hops, f"git could not blame {before[1]} at {before[0][:7]}")
        if earlier.commit.sha in repo.shallow:
            return _failed(start, hops, f"history before {earlier.commit.sha[:7]} is missing "
                                        "(a shallow clone)")  # fmt: skip
        line, found, current, lines = earlier, older, there, old.split("\n")
        newer, path = before
    else:
        return _failed(start, hops, f"edited more than {MAX_HOPS} times; older edits were not "
                                    "followed")  # fmt: skip
    return None if line is start else Walk(line=line, hops=tuple(hops))


def _failed(start: Line, hops: Sequence[str], why: str) -> Walk:
    return Walk(line=start, hops=(f"not walked back past its edits: {why}",
                                  *(f"(seen: {hop})" for hop in hops)), failed=True)  # fmt: skip


def _blamed_line(
    repo: Repo, older: Identity, before: tuple[str, str], old: str, ignored: frozenset[str]
) -> Line | None:
    """The blamed line of `older` at `before`: its anchor; for a workflow secret, its oldest
    reference (where the walk from the current file started, too)."""
    wanted = tuple(provenance.content_lines(older, old.split("\n")))
    if older.kind != "workflow_secret":
        wanted = (older.anchor_line,)
    blamed = _lines(repo.root, before[0], before[1], wanted, ignored)
    found = [blamed[n] for n in wanted if n in blamed]
    return min(found, key=lambda line: line.commit.time) if found else None


@functools.lru_cache(maxsize=256)
def _lines(
    root: Path, rev: str, path: str, numbers: tuple[int, ...], ignored: frozenset[str]
) -> dict[int, Line]:
    """Only these lines blamed at a commit: git stops as soon as it has placed them (half
    the time of the whole file on pydantic's 1,000-line ci.yml at 5,700 commits)."""
    try:
        return blame.parse(git.blame(root, path, [(n, n) for n in numbers],
                                     ignore_revs=ignored, moves=False, rev=rev))  # fmt: skip
    except git.GitError:
        return {}


def _change(lines: Sequence[str], number: int, old: str, older: Identity) -> str:
    """What an edit did to the declaration's line (`number` of `lines`), never quoting a
    value."""
    after = lines[number - 1] if 0 < number <= len(lines) else ""
    earlier = old.split("\n")
    was = earlier[older.anchor_line - 1] if 0 < older.anchor_line <= len(earlier) else ""
    new, previous = _USES.search(after), _USES.search(was)
    if new is None or previous is None:
        return "changed its line"
    if new["action"] != previous["action"]:
        return "changed the action it uses"
    pinned, was_pinned = _PIN.fullmatch(new["ref"]), _PIN.fullmatch(previous["ref"])
    if pinned and not was_pinned:
        return "pinned the action to a commit"
    if was_pinned and not pinned:
        return "unpinned the action"
    if new["ref"] == previous["ref"]:
        return "changed its line, not the action's version"
    return "moved the action's pin to another commit" if pinned else \
        "changed the action's version"  # fmt: skip
