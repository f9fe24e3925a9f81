"""Server manifests: the credentials an MCP server declares it needs (issue 18).

`server.json` and `manifest.json` are generic names, so each format is recognised by content:
- the MCP registry's `server.json`: a `$schema` of the registry's server schema, `packages`
  with a `registryType` (`registry_type`, `registry_name` in the 2025 drafts), or a reverse-DNS
  `name` beside `remotes` of an MCP transport (`sse`, `streamable-http`). Each package and
  each remote is an `mcp_server`; the `environmentVariables`, `headers` and arguments marked
  `isSecret` (or named like a credential) are its `mcp_credential` slots. Docs:
  github.com/modelcontextprotocol/registry `docs/reference/server-json/`.
- an MCPB (formerly DXT) bundle's `manifest.json`: `manifest_version` or `dxt_version` beside
  a `server` object. A `user_config` entry marked `sensitive` (or named like a credential, or
  handed to a credential's `env` variable as `${user_config.KEY}`) is one slot, at its own
  line. Docs: github.com/modelcontextprotocol/mcpb `MANIFEST.md`.
- Smithery's `smithery.yaml`: `startCommand.configSchema.properties` named like a credential
  or marked secret; the `commandFunction` says where each goes (`env`, `arg`).
  Docs: smithery.ai/docs/config/smithery.yaml.
- a compose file running the Docker MCP gateway (`mcp_gateway`), and Docker's MCP catalogs and
  registry server definitions (`mcp_docker`).
A browser extension or web app `manifest.json` is none of these and yields nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from scanner import secrets
from scanner.errors import ParseError
from scanner.model import JSON, Identity
from scanner.scanners import mcp_clients, mcp_docker, mcp_gateway, mcp_launch, mcp_values
from scanner.scanners._json import JSONPath
from scanner.scanners.mcp_slots import Facts, secret_name, slot

PATTERNS = ("smithery.yaml", "smithery.yml")

_SCHEMA = re.compile(r"modelcontextprotocol\.io/schemas/[^\"'\s]*server\.schema\.json")
# Byte tests discovery runs before a file no scanner names is parsed: any one may be a manifest.
_SIGNS = (
    b"modelcontextprotocol.io/schemas/",
    b"registryType",
    b"registry_type",
    b"registry_name",
    b'"remotes"',
    b"configSchema",
    b"mcp-gateway",
)
_BUNDLE_SIGNS = (b"manifest_version", b"dxt_version")
_TEXT_SIGNS = tuple(sign.decode() for sign in _SIGNS)
_TEXT_BUNDLE_SIGNS = tuple(sign.decode() for sign in _BUNDLE_SIGNS)


def sniff(data: bytes) -> bool:
    """Whether a file may be a server manifest: worth parsing."""
    return (
        any(sign in data for sign in _SIGNS)
        or (b"server" in data and any(sign in data for sign in _BUNDLE_SIGNS))
        or mcp_docker.sniff(data)
    )


def scan(path: str, text: str) -> list[Identity] | None:
    """The facts of a manifest, or None when `path` holds none (the client scan reads it).

    A syntax error is reported for `smithery.yaml` and for a file naming the registry's schema;
    in any other file it only means the file is not a manifest."""
    named = path.rsplit("/", 1)[-1] in PATTERNS
    if not named and not (
        any(sign in text for sign in _TEXT_SIGNS)
        or ("server" in text and any(sign in text for sign in _TEXT_BUNDLE_SIGNS))
        or mcp_docker.SIGN_TEXT.search(text)
    ):
        return None
    try:
        document, locate = mcp_clients.parse(mcp_clients.syntax(path), text)
    except ParseError:
        if named or _SCHEMA.search(text):
            raise
        return None
    if not isinstance(document, dict):
        return [] if named else None
    facts = Facts(path, locate, mcp_clients.is_sample(path, text))
    if _is_registry(document):
        return list(_registry(document, facts))
    if _is_bundle(document):
        return list(_bundle(document, facts))
    start = document.get("startCommand")
    if named or (isinstance(start, dict) and isinstance(start.get("configSchema"), dict)):
        return list(_smithery(path, document, facts))
    if mcp_gateway.gateways(document):
        return list(mcp_gateway.scan(document, facts))
    if mcp_docker.servers(document):  # its `example:` values are `<YOUR_TOKEN>` by design
        return list(mcp_docker.scan(document, Facts(path, locate, mcp_clients.is_sample(path, ""))))
    return None


def _get(mapping: Mapping[str, JSON], *names: str) -> tuple[str, JSON]:
    """The first of a field's spellings present (camelCase now, snake_case in 2025 drafts)."""
    for name in names:
        if name in mapping:
            return name, mapping[name]
    return names[0], None


def _flag(mapping: JSON, *names: str) -> bool:
    return isinstance(mapping, dict) and any(mapping.get(name) is True for name in names)


# A registry name is reverse-DNS with one slash (`io.github.user/weather`); with `remotes` of an
# MCP transport it marks a remote-only server.json written without `$schema`.
_REGISTRY_NAME = re.compile(r"[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+")
_REMOTE_TYPES = frozenset({"sse", "streamable-http", "streamable"})


def _is_registry(document: Mapping[str, JSON]) -> bool:
    schema = document.get("$schema")
    if isinstance(schema, str) and _SCHEMA.search(schema):
        return True
    packages = document.get("packages")
    if isinstance(packages, list) and any(
        isinstance(p, dict)
        and any(k in p for k in ("registryType", "registry_type", "registry_name"))
        for p in packages
    ):
        return True
    name, remotes = document.get("name"), document.get("remotes")
    return (
        isinstance(name, str)
        and _REGISTRY_NAME.fullmatch(name) is not None
        and isinstance(remotes, list)
        and any(
            isinstance(r, dict)
            and isinstance(r.get("url"), str)
            and _get(r, "type", "transport_type")[1] in _REMOTE_TYPES
            for r in remotes
        )
    )


def _is_bundle(document: Mapping[str, JSON]) -> bool:
    return isinstance(document.get("server"), dict) and (
        "manifest_version" in document or "dxt_version" in document
    )


def _transport(kind: JSON) -> str:
    text = str(kind or "stdio").lower()
    return "sse" if text == "sse" else "stdio" if text == "stdio" else "http"


def _registry(document: Mapping[str, JSON], facts: Facts) -> Iterator[Identity]:
    name = document.get("name")
    server = facts.name(name, ("name",)) if isinstance(name, str) and name else "server"
    packages = document.get("packages")
    for index, package in enumerate(packages if isinstance(packages, list) else []):
        if isinstance(package, dict):
            yield from _package(server, ("packages", index), package, facts)
    remotes = document.get("remotes")
    for index, remote in enumerate(remotes if isinstance(remotes, list) else []):
        if isinstance(remote, dict):
            route: JSONPath = ("remotes", index)
            found = list(_inputs(server, route, remote, facts))
            url = remote.get("url")
            attributes: dict[str, JSON] = {
                "client": "mcp-registry",
                "transport": _transport(_get(remote, "type", "transport_type")[1]),
            }
            if isinstance(url, str):
                attributes["url_host"] = mcp_launch.host_of(url)
            attributes["receives_credentials"] = bool(found)
            yield facts.server(server, route, f"remotes/{index}", attributes)
            yield from found


def _package(
    server: str, route: JSONPath, package: Mapping[str, JSON], facts: Facts
) -> Iterator[Identity]:
    transport = package.get("transport")
    found = list(_inputs(server, route, package, facts))
    if isinstance(transport, dict):
        found += _inputs(server, (*route, "transport"), transport, facts)
    identifier = package.get("identifier", package.get("name"))
    version = package.get("version")
    attributes: dict[str, JSON] = {
        "client": "mcp-registry",
        "transport": _transport(transport.get("type") if isinstance(transport, dict) else None),
    }
    hint = _get(package, "runtimeHint", "runtime_hint")[1]
    if isinstance(hint, str):
        attributes["command"] = hint
    if isinstance(identifier, str):
        package_name, tag = identifier, None
        if _get(package, "registryType", "registry_type", "registry_name")[1] in ("oci", "docker"):
            package_name, tag = mcp_gateway.image_parts(identifier)
        version = version if isinstance(version, str) else tag
        attributes.update(
            {
                "package": secrets.strip_userinfo(package_name),
                "version": version,
                "pinned": version not in (None, "", "latest"),
            }
        )
    attributes["receives_credentials"] = bool(found)
    yield facts.server(server, route, "/".join(map(str, route)), attributes)
    yield from found


# Lists of inputs in a package, a transport or a remote, and where each one's value goes.
_LISTS = (
    (("environmentVariables", "environment_variables"), "env"),
    (("headers",), "header"),
    (("runtimeArguments", "runtime_arguments"), "arg"),
    (("packageArguments", "package_arguments"), "arg"),
)


def _inputs(
    server: str, route: JSONPath, holder: Mapping[str, JSON], facts: Facts
) -> Iterator[Identity]:
    """The inputs of one package, transport or remote that are secrets."""
    for names, placement in _LISTS:
        field, items = _get(holder, *names)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            label, fixed = _label(item, placement)
            variables = item.get("variables")
            secret = _flag(item, "isSecret", "is_secret") or (
                isinstance(variables, dict)
                and any(_flag(v, "isSecret", "is_secret") for v in variables.values())
            )
            if label is None or not (secret or secret_name(label)):
                continue
            pointer = "/".join(map(str, (*route, field, label)))
            if not facts.fresh(pointer):
                continue
            key = next((k for k in ("name", "value", "valueHint", "value_hint") if k in item), None)
            where = (*route, field, index, *((key,) if key else ()))
            ref = label if placement == "env" else None
            yield facts.credential(
                label,
                where,
                pointer,
                [server],
                slot(label, placement, fixed=fixed, default=item.get("default"), ref=ref),
            )


def _label(item: Mapping[str, JSON], placement: str) -> tuple[str | None, JSON]:
    """An input's name (a docker `-e NAME=...` names its variable) and its fixed value."""
    value = item.get("value")
    name = item.get("name")
    if placement != "arg" or item.get("type") == "named":
        if name in ("-e", "--env") and isinstance(value, str) and "=" in value:
            variable, _, fixed = value.partition("=")
            return variable, fixed
        return (name if isinstance(name, str) and name else None), value
    hint = _get(item, "valueHint", "value_hint")[1]
    return (hint if isinstance(hint, str) and hint else None), value


_USER_CONFIG = re.compile(r"\$\{user_config\.([^}]+)\}")


def _bundle(document: Mapping[str, JSON], facts: Facts) -> Iterator[Identity]:
    """An MCPB bundle: one server, its sensitive `user_config` and any `env` written in it."""
    name = document.get("name")
    server = facts.name(name, ("name",)) if isinstance(name, str) and name else "server"
    spec = document.get("server")
    raw = spec.get("mcp_config") if isinstance(spec, dict) else None
    config: dict[str, JSON] = raw if isinstance(raw, dict) else {}
    env = config.get("env")
    env = env if isinstance(env, dict) else {}
    uses = _user_config_uses(env, config.get("args"))
    found = []
    user_config = document.get("user_config")
    for key, entry in (user_config if isinstance(user_config, dict) else {}).items():
        placement, variable = uses.get(key, ("input", None))
        named = secret_name(key) or secret_name(variable or "")
        if _flag(entry, "sensitive") or named:
            written = entry.get("default") if isinstance(entry, dict) else None
            attributes = slot(key, placement, default=written, ref=variable)
            found.append(facts.credential(key, ("user_config", key), f"user_config/{key}",
                                          [server], attributes))  # fmt: skip
    for key, value in env.items():  # a value written in the manifest itself
        text = value if isinstance(value, str) else ""
        if not _USER_CONFIG.search(text) and (
            secrets.is_credential_name(key) or secrets.detect(text)
        ):
            attributes = {"placement": "env", **mcp_values.source(key, text)}
            route: JSONPath = ("server", "mcp_config", "env", key)
            pointer = f"server/mcp_config/env/{key}"
            found.append(facts.credential(key, route, pointer, [server], attributes))
    attributes = {**mcp_launch.launch("mcpb", config), "receives_credentials": bool(found)}
    yield facts.server(server, ("server",), "server", attributes)
    yield from found


def _user_config_uses(env: Mapping[str, JSON], args: JSON) -> dict[str, tuple[str, str | None]]:
    """Where each `${user_config.KEY}` goes: an `env` variable (named) or the arguments."""
    uses: dict[str, tuple[str, str | None]] = {}
    for variable, value in env.items():
        for key in _USER_CONFIG.findall(value if isinstance(value, str) else ""):
            uses.setdefault(key, ("env", variable))
    for arg in args if isinstance(args, list) else []:
        for key in _USER_CONFIG.findall(arg if isinstance(arg, str) else ""):
            uses.setdefault(key, ("arg", None))
    return uses


# `env: { "AUTH_TOKEN": config.apiKey }` in a Smithery commandFunction: the variable it feeds.
_CONFIG_USE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[\"']?\s*:\s*config\.([A-Za-z_$][\w$]*)")
_COMMAND = re.compile(r"\bcommand\s*:\s*[\"']([^\"']+)[\"']")


def _placement(function: str, key: str, variable: str | None) -> tuple[str, str | None]:
    """Where the commandFunction puts a key: an `env` variable (`env: config` passes every key
    as its own variable), a flag (`arg`), or nowhere we can see (`input`)."""
    if variable is None and _WHOLE_ENV.search(function):
        variable = key
    if variable is not None:
        return "env", variable
    return ("arg" if re.search(rf"\bconfig\.{re.escape(key)}\b", function) else "input"), None


# Marks some smithery.yaml files put on a secret property (JSON Schema has no standard one).
_SECRET_MARKS = ("secret", "sensitive", "isSecret", "x-secret", "x-sensitive", "writeOnly")
_WHOLE_ENV = re.compile(r"\benv\s*:\s*config\b(?!\s*[.\[])")


def _smithery(path: str, document: Mapping[str, JSON], facts: Facts) -> Iterator[Identity]:
    """A Smithery server: the properties of its `configSchema` that are secrets."""
    start = document.get("startCommand")
    if not isinstance(start, dict):
        return
    folders = path.split("/")[:-1]
    server = folders[-1] if folders else "smithery"
    schema = start.get("configSchema")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    function = start.get("commandFunction")
    function = function if isinstance(function, str) else ""
    feeds = {key: variable for variable, key in _CONFIG_USE.findall(function)}
    # The docs put exampleConfig beside configSchema; some files put it at the top.
    examples = start.get("exampleConfig", document.get("exampleConfig"))
    found = []
    for key, spec in (properties if isinstance(properties, dict) else {}).items():
        marked = _flag(spec, *_SECRET_MARKS) or (
            isinstance(spec, dict) and spec.get("format") == "password"
        )
        if not (marked or secret_name(key)):
            continue
        written = spec.get("default") if isinstance(spec, dict) else None
        if written is None and isinstance(examples, dict):
            written = examples.get(key)
        placement, variable = _placement(function, key, feeds.get(key))
        route: JSONPath = ("startCommand", "configSchema", "properties", key)
        answer = slot(key, placement, default=written, ref=variable)
        found.append(facts.credential(key, route, f"startCommand/configSchema/{key}", [server],
                                      answer))  # fmt: skip
    attributes: dict[str, JSON] = {"client": "smithery", "transport": _transport(start.get("type"))}
    command = _COMMAND.search(function)
    if command is not None and not secrets.secret_in(command[1]):
        attributes["command"] = command[1]
    attributes["receives_credentials"] = bool(found)
    yield facts.server(server, ("startCommand",), "startCommand", attributes)
    yield from found
