"""Moves of a Terraform block between files, traced from the commit that put it where it is
now (issue 20): a refactor that splits `main.tf`, a move into a module folder or a rename under
git's similarity threshold keeps the block's creator; a copy (the source still declares it) is
a new declaration, provisioned by whoever copied it.

Terraform files are blamed without `-C`: copy detection reads every file each commit in the
history changed, which made blame five times dearer on a long history (#21) and names the
author of a copy's original. Instead, the commit that introduced the block is asked whether it
took the block out of another file (the file declares it one time fewer afterwards); only then
is that file blamed, as the commit's parent had it. One listing of a commit's changed files
serves every block it introduced.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Callable
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


@functools.lru_cache(maxsize=1024)
def _changed(root: Path, sha: str) -> tuple[str, ...]:
    """The Terraform files commit `sha` changed against its first parent (never asked of a
    root commit: `follow` stops at a boundary)."""
    output = git.run(root, "diff", "--no-renames", "--name-only", "-z", f"{sha}^", sha,
                     "--", *TERRAFORM_FILES)  # fmt: skip
    return tuple(name for name in output.split("\0") if name)


@functools.lru_cache(maxsize=2048)
def _declared(root: Path, rev: str, files: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """How many times each block signature (`"type" "name"`) occurs in each of `files` at
    `rev`: one `git grep -o` per batch of files, which prints the signatures it matched and
    nothing else of the files (no value written in them ever reaches memory)."""
    counts: dict[tuple[str, str], int] = {}
    for start in range(0, len(files), GREP_BATCH):
        output = git.run(root, "grep", "-o", "-I", "-z", "-E", _BLOCK, rev, "--",
                         *files[start : start + GREP_BATCH], fine=(0, 1))  # fmt: skip
        for record in output.split("\n"):  # "REV:PATH\0MATCH"
            where, _, match = record.partition("\0")
            if not match or not where.startswith(f"{rev}:"):
                continue
            key = (where[len(rev) + 1 :], " ".join(_QUOTED.findall(match)))
            counts[key] = counts.get(key, 0) + 1
    return counts


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
