"""MCP client configs: the servers an AI agent may start, and each credential handed to them.

`CLIENTS` is the one table of committable, project-level config files (README lists it).
Kinds and pointers (stable public names):
- `mcp_server` `<root>/<server>`: a configured server, with its client, transport, launch
  command, package and version (`pinned`), host of a remote URL (never the URL: its query may
  carry a key), and `receives_credentials`.
- `mcp_credential` `<root>/<server>/<placement>/<name>`: a credential handed to a server through
  `env`, `headers`, flags or DSNs in `args` (pointer `args/<index>`), URL query keys, VS Code
  `${input:...}` prompts (`inputs/<id>`), `envFile`, or Codex `bearer_token_env_var` /
  `env_http_headers`. `value_source` says where its value comes from: `literal`, `env_ref`
  (`ref` names the variable), `input`, `secret_ref`, `env_file`. A literal that looks real sets
  `secret_present`; the value itself is never kept. The server is its consumer.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import parse_qsl, urlsplit

from scanner import globs, secrets
from scanner.errors import ParseError
from scanner.model import JSON, Category, Consumer, Identity
from scanner.scanners import _json, _yaml, mcp_clients
from scanner.scanners._json import JSONPath

PATTERNS = mcp_clients.PATTERNS

_REF = re.compile(
    r"\$\{input:(?P<input>[^}]+)\}|\$\{\{\s*secrets\.(?P<secret>[A-Za-z0-9_]+)\s*\}\}|"
    r"\$\{env:(?P<env1>[A-Za-z_][A-Za-z0-9_]*)\}|\{env:(?P<env2>[A-Za-z_][A-Za-z0-9_]*)\}|"
    r"\$\{(?P<env3>[A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$(?P<env4>[A-Za-z_][A-Za-z0-9_]*)"
)
# After the last `}` no braced form can match, and `[^}]+` would scan to the end from every
# `${` (quadratic): there only `$NAME` is looked for, with the same groups.
_BARE_REF = re.compile(
    r"(?P<input>(?!))|(?P<secret>(?!))|(?P<env1>(?!))|(?P<env2>(?!))|(?P<env3>(?!))|"
    r"\$(?P<env4>[A-Za-z_][A-Za-z0-9_]*)"
)
_LAUNCHERS = ("npx", "bunx", "uvx", "pipx", "docker", "podman", "pnpm", "yarn")
_DOCKER_VALUE_FLAGS = {"-e", "--env", "-v", "--volume", "--name", "-p", "--publish", "--network",
                       "--env-file", "-w", "--workdir", "--entrypoint", "-u", "--user",
                       "--mount", "--platform", "-l", "--label"}  # fmt: skip
_SCHEME = re.compile(r"^(?:Bearer|Basic|Token|token|Bot)\s+")
_DSN = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)


def scan(path: str, text: str) -> Iterator[Identity]:
    """Yield the servers and credentials of one MCP config file.

    A file named by a client's documentation is parsed; any other file (or a shared settings
    file such as `.vscode/settings.json`) only when it looks like one, and then bad syntax in
    it is not ours to report."""
    client = _client(path)
    dedicated = client is not None and client.pattern not in mcp_clients.SHARED
    if not text.strip() or not (dedicated or mcp_clients.sniff(text.encode())):
        return
    syntax = client.syntax if client is not None else _syntax(path)
    try:
        document, locate = _parse(syntax, text)
    except ParseError:
        if dedicated:
            raise
        return
    if not isinstance(document, dict):
        return
    if client is not None:
        roots = tuple(r for r in client.roots if mcp_clients.at(document, r) is not None)
        name = client.name
        if not roots and client.bare and mcp_clients.bare_map(document):
            roots = ((),)
    else:
        roots = mcp_clients.content_roots(document)
        name = mcp_clients.guess_client(path, roots)
    sample = mcp_clients.is_sample(path, text)
    yield from _Config(path, name, roots, document, locate, sample).identities()


def _syntax(path: str) -> str:
    if path.endswith(".toml"):
        return "toml"
    return "yaml" if path.endswith((".yaml", ".yml")) else "json"


def _parse(syntax: str, text: str) -> tuple[JSON, Locate]:
    if syntax == "toml":
        return _toml(text)
    parsed, spans = _yaml.parse(text) if syntax == "yaml" else _json.parse(text, jsonc=True)
    return parsed, _locator(spans)


def _client(path: str) -> mcp_clients.Client | None:
    for client in mcp_clients.CLIENTS:
        if re.fullmatch(globs.to_regex(client.pattern), path):
            return client
    return None


Locate = Callable[[JSONPath], tuple[int, int]]


def _query_of(url: str) -> str:
    """A URL's query; urlsplit raises on a malformed one (`http://[x`), so cut it by hand."""
    try:
        return urlsplit(url).query
    except ValueError:
        return url.partition("#")[0].partition("?")[2]


def _host_of(url: str) -> str | None:
    """A URL's host, or None when it has none or is malformed (`http://[x`)."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _locator(spans: _json.Spans) -> Locate:
    def locate(route: JSONPath) -> tuple[int, int]:
        span = spans[route]
        return span.line, span.end_line

    return locate


class _Config:
    def __init__(
        self,
        path: str,
        client: str,
        roots: tuple[mcp_clients.Route, ...],
        document: dict[str, JSON],
        locate: Locate,
        sample: bool,
    ) -> None:
        self.path, self.client, self.roots, self.document = path, client, roots, document
        self.locate, self.sample = locate, sample
        # VS Code prompts: `inputs` beside `servers` (`mcp.inputs` in settings.json).
        self.inputs_route: JSONPath = ("mcp", "inputs") if ("mcp", "servers") in roots \
            else ("inputs",)  # fmt: skip
        inputs = mcp_clients.at(document, tuple(str(p) for p in self.inputs_route))
        self.inputs: dict[str, tuple[int, dict[str, JSON]]] = {
            str(item.get("id")): (index, item)
            for index, item in enumerate(inputs if isinstance(inputs, list) else [])
            if isinstance(item, dict) and item.get("id")
        }
        self.input_users: dict[str, list[str]] = {}  # input id -> servers that reference it

    def identities(self) -> Iterator[Identity]:
        for root in self.roots:
            servers = mcp_clients.at(self.document, root) if root else self.document
            if isinstance(servers, dict):
                for name, config in servers.items():
                    if isinstance(config, dict):
                        yield from self._server(root, name, (*root, name), config)
            elif isinstance(servers, list):  # Continue, LibreChat lists: servers with names
                for index, config in enumerate(servers):
                    label = config.get("name") if isinstance(config, dict) else None
                    if isinstance(config, dict) and isinstance(label, str):
                        yield from self._server(root, label, (*root, index), config)
        yield from self._inputs()
        yield from self._extension_settings()

    def _inputs(self) -> Iterator[Identity]:
        """Each prompted input once, at its `id` line, consumed by every server using it."""
        for input_id, (index, spec) in self.inputs.items():
            users = self.input_users.get(input_id, [])
            if spec.get("password") is True or secrets.is_credential_name(input_id) or users:
                route = (*self.inputs_route, index)
                yield self._credential(
                    input_id,
                    (*route, "id") if "id" in spec else route,
                    f"inputs/{input_id}",
                    users[0] if users else None,
                    {"placement": "input", "value_source": "input"},
                    users,
                )

    def _extension_settings(self) -> Iterator[Identity]:
        """Gemini CLI extensions prompt for `settings[].envVar` at install and store them."""
        settings = self.document.get("settings")
        if self.client != "gemini" or not isinstance(settings, list):
            return
        for index, item in enumerate(settings):
            variable = item.get("envVar") if isinstance(item, dict) else None
            if (
                isinstance(item, dict)
                and isinstance(variable, str)
                and (item.get("sensitive") is True or secrets.is_credential_name(variable))
            ):
                users = [str(name) for name in self._server_names()]
                yield self._credential(
                    variable, ("settings", index, "envVar"), f"settings/{variable}",
                    users[0] if users else None,
                    {"placement": "env", "value_source": "input", "ref": variable}, users,
                )  # fmt: skip

    def _server_names(self) -> list[str]:
        servers = mcp_clients.at(self.document, ("mcpServers",))
        return list(servers) if isinstance(servers, dict) else []

    def _server(
        self, root: mcp_clients.Route, name: str, route: JSONPath, config: Mapping[str, JSON]
    ) -> Iterator[Identity]:
        if secrets.secret_in(name):  # a token as the server's name: never a name or pointer (#16)
            name = f"line-{self.locate(route)[0]}"
        base = "/".join((*root, name))
        found = _deduplicate(list(self._credentials(base, name, route, config)), config)
        line, end = self.locate(route)
        prompted = any(name in users for users in self.input_users.values())
        attributes = {**_launch(self.client, config),
                      "receives_credentials": bool(found) or prompted}  # fmt: skip
        if self.sample:
            attributes["sample"] = "true"
        yield Identity(
            scanner="mcp", kind="mcp_server", category=Category.IDENTITY, name=name,
            path=self.path, line=line, end_line=end, pointer=base, anchor_line=line,
            attributes=attributes,
        )  # fmt: skip
        yield from found

    def _credentials(
        self, base: str, server: str, route: JSONPath, config: Mapping[str, JSON]
    ) -> Iterator[Identity]:
        command = config.get("command")
        if isinstance(command, dict):  # Zed's older shape: {"command": {"path", "args", "env"}}
            inner = {**command, "command": command.get("path")}
            yield from self._credentials(base, server, (*route, "command"), inner)
            config = {key: value for key, value in config.items() if key != "command"}
        for field in ("env", "environment", "envs"):  # `envs`: Goose
            yield from self._pairs(base, server, route, config, field, "env")
        for field in ("headers", "http_headers", "requestInit"):
            yield from self._pairs(base, server, route, config, field, "header")
        yield from self._args(base, server, route, config)
        for field in ("url", "serverUrl", "httpUrl"):
            if isinstance(config.get(field), str):
                yield from self._query(base, server, (*route, field), str(config[field]))
        if isinstance(config.get("envFile"), str):
            yield self._credential(
                str(config["envFile"]),
                (*route, "envFile"),
                f"{base}/envFile",
                server,
                {"placement": "env_file", "value_source": "env_file"},
            )
        yield from self._codex(base, server, route, config)
        yield from self._named(base, server, route, config)

    def _named(
        self, base: str, server: str, route: JSONPath, config: Mapping[str, JSON]
    ) -> Iterator[Identity]:
        """Variables named, not valued: Codex `env_vars` (passed through from the environment)
        and Goose `env_keys` (kept in the system keyring)."""
        for field, source in (("env_vars", "env_ref"), ("env_keys", "secret_ref")):
            names = config.get(field)
            for index, variable in enumerate(names if isinstance(names, list) else []):
                if isinstance(variable, str) and secrets.is_credential_name(variable):
                    yield self._credential(
                        variable, (*route, field, index), f"{base}/{field}/{variable}", server,
                        {"placement": "env", "value_source": source, "ref": variable},
                    )  # fmt: skip

    def _pairs(
        self,
        base: str,
        server: str,
        route: JSONPath,
        config: Mapping[str, JSON],
        field: str,
        placement: str,
    ) -> Iterator[Identity]:
        pairs = config.get(field)
        if not isinstance(pairs, dict):
            return
        for key, value in pairs.items():
            text = value if isinstance(value, str) else ""
            kind, ref = _reference(text)
            if kind == "input" and str(ref) in self.inputs:  # counted once, at the input
                if secrets.is_credential_name(key) or self._secret_reference(text):
                    users = self.input_users.setdefault(str(ref), [])
                    users.extend([server] if server not in users else [])
                continue
            if not (
                secrets.is_credential_name(key)
                or secrets.secret_in(key)  # a token written as the key (#16)
                or secrets.detect(text)
                or self._secret_reference(text)
            ):
                continue
            yield self._credential(
                key,
                (*route, field, key),
                f"{base}/{field}/{key}",
                server,
                {"placement": placement, **_source(key, text)},
            )

    def _secret_reference(self, text: str) -> bool:
        """A value taken from a secret store or from a prompted password input."""
        kind, ref = _reference(text)
        if kind == "secret_ref":
            return True
        spec = self.inputs.get(str(ref)) if kind == "input" else None
        return spec is not None and spec[1].get("password") is True

    def _args(
        self, base: str, server: str, route: JSONPath, config: Mapping[str, JSON]
    ) -> Iterator[Identity]:
        args = config.get("args")
        if not isinstance(args, list):
            command = config.get("command")
            args = command[1:] if isinstance(command, list) else []  # opencode: one array
            route = (*route, "command")
            offset = 1
        else:
            route = (*route, "args")
            offset = 0
        items = [a if isinstance(a, str) else "" for a in args]
        consumed: set[int] = set()
        for index, arg in enumerate(items):
            if index in consumed:
                continue
            where = (*route, index + offset)
            flag, eq, inline = arg.partition("=")
            if (
                arg.startswith("-")
                and flag not in ("-e", "--env")
                and secrets.is_credential_name(flag.lstrip("-"))
            ):
                value = inline if eq else (items[index + 1] if index + 1 < len(items) else "")
                if not eq and value and not value.startswith("-"):
                    consumed.add(index + 1)
                yield self._credential(
                    flag,
                    where,
                    f"{base}/args/{flag}",
                    server,
                    {"placement": "arg", **_source(flag, value)},
                )
            elif arg in ("-e", "--env") and index + 1 < len(items):
                var, _, value = items[index + 1].partition("=")
                if secrets.is_credential_name(var) or secrets.detect(value):
                    source = (
                        _source(var, value) if value else {"value_source": "env_ref", "ref": var}
                    )
                    yield self._credential(
                        var,
                        (*route, index + 1 + offset),
                        f"{base}/args/-e/{var}",
                        server,
                        {"placement": "arg", **source},
                    )
            elif _DSN.match(arg) or secrets.url_secret(arg):  # `git+https://TOKEN@...` (#16)
                leaked = secrets.url_secret(arg)
                yield self._credential(
                    f"args[{index + offset}]",
                    where,
                    f"{base}/args/{index + offset}",
                    server,
                    {"placement": "arg", **_dsn(arg, _scheme_provider(arg), leaked)},
                )
            elif arg.startswith(("http://", "https://")):
                yield from self._query(base, server, where, arg)

    def _query(self, base: str, server: str, route: JSONPath, url: str) -> Iterator[Identity]:
        if _DSN.match(url):
            yield self._credential(
                "url",
                route,
                f"{base}/url",
                server,
                {"placement": "url", **_dsn(url, secrets.provider_for(server))},
            )
        for key, value in parse_qsl(_query_of(url), keep_blank_values=True):
            if secrets.is_credential_name(key):
                yield self._credential(
                    key,
                    route,
                    f"{base}/url/{key}",
                    server,
                    {"placement": "url", **_source(key, value)},
                )

    def _codex(
        self, base: str, server: str, route: JSONPath, config: Mapping[str, JSON]
    ) -> Iterator[Identity]:
        variable = config.get("bearer_token_env_var")
        if isinstance(variable, str):
            yield self._credential(
                variable,
                (*route, "bearer_token_env_var"),
                f"{base}/bearer_token_env_var",
                server,
                {"placement": "header", "value_source": "env_ref", "ref": variable},
            )
        headers = config.get("env_http_headers")
        if isinstance(headers, dict):
            for header, variable in headers.items():
                yield self._credential(
                    header,
                    (*route, "env_http_headers", header),
                    f"{base}/env_http_headers/{header}",
                    server,
                    {"placement": "header", "value_source": "env_ref", "ref": str(variable)},
                )

    def _credential(
        self,
        name: str,
        route: JSONPath,
        pointer: str,
        server: str | None,
        attributes: dict[str, JSON],
        users: list[str] | None = None,
    ) -> Identity:
        line, end = self.locate(route)
        attributes = {"server": server, **attributes}
        ref = attributes.get("ref")
        leaked = secrets.secret_in(name) or (
            secrets.secret_in(ref) if isinstance(ref, str) else None
        )
        if leaked is not None:  # a value where a name or a variable's name belongs (#16)
            if secrets.secret_in(name):
                neutral = _neutral(route)
                pointer, name = pointer.replace(name, neutral), neutral
            attributes = {key: value for key, value in attributes.items() if key != "ref"}
            attributes.update({"value_source": "literal", "secret_present": True,
                               "detector": leaked.detector})  # fmt: skip
            if leaked.provider is not None:
                attributes["provider"] = leaked.provider
        if self.sample:
            attributes["sample"] = "true"
        if "provider" not in attributes:
            attributes["provider"] = secrets.provider_for(name) or (
                secrets.provider_for(server) if server else None
            )
        consumers = tuple(
            Consumer(kind="mcp_server", ref=f"{self.path}#{user}")
            for user in (users if users is not None else [server] if server else [])
        )
        return Identity(
            scanner="mcp", kind="mcp_credential", category=Category.CREDENTIAL, name=name,
            path=self.path, line=line, end_line=end, pointer=pointer, anchor_line=line,
            attributes=attributes, consumers=consumers,
        )  # fmt: skip


def _neutral(route: JSONPath) -> str:
    """A name for a credential whose written name is a secret: the nearest key that is not."""
    return next(
        (str(p) for p in reversed(route) if isinstance(p, str) and not secrets.secret_in(p)),
        "credential",
    )


def _dsn(url: str, provider: str | None, leaked: secrets.Match | None = None) -> dict[str, JSON]:
    """A URL with a password: a reference (`:${PASSWORD}@`), a placeholder, or a written secret
    (a token as the user, `git+https://TOKEN@...`, names its own detector)."""
    state = secrets.url_password_state(url)
    if state == "reference":
        password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[-1]
        _, ref = _reference(password)
        return {"value_source": "env_ref", "ref": ref, "provider": provider}
    if state == "placeholder":
        return {"value_source": "literal", "value_state": "placeholder", "provider": provider}
    if leaked is not None:
        return {"value_source": "literal", "secret_present": True, "detector": leaked.detector,
                "provider": leaked.provider or provider}  # fmt: skip
    return {"value_source": "literal", "secret_present": True, "detector": "url_with_password",
            "provider": provider}  # fmt: skip


def _deduplicate(found: list[Identity], config: Mapping[str, JSON]) -> list[Identity]:
    """Docker `-e NAME` passes `env.NAME` on: one credential, at the line with its value."""
    env = config.get("env")
    names = set(env) if isinstance(env, dict) else set()
    return [
        c for c in found
        if not (c.pointer.rsplit("/", 2)[-2:-1] == ["-e"] and c.name in names
                and c.attributes.get("value_source") == "env_ref")
    ]  # fmt: skip


def _scheme_provider(url: str) -> str | None:
    return secrets.url_provider(url)


def _reference(value: str) -> tuple[str, str | None]:
    last = value.rfind("}") + 1
    match = _REF.search(value, 0, last) or _BARE_REF.search(value, last)
    if match is None:
        return "literal", None
    if match["input"]:
        return "input", match["input"]
    if match["secret"]:
        return "secret_ref", match["secret"]
    return "env_ref", match["env1"] or match["env2"] or match["env3"] or match["env4"]


def _source(name: str, value: str) -> dict[str, JSON]:
    """Where a credential's value comes from; for literals, whether a real secret is written."""
    kind, ref = _reference(value)
    if kind != "literal":
        return {"value_source": kind, "ref": ref}
    bare = _SCHEME.sub("", value.strip())  # "Bearer <token>": judge the token
    match = secrets.detect(bare)
    present = match is not None or secrets.looks_secret(bare)
    attributes: dict[str, JSON] = {
        "value_source": "literal",
        "value_state": secrets.value_state(value),
    }
    if present:
        attributes["secret_present"] = True
        attributes["detector"] = match.detector if match else "high_entropy"
    attributes["provider"] = (
        _shape_provider(bare)
        or secrets.provider_for(name, match)
        or (_scheme_provider(bare) if "://" in bare else None)
    )
    return attributes


# Token prefixes whose provider differs from the shape secrets.detect() reports (an OpenRouter
# key has an OpenAI key's shape).
_PREFIXES = (("sk-or-", "openrouter"),)


def _shape_provider(value: str) -> str | None:
    return next((provider for prefix, provider in _PREFIXES if value.startswith(prefix)), None)


def _launch(client: str, config: Mapping[str, JSON]) -> dict[str, JSON]:
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
    url = next(
        (config[k] for k in ("url", "serverUrl", "httpUrl") if isinstance(config.get(k), str)), None
    )
    declared = str(config.get("type") or config.get("transport") or "").lower()
    if url is not None:
        attributes["transport"] = "sse" if declared == "sse" else "http"
        attributes["url_host"] = _host_of(str(url))
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


# -- TOML (Codex): tomllib gives values, a line scan gives positions --------------------------

# `[^\]]+` then strip, not `\s*([^\]]+?)\s*\]` (quadratic on `[` and blanks).
_TABLE = re.compile(r"^\s*\[([^\]]+)\]\s*(?:#.*)?$")
_PART = r"(?:\"[^\"]+\"|'[^']+'|[A-Za-z0-9_-]+)"
_KEY = re.compile(rf"^\s*({_PART}(?:[ \t]*\.[ \t]*{_PART})*)[ \t]*=")  # dotted keys too
_INLINE_KEY = re.compile(r"[{,]\s*(\"[^\"]+\"|'[^']+'|[A-Za-z0-9_-]+)\s*=")


def _toml(text: str) -> tuple[JSON, Locate]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise ParseError("invalid TOML", int(line[1]) if line else None) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table (#12)
        raise ParseError("invalid TOML: nested too deeply") from None
    lines = _toml_lines(text)

    def locate(route: JSONPath) -> tuple[int, int]:
        for size in range(len(route), 0, -1):
            found = lines.get(tuple(str(p) for p in route[:size]))
            if found is not None:
                return found, found
        return 1, 1

    return document, locate


def _toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each table header and key, by dotted route (quotes removed)."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(raw)
        if header is not None:
            name = header[1].strip() or header[1][-1:]  # as the lazy regex did
            table = tuple(_unquote(part) for part in _split_dotted(name))
            found.setdefault(table, number)
            continue
        key = _KEY.match(raw)
        if key is not None:
            parts = tuple(_unquote(part) for part in _split_dotted(key[1]))
            for size in range(1, len(parts) + 1):  # `github.env.TOKEN = ...`: each step here
                found.setdefault((*table, *parts[:size]), number)
            route = (*table, *parts)
            for inner in _INLINE_KEY.finditer(raw[key.end() :]):
                found.setdefault((*route, _unquote(inner[1])), number)
    return found


def _split_dotted(name: str) -> list[str]:
    return re.findall(r"\"[^\"]*\"|'[^']*'|[^.\s]+", name)


def _unquote(part: str) -> str:
    return part[1:-1] if part[:1] in "\"'" and part[-1:] == part[:1] else part
