"""The git calls behind one-pass blame (`attribution.onepass`): the history of many files in
one `git log`, the full change lists and real parents of a few commits, blob ids and blobs.
Each runs with git's neutralised configuration (`git.run`; blobs are streamed from a process
started with `git.environment`, the same one)."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TypeVar

from scanner.git import FULL_ID, GitError, environment, run
from scanner.secrets import strip_userinfo

T = TypeVar("T")

# Commits are cut at NUL and RS: no message, name or diff line of a text file holds a NUL, and
# an empty name or email writes two NULs, which are no cut.
HEADER = "%x00%x1e%H %P%x00%aN%x00%aE%x00%at%x00%B%x00"
# Room for path arguments in one call (see git.MAX_RANGE_BYTES for the system's limit).
MAX_PATH_BYTES = 64 * 1024


def histories(
    root: Path, groups: Sequence[Sequence[str]], tips: Sequence[str] = ("HEAD",)
) -> list[tuple[list[str], str]]:
    """`git log -p -U0 -w` of `tips` limited to the names of `groups`, with rewritten parents
    (`--parents`).

    The diff options are blame's own: whitespace ignored, zero context, git's default
    algorithm with the indent heuristic (what blame uses), no renames (the walk follows them
    from `renames`), no textconv or external diff. One call per MAX_PATH_BYTES of names, a
    group never split (a file and its older names), each returned with the names it was asked
    for: parents are rewritten per call."""
    calls: list[list[str]] = [[]]
    size = 0
    for group in groups:
        length = sum(len(name) + 1 for name in group)
        if calls[-1] and size + length > MAX_PATH_BYTES:
            calls.append([])
            size = 0
        calls[-1].extend(group)
        size += length
    options = ["log", "--parents", f"--format={HEADER}", "--raw", "--no-abbrev", "-p", "-U0",
               "-w", "--no-renames", "--diff-algorithm=myers", "--indent-heuristic",
               "--no-color", "--no-ext-diff", "--no-textconv", "--ignore-submodules",
               "--src-prefix=a/", "--dst-prefix=b/",  # whatever diff.noprefix says
               "--diff-merges=first-parent",  # a merge that kept the file is passed at once
               *tips, "--"]  # fmt: skip
    literal = {"GIT_LITERAL_PATHSPECS": "1"}  # a name is a name, never a glob
    return [(call, run(root, *options, *call, env=literal)) for call in calls if call]


def renames(root: Path) -> str:
    """Every whole-file rename in the history of HEAD, as git log -M finds them."""
    return run(root, "log", "--format=%x00%x00%H", "--raw", "--no-abbrev", "-M",
               "--diff-filter=R", "--ignore-submodules", "HEAD", "--")  # fmt: skip


def changes(root: Path, shas: Sequence[str]) -> str:
    """The real parents and every file changed (against the first parent) of each commit,
    whole-file renames found as git log finds them."""
    if not shas:
        return ""
    listing = "".join(f"{sha}\n" for sha in shas if FULL_ID.fullmatch(sha)).encode()
    options = ["--format=%x00%x00%H %P", "--raw", "--no-abbrev", "-M", "--ignore-submodules"]
    return run(root, "log", "--no-walk=unsorted", "--stdin", *options, "--", input=listing)


def blob_ids(root: Path, specs: Sequence[tuple[str, str]]) -> list[str | None]:
    """The blob id of each `(commit, path)`, None where the path is no blob there. A name
    holding a line break cannot be asked in a batch: that is a GitError, never a misread."""
    if any("\n" in path for _, path in specs):
        raise GitError("git cat-file cannot read a file name holding a line break in a batch")
    if not specs:
        return []
    listing = "".join(f"{sha}:{path}\n" for sha, path in specs).encode("utf-8", "surrogateescape")
    output = run(root, "cat-file", "--batch-check=%(objectname) %(objecttype)", input=listing)
    found: list[str | None] = []
    for line in output.split("\n")[: len(specs)]:
        name, _, kind = line.partition(" ")
        found.append(name if kind == "blob" and FULL_ID.fullmatch(name) else None)
    if len(found) != len(specs):
        raise GitError(f"git cat-file answered {len(found)} of {len(specs)} names")
    return found


def read_blobs(root: Path, ids: Sequence[str], reduce: Callable[[bytes], T]) -> dict[str, T]:
    """`reduce` of each blob's content, read from one `git cat-file --batch` one blob at a time:
    memory holds one blob and the answers, never every blob read (at 100,000 commits, tracing
    moves read 1.6 GB of them, held at once and decoded twice: #21). A blob this clone lacks
    has no answer: each caller says so."""
    wanted = [blob for blob in dict.fromkeys(ids) if FULL_ID.fullmatch(blob)]
    if not wanted:
        return {}
    listing = "".join(f"{blob}\n" for blob in wanted).encode()
    found: dict[str, T] = {}
    with tempfile.TemporaryFile() as errors, subprocess.Popen(
        ["git", "--no-pager", "cat-file", "--batch"], cwd=root, env=environment(root),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
    ) as process:  # fmt: skip
        assert process.stdin is not None and process.stdout is not None
        feeder = threading.Thread(target=_feed, args=(process.stdin, listing), daemon=True)
        feeder.start()
        try:
            for _ in wanted:  # one answer per id asked, in order
                header = process.stdout.readline().split()
                if not header:  # git stopped: its status says why
                    break
                if len(header) != 3 or not header[2].isdigit():  # "<id> missing"
                    continue
                content = process.stdout.read(int(header[2]))
                process.stdout.read(1)  # the newline after each content
                found[header[0].decode()] = reduce(content)
        except BaseException:
            process.kill()
            raise
        finally:
            feeder.join()
        if process.wait() != 0:
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()
            why = ([line for line in said if line.startswith("fatal:")] or said[-1:] or [""])[0]
            raise GitError(f"git cat-file failed: {strip_userinfo(why) or process.returncode}")
    return found


def _feed(stdin: IO[bytes], listing: bytes) -> None:
    with contextlib.suppress(OSError):  # git ended early: its answer says why
        stdin.write(listing)
        stdin.close()
