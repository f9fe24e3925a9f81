"""No text nhi prints can be a workflow command or carry a terminal escape.

Each case is one hostile file name (and the same text as an identity's name) in a scanned
repository; every command and format that prints it to stdout or stderr is read back with the
runner's own rules (actions/runner `ActionCommand.TryParseV2`: `::` after leading whitespace;
`TryParse`: `##[` anywhere in the line; lines end at LF, CR or CRLF).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner.cli import main

USER = 'resource "aws_iam_access_key" "k" {{\n  user = "{name}"\n}}\n'
ROSTER = "email,status\nalice@example.com,active\n"
# What a culture-sensitive .NET comparison skips (zero-width, bidi and other format characters).
IGNORABLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

CASES = {
    "leading_space": " ::error::forged.tf",
    "leading_tab": "\t::error::forged.tf",
    "legacy_anywhere": "x ##[error]forged.tf",
    "newline": "a\n::error::forged.tf",
    "carriage_return": "a\r::error::forged.tf",
    "stop_commands": "::stop-commands::tok.tf",
    "zero_width": ":\u200b:error::forged.tf",
    "legacy_zero_width": "#\u200b#[error]forged.tf",
    "osc_title": "\x1b]0;pwned\x07esc.tf",
    "csi_clear": "\x1b[2J\x1b[Hclear.tf",
    "c1_csi": "\x9b31mred.tf",
    "bidi_override": "\u202efdp.tf",
}


def commands(text: str) -> list[str]:
    """Every line the runner would take for a command."""
    found = []
    for line in re.split("\r\n|\r|\n", IGNORABLE.sub("", text)):
        stripped = line.lstrip()
        v2 = stripped.startswith("::") and "::" in stripped[2:]
        legacy = "##[" in line and "]" in line[line.index("##[") :]
        if v2 or legacy:
            found.append(line)
    return found


def assert_safe(text: str) -> None:
    assert commands(text) == []
    assert ESCAPES.search(text.replace("\r\n", "\n")) is None


def outputs(root: Path, tmp_path: Path, capsys) -> dict[str, tuple[int, str, str]]:
    """What each command and format prints for this repository."""
    results = {}

    def run(label: str, *args: str) -> None:
        code = main(list(args))
        out, err = capsys.readouterr()
        results[label] = (code, out, err)

    for fmt in ("text", "json", "sarif", "markdown", "github"):
        run(f"scan {fmt}", "scan", "--repo", str(root), "--no-cache", "--format", fmt)
    report = tmp_path / "report.json"
    assert main(["scan", "--repo", str(root), "--no-cache", "--output", str(report),
                 "--format", "json"]) == 1  # fmt: skip
    identity = json.loads(report.read_text())["identities"][0]["id"]
    run("explain", "explain", identity, "--repo", str(root))
    run("lineage text", "lineage", "--repo", str(root), "--person", "alice@example.com")
    run("lineage json", "lineage", "--repo", str(root), "--person", "alice@example.com",
        "--format", "json")  # fmt: skip
    (tmp_path / "roster.csv").write_text(ROSTER)
    db = str(tmp_path / "inventory.sqlite")
    for fmt in ("text", "csv", "json", "markdown"):
        run(f"aggregate {fmt}", "aggregate", str(report), "--roster", str(tmp_path / "roster.csv"),
            "--as-of", "2026-11-01", "--db", db, "--format", fmt)  # fmt: skip
    for fmt in ("text", "csv", "json"):
        run(f"inventory {fmt}", "inventory", "--db", db, "--format", fmt)
    return results


@pytest.mark.parametrize("name", CASES.values(), ids=CASES.keys())
def test_no_output_forges_a_command_or_an_escape(git_repo, tmp_path: Path, capsys, name) -> None:
    git_repo.write(name, USER.format(name=json.dumps(name)[1:-1]))
    git_repo.commit("hostile")
    results = outputs(git_repo.root, tmp_path, capsys)
    for label, (code, out, err) in results.items():
        assert code in (0, 1), (label, err)
        if label == "scan github":  # our own annotations, each data escaped
            assert all(line.startswith("::") for line in out.splitlines()), label
            assert ESCAPES.search(out) is None
        else:
            assert_safe(out)
        assert_safe(err)
        if "json" in label or label == "scan sarif":
            document = json.loads(out)  # still JSON, and the name is still the name
            assert json.dumps(name)[1:-1] in json.dumps(document), label


def test_collect_failures_on_stderr_are_guarded(capsys) -> None:
    from scanner.cli import common

    common.echo("nhi: org/repo: bad member \n ::error::x ##[warning]y \x1b]0;t\x07", err=True)
    err = capsys.readouterr().err
    assert err == "nhi: org/repo: bad member \n :\\:error::x ##\\[warning]y \\x1b]0;t\\x07\n"


def test_the_action_warning_about_a_diff_base_keeps_data_inert(git_repo, capsys) -> None:
    from scanner.action import diff_base

    git_repo.write("a.tf", "x = 1\n")
    git_repo.commit("one")
    assert diff_base({"NHI_DIFF_BASE": "x ##[error]forged"}, git_repo.root, False) is None
    assert capsys.readouterr().out == (
        "::warning title=nhi-scanner::diff base x ##\\[error]forged not found; "
        "scanning without diff mode\n"
    )
