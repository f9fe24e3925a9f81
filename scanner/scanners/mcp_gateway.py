"""The Docker MCP gateway run from a compose file (issue 18): the servers it runs and the
secrets it is given.

A compose service whose image is `docker/mcp-gateway` (any registry prefix, tag or digest)
runs the catalog servers its `command` names with `--servers=github,slack` (or `--servers
github`, `--server`), and reads their secrets from `--secrets=docker-desktop:/run/secrets/x`:
colon-separated sources, each Docker Desktop's secret store or a `.env`-style file, usually a
compose `secrets:` entry mounted under /run/secrets (docs: github.com/docker/mcp-gateway
`docs/mcp-gateway.md`, `examples/secrets/compose.yaml`). Each server is an `mcp_server`, each
source an `mcp_credential` consumed by every server of that gateway. Discovery only hands a
compose file to the scanner when its bytes mention `mcp-gateway`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from scanner.model import JSON, Identity
from scanner.scanners._json import JSONPath
from scanner.scanners.mcp_slots import Facts

IMAGE = "docker/mcp-gateway"
_SERVERS = ("--servers", "--server")
_TRANSPORTS = {"sse": "sse", "streaming": "http", "streamable-http": "http", "http": "http"}
_MOUNTED = "/run/secrets/"
_FROM = re.compile(r"(?im)^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)")
# Names the gateway cannot be said to run: a template's `{{.ServerName}}`, compose `${VAR}`.
_UNNAMED = re.compile(r"\{\{|\$\{?[A-Za-z_]")


def gateways(document: Mapping[str, JSON]) -> list[tuple[str, dict[str, JSON]]]:
    """The compose services that run the gateway image, or build on it (`dockerfile_inline`)."""
    services = document.get("services")
    if not isinstance(services, dict):
        return []
    return [
        (name, service)
        for name, service in services.items()
        if isinstance(service, dict) and _base_image(service) is not None
    ]


def _base_image(service: Mapping[str, JSON]) -> str | None:
    image = service.get("image")
    if isinstance(image, str) and image_parts(image)[0].endswith(IMAGE):
        return image
    build = service.get("build")
    inline = build.get("dockerfile_inline") if isinstance(build, dict) else None
    found = _FROM.search(inline) if isinstance(inline, str) else None
    return found[1] if found is not None and image_parts(found[1])[0].endswith(IMAGE) else None


def scan(document: Mapping[str, JSON], facts: Facts) -> Iterator[Identity]:
    for name, service in gateways(document):
        yield from _gateway(document, name, service, facts)


def _gateway(
    document: Mapping[str, JSON], service: str, config: Mapping[str, JSON], facts: Facts
) -> Iterator[Identity]:
    route: JSONPath = ("services", service)
    servers: list[tuple[str, JSONPath]] = []
    sources: list[tuple[str, JSONPath]] = []
    transport = "stdio"
    for flag, value, where in _options(route, config.get("command")):
        if flag in _SERVERS:
            servers += [(s.strip(), where) for s in value.split(",")
                        if s.strip() and not _UNNAMED.search(s)]  # fmt: skip
        elif flag == "--secrets":
            sources += [(s.strip(), where) for s in value.split(":") if s.strip()]
        elif flag == "--transport":
            transport = _TRANSPORTS.get(value.strip().lower(), "stdio")
    image, tag = image_parts(_base_image(config) or IMAGE)
    names = [facts.name(server, where) for server, where in servers]
    for server, (_, where) in zip(names, servers, strict=True):
        pointer = f"services/{service}/servers/{server}"
        if facts.fresh(pointer):
            yield facts.server(
                server,
                where,
                pointer,
                {
                    "client": "docker-mcp-gateway",
                    "transport": transport,
                    "package": image,
                    "version": tag,
                    "pinned": tag not in (None, "latest"),
                    "receives_credentials": bool(sources),
                },
            )
    users = list(dict.fromkeys(names))
    compose_secrets = document.get("secrets")
    declared = compose_secrets if isinstance(compose_secrets, dict) else {}
    for source, where in sources:
        name, attributes = _source(source, declared)
        pointer = f"services/{service}/secrets/{name}"
        if facts.fresh(pointer):
            yield facts.credential(name, where, pointer, users, attributes)


def _source(source: str, declared: Mapping[str, JSON]) -> tuple[str, dict[str, JSON]]:
    """A secrets source: Docker Desktop's store, or a file (a compose secret when mounted)."""
    if source == "docker-desktop":
        return source, {"placement": "env", "value_source": "secret_ref", "provider": None}
    name = source.removeprefix(_MOUNTED) if source.startswith(_MOUNTED) else source
    if name != source and name not in declared:
        name = source  # mounted, but not a secret this file declares: keep the path
    # One source holds the secrets of every server: no single provider.
    return name, {"placement": "env_file", "value_source": "env_file", "provider": None}


def _options(route: JSONPath, command: JSON) -> Iterator[tuple[str, str, JSONPath]]:
    """`--flag=value` and `--flag value` pairs of a compose `command` (a list or a string),
    each with the route of the flag's line."""
    if isinstance(command, list):
        items = [
            (c if isinstance(c, str) else "", (*route, "command", i)) for i, c in enumerate(command)
        ]
    elif isinstance(command, str):
        items = [(part, (*route, "command")) for part in command.split()]
    else:
        return
    for index, (arg, where) in enumerate(items):
        flag, eq, value = arg.partition("=")
        if not flag.startswith("--"):
            continue
        if not eq:
            following = items[index + 1][0] if index + 1 < len(items) else ""
            value = "" if following.startswith("-") else following
        yield flag, value, where


def image_parts(image: str) -> tuple[str, str | None]:
    """An image reference's name and its tag or digest."""
    if "@" in image:
        name, _, digest = image.partition("@")
        return name, digest
    head, _, last = image.rpartition("/")
    if ":" in last:
        last, _, tag = last.partition(":")
        return f"{head}/{last}" if head else last, tag
    return image, None
