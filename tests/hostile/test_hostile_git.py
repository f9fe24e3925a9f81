"""A scanned repository's git configuration never gets a program run (issue 16, class 1).

Each case points one configurable program of git (or a way to reach one) at a canary script
that writes a marker file, then runs the real `nhi scan` with the cache on and off, in diff
mode and `nhi explain`; the marker must never appear. Every case ran its canary before the fix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner import git
from scanner.cli import main
from tests.conftest import GitRepo

USER = 'resource "aws_iam_access_key" "k" {\n  user = "ci"\n}\n'
ID = "a.tf#aws_iam_access_key.k"


def canary(tmp_path: Path) -> tuple[Path, Path]:
    """A program that leaves a marker when run (and passes its input through, like a filter)."""
    marker = tmp_path / "canary-ran"
    script = tmp_path / "canary.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> '{marker}'\ncat\n")
    script.chmod(0o755)
    return script, marker


def base(repo: GitRepo) -> None:
    repo.write("a.tf", USER)
    repo.commit("add a")


def config(repo: GitRepo, text: str) -> None:
    with (repo.root / ".git" / "config").open("a") as file:
        file.write(text)


def filter_clean(repo: GitRepo, program: Path) -> None:
    base(repo)
    repo.write(".gitattributes", "* filter=evil\n")
    repo.commit("attributes")
    config(repo, f'[filter "evil"]\n\tclean = {program}\n\tsmudge = {program}\n')


def filter_process(repo: GitRepo, program: Path) -> None:
    base(repo)
    repo.write(".gitattributes", "*.tf filter=proc\n")
    repo.commit("attributes")
    config(repo, f'[filter "proc"]\n\tprocess = {program}\n\trequired = true\n')


def filter_odd_name(repo: GitRepo, program: Path) -> None:
    """A driver name with `=` and dots: `-c filter.<name>.clean=` cannot even spell it."""
    base(repo)
    repo.write(".gitattributes", "*.tf filter=a=b.c\n")
    repo.commit("attributes")
    config(repo, f'[filter "a=b.c"]\n\tclean = {program}\n')


def filter_in_included_config(repo: GitRepo, program: Path) -> None:
    base(repo)
    repo.write(".gitattributes", "*.tf filter=inc\n")
    repo.write("evil.config", f'[filter "inc"]\n\tclean = {program}\n')
    repo.commit("attributes")
    config(repo, "[include]\n\tpath = ../evil.config\n")


def filter_in_info_attributes(repo: GitRepo, program: Path) -> None:
    base(repo)
    (repo.root / ".git" / "info").mkdir(exist_ok=True)
    (repo.root / ".git" / "info" / "attributes").write_text("* filter=info\n")
    config(repo, f'[filter "info"]\n\tclean = {program}\n')


def textconv(repo: GitRepo, program: Path) -> None:
    base(repo)
    repo.write(".gitattributes", "*.tf diff=evil\n")
    repo.commit("attributes")
    config(repo, f'[diff "evil"]\n\ttextconv = {program}\n\tcommand = {program}\n')


def external_diff(repo: GitRepo, program: Path) -> None:
    base(repo)
    config(repo, f"[diff]\n\texternal = {program}\n")


def fsmonitor(repo: GitRepo, program: Path) -> None:
    base(repo)
    config(repo, f"[core]\n\tfsmonitor = {program}\n")


def hooks(repo: GitRepo, program: Path) -> None:
    base(repo)
    folder = repo.root / ".git" / "evil-hooks"
    folder.mkdir()
    names = ("pre-commit", "post-checkout", "post-index-change", "reference-transaction",
             "fsmonitor-watchman", "post-merge", "pre-auto-gc")  # fmt: skip
    for name in names:
        for where in (folder, repo.root / ".git" / "hooks"):
            (where / name).write_text(program.read_text())
            (where / name).chmod(0o755)
    config(repo, f"[core]\n\thooksPath = {folder}\n")


def signatures(repo: GitRepo, program: Path) -> None:
    """A signed commit and log.showSignature: `git log` would verify it with gpg.program."""
    repo.write("a.tf", USER)
    repo.git("add", "-A")
    tree = repo.git("write-tree").strip()
    signature = "-----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----"
    body = (
        f"tree {tree}\nauthor Alice Example <alice@example.com> 1767225600 +0000\n"
        f"committer Alice Example <alice@example.com> 1767225600 +0000\n"
        f"gpgsig {signature}\n\nadd a\n"
    )
    commit = repo.root / "commit.txt"
    commit.write_text(body)
    sha = repo.git("hash-object", "-t", "commit", "-w", str(commit)).strip()
    commit.unlink()
    repo.git("update-ref", "HEAD", sha)
    config(repo, f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {program}\n"
                 f'[gpg "openpgp"]\n\tprogram = {program}\n')  # fmt: skip


def pager(repo: GitRepo, program: Path) -> None:
    base(repo)
    config(repo, f"[core]\n\tpager = {program}\n[pager]\n\tblame = {program}\n\tlog = {program}\n")


def lazy_fetch(repo: GitRepo, program: Path) -> None:
    """A partial clone missing a blob: git would fetch it through the promisor remote, here an
    `ext::` remote helper that runs a command (and an ssh command for ssh:// remotes)."""
    repo.write("a.tf", USER)
    repo.commit("add a")
    repo.write("a.tf", USER + "# edited\n")
    repo.commit("edit a")
    old = repo.git("rev-parse", "HEAD~1:a.tf").strip()
    (repo.root / ".git" / "objects" / old[:2] / old[2:]).unlink()
    repo.git("config", "core.repositoryformatversion", "1")
    config(repo, (
        "[extensions]\n\tpartialClone = origin\n"
        f'[remote "origin"]\n\turl = ext::{program} %S\n\tpromisor = true\n'
        f"[protocol]\n\tallow = always\n"
        '[protocol "ext"]\n\tallow = always\n'
        f"[core]\n\tsshCommand = {program}\n\taskPass = {program}\n"
        f"[credential]\n\thelper = !{program}\n"
    ))  # fmt: skip


VECTORS: dict[str, Callable[[GitRepo, Path], None]] = {
    "filter-clean": filter_clean,
    "filter-process": filter_process,
    "filter-odd-name": filter_odd_name,
    "filter-in-included-config": filter_in_included_config,
    "filter-in-info-attributes": filter_in_info_attributes,
    "textconv-and-diff-driver": textconv,
    "external-diff": external_diff,
    "fsmonitor": fsmonitor,
    "hooks": hooks,
    "signature-verification": signatures,
    "pager": pager,
    "lazy-fetch-remote-helper": lazy_fetch,
}


@pytest.mark.parametrize("vector", VECTORS, ids=list(VECTORS))
def test_no_configured_program_ever_runs(git_repo, tmp_path: Path, capsys, vector: str) -> None:
    program, marker = canary(tmp_path)
    VECTORS[vector](git_repo, program)
    # Changed after the commit (so status must look at the content), plus a line not committed.
    git_repo.write("a.tf", USER + "# local\n")
    os.utime(git_repo.root / "a.tf", (1, 1))
    root = str(git_repo.root)
    runs = {
        "cache": ["scan", "--repo", root, "--format", "json", "--cache-dir", str(tmp_path / "c")],
        "no-cache": ["scan", "--repo", root, "--format", "json", "--no-cache"],
        "diff-base": [
            "scan",
            "--repo",
            root,
            "--format",
            "json",
            "--no-cache",
            "--diff-base",
            "HEAD",
        ],
        "explain": ["explain", "--repo", root, ID],
    }
    for name, args in runs.items():
        code = main(args)
        out = capsys.readouterr().out
        assert not marker.exists(), f"{name}: {marker.read_text()}"
        assert code in (0, 1), (name, out)
        if name != "explain":
            assert [i["id"] for i in json.loads(out)["identities"]] == [ID]


def test_gits_own_error_never_repeats_a_token_written_in_a_url(git_repo) -> None:
    # git quotes what it could not use; a URL's userinfo never reaches our message (#16).
    token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    git_repo.commit("initial")
    with pytest.raises(git.GitError) as raised:
        git.run(git_repo.root, "merge-base", f"https://ci:{token}@example.com/x", "HEAD")
    assert str(raised.value) == (
        "git merge-base failed: fatal: Not a valid object name https://example.com/x"
    )
