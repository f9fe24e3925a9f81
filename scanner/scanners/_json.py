"""A position-aware JSON and JSONC parser for scanners that need exact lines.

The stdlib parser gives no positions, so scanners that read JSON (`.tf.json`, MCP client
configs) get each value together with a `Spans` table keyed by the value's path (a tuple of
object keys and array indexes). Scanners speak in paths; this module alone counts lines
(zizmor's symbolic -> concrete split). Error messages never quote the input.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import TypeAlias

from scanner.errors import ParseError
from scanner.model import JSON

JSONPath: TypeAlias = tuple[str | int, ...]

MAX_DEPTH = 200  # deeper documents are refused, not recursed into

_WS = re.compile(r"[ \t\n\r]*")
_WS_JSONC = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"', re.DOTALL)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LITERALS: dict[str, JSON] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class Span:
    """Lines of one value: where its key (or the value itself) starts, and where it ends."""

    line: int
    end_line: int


class Spans:
    """Lines of every value in a parsed document, by path."""

    def __init__(self, table: dict[JSONPath, Span]) -> None:
        self._table = table

    def __getitem__(self, path: JSONPath) -> Span:
        return self._table[path]

    def line(self, path: JSONPath) -> int:
        return self._table[path].line


def parse(text: str, *, jsonc: bool = False) -> tuple[JSON, Spans]:
    """Parse `text`; with `jsonc`, allow `//` and `/* */` comments and trailing commas."""
    parser = _Parser(text, jsonc)
    value = parser.document()
    return value, Spans(parser.spans)


class _Parser:
    def __init__(self, text: str, jsonc: bool) -> None:
        self.text = text
        self.jsonc = jsonc
        self.ws = _WS_JSONC if jsonc else _WS
        self.pos = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.spans: dict[JSONPath, Span] = {}

    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def fail(self, reason: str) -> ParseError:
        return ParseError(f"invalid JSON: {reason}", self.line_at(self.pos))

    def skip(self) -> None:
        match = self.ws.match(self.text, self.pos)
        assert match is not None  # both patterns match the empty string
        self.pos = match.end()
        if self.text.startswith("/*", self.pos):
            raise self.fail("unterminated comment")

    def document(self) -> JSON:
        self.skip()
        value = self.value((), self.line_at(self.pos), 0)
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("unexpected content after the document")
        return value

    def value(self, path: JSONPath, line: int, depth: int) -> JSON:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels")
        char = self.text[self.pos : self.pos + 1]
        if char == "{":
            result: JSON = self.object(path, depth)
        elif char == "[":
            result = self.array(path, depth)
        elif char == '"':
            result = self.string()
        else:
            result = self.scalar()
        self.spans[path] = Span(line, self.line_at(max(self.pos - 1, 0)))
        return result

    def object(self, path: JSONPath, depth: int) -> dict[str, JSON]:
        result: dict[str, JSON] = {}
        self.pos += 1
        self.skip()
        while not self.text.startswith("}", self.pos):
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a string key")
            key_line = self.line_at(self.pos)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':' after a key")
            self.pos += 1
            self.skip()
            result[key] = self.value((*path, key), key_line, depth + 1)
            if not self.separator("}"):
                break
        self.close("}")
        return result

    def array(self, path: JSONPath, depth: int) -> list[JSON]:
        result: list[JSON] = []
        self.pos += 1
        self.skip()
        while not self.text.startswith("]", self.pos):
            item_path = (*path, len(result))
            result.append(self.value(item_path, self.line_at(self.pos), depth + 1))
            if not self.separator("]"):
                break
        self.close("]")
        return result

    def separator(self, closer: str) -> bool:
        """Consume a comma; return whether another element follows."""
        self.skip()
        if not self.text.startswith(",", self.pos):
            return False
        self.pos += 1
        self.skip()
        if self.text.startswith(closer, self.pos):
            if not self.jsonc:
                raise self.fail("trailing comma")
            return False
        return True

    def close(self, closer: str) -> None:
        if not self.text.startswith(closer, self.pos):
            raise self.fail(f"expected ',' or '{closer}'")
        self.pos += 1

    def string(self) -> str:
        match = _STRING.match(self.text, self.pos)
        if match is None:
            raise self.fail("unterminated string or control character in string")
        try:
            result: str = json.loads(match.group())
        except json.JSONDecodeError:
            raise self.fail("invalid escape in string") from None
        self.pos = match.end()
        return result

    def scalar(self) -> JSON:
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return literal
        match = _NUMBER.match(self.text, self.pos)
        if match is None or not match.group():
            raise self.fail("expected a value")
        self.pos = match.end()
        number = match.group()
        return float(number) if any(c in number for c in ".eE") else int(number)
