"""MCP configs recognised by content (issue 18): which files discovery hands the scanner, and
that everything else a repository holds is neither parsed nor reported."""

from __future__ import annotations

from scanner import pipeline
from scanner.pipeline.discover import candidates

SERVERS = '{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "${GH}"}}}}\n'


def test_only_files_holding_servers_are_candidates(git_repo) -> None:
    git_repo.write("tools/agents.json", SERVERS)
    git_repo.write("package.json", '{"name": "x", "scripts": {"start": "node ."}}\n')
    git_repo.write(
        "data/huge.json", '{"mcpServers": {"command": 1}, "x": "' + "a" * 1_100_000 + '"}'
    )
    git_repo.write("data/binary.json", b'{"mcpServers": {"a": {"command": "x"}}}\0\xff')
    git_repo.write("node_modules/pkg/mcp-servers.json", SERVERS)
    git_repo.write("vendor/lib/agents.json", SERVERS)
    git_repo.write("infra/main.tf.json", '{"resource": {}}\n')
    git_repo.commit()
    listed = git_repo.git("ls-files", "-z").split("\0")[:-1]
    found, errors = candidates(git_repo.root, (), listed)
    assert [(c.path, c.scanner) for c in found] == [
        ("infra/main.tf.json", "terraform"),
        ("tools/agents.json", "mcp"),
    ]
    assert errors == []


def test_a_scan_reports_no_error_for_json_that_is_not_a_config(git_repo) -> None:
    git_repo.write("tools/agents.json", SERVERS)
    git_repo.write("config/broken.json", '{"mcpServers": {"a": {"command": [}}\n')
    git_repo.write("api/openapi.json", '{"servers": [{"url": "https://api.example.com"}]}\n')
    git_repo.commit()
    report = pipeline.scan(git_repo.root, options=pipeline.Options(attribution=False, jobs=1))
    assert [(s.identity.path, s.identity.kind, s.identity.line) for s in report.subjects] == [
        ("tools/agents.json", "mcp_credential", 1),
        ("tools/agents.json", "mcp_server", 1),
    ]
    assert report.errors == ()
