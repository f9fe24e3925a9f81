"""Blame: one `git blame` per file for every identity in it (all `-L` ranges, batched), files
in parallel on a bounded thread pool, past bots and ignored revisions, cached by content."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from scanner import git
from scanner.attribution import batch, blame
from scanner.attribution.moves import blamed_with_moves
from scanner.attribution.repo import _NOT_BLAMED, History, Options, Repo
from scanner.git import FULL_ID
from scanner.model import (
    Identity,
)

T = TypeVar("T")
R = TypeVar("R")


def blame_all(
    repo: Repo,
    identities: Iterable[Identity],
    options: Options,
    wanted: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, History]:
    """One blame per file for every identity in it (and the extra lines `wanted` names)."""
    by_path: dict[str, list[Identity]] = {}
    for identity in identities:
        by_path.setdefault(identity.path, []).append(identity)
    spans = {
        path: ranges(members, [n for i in members for n in (wanted or {}).get(i.id, ())])
        for path, members in by_path.items()
    }
    done, lock = [0], threading.Lock()
    answers = _one_pass(repo, spans, options)

    def blamed(path: str) -> tuple[str, History]:
        found = _history(repo, path, spans[path], options, answers.get(path))
        if options.progress is not None:
            with lock:
                done[0] += 1
                options.progress("blamed", done[0], len(by_path))
        return path, found

    return dict(parallel(options, blamed, by_path))


def parallel(options: Options, work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`work` on each item, in order, on the scan's git workers (git runs outside the GIL)."""
    workers = options.workers or min(8, 2 * (os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))


def _one_pass(
    repo: Repo, spans: Mapping[str, list[tuple[int, int]]], options: Options
) -> dict[str, batch.Answer]:
    """Blame from one pass over history for the files the cache cannot answer (#21), where
    the repository allows it: whole history (a shallow boundary is git blame's to mark), the
    work tree at its top. Any failure leaves every file to git blame, as before."""
    if not repo.in_git or repo.shallow or repo.head is None or not repo.at_top:
        return {}
    if options.deadline is not None and time.monotonic() > options.deadline:
        return {}
    missing = {path: batch.Asked(wanted, blamed_with_moves(path)) for path, wanted in spans.items()
               if _cached(repo, _key(repo, path, wanted, frozenset(), sorted(repo.ignored),
                                     blamed_with_moves(path)), path) is None}  # fmt: skip
    if not missing:
        return {}
    try:
        return batch.answers(repo.root, missing, repo.blobs)[0]
    except git.GitError:
        return {}


def _history(
    repo: Repo,
    path: str,
    wanted: list[tuple[int, int]],
    options: Options,
    answer: batch.Answer | None = None,
) -> History:
    if options.deadline is not None and time.monotonic() > options.deadline:
        return History(lines={}, first={}, unignored=None, ignored=frozenset(),
                       bots=frozenset(), error=_NOT_BLAMED)  # fmt: skip
    return history(repo, path, wanted, answer)


def ranges(identities: Iterable[Identity], lines: Iterable[int] = ()) -> list[tuple[int, int]]:
    """The merged line ranges that cover every identity's declaration and anchor, and `lines`."""
    spans = sorted({(min(i.line, i.anchor_line), max(i.end_line, i.anchor_line))
                    for i in identities} | {(n, n) for n in lines})  # fmt: skip
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def history(
    repo: Repo, path: str, wanted: list[tuple[int, int]], answer: batch.Answer | None = None
) -> History:
    """Blame one file once, then again past any bot commits found in it.

    Following moves (-C) reads the other files each commit changed; where git cannot (a blob
    missing from a partial or trimmed clone), the file is blamed without it rather than not
    at all. A Terraform file is blamed without -C: `moves` traces its blocks' moves, cheaper.
    Any pass may fail (a file git cannot read, a broken repository): never silently."""
    ignored = repo.ignored
    bots = frozenset[str]()
    try:
        moves = blamed_with_moves(path)
        try:
            first = blame.parse(_blame(repo, path, wanted, moves=moves, answer=answer))
        except git.GitError:
            if not moves:
                raise
            moves = False
            first = blame.parse(_blame(repo, path, wanted, moves=moves))
        lines = first
        for _ in range(3):  # bots that edit after bots: look past each in turn, boundedly
            found = {line.commit.sha for line in lines.values() if repo.is_bot(line.commit)}
            if not found - bots:
                break
            bots |= found
            lines = blame.parse(_blame(repo, path, wanted, bots, moves=moves, answer=answer))
        unignored = None
        if ignored:
            unignored = blame.parse(
                _blame(repo, path, wanted, bots, use_ignore_file=False, moves=moves, answer=answer)
            )
    except git.GitError as error:
        return History(
            lines={}, first={}, unignored=None, ignored=ignored, bots=bots, error=str(error)
        )
    return History(lines=lines, first=first, unignored=unignored, ignored=ignored, bots=bots)


def _blame(
    repo: Repo,
    path: str,
    wanted: list[tuple[int, int]],
    bots: frozenset[str] = frozenset(),
    *,
    use_ignore_file: bool = True,
    moves: bool = True,
    answer: batch.Answer | None = None,
) -> str:
    """git blame, or its cached output when the file's history, content and the arguments
    match, or the one-pass `answer` when no revision to ignore touches its lines.

    The key holds the file's content and the arguments, not HEAD; the entry records the HEAD it
    was blamed at, and is still good at a later HEAD that descends from it through commits that
    did not touch the file (`_touched_since`): in CI every run has a new HEAD (a merge commit),
    and a file the change under test did not touch is not blamed again (#21, #22). An ignored
    revision that none of the answer's lines is blamed on changes none of them."""
    ignored = sorted(repo.ignored) if use_ignore_file else []
    key = _key(repo, path, wanted, bots, ignored, moves)
    cached = _cached(repo, key, path)
    if cached is not None:
        return cached
    # Bots alone when no ignore file: what callers (and the cache tests) see as ignore_revs.
    revs = bots | frozenset(ignored) if ignored else bots
    if answer is not None and not revs & answer.commits:
        text = answer.porcelain
    else:
        text = git.blame(repo.root, path, wanted, ignore_revs=revs, moves=moves)
    if key is not None and repo.cache is not None:
        repo.cache.put_text(key, f"{repo.head}\n{text}")
    return text


def _key(
    repo: Repo,
    path: str,
    wanted: Sequence[tuple[int, int]],
    bots: frozenset[str],
    ignored: list[str],
    moves: bool,
) -> str | None:
    blob = repo.blobs.get(path)
    if repo.cache is None or repo.head is None or blob is None:
        return None
    # The same HEAD can have less history (a shallow clone): the boundary is part of the key.
    material = (
        f"{sorted(repo.shallow)}\0{path}\0{blob}\0{list(wanted)}\0{sorted(bots)}\0"
        f"{ignored}\0{'moves' if moves else ''}\0"
    )
    return "blame2:" + hashlib.sha256(material.encode()).hexdigest()


def _cached(repo: Repo, key: str | None, path: str) -> str | None:
    if key is None or repo.cache is None or repo.head is None:
        return None
    cached = repo.cache.get_text(key)
    if cached is None:
        return None
    then, _, text = cached.partition("\n")
    if then == repo.head:
        return text
    touched = _touched_since(repo.root, then, repo.head)
    if touched is not None and path not in touched:
        repo.cache.put_text(key, f"{repo.head}\n{text}")  # a shorter range next time
        return text
    return None


@functools.lru_cache(maxsize=64)
def _touched_since(root: Path, then: str, head: str) -> frozenset[str] | None:
    """The files the commits after `then` up to `head` touched (a merge's own resolutions
    included), or None when `then` is not an ancestor of `head` (a rebase, another branch):
    then nothing blamed at `then` can be trusted. One `git log` per earlier HEAD seen."""
    if not FULL_ID.fullmatch(then) or not git.is_ancestor(root, then, head):
        return None
    try:
        listing = git.run(root, "log", "--format=", "--name-only", "--cc", "--no-renames", "-z",
                          f"{then}..{head}", "--")  # fmt: skip
    except git.GitError:
        return None
    return frozenset(name.strip("\n") for name in listing.split("\0") if name.strip("\n"))
