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
# No escape (`\\`, `$${`, `%%{`), no directive (`%{`), and in a template only a plain reference
# (`${var.x}`): the text between the quotes is the value, as python-hcl2 gives it (it rewrites
# other expressions: `${f(a,b)}` becomes `${f(a, b)}`).
_REFERENCE = rf"{_NAME}(?:\.{_NAME}|\[[0-9]+\])*"
_STRING = rf'"(?:[^"\\$%\r\n]|\$\{{{_REFERENCE}\}}|\$(?![{{$])|%(?![%{{]))*"'
_SCALAR = (
    rf"(?P<string>{_STRING})"
    r"|(?P<decimal>(?:0|[1-9][0-9]*)\.[0-9]+)"
    r"|(?P<integer>0|[1-9][0-9]*)"
    r"|(?P<keyword>true|false|null)(?![\w.\[-])"
    rf"|(?P<reference>{_NAME}\.{_REFERENCE})"
)
_SCALARS = re.compile(_SCALAR)
_ANY = "(?:" + re.sub(r"\?P<\w+>", "", _SCALAR) + ")"  # the same, no group: to repeat it
_VALUE = (
    rf"{_SCALAR}"
    rf"|(?P<word>{_NAME})"
    rf"|(?P<items>\[[ \t]*(?:{_ANY}[ \t]*(?:,[ \t]*{_ANY}[ \t]*)*,?[ \t]*)?\])"
    r"|(?P<empty>\{[ \t]*\})"
)
_COMMENT = r"(?:#|//)[^\n]*"
_END = rf"[ \t]*(?:{_COMMENT})?\r?"  # the rest of a line: a comment at most
_ATTRIBUTE = re.compile(rf"[ \t]*({_NAME})[ \t]*=[ \t]*(?:{_VALUE}){_END}")
_OPEN = re.compile(rf"[ \t]*({_NAME})[ \t]*\{{{_END}")
_CLOSE = re.compile(rf"[ \t]*\}}{_END}")
_SKIP = re.compile(_END)
# A list or an object over several lines: `name = [` or `name = {` alone on its line, one
# scalar (or `key = scalar`) on each line after it, and `]` or `}` alone to close it.
_LIST = re.compile(rf"[ \t]*({_NAME})[ \t]*=[ \t]*\[{_END}")
_ITEM = re.compile(rf"[ \t]*(?:{_SCALAR})[ \t]*,?{_END}")
_LIST_END = re.compile(rf"[ \t]*\]{_END}")
_OBJECT = re.compile(rf"[ \t]*({_NAME})[ \t]*=[ \t]*\{{{_END}")
_ENTRY = re.compile(
    rf'[ \t]*(?:({_NAME})|"([^"\\$%\r\n]*)")[ \t]*[=:][ \t]*(?:{_SCALAR})[ \t]*,?{_END}'
)
_KEYWORDS: dict[str, JSON] = {"true": True, "false": False, "null": None}
# Real blocks nest a few levels; a deeper one is python-hcl2's, whose limit says "nested too
# deeply" (tests/hostile), before anything walks a value that deep.
MAX_DEPTH = 32


def body(source: str) -> dict[str, JSON] | None:
    """The body of the block `source` (its header line to its closing brace), or None when a
    line of it is not plain."""
    lines = source.split("\n")
    if len(lines) < 2 or not _CLOSE.fullmatch(lines[-1]) or not lines[0].rstrip().endswith("{"):
        return None
    stack: list[tuple[dict[str, JSON], dict[str, list[JSON]]]] = [({}, {})]
    open_list: list[JSON] | None = None  # the list or object whose lines are being read
    open_object: dict[str, JSON] | None = None
    for line in lines[1:-1]:
        attributes, nested = stack[-1]
        if open_list is not None:
            if (item := _ITEM.fullmatch(line)) is not None:
                open_list.append(_value(item))
            elif _LIST_END.fullmatch(line):
                open_list = None
            elif not _SKIP.fullmatch(line):
                return None
        elif open_object is not None:
            if (entry := _ENTRY.fullmatch(line)) is not None:
                key = entry[1] or entry[2]
                if key in open_object:
                    return None
                open_object[key] = _value(entry)
            elif _CLOSE.fullmatch(line):
                open_object = None
            elif not _SKIP.fullmatch(line):
                return None
        elif (attribute := _ATTRIBUTE.fullmatch(line) or _LIST.fullmatch(line)
              or _OBJECT.fullmatch(line)) is not None:  # fmt: skip
            if attribute[1] in attributes:
                return None  # a repeated name: python-hcl2's to judge
            if attribute.re is _LIST:
                attributes[attribute[1]] = open_list = []
            elif attribute.re is _OBJECT:
                attributes[attribute[1]] = open_object = {}
            else:
                attributes[attribute[1]] = _value(attribute)
        elif (opening := _OPEN.fullmatch(line)) is not None:
            if opening[1] in attributes and opening[1] not in nested:
                return None  # an attribute of the same name
            if len(stack) > MAX_DEPTH:
                return None
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
    done = len(stack) == 1 and open_list is None and open_object is None
    return stack[0][0] if done else None


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
    if kind == "items":
        return [_value(item) for item in _SCALARS.finditer(text)]
    return {}
