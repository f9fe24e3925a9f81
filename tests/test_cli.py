"""The command line's wiring: options, output destinations and the documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner import __version__, cli, pipeline
from scanner.cli import exit_code, main
from scanner.model import Finding, Report, Repository, ScanError, Severity

# Owned (a declared owner tag), so the built-in policies find nothing and the exit code is 0.
USER = 'resource "aws_iam_user" "ci" {\n  tags = { owner = "@acme/platform" }\n}\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "iam.tf").write_text(USER)
    return tmp_path


def test_text_output_and_exit_zero(repo: Path, capsys) -> None:
    # Outside git nobody is known to have written it: an info notice (NHI007, issue 18).
    assert main(["scan", "--repo", str(repo)]) == 0
    assert capsys.readouterr().out == (
        "iam.tf:1: NHI007 [info] who introduced aws_iam_user ci is unknown: the history is "
        "missing (a shallow clone: check out with fetch-depth: 0; a folder outside git: give "
        "--owner EMAIL), git could not blame the file (see its errors entry), or only bots ever "
        "wrote it (see the provisioner's evidence)\n"
        "iam.tf:1: aws_iam_user ci\n"
        "1 identity in 1 file, 1 finding, 0 errors\n"
        "open findings by severity: info 1\n"
        "open findings by rule: NHI007 1\n\n"
        "How to go forward:\n"
        "  - or waive one finding where it is declared, with an owner and an expiry: "
        '# nhi:ignore[RULE] owner=@your-team expires=YYYY-MM-DD reason="why"\n'
        "  - what each rule means and how to fix it: nhi policies show NHI007\n"
        "--fail-on high: passes (no open finding at high or above)\n"
    )


def test_json_to_file(repo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.json"
    assert main(["scan", "--repo", str(repo), "--format", "json", "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    document = json.loads(out.read_text())
    assert [i["id"] for i in document["identities"]] == ["iam.tf#aws_iam_user.ci"]
    assert document["tool"] == {"name": "nhi-scanner", "version": __version__}


def test_scan_errors_are_reported_and_fatal_only_with_strict(repo: Path, capsys) -> None:
    (repo / "bad.tf").write_text('resource "aws_iam_user" {')
    assert main(["scan", "--repo", str(repo)]) == 0
    assert "bad.tf:1: error: invalid HCL" in capsys.readouterr().out
    assert main(["scan", "--repo", str(repo), "--strict"]) == 3


def test_usage_errors_exit_2(repo: Path, capsys) -> None:
    assert main(["scan", "--repo", str(repo), "--format", "xml"]) == 2
    assert "Invalid value for '--format'" in capsys.readouterr().err
    assert main(["scan", "--repo", str(repo / "nope")]) == 2
    assert main(["scan", "--max-file-size", "0"]) == 2
    assert main(["frobnicate"]) == 2


def test_unwritable_output_is_an_explained_error(repo: Path, capsys) -> None:
    target = repo / "no/such/dir/report.json"
    assert main(["scan", "--repo", str(repo), "--output", str(target)]) == 3
    err = capsys.readouterr().err
    assert err == f"nhi: error: cannot write {target}: No such file or directory\n"


def test_internal_errors_exit_4_with_traceback_only_when_verbose(repo, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "scan", broken)
    assert main(["scan", "--repo", str(repo)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("nhi: internal error: RuntimeError: boom\nThis is a bug; please report")
    assert "Traceback" not in err
    assert main(["scan", "--repo", str(repo), "--verbose"]) == 4
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_interrupt_exits_130(repo, monkeypatch, capsys) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "scan", interrupted)
    assert main(["scan", "--repo", str(repo)]) == 130
    assert capsys.readouterr().err.strip() == "nhi: interrupted"


def test_version_and_help(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"nhi, version {__version__}\n"
    assert main(["scan", "--help"]) == 0
    assert "--fail-on [critical|high|medium|low|info|none]" in capsys.readouterr().out


def test_github_actions_repository_name(repo, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/app")
    assert main(["scan", "--repo", str(repo), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["repository"]["name"] == "acme/app"


def test_default_root_is_the_enclosing_work_tree(git_repo, monkeypatch, capsys) -> None:
    git_repo.write("infra/iam.tf", USER)
    monkeypatch.chdir(git_repo.root / "infra")
    assert main(["scan"]) == 0
    assert capsys.readouterr().out.startswith("infra/iam.tf:1: aws_iam_user ci\n")


def _report(*severities: Severity, errors: int = 0) -> Report:
    return Report(
        tool_version=__version__,
        repository=Repository(name="r", commit=None, shallow=False),
        subjects=(),
        modules=(),
        findings=tuple(
            Finding(rule="NHI001", severity=s, identity="x", path="p", line=1, message="m")
            for s in severities
        ),
        errors=tuple(ScanError(path="p", line=None, message="m") for _ in range(errors)),
    )


@pytest.mark.parametrize(
    ("severities", "fail_on", "strict", "errors", "expected"),
    [
        ((), Severity.HIGH, False, 0, 0),
        ((Severity.MEDIUM,), Severity.HIGH, False, 0, 0),
        ((Severity.HIGH,), Severity.HIGH, False, 0, 1),
        ((Severity.CRITICAL, Severity.LOW), Severity.HIGH, False, 0, 1),
        ((Severity.LOW,), Severity.INFO, False, 0, 1),
        ((), Severity.HIGH, False, 2, 0),
        ((Severity.CRITICAL,), Severity.HIGH, True, 1, 3),
    ],
)
def test_exit_code(severities, fail_on, strict, errors, expected) -> None:
    assert exit_code(_report(*severities, errors=errors), fail_on, strict=strict) == expected


def test_python_dash_m_and_console_script(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", "--repo", str(repo), "--strict"],
        capture_output=True,
        text=True,
        check=False,
    )
    # [0] is NHI007's notice: outside git nobody is known to have written it (issue 18).
    assert (result.returncode, result.stdout.splitlines()[1]) == (0, "iam.tf:1: aws_iam_user ci")
    bad = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", "--format", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert cli.EXIT_BUG == 4


def test_the_cli_spells_out_the_aggregate_formats() -> None:
    from scanner import aggregate
    from scanner.cli.org import AGGREGATE_FORMATS

    assert AGGREGATE_FORMATS == aggregate.FORMATS


@pytest.mark.parametrize(
    "argv",
    [
        ["aggregate", "report.json", "--roster", "roster.csv", "--no-db"],
        ["inventory", "--db", "inventory.sqlite"],
        ["lineage", "--person", "a@example.com"],
        ["explain", "x.tf#aws_iam_user.x"],
        ["policies", "list"],
        ["demo", "--folder", "demo"],
    ],
)
def test_every_command_shows_a_traceback_with_verbose(argv, monkeypatch, capsys, tmp_path):
    # A bug anywhere is exit 4 with "please report", and --verbose works for every command (#17).
    from scanner import pipeline, policy
    from scanner.aggregate import inventory

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    for module, name in [(pipeline, "scan"), (policy, "builtin"), (inventory, "query")]:
        monkeypatch.setattr(module, name, broken)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.json").write_text("{}")
    (tmp_path / "roster.csv").write_text("email\na@example.com\n")
    assert main([*argv, "--verbose"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("nhi: internal error: RuntimeError: boom\n")
    assert "Traceback (most recent call last)" in err


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path, capsys, monkeypatch) -> None:
    # A typo must not pass for a clean scan (#22).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "iam.tf").write_text('resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n')
    assert main(["scan", "iam.tf", "missing.tf", "--no-cache"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "Error: no such file or folder: missing.tf; paths are relative to the current folder"
    )
    assert main(["scan", "iam.tf", "--no-cache", "--format", "json"]) == 1


def test_a_scan_reports_its_progress_and_the_terminal_line_is_wiped(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    import io
    import subprocess

    from scanner import pipeline
    from scanner.cli.common import ScanProgress
    from tests.conftest import GIT_ENV

    for name in ("a", "b"):
        (tmp_path / f"{name}.tf").write_text(f'resource "aws_iam_user" "{name}" {{\n}}\n')
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(["git", "commit", "-qm", "users"], cwd=tmp_path, check=True,
                   env={**GIT_ENV, "PATH": "/usr/bin:/bin"})  # fmt: skip
    seen: list[tuple[str, int, int]] = []
    pipeline.scan(tmp_path, options=pipeline.Options(progress=lambda *a: seen.append(a), jobs=1))
    assert seen == [("parsed", 1, 2), ("parsed", 2, 2), ("blamed", 1, 2), ("blamed", 2, 2)]
    terminal = io.StringIO()
    monkeypatch.setattr("sys.stderr", terminal)
    drawn = ScanProgress(after=0.0)
    drawn("parsed", 1, 2)
    drawn("parsed", 2, 2)  # the last one is always drawn
    drawn.close()
    assert terminal.getvalue() == (
        "\r\x1b[Knhi: parsed 1/2 files\r\x1b[Knhi: parsed 2/2 files\r\x1b[K"
    )
