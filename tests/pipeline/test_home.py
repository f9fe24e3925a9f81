"""A home folder outside git (issue 18): the user-level agent configs are read at their exact
paths, nothing else in the folder is walked, and the folder's owner is the provisioner only
when --owner names them."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest

from scanner import pipeline
from scanner.attribution.installer import NO_HISTORY
from scanner.cli import main
from scanner.pipeline import discover, home

detect = importlib.import_module("scanner.pipeline.detect")

TOKEN = {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}
SERVER = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github@1.0.0"]}


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)


@pytest.fixture
def fake_home(tmp_path: Path) -> Path:
    """A home folder with one server in each of five clients' user-level files, and a
    project folder full of files (credentials among them) that must never be read."""
    root = tmp_path / "alice"
    write(root, ".bashrc", "export PATH=$PATH\n")
    write(root, ".claude.json", json.dumps({
        "numStartups": 3,
        "mcpServers": {"github": {**SERVER, "env": TOKEN}},
        "projects": {"/home/alice/app": {"mcpServers": {
            "linear": {"type": "http", "url": "https://mcp.linear.app/mcp",
                       "headers": {"Authorization": "Bearer ${LINEAR_API_KEY}"}}}}},
    }, indent=2))  # fmt: skip
    write(root, ".cursor/mcp.json", json.dumps({"mcpServers": {"gh": {**SERVER, "env": TOKEN}}}))
    write(root, ".codeium/windsurf/mcp_config.json",
          json.dumps({"mcpServers": {"gh": {**SERVER, "env": TOKEN}}}))  # fmt: skip
    write(
        root,
        ".gemini/settings.json",
        json.dumps({"theme": "x", "mcpServers": {"gh": {**SERVER, "env": TOKEN}}}),
    )
    write(
        root,
        ".codex/config.toml",
        '[mcp_servers.gh]\ncommand = "npx"\nbearer_token_env_var = "GH_TOKEN"\n',
    )
    write(root, ".config/Code/User/mcp.json",
          json.dumps({"servers": {"gh": {**SERVER, "env": TOKEN}}}))  # fmt: skip
    write(root, ".continue/mcpServers/gh.yaml",
          "name: gh\nmcpServers:\n  - name: gh\n    command: npx\n"
          "    env:\n      GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n")  # fmt: skip
    # The unrelated subtree: a project (not a git repository) and a thousand other files.
    write(root, "code/app/.env", "STRIPE_SECRET_KEY=sk_live_" + "a" * 24 + "\n")
    write(root, "code/app/.mcp.json", json.dumps({"mcpServers": {"x": {**SERVER, "env": TOKEN}}}))
    for n in range(1000):
        write(root, f"Documents/notes/{n}.json", '{"mcpServers": {}}')
    return root


def test_only_the_user_level_configs_are_read(fake_home: Path, monkeypatch) -> None:
    read: list[str] = []
    real_read = detect.read
    monkeypatch.setattr(detect, "read", lambda root, path, size: read.append(path) or
                        real_read(root, path, size))  # fmt: skip
    walked: list[str] = []
    monkeypatch.setattr(os, "walk", lambda top, *a, **k: walked.append(str(top)) or iter(()))
    report = pipeline.scan(fake_home, options=pipeline.Options(jobs=1, cache_dir=None))
    assert walked == []
    assert sorted(read) == [
        ".claude.json", ".codeium/windsurf/mcp_config.json", ".codex/config.toml",
        ".config/Code/User/mcp.json", ".continue/mcpServers/gh.yaml", ".cursor/mcp.json",
        ".gemini/settings.json",
    ]  # fmt: skip
    servers = {s.identity.id: s.identity.attributes["client"] for s in report.subjects
               if s.identity.kind == "mcp_server"}  # fmt: skip
    assert servers == {
        ".claude.json#mcpServers/github": "claude-code",
        ".claude.json#projects//home/alice/app/mcpServers/linear": "claude-code",
        ".codeium/windsurf/mcp_config.json#mcpServers/gh": "windsurf",
        ".codex/config.toml#mcp_servers/gh": "codex",
        ".config/Code/User/mcp.json#servers/gh": "vscode",
        ".continue/mcpServers/gh.yaml#mcpServers/gh": "continue",
        ".cursor/mcp.json#mcpServers/gh": "cursor",
        ".gemini/settings.json#mcpServers/gh": "gemini",
    }
    assert [(e.path, e.message) for e in report.errors] == [(".", (
        f"a home folder: only its user-level agent configs were read (7 found at the "
        f"{len(home.USER_CONFIGS)} known paths and in .continue/mcpServers, "
        ".aws/amazonq/cli-agents); nothing else was walked (10 entries at its top level): "
        "scan each project with nhi scan --repo PATH"))]  # fmt: skip


def test_without_owner_every_provisioner_is_unknown_and_says_why(fake_home: Path) -> None:
    report = pipeline.scan(fake_home, options=pipeline.Options(jobs=1))
    assert {(s.attribution.provisioner.confidence, s.attribution.provisioner.evidence)
            for s in report.subjects if s.attribution.provisioner} == {
        ("unknown", (NO_HISTORY,))
    }  # fmt: skip
    assert len(report.subjects) == 16  # 8 servers, 8 credentials


def test_owner_is_the_provisioner_and_the_installer(fake_home: Path, capsys) -> None:
    out = fake_home.parent / "report.json"
    assert main(["scan", "--repo", str(fake_home), "--owner", "Alice@Example.com",
                 "--format", "json", "--output", str(out), "--fail-on", "none"]) == 0  # fmt: skip
    identities = {i["id"]: i for i in json.loads(out.read_text())["identities"]}
    token = identities[".cursor/mcp.json#mcpServers/gh/env/GITHUB_TOKEN"]
    evidence = [
        "the folder's owner, as given by --owner alice@example.com: the folder is not a git "
        "repository, so no commit says who wrote it"
    ]
    owner = {"name": "", "email": "alice@example.com", "commit": "", "date": "",
             "uncommitted": False, "confidence": "medium", "evidence": evidence,
             "co_authors": []}  # fmt: skip
    assert (token["provisioner"], token["installed_by"]) == (owner, owner)
    assert {i["provisioner"]["email"] for i in identities.values()} == {"alice@example.com"}


def test_owner_must_be_an_email(fake_home: Path, capsys) -> None:
    assert main(["scan", "--repo", str(fake_home), "--owner", "alice"]) == 2
    assert "Invalid value for --owner: not an email address" in capsys.readouterr().err


def test_a_folder_that_is_not_a_home_is_walked(tmp_path: Path) -> None:
    write(tmp_path, "bundle/.cursor/mcp.json",
          json.dumps({"mcpServers": {"gh": {**SERVER, "env": TOKEN}}}))  # fmt: skip
    write(tmp_path, "bundle/deep/er/.env", "API_KEY=\n")
    report = pipeline.scan(tmp_path / "bundle", options=pipeline.Options(jobs=1))
    assert sorted(s.identity.id for s in report.subjects) == [
        ".cursor/mcp.json#mcpServers/gh", ".cursor/mcp.json#mcpServers/gh/env/GITHUB_TOKEN",
        "deep/er/.env#API_KEY",
    ]  # fmt: skip
    assert report.errors == ()


def test_the_walk_outside_git_is_bounded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(discover, "MAX_WALK_FILES", 3)
    for name in ("a.env", "b.env", "c.env", "d.env"):
        write(tmp_path, f"x/{name}", "API_KEY=\n")
    report = pipeline.scan(tmp_path / "x", options=pipeline.Options(jobs=1))
    assert [s.identity.path for s in report.subjects] == ["a.env", "b.env", "c.env"]
    assert [(e.path, e.message) for e in report.errors] == [(".", (
        "not a git repository: the walk stopped after 3 files and the rest was not read; "
        "scan a git repository, or name the folders to scan"))]  # fmt: skip
