"""Blame: one `git blame` per file for every identity in it (all `-L` ranges, batched), files
in parallel on a bounded thread pool, past bots and ignored revisions, cached by content."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from scanner import git
from scanner.attribution import batch, blame, schedule
from scanner.attribution.blame import Line
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
    cached = _preload(repo, spans)
    warm = len(cached) == len(spans)
    one_pass = schedule.OnePass(repo, schedule.asked(repo, spans, options, cached),
                                options.deadline)  # fmt: skip

    def blamed(path: str) -> tuple[str, History]:
        answer, turn = one_pass.wait(path)
        start = time.monotonic()
        try:
            found = _history(repo, path, spans[path], options, answer)
        finally:
            if turn:
                one_pass.release(time.monotonic() - start)
        if options.progress is not None:
            with lock:
                done[0] += 1
                options.progress("blamed", done[0], len(by_path))
        return path, found

    # Warm (every file's blame in the cache), the workers would only take turns at the
    # interpreter lock reading it: 55 ms serially against 75-85 ms on 8 threads (#21).
    return dict(map(blamed, by_path) if warm else parallel(options, blamed, by_path))


def _preload(repo: Repo, spans: Mapping[str, list[tuple[int, int]]]) -> frozenset[str]:
    """Read every file's cached blame in one query; the files whose entry still holds."""
    if repo.cache is None:
        return frozenset()
    ignored = sorted(repo.ignored)
    keys = {path: _key(repo, path, wanted, frozenset(), ignored, blamed_with_moves(path))
            for path, wanted in spans.items()}  # fmt: skip
    repo.cache.preload([key for key in keys.values() if key is not None])
    moved: dict[str, str] = {}  # entries still good at this HEAD: moved to it in one commit
    good = frozenset(path for path, key in keys.items()
                     if _cached(repo, key, path, moved) is not None)  # fmt: skip
    repo.cache.put_texts(moved)
    return good


def parallel(options: Options, work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`work` on each item, in order, on the scan's git workers (git runs outside the GIL)."""
    workers = options.workers or min(8, 2 * (os.cpu_count() or 1))
    from concurrent.futures import ThreadPoolExecutor  # not on a warm scan's path (#21)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))


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
    missed: list[str] = []  # the blames the cache did not answer
    try:
        moves = blamed_with_moves(path)
        try:
            plain = _plain(repo, path, wanted, moves, answer, missed)
        except git.GitError:
            if not moves:
                raise
            moves = False
            plain = _plain(repo, path, wanted, moves, None, missed)
        # Ignoring revisions changes only the lines blamed on them: when none of the file's
        # is, blame with the ignore file says what blame without it said, and is not run.
        first = plain
        if ignored & {line.commit.sha for line in plain.values()}:
            first = blame.parse(
                _blame(repo, path, wanted, moves=moves, answer=answer, missed=missed)
            )
        lines = first
        for _ in range(3):  # bots that edit after bots: look past each in turn, boundedly
            found = {line.commit.sha for line in lines.values() if repo.is_bot(line.commit)}
            if not found - bots:
                break
            # With the first, every bot commit that touched the file: dependency bots bump the
            # same `uses:` line again and again (grafana/k6: renovate thrice over dependabot
            # over the human who wrote it), one generation a blame went three deep and named
            # a bot's bump as the line's only author.
            bots |= found | (bot_commits(repo, path) if not bots else frozenset())
            lines = blame.parse(
                _blame(repo, path, wanted, bots, moves=moves, answer=answer, missed=missed)
            )
        unignored = None
        if ignored and not bots:
            unignored = plain
        elif ignored:
            unignored = blame.parse(
                _blame(
                    repo,
                    path,
                    wanted,
                    bots,
                    use_ignore_file=False,
                    moves=moves,
                    answer=answer,
                    missed=missed,
                )
            )
    except git.GitError as error:
        return History(
            lines={}, first={}, unignored=None, ignored=ignored, bots=bots, error=str(error)
        )
    return History(
        lines=lines, first=first, unignored=unignored, ignored=ignored, bots=bots, cached=not missed
    )


def _plain(
    repo: Repo,
    path: str,
    wanted: list[tuple[int, int]],
    moves: bool,
    answer: batch.Answer | None,
    missed: list[str],
) -> dict[int, Line]:
    """The file blamed without the ignore file and past no bot."""
    return blame.parse(_blame(repo, path, wanted, use_ignore_file=False, moves=moves,
                              answer=answer, missed=missed))  # fmt: skip


def bot_commits(repo: Repo, path: str, rev: str = "HEAD") -> frozenset[str]:
    """The commits by bots that touched `path` up to `rev` (under this name, as git blame sees
    it without -C), by author name and email as mailmapped. One `git log` of the file; none on
    failure (the generations above, and the walk past edits, still look past what they find)."""
    try:
        listing = git.run(repo.root, "log", "--format=%H%x1f%aN%x1f%aE", "--no-renames", rev,
                          "--", path)  # fmt: skip
    except git.GitError:
        return frozenset()
    rows = (row.split("\x1f") for row in listing.splitlines())
    return frozenset(row[0] for row in rows
                     if len(row) == 3 and repo.is_bot_author(row[1], row[2].lower()))  # fmt: skip


def _blame(
    repo: Repo,
    path: str,
    wanted: list[tuple[int, int]],
    bots: frozenset[str] = frozenset(),
    *,
    use_ignore_file: bool = True,
    moves: bool = True,
    answer: batch.Answer | None = None,
    missed: list[str] | None = None,
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
    if missed is not None:
        missed.append(path)
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


def _cached(
    repo: Repo, key: str | None, path: str, moved: dict[str, str] | None = None
) -> str | None:
    """The cached blame for `key` if it still holds at HEAD; an entry blamed at an earlier
    HEAD is moved to this one (written now, or added to `moved` for the caller to write)."""
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
        if moved is None:
            repo.cache.put_text(key, f"{repo.head}\n{text}")  # a shorter range next time
        else:
            moved[key] = f"{repo.head}\n{text}"
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
