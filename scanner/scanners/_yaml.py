"""YAML with positions, for scanners that need exact lines (workflows, Continue MCP configs).

PyYAML composes a node graph whose marks give lines; we turn it into plain values plus the same
`Spans` table `_json` produces, so scanners speak in paths and never count lines. Mapping keys
are kept as written (YAML 1.1 reads a bare `on:` key as `True`; GitHub Actions means "on").
Aliases are expanded under a node budget, so an alias bomb is refused rather than expanded.
Error messages never quote the input.
"""

from __future__ import annotations

import re

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scanner.errors import ParseError
from scanner.model import JSON
from scanner.scanners._json import JSONPath, Span, Spans

MAX_NODES = 100_000  # values built from one document, aliases counted each time they expand
MAX_DEPTH = 200

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# PyYAML quotes tokens (`','`, `'<block end>'`): those say what went wrong and hold no content.
_TOKEN_NAME = re.compile(r"'(?:[^\w\s'\"]{1,3}|<[a-z ]+>)'")
# GitHub expressions are text to YAML, but `{` in a flow sequence (`runs-on: [ ${{ x }} ]`)
# is not. Each is swapped for a same-length placeholder (lines and columns stay) and put back
# in every scalar; `¤` never starts a placeholder in real text we care about.
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_PLACEHOLDER = re.compile(r"¤(\d+)§*")


# PyYAML breaks lines at NEL, U+2028, U+2029 and a lone CR (and refuses a form feed); git
# counts only LF, and every
# line we report is git's (blame, annotations). Each becomes a space: same length, same lines.
_BREAKS = re.compile("[\x85\u2028\u2029\x0c]|\r(?!\n)")
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML built without libyaml: slow


def parse(text: str) -> tuple[JSON, Spans]:
    """Parse one YAML document. An empty document is None. Raises ParseError."""
    protected, expressions = _protect(_BREAKS.sub(" ", text))
    try:  # libyaml composes the same nodes 8x faster; its errors say less, so a document
        # it refuses is composed again by PyYAML for the reason (and the same messages)
        node = yaml.compose(protected, Loader=_FAST)
    except (yaml.YAMLError, RecursionError):
        node = _compose(protected)
    if node is None:
        return None, Spans({})
    builder = _Builder(expressions)
    value = builder.build(node, (), 0)
    return value, Spans(builder.spans)


def _compose(protected: str) -> Node | None:
    """PyYAML's own composer: what it refuses, it explains (and libyaml's depth limit is not
    ours: a document it refuses for depth alone is composed here)."""
    try:
        return yaml.compose(protected, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise _error(error) from None
    except yaml.YAMLError:
        raise ParseError("invalid YAML") from None
    except RecursionError:
        raise ParseError(f"invalid YAML: nested deeper than {MAX_DEPTH} levels") from None


class _Builder:
    def __init__(self, expressions: list[str]) -> None:
        self.expressions = expressions
        self.spans: dict[JSONPath, Span] = {}
        self.budget = MAX_NODES
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: JSONPath, depth: int, line: int | None = None) -> JSON:
        self.budget -= 1
        if self.budget < 0:
            raise ParseError(f"invalid YAML: more than {MAX_NODES} values (alias expansion?)")
        if depth > MAX_DEPTH:
            raise ParseError(f"invalid YAML: nested deeper than {MAX_DEPTH} levels", _line(node))
        value: JSON
        if isinstance(node, MappingNode):
            value = self.mapping(node, path, depth)
        elif isinstance(node, SequenceNode):
            value = [
                self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)
            ]
        else:
            value = self.scalar(node)
        if path not in self.spans:  # the first occurrence wins for duplicate keys' lines
            start = line if line is not None else _line(node)
            self.spans[path] = Span(start, max(start, self.end_line(node, path, value)))
        return value

    def end_line(self, node: Node, path: JSONPath, value: JSON) -> int:
        """The last line a node occupies.

        A block collection's end mark sits on the next token's line, so its end is its last
        child's end; scalar and flow end marks are exact (column 0 means the line before).
        """
        if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
            last: str | int | None = None
            if isinstance(value, dict) and value:
                last = next(reversed(value))
            elif isinstance(value, list) and value:
                last = len(value) - 1
            child = self.spans.get((*path, last)) if last is not None else None
            if child is not None:
                return child.end_line
        mark = node.end_mark
        return int(mark.line) + (1 if mark.column > 0 else 0)

    def mapping(self, node: MappingNode, path: JSONPath, depth: int) -> dict[str, JSON]:
        result: dict[str, JSON] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`
                merged = self.build(value_node, (*path, "<<"), depth + 1)
                many = isinstance(merged, list)
                for index, part in enumerate(merged if isinstance(merged, list) else [merged]):
                    if not isinstance(part, dict):
                        continue
                    source = (*path, "<<", index) if many else (*path, "<<")
                    for key, value in part.items():
                        if key not in result:  # a merged key is where the anchor wrote it
                            result[key] = value
                            self.alias((*source, key), (*path, key), value)
                continue
            key = (
                self.restore(key_node.value)
                if isinstance(key_node, ScalarNode)
                else str(_line(key_node))
            )
            result[key] = self.build(value_node, (*path, key), depth + 1, _line(key_node))
        return result

    def alias(self, source: JSONPath, path: JSONPath, value: JSON) -> None:
        """Give `path` and everything under it the lines of `source`, where its value was read
        (a key a merge brought in: its line is the anchor's)."""
        span = self.spans.get(source)
        if span is None or path in self.spans:
            return
        self.spans[path] = span
        children = value.items() if isinstance(value, dict) else (
            enumerate(value) if isinstance(value, list) else ())  # fmt: skip
        for key, child in children:
            self.alias((*source, key), (*path, key), child)

    def scalar(self, node: Node) -> JSON:
        if node.tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return str(node.value)
        try:
            value = self.constructor.construct_object(node, deep=False)
        except (ConstructorError, ValueError):
            return self.restore(str(node.value))
        if isinstance(value, str):
            return self.restore(value)
        return value if isinstance(value, int | float | bool) or value is None else str(value)

    def restore(self, value: str) -> str:
        if not self.expressions or "¤" not in value:
            return value
        return _PLACEHOLDER.sub(self._original, value)

    def _original(self, match: re.Match[str]) -> str:
        index = int(match[1])
        return self.expressions[index] if index < len(self.expressions) else match[0]


def _protect(text: str) -> tuple[str, list[str]]:
    """The text with each one-line `${{ }}` expression replaced by a same-length placeholder."""
    if "${{" not in text or "¤" in text:
        return text, []
    expressions: list[str] = []

    def swap(match: re.Match[str]) -> str:
        placeholder = f"¤{len(expressions)}"
        if len(placeholder) > len(match[0]):  # pragma: no cover - needs 10**5 expressions
            return match[0]
        expressions.append(match[0])
        return placeholder.ljust(len(match[0]), "§")

    return _EXPRESSION.sub(swap, text), expressions


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _error(error: yaml.MarkedYAMLError) -> ParseError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "syntax error"
    if problem.startswith("but ") and error.context:  # "expected X" + "but found Y"
        problem = f"{error.context} {problem}"
    problem = _QUOTED.sub(lambda m: m[0] if _TOKEN_NAME.fullmatch(m[0]) else "'...'", problem)
    if mark is None:
        return ParseError(f"invalid YAML: {problem}")
    line = int(mark.line) + 1
    return ParseError(f"invalid YAML: {problem} at line {line}, column {mark.column + 1}", line)
