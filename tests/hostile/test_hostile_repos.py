"""Hostile file names and unusual repository states, scanned through the CLI.

File names come from the scanned repository, so they are attacker-controlled: a name holding
a newline and `::error::` must not forge a GitHub workflow command, and every format must stay
valid (SARIF against the OASIS schema). Repositories with no commits, a detached HEAD, a
submodule or a linked worktree must scan like any other.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import jsonschema
import pytest

from scanner import pipeline
from scanner.cli import main

USER = 'resource "aws_iam_access_key" "{name}" {{\n  user = "ci"\n}}\n'
NAMES = ["a\nb.tf", "100%.tf", "x,y.tf", "c:d.tf", "::error::forged.tf", "%0A::warning::x.tf"]
SARIF_SCHEMA = Path(__file__).parent.parent / "reporters" / "schemas" / "sarif-schema-2.1.0.json"
COMMAND = re.compile(
    r"^::(error|warning|notice) file=(?P<file>[^,:\r\n]*),line=\d+,endLine=\d+,"
    r"title=[^,:\r\n]*::[^\r\n]*$"
)


def unescape(value: str) -> str:
    for escaped, raw in (("%3A", ":"), ("%2C", ","), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def scan(root: Path, tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main(["scan", "--repo", str(root), "--format", "json", "--output", str(out),
                 "--no-cache", *args])  # fmt: skip
    return code, json.loads(out.read_text())


def test_hostile_file_names_cannot_forge_annotations_or_break_sarif(
    git_repo, tmp_path: Path, capsys
) -> None:
    for index, name in enumerate(NAMES):
        git_repo.write(name, USER.format(name=f"k{index}"))
    git_repo.commit("names")
    sarif = tmp_path / "nhi.sarif"
    code = main(["scan", "--repo", str(git_repo.root), "--format", "github", "--no-cache",
                 "--write", f"sarif={sarif}"])  # fmt: skip
    assert code == 1
    lines = capsys.readouterr().out.splitlines()
    # NHI001 (error) and NHI002 (warning) per key: one command per line, nothing else.
    assert len(lines) == 2 * len(NAMES)
    files = [unescape(COMMAND.fullmatch(line)["file"]) for line in lines]  # type: ignore[index]
    assert sorted(set(files)) == sorted(NAMES)
    document = json.loads(sarif.read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert {urllib.parse.unquote(uri) for uri in uris} == set(NAMES)
    assert not any(uri.startswith("c:") for uri in uris)  # never read as a URI scheme


def test_no_commits_yet(git_repo, tmp_path: Path) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    code, report = scan(git_repo.root, tmp_path, "--fail-on", "critical")
    assert code == 0
    assert report["repository"]["commit"] is None
    assert report["errors"] == []
    [identity] = report["identities"]
    assert (identity["id"], identity["provisioner"]["uncommitted"]) == (
        "a.tf#aws_iam_access_key.a",
        True,
    )


def test_detached_head(git_repo, tmp_path: Path) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    first = git_repo.commit("a")
    git_repo.write("b.tf", USER.format(name="b"))
    git_repo.commit("b")
    git_repo.git("checkout", "-q", "--detach", first)
    code, report = scan(git_repo.root, tmp_path, "--fail-on", "critical")
    assert code == 0
    assert report["repository"]["commit"] == first
    assert [(i["id"], i["provisioner"]["commit"]) for i in report["identities"]] == [
        ("a.tf#aws_iam_access_key.a", first)
    ]


def test_submodule_content_is_not_scanned(git_repo, tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    git_repo.git("init", "-q", "-b", "main", str(inner))
    (inner / "inner.tf").write_text(USER.format(name="inner"))
    git_repo.git("-C", str(inner), "add", "-A")
    git_repo.git("-C", str(inner), "commit", "-q", "-m", "inner")
    git_repo.write("a.tf", USER.format(name="a"))
    # A submodule whose folder name looks like a Terraform file: a gitlink, never read.
    git_repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "m.tf")
    git_repo.commit("with submodule")
    code, report = scan(git_repo.root, tmp_path, "--fail-on", "critical")
    assert code == 0
    assert [i["id"] for i in report["identities"]] == ["a.tf#aws_iam_access_key.a"]
    assert report["errors"] == [{"path": "m.tf", "line": None, "message": pipeline.SUBMODULE}]


def test_linked_worktree(git_repo, tmp_path: Path) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    sha = git_repo.commit("a")
    linked = tmp_path / "linked"
    git_repo.git("worktree", "add", "-q", "-b", "other", str(linked))
    (linked / "b.tf").write_text(USER.format(name="b"))
    code, report = scan(linked, tmp_path, "--fail-on", "critical")
    assert code == 0
    assert report["repository"]["commit"] == sha
    assert report["errors"] == []
    assert [(i["id"], i["provisioner"]["uncommitted"]) for i in report["identities"]] == [
        ("a.tf#aws_iam_access_key.a", False),
        ("b.tf#aws_iam_access_key.b", True),
    ]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("a\nb.tf", "a\\nb.tf"), ("::stop-commands::x.tf", "./::stop-commands::x.tf")],
)
def test_text_lines_cannot_start_a_workflow_command(
    git_repo, capsys, name: str, shown: str
) -> None:
    git_repo.write(name, USER.format(name="k"))
    git_repo.commit("name")
    assert main(["scan", "--repo", str(git_repo.root), "--no-cache", "--no-attribution"]) == 1
    assert capsys.readouterr().out.splitlines()[:3] == [
        f"{shown}:1: NHI001 [high] aws_iam_access_key k has no accountable owner: no CODEOWNERS "
        f"rule covers {shown.removeprefix('./')} and the declaration names no owner",
        f"{shown}:1: NHI002 [medium] aws_iam_access_key k is a long-lived static cloud "
        "credential; prefer short-lived federation (OIDC, workload identity)",
        f"{shown}:1: aws_iam_access_key k",
    ]


# Names the scanner writes and the aggregator must read (#16): one rule for paths on both sides.
ODD_PATHS = ["docs\\notes.env", "a\\..\\b.env", "..notes.env", "x/...env", " lead.env"]


def test_odd_file_names_survive_the_aggregator(git_repo, tmp_path: Path, capsys) -> None:
    for name in ODD_PATHS:
        git_repo.write(name, "API_TOKEN=Tz6Rw1Qx8Lp3Vm7Kc2Nb5Hy9Jd\n")
    git_repo.commit("odd names")
    code, report = scan(git_repo.root, tmp_path)
    assert (code, report["errors"]) == (1, [])
    assert sorted(i["path"] for i in report["identities"]) == sorted(ODD_PATHS)
    (tmp_path / "roster.csv").write_text("email,status\n")
    capsys.readouterr()
    code = main(["aggregate", str(tmp_path / "report.json"), "--roster",
                 str(tmp_path / "roster.csv"), "--format", "json", "--no-db"])  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert (code, result["rejected"]) == (1, [])
    assert sorted(i["path"] for i in result["identities"]) == sorted(ODD_PATHS)


@pytest.mark.parametrize(
    ("path", "valid"),
    [("docs\\notes.env", True), ("a/..b/c", True), ("...", True), ("/etc/x.env", False),
     ("a/../b.env", False), ("..", False), ("../x", False), ("a/..", False),
     ("a\x00b", False), ("", False)],
)  # fmt: skip
def test_the_scanner_and_the_report_schema_share_one_path_rule(path: str, valid: bool) -> None:
    from scanner import paths
    from scanner.reporters.json import _schema

    path_schema = {**_schema()["$defs"]["path"]}
    assert jsonschema.Draft202012Validator(path_schema).is_valid(path) is valid
    assert paths.valid(path) is valid


def test_the_scanner_never_writes_a_path_the_aggregator_refuses() -> None:
    from scanner.model import ScanError
    from scanner.pipeline import discover

    listed = ["../up.env", "a/../b.env", "/abs.env", "nul\x00.env", "ok.env", "docs\\n.env"]
    found, errors = discover.candidates(Path("/nowhere"), [], listed)
    assert [c.path for c in found] == ["docs\\n.env", "ok.env"]
    assert errors == [
        ScanError(path=p, line=None, message="not a repository-relative path")
        for p in ("../up.env", "a/../b.env", "/abs.env", "nul\x00.env")
    ]
