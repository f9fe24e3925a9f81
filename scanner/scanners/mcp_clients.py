"""Which agent a file configures, and where its servers sit: the MCP scanner's client table.

`CLIENTS` names the files each client documents (README lists them). Any other JSON, YAML or
TOML file is recognised by what it holds (issue 18): `sniff` is the cheap byte test that
discovery runs before anything is parsed, and `roots` finds the server maps in a parsed
document. Pure: no file is read here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from scanner import globs
from scanner.errors import ParseError
from scanner.model import JSON
from scanner.scanners import _json, _toml, _yaml
from scanner.scanners._json import JSONPath

Route = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Client:
    name: str
    pattern: str  # glob on the repository-relative path (see globs.to_regex)
    syntax: str  # json (comments and trailing commas accepted), toml or yaml
    roots: tuple[Route, ...]  # routes to the maps (or Continue lists) holding the servers
    bare: bool = False  # the whole document may be a map of servers (plugin `.mcp.json`)


def _c(name: str, pattern: str, syntax: str, *roots: str, bare: bool = False) -> Client:
    return Client(name, pattern, syntax, tuple(tuple(r.split(".")) for r in roots), bare)


MCP = "mcpServers"
CLIENTS = (
    _c("vscode", "**/.vscode/mcp.json", "json", "servers", MCP),
    _c("vscode", "**/.vscode/settings.json", "json", "mcp.servers"),
    _c("cursor", "**/.cursor/mcp.json", "json", MCP),
    _c("cursor", "**/.cursor-plugin/plugin.json", "json", MCP),
    _c("windsurf", "**/.windsurf/mcp.json", "json", MCP),
    _c("windsurf", "**/.codeium/windsurf/mcp_config.json", "json", MCP),
    _c("antigravity", "**/.agents/mcp_config.json", "json", MCP),
    _c("antigravity", "**/.gemini/antigravity/mcp_config.json", "json", MCP),
    _c("windsurf", "mcp_config.json", "json", MCP),
    _c("gemini", "**/.gemini/settings.json", "json", MCP),
    _c("gemini", "gemini-extension.json", "json", MCP),
    _c("codex", "**/.codex/config.toml", "toml", "mcp_servers"),
    _c("codex", "**/.codex-plugin/plugin.json", "json", MCP),
    _c("opencode", "opencode.json", "json", "mcp"),
    _c("opencode", "opencode.jsonc", "json", "mcp"),
    _c("continue", "**/.continue/mcpServers/*.yaml", "yaml", MCP),
    _c("continue", "**/.continue/mcpServers/*.yml", "yaml", MCP),
    _c("continue", "**/.continue/mcpServers/*.json", "json", MCP),
    _c("continue", "**/.continue/config.yaml", "yaml", MCP),
    _c("amazonq", "**/.amazonq/mcp.json", "json", MCP),
    _c("amazonq", "**/.amazonq/default.json", "json", MCP),
    _c("amazonq", "**/.amazonq/cli-agents/*.json", "json", MCP),
    _c("amazonq", "**/.amazonq/agents/*.json", "json", MCP),
    _c("kiro", "**/.kiro/settings/mcp.json", "json", MCP),
    _c("cline", "cline_mcp_settings.json", "json", MCP),
    _c("roo", "**/.roo/mcp.json", "json", MCP),
    _c("roo", "mcp_settings.json", "json", MCP),
    _c("junie", "**/.junie/mcp/mcp.json", "json", MCP),
    _c("claude-desktop", "claude_desktop_config.json", "json", MCP),
    _c("zed", "**/.zed/settings.json", "json", "context_servers"),
    _c("goose", "**/goose/config.yaml", "yaml", "extensions"),
    _c("librechat", "librechat.yaml", "yaml", MCP),
    _c("librechat", "librechat.yml", "yaml", MCP),
    _c("claude-code", "**/.claude-plugin/plugin.json", "json", MCP),
    _c("claude-code", "**/.claude/mcp.json", "json", MCP),
    _c("claude-code", ".mcp.json", "json", MCP, bare=True),
    # User-level files (read in a home folder, issue 18): where each client keeps them.
    _c("claude-code", ".claude.json", "json", MCP, f"projects.*.{MCP}"),
    _c("vscode", "**/Code/User/mcp.json", "json", "servers", MCP),
    _c("vscode", "**/Code/User/settings.json", "json", "mcp.servers"),
    _c("copilot-cli", "**/.copilot/mcp-config.json", "json", MCP),
    _c("amazonq", "**/.aws/amazonq/mcp.json", "json", MCP),
    _c("amazonq", "**/.aws/amazonq/default.json", "json", MCP),
    _c("amazonq", "**/.aws/amazonq/cli-agents/*.json", "json", MCP),
    _c("antigravity", "**/.gemini/config/mcp_config.json", "json", MCP),
    _c("zed", "**/.config/zed/settings.json", "json", "context_servers"),
    _c("goose", "**/goose/config/config.yaml", "yaml", "extensions"),
    _c("mcphub", "**/mcphub/servers.json", "json", MCP),
    _c("mistral-vibe", "**/.vibe/config.toml", "toml", "mcp_servers"),
    _c("generic", "mcp.json", "json", MCP, "servers", bare=True),
)
PATTERNS = tuple(dict.fromkeys(client.pattern for client in CLIENTS))
# Files that configure much more than MCP: parsed only when they look like they hold servers,
# and their syntax errors are not reported by this scanner.
SHARED = frozenset({"**/.vscode/settings.json", "**/.zed/settings.json", "**/.gemini/settings.json",
                    "**/.cursor-plugin/plugin.json", "**/.claude-plugin/plugin.json",
                    "**/.codex-plugin/plugin.json", "gemini-extension.json",
                    "**/.continue/config.yaml", "**/goose/config.yaml", "librechat.yaml",
                    "librechat.yml", "**/.amazonq/cli-agents/*.json",
                    "**/.amazonq/agents/*.json", ".claude.json", "**/Code/User/settings.json",
                    "**/.aws/amazonq/cli-agents/*.json", "**/.config/zed/settings.json",
                    "**/goose/config/config.yaml", "**/.vibe/config.toml"})  # fmt: skip

# Files recognised by content: tried only when no scanner claims the file by name.
CONTENT_PATTERNS = ("*.json", "*.jsonc", "*.yaml", "*.yml", "*.toml",
                    "*.json.example", "*.json.sample", "*.json.template")  # fmt: skip
# Folders of other people's code or of build output: never recognised by content.
SKIP_DIRS = frozenset({"node_modules", "vendor", "vendored", "third_party", "third-party",
                       "dist", "build", "out", "generated", "__generated__", ".next",
                       "site-packages", "bower_components", "target", "coverage"})  # fmt: skip

_WRAPPERS = re.compile(
    rb"mcpServers|mcp_servers|context_servers|[\"'\s.]servers[\"'\s]*[:=]|"
    rb"[\"'\s]mcp[\"'\s]*[:=]|\[mcp|mcp-gateway|extensions[\"'\s]*:"
)
_LAUNCH = re.compile(rb"command|\burl\b|serverUrl|httpUrl|\bcmd\b|\buri\b")


_WRAPPER_BYTES = (b"ervers", b"mcp", b"extensions")
_LAUNCH_BYTES = (b"command", b"url", b"Url", b"cmd", b"uri")


def sniff(data: bytes) -> bool:
    """Whether a file not named as a client config may hold one: worth parsing.

    Plain substring tests first (most files fail them at memchr speed), the regexes after."""
    return (
        any(needle in data for needle in _WRAPPER_BYTES)
        and any(needle in data for needle in _LAUNCH_BYTES)
        and _WRAPPERS.search(data) is not None
        and _LAUNCH.search(data) is not None
    )


def skipped_for_content(path: str) -> bool:
    """Files in vendored, dependency or build-output folders are never recognised by content."""
    return any(part in SKIP_DIRS for part in path.split("/")[:-1])


# Where a remote server's endpoint is written: `serverUrl` Windsurf, `httpUrl` Gemini CLI, `uri`
# Goose (block.github.io/goose/docs/guides/config-files).
URL_KEYS = ("url", "serverUrl", "httpUrl", "uri")
# What makes an entry a server: how it launches or what it is handed. An entry with none of
# these only switches a server defined elsewhere (opencode `{"enabled": false}`) or links to
# one (`{"link": ...}`): no client starts it.
LAUNCH_KEYS = frozenset({"command", "cmd", "args", "type", "transport", "env", "environment",
                         "envs", "headers", *URL_KEYS})  # fmt: skip
_TRANSPORTS = frozenset({"stdio", "sse", "http", "streamable-http", "streamable_http",
                         "streamableHttp", "local", "remote", "ws", "websocket"})  # fmt: skip


def is_server(config: JSON) -> bool:
    """A value shaped like one server: a launch command, or a URL with an MCP transport."""
    if not isinstance(config, dict):
        return False
    if isinstance(config.get("command"), str | list | dict) or isinstance(config.get("cmd"), str):
        return True
    url = any(isinstance(config.get(k), str) for k in URL_KEYS)
    return url and ("type" not in config or config.get("type") in _TRANSPORTS)


# Goose extensions that ship inside Goose (block.github.io/goose/docs/guides/config-files and
# .../recipes/recipe-reference): listed beside launched servers, they launch nothing, so they
# neither make nor break a server map recognised by content.
_BUNDLED = frozenset({"builtin", "platform", "frontend"})


def _server_map(value: JSON, strict: bool) -> bool:
    """A non-empty map (or Continue list) whose entries are servers; `strict` for generic keys."""
    entries = list(value.values()) if isinstance(value, dict) else value
    if not isinstance(entries, list):
        return False
    entries = [e for e in entries if not (isinstance(e, dict) and e.get("type") in _BUNDLED)]
    if not entries:
        return False
    if not strict:
        return any(is_server(entry) for entry in entries)
    return all(isinstance(e, dict) for e in entries) and all(
        is_server(e) and (isinstance(e, dict) and ("command" in e or e.get("type") in _TRANSPORTS))
        for e in entries
    )


def _at(document: Mapping[str, JSON], route: Route) -> JSON:
    value: JSON = dict(document)
    for key in route:
        value = value.get(key) if isinstance(value, dict) else None
    return value


# Keys that hold servers in some client's format, and whether the key alone is specific.
_CONTENT_ROOTS: tuple[tuple[Route, bool], ...] = (
    ((MCP,), False), (("mcp_servers",), False), (("context_servers",), False),
    (("servers",), True), (("mcp", "servers"), True), (("mcp",), True),
    (("extensions",), True),
)  # fmt: skip


def content_roots(document: Mapping[str, JSON]) -> tuple[Route, ...]:
    """The server maps of a document that no client table names: recognised by structure."""
    return tuple(
        route
        for route, strict in _CONTENT_ROOTS
        if _server_map(_at(document, route), strict)
        and not (route == ("mcp",) and isinstance(_at(document, ("mcp", "servers")), dict))
    )


def bare_map(document: Mapping[str, JSON]) -> bool:
    """A plugin's `.mcp.json`: the document itself maps names to servers, with no wrapper key."""
    return bool(document) and all(is_server(value) for value in document.values())


def present(client: Client, document: Mapping[str, JSON]) -> tuple[Route, ...]:
    """The client's server maps that `document` holds. A `*` step stands for every key at that
    level: `~/.claude.json` keeps one map per project (`projects.<path>.mcpServers`)."""
    found: list[Route] = []
    for root in client.roots:
        routes: list[Route] = [()]
        for step in root:
            if step != "*":
                routes = [(*route, step) for route in routes]
                continue
            levels = [(route, _at(document, route)) for route in routes]
            routes = [(*route, key) for route, level in levels if isinstance(level, dict)
                      for key in sorted(level)]  # fmt: skip
        found.extend(route for route in routes if _at(document, route) is not None)
    return tuple(found)


def at(document: Mapping[str, JSON], route: Route) -> JSON:
    """The value at `route` (None when any step is missing)."""
    return _at(document, route)


_CLIENT_HINTS = (
    ("antigravity", "antigravity"), ("windsurf", "windsurf"), ("codeium", "windsurf"),
    ("cline", "cline"), (".roo/", "roo"), ("roo", "roo"), ("cursor", "cursor"),
    ("vscode", "vscode"), ("claude_desktop", "claude-desktop"), (".claude", "claude-code"),
    ("gemini", "gemini"), ("codex", "codex"), ("opencode", "opencode"), ("goose", "goose"),
    ("continue", "continue"), ("amazonq", "amazonq"), ("kiro", "kiro"), ("zed", "zed"),
    ("librechat", "librechat"), ("mcp-proxy", "mcp-proxy"), ("mcp_proxy", "mcp-proxy"),
)  # fmt: skip


def guess_client(path: str, roots: tuple[Route, ...]) -> str:
    """The client a content-recognised file most likely configures, from its path and keys."""
    lowered = path.lower()
    for needle, client in _CLIENT_HINTS:
        if needle in lowered:
            return client
    keys = {route[0] for route in roots}
    for key, client in (("context_servers", "zed"), ("mcp_servers", "codex"),
                        ("extensions", "goose"), ("mcp", "opencode")):  # fmt: skip
        if key in keys and roots != (("mcp", "servers"),):
            return client
    return "vscode" if roots and roots[0][0] in ("servers", "mcp") else "generic"


# Test fixtures are inputs of a test, not a config any client reads.
SAMPLE_DIRS = frozenset({"docs", "doc", "examples", "example", "samples", "sample",
                         "templates", "template", "fixtures", "__fixtures__",
                         "testdata"})  # fmt: skip
_SAMPLE_NAME = re.compile(r"(?i)(?:^|[._\-])(?:example|sample|template|tmpl)s?(?:[._\-]|$)")
_YOUR = re.compile(r"(?i)<\s*(?:(?:paste|insert|enter|add|put)[\s_\-])?your[\s_\-][^>]*>|"
                   r"<\s*YOUR[A-Z_]*>")  # fmt: skip


def is_sample(path: str, text: str) -> bool:
    """Documentation, examples and unedited templates (`<your-api-key>`): not a live config."""
    *folders, name = path.split("/")
    return (
        any(part.lower() in SAMPLE_DIRS for part in folders)
        or _SAMPLE_NAME.search(name) is not None
        or _YOUR.search(text) is not None
    )


def syntax(path: str) -> str:
    if path.endswith(".toml"):
        return "toml"
    return "yaml" if path.endswith((".yaml", ".yml")) else "json"


# Goose recipes are MiniJinja templates, rendered before they are read as YAML
# (block.github.io/goose/docs/guides/recipes/recipe-reference, template support): a line that
# is only a `{% ... %}` statement is blanked, line numbers kept, when the raw text is not YAML.
_JINJA_LINE = re.compile(r"(?m)^[ \t]*\{%.*%\}[ \t]*$")


def parse(syntax: str, text: str) -> tuple[JSON, Locate]:
    if syntax == "toml":
        return _toml.parse(text)
    if syntax != "yaml":
        parsed, spans = _json.parse(text, jsonc=True)
        return parsed, locator(spans)
    try:
        parsed, spans = _yaml.parse(text)
    except ParseError:
        if _JINJA_LINE.search(text) is None:
            raise
        parsed, spans = _yaml.parse(_JINJA_LINE.sub("", text))
    return parsed, locator(spans)


def client_for(path: str) -> Client | None:
    for client in CLIENTS:
        if re.fullmatch(globs.to_regex(client.pattern), path):
            return client
    return None


Locate = Callable[[JSONPath], tuple[int, int]]


def locator(spans: _json.Spans) -> Locate:
    def locate(route: JSONPath) -> tuple[int, int]:
        span = spans[route]
        return span.line, span.end_line

    return locate
