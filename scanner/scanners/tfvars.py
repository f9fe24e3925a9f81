"""Terraform variable definition files (`*.tfvars`): the credentials a configuration is given,
and whether their values are committed.

A `.tfvars` file holds only attribute assignments in HCL: `name = value`, values being literal
strings, numbers, lists and maps (`db = { password = "..." }`), heredocs and comments (Terraform
docs, "Variable Definitions (.tfvars) Files"); `terraform.tfvars.json` and `*.auto.tfvars.json`
hold one JSON object of the same variables. Each string (or `null`, a value left unset)
assigned to a credential-named variable or map key is judged as a `.env` value is
(`dotenv.credential`): one `tfvars_credential`, named by its path in the file (`db.password`),
with `value_state`, `secret_present`, `detector` and `provider`; never the value. A heredoc
(`key = <<-EOT`) is one value, from its first line to its terminator. `terraform.tfvars.example`
and the like are samples. HCL is read line by line, not by python-hcl2: a variables file is
flat, and a construct the reader does not follow (a string over several lines) costs that
value only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from scanner.model import JSON, Identity
from scanner.scanners import _json
from scanner.scanners.dotenv import Assignment, credential

PATTERNS = ("*.tfvars", "*.tfvars.json", "*.tfvars.example", "*.tfvars.sample",
            "*.tfvars.template")  # fmt: skip

# `name = `, `"name" = ` or `name: ` (an object's items), then a value to the line's end or a
# comment: a string, `null`, `{` opening an object, or a heredoc's opening.
_NAME = r'^\s*(?:"([^"\\]+)"|([A-Za-z_][\w-]*))\s*[=:]\s*'
_END = r"\s*,?\s*(?:(?:#|//).*)?$"
_STRING = re.compile(_NAME + r'"((?:[^"\\]|\\.)*)"' + _END)
_NULL = re.compile(_NAME + "null" + _END)
_OPEN = re.compile(_NAME + r"\{\s*(?:(?:#|//).*)?$")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)\s*$")
_NAMED_HEREDOC = re.compile(_NAME + r"<<-?([A-Za-z_][\w-]*)\s*$")


def scan(path: str, text: str) -> Iterator[Identity]:
    found = list(_json_strings(text) if path.endswith(".json") else _strings(text))
    others = {a.key: a for _, a in found}
    for shown, assignment in found:
        identity = credential(path, assignment, others, scanner="tfvars",
                              kind="tfvars_credential", shown_as=shown)  # fmt: skip
        if identity is not None:
            yield identity


def _strings(text: str) -> Iterator[tuple[str, Assignment]]:
    """(path in the file, assignment) of each string written on one line, maps followed."""
    scope: list[str] = []
    heredoc: str | None = None
    body: tuple[str, int, list[str]] | None = None  # a named heredoc's key, first line, lines
    comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if heredoc is not None:
            if stripped != heredoc:
                if body is not None:
                    body[2].append(line)
                continue
            heredoc = None
            if body is not None and (value := _unquote_heredoc(body[2])) is not None:
                yield ".".join([*scope, body[0]]), Assignment(body[0], value, body[1], number)
            body = None
            continue
        if comment:
            comment = "*/" not in stripped
            continue
        if stripped.startswith("/*"):
            comment = "*/" not in stripped
            continue
        if (found := _STRING.match(line)) is not None:
            key = found[1] or found[2]
            value = _unquote(found[3])
            if value is not None:
                yield ".".join([*scope, key]), Assignment(key, value, number, number)
        elif (unset := _NULL.match(line)) is not None:
            key = unset[1] or unset[2]
            yield ".".join([*scope, key]), Assignment(key, "", number, number)
        elif (opened := _OPEN.match(line)) is not None:
            scope.append(opened[1] or opened[2])
        elif (named := _NAMED_HEREDOC.match(line)) is not None:
            heredoc, body = named[3], (named[1] or named[2], number, [])
        elif (started := _HEREDOC.search(line)) is not None:
            heredoc = started[1]
        else:
            scope = scope[: max(0, len(scope) - _closing(stripped))]


def _json_strings(text: str) -> Iterator[tuple[str, Assignment]]:
    """(path in the file, assignment) of each string or null of a `.tfvars.json` object."""
    document, spans = _json.parse(text)
    yield from _walk(document, (), spans)


def _walk(
    value: JSON, route: _json.JSONPath, spans: _json.Spans
) -> Iterator[tuple[str, Assignment]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*route, key), spans)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*route, index), spans)
    elif (isinstance(value, str) or value is None) and route and isinstance(route[-1], str):
        span = spans[route]
        key = route[-1]
        assignment = Assignment(key, value or "", span.line, span.end_line)
        yield ".".join(str(part) for part in route), assignment


def _unquote_heredoc(lines: list[str]) -> str | None:
    """A heredoc's text; None for a template (`${...}`, `%{...}`), which is no literal."""
    body = "\n".join(lines)
    return None if _template(body) else body


def _template(body: str) -> bool:
    """Whether HCL text interpolates (`${...}`, `%{...}`; `$${` and `%%{` are literal)."""
    return "${" in body.replace("$${", "") or "%{" in body.replace("%%{", "")


def _closing(line: str) -> int:
    """How many maps a line closes (`}`, `},`), outside strings."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', "", line).count("}") - line.count("{")


def _unquote(body: str) -> str | None:
    """An HCL string's value; None for a template (`${...}`, `%{...}`), which is no literal."""
    if _template(body):
        return None
    try:
        value = json.loads(f'"{body}"')
    except ValueError:
        return body
    return value if isinstance(value, str) else body
