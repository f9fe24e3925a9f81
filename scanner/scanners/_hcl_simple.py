"""A block body read without python-hcl2, when every line of it is plain (#21).

Lark's parser costs about 30 µs a token, and most blocks real repositories declare are a list
of `name = "literal"` lines: on hashicorp/terraform, 297 of the 414 module blocks the scanner
reads. `body` reads those and only those: each line is an attribute whose value is a string
with no escape or template, a whole number, a decimal, true, false, null, a plain reference
(`var.x`, `module.a.b[0]`), a bare name (`string`), a one-line list of such strings, or `{}`;
a comment; a blank; or a nested block without labels, on lines of its own. Anything else (a
heredoc, a function, an operator, an escape, a repeated name) returns None, and python-hcl2
reads the block as before.
The value is what python-hcl2 gives with `_hcl`'s options, which tests/scanners/test_hcl_simple
checks against python-hcl2 on every block of the golden fixtures.
"""

from __future__ import annotations

import re

from scanner.model import JSON

_NAME = r"[A-Za-z_][\w-]*"
_STRING = r'"[^"\\$%\r\n]*"'  # no escape, no template: the text between the quotes is the value
_VALUE = (
    rf"(?P<string>{_STRING})"
    r"|(?P<integer>0|[1-9][0-9]*)"
    r"|(?P<decimal>(?:0|[1-9][0-9]*)\.[0-9]+)"
    r"|(?P<keyword>true|false|null)(?![\w.\[-])"
    rf"|(?P<reference>{_NAME}\.{_NAME}(?:\.{_NAME}|\[[0-9]+\])*)"
    rf"|(?P<word>{_NAME})"
    rf"|(?P<strings>\[[ \t]*(?:{_STRING}[ \t]*(?:,[ \t]*{_STRING}[ \t]*)*,?[ \t]*)?\])"
    r"|(?P<empty>\{[ \t]*\})"
)
_COMMENT = r"(?:#|//)[^\n]*"
_ATTRIBUTE = re.compile(rf"[ \t]*({_NAME})[ \t]*=[ \t]*(?:{_VALUE})[ \t]*(?:{_COMMENT})?\r?")
_OPEN = re.compile(rf"[ \t]*({_NAME})[ \t]*\{{[ \t]*\r?")
_CLOSE = re.compile(r"[ \t]*\}[ \t]*\r?")
_SKIP = re.compile(rf"[ \t]*(?:{_COMMENT})?\r?")
_QUOTED = re.compile(_STRING)
_KEYWORDS: dict[str, JSON] = {"true": True, "false": False, "null": None}


def body(source: str) -> dict[str, JSON] | None:
    """The body of the block `source` (its header line to its closing brace), or None when a
    line of it is not plain."""
    lines = source.split("\n")
    if len(lines) < 2 or not _CLOSE.fullmatch(lines[-1]) or not lines[0].rstrip().endswith("{"):
        return None
    stack: list[tuple[dict[str, JSON], dict[str, list[JSON]]]] = [({}, {})]
    for line in lines[1:-1]:
        attributes, nested = stack[-1]
        if (attribute := _ATTRIBUTE.fullmatch(line)) is not None:
            if attribute[1] in attributes:
                return None  # a repeated name: python-hcl2's to judge
            attributes[attribute[1]] = _value(attribute)
        elif (opening := _OPEN.fullmatch(line)) is not None:
            if opening[1] in attributes and opening[1] not in nested:
                return None  # an attribute of the same name
            inner: dict[str, JSON] = {}
            blocks = nested.setdefault(opening[1], [])
            blocks.append(inner)
            attributes[opening[1]] = blocks
            stack.append((inner, {}))
        elif _CLOSE.fullmatch(line):
            if len(stack) == 1:
                return None
            stack.pop()
        elif not _SKIP.fullmatch(line):
            return None
    return stack[0][0] if len(stack) == 1 else None


def _value(match: re.Match[str]) -> JSON:
    kind = match.lastgroup
    text = match[kind] if kind is not None else ""
    if kind == "string":
        return text[1:-1]
    if kind == "integer":
        return int(text)
    if kind == "decimal":
        return float(text)
    if kind == "keyword":
        return _KEYWORDS[text]
    if kind == "word":  # a bare name (`type = string`): python-hcl2 gives it as text
        return text
    if kind == "reference":
        return f"${{{text}}}"
    if kind == "strings":
        return [quoted[1:-1] for quoted in _QUOTED.findall(text)]
    return {}
