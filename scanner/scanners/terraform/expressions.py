"""Terraform expression helpers shared by the scanner and lineage (the one module lineage may
import from the Terraform scanner): which attributes hold values, and which block addresses an
expression names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner import secrets

# Attributes that hold a credential's value when one is written into the configuration, in the
# order the scanner tries them for `secret_present`.
SECRET_VALUE_KEYS = ("plaintext_value", "value", "secret_string", "secret_data", "password",
                     "private_key", "api_key", "token", "client_secret", "secret",
                     "plaintext_password", "shared_password", "string_value")  # fmt: skip
# Every attribute whose literal is a value, not a setting: the above plus storage attributes.
VALUE_KEYS = frozenset([*SECRET_VALUE_KEYS, "encrypted_value", "secret_binary", "data",
                        "data_json", "binary_data", "insecure_value", "value_wo",
                        "secret_string_wo"])  # fmt: skip

_INTERPOLATION = re.compile(r"\$\{")
_STRING_BODY = re.compile(r'(?:[^"\\]|\\.)*')
# A block address inside an expression: resource types always hold `_` (`var.x` does not).
_ADDRESS = re.compile(
    r"(?<![\w.])(data\.[a-z][a-z0-9]*_\w+\.[A-Za-z_][\w-]*|module\.[A-Za-z_][\w-]*"
    r"|[a-z][a-z0-9]*_\w+\.[A-Za-z_][\w-]*)"
)


def addresses(text: str) -> Iterator[str]:
    """Addresses named inside the `${...}` parts of a string (quoted text inside is skipped).

    An unclosed `${` runs to the end of the text; the ones after it would each read the rest of
    the text again (quadratic on `$${$${...`), so the first unclosed one is the last read."""
    closing = _closing_braces(text)
    for match in _INTERPOLATION.finditer(text):
        end = closing.get(match.end() - 1)
        expression = _blank_strings(text[match.end() : len(text) - 1 if end is None else end])
        for address in _ADDRESS.findall(expression):
            if not any(secrets.secret_in(part) for part in address.split(".")):  # a token: #16
                yield address
        if end is None:
            return


def _closing_braces(text: str) -> dict[int, int]:
    """Each `{`'s matching `}`, in one pass (scanning from every `${` was quadratic)."""
    found: dict[int, int] = {}
    opened: list[int] = []
    for position, char in enumerate(text):
        if char == "{":
            opened.append(position)
        elif char == "}" and opened:
            found[opened.pop()] = position
    return found


def _blank_strings(text: str) -> str:
    """`"..."` (with escapes) becomes `""`; an unclosed quote stays. Linear: when a string from
    one quote is not closed, no quote it passed over closes one either (issue 16)."""
    out: list[str] = []
    position = 0
    while (start := text.find('"', position)) >= 0:
        end = _STRING_BODY.match(text, start + 1).end()  # type: ignore[union-attr]
        if text[end : end + 1] == '"':
            out.append(text[position:start] + '""')
            position = end + 1
        else:
            out.append(text[position:end])
            position = end
    return "".join(out) + text[position:]


_VARIABLE = re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)")
# What an argument built only from the caller's own inputs is made of: `var.*` and `each.*`
# references (with `.attr` and `[...]` selectors), `count.index`, function names, operators,
# and fallbacks that name nothing (`null`, `""`, `{}`, booleans, numbers), as in a wrapper's
# `try(each.value.name, var.defaults.name, "")`. Anything left over (a non-empty string, a
# local, a resource, a module output) is a value of the call's own.
_FORWARD_PARTS = re.compile(
    r"(?:var|each)(?:\.[\w-]+|\[[^\]]*\])*|count\.index|[A-Za-z_]\w*\s*(?=\()"
    r'|(?<![\w.])(?:null|true|false|\d+(?:\.\d+)?)(?![\w.])|""|\{\s*\}|[\s(),?:!=<>&|+*/%\[\]-]'
)


def strings(value: object) -> Iterator[str]:
    """Every string inside a value (lists and maps walked), in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def variables(value: object) -> Iterator[str]:
    """The input variables (`var.name` -> `name`) read inside the `${...}` parts of a value."""
    for text in strings(value):
        closing = _closing_braces(text)
        for match in _INTERPOLATION.finditer(text):
            end = closing.get(match.end() - 1)
            expression = _blank_strings(text[match.end() : len(text) if end is None else end])
            for name in _VARIABLE.findall(expression):
                if secrets.secret_in(name) is None:
                    yield name
            if end is None:
                break  # an unclosed `${`: the rest of this string is not an expression


def forwarded(value: object) -> bool:
    """Whether a module argument is built only from the caller's own inputs (`var.name`,
    `try(each.value.name, var.defaults.name, null)`): it passes the caller's inputs on and adds
    no value of its own. A literal, a map's keys, a local or any other reference is a value."""
    if value is None:
        return True
    if isinstance(value, list):
        return all(forwarded(item) for item in value)
    if not isinstance(value, str) or not value.startswith("${"):
        return False
    if _closing_braces(value).get(1) != len(value) - 1:
        return False  # `${var.a}-x`: text around the expression
    return not _FORWARD_PARTS.sub("", value[2:-1])
