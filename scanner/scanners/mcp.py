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
from collections.abc import Iterator, Mapping
from urllib.parse import parse_qsl

from scanner import secrets
from scanner.errors import ParseError
from scanner.model import JSON, Category, Consumer, Identity
from scanner.scanners import mcp_clients, mcp_launch, mcp_manifests, mcp_values
from scanner.scanners._json import JSONPath

PATTERNS = (*mcp_clients.PATTERNS, *mcp_manifests.PATTERNS)

_DSN = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)


def scan(path: str, text: str) -> Iterator[Identity]:
    """Yield the servers and credentials of one MCP config file (manifests: `mcp_manifests`).

    A client's own file is parsed; a shared one (`.vscode/settings.json`) or any other only when
    it looks like one, and bad syntax is then reported only in a client's file."""
    manifest = mcp_manifests.scan(path, text)
    if manifest is not None:
        yield from manifest
        return
    client = mcp_clients.client_for(path)
    dedicated = client is not None and client.pattern not in mcp_clients.SHARED
    if not text.strip() or not (dedicated or mcp_clients.sniff(text.encode())):
        return
    syntax = client.syntax if client is not None else mcp_clients.syntax(path)
    try:
        document, locate = mcp_clients.parse(syntax, text)
    except ParseError:
        if client is not None:  # a client's file that names its servers' key, unreadable
            raise
        return
    if not isinstance(document, dict):
        return
    if client is not None:
        roots = mcp_clients.present(client, document)
        name = client.name
        if not roots and client.bare and mcp_clients.bare_map(document):
            roots = ((),)
        elif not roots and client.syntax == "json" and isinstance(document.get("servers"), dict):
            roots = (("servers",),)  # VS Code's shape in another client's file: still handed
    else:
        roots = mcp_clients.content_roots(document)
        name = mcp_clients.guess_client(path, roots)
    sample = mcp_clients.is_sample(path, text)
    yield from _Config(path, name, roots, document, locate, sample).identities()


class _Config:
    def __init__(
        self,
        path: str,
        client: str,
        roots: tuple[mcp_clients.Route, ...],
        document: dict[str, JSON],
        locate: mcp_clients.Locate,
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
                    if isinstance(config, dict) and config.keys() & mcp_clients.LAUNCH_KEYS:
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
        found = mcp_values.deduplicate(list(self._credentials(base, name, route, config)), config)
        line, end = self.locate(route)
        prompted = any(name in users for users in self.input_users.values())
        attributes = {**mcp_launch.launch(self.client, config),
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
        for field in mcp_clients.URL_KEYS:
            if isinstance(config.get(field), str):
                yield from self._query(base, server, (*route, field), str(config[field]))
        if isinstance(config.get("envFile"), str):
            yield self._credential(
                str(config["envFile"]), (*route, "envFile"), f"{base}/envFile", server,
                {"placement": "env_file", "value_source": "env_file"},
            )  # fmt: skip
        for name, where, pointer, attributes in mcp_values.by_name(route, config):
            yield self._credential(name, where, f"{base}/{pointer}", server, attributes)

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
            if self._prompted(key, text, server):
                continue
            named = secrets.is_credential_name(key) and not mcp_values.integrated(text)
            embedded = None if named else mcp_values.embedded_auth(text)
            if not (
                named
                or secrets.keyed_secret(key, text)
                or secrets.secret_in(key)  # a token written as the key (#16)
                or secrets.detect(text)
                or self._secret_reference(text)
                or mcp_values.connection_reference(key, text)
                or embedded is not None
            ):
                continue
            yield self._credential(
                key, (*route, field, key), f"{base}/{field}/{key}", server,
                {"placement": placement, **mcp_values.source(key, embedded or text, True)},
            )  # fmt: skip

    def _prompted(self, key: str, text: str, server: str) -> bool:
        """A declared `${input:id}` is counted once, at the input, wherever the server uses it
        (env, headers, args); the server becomes one of its consumers."""
        kind, ref = mcp_values.reference(text)
        if kind != "input" or str(ref) not in self.inputs:
            return False
        if secrets.is_credential_name(key.lstrip("-")) or self._secret_reference(text):
            users = self.input_users.setdefault(str(ref), [])
            users.extend([server] if server not in users else [])
        return True

    def _secret_reference(self, text: str) -> bool:
        """A value taken from a secret store or from a prompted password input."""
        kind, ref = mcp_values.reference(text)
        if kind == "secret_ref":
            return True
        spec = self.inputs.get(str(ref)) if kind == "input" else None
        return spec is not None and spec[1].get("password") is True

    def _args(
        self, base: str, server: str, route: JSONPath, config: Mapping[str, JSON]
    ) -> Iterator[Identity]:
        given, command = config.get("args"), config.get("command")
        words = [] if isinstance(given, list) or not isinstance(command, str) else \
            mcp_launch.command_line(command)  # fmt: skip
        whole = bool(words)  # a whole command line as the command: found at its line
        args: list[JSON] = given if isinstance(given, list) else []
        if isinstance(given, list):
            route, offset = (*route, "args"), 0
        else:  # opencode's one array, or the words of that command line
            args = list(command) if isinstance(command, list) else list(words)
            args, route, offset = args[1:], (*route, "command"), 1

        def at(index: int) -> JSONPath:
            return route if whole else (*route, index + offset)

        items = [a if isinstance(a, str) else "" for a in args]
        consumed: set[int] = set()
        for index, arg in enumerate(items):
            if index in consumed:
                continue
            where = at(index)
            flag, eq, inline = arg.partition("=")
            if (
                arg.startswith("-")
                and flag not in ("-e", "--env")
                and secrets.is_credential_name(flag.lstrip("-"))
            ):
                value = inline if eq else (items[index + 1] if index + 1 < len(items) else "")
                if not eq and value and not value.startswith("-"):
                    consumed.add(index + 1)
                if self._prompted(flag, value, server):
                    continue
                yield self._credential(
                    flag,
                    where,
                    f"{base}/args/{flag}",
                    server,
                    {"placement": "arg", **mcp_values.source(flag, value, True)},
                )
            elif arg in ("-e", "--env") and index + 1 < len(items):
                var, _, value = items[index + 1].partition("=")
                if self._prompted(var, value, server):
                    continue
                if secrets.is_credential_name(var) or secrets.detect(value):
                    source = (
                        mcp_values.source(var, value, True)
                        if value
                        else {"value_source": "env_ref", "ref": var}
                    )
                    yield self._credential(
                        var,
                        at(index + 1),
                        f"{base}/args/-e/{var}",
                        server,
                        {"placement": "arg", **source},
                    )
            elif flag in ("--header", "-H") and (eq or index + 1 < len(items)):
                # mcp-remote and other proxies: `--header "Authorization: Bearer ${TOKEN}"`
                header, _, value = (inline if eq else items[index + 1]).partition(":")
                header, value = header.strip(), value.strip()
                consumed.add(index + 1) if not eq else None
                if self._prompted(header, value, server):
                    continue
                if secrets.is_credential_name(header) or secrets.detect(value):
                    yield self._credential(
                        header, at(index + (0 if eq else 1)),
                        f"{base}/args/--header/{header}", server,
                        {"placement": "header", **mcp_values.source(header, value, True)},
                    )  # fmt: skip
            elif flag == "--env-file" and (eq or index + 1 < len(items)):
                consumed.add(index + 1) if not eq else None  # docker, uv, node: a file of values
                yield self._credential(
                    inline if eq else items[index + 1], at(index + (0 if eq else 1)),
                    f"{base}/args/--env-file", server,
                    {"placement": "env_file", "value_source": "env_file"},
                )  # fmt: skip
            elif _DSN.match(arg) or secrets.url_secret(arg):  # `git+https://TOKEN@...` (#16)
                leaked = secrets.url_secret(arg)
                yield self._credential(
                    f"args[{index + offset}]",
                    where,
                    f"{base}/args/{index + offset}",
                    server,
                    {
                        "placement": "arg",
                        **mcp_values.dsn(arg, mcp_values.scheme_provider(arg), leaked),
                    },
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
                {"placement": "url", **mcp_values.dsn(url, secrets.provider_for(server))},
            )
        for key, value in parse_qsl(mcp_launch.query_of(url), keep_blank_values=True):
            if secrets.is_credential_name(key):
                yield self._credential(
                    key,
                    route,
                    f"{base}/url/{key}",
                    server,
                    {"placement": "url", **mcp_values.source(key, value, True)},
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
                neutral = mcp_values.neutral(route)
                pointer, name = pointer.replace(name, neutral), neutral
            attributes = {key: value for key, value in attributes.items() if key != "ref"}
            attributes.update({"value_source": "literal", "secret_present": True,
                               "detector": leaked.detector})  # fmt: skip
            if leaked.provider is not None:
                attributes["provider"] = leaked.provider
        if self.sample:
            attributes["sample"] = "true"
            if attributes.get("detector") == "committed_default":  # an example's password
                attributes = {k: v for k, v in attributes.items()
                              if k not in ("secret_present", "detector")}  # fmt: skip
        if not attributes.get("provider"):  # a literal of no known shape: the server's
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
