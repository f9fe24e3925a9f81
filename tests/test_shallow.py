"""Deepening a shallow clone just enough for the identities' files (#22), on real clones of
real histories fetched over git's file transport."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scanner import remote, shallow
from tests.conftest import GIT_ENV

KEY = 'resource "aws_iam_access_key" "{name}" {{\n  user = "ci"\n}}\n'
Change = tuple[str, str, str | None]  # ("M", path, text) | ("R", old, new) | ("D", path, None)


def git(cwd: Path, *args: str, data: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, input=data, capture_output=True
    )
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout.decode()


def origin(tmp_path: Path, commits: list[tuple[str, list[Change]]]) -> Path:
    """A bare repository with these commits on main, oldest first, written by fast-import
    (hundreds of commits in milliseconds); each commit's author is given, its date pinned."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    stream = []
    for number, (author, changes) in enumerate(commits):
        message = f"commit {number}".encode()
        who = f"{author} <{author.lower()}@example.com> {1767225600 + number * 60} +0000"
        stream += [b"commit refs/heads/main", f"author {who}".encode(),
                   f"committer {who}".encode(), b"data %d" % len(message), message]  # fmt: skip
        for kind, path, text in changes:
            if kind == "M":
                body = (text or "").encode()
                stream += [f"M 644 inline {path}".encode(), b"data %d" % len(body), body]
            elif kind == "R":
                stream.append(f"R {path} {text}".encode())
            else:
                stream.append(f"D {path}".encode())
    git(bare, "fast-import", "--quiet", data=b"\n".join(stream) + b"\n")
    return bare


def clone(tmp_path: Path, bare: Path) -> Path:
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{bare}", str(work))
    return work


def busy(author: str, count: int) -> list[tuple[str, list[Change]]]:
    """`count` commits that touch only a README."""
    return [(author, [("M", "README", f"revision {n}\n")]) for n in range(count)]


def test_a_clone_is_deepened_until_the_identity_file_was_added_and_no_further(
    tmp_path: Path,
) -> None:
    # 200 old commits, carol's key, then 60 more: the key needs 61 commits, not 262.
    bare = origin(tmp_path, [*busy("Alice", 200), ("Carol", [("M", "keys.tf", KEY.format(
        name="deploy"))]), *busy("Alice", 60)])  # fmt: skip
    work = clone(tmp_path, bare)
    assert shallow.incomplete(work, {"keys.tf"}) == {"keys.tf"}
    done = shallow.deepen(work, {"keys.tf"}, 60.0, remote.deepen)
    # 50 commits were not enough; 50 + 100 were: the clone holds 151 of 262 commits.
    assert (done.fetched, done.whole, done.missing, done.problem) == (150, False, (), None)
    assert git(work, "rev-list", "--count", "HEAD").strip() == "151"
    assert done.describe().startswith("the checkout was shallow; fetched 150 more commits in ")
    assert done.describe().endswith(" s: every identity file's history is complete")
    assert git(work, "log", "--format=%an", "--", "keys.tf").split() == ["Carol"]


def test_a_small_repository_becomes_whole_on_the_first_step(tmp_path: Path) -> None:
    bare = origin(tmp_path, [("Carol", [("M", "keys.tf", KEY.format(name="a"))]),
                             *busy("Alice", 9)])  # fmt: skip
    work = clone(tmp_path, bare)
    done = shallow.deepen(work, {"keys.tf"}, 60.0, remote.deepen)
    assert (done.fetched, done.whole, done.missing, done.problem) == (9, True, (), None)
    assert done.describe().endswith(" s: its full history")


def test_a_file_renamed_after_the_boundary_needs_the_history_of_the_name_it_had(
    tmp_path: Path,
) -> None:
    bare = origin(tmp_path, [
        ("Carol", [("M", "old/keys.tf", KEY.format(name="a"))]),  # before the boundary
        *busy("Alice", 3),
        ("Dave", [("M", "fresh.tf", KEY.format(name="b"))]),  # after it
        ("Alice", [("R", "old/keys.tf", "keys.tf"), ("R", "fresh.tf", "moved.tf")]),
    ])  # fmt: skip
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--depth", "3", f"file://{bare}", str(work))
    assert shallow.incomplete(work, {"keys.tf", "moved.tf", "README"}) == {"keys.tf", "README"}


def test_without_a_remote_nothing_is_fetched_and_the_reason_is_kept(tmp_path: Path) -> None:
    bare = origin(tmp_path, [("Carol", [("M", "keys.tf", KEY.format(name="a"))]),
                             *busy("Alice", 5)])  # fmt: skip
    work = clone(tmp_path, bare)
    git(work, "remote", "remove", "origin")
    done = shallow.deepen(work, {"keys.tf"}, 60.0, remote.deepen)
    assert (done.fetched, done.whole, done.missing) == (0, False, ("keys.tf",))
    assert done.problem is not None and "origin" in done.problem
    assert done.describe().endswith(
        f"the history of 1 identity file still starts before the fetched commits (keys.tf) "
        f"({done.problem}): the provisioners of their older lines are unknown"
    )


def test_a_budget_that_runs_out_stops_with_what_was_fetched(tmp_path: Path) -> None:
    bare = origin(tmp_path, [("Carol", [("M", "keys.tf", KEY.format(name="a"))]),
                             *busy("Alice", 5)])  # fmt: skip
    work = clone(tmp_path, bare)
    done = shallow.deepen(work, {"keys.tf"}, 0.0, remote.deepen)
    assert (done.fetched, done.missing, done.problem) == (0, ("keys.tf",), "the 0 s budget ran out")


def test_a_history_git_cannot_list_leaves_every_file_cut_and_says_why(tmp_path: Path) -> None:
    bare = origin(tmp_path, [("Carol", [("M", "keys.tf", KEY.format(name="a"))]),
                             *busy("Alice", 5)])  # fmt: skip
    work = clone(tmp_path, bare)
    bogus = "0123456789abcdef0123456789abcdef01234567"
    with (work / ".git" / "shallow").open("a") as boundary:  # a boundary git does not have
        boundary.write(bogus + "\n")
    done = shallow.deepen(work, {"keys.tf"}, 60.0, lambda *_: None)
    assert (done.fetched, done.missing) == (0, ("keys.tf",))
    assert done.problem == f"git log failed: fatal: bad object {bogus}"
