"""Server manifests and the Docker MCP gateway (issue 18): which files discovery hands the MCP
scanner, and what a whole scan reports for them. Per-format shapes are golden cases in
tests/scanners/mcp/ (registry_*, mcpb_*, dxt_*, smithery_*, gateway_*)."""

from __future__ import annotations

from scanner import pipeline
from scanner.pipeline.discover import candidates
from scanner.scanners import sniffer

SERVER_JSON = """{
  "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  "name": "io.github.acme/search",
  "version": "1.0.0",
  "packages": [{"registryType": "npm", "identifier": "@acme/search", "version": "1.0.0",
                "transport": {"type": "stdio"},
                "environmentVariables": [{"name": "SEARCH_API_KEY", "isSecret": true}]}]
}
"""
BUNDLE = """{
  "manifest_version": "0.3",
  "name": "notes",
  "server": {"type": "node", "mcp_config": {"command": "node",
             "env": {"NOTES_TOKEN": "${user_config.token}"}}},
  "user_config": {"token": {"type": "string", "sensitive": true}}
}
"""
EXTENSION = '{"manifest_version": 3, "name": "x", "description": "talks to a server"}\n'
PWA = '{"name": "App", "start_url": "/", "icons": []}\n'
GATEWAY = """services:
  gateway:
    image: docker/mcp-gateway:v2
    command: ["--servers=github", "--secrets=/run/secrets/mcp"]
secrets:
  mcp:
    file: .env
"""
PLAIN_COMPOSE = "services:\n  db:\n    image: postgres:16\n    command: postgres\n"
REMOTE_ONLY = (
    '{"name": "io.github.acme/remote", "version": "1.0.0", "remotes": '
    '[{"type": "sse", "url": "https://mcp.acme.dev/sse"}]}\n'
)


def test_only_manifests_and_gateway_compose_files_are_candidates(git_repo) -> None:
    git_repo.write("server.json", SERVER_JSON)
    git_repo.write("bundle/manifest.json", BUNDLE)
    git_repo.write("web/manifest.json", PWA)
    git_repo.write("deploy/compose.yaml", GATEWAY)
    git_repo.write("docker-compose.yml", PLAIN_COMPOSE)
    git_repo.write("smithery.yaml", "startCommand:\n  type: stdio\n")
    git_repo.commit()
    listed = git_repo.git("ls-files", "-z").split("\0")[:-1]
    found, errors = candidates(git_repo.root, (), listed)
    assert [(c.path, c.scanner) for c in found] == [
        ("bundle/manifest.json", "mcp"),
        ("deploy/compose.yaml", "mcp"),
        ("server.json", "mcp"),
        ("smithery.yaml", "mcp"),
    ]
    assert errors == []


def test_the_byte_test_needs_the_gateway_image_in_a_compose_file() -> None:
    test = sniffer("docker-compose.yml")
    assert test is not None
    assert test(GATEWAY.encode()) is True
    assert test(PLAIN_COMPOSE.encode()) is False
    json_test = sniffer("registry/remote.json")
    assert json_test is not None
    assert json_test(REMOTE_ONLY.encode()) is True
    assert json_test(PWA.encode()) is False
    assert sniffer("smithery.yaml") is None  # read by name


def test_the_byte_test_finds_docker_catalogs_and_registry_servers() -> None:
    """A catalog's top-level `registry:` mapping, or a registry server's top-level `type:`;
    a Helm values file's nested `registry:` and a scalar `registry: ghcr.io` are not."""
    test = sniffer("catalogs/team.yaml")
    assert test is not None
    assert test(b"name: team\nregistry:\n  github:\n    type: server\n") is True
    assert test(b"name: github\ntype: 'server'\nimage: ghcr.io/github/github-mcp-server\n")
    assert test(b"image:\n  registry: docker.io\n  repository: nginx\n") is False
    assert test(b"registry: ghcr.io\nimage: app\n") is False


def test_a_scan_reports_slots_and_never_a_browser_manifest(git_repo) -> None:
    git_repo.write("server.json", SERVER_JSON)
    git_repo.write("bundle/manifest.json", BUNDLE)
    git_repo.write("extension/manifest.json", EXTENSION)
    git_repo.write("deploy/compose.yaml", GATEWAY)
    git_repo.write("broken/server.json", SERVER_JSON.replace('"version": "1.0.0",\n', "", 1)[:-3])
    git_repo.commit()
    report = pipeline.scan(git_repo.root, options=pipeline.Options(attribution=False, jobs=1))
    assert [
        (s.identity.path, s.identity.kind, s.identity.name, s.identity.line)
        for s in report.subjects
    ] == [
        ("bundle/manifest.json", "mcp_server", "notes", 4),
        ("bundle/manifest.json", "mcp_credential", "token", 6),
        ("deploy/compose.yaml", "mcp_credential", "mcp", 4),
        ("deploy/compose.yaml", "mcp_server", "github", 4),
        ("server.json", "mcp_server", "io.github.acme/search", 5),
        ("server.json", "mcp_credential", "SEARCH_API_KEY", 7),
    ]
    assert [(e.path, e.line, e.message) for e in report.errors] == [
        ("broken/server.json", 6, "invalid JSON: expected ',' or '}'"),
    ]
