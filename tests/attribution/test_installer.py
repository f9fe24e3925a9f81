"""An MCP credential's installer (issue 18): whoever added the server entry it is handed to,
from real temporary repositories with pinned authors."""

from __future__ import annotations

import json

from scanner import pipeline
from scanner.cli import main
from scanner.reporters import json as json_reporter
from tests.conftest import GitRepo

ALICE = "Alice Example <alice@example.com>"
BOB = "Bob Builder <bob@example.com>"
CAROL = "Carol Coder <carol@example.com>"

SERVER = (
    '{\n  "mcpServers": {\n    "github": {\n      "command": "npx",\n'
    '      "args": ["-y", "@modelcontextprotocol/server-github@1.0.0"]%s\n    }\n  }\n}\n'
)
ENV = ',\n      "env": {\n        "GITHUB_TOKEN": "${GITHUB_TOKEN}"\n      }'
SERVER_ID = ".mcp.json#mcpServers/github"
TOKEN_ID = ".mcp.json#mcpServers/github/env/GITHUB_TOKEN"


def people(root) -> dict[str, tuple[str | None, str | None]]:
    """Each identity's provisioner email and, for credentials, its installer's."""
    found = {}
    for s in pipeline.scan(root).subjects:
        a = s.attribution
        found[s.identity.id] = (a.provisioner.email if a.provisioner else None,
                                a.installed_by.email if a.installed_by else None)  # fmt: skip
    return found


def test_a_credential_added_later_keeps_its_author_and_names_the_installer(
    git_repo: GitRepo,
) -> None:
    git_repo.write(".mcp.json", SERVER % "")
    added = git_repo.commit("add the github MCP server", author=ALICE,
                            date="2026-01-01T00:00:00Z")  # fmt: skip
    git_repo.write(".mcp.json", SERVER % ENV)
    git_repo.commit("give it a token", author=BOB, date="2026-02-01T00:00:00Z")
    assert people(git_repo.root) == {
        SERVER_ID: ("alice@example.com", None),
        TOKEN_ID: ("bob@example.com", "alice@example.com"),
    }
    token = next(s for s in pipeline.scan(git_repo.root).subjects if s.identity.id == TOKEN_ID)
    installed = token.attribution.installed_by
    assert installed is not None
    assert (installed.commit, installed.confidence, installed.evidence) == (added, "high", (
        f"introduced in {added[:7]} on 2026-01-01 by alice@example.com: add the github MCP "
        "server",))  # fmt: skip


def test_a_reindent_by_someone_else_moves_neither(git_repo: GitRepo) -> None:
    git_repo.write(".mcp.json", SERVER % ENV)
    git_repo.commit("add the github MCP server", author=ALICE, date="2026-01-01T00:00:00Z")
    # Carol's formatter: four spaces instead of two, the same lines otherwise.
    git_repo.write(".mcp.json", (SERVER % ENV).replace("  ", "    "))
    git_repo.commit("format JSON", author=CAROL, date="2026-02-01T00:00:00Z")
    assert people(git_repo.root) == {
        SERVER_ID: ("alice@example.com", None),
        TOKEN_ID: ("alice@example.com", "alice@example.com"),
    }


def test_a_prompted_input_is_installed_by_the_server_that_uses_it(git_repo: GitRepo) -> None:
    git_repo.write(".vscode/mcp.json", json.dumps({
        "servers": {"api": {"command": "npx", "args": ["api-mcp@1.0.0"],
                            "env": {"API_TOKEN": "${input:api_token}"}}},
    }, indent=2) + "\n")  # fmt: skip
    git_repo.commit("api server", author=ALICE)
    text = json.loads((git_repo.root / ".vscode/mcp.json").read_text())
    text["inputs"] = [{"type": "promptString", "id": "api_token", "password": True}]
    git_repo.write(".vscode/mcp.json", json.dumps(text, indent=2) + "\n")
    git_repo.commit("prompt for the token", author=BOB, date="2026-02-01T00:00:00Z")
    assert people(git_repo.root) == {
        ".vscode/mcp.json#servers/api": ("alice@example.com", None),
        ".vscode/mcp.json#inputs/api_token": ("bob@example.com", "alice@example.com"),
    }


def test_the_json_report_carries_installed_by_on_mcp_credentials_only(git_repo) -> None:
    git_repo.write(".mcp.json", SERVER % "")
    git_repo.commit("server", author=ALICE)
    git_repo.write(".mcp.json", SERVER % ENV)
    git_repo.commit("token", author=BOB, date="2026-02-01T00:00:00Z")
    report = pipeline.scan(git_repo.root)
    rendered = json_reporter.render(report)
    identities = {i["id"]: i for i in json.loads(rendered)["identities"]}
    assert "installed_by" not in identities[SERVER_ID]
    assert identities[TOKEN_ID]["installed_by"]["email"] == "alice@example.com"
    assert identities[TOKEN_ID]["provisioner"]["email"] == "bob@example.com"
    again = json_reporter.from_json(rendered)
    assert again.subjects == report.subjects


def test_explain_names_the_installer(git_repo: GitRepo, capsys) -> None:
    git_repo.write(".mcp.json", SERVER % "")
    added = git_repo.commit("server", author=ALICE)
    git_repo.write(".mcp.json", SERVER % ENV)
    git_repo.commit("token", author=BOB, date="2026-02-01T00:00:00Z")
    assert main(["explain", "--repo", str(git_repo.root), TOKEN_ID]) == 0
    out = capsys.readouterr().out
    assert (
        "installed by: Alice Example <alice@example.com>, confidence high (who added the server "
        f"entry it is handed to)\n  introduced in {added[:7]} on 2026-01-01 by "
        "alice@example.com: server\n"
    ) in out
