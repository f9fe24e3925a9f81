"""How an MCP server is launched: the command, the package or image it runs and whether that
is pinned to a version. Values are never kept: URL userinfo is stripped (issue 16)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from scanner import secrets
from scanner.model import JSON
from scanner.scanners import mcp_clients

_LAUNCHERS = ("npx", "bunx", "uvx", "pipx", "docker", "podman", "pnpm", "yarn")
_DOCKER_VALUE_FLAGS = {"-e", "--env", "-v", "--volume", "--name", "-p", "--publish", "--network",
                       "--env-file", "-w", "--workdir", "--entrypoint", "-u", "--user",
                       "--mount", "--platform", "-l", "--label"}  # fmt: skip


def launch(client: str, config: Mapping[str, JSON]) -> dict[str, JSON]:
    """How the server runs: transport, command, package and version, remote host."""
    attributes: dict[str, JSON] = {"client": client}
    command = config.get("command", config.get("cmd"))  # `cmd`: Goose
    if isinstance(command, dict):  # Zed: {"command": {"path", "args", "env"}}
        config = {**config, "args": command.get("args")}
        command = command.get("path")
    raw_args = config.get("args")
    args = [a for a in raw_args if isinstance(a, str)] if isinstance(raw_args, list) else []
    if isinstance(command, list):  # opencode: the command and its arguments in one array
        args = [str(a) for a in command[1:]]
        command = str(command[0]) if command else None
    url = next((config[k] for k in mcp_clients.URL_KEYS if isinstance(config.get(k), str)), None)
    declared = str(config.get("type") or config.get("transport") or "").lower()
    if url is not None:
        attributes["transport"] = "sse" if declared == "sse" else "http"
        attributes["url_host"] = host_of(str(url))
    else:
        attributes["transport"] = "stdio"
    if isinstance(command, str) and not secrets.secret_in(command):
        attributes["command"] = secrets.strip_userinfo(command)
        attributes.update(_package(command, args))
    return attributes


def _package(command: str, args: list[str]) -> dict[str, JSON]:
    tool = command.rsplit("/", 1)[-1]
    if tool not in _LAUNCHERS:
        return {}
    rest = args[1:] if tool in ("docker", "podman", "pipx", "pnpm", "yarn") and args else args
    if tool in ("docker", "podman"):
        if not args or args[0] != "run":
            return {}
        image = _first_positional(rest, _DOCKER_VALUE_FLAGS)
        if image is None:
            return {}
        name, tag = _split_image(image)
        return {"package": name, "version": tag, "pinned": tag not in (None, "latest")}
    spec = _option_value(rest, ("--from", "--spec")) or _first_positional(
        rest, {"-p", "--package", "--from", "--spec", "--python", "--with"}
    )
    if spec is None:
        return {}
    name, version = _split_spec(secrets.strip_userinfo(spec))  # `git+https://TOKEN@` (#16)
    if secrets.secret_in(name) or (version and secrets.secret_in(version)):
        return {"package": None, "version": None, "pinned": False}
    return {
        "package": name,
        "version": version,
        "pinned": version is not None and version not in ("latest", "next"),
    }


def _option_value(args: list[str], names: tuple[str, ...]) -> str | None:
    for index, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if flag in names:
            return value if eq else (args[index + 1] if index + 1 < len(args) else None)
    return None


def _first_positional(args: list[str], takes_value: set[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in takes_value
            continue
        return arg
    return None


def _split_spec(spec: str) -> tuple[str, str | None]:
    for separator in ("==", "@"):
        head, sep, tail = spec.rpartition(separator)
        if sep and head and not head.endswith("/") and head != "":
            return head, tail or None
    return spec, None


def _split_image(image: str) -> tuple[str, str | None]:
    if "@sha256:" in image:
        name, _, digest = image.partition("@")
        return name, digest
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        return image.rsplit(":", 1)[0], image.rsplit(":", 1)[1]
    return image, None


def query_of(url: str) -> str:
    """A URL's query; urlsplit raises on a malformed one (`http://[x`), so cut it by hand."""
    try:
        return urlsplit(url).query
    except ValueError:
        return url.partition("#")[0].partition("?")[2]


def host_of(url: str) -> str | None:
    """A URL's host, or None when it has none or is malformed (`http://[x`)."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
