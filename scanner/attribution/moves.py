"""A declaration blame -C says came from another file: moved there (the same declaration,
its creator kept) or copied (a new declaration, provisioned by whoever copied it). Issue 20.

`git blame -C` follows lines into other files changed by the same commit, whether the other
file lost them (a move: a refactor that splits `main.tf`, a move into a module folder) or kept
them (a copy: a new module started from an old one declares a new resource). The difference is
whether the source file declared it one time fewer afterwards, which is what `trace` asks git,
hop by hop, from the commit that put the declaration in its file now: one pickaxe over that
commit's diff, and a blame of the source file before it when it was a move.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from scanner import git
from scanner.attribution import blame
from scanner.attribution.blame import Commit, Line
from scanner.model import Identity

MAX_HOPS = 8  # moves of one declaration followed at most (each is two or three git calls)
# Where a Terraform block can come from: git reads no other file's blobs (a large binary in
# the same commit costs nothing, and one a partial clone lacks fails nothing).
TERRAFORM_FILES = ("*.tf", "*.tofu")


@dataclass(frozen=True, slots=True)
class Trace:
    commit: Commit  # the commit that introduced the declaration (a move is never one)
    hops: tuple[str, ...]  # the moves, newest first, as evidence


def literal(identity: Identity, address: str | None = None) -> str | None:
    """The declaration's signature as `terraform fmt` writes it (`"type" "name"`), or None
    when the identity is not a Terraform block; `address` names it as it was earlier."""
    address = address or identity.attributes.get("address")  # type: ignore[assignment]
    if identity.scanner != "terraform" or not isinstance(address, str) or "." not in address:
        return None
    kind, _, name = address.rpartition(".")
    return f'"{kind.rpartition(".")[2]}" "{name}"'


def trace(root: Path, origin: Line, here: Line, path: str, signature: str,
          ignored: frozenset[str]) -> Trace:  # fmt: skip
    """Follow the moves of the declaration `signature` back from `here` (its line blamed
    without move detection: the commit that put it in `path`) towards `origin` (the same line
    blamed with -C). Ending elsewhere means a copy, but only when the file `origin` names
    still declares it after the copy; otherwise (a signature written differently, a history
    git cannot show) blame -C's answer stands."""
    found, where = follow(root, here, path, signature, ignored)
    if found.commit.sha == origin.commit.sha or _introduced(root, found.commit, where, signature):
        return found
    return Trace(commit=origin.commit, hops=found.hops)


def _introduced(root: Path, commit: Commit, path: str, signature: str) -> bool:
    """Whether `commit` added the declaration to `path` (and, `follow` found, took it out of
    no other file): it was written or copied there."""
    if commit.boundary or commit.uncommitted:
        return False
    after = (_show(root, commit.sha, path) or "").count(signature)
    return after > (_show(root, f"{commit.sha}^", path) or "").count(signature)


def follow(root: Path, here: Line, path: str, signature: str, ignored: frozenset[str]
           ) -> tuple[Trace, str]:  # fmt: skip
    """The moves back from `here`, and the file the declaration was in at the last commit."""
    commit, current, hops = here.commit, here.original_path or path, []
    for _ in range(MAX_HOPS):
        if commit.boundary or commit.uncommitted:
            break
        source = _moved_from(root, commit.sha, current, signature)
        if source is None:
            break
        older = _blame_before(root, commit.sha, source, signature, ignored)
        if older is None:
            break
        hops.append(f"moved to {current} from {source} by {commit.email} in {commit.sha[:7]}")
        commit, current = older.commit, older.original_path or source
    return Trace(commit=commit, hops=tuple(hops)), current


def _moved_from(root: Path, sha: str, path: str, signature: str) -> str | None:
    """The file this commit took the declaration out of, or None (it was written here, or
    copied from a file that still declares it)."""
    for other in _pickaxe(root, sha, signature):
        if other == path:
            continue
        before = _show(root, f"{sha}^", other) or ""
        after = _show(root, sha, other) or ""
        if before.count(signature) > after.count(signature):
            return other
    return None


def _blame_before(
    root: Path, sha: str, source: str, signature: str, ignored: frozenset[str]
) -> Line | None:
    """The blamed first line of the declaration in `source` as the parent of `sha` had it."""
    text = _show(root, f"{sha}^", source) or ""
    number = next((n for n, line in enumerate(text.split("\n"), 1) if signature in line), None)
    if number is None:
        return None
    try:
        porcelain = git.blame(root, source, [(number, number)], ignore_revs=ignored,
                              moves=False, rev=f"{sha}^")  # fmt: skip
    except git.GitError:
        return None
    return blame.parse(porcelain).get(number)


def _pickaxe(root: Path, sha: str, text: str) -> list[str]:
    """The Terraform files in which commit `sha` changed how many times `text` occurs (`git
    diff -S` against its first parent); none for a root commit."""
    output = git.run(root, "diff", "--no-textconv", "--no-renames", "--name-only", "-z",
                     f"-S{text}", f"{sha}^", sha, "--", *TERRAFORM_FILES, check=False)  # fmt: skip
    return [name for name in output.split("\0") if name]


@functools.lru_cache(maxsize=512)
def _show(root: Path, rev: str, path: str) -> str | None:
    """A file at a commit (`rev` names a commit by id: the answer never changes)."""
    return git.show(root, rev, path)
