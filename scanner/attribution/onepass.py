"""Blame for many files from one pass over history (#21). Pure: `gitlog` runs git.

`git blame` walks the whole history once per file, so attribution grew with files times
commits (8x a scan at 20,000 commits). One `git log -p -U0 -w` of every file an identity is
declared in holds each change to them; walking it per file gives what blame gives for the
lines asked, where history is plain: changes along one line of descent, merges that took the
file unchanged from a parent. Where blame could answer otherwise, the file is left to `git
blame` (`Refusal`): a line that may have moved in from elsewhere in the file (-M) or, for
files blamed with -C, from another file the commit changed; a file added in a commit that
renamed files (it may be one of them), or renamed with edits; a merge that changed the file
against every parent; a binary version. Exact renames are followed. Whether a move was
possible is judged like git judges it (a run of matching lines, whitespace ignored, with 20
alphanumerics or more), but more widely: a doubt goes to git. The answer is written as
blame's porcelain, so the cache and the parser stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from scanner import paths

SCORE = 20  # git blame's default move score (-M, -C20): alphanumerics in a moved run
MAX_SOURCES = 30  # files a -C commit changed beyond which the doubt goes to git unread
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_WHITESPACE = b" \t\n\r\f\v"  # what -w ignores (xdiff's XDL_ISSPACE)
_INLINE_SPACE = b" \t\r\f\v"  # the same but the line break
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


class Refusal(Exception):
    """This file's lines are left to `git blame`; the message says why (for tests)."""


class Hunk(NamedTuple):
    old: int
    old_count: int
    new: int
    new_count: int
    added: tuple[tuple[int, int], ...]  # each added line: (hash without whitespace, alnums)


class Change(NamedTuple):
    status: str
    old_blob: str
    new_blob: str
    hunks: tuple[Hunk, ...]


@dataclass(frozen=True, slots=True)
class Node:
    sha: str
    parents: tuple[str, ...]  # rewritten to the nearest commits that touched the files
    author: str
    email: str
    time: str
    summary: str
    changes: Mapping[str, Change]
    binary: bool  # some file of this commit changed as binary: no lines to follow


def key(text: str) -> tuple[int, int]:
    """A line as -w compares it (a hash of its bytes without whitespace, so no content is
    kept) and its ASCII alphanumerics."""
    stripped = text.encode("utf-8", "surrogateescape").translate(None, _WHITESPACE)
    return hash(stripped), len(_NOT_ALNUM.sub("", text))


def parse(text: str) -> dict[str, Node]:
    """The commits of one `gitlog.histories` output, by id."""
    nodes: dict[str, Node] = {}
    # Records start with NUL and RS: an empty field (an author with no email, as a real history
    # has: aztfmod/terraform-azurerm-caf) writes two NULs in a row, which never start a record.
    for record in text.split("\0\x1e")[1:]:
        fields = record.split("\0", 5)
        if len(fields) != 6:
            raise Refusal("a history record git did not write as asked")
        head, author, email, time, body, rest = fields
        shas = head.split()
        # git blame's summary of a commit with no message is its id in parentheses.
        summary = next((line for line in body.split("\n") if line.strip()), f"({shas[0]})")
        changes, binary = _changes(rest)
        nodes[shas[0]] = Node(sha=shas[0], parents=tuple(shas[1:]), author=author,
                              email=email, time=time, summary=summary, changes=changes,
                              binary=binary)  # fmt: skip
    return nodes


def _changes(text: str) -> tuple[dict[str, Change], bool]:
    raw: dict[str, tuple[str, str, str]] = {}
    hunks: dict[str, list[Hunk]] = {}
    binary = False
    current: str | None = None
    lines = text.split("\n")
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if line.startswith(":"):
            meta, _, name = line.partition("\t")
            fields = meta.split()
            if len(fields) == 5:
                raw[paths.unquote(name)] = (fields[4][:1], fields[2], fields[3])
        elif line.startswith("diff --git "):
            current = None
        elif line.startswith("+++ "):
            current = None if line == "+++ /dev/null" else paths.unquote(line[4:])[2:]
        elif line.startswith("Binary files "):
            binary = True
        elif current is not None and (match := _HUNK.match(line)):
            old, new = int(match[1]), int(match[3])
            old_count = int(match[2]) if match[2] is not None else 1
            new_count = int(match[4]) if match[4] is not None else 1
            added: list[tuple[int, int]] = []
            removed = 0
            while (removed < old_count or len(added) < new_count) and at < len(lines):
                body = lines[at]
                at += 1
                if body.startswith("-"):
                    removed += 1
                elif body.startswith("+"):
                    added.append(key(body[1:]))
                elif not body.startswith("\\"):  # "\ No newline at end of file"
                    raise Refusal("a hunk shorter than its header")
            hunks.setdefault(current, []).append(Hunk(old, old_count, new, new_count,
                                                      tuple(added)))  # fmt: skip
    changes = {name: Change(status, old, new, tuple(hunks.get(name, ())))
               for name, (status, old, new) in raw.items()}  # fmt: skip
    return changes, binary


class Origin(NamedTuple):
    sha: str
    path: str  # the file's name in that commit
    line: int  # in the file as that commit left it
    status: str  # how that commit changed the file: A (added it) or M
    hunk: Hunk
    old_blob: str  # the file in the parent (status M)


@dataclass(slots=True)
class Walk:
    """One file's lines on their way down its history."""

    name: str  # at HEAD
    path: str  # in the commit the walk has reached (renames followed)
    sha: str
    blob: str  # the file's blob at `sha`
    lines: dict[int, int]  # line there -> line at HEAD
    found: dict[int, Origin] = field(default_factory=dict)  # line at HEAD -> its origin

    def advance(
        self, nodes: Mapping[str, Node], renames: Mapping[str, Mapping[str, str]]
    ) -> str | None:
        """Follow the lines until all are placed (None) or a merge is reached (its id);
        through the exact renames `renames` lists (commit -> new name -> old name)."""
        while self.lines:
            node = nodes.get(self.sha)
            if node is None:
                raise Refusal(f"{self.sha} is not in the history read")
            if len(node.parents) > 1:
                return node.sha
            change = node.changes.get(self.path)
            if change is None:
                if not node.parents:
                    raise Refusal("the file is older than the history read")
                self.sha = node.parents[0]
                continue
            older = renames.get(node.sha, {}).get(self.path)
            if change.status == "A" and older is not None and node.parents:
                self.path, self.sha = older, node.parents[0]  # the same blob: every line
                continue
            if node.binary or change.status not in ("A", "M"):
                raise Refusal(f"{node.sha} changed the file as {change.status or 'binary'}")
            below: dict[int, int] = {}
            for line, final in self.lines.items():
                hunk, before = place(change.hunks, line)
                if hunk is not None:
                    self.found[final] = Origin(node.sha, self.path, line, change.status, hunk,
                                               change.old_blob)  # fmt: skip
                elif change.status == "M" and node.parents:
                    below[before] = final
                else:
                    raise Refusal(f"line {line} has no origin in {node.sha}")
            self.lines = below
            self.sha, self.blob = (node.parents or ("",))[0], change.old_blob
        return None


def blob_at(
    nodes: Mapping[str, Node], sha: str, path: str, known: dict[tuple[str, str], str | None]
) -> str | None:
    """The blob of `path` at commit `sha` ("" for none) as the history read tells it: the
    nearest change to it down the line of single parents; None past a merge (git is asked)."""
    seen = []
    found: str | None = ""
    while (sha, path) not in known:
        seen.append(sha)
        node = nodes.get(sha)
        if node is None or len(node.parents) > 1:
            found = None
            break
        change = node.changes.get(path)
        if change is not None:
            found = "" if change.status == "D" else change.new_blob
            break
        if not node.parents:
            break
        sha = node.parents[0]
    else:
        found = known[(sha, path)]
    known.update(((commit, path), found) for commit in seen)
    return found


def place(hunks: Sequence[Hunk], line: int) -> tuple[Hunk | None, int]:
    """The hunk that added `line`, or the line's number before the change."""
    offset = 0
    for hunk in hunks:
        if hunk.new_count and hunk.new <= line < hunk.new + hunk.new_count:
            return hunk, line
        if line >= hunk.new + (hunk.new_count or 1):
            offset += hunk.old_count - hunk.new_count
        else:
            break
    return None, line + offset


def moved(hunk: Hunk, source: frozenset[int]) -> bool:
    """Whether some run of the hunk's lines found in `source` could be a move git follows."""
    run = 0
    for line, alnums in hunk.added:
        run = run + alnums if line in source else 0
        if run >= SCORE:
            return True
    return False


def lines_of(blob: bytes) -> frozenset[int]:
    """Each line's hash as `key` takes it: the blob's whitespace but line breaks taken out at
    once, in bytes, then cut at line breaks (at 100,000 commits, a line at a time in text took
    2.5 s). UTF-8 never codes another character with an ASCII byte: the same lines."""
    return frozenset(map(hash, blob.translate(None, _INLINE_SPACE).split(b"\n")))


class Commit(NamedTuple):
    """What the full change list says of a commit that lines are blamed on."""

    parents: tuple[str, ...]  # real ones
    sources: tuple[tuple[str, str, str], ...]  # (status, old blob, path) of each changed file
    renames: Mapping[str, tuple[str, str]]  # new path -> (score, old path)


def exact_renames(text: str) -> dict[str, dict[str, str]]:
    """The output of `gitlog.renames`: commit -> new name -> old name, exact renames only
    (blame follows a rename whatever its score; the walk follows only those that change no
    line, and leaves the others to git blame)."""
    found: dict[str, dict[str, str]] = {}
    for sha, commit in commits(text).items():
        exact = {new: old for new, (score, old) in commit.renames.items() if score == "100"}
        if exact:
            found[sha] = exact
    return found


def commits(text: str) -> dict[str, Commit]:
    """The output of `gitlog.changes`, by commit id."""
    found: dict[str, Commit] = {}
    for record in text.split("\0\0")[1:]:
        head, _, rest = record.partition("\n")
        shas = head.split()
        sources, renames = [], {}
        for line in rest.split("\n"):
            meta, _, names = line.partition("\t")
            fields = meta.split()
            if line.startswith(":") and len(fields) == 5:
                old, _, new = (paths.unquote(name) for name in names.partition("\t"))
                sources.append((fields[4][:1], fields[2], old))
                if fields[4].startswith("R"):
                    renames[new] = (fields[4][1:], old)
        found[shas[0]] = Commit(tuple(shas[1:]), tuple(sources), renames)
    return found


def porcelain(nodes: Mapping[str, Node], walk: Walk, full: Mapping[str, Commit]) -> str:
    """The walk's answer as `git blame --porcelain` writes it, contents cut (git.blame)."""
    out: list[str] = []
    seen: set[str] = set()
    for final in sorted(walk.found):
        origin = walk.found[final]
        node, parents = nodes[origin.sha], full[origin.sha].parents
        out.append(f"{origin.sha} {origin.line} {final} 1")
        if origin.sha not in seen:
            seen.add(origin.sha)
            out += [f"author {node.author}", f"author-mail <{node.email}>",
                    f"author-time {node.time}", f"summary {node.summary}"]  # fmt: skip
            out += [] if parents else ["boundary"]
            out += [f"previous {parents[0]} {origin.path}"] if origin.status == "M" else []
        out += [f"filename {origin.path}", "\t"]
    return "\n".join(out) + "\n"


def doubts(walk: Walk, full: Mapping[str, Commit], copies: bool) -> Iterable[tuple[str, str, Hunk]]:
    """The blobs a line may have moved from, each with the commit and the hunk that would
    have moved it (raises Refusal where the doubt cannot be settled by reading blobs)."""
    for origin in {(o.sha, o.hunk): o for o in walk.found.values()}.values():
        commit = full.get(origin.sha)
        if commit is None:
            raise Refusal(f"{origin.sha} was not listed")
        if not commit.parents:
            continue  # a root commit: nothing to move from
        if len(commit.parents) > 1:
            raise Refusal(f"lines blamed on the merge {origin.sha}")
        # A file git log saw added, not renamed, had no deleted file like it, unless a
        # deleted file went to another name and might have matched this one too.
        if origin.status == "A" and (origin.path in commit.renames or commit.renames):
            raise Refusal(f"{origin.sha} renamed files: this one may be one of them")
        if origin.status == "M":
            yield origin.sha, origin.old_blob, origin.hunk
        if copies:
            others = [(old, name) for status, old, name in commit.sources
                      if status in "MDTR" and name != origin.path]  # fmt: skip
            if len(others) > MAX_SOURCES:
                raise Refusal(f"{origin.sha} changed {len(others)} other files")
            yield from ((origin.sha, old, origin.hunk) for old, _ in others)
