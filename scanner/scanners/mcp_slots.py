"""The facts a server manifest yields (issue 18), in the MCP scanner's own shapes.

A manifest (`server.json`, an MCPB `manifest.json`, `smithery.yaml`, a Docker MCP gateway in a
compose file) declares a server and the credential *slots* its installer fills in: an `env`
variable, a header, a flag, a config key. A slot holds no value, so its `value_source` is
`input` (prompted at install, like a VS Code input). A value the manifest writes for it (a
fixed `value`, a `default`, an example) is judged as the client scanner judges any written
value: `value_state`, and `secret_present` when it looks real. Pure: no file is read here.
"""

from __future__ import annotations

import re

from scanner import secrets
from scanner.model import JSON, Category, Consumer, Identity
from scanner.scanners import mcp_values
from scanner.scanners._json import JSONPath
from scanner.scanners.mcp_clients import Locate

# A registry template (`Bearer {api_key}`, `TOKEN={token}`) or an MCPB `${user_config.key}`:
# the installer's answer, not a value written in the file.
_TEMPLATE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.\-]*\}")


# A connection string asked for by name (`mongoConnectionUrl`, `databaseUri`, `POSTGRES_DSN`):
# its format carries the user and password, so the slot is a credential.
_CONNECTION = re.compile(
    r"(?i)(?:^|[_\-.]|(?<=[a-z]))(?:connection|conn|database|db|mongo(?:db)?|postgres(?:ql)?|"
    r"mysql|mssql|redis)[_\-]?(?:url|uri|string|str)$|(?:^|[_\-])dsn$"
)


def secret_name(name: str) -> bool:
    """Whether a slot's name asks for a credential: named like one, or a connection string."""
    return secrets.is_credential_name(name) or _CONNECTION.search(name) is not None


def slot(
    name: str, placement: str, *, fixed: JSON = None, default: JSON = None, ref: str | None = None
) -> dict[str, JSON]:
    """Where a slot's value comes from. A `fixed` value (the registry's `value`) is written:
    judged by `mcp_values.source` like any other. Otherwise the installer answers (`input`),
    and a `default` or example offered to them only adds its `value_state` (and
    `secret_present` when it looks real)."""
    if isinstance(fixed, str) and fixed.strip():
        kind, _ = mcp_values.reference(fixed)
        if kind != "literal" or not _TEMPLATE.search(fixed):
            return {"placement": placement, **mcp_values.source(name, fixed)}
    attributes: dict[str, JSON] = {"placement": placement, "value_source": "input"}
    if ref is not None:
        attributes["ref"] = ref
    if isinstance(default, str) and not _TEMPLATE.search(default):
        judged = mcp_values.source(name, default)
        attributes["value_state"] = judged.get("value_state", "reference")
        if judged.get("secret_present") is True:
            attributes.update({key: judged[key] for key in ("secret_present", "detector",
                                                            "provider")})  # fmt: skip
    return attributes


class Facts:
    """Builds the identities of one manifest file: lines from `locate`, `sample` from the path."""

    def __init__(self, path: str, locate: Locate, sample: bool) -> None:
        self.path, self.locate, self.sample = path, locate, sample
        self.pointers: set[str] = set()

    def fresh(self, pointer: str) -> bool:
        """Whether `pointer` is new in this file (a repeated name is reported once)."""
        if pointer in self.pointers:
            return False
        self.pointers.add(pointer)
        return True

    def name(self, name: str, route: JSONPath) -> str:
        """A server's name, unless a token was written there (#16)."""
        return f"line-{self.locate(route)[0]}" if secrets.secret_in(name) else name

    def server(
        self, name: str, route: JSONPath, pointer: str, attributes: dict[str, JSON]
    ) -> Identity:
        line, end = self.locate(route)
        if self.sample:
            attributes = {**attributes, "sample": "true"}
        return Identity(
            scanner="mcp", kind="mcp_server", category=Category.IDENTITY, name=name,
            path=self.path, line=line, end_line=end, pointer=pointer, anchor_line=line,
            attributes=attributes,
        )  # fmt: skip

    def credential(
        self,
        name: str,
        route: JSONPath,
        pointer: str,
        users: list[str],
        attributes: dict[str, JSON],
    ) -> Identity:
        """A credential slot at `route`, consumed by the servers named in `users`."""
        line, end = self.locate(route)
        attributes = {"server": users[0] if users else None, **attributes}
        leaked = secrets.secret_in(name)
        if leaked is not None:  # a value where a name belongs (#16): never a name or pointer
            neutral = mcp_values.neutral(route)
            pointer, name = pointer.replace(name, neutral), neutral
            attributes = {key: value for key, value in attributes.items() if key != "ref"}
            attributes.update({"value_source": "literal", "secret_present": True,
                               "detector": leaked.detector})  # fmt: skip
        if self.sample:
            attributes["sample"] = "true"
        if "provider" not in attributes:
            attributes["provider"] = secrets.provider_for(name) or next(
                (p for p in map(secrets.provider_for, users) if p is not None), None
            )
        return Identity(
            scanner="mcp", kind="mcp_credential", category=Category.CREDENTIAL, name=name,
            path=self.path, line=line, end_line=end, pointer=pointer, anchor_line=line,
            attributes=attributes,
            consumers=tuple(Consumer(kind="mcp_server", ref=f"{self.path}#{u}") for u in users),
        )  # fmt: skip
