"""Credentials written into a workflow as they are: which mappings hand their values to a
program unchanged (`env`, `with`, `credentials`, a reusable call's `secrets`), and what a
credential-like value there is. Never the value itself. `workflows` places the identities."""

from __future__ import annotations

from scanner import placeholders, secrets
from scanner.model import JSON
from scanner.scanners._json import JSONPath

_LITERAL_PARENTS = ("env", "with", "credentials")


def parent(route: JSONPath) -> bool:
    """Whether values under `route` are handed to a program as they are written."""
    if route and route[-1] in _LITERAL_PARENTS:
        return True
    return len(route) == 3 and route[0] == "jobs" and route[2] == "secrets"  # a call's map


def literal(key: str, value: str, route: JSONPath) -> dict[str, JSON] | None:
    """The attributes of a credential written as `key: value`, or None when it is not one."""
    if "${{" in value:
        return None
    match = secrets.detect(value) or secrets.url_secret(value)  # `https://TOKEN@host` (#16)
    named = (secrets.is_credential_name(key) and secrets.value_state(value) == "literal"
             and not placeholders.is_switch(value) and not placeholders.is_mode(value)
             and not secrets.resource_name(value))  # fmt: skip
    if match is None and not named:
        return None
    present = match is not None or secrets.looks_secret(value)
    return {
        "detector": match.detector if match else ("high_entropy" if present else None),
        "provider": secrets.provider_for(key, match),
        "secret_present": present,
        "placement": str(route[-2]),
    }
