"""Moves of a Terraform block between files, traced from the commit that put it where it is
now (issue 20): a refactor that splits `main.tf`, a move into a module folder or a rename under
git's similarity threshold keeps the block's creator; a copy (the source still declares it) is
a new declaration, provisioned by whoever copied it.

Terraform files are blamed without `-C`: copy detection reads every file each commit in the
history changed, which made blame five times dearer on a long history (#21) and names the
author of a copy's original. Instead, the commit that introduced the block is asked whether it
took the block out of another file (the file declares it one time fewer afterwards); only then
is that file blamed, as the commit's parent had it. The commits that introduced this scan's
blocks are asked at once (`expect`): one `git log --raw` names the Terraform files each one
changed (a tree diff, no content diff), and one `git cat-file` reads both sides
of those files in commits that may have moved one, whose block signatures are counted here;
only commits a walk back reaches later are asked one by one.
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

from scanner import git, gitlog
from scanner.attribution import blame
from scanner.attribution.blame import Commit, Line
from scanner.attribution.repo import BlameCache
from scanner.git import FULL_ID
from scanner.model import Identity

MAX_HOPS = 8  # moves of one declaration followed at most
# Where a Terraform block can come from: git reads no other file's blobs (a large binary in
# the same commit costs nothing, and one a partial clone lacks fails nothing).
TERRAFORM_FILES = ("*.tf", "*.tofu")
# A block's first line, as `git diff -G` finds it (POSIX ERE); `_BLOCK_LINE` is its Python twin.
_BLOCK = r'(resource|data)[[:space:]]+"[^"]+"[[:space:]]+"[^"]+"'


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
    which never change, so `material` (the commits, names and options asked about) and the
    code that answered are the whole key. Warm scans then run no git for moves at all (#21).
    The code's digest is there because an answer is ours, not git's: a cache an older
    version of the tool filled (CI keeps it between runs) served its walks to a newer one."""
    if cache is None:
        return compute()
    from scanner.pipeline.cache import salt  # at call time: the pipeline imports this package

    key = "trace:" + hashlib.sha256(f"{salt()}\0{material}".encode()).hexdigest()
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
    copied from a file that still declares it).

    A file the declaration left moved it to the file, of those it was added to, whose path is
    nearest its own; the others were written anew (terraform-aws-iam's 31b31d7 took one
    `aws_iam_policy.this` out of `iam-group-with-policies` and wrote four: the one in
    `iam-group` moved, three are new). Of several files it left, the nearest is tried first
    (six modules merged into two: `iam-assumable-role` became `iam-role`)."""
    changed = _changed(root, sha)
    if not any(other != path for other in changed) or _unmoved(root, sha, signature):
        return None
    before = _declared(root, f"{sha}^", changed, signature)
    after = _declared(root, sha, changed, signature)
    counts = [(after.get((name, signature), 0) - before.get((name, signature), 0), name)
              for name in changed]  # fmt: skip
    gained = [name for change, name in counts if change > 0]
    left = [name for change, name in counts if change < 0 and name != path]
    for source in sorted(left, key=lambda name: (-_near(name, path), name)):
        if min(gained, key=lambda name: (-_near(source, name), name), default=path) == path:
            return source
    return None


def _near(one: str, other: str) -> float:
    import difflib  # only when a block left a file: most scans never import it

    return difflib.SequenceMatcher(None, one, other).ratio()


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
    thousands of `git diff` and `git grep` processes into one `git log` and one `cat-file`.

    Only the blocks asked about are counted: a commit's files are read as its parent had them
    first, and as it left them only where one of them declared such a block before (a block
    can move only out of a file that declared it). At 100,000 commits this read 45,000 blobs
    and kept the count of every block in each: 1.2 GB."""

    root: Path
    wanted: dict[str, set[str]]  # commit -> the paths its blocks were blamed in
    asked: dict[str, set[str]]  # commit -> the signatures of those blocks
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    changed: dict[str, tuple[str, ...]] | None = None
    unmoved: frozenset[str] = frozenset()  # no file they changed declared an asked block
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
        # The Terraform files each commit changed, with their blob ids: a tree diff, no
        # content diff (a `-G` here read every changed file's diff: 21 s at 100,000 commits).
        # In history's order (`--no-walk` sorts by date), so that the blobs are read in it
        # too: git keeps the bases of the deltas it just undid, and neighbouring versions of
        # a file share them (45,000 blobs at 100,000 commits: 19 s in commit id order, 6 s).
        listing = git.run(self.root, "log", "--no-walk", "--stdin", "--no-renames",
                          "--diff-merges=first-parent", "-z", "--format=%x01%H", "--raw",
                          "--no-abbrev", "--", *TERRAFORM_FILES,
                          input="\n".join(sorted(self.wanted)).encode())  # fmt: skip
        changes: dict[str, list[tuple[str, str, str, str]]] = {}
        for record in listing.split("\x01")[1:]:
            sha, _, rest = record.partition("\0")
            tokens = [token.strip("\n") for token in rest.split("\0")]
            for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
                fields = meta.lstrip(":").split()
                if len(fields) == 5 and path:  # status, old blob, new blob, path
                    changes.setdefault(sha, []).append((fields[4][:1], fields[2], fields[3],
                                                        path))  # fmt: skip
        changes.update((sha, []) for sha in self.wanted.keys() - changes.keys())
        moving = [sha for sha, found in changes.items()  # another file changed: maybe a move
                  if not (len(self.wanted[sha]) == 1
                          and self.wanted[sha] == {path for *_, path in found})]  # fmt: skip
        every = {signature for sha in moving for signature in self.asked.get(sha, ())}

        def count(content: bytes) -> dict[str, int]:
            return {name: n for name, n in _signatures(content).items() if name in every}

        # A blob a partial clone lacks fails the batch: each commit is then asked alone.
        counted = _counted(self.root, [old for sha in moving for status, old, _, _
                                       in changes[sha] if status != "A"], count)  # fmt: skip
        maybe = [sha for sha in moving
                 if any(counted[old].get(signature, 0) > 0
                        for status, old, _, _ in changes[sha] if status != "A"
                        for signature in self.asked.get(sha, ()))]  # fmt: skip
        counted.update(_counted(self.root, [new for sha in maybe for status, _, new, _
                                            in changes[sha] if status != "D"], count))  # fmt: skip
        for sha in maybe:
            files, asked = tuple(path for *_, path in changes[sha]), self.asked[sha]
            for rev, side in ((f"{sha}^", 1), (sha, 2)):
                self.declared[(rev, files)] = {
                    (entry[3], signature): number for entry in changes[sha]
                    for signature, number in counted.get(entry[side], {}).items()
                    if signature in asked
                }  # fmt: skip
        self.unmoved = frozenset(moving) - frozenset(maybe)
        return {sha: tuple(path for *_, path in found) for sha, found in changes.items()}


# `_BLOCK` in Python, line by line ([[:space:]] never spans a line in a diff), the two quoted
# labels captured: the signature is them joined by one space.
_BLOCK_LINE = re.compile(r'(?:resource|data)[ \t\v\f\r]+("[^"\n]+")[ \t\v\f\r]+("[^"\n]+")')


def _counted(
    root: Path, blobs: list[str], count: Callable[[bytes], dict[str, int]] | None = None
) -> dict[str, dict[str, int]]:
    """`count` (all signatures, by default) of each blob, read one at a time; a blob this
    clone lacks (a partial clone) is a GitError."""
    counted = gitlog.read_blobs(root, blobs, count or _signatures)
    if missing := set(blobs) - counted.keys():
        raise git.GitError(f"git cat-file failed: {len(missing)} blobs are not in this clone")
    return counted


def _signatures(blob: bytes) -> dict[str, int]:
    """Block signatures in a blob, counted (a binary blob, as git judges one by a NUL in its
    first 8,000 bytes, declares nothing). Only the signatures are kept, no other content."""
    counts: dict[str, int] = {}
    if b"\0" in blob[:8000]:
        return counts
    for kind, name in _BLOCK_LINE.findall(blob.decode("utf-8", "surrogateescape")):
        signature = f"{kind} {name}"  # a regex per match was a third of reading the blobs
        counts[signature] = counts.get(signature, 0) + 1
    return counts


_EXPECTED: _Expected | None = None


def expect(root: Path, introductions: Mapping[str, set[tuple[str, str]]]) -> None:
    """Name the commits `follow` is about to be asked about, each with the paths and
    signatures of the blocks it introduced (one scan's; replaces the last)."""
    global _EXPECTED
    _EXPECTED = _Expected(
        root=root,
        wanted={sha: {path for path, _ in found} for sha, found in introductions.items()},
        asked={sha: {name for _, name in found} for sha, found in introductions.items()},
    )


def _batch(root: Path) -> _Expected | None:
    """The commits this scan named for `root` (`expect`), if any."""
    expected = _EXPECTED
    return expected if expected is not None and expected.root == root else None


def _unmoved(root: Path, sha: str, signature: str) -> bool:
    """Whether the batch found that no file commit `sha` changed declared `signature` before."""
    expected = _batch(root)
    return (expected is not None and sha in expected.unmoved
            and signature in expected.asked.get(sha, ()))  # fmt: skip


def _changed(root: Path, sha: str) -> tuple[str, ...]:
    """The Terraform files in which commit `sha` added or removed a block's first line,
    against its first parent (never asked of a root commit: `follow` stops at a boundary)."""
    expected = _batch(root)
    if expected is not None and sha in expected.wanted:
        known = expected.load().get(sha)
        if known is not None:
            return known
    return _changed_alone(root, sha)


@functools.lru_cache(maxsize=1024)
def _changed_alone(root: Path, sha: str) -> tuple[str, ...]:
    output = git.run(root, "diff", "--no-renames", "--name-only", "-z", "-G", _BLOCK,
                     f"{sha}^", sha, "--", *TERRAFORM_FILES)  # fmt: skip
    return tuple(name for name in output.split("\0") if name)


def _declared(
    root: Path, rev: str, files: tuple[str, ...], signature: str
) -> dict[tuple[str, str], int]:
    """How many times block signatures (`"type" "name"`) occur in each of `files` at `rev`:
    `signature` among them (the batch counted only those its commit introduced)."""
    expected = _batch(root)
    if expected is not None and expected.changed is not None \
            and signature in expected.asked.get(rev.rstrip("^"), ()):  # fmt: skip
        known = expected.declared.get((rev, files))
        if known is not None:
            return known
    return _declared_alone(root, rev, files)


@functools.lru_cache(maxsize=2048)
def _declared_alone(root: Path, rev: str, files: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """`_declared` for one commit, read with one `git cat-file` (a path `rev` lacks declares
    nothing), counted as the batch counts them."""
    ids = gitlog.blob_ids(root, [(rev, path) for path in files])
    present = {path: blob for path, blob in zip(files, ids, strict=True) if blob is not None}
    counted = _counted(root, list(present.values()))  # a partial clone's: said by `follow`
    return {(path, signature): number for path, blob in present.items()
            for signature, number in counted[blob].items()}  # fmt: skip


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
