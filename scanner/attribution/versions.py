"""Earlier versions of a file, read with the scanner that reads it now: which of their
declarations is the same identity as one found today (`edits` walks back through them).

An identity is the same when its kind and name are (a workflow secret's name ignores case);
its pointer may change (a job renamed, a step inserted above it). Where a file declares
several of one kind and name (a publish step per package index), each is paired with the one
in the same place: the same pointer, else the longest shared pointer prefix, else the same
rank in the file; one left without a partner is new.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path

from scanner import git, scanners, secrets
from scanner.attribution import moves
from scanner.attribution.blame import Commit
from scanner.attribution.repo import Repo
from scanner.git import FULL_ID
from scanner.model import Identity

MAX_BETWEEN = 50  # commits read for a declaration that appeared without touching its line


class Version:
    """The identities one version of a file declares, found by kind and name at once (a file
    of 100,000 keys asks about each of them: a scan over all of them each time was quadratic)."""

    __slots__ = ("_by_key", "complete", "identities")

    def __init__(self, identities: tuple[Identity, ...], complete: bool = True) -> None:
        self.identities, self.complete = identities, complete  # complete: read to its end
        self._by_key: dict[tuple[str, str], list[Identity]] = {}
        for found in identities:
            self._by_key.setdefault(_key(found), []).append(found)

    def same(self, identity: Identity) -> list[Identity]:
        """The declarations of `identity`'s kind and name, in file order."""
        return self._by_key.get(_key(identity), [])


def _key(identity: Identity) -> tuple[str, str]:
    fold = identity.kind == "workflow_secret"  # GitHub's secret names ignore case
    if identity.scanner == "workflows" and "${{" in identity.name:
        return identity.kind, _stored(identity.name)
    return identity.kind, identity.name.lower() if fold else identity.name


# `secrets.NAME`, `vars.NAME` or `secrets['NAME']` in a workflow expression.
_STORED = re.compile(
    r"\b(?:secrets|vars)\s*(?:\.\s*(?P<dotted>[A-Za-z_][\w-]*)|\[\s*(?P<q>['\"])(?P<quoted>[^'\"]+)(?P=q)\s*\])"
)
_EXPRESSION = re.compile(r"\$\{\{(?P<inside>.*?)\}\}", re.DOTALL)


def _stored(name: str) -> str:
    """A workflow expression's name (`${{ secrets.AWS_ROLE_ARN }}`) as matched across versions:
    a value moved between GitHub's secrets and variables (both names ignore case), or spaced
    otherwise inside `${{ }}`, names the same identity (auth's "Switch to pull non-secret
    values from env" moved a service account that was written years before)."""

    def one(found: re.Match[str]) -> str:
        inside = _STORED.sub(lambda m: f"stored.{(m['dotted'] or m['quoted']).lower()}",
                             found["inside"])  # fmt: skip
        return "${{" + re.sub(r"\s+", "", inside) + "}}"

    return _EXPRESSION.sub(one, name)


def declarations(repo: Repo, identity: Identity, rev: str, path: str) -> Version | str:
    """What the file `path` declared at `rev`, read as `identity`'s scanner reads it, or why
    that cannot be told. Kept when `rev` names a commit by id: that answer never changes."""
    if path != identity.path and scanners.for_path(path) != identity.scanner:
        return f"{path} is not read as a {identity.scanner} file"
    if FULL_ID.fullmatch(rev.rstrip("^")):
        return _declared(repo.root, identity.scanner, rev, path)
    return _declared.__wrapped__(repo.root, identity.scanner, rev, path)


@functools.lru_cache(maxsize=256)
def _declared(root: Path, scanner: str, rev: str, path: str) -> Version | str:
    text = moves.show(root, rev, path)
    if text is None:
        return f"git could not read {path} at {rev[:7]}"
    found = read(scanner, path, text)
    return found if found.complete else f"{path} at {rev[:7]} could not be read"


_READ: dict[tuple[str, str, str], Version] = {}  # (scanner, path, text's digest) -> Version
_READING: dict[tuple[str, str, str], threading.Lock] = {}
_READ_LOCK = threading.Lock()


def read(scanner: str, path: str, text: str) -> Version:
    """The identities one version of a file declares. Read once per text, whichever thread asks
    first (the others wait for it): the file as it is now and as the commit that last changed
    it had it are often the same text, and a 100,000-key `.env` takes seconds to read."""
    key = (scanner, path, hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest())
    with _READ_LOCK:
        found = _READ.get(key)
        if found is not None:
            return found
        busy = _READING.setdefault(key, threading.Lock())
    with busy:
        with _READ_LOCK:
            found = _READ.get(key)
        if found is not None:
            return found
        try:
            found = _version(scanner, path, text)
        except BaseException:
            with _READ_LOCK:
                _READING.pop(key, None)
            raise
        with _READ_LOCK:
            if len(_READ) > 256:
                _READ.clear()
            _READ[key] = found
            _READING.pop(key, None)
        return found


def _version(scanner: str, path: str, text: str) -> Version:
    """What the scanner reads in `text`: up to where it gave up, if it did (a file it reports
    as an error, or a bug of ours on it: attribution never stops for either)."""
    found: list[Identity] = []
    try:
        found.extend(f for f in scanners.SCANNERS[scanner].scan(path, text)
                     if isinstance(f, Identity))  # fmt: skip
    except Exception:  # the scan already reported this file's problem
        return Version(tuple(found), complete=False)
    return Version(tuple(found))


_CURRENT: dict[tuple[str, str], tuple[Sequence[str], Version]] = {}
_CURRENT_LOCK = threading.Lock()


def current(scanner: str, path: str, lines: Sequence[str]) -> Version:
    """The file as it reads now (`lines`, the list attribution read once for all of its
    identities): read once per list, not once per identity."""
    with _CURRENT_LOCK:
        known = _CURRENT.get((scanner, path))
    if known is not None and known[0] is lines:
        return known[1]
    found = read(scanner, path, "\n".join(lines))
    with _CURRENT_LOCK:
        if len(_CURRENT) > 256:
            _CURRENT.clear()
        _CURRENT[(scanner, path)] = (lines, found)
    return found


def counterpart(now: Identity, current: Version, earlier: Version) -> Identity | None:
    """`now` (one of `current`) as `earlier` declared it, or None when it was not there."""
    here = current.same(now)
    here = here if any(f.pointer == now.pointer for f in here) else [*here, now]
    there = earlier.same(now)
    pairs = sorted(
        ((a.pointer == b.pointer, _shared(a.pointer, b.pointer), -abs(i - j), -i, -j), i, j)
        for i, a in enumerate(here) for j, b in enumerate(there)
    )  # fmt: skip
    taken_here: set[int] = set()
    taken_there: set[int] = set()
    for _, i, j in reversed(pairs):  # the closest pairs first
        if i in taken_here or j in taken_there:
            continue
        if here[i].pointer == now.pointer:
            return there[j]
        taken_here.add(i)
        taken_there.add(j)
    return None


def _shared(one: str, other: str) -> int:
    count = 0
    for a, b in zip(one.split("/"), other.split("/"), strict=False):
        if a != b:
            break
        count += 1
    return count


def introduced_between(
    repo: Repo,
    identity: Identity,
    now: Identity,
    current: Version,
    older: str,
    newer: str,
    path: str,
) -> Commit | str:
    """The commit after `older` and up to `newer` whose version of `path` declared `now` (as
    `newer` has it, among `current`) and whose parent's did not: a declaration that appeared
    without a change to the line blame names (a `password:` input removed below a publish
    step). A reason when it cannot be told."""
    try:
        listing = git.run(repo.root, "log", "--topo-order", f"-n{MAX_BETWEEN + 1}",
                          "--format=%H%x00%aN%x00%aE%x00%at%x00%s", f"{older}..{newer}",
                          "--", path)  # fmt: skip
    except git.GitError as error:
        return str(error)
    commits = [row.split("\0") for row in listing.splitlines() if row.count("\0") == 4]
    for sha, author, email, when, summary in commits[:MAX_BETWEEN]:
        there = declarations(repo, identity, sha, path)
        if isinstance(there, str):
            return there
        found = counterpart(now, current, there)
        if found is None:
            continue
        before = declarations(repo, identity, f"{sha}^", path)
        if isinstance(before, str) or counterpart(found, there, before) is None:
            return Commit(sha=sha, author=author, email=email.lower(),
                          time=int(when) if when.isdigit() else 0,
                          summary="(a commit message holding a secret)"
                          if secrets.secret_in(summary) else summary, boundary=False)  # fmt: skip
        now, current = found, there
    if len(commits) > MAX_BETWEEN:
        return f"more than {MAX_BETWEEN} commits changed {path} since"
    return f"no commit of {path} since declared it"
