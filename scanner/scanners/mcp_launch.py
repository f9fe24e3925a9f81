"""How an MCP server is launched: the command, the package or image it runs and whether that
is pinned to a version. Values are never kept: URL userinfo is stripped (issue 16)."""

from __future__ import annotations

import re
import shlex
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
    url = next((config[k] for k in mcp_clients.URL_KEYS
                if isinstance(config.get(k), str) and str(config[k]).strip()), None)  # fmt: skip
    declared = str(config.get("type") or config.get("transport") or "").lower()
    if url is not None and not (declared == "stdio" and isinstance(command, str)):
        attributes["transport"] = "sse" if declared == "sse" else "http"
        attributes["url_host"] = host_of(str(url))
    else:
        attributes["transport"] = "stdio"
    if isinstance(command, str) and not secrets.secret_in(command):
        attributes["command"] = secrets.strip_userinfo(command)
        attributes.update(_package(*launched(command, args)))
    if config.get("disabled") is True or config.get("enabled") is False:
        attributes["disabled"] = True
    return attributes


_SHELLS = ("sh", "bash", "zsh", "dash")
_SUFFIXES = (".cmd", ".exe", ".bat")


def launched(command: str, args: list[str]) -> tuple[str, list[str]]:
    """The program that really runs and its arguments: a whole command line written as the
    command (`"docker run -i image"`), Windows' `cmd /c npx ...` and `sh -c "npx ..."` are
    unwrapped (the program's own name, without a folder or a Windows suffix)."""
    words = [] if args else command_line(command)
    if words:
        command, args = words[0], words[1:]
    for _ in range(3):  # `cmd /c bash -c "..."`: boundedly
        tool = _tool(command)
        if tool == "cmd" and len(args) > 1 and args[0].lower() in ("/c", "/k"):
            command, args = args[1], args[2:]
        elif tool in _SHELLS and _script(args):  # `bash -l -c "exec npx ..."`
            words = _words(args[-1])
            command, *args = words[1:] if words[0] == "exec" and len(words) > 1 else words
        else:
            break
    return _tool(command), args


def command_line(command: str) -> list[str]:
    """The words of a whole command line written as the command (`"docker run -i image"`), or
    none when the command is one program (a path may hold spaces: `C:\\Program Files\\...`)."""
    words = _words(command) if any(c.isspace() for c in command.strip()) else []
    return words if words and _tool(words[0]) in (*_LAUNCHERS, "cmd", *_SHELLS) else []


def _script(args: list[str]) -> bool:
    """Whether a shell's arguments are options ending in `-c` (`-lc`, `-l -c`) and one script."""
    options = args[:-1]
    return (
        bool(options)
        and all(option.startswith("-") for option in options)
        and re.fullmatch(r"-[a-z]*c", options[-1]) is not None
        and bool(_words(args[-1]))
    )


def _tool(command: str) -> str:
    name = command.strip().replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name[: -len(name.rpartition(".")[2]) - 1] if name.endswith(_SUFFIXES) else name


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:  # an unclosed quote
        return []


def _package(tool: str, args: list[str]) -> dict[str, JSON]:
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
    # npm's launchers take the package with `--package`/`-p` (`npx -p @scope/pkg -- bin`);
    # uv's `-p` is the Python version.
    named = ("--from", "--spec") if tool in ("uvx", "pipx") else ("--package", "-p")
    spec = _option_value(rest, named) or _first_positional(
        rest, {"-p", "--package", "--from", "--spec", "--python", "--with", "--env-file", "--index"}
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
        host = urlsplit(url).hostname
    except ValueError:
        return None
    # `https://${input:host}/mcp`: a template, not a host (urlsplit cut it at its colon).
    return None if host is None or "$" in url.partition("://")[2].partition("/")[0] else host
