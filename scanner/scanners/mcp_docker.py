"""Docker's MCP catalog formats: the servers a team's catalog offers and the secrets each needs.

- A catalog file (`docker mcp catalog create/export`, read by the gateway's `--catalog`): a
  top-level `registry` mapping each server's name to its definition, `type` (`server`, `poci`
  for container tools, `remote`), `image` or `remote`, `secrets` (`name`, `env`, `example`),
  `env`, `oauth`. Docs: github.com/docker/mcp-gateway `docs/catalog.md`.
- A server definition of Docker's MCP registry (`servers/<name>/server.yaml`): the same fields at
  the top with `name`, and the secrets under `config.secrets`. Docs: github.com/docker/mcp-registry
  `CONTRIBUTING.md`.

Each server is an `mcp_server`; each secret, and each OAuth grant whose token it hands to the
server (`oauth: [{provider, env}]`), is an `mcp_credential` slot the installer fills: a catalog
holds names and examples, never values (an example is judged like any offered default).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TypeGuard

from scanner.model import JSON, Identity
from scanner.scanners import mcp_gateway, mcp_launch
from scanner.scanners._json import JSONPath
from scanner.scanners.mcp_slots import Facts, slot

_TYPES = frozenset({"server", "poci", "remote"})
_TRANSPORTS = {"sse": "sse", "streamable-http": "http", "http": "http", "streamable": "http"}
# A top-level `registry:` opening a mapping, or a top-level server `type:` of Docker's.
_SIGN = re.compile(rb"(?m)^registry:[ \t]*(?:#.*)?\r?$|^type:[ \t]*['\"]?(?:server|poci|remote)\b")
SIGN_TEXT = re.compile(_SIGN.pattern.decode())


def sniff(data: bytes) -> bool:
    """A top-level `registry:` or `type:` found at memchr speed first (a 5 MB lockfile: the
    regex alone took 19 ms)."""
    starts = data.startswith((b"registry:", b"type:"))
    return (starts or b"\nregistry:" in data or b"\ntype:" in data) and bool(_SIGN.search(data))


def _is_server(definition: object) -> TypeGuard[Mapping[str, JSON]]:
    return (
        isinstance(definition, dict)
        and definition.get("type") in _TYPES
        and (isinstance(definition.get("image"), str) or isinstance(definition.get("remote"), dict))
    )


def servers(document: Mapping[str, JSON]) -> list[tuple[str, JSONPath, Mapping[str, JSON]]]:
    """(name, where the name is written, definition) of each server the file defines."""
    if _is_server(document) and isinstance(name := document.get("name"), str) and name:
        return [(name, ("name",), document)]
    registry = document.get("registry")
    if not isinstance(registry, dict):
        return []
    return [(name, ("registry", name), definition) for name, definition in registry.items()
            if _is_server(definition)]  # fmt: skip


def scan(document: Mapping[str, JSON], facts: Facts) -> Iterator[Identity]:
    for name, route, definition in servers(document):
        yield from _server(facts.name(name, route), route, definition, facts)


def _server(
    server: str, route: JSONPath, definition: Mapping[str, JSON], facts: Facts
) -> Iterator[Identity]:
    base: JSONPath = () if route == ("name",) else route
    config = definition.get("config")
    listed, at = definition.get("secrets"), (*base, "secrets")
    if not isinstance(listed, list) and isinstance(config, dict):  # the registry's server.yaml
        listed, at = config.get("secrets"), (*base, "config", "secrets")
    found: list[Identity] = []
    for index, item in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(item, dict):
            found += _credential(server, (*at, index), item, facts)
    grants = definition.get("oauth")
    for index, grant in enumerate(grants if isinstance(grants, list) else []):
        if isinstance(grant, dict):
            found += _credential(server, (*base, "oauth", index), grant, facts, oauth=True)
    attributes: dict[str, JSON] = {"client": "docker-mcp-catalog"}
    remote, image = definition.get("remote"), definition.get("image")
    if isinstance(remote, dict):
        kind = remote.get("transport_type", remote.get("transport"))
        attributes["transport"] = _TRANSPORTS.get(str(kind).lower(), "http")
        if isinstance(url := remote.get("url"), str):
            attributes["url_host"] = mcp_launch.host_of(url)
    else:
        attributes["transport"] = "stdio"
    if isinstance(image, str):
        package, tag = mcp_gateway.image_parts(image)
        attributes.update({"package": package, "version": tag,
                           "pinned": tag not in (None, "", "latest")})  # fmt: skip
    attributes["receives_credentials"] = bool(found)
    yield facts.server(server, route, server, attributes)
    yield from found


def _credential(
    server: str, route: JSONPath, item: Mapping[str, JSON], facts: Facts, *, oauth: bool = False
) -> Iterator[Identity]:
    """A secret (or an OAuth grant's token) by the variable the server reads it from."""
    env, name = item.get("env"), item.get("name", item.get("secret"))
    label = env if isinstance(env, str) and env else name if isinstance(name, str) else None
    if not label or not facts.fresh(f"{server}/env/{label}"):
        return
    where = (*route, "env" if label == env else "name")
    attributes = slot(label, "env", default=item.get("example"), ref=label)
    if oauth and isinstance(provider := item.get("provider"), str):
        attributes["oauth_provider"] = provider
    yield facts.credential(label, where, f"{server}/env/{label}", [server], attributes)
