"""`nhi scan --roster`: a pull request that makes a departed person the owner is blocked (#23)."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.cli import main

ROSTER = """\
email,status,manager,github_login,name,aliases,leave_date
carol@example.com,active,,carolc,Carol,,
bob@example.com,departed,carol@example.com,bobb,Bob,,2026-03-02
"""
USER = 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n'


def scan(git_repo, tmp_path: Path, capsys, *extra: str) -> tuple[int, list[tuple[str, str]]]:
    code = main(["scan", "--repo", str(git_repo.root), "--format", "json", "--no-cache",
                 "--today", "2026-11-01", *extra])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    return code, [(f["rule"], f["message"]) for f in report["findings"] if f["rule"] != "NHI002"]


def test_a_departed_owner_blocks_the_scan(git_repo, tmp_path: Path, capsys) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "teams.json").write_text('{"@acme/infra": {"members": ["bobb"]}}')
    git_repo.write("iam.tf", USER)
    git_repo.write("CODEOWNERS", "/iam.tf @bobb @acme/infra\n")
    git_repo.commit("a user owned by Bob, who has left")
    assert scan(git_repo, tmp_path, capsys) == (0, [])  # without people, nothing to judge
    assert scan(
        git_repo,
        tmp_path,
        capsys,
        "--roster",
        str(tmp_path / "roster.csv"),
        "--teams",
        str(tmp_path / "teams.json"),
    ) == (
        1,
        [("NHI102", "aws_iam_user ci is orphaned: every owner (@bobb, @acme/infra) has left")],
    )
    git_repo.write("CODEOWNERS", "/iam.tf @bobb @carolc\n")
    git_repo.commit("Carol owns it too")
    assert scan(git_repo, tmp_path, capsys, "--roster", str(tmp_path / "roster.csv")) == (0, [])


def test_teams_need_a_roster(git_repo, tmp_path: Path, capsys) -> None:
    (tmp_path / "teams.json").write_text("{}")
    assert (
        main(["scan", "--repo", str(git_repo.root), "--teams", str(tmp_path / "teams.json")]) == 2
    )
    assert "--teams needs --roster" in capsys.readouterr().err
