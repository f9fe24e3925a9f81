"""A hostile repository: every file below is built to break a scanner. Each must end as an
`errors` entry with a clear reason (or, for odd names and line endings, as correct facts),
and the rest of the scan must be intact: the ordinary identity is still found, the outputs
are well formed, no annotation is forged and no secret value is printed."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from scanner import pipeline, policy
from scanner.cli import main
from scanner.reporters import REPORTERS

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q"
ODD = "a%b,c:d::error::x\ny.env"  # newline, %, comma, colon and a would-be workflow command
USER = 'resource "aws_iam_user" "{name}" {{\n  name = "{name}"\n}}\n'


def bomb() -> str:
    """A billion laughs in YAML: nine levels of nine aliases."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join([*lines, "on: push", "jobs: *a9", ""])


HOSTILE: dict[str, str | bytes] = {
    "ok.tf": USER.format(name="ci"),
    ".github/workflows/bomb.yml": bomb(),
    ".github/workflows/deep.yml": "on: push\njobs: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep.tf.json": '{"resource": ' + "[" * 40_000 + "]" * 40_000 + "}",
    ".vscode/mcp.json": '{"servers": ' + '{"a":' * 15_000 + "1" + "}" * 15_000 + "}",
    "big.tf": USER.format(name="big") + "#" * 200_000 + "\n",
    "binary.tf": b'resource "aws_iam_user" "b" {\x00\x01\x02}\n',
    "latin1.env": "TOKEN=caf\xe9\n".encode("latin-1"),
    "broken.tf": 'resource "aws_iam_user" "x" {\n  name = \n',
    # Line numbers are git's (only \n ends a line), so they match blame and GitHub's diff.
    "mixed.tf": b'# a\r\nresource "aws_iam_user" "crlf" {\r\n  name = "x"\r\n}\r'
    b'resource "aws_iam_user" "cr" {\n  name = "y"\n}\n',
    ODD: f"GITHUB_PAT={TOKEN}\n",
    "CODEOWNERS": "* @acme/platform\n" + "# padding\n" * 320_000,
}

ERRORS = [
    (
        ".github/workflows/bomb.yml",
        None,
        "invalid YAML: more than 100000 values (alias expansion?)",
    ),
    (".github/workflows/deep.yml", None, "invalid YAML: nested deeper than 200 levels"),
    (".vscode/mcp.json", 1, "invalid JSON: nested deeper than 200 levels"),
    ("CODEOWNERS", None, "3 MB or larger: GitHub ignores it, so nobody owns anything"),
    ("big.tf", None, "200050 bytes, over the 100000-byte limit; skipped"),
    ("binary.tf", None, "binary file (contains NUL bytes); skipped"),
    ("broken.tf", 2, "invalid HCL: unexpected token at line 2, column 10"),
    ("deep.tf.json", 1, "invalid JSON: nested deeper than 200 levels"),
    ("latin1.env", 1, "not valid UTF-8 text (invalid byte at offset 9); skipped"),
    ("loop.tf", None, "symbolic link loop; not followed"),
    ("outside.tf", None, "symbolic link to a file outside the repository; not followed"),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Report:
    from tests.conftest import GitRepo

    root = tmp_path_factory.mktemp("hostile") / "repo"
    root.mkdir()
    repo = GitRepo(root)
    repo.git("init", "-q", "-b", "main")
    for path, content in HOSTILE.items():
        repo.write(path, content)
    outside = root.parent / "secret.tf"
    outside.write_text(USER.format(name="outside"))
    os.symlink(outside, root / "outside.tf")
    os.symlink("loop.tf", root / "loop.tf")
    repo.commit("hostile files")
    options = pipeline.Options(max_file_size=100_000, policies=policy.builtin())
    return pipeline.scan(root, options=options)


def test_every_hostile_file_is_an_error_with_its_reason(hostile: pipeline.Report) -> None:
    assert [(e.path, e.line, e.message) for e in hostile.errors] == ERRORS


def test_the_rest_of_the_scan_is_intact(hostile: pipeline.Report) -> None:
    assert [
        (s.identity.path, s.identity.line, s.identity.end_line, s.identity.name)
        for s in hostile.subjects
    ] == [
        (ODD, 1, 1, "GITHUB_PAT"),
        ("mixed.tf", 2, 4, "crlf"),
        ("mixed.tf", 4, 6, "cr"),
        ("ok.tf", 1, 3, "ci"),
    ]
    assert {s.attribution.provisioner.email for s in hostile.subjects} == {"alice@example.com"}


def test_no_output_is_forged_broken_or_leaks(hostile: pipeline.Report) -> None:
    outputs = {name: reporter.render(hostile) for name, reporter in REPORTERS.items()}
    for name, text in outputs.items():
        assert TOKEN not in text and TOKEN[4:12] not in text, name
    # Workflow commands: every line GitHub would read as one is ours, with the odd name escaped.
    commands = [line for line in outputs["github"].splitlines() if line.startswith("::")]
    assert all(re.match(r"^::(error|warning|notice) [^:\n]*::", line) for line in commands)
    assert not any(line.startswith("::error::x") for line in outputs["github"].splitlines())
    assert "file=a%25b%2Cc%3Ad%3A%3Aerror%3A%3Ax%0Ay.env,line=1" in outputs["github"]
    sarif = json.loads(outputs["sarif"])
    schema = json.loads((ROOT / "tests/reporters/schemas/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}  # fmt: skip
    assert "a%25b%2Cc%3Ad%3A%3Aerror%3A%3Ax%0Ay.env" in uris
    assert "a%b,c:d::error::x\\ny.env:1: " in outputs["text"]  # the newline shown escaped


def test_a_slow_file_is_cut_off_and_the_others_are_scanned(git_repo) -> None:
    git_repo.write("ok.tf", USER.format(name="ci"))
    # Parsing this takes seconds; the limit is a fraction of that. In a block the scanner
    # reads: a slow block nobody reads is never parsed (#21).
    git_repo.write("slow.tf", 'resource "aws_iam_user" "slow" {\n  tags = ' + "[" * 20_000
                   + "]" * 20_000 + "\n}\n")  # fmt: skip
    git_repo.commit("files")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(file_timeout=0.3, jobs=1))
    assert [(e.path, e.message) for e in report.errors] == [
        ("slow.tf", "not scanned: parsing took longer than 0.3 s")
    ]
    assert [s.identity.id for s in report.subjects] == ["ok.tf#aws_iam_user.ci"]


def test_past_the_deadline_the_report_is_still_written(git_repo, tmp_path, capsys) -> None:
    git_repo.write("ok.tf", USER.format(name="ci"))
    git_repo.commit("files")
    out = tmp_path / "report.json"
    argv = ["scan", "--repo", str(git_repo.root), "--no-cache", "--strict"]
    assert main([*argv, "--deadline", "0.000001", "--format", "json", "--output", str(out)]) == 3
    report = json.loads(out.read_text())
    assert (report["identities"], report["errors"]) == (
        [],
        [
            {
                "path": ".",
                "line": None,
                "message": "not attributed (no git blame): the scan's deadline (1e-06 s) passed",
            },
            {
                "path": "ok.tf",
                "line": None,
                "message": "not scanned: the scan's deadline (1e-06 s) passed",
            },
        ],
    )


def test_repository_states(git_repo, tmp_path) -> None:
    """No commits, a detached HEAD, a submodule (another repository: not scanned) and a
    linked worktree."""
    git_repo.write("main.tf", USER.format(name="main"))
    unborn = pipeline.scan(git_repo.root)
    assert (unborn.repository.commit, unborn.subjects[0].attribution.provisioner.uncommitted) == (
        None,
        True,
    )
    git_repo.commit("main")
    module = tmp_path / "module"
    module.mkdir()
    from tests.conftest import GitRepo

    other = GitRepo(module)
    other.git("init", "-q", "-b", "main")
    other.write("sub.tf", USER.format(name="sub"))
    other.commit("sub", author="Sam Sub <sam@example.com>")
    git_repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(module), "sub")
    git_repo.commit("add the submodule")
    git_repo.git("checkout", "-q", "--detach", "HEAD")
    detached = pipeline.scan(git_repo.root)
    assert [(s.identity.id, s.attribution.provisioner.email) for s in detached.subjects] == [
        ("main.tf#aws_iam_user.main", "alice@example.com")
    ]
    # The submodule is not scanned, and the report says so (issue 20).
    assert [(e.path, e.message) for e in detached.errors] == [("sub", pipeline.SUBMODULE)]
    git_repo.git("worktree", "add", "-q", str(tmp_path / "linked"), "main")
    linked = pipeline.scan(tmp_path / "linked")
    assert [(s.identity.id, s.attribution.provisioner.email) for s in linked.subjects] == [
        ("main.tf#aws_iam_user.main", "alice@example.com")
    ]


def test_git_never_runs_a_program_the_repository_configures(git_repo, tmp_path) -> None:
    marker = tmp_path / "ran"
    git_repo.write("ok.tf", USER.format(name="ci"))
    git_repo.write(".gitattributes", "*.tf diff=evil\n")
    git_repo.commit("files")
    git_repo.write("ok.tf", USER.format(name="ci") + "# changed\n")  # a diff to compute
    for key, value in (
        ("diff.evil.textconv", f"touch {marker}; cat"),
        ("diff.external", f"touch {marker}; true"),
        ("core.fsmonitor", f"touch {marker}; true"),
        ("core.pager", f"touch {marker}; cat"),
    ):
        git_repo.git("config", key, value)
    options = pipeline.Options(diff_base="HEAD", cache_dir=tmp_path / "cache")
    report = pipeline.scan(git_repo.root, options=options)
    assert [s.attribution.provisioner.email for s in report.subjects] == ["alice@example.com"]
    assert not marker.exists()


def test_text_output_never_starts_a_workflow_command(git_repo) -> None:
    """In GitHub Actions a printed line starting with `::` is a command: a file named like one
    must not silence the annotations after it (found by helper review, #12)."""
    git_repo.write("::stop-commands::x.tf", USER.format(name="a"))
    git_repo.commit("a name that is a command")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(policies=policy.builtin()))
    text = REPORTERS["text"].render(report)
    assert [line for line in text.splitlines() if line.startswith("::")] == []
    assert "./::stop-commands::x.tf:1: aws_iam_user a" in text.splitlines()


def test_codeowners_and_the_waiver_file_are_never_read_through_a_link_out(
    git_repo, tmp_path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "CODEOWNERS").write_text("* @someone/else\n")
    (outside / "waivers.yaml").write_text("waivers: []\n")
    git_repo.write("ok.tf", USER.format(name="ci"))
    os.symlink(outside, git_repo.root / ".github")  # a directory link: .github/CODEOWNERS
    git_repo.commit("links")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(policies=policy.builtin()))
    assert [(e.path, e.message) for e in report.errors] == [
        (".github/CODEOWNERS", "symbolic link to a file outside the repository; not followed")
    ]
    assert report.subjects[0].attribution.owners == ()
    # An unusable waiver file stops the scan (exit 3): failing closed, never silently unwaived.
    os.symlink(outside / "waivers.yaml", git_repo.root / ".nhi-waivers.yaml")
    with pytest.raises(pipeline.PolicyError) as refused:
        pipeline.waiver_file(git_repo.root)
    assert str(refused.value) == (
        ".nhi-waivers.yaml: cannot be read: symbolic link to a file outside the repository; "
        "not followed"
    )
