"""The porcelain parser on captured `git blame --porcelain` text (git 2.39)."""

from __future__ import annotations

from scanner.attribution import blame

PORCELAIN = """\
a5facd0df863b115fc92080a8c1e4f580e4c6233 1 1 1
author Alice
author-mail <Alice@X.com>
author-time 1767225600
author-tz +0000
committer Alice
committer-mail <alice@x.com>
committer-time 1767225600
committer-tz +0000
summary one
boundary
filename old name.tf
\ta
7516bbdf0a1f0be55ae5aa3b222ccd2186a6d808 2 2 1
author Bob
author-mail <bob@x.com>
author-time 1769904000
author-tz +0000
committer Alice
committer-mail <alice@x.com>
committer-time 1769904000
committer-tz +0000
summary three
previous 8f7f93826a941628cf494f9193375ea15a0c8498 f.tf
some-future-key with a value
filename f.tf
\tB
7516bbdf0a1f0be55ae5aa3b222ccd2186a6d808 4 4 1
\td
0000000000000000000000000000000000000000 5 5 1
author Not Committed Yet
author-mail <not.committed.yet>
author-time 1769904100
author-tz +0000
committer Not Committed Yet
committer-mail <not.committed.yet>
committer-time 1769904100
committer-tz +0000
summary Version of f.tf from f.tf
previous 7516bbdf0a1f0be55ae5aa3b222ccd2186a6d808 f.tf
filename f.tf
\t\te
"""


def test_porcelain_records() -> None:
    lines = blame.parse(PORCELAIN)
    assert sorted(lines) == [1, 2, 4, 5]
    first, second, fourth, fifth = (lines[n] for n in (1, 2, 4, 5))
    assert (
        first.commit.author,
        first.commit.email,
        first.commit.boundary,
        first.original_path,
    ) == ("Alice", "alice@x.com", True, "old name.tf")
    assert first.commit.date == "2026-01-01T00:00:00+00:00"
    assert (second.commit.email, second.commit.summary, second.commit.boundary) == (
        "bob@x.com",
        "three",
        False,
    )
    assert fourth.commit == second.commit  # details printed once, shared afterwards
    assert (fourth.original_line, fourth.original_path) == (4, "f.tf")
    assert fifth.commit.uncommitted and not second.commit.uncommitted


def test_empty_output() -> None:
    assert blame.parse("") == {}


def test_time_git_never_writes_is_epoch_zero() -> None:
    # Found by the fuzzer (#12): int() and datetime raised on these and aborted attribution.
    sha = "a5facd0df863b115fc92080a8c1e4f580e4c6233"
    for time in ("x", "", "99999999999999999999"):
        lines = blame.parse(f"{sha} 1 1 1\nauthor A\nauthor-time {time}\n\ta\n")
        assert (lines[1].commit.time, lines[1].commit.date) == (0, "1970-01-01T00:00:00+00:00")


def test_a_secret_in_a_commit_summary_never_reaches_the_evidence() -> None:
    sha = "a" * 40
    porcelain = (
        f"{sha} 1 1 1\nauthor Alice\nauthor-mail <alice@example.com>\nauthor-time 1767225600\n"
        "summary rotate key ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8\nfilename a.tf\n\tx\n"
    )
    assert blame.parse(porcelain)[1].commit.summary == "(a commit message holding a secret)"


def test_names_git_quotes_are_unquoted() -> None:
    """git blame writes an unusual name C-quoted (core.quotePath): the path in a report, and the
    one moves are traced in, is the file's real name."""
    sha, parent = "a" * 40, "b" * 40
    porcelain = (
        f"{sha} 3 1 1\nauthor A\nauthor-mail <a@example.com>\nauthor-time 1700000000\n"
        f'summary s\nprevious {parent} "id\\303\\251es/r\\303\\264les.tf"\n'
        'filename "id\\303\\251es/r\\303\\264les.tf"\n\t\n'
    )
    line = blame.parse(porcelain)[1]
    assert (line.original_path, line.previous) == ("idées/rôles.tf", (parent, "idées/rôles.tf"))
