"""One-pass blame for every file at once (`onepass`), with git's help where it must decide.

`answers` reads the history of all the files in one `git log` per 64 KiB of names, walks each
file's lines down it, settles merges with one blob lookup per round, and reads the few blobs
a move could have come from. What it cannot answer as `git blame` would is refused: those
files are blamed by git, one call each, as before."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from scanner import gitlog
from scanner.attribution import onepass
from scanner.attribution.onepass import Refusal, Walk


class Answer(NamedTuple):
    porcelain: str  # as git.blame returns it
    commits: frozenset[str]  # the commits its lines are blamed on


class Asked(NamedTuple):
    ranges: Sequence[tuple[int, int]]
    copies: bool  # blamed with -C (moves from other files changed in the same commit)


RENAME_ROUNDS = 2  # a pass from HEAD; one more for renamed files, with all their older names


def answers(
    root: Path,
    asked: Mapping[str, Asked],
    blobs: Mapping[str, str],
    worth: Callable[[int, float], bool] = lambda files, seconds: True,
    listed: Callable[[], Mapping[str, Mapping[str, str]] | None] = lambda: None,
    read: Callable[[], None] = lambda: None,
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Blame for the files `asked`, and why each other one is left to git blame.

    Only clean files (`blobs`: their blob id in the index) whose HEAD version is that blob
    are walked: staged and uncommitted lines are git blame's to name. A file renamed whole
    (an exact rename, as git log finds it) is followed into its older names with one more
    pass over the history of all of them, read from the commits that renamed them down, when
    `worth(files, seconds)` says that blaming those files costs more than the first pass did;
    or in the first pass, when `listed()` lists them first (`onepass.exact_renames`; asked
    only when some file is to be walked). `read()` is called once the first pass has been
    read and walked: what is left is short."""
    refused: dict[str, str] = {}
    plain = [name for name in asked if name in blobs and _plain(name)]
    refused.update((name, "not clean, or an unusual name") for name in asked.keys() - plain)
    heads = gitlog.blob_ids(root, [("HEAD", name) for name in plain])
    ready = [name for name, blob in zip(plain, heads, strict=True) if blob == blobs[name]]
    refused.update((name, "staged changes") for name in set(plain) - set(ready))
    starts = {name: Walk(name, name, "HEAD", blobs[name], {n: n for start, end
                                                           in asked[name].ranges
                                                           for n in range(start, end + 1)})
              for name in ready}  # fmt: skip
    latest: dict[str, Walk] = {}  # each file's walk, by its name at HEAD
    nodes: dict[str, onepass.Node] = {}  # every commit read, for its author and summary
    full: dict[str, onepass.Commit] = {}
    if not ready:  # a hook's staged files: nothing to read history for
        return {}, refused
    listing = listed()
    known = listing is not None  # listed before: the first pass reads the older names too
    renames: Mapping[str, Mapping[str, str]] = listing or {}
    started = time.monotonic()
    for round_ in range(RENAME_ROUNDS):
        finished = _round(root, starts, nodes, refused, renames)
        if round_ == 0:
            read()
        latest.update((walk.name, walk) for walk in finished)
        wanted = {o.sha for walk in finished for o in walk.found.values()} - full.keys()
        full.update(onepass.commits(gitlog.changes(root, sorted(wanted))))
        starts = {}
        for walk in finished:
            renamed = None if walk.name in refused else _renamed(walk, full)
            if renamed is not None and renamed.path in starts:
                refused[walk.name] = f"copied from {renamed.path} with another file"
            elif renamed is not None:
                starts[renamed.path] = renamed
        if not starts or known or not worth(len(starts), time.monotonic() - started):
            break
        renames, known = onepass.exact_renames(gitlog.renames(root)), True  # when needed
    for walk in starts.values():
        refused[walk.name] = "renamed: git blame follows it"
    done = [walk for walk in latest.values() if walk.name not in refused]
    checks: dict[str, list[tuple[str, str, onepass.Hunk]]] = {}
    for walk in done:
        try:
            checks[walk.name] = list(onepass.doubts(walk, full, asked[walk.name].copies))
        except Refusal as why:
            refused[walk.name] = str(why)
    # Read in history's order: git keeps the bases of the deltas it just undid, and the
    # versions of a file next to each other share them (at 100,000 commits, 7.6 s -> 4.7 s).
    order = {sha: n for n, sha in enumerate(nodes)}  # newest first, as git log wrote them
    ordered = sorted({(order.get(sha, 0), blob) for doubted in checks.values()
                      for sha, blob, _ in doubted})  # fmt: skip
    sources = gitlog.read_blobs(root, [blob for _, blob in ordered], onepass.lines_of)
    found: dict[str, Answer] = {}
    for walk in done:
        if walk.name not in checks:
            continue
        doubt = _moves(checks[walk.name], sources)
        if doubt is not None:
            refused[walk.name] = doubt
            continue
        found[walk.name] = Answer(onepass.porcelain(nodes, walk, full),
                                  frozenset(o.sha for o in walk.found.values()))  # fmt: skip
    return found, refused


def _round(
    root: Path,
    starts: Mapping[str, Walk],
    every: dict[str, onepass.Node],
    refused: dict[str, str],
    renames: Mapping[str, Mapping[str, str]],
) -> list[Walk]:
    """Walk the files `starts` names (by their path there) down one pass over their history
    and that of every older name `renames` gives them."""
    walks: list[tuple[Walk, dict[str, onepass.Node]]] = []
    # Renamed files are read from the commits that renamed them down, not from HEAD.
    tips = sorted({walk.sha for walk in starts.values()})
    older: dict[str, set[str]] = {}  # a name -> the names it had before
    for renamed in renames.values():
        for new, old in renamed.items():
            older.setdefault(new, set()).add(old)
    groups = [_names(path, older) for path in sorted(starts)]
    for names, text in gitlog.histories(root, groups, tips):
        try:
            nodes = onepass.parse(text)
            top = _top(nodes) if tips == ["HEAD"] else ""
        except Refusal as why:
            refused.update((starts[name].name, str(why)) for name in names if name in starts)
            continue
        every.update(nodes)
        for name in (name for name in names if name in starts):
            walk = starts[name]
            walk.sha = top if walk.sha == "HEAD" else _below(nodes, walk.sha)
            walks.append((walk, nodes))
    return _walk(root, walks, refused, renames)


def _names(path: str, older: Mapping[str, set[str]]) -> list[str]:
    """`path` and every name it had before, through any chain of renames."""
    found, todo = [path], [path]
    while todo:
        for old in sorted(older.get(todo.pop(), ())):
            if old not in found:
                found.append(old)
                todo.append(old)
    return found


def _below(nodes: Mapping[str, onepass.Node], sha: str) -> str:
    """Where a renamed file's walk goes on: below the commit that renamed it."""
    node = nodes.get(sha)
    return node.parents[0] if node is not None and len(node.parents) == 1 else ""


def _renamed(walk: Walk, full: Mapping[str, onepass.Commit]) -> Walk | None:
    """The walk that follows the lines a commit added by renaming the file whole, or None."""
    added = {final: o for final, o in walk.found.items() if o.status == "A"}
    commits = {o.sha for o in added.values()}
    if len(commits) != 1:
        return None
    sha = commits.pop()
    commit = full.get(sha)
    path = next(iter(added.values())).path
    if commit is None or not commit.parents or commit.renames.get(path, ("",))[0] != "100":
        return None
    old = commit.renames[path][1]
    blob = next((b for status, b, name in commit.sources if status == "R" and name == old), "")
    for final in added:
        del walk.found[final]
    lines = {o.line: final for final, o in added.items()}
    return Walk(walk.name, old, sha, blob, lines, walk.found)


def _moves(
    checks: Sequence[tuple[str, str, onepass.Hunk]], sources: Mapping[str, frozenset[int]]
) -> str | None:
    for _, blob, hunk in checks:
        if blob not in sources:
            return f"blob {blob} is not in this clone"
        if onepass.moved(hunk, sources[blob]):
            return f"lines at {hunk.new} may have moved from blob {blob}"
    return None


def _walk(
    root: Path,
    walks: list[tuple[Walk, dict[str, onepass.Node]]],
    refused: dict[str, str],
    renames: Mapping[str, Mapping[str, str]],
) -> list[Walk]:
    """Walk every file to its lines' origins; at merges, ask git which parent had the blob."""
    done: list[Walk] = []
    active = walks
    known: dict[tuple[str, str], str | None] = {}
    while active:
        blocked: list[tuple[Walk, dict[str, onepass.Node], tuple[str, ...]]] = []
        for walk, nodes in active:
            try:
                merge = walk.advance(nodes, renames)
                while merge is not None and walk.path not in nodes[merge].changes:
                    walk.sha = nodes[merge].parents[0]  # the file as its first parent had it
                    merge = walk.advance(nodes, renames)
            except Refusal as why:
                refused[walk.name] = str(why)
                continue
            if merge is None:
                done.append(walk)
            else:
                blocked.append((walk, nodes, nodes[merge].parents))
        # Which parent had the file as it is: read from the history where it tells, else
        # asked of git, all blocked walks at once.
        blobs = [[onepass.blob_at(nodes, parent, walk.path, known) for parent in parents]
                 for walk, nodes, parents in blocked]  # fmt: skip
        asked = [(parent, walk.path)
                 for (walk, _, parents), found in zip(blocked, blobs, strict=True)
                 for parent, blob in zip(parents, found, strict=True) if blob is None]  # fmt: skip
        answers = iter(gitlog.blob_ids(root, asked))
        active = []
        for (walk, nodes, parents), found in zip(blocked, blobs, strict=True):
            found = [next(answers) if blob is None else blob for blob in found]
            same = [
                parent for parent, blob in zip(parents, found, strict=True) if blob == walk.blob
            ]
            if same:  # blame passes the whole file to the first parent that has it as it is
                walk.sha = same[0]
                active.append((walk, nodes))
            else:
                refused[walk.name] = f"the merge {walk.sha} changed it against every parent"
    return done


def _top(nodes: Mapping[str, onepass.Node]) -> str:
    below = {parent for node in nodes.values() for parent in node.parents}
    tops = [sha for sha in nodes if sha not in below]
    if len(tops) != 1:
        raise Refusal(f"{len(tops)} newest commits in the history read")
    return tops[0]


def _plain(name: str) -> bool:
    """Names git writes unquoted, that a `rev:path` lookup takes as they are."""
    return (
        name.isprintable()
        and '"' not in name
        and "\\" not in name
        and not name.startswith(("./", "../"))
    )
