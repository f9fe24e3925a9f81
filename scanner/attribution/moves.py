"""Moves of a Terraform block between files, traced from the commit that put it where it is
now (issue 20): a refactor that splits `main.tf`, a move into a module folder or a rename under
git's similarity threshold keeps the block's creator; a copy (the source still declares it) is
a new declaration, provisioned by whoever copied it.

Terraform files are blamed without `-C`: copy detection reads every file each commit in the
history changed, which made blame five times dearer on a long history (#21) and names the
author of a copy's original. Instead, the commit that introduced the block is asked whether it
took the block out of another file (the file declares it one time fewer afterwards); only then
is that file blamed, as the commit's parent had it. The commits that introduced this scan's
blocks are asked at once (`expect`): one `git log -G` names the files in which each added or
removed a block's first line, and one `git grep` per 500 blobs counts the blocks of those that
may have moved one; only commits a walk back reaches later are asked one by one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scanner import git
from scanner.attribution import blame
from scanner.attribution.blame import Commit, Line
from scanner.attribution.repo import BlameCache
from scanner.git import FULL_ID
from scanner.model import Identity

MAX_HOPS = 8  # moves of one declaration followed at most
# Where a Terraform block can come from: git reads no other file's blobs (a large binary in
# the same commit costs nothing, and one a partial clone lacks fails nothing).
TERRAFORM_FILES = ("*.tf", "*.tofu")
GREP_BATCH = 500  # files named in one `git grep` call
# A block's first line, as `git grep -E` finds it; only the type and name are kept from it.
_BLOCK = r'(resource|data)[[:space:]]+"[^"]+"[[:space:]]+"[^"]+"'
_QUOTED = re.compile(r'"[^"]+"')


@dataclass(frozen=True, slots=True)
class Trace:
    commit: Commit  # the commit that introduced the declaration (a move is never one)
    hops: tuple[str, ...]  # the moves, newest first, as evidence


def blamed_with_moves(path: str) -> bool:
    """Whether blame should follow lines into other files (-C) for this file: not for a
    Terraform file, whose moves `follow` traces."""
    return not path.endswith((".tf", ".tofu"))


def literal(identity: Identity, address: str | None = None) -> str | None:
    """The declaration's signature as `terraform fmt` writes it (`"type" "name"`), or None
    when the identity is not a Terraform block; `address` names it as it was earlier."""
    address = address or identity.attributes.get("address")  # type: ignore[assignment]
    if identity.scanner != "terraform" or not isinstance(address, str) or "." not in address:
        return None
    kind, _, name = address.rpartition(".")
    return f'"{kind.rpartition(".")[2]}" "{name}"'


def remembered(
    cache: BlameCache | None, material: str, compute: Callable[[], Trace | None]
) -> Trace | None:
    """`compute()`, or its answer from an earlier scan: tracing asks only about commits,
    which never change, so `material` (the commits, names and options asked about) is the
    whole key. Warm scans then run no git for moves at all (#21)."""
    if cache is None:
        return compute()
    key = "trace:" + hashlib.sha256(material.encode()).hexdigest()
    stored = cache.get_text(key)
    if stored is not None:
        try:
            data = json.loads(stored)
            return None if data is None else Trace(Commit(**data["commit"]), tuple(data["hops"]))
        except (ValueError, TypeError, KeyError):
            pass  # an entry of another shape: traced again
    found = compute()
    value = None if found is None else {"commit": dataclasses.asdict(found.commit),
                                        "hops": list(found.hops)}  # fmt: skip
    cache.put_text(key, json.dumps(value))
    return found


def follow(root: Path, here: Line, path: str, signature: str, ignored: frozenset[str]) -> Trace:
    """Follow the moves of the declaration `signature` back from `here` (its line, blamed
    without move detection: the commit that put it in `path`)."""
    commit, current, hops = here.commit, here.original_path or path, []
    for _ in range(MAX_HOPS):
        if commit.boundary or commit.uncommitted:
            break
        try:
            source = _moved_from(root, commit.sha, current, signature)
        except git.GitError as error:  # never silent: the answer is the commit, less sure
            hops.append(f"whether {commit.sha[:7]} moved it to {current} from another file is "
                        f"unknown ({error})")  # fmt: skip
            break
        if source is None:
            break
        older = _blame_before(root, commit.sha, source, signature, ignored)
        hops.append(f"moved to {current} from {source} by {commit.email} in {commit.sha[:7]}")
        if older is None:
            hops[-1] += f"; git could not blame {source} before that"
            break
        commit, current = older.commit, older.original_path or source
    return Trace(commit=commit, hops=tuple(hops))


def _moved_from(root: Path, sha: str, path: str, signature: str) -> str | None:
    """The file this commit took the declaration out of, or None (it was written here, or
    copied from a file that still declares it)."""
    changed = _changed(root, sha)
    if not any(other != path for other in changed):
        return None
    before, after = _declared(root, f"{sha}^", changed), _declared(root, sha, changed)
    for other in changed:
        if other != path and before.get((other, signature), 0) > after.get((other, signature), 0):
            return other
    return None


def _blame_before(
    root: Path, sha: str, source: str, signature: str, ignored: frozenset[str]
) -> Line | None:
    """The blamed first line of the declaration in `source` as the parent of `sha` had it."""
    text = _show(root, f"{sha}^", source) or ""
    number = next((n for n, line in enumerate(text.split("\n"), 1) if signature in line), None)
    return None if number is None else blamed(root, f"{sha}^", source, ignored).get(number)


@functools.lru_cache(maxsize=256)
def blamed(root: Path, rev: str, path: str, ignored: frozenset[str]) -> dict[int, Line]:
    """A whole file blamed at a commit, once for every block a move took out of it (a folder
    renamed moves all its blocks in one commit)."""
    try:
        return blame.parse(git.blame(root, path, [], ignore_revs=ignored, moves=False, rev=rev))
    except git.GitError:
        return {}


@dataclass(slots=True)
class _Expected:
    """The commits that introduced this scan's Terraform blocks, with the files they put them
    in: what `follow` will ask of each, asked of git at once the first time one is asked
    (warm scans, whose traces are remembered, ask nothing). At 20,000 commits this turned
    thousands of `git diff` and `git grep` processes into one `git log` and a few greps."""

    root: Path
    wanted: dict[str, set[str]]  # commit -> the paths its blocks were blamed in
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    changed: dict[str, tuple[str, ...]] | None = None
    declared: dict[tuple[str, tuple[str, ...]], dict[tuple[str, str], int]] = \
        dataclasses.field(default_factory=dict)  # fmt: skip

    def load(self) -> dict[str, tuple[str, ...]]:
        """What each expected commit changed; empty when the batch failed (a blob a partial
        clone lacks), and each commit is then asked alone, so one failure stays one."""
        with self.lock:
            if self.changed is None:
                try:
                    self.changed = self._fetch()
                except git.GitError:
                    self.changed = {}
            return self.changed

    def _fetch(self) -> dict[str, tuple[str, ...]]:
        listing = git.run(self.root, "log", "--no-walk=unsorted", "--stdin", "--no-renames",
                          "--diff-merges=first-parent", "-z", "--format=%x01%H",
                          "--name-status", "-G", _BLOCK, "--", *TERRAFORM_FILES,
                          input="\n".join(sorted(self.wanted)).encode())  # fmt: skip
        statuses: dict[str, list[tuple[str, str]]] = {sha: [] for sha in self.wanted}
        for record in listing.split("\x01")[1:]:
            sha, _, rest = record.partition("\0")
            tokens = [token.strip("\n") for token in rest.split("\0")]
            statuses[sha] = list(zip(tokens[0::2], tokens[1::2], strict=False))
        blobs, moving = [], []  # `REV:PATH` of each side of a commit that may have moved one
        for sha, changes in statuses.items():
            if self.wanted[sha] == {path for _, path in changes} and len(self.wanted[sha]) == 1:
                continue  # no other file gained or lost a block's first line: no move
            moving.append(sha)
            blobs += [f"{sha}^:{path}" for status, path in changes if status != "A"]
            blobs += [f"{sha}:{path}" for status, path in changes if status != "D"]
        by_rev: dict[str, dict[tuple[str, str], int]] = {}
        for (rev, path, signature), number in _grep(self.root, blobs).items():
            by_rev.setdefault(rev, {})[(path, signature)] = number
        for sha in moving:
            files = tuple(path for status, path in statuses[sha] if status and path)
            for rev in (f"{sha}^", sha):
                self.declared[(rev, files)] = by_rev.get(rev, {})
        return {sha: tuple(path for status, path in changes if status and path)
                for sha, changes in statuses.items()}  # fmt: skip


_EXPECTED: _Expected | None = None


def expect(root: Path, introductions: Mapping[str, set[str]]) -> None:
    """Name the commits `follow` is about to be asked about (one scan's; replaces the last)."""
    global _EXPECTED
    _EXPECTED = _Expected(root=root, wanted={sha: set(paths) for sha, paths in
                                             introductions.items()})  # fmt: skip


def _changed(root: Path, sha: str) -> tuple[str, ...]:
    """The Terraform files in which commit `sha` added or removed a block's first line,
    against its first parent (never asked of a root commit: `follow` stops at a boundary)."""
    expected = _EXPECTED
    if expected is not None and expected.root == root and sha in expected.wanted:
        known = expected.load().get(sha)
        if known is not None:
            return known
    return _changed_alone(root, sha)


@functools.lru_cache(maxsize=1024)
def _changed_alone(root: Path, sha: str) -> tuple[str, ...]:
    output = git.run(root, "diff", "--no-renames", "--name-only", "-z", "-G", _BLOCK,
                     f"{sha}^", sha, "--", *TERRAFORM_FILES)  # fmt: skip
    return tuple(name for name in output.split("\0") if name)


def _declared(root: Path, rev: str, files: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """How many times each block signature (`"type" "name"`) occurs in each of `files` at
    `rev`."""
    expected = _EXPECTED
    if expected is not None and expected.root == root and expected.changed is not None:
        known = expected.declared.get((rev, files))
        if known is not None:
            return known
    return _declared_alone(root, rev, files)


@functools.lru_cache(maxsize=2048)
def _declared_alone(root: Path, rev: str, files: tuple[str, ...]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str, str], int] = {}
    for start in range(0, len(files), GREP_BATCH):  # a path `rev` lacks declares nothing
        _count(git.run(root, "grep", "-o", "-I", "-z", "-E", _BLOCK, rev, "--",
                       *files[start : start + GREP_BATCH], fine=(0, 1)), counts)  # fmt: skip
    return {(path, signature): number for (_, path, signature), number in counts.items()}


def _grep(root: Path, blobs: list[str]) -> dict[tuple[str, str, str], int]:
    """Block signatures in each `REV:PATH` blob (each one exists), counted."""
    counts: dict[tuple[str, str, str], int] = {}
    for start in range(0, len(blobs), GREP_BATCH):
        _count(git.run(root, "grep", "-o", "-I", "-z", "-E", _BLOCK,
                       *blobs[start : start + GREP_BATCH], fine=(0, 1)), counts)  # fmt: skip
    return counts


def _count(output: str, counts: dict[tuple[str, str, str], int]) -> None:
    """Add up `git grep -o -z` matches, `REV:PATH\\0MATCH` a line: grep prints the signatures
    it matched and nothing else of the files (no value written in them reaches memory)."""
    for record in output.split("\n"):
        where, _, match = record.partition("\0")
        rev, _, path = where.partition(":")
        if match and path:
            key = (rev, path, " ".join(_QUOTED.findall(match)))
            counts[key] = counts.get(key, 0) + 1


def show(root: Path, rev: str, path: str) -> str | None:
    """A file as a commit had it (None: it did not exist there). Kept when `rev` names the
    commit by id (`SHA` or `SHA^`): that answer never changes, and many declarations of one
    file ask it. `HEAD` is read afresh."""
    if FULL_ID.fullmatch(rev.rstrip("^")):
        return _show(root, rev, path)
    return git.show(root, rev, path)


@functools.lru_cache(maxsize=1024)
def _show(root: Path, rev: str, path: str) -> str | None:
    return git.show(root, rev, path)
