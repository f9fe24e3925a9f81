"""Where an MCP credential's value comes from (a literal, an environment reference, an input,
a DSN's password) and which provider it is for, decided without keeping the value."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from scanner import placeholders, secrets
from scanner.model import JSON, Identity
from scanner.scanners._json import JSONPath

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
_SCHEME = re.compile(r"^(?:Bearer|Basic|Token|token|Bot)\s+")
# An `Authorization` value written inside another value, e.g. the JSON headers Notion's server
# reads from `OPENAPI_MCP_HEADERS` (github.com/makenotion/notion-mcp-server): the scheme, then a
# reference or a token-like word (prose such as "Token of thanks" has neither).
_EMBEDDED_AUTH = re.compile(
    r"(?:^|[\s\"':])(?:Bearer|Basic|Token|Bot)\s+"
    r"(?P<token>\$\{[^}\s]+\}|\$[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~+/=*\-]{8,})"
)


def embedded_auth(value: str) -> str | None:
    """The token (or reference) of an auth scheme written inside a value, if there is one."""
    match = _EMBEDDED_AUTH.search(value)
    return match["token"] if match else None


def neutral(route: JSONPath) -> str:
    """A name for a credential whose written name is a secret: the nearest key that is not."""
    return next(
        (str(p) for p in reversed(route) if isinstance(p, str) and not secrets.secret_in(p)),
        "credential",
    )


def dsn(url: str, provider: str | None, leaked: secrets.Match | None = None) -> dict[str, JSON]:
    """A URL with a password: a reference (`:${PASSWORD}@`), a placeholder, or a written secret
    (a token as the user, `git+https://TOKEN@...`, names its own detector)."""
    state = secrets.url_password_state(url)
    if state == "reference":
        password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[-1]
        _, ref = reference(password)
        return {"value_source": "env_ref", "ref": ref, "provider": provider}
    if state == "placeholder":
        return {"value_source": "literal", "value_state": "placeholder", "provider": provider}
    if leaked is not None:
        return {"value_source": "literal", "secret_present": True, "detector": leaked.detector,
                "provider": leaked.provider or provider}  # fmt: skip
    return {"value_source": "literal", "secret_present": True, "detector": "url_with_password",
            "provider": provider}  # fmt: skip


def deduplicate(found: list[Identity], config: Mapping[str, JSON]) -> list[Identity]:
    """Docker `-e NAME` passes `env.NAME` on: one credential, at the line with its value."""
    env = config.get("env")
    names = set(env) if isinstance(env, dict) else set()
    return [
        c for c in found
        if not (c.pointer.rsplit("/", 2)[-2:-1] == ["-e"] and c.name in names
                and c.attributes.get("value_source") == "env_ref")
    ]  # fmt: skip


def scheme_provider(url: str) -> str | None:
    return secrets.url_provider(url)


# A database's or broker's URL (`DATABASE_URL`, `MONGODB_URI`, `REDIS_URL`): its userinfo holds
# the password (devcenter.heroku.com/articles/heroku-postgresql, MongoDB's connection string
# URI), so one taken from the environment hands the server a credential. A literal one is a
# credential only when it writes a password (`secrets.detect` judges it).
_CONNECTION_URL = re.compile(
    r"(?i)(?:^|_)(?:database|db|postgres(?:ql)?|pg|mysql|mariadb|mongo(?:db)?|redis|"
    r"rabbitmq|amqp|neo4j|clickhouse|cockroach(?:db)?)_ur[il]$"
)


def connection_reference(name: str, value: str) -> bool:
    """A database or broker URL the server takes from the environment or a secret store."""
    return bool(_CONNECTION_URL.search(name)) and reference(value)[0] != "literal"


def reference(value: str) -> tuple[str, str | None]:
    last = value.rfind("}") + 1
    match = _REF.search(value, 0, last) or _BARE_REF.search(value, last)
    if match is None:
        return "literal", None
    if match["input"]:
        return "input", match["input"]
    if match["secret"]:
        return "secret_ref", match["secret"]
    return "env_ref", match["env1"] or match["env2"] or match["env3"] or match["env4"]


def source(name: str, value: str, live: bool = False) -> dict[str, JSON]:
    """Where a credential's value comes from; for literals, whether a real secret is written.
    `live`: the value is in the config a client reads (not a manifest's default or example),
    so any literal under a credential name is in use as written (`committed_default`)."""
    kind, ref = reference(value)
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
    elif _REDACTED.fullmatch(bare):  # `hidden`, `<redacted>`: the value was taken out
        attributes["value_state"] = "placeholder"
    elif (
        live
        and attributes["value_state"] == "literal"
        and secrets.is_credential_name(name)
        and not placeholders.is_switch(bare)
        and "://" not in bare  # a URL is a credential by its password (`dsn`), not its name
    ):  # `ODOO_PASSWORD: "Welcome2024"` in the config the client reads: weak, in use as written
        attributes.update(secret_present=True, detector="committed_default")
    attributes["provider"] = (
        shape_provider(bare)
        or secrets.provider_for(name, match)
        or (scheme_provider(bare) if "://" in bare else None)
    )
    return attributes


# A value someone took out before committing: a word saying so, alone or in brackets.
_REDACTED = re.compile(r"(?i)[\[<({*]*\s*(?:hidden|redacted|removed|masked|omitted|censored|"
                       r"obfuscated|scrubbed|sanitized)\s*[\]>)}*]*")  # fmt: skip


# Token prefixes whose provider differs from the shape secrets.detect() reports (an OpenRouter
# key has an OpenAI key's shape).
_PREFIXES = (("sk-or-", "openrouter"),)


def shape_provider(value: str) -> str | None:
    return next((provider for prefix, provider in _PREFIXES if value.startswith(prefix)), None)


def by_name(
    route: JSONPath, config: Mapping[str, JSON]
) -> Iterator[tuple[str, JSONPath, str, dict[str, JSON]]]:
    """Credentials a server is handed by a variable's name, never a value: Claude Code
    `headersHelper` (a command printing the auth headers; `command` when it names no variable),
    Codex
    `bearer_token_env_var` and `env_http_headers`, Codex `env_vars` (passed through from the
    environment) and Goose `env_keys` (kept in the system keyring). `(name, route, pointer
    below the server, attributes)` each."""
    helper = config.get("headersHelper")
    if isinstance(helper, str) and helper.strip():
        # Claude Code runs `headersHelper` for each connection and sends the headers it prints
        # (code.claude.com/docs/en/mcp, dynamic headers): the auth header of a remote server. A
        # variable named in the command line is the credential it reads.
        words = [word.lstrip("$").strip("{}") for word in helper.split()]
        named = next((word for word in words if secrets.is_credential_name(word)), None)
        yield (named or "headersHelper", (*route, "headersHelper"), "headersHelper",
               {"placement": "header", "value_source": "env_ref" if named else "command",
                **({"ref": named} if named else {})})  # fmt: skip
    variable = config.get("bearer_token_env_var")
    if isinstance(variable, str):
        yield (variable, (*route, "bearer_token_env_var"), "bearer_token_env_var",
               {"placement": "header", "value_source": "env_ref", "ref": variable})  # fmt: skip
    headers = config.get("env_http_headers")
    for header, variable in headers.items() if isinstance(headers, dict) else ():
        attributes: dict[str, JSON] = {"placement": "header", "value_source": "env_ref",
                                       "ref": str(variable)}  # fmt: skip
        yield header, (*route, "env_http_headers", header), f"env_http_headers/{header}", attributes
    for field, source in (("env_vars", "env_ref"), ("env_keys", "secret_ref")):
        names = config.get(field)
        for index, variable in enumerate(names if isinstance(names, list) else []):
            if isinstance(variable, str) and secrets.is_credential_name(variable):
                yield (variable, (*route, field, index), f"{field}/{variable}",
                       {"placement": "env", "value_source": source, "ref": variable})  # fmt: skip


# ADO.NET/ODBC sign-in with the account that runs the server (`Trusted_Connection=True`,
# `Integrated Security=SSPI`): the string names a database and holds no secret.
_INTEGRATED = re.compile(r"(?i)(?:^|;)\s*(?:trusted_connection|integrated\s+security)\s*=\s*"
                         r"(?:true|yes|sspi)\s*(?:;|$)")  # fmt: skip
_PASSWORD_PART = re.compile(
    r"(?i)(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*[^;\s]"
)


def integrated(value: str) -> bool:
    """Whether a connection string signs in as the account that runs it, with no password."""
    return bool(_INTEGRATED.search(value)) and not _PASSWORD_PART.search(value)
