"""Clean files read from git's index file agree with `git status`, for every index git writes
(versions 2, 3 and 4, split, SHA-256 repositories), racy or refreshed, at the top or in a
subfolder (#21). The format: git's Documentation/gitformat-index.txt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner import gitindex
from tests.conftest import GitRepo

# What a scan can meet in a work tree, and whether each file is clean (its bytes are the
# index's blob).
CLEAN = ["a.tf", "dir/b.tf", "dir/deep/c.tf", "with space/ü.tf", "run.sh", "staged.tf"]


def populate(repo: GitRepo) -> None:
    for path in [*CLEAN, "edited.tf", "restaged.tf", "gone.tf"]:
        repo.write(path, f'resource "aws_iam_user" "{path}" {{}}\n')
    (repo.root / "run.sh").chmod(0o755)
    (repo.root / "link.tf").symlink_to("a.tf")
    repo.commit("files")
    repo.write("edited.tf", "changed, not staged\n")
    repo.write("staged.tf", "changed and staged\n")
    repo.write("restaged.tf", "changed and staged\n")
    repo.git("add", "staged.tf", "restaged.tf")
    repo.write("restaged.tf", "changed again after staging\n")
    (repo.root / "gone.tf").unlink()
    repo.write("added.tf", "intent to add\n")
    repo.git("add", "-N", "added.tf")  # an extended flag: git writes version 3
    repo.write("untracked.tf", "not tracked\n")


def expected(repo: GitRepo, paths: list[str], prefix: str = "") -> dict[str, str]:
    return {path: repo.git("hash-object", "--", prefix + path).strip() for path in paths}


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_each_index_version_gives_what_git_status_gives(git_repo: GitRepo, version) -> None:
    populate(git_repo)
    git_repo.git("update-index", "--index-version", version)
    blobs = gitindex.clean_blobs(git_repo.root)
    assert isinstance(blobs, gitindex.IndexBlobs)
    assert dict(blobs) == expected(git_repo, CLEAN) == gitindex.status_blobs(git_repo.root)
    for path in ["edited.tf", "restaged.tf", "gone.tf", "link.tf", "added.tf", "untracked.tf"]:
        assert path not in blobs and blobs.get(path) is None


def test_a_refreshed_index_is_trusted_by_stat_and_an_edit_is_still_seen(git_repo) -> None:
    """Files older than the index are judged by their stat data, as git judges them; an edit
    that keeps the size and puts the modification time back still changes the ctime (to the
    nanosecond: `git status` compares whole seconds of it and, within the same second as
    the refresh, calls this file clean)."""
    populate(git_repo)
    for path in CLEAN:
        os.utime(git_repo.root / path, (1_700_000_000, 1_700_000_000))
    git_repo.git("update-index", "-q", "--refresh")  # not racy any more
    a = git_repo.root / "a.tf"
    text = a.read_text()
    a.write_text(text.replace("a.tf", "x.tf"))
    os.utime(a, (1_700_000_000, 1_700_000_000))
    assert dict(gitindex.clean_blobs(git_repo.root)) == expected(git_repo, CLEAN[1:])


def test_a_subfolder_sees_its_own_files_by_their_paths_from_it(git_repo) -> None:
    populate(git_repo)
    blobs = gitindex.clean_blobs(git_repo.root / "dir")
    assert dict(blobs) == expected(git_repo, ["b.tf", "deep/c.tf"], "dir/")
    assert dict(blobs) == gitindex.status_blobs(git_repo.root / "dir")


def test_a_split_index_is_left_to_git(git_repo) -> None:
    populate(git_repo)
    git_repo.git("update-index", "--split-index")
    blobs = gitindex.clean_blobs(git_repo.root)
    assert not isinstance(blobs, gitindex.IndexBlobs)
    assert blobs == expected(git_repo, CLEAN)


def test_a_sha256_repository(tmp_path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    repo = GitRepo(root)
    repo.git("init", "-q", "-b", "main", "--object-format=sha256")
    populate(repo)
    blobs = gitindex.clean_blobs(root)
    assert isinstance(blobs, gitindex.IndexBlobs)
    assert dict(blobs) == expected(repo, CLEAN) == gitindex.status_blobs(root)
    assert all(len(blob) == 64 for blob in blobs.values())


def test_an_index_that_is_not_one_is_not_read(git_repo) -> None:
    populate(git_repo)
    data = (git_repo.root / ".git" / "index").read_bytes()
    assert gitindex.parse(data, 20) is not None
    assert gitindex.parse(data[:100], 20) is None  # cut inside an entry
    assert gitindex.parse(b"DIRX" + data[4:], 20) is None
    assert gitindex.parse(data[:4] + (5).to_bytes(4, "big") + data[8:], 20) is None
    assert gitindex.parse(b"", 20) is None


def test_no_index_yet_is_no_clean_file(git_repo) -> None:
    git_repo.write("a.tf", "x\n")
    assert gitindex.clean_blobs(git_repo.root) == {}
    assert not Path(git_repo.root / ".git" / "index").exists()
