"""Terraform variable definition files (`*.tfvars`): the credentials a configuration is given,
and whether their values are committed.

A `.tfvars` file holds only attribute assignments in HCL: `name = value`, values being literal
strings, numbers, lists and maps (`db = { password = "..." }`), heredocs and comments (Terraform
docs, "Variable Definitions (.tfvars) Files"). Each string assigned to a credential-named
variable or map key is judged as a `.env` value is (`dotenv.credential`): one
`tfvars_credential`, named by its path in the file (`db.password`), with `value_state`,
`secret_present`, `detector` and `provider`; never the value. `terraform.tfvars.example` and
the like are samples. Read line by line, not by python-hcl2: a variables file is flat, and a
construct the reader does not follow (a value over several lines) costs that value only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from scanner.model import Identity
from scanner.scanners.dotenv import Assignment, credential

PATTERNS = ("*.tfvars", "*.tfvars.example", "*.tfvars.sample", "*.tfvars.template")

# `name = "value"`, `"name" = "value"` or `name: "value"` (an object's items), to the line's end
# or a comment.
_STRING = re.compile(
    r'^\s*(?:"([^"\\]+)"|([A-Za-z_][\w-]*))\s*[=:]\s*"((?:[^"\\]|\\.)*)"\s*,?\s*(?:(?:#|//).*)?$'
)
_OPEN = re.compile(r'^\s*(?:"([^"\\]+)"|([A-Za-z_][\w-]*))\s*[=:]\s*\{\s*(?:(?:#|//).*)?$')
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)\s*$")


def scan(path: str, text: str) -> Iterator[Identity]:
    found = list(_strings(text))
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
    comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if heredoc is not None:
            heredoc = None if stripped == heredoc else heredoc
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
        elif (opened := _OPEN.match(line)) is not None:
            scope.append(opened[1] or opened[2])
        elif (started := _HEREDOC.search(line)) is not None:
            heredoc = started[1]
        else:
            scope = scope[: max(0, len(scope) - _closing(stripped))]


def _closing(line: str) -> int:
    """How many maps a line closes (`}`, `},`), outside strings."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', "", line).count("}") - line.count("{")


def _unquote(body: str) -> str | None:
    """An HCL string's value; None for a template (`${...}`, `%{...}`), which is no literal."""
    if "${" in body.replace("$${", "") or "%{" in body.replace("%%{", ""):
        return None
    try:
        value = json.loads(f'"{body}"')
    except ValueError:
        return body
    return value if isinstance(value, str) else body
