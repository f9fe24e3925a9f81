"""Input strategies shared by the fuzz tests: mutated real cases and vocabulary-driven documents.

Random text alone rarely gets past a parser's first token, so most inputs start from the golden
cases under tests/scanners/ and are mutated (insertions of syntax-laden tokens, deletions,
duplications), or are documents built from the keys our scanners look for, holding values of
the wrong type (a list where a string is expected, a number where a mapping is).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import strategies as st

SCANNER_CASES = Path(__file__).parent.parent / "scanners"

# Tokens that matter to one of our syntaxes (HCL, YAML, JSON(C), TOML, dotenv, CODEOWNERS).
TOKENS = [
    "{", "}", "[", "]", "(", ")", '"', "'", "`", ",", ":", "=", "#", "//", "/*", "*/", "\n",
    "\r\n", "\r", "\t", " ", "\\", "$", "${", "${{", "}}", "%{", "<<EOF\n", "\nEOF\n", "<<-EOT\n",
    "&a ", "*a", "<<: *a", "!!binary ", "!!python/object ", "---\n", "...\n", "- ", "? ", "|\n",
    ">-\n", "export ", "resource ", "module ", "data ", "null", "true", "1e999", "-0", "0x1F",
    "\ufeff", "\x00", "\u2028", "\u0085", "é", "💥", "secrets.", "${{ secrets.X }}", "[[", "]]",
    '"""', "'''", "@", "@org/team", "**", "!", "[a-z]", "\\#",
]  # fmt: skip

# Keys our scanners and roster parsers read, so generated documents reach their logic.
KEYS = [
    "mcpServers", "servers", "mcp", "mcp_servers", "context_servers", "command", "args", "env",
    "headers", "url", "serverUrl", "httpUrl", "type", "transport", "envFile", "inputs", "id",
    "password", "bearer_token_env_var", "env_http_headers", "http_headers", "on", "jobs", "steps",
    "uses", "with", "secrets", "permissions", "environment", "run", "if", "strategy", "matrix",
    "workflow_call", "services", "container", "credentials", "resource", "module", "source",
    "version", "tags", "labels", "owners", "count", "for_each", "provider", "aws_iam_access_key",
    "aws_iam_user", "google_service_account_key", "plaintext_value", "value", "x", "profile",
    "status", "email", "login", "managerId", "manager", "value", "users", "Resources", "emails",
    "primary", "active", "userName", "relations", "name", "fullName", "primaryEmail", "aliases",
    "suspended", "archived", "deletionTime", "accountEnabled", "mail", "otherMails",
    "proxyAddresses", "userPrincipalName", "employeeLeaveDateTime", "displayName",
    "githubUsername", "deletedDateTime",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "AWS_ACCESS_KEY_ID", "GITHUB_TOKEN", "API_KEY",
]  # fmt: skip

STRINGS = [
    "", " ", "npx", "uvx", "docker", "run", "-e", "--env", "API_KEY=abc", "-y", "pkg@latest",
    "@scope/pkg@1.2.3", "https://u:p@host/x?key=v", "http://[::1", "${input:tok}", "${env:TOK}",
    "${TOK:-x}", "$TOK", "Bearer ${TOK}", "${{ secrets.TOKEN }}", "${{ secrets['A'] }}",
    "${{ toJSON(secrets) }}", "inherit", "write-all", "read-all", "aws-actions/configure-aws-"
    "credentials@v4", "actions/create-github-app-token@v1", "stdio", "sse", "http", "ACTIVE",
    "DEPROVISIONED", "SUSPENDED", "manager", "a@b.co", "@login", "2020-01-01", "2999-12-31T00:00Z",
    "smtp:x@y.z", "SMTP:", "x" * 300, "0" * 40,
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(STRINGS)
)
keys = st.sampled_from(KEYS) | st.text(max_size=6)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)
documents = st.dictionaries(keys, values, max_size=6)


def cases(scanner: str) -> list[tuple[str, str]]:
    """(path the scanner sees, text) of every golden case of one scanner that is UTF-8 text."""
    folder = SCANNER_CASES / scanner
    found = []
    for case in sorted(folder.glob("**/*")):
        if not case.is_file() or case.name.endswith(".expected.json"):
            continue
        try:
            found.append((case.relative_to(folder).as_posix(), case.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return found


@st.composite
def mutations(draw: st.DrawFn, text: str) -> str:
    """`text` with a few edits: tokens inserted, spans deleted, replaced or duplicated."""
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        start = draw(st.integers(min_value=0, max_value=len(text)))
        end = draw(st.integers(min_value=start, max_value=min(len(text), start + 40)))
        operation = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        chunk = draw(st.sampled_from(TOKENS) | st.text(max_size=6))
        if operation == "insert":
            text = text[:start] + chunk + text[start:]
        elif operation == "delete":
            text = text[:start] + text[end:]
        elif operation == "replace":
            text = text[:start] + chunk + text[end:]
        else:
            text = text[:end] + text[start:end] + text[end:]
    return text


@st.composite
def mutated_case(draw: st.DrawFn, scanner: str) -> tuple[str, str]:
    path, text = draw(st.sampled_from(cases(scanner)))
    return path, draw(mutations(text))


def dump(document: object, syntax: str) -> str:
    """A generated document written in one syntax (TOML by a small writer of our own)."""
    if syntax == "json":
        return json.dumps(document, indent=1)
    if syntax == "yaml":
        return yaml.safe_dump(document, sort_keys=False)
    return _toml(document)


def _toml(document: object, prefix: str = "") -> str:
    """Enough TOML to fuzz Codex configs: tables for mappings, inline JSON-ish values else."""
    if not isinstance(document, dict):
        return f"x = {_toml_value(document)}\n"
    plain = {k: v for k, v in document.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in document.items() if isinstance(v, dict)}
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in plain.items()]
    text = "".join(line + "\n" for line in lines)
    for key, value in tables.items():
        name = f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key)
        text += f"[{name}]\n" + _toml(value, name)
    return text


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return '""'
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
