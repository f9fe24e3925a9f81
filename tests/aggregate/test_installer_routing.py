"""Routing asks an MCP credential's installer first when the credential's own people are gone
(issue 18), on a real repository with pinned authors."""

from __future__ import annotations

import datetime

from scanner import pipeline, policy
from scanner.aggregate.resolve import aggregate
from scanner.roster import Roster, parse
from tests.conftest import GitRepo

ROSTER = """\
email,status,manager
alice@acme.example,active,carol@acme.example
bob@acme.example,departed,dave@acme.example
carol@acme.example,active,
dave@acme.example,active,
erin@acme.example,active,
"""
SERVER = (
    '{\n  "mcpServers": {\n    "github": {\n      "command": "npx",\n'
    '      "args": ["-y", "@modelcontextprotocol/server-github@1.0.0"]%s\n    }\n  }\n}\n'
)
ENV = ',\n      "env": {\n        "GITHUB_TOKEN": "${GITHUB_TOKEN}"\n      }'
TOKEN = ".mcp.json#mcpServers/github/env/GITHUB_TOKEN"


def routes(git_repo: GitRepo) -> dict[str, tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    report = pipeline.scan(git_repo.root)
    day = datetime.date(2026, 11, 1)
    roster = Roster(parse(ROSTER, "roster.csv", day), as_of=day)
    result = aggregate([report], roster, policy.builtin())
    return {r.identity: (r.state, r.route_to, r.why,
                         tuple(f"{p.role} {p.reference} {p.state}" for p in r.people))
            for r in result.identities}  # fmt: skip


def history(git_repo: GitRepo) -> None:
    git_repo.write(".mcp.json", SERVER % "")
    git_repo.commit("github MCP server", author="Alice <alice@acme.example>")
    git_repo.write(".mcp.json", SERVER % ENV)
    git_repo.commit("its token", author="Bob <bob@acme.example>", date="2026-02-01T00:00:00Z")


def test_the_installer_decides_when_the_credentials_people_are_gone(git_repo: GitRepo) -> None:
    history(git_repo)
    assert routes(git_repo)[TOKEN] == (
        "orphaned",
        ("alice@acme.example",),
        "the installer: added the MCP server entry this credential is handed to; the "
        "credential's own people are gone",
        ("provisioner bob@acme.example departed", "installer alice@acme.example active"),
    )


def test_an_active_owner_of_the_credential_comes_before_the_installer(git_repo) -> None:
    history(git_repo)
    git_repo.write("CODEOWNERS", ".mcp.json erin@acme.example\n")
    git_repo.commit("owners", author="Erin <erin@acme.example>", date="2026-03-01T00:00:00Z")
    assert routes(git_repo)[TOKEN] == (
        "orphaned",
        ("dave@acme.example",),
        "manager of bob@acme.example",
        ("provisioner bob@acme.example departed", "owner erin@acme.example active",
         "installer alice@acme.example active"),
    )  # fmt: skip


def test_a_departed_installer_changes_nothing_for_a_credential_whose_people_stay(
    git_repo: GitRepo,
) -> None:
    git_repo.write(".mcp.json", SERVER % "")
    git_repo.commit("github MCP server", author="Bob <bob@acme.example>")
    git_repo.write(".mcp.json", SERVER % ENV)
    git_repo.commit("its token", author="Alice <alice@acme.example>", date="2026-02-01T00:00:00Z")
    git_repo.write("CODEOWNERS", ".mcp.json erin@acme.example\n")
    git_repo.commit("owners", author="Erin <erin@acme.example>", date="2026-03-01T00:00:00Z")
    assert routes(git_repo)[TOKEN] == (
        "owned", (), "",
        ("provisioner alice@acme.example active", "owner erin@acme.example active",
         "installer bob@acme.example departed"),
    )  # fmt: skip


def test_an_unknown_provisioner_outside_git_is_nobody_not_a_person_missing_from_the_roster(
    tmp_path,
) -> None:
    (tmp_path / ".mcp.json").write_text(SERVER % ENV)
    day = datetime.date(2026, 11, 1)
    roster = Roster(parse(ROSTER, "roster.csv", day), as_of=day)
    report = pipeline.scan(tmp_path, options=pipeline.Options(policies=policy.builtin()))
    result = aggregate([report], roster, policy.builtin(), "erin@acme.example")
    found = {r.identity: (r.rules, r.route_to) for r in result.identities}
    # NHI103 ("in no roster") used to fire on the provisioner's empty email.
    assert found[TOKEN] == (("NHI001",), ("erin@acme.example",))
