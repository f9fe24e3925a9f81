"""Fuzz the server manifest shapes (issue 18): registry server.json, MCPB manifest.json, smithery
and gateway compose files built from their own keys, holding values of any type, end in facts
or a ParseError (checked as every scanner is, by `check`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import dump, values
from tests.fuzz.test_fuzz_scanners import check

SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"


def _maps(*keys: str) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, values))


inputs = st.lists(
    _maps("name", "value", "default", "isSecret", "is_secret", "type", "valueHint", "variables")
    | values,
    max_size=3,
)
package = st.fixed_dictionaries(
    {"registryType": values},
    optional={"environmentVariables": inputs, "runtimeArguments": inputs,
              "packageArguments": inputs, "transport": _maps("type", "url", "headers") | values,
              "identifier": values, "version": values, "runtimeHint": values},
)  # fmt: skip
packages = st.lists(package | values, max_size=2)
registry = st.fixed_dictionaries(
    {"$schema": st.just(SCHEMA)},
    optional={"name": values, "packages": packages,
              "remotes": st.lists(_maps("type", "url", "headers") | values, max_size=2)},
)  # fmt: skip
bundle = st.fixed_dictionaries(
    {"manifest_version": values, "server": _maps("type", "mcp_config") | values},
    optional={"name": values, "user_config": st.dictionaries(st.text(max_size=5), values)},
)
smithery = st.fixed_dictionaries(
    {"startCommand": _maps("type", "configSchema", "commandFunction", "exampleConfig") | values}
)
gateway = st.fixed_dictionaries(
    {"services": st.dictionaries(
        st.text(max_size=5),
        st.fixed_dictionaries({"image": st.just("docker/mcp-gateway")},
                              optional={"command": values, "build": values}) | values,
        max_size=2)},
    optional={"secrets": values},
)  # fmt: skip


@given(registry)
def test_registry_documents(document: dict) -> None:
    check("mcp", "server.json", dump(document, "json"))


@given(bundle)
def test_bundle_documents(document: dict) -> None:
    check("mcp", "bundle/manifest.json", dump(document, "json"))


@given(smithery)
def test_smithery_documents(document: dict) -> None:
    check("mcp", "smithery.yaml", dump(document, "yaml"))


@given(gateway, st.sampled_from(["compose.yaml", "deploy/docker-compose.yml"]))
def test_gateway_documents(document: dict, path: str) -> None:
    check("mcp", path, dump(document, "yaml"))
