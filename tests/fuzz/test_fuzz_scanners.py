"""Fuzz every scanner: any text ends in facts or a ParseError, within the profile's deadline.

A scanner may raise nothing but `ParseError` (the pipeline turns it into a report `errors`
entry); anything else would abort the scan of the whole repository. Every fact must also be
serialisable as the JSON report writes it, with lines inside the file.
"""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given
from hypothesis import strategies as st

from scanner.errors import ParseError
from scanner.model import Identity, ModuleCall, TerraformBlock
from scanner.scanners import SCANNERS, for_path
from tests.fuzz.strategies import documents, dump, mutated_case, values

MCP_PATHS = {
    "json": [".cursor/mcp.json", ".vscode/mcp.json", "opencode.json", ".zed/settings.json",
             "mcp.json", ".gemini/settings.json", "claude_desktop_config.json"],
    "yaml": [".continue/mcpServers/a.yaml"],
    "toml": [".codex/config.toml"],
}  # fmt: skip

servers = st.dictionaries(
    st.text(max_size=5),
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            (
                "command",
                "args",
                "env",
                "headers",
                "url",
                "type",
                "envFile",
                "bearer_token_env_var",
                "env_http_headers",
                "transport",
                "serverUrl",
            ),
            values,
        ),
    )
    | values,
    max_size=3,
)
mcp_documents = st.builds(
    lambda key, found, extra: {key: found, **extra},
    st.sampled_from(["mcpServers", "servers", "mcp", "mcp_servers", "context_servers"]),
    servers,
    documents,
)
steps = st.lists(
    st.fixed_dictionaries(
        {}, optional=dict.fromkeys(("uses", "with", "env", "run", "id", "if"), values)
    )
    | values,
    max_size=3,
)
jobs = st.dictionaries(
    st.text(max_size=5),
    st.fixed_dictionaries(
        {},
        optional={
            "steps": steps,
            "secrets": values,
            "permissions": values,
            "env": values,
            "uses": values,
            "with": values,
            "environment": values,
            "services": values,
            "container": values,
            "strategy": values,
        },
    )
    | values,
    max_size=3,
)
workflow_documents = st.builds(
    lambda found, on, extra: {"jobs": found, "on": on, **extra}, jobs, values, documents
)
terraform_documents = st.builds(
    lambda kind, name, body, extra: {"resource": {kind: {name: body}}, **extra},
    st.sampled_from(
        [
            "aws_iam_access_key",
            "google_service_account",
            "github_actions_secret",
            "azuread_application_password",
            "x_token",
        ]
    ),
    st.text(max_size=5),
    values,
    documents,
)


def check(scanner: str, path: str, text: str) -> None:
    assert for_path(path) == scanner
    try:
        facts = list(SCANNERS[scanner].scan(path, text))
    except ParseError as error:
        assert error.message
        assert error.line is None or error.line >= 1
        return
    lines = max(1, text.count("\n") + 1 + text.count("\r"))
    for fact in facts:
        assert isinstance(fact, Identity | ModuleCall | TerraformBlock)
        assert 1 <= fact.line <= lines
        if isinstance(fact, Identity):
            assert fact.line <= fact.end_line <= lines
        json.dumps(dataclasses.asdict(fact), allow_nan=False)


@given(mutated_case("terraform"))
def test_terraform_mutated(case: tuple[str, str]) -> None:
    check("terraform", *case)


@given(terraform_documents)
def test_terraform_json_documents(document: dict) -> None:
    check("terraform", "main.tf.json", dump(document, "json"))


@given(mutated_case("workflows"))
def test_workflows_mutated(case: tuple[str, str]) -> None:
    check("workflows", *case)


@given(workflow_documents)
def test_workflows_documents(document: dict) -> None:
    check("workflows", ".github/workflows/ci.yml", dump(document, "yaml"))


@given(mutated_case("mcp"))
def test_mcp_mutated(case: tuple[str, str]) -> None:
    check("mcp", *case)


@given(mcp_documents, st.sampled_from(sorted(MCP_PATHS)), st.data())
def test_mcp_documents(document: dict, syntax: str, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(MCP_PATHS[syntax]))
    check("mcp", path, dump(document, syntax))


@given(mutated_case("dotenv"))
def test_dotenv_mutated(case: tuple[str, str]) -> None:
    check("dotenv", *case)


@given(st.text(max_size=200), st.sampled_from([".env", "app/.envrc", "prod.env"]))
def test_dotenv_any_text(text: str, path: str) -> None:
    check("dotenv", path, text)
