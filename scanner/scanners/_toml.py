"""TOML (Codex's config) with positions: tomllib gives the values, a line scan gives the line
of each table header and key, dotted keys included."""

from __future__ import annotations

import re
from collections.abc import Callable

from scanner.errors import ParseError
from scanner.model import JSON
from scanner.scanners._json import JSONPath

Locate = Callable[[JSONPath], tuple[int, int]]

# `[^\]]+` then strip, not `\s*([^\]]+?)\s*\]` (quadratic on `[` and blanks).
_TABLE = re.compile(r"^\s*\[([^\]]+)\]\s*(?:#.*)?$")
_PART = r"(?:\"[^\"]+\"|'[^']+'|[A-Za-z0-9_-]+)"
_KEY = re.compile(rf"^\s*({_PART}(?:[ \t]*\.[ \t]*{_PART})*)[ \t]*=")  # dotted keys too
_INLINE_KEY = re.compile(r"[{,]\s*(\"[^\"]+\"|'[^']+'|[A-Za-z0-9_-]+)\s*=")


def parse(text: str) -> tuple[JSON, Locate]:
    """The document, and a function giving the line of a route (a table header or key)."""
    import tomllib  # only when a TOML config is read: not on every scan's path (#21)

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
    for number, raw in enumerate(text.split("\n"), start=1):  # lines as git counts them
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
