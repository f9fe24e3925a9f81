"""Attribution inputs read like scanned files; blame failures are never silent (issue 16).

`.git-blame-ignore-revs` comes from the repository: a link out of it or to a device, and lines
git would reject, once made every provisioner silently null. 100,000 keys in one `.env` once
made one `git blame` exceed the command-line limit (exit 4, no report).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scanner.cli import main

USER = 'resource "aws_iam_access_key" "{name}" {{\n  user = "ci"\n}}\n'
BOB = "Bob Builder <bob@example.com>"


def scan(root: Path, tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main(["scan", "--repo", str(root), "--format", "json", "--output", str(out),
                 "--no-cache", "--fail-on", "critical"])  # fmt: skip
    return code, json.loads(out.read_text())


def provisioners(report: dict) -> list[tuple[str, str | None, str | None]]:
    return [
        (i["id"], (i["provisioner"] or {}).get("email"), (i["provisioner"] or {}).get("confidence"))
        for i in report["identities"]
    ]


def test_ignore_revs_link_to_a_device_is_not_followed(git_repo, tmp_path: Path) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("add a")
    os.symlink("/dev/zero", git_repo.root / ".git-blame-ignore-revs")
    code, report = scan(git_repo.root, tmp_path)
    assert code == 0
    assert report["errors"] == [
        {
            "path": ".git-blame-ignore-revs",
            "line": None,
            "message": "symbolic link to a file outside the repository; not followed",
        }
    ]
    assert provisioners(report) == [("a.tf#aws_iam_access_key.a", "alice@example.com", "high")]


def test_bad_ignore_revs_lines_are_errors_and_short_ids_are_resolved(git_repo, tmp_path) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("add a")
    git_repo.write("a.tf", USER.format(name="a").replace("{", "{ # reformatted", 1))
    sweep = git_repo.commit("reformat", author=BOB)
    git_repo.write(
        ".git-blame-ignore-revs",
        f"# sweeps\n{sweep[:10]}  # the reformat\nnot-a-commit\nabcdef0\n{'f' * 40}\n",
    )
    git_repo.commit("ignore the sweep")
    code, report = scan(git_repo.root, tmp_path)
    assert code == 0
    assert report["errors"] == [
        {"path": ".git-blame-ignore-revs", "line": 3, "message": "not a commit id; line ignored"},
        {
            "path": ".git-blame-ignore-revs",
            "line": 4,
            "message": "abcdef0 names no commit, or more than one; line ignored",
        },
    ]
    # The abbreviated sweep is honoured: blame looks past Bob's reformat to Alice.
    assert provisioners(report) == [("a.tf#aws_iam_access_key.a", "alice@example.com", "medium")]


def test_a_failed_blame_is_an_error_and_an_unknown_provisioner(git_repo, tmp_path) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("add a")
    git_repo.write("a.tf", USER.format(name="a") + "# edited\n")
    git_repo.commit("edit a")
    old = git_repo.git("rev-parse", "HEAD~1:a.tf").strip()
    (git_repo.root / ".git" / "objects" / old[:2] / old[2:]).unlink()  # a broken repository
    code, report = scan(git_repo.root, tmp_path)
    assert code == 0
    [error] = report["errors"]
    assert (error["path"], error["line"]) == ("a.tf", None)
    assert (
        error["message"]
        == f"not attributed: git blame failed: fatal: Cannot read blob {old} for path a.tf"
    )
    [identity] = report["identities"]
    assert identity["provisioner"]["confidence"] == "unknown"
    assert identity["provisioner"]["evidence"] == [
        error["message"].removeprefix("not attributed: ")
    ]


def test_a_hundred_thousand_keys_in_one_env_file_are_all_attributed(git_repo, tmp_path) -> None:
    count = 100_000
    git_repo.write(".env", "".join(f"SERVICE_{n}_API_KEY=\n\n" for n in range(count)))
    git_repo.commit("many keys")
    code, report = scan(git_repo.root, tmp_path)
    assert code == 0
    assert report["errors"] == []
    assert len(report["identities"]) == count
    assert {(i["provisioner"]["email"], i["provisioner"]["confidence"])
            for i in report["identities"]} == {("alice@example.com", "high")}  # fmt: skip
