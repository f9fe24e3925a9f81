"""The one adapter around python-hcl2 8.x: top-level blocks with exact lines and plain bodies.

python-hcl2 8.1 keeps HCL quotes in values and labels unless told otherwise, adds
`__is_block__`/`__comments__` keys, and its `with_meta` option emits nothing
(shared/reference/conventions.md, section 8). So we parse once to the raw Lark tree, whose
nodes carry `.meta.line`, read block types and labels from it, and serialize a block body
(v7-compatible shape, quotes stripped) only when a scanner asks for it. No other module
imports hcl2 or lark.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import hcl2
from hcl2.transformer import RuleTransformer
from hcl2.utils import SerializationOptions
from lark import Token, Tree
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    VisitError,
)

from scanner.errors import ParseError, TooLarge
from scanner.model import JSON

# Lark's tree costs about 1 KB and 30 µs per token (a 4.9 MB one-line file of 300,000 map
# entries peaked at 640 MB and passed 10 s; the line count does not matter). The largest real
# files hold a few tens of thousands of tokens. Counted first, by a linear regex that stops at
# the limit: each word and each punctuation character is one.
MAX_TOKENS = 200_000
_TOKEN = re.compile(r"[\w.\-]+|[^\w\s]")

_OPTIONS = SerializationOptions(
    with_comments=False,
    explicit_blocks=False,
    strip_string_quotes=True,
    preserve_heredocs=False,
)


class Block:
    """A top-level block (`resource "type" "name" { ... }`), its lines, and its body on demand."""

    __slots__ = ("_tree", "end_line", "labels", "line", "type")

    def __init__(self, tree: Tree[Any]) -> None:
        head = [child for child in tree.children if isinstance(child, Tree)]
        self._tree = tree
        self.type = _label(head[0])
        self.labels = tuple(_label(node) for node in head[1:] if node.data != "body")
        self.line: int = tree.meta.line
        self.end_line: int = tree.meta.end_line

    def body(self) -> dict[str, JSON]:
        """The block's attributes and nested blocks, as plain values (expressions as `${...}`)."""
        try:
            rule = RuleTransformer(discard_new_line_or_comments=True).transform(self._tree)
            value = rule.serialize(options=_OPTIONS)
        except RecursionError:
            raise ParseError("invalid HCL: nested too deeply", self.line) from None
        except VisitError as error:  # lark wraps what the transformer raised, recursion too
            if isinstance(error.orig_exc, RecursionError):
                raise ParseError("invalid HCL: nested too deeply", self.line) from None
            raise ParseError(f"invalid HCL block: {type(error.orig_exc).__name__}", self.line) \
                from None  # fmt: skip
        except (LarkError, ValueError, TypeError) as error:  # pragma: no cover - parsed already
            raise ParseError(f"invalid HCL block: {type(error).__name__}", self.line) from None
        for _ in self.labels:
            value = next(iter(value.values()))
        return cast(dict[str, JSON], value)


def warm() -> None:
    """Build python-hcl2's parser now, not inside the first file's time limit: 2.6 s when its
    grammar cache is not written yet (every fresh environment), 0.3 s when it is (#21)."""
    hcl2.parses_to_tree("a = 1\n")


def blocks(text: str) -> Iterator[Block]:
    """The top-level blocks of an HCL file, in order. Raises ParseError on bad syntax, and
    TooLarge (before parsing) past MAX_TOKENS."""
    for count, _ in enumerate(_TOKEN.finditer(text), start=1):
        if count > MAX_TOKENS:
            raise TooLarge(f"not parsed: more than {MAX_TOKENS} HCL tokens")
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as error:
        raise ParseError(_describe(error), error.line if error.line > 0 else None) from None
    except (LarkError, RecursionError) as error:  # pragma: no cover - lark's LALR is iterative
        raise ParseError(f"invalid HCL: {type(error).__name__}") from None
    for body in tree.children:
        for node in body.children:
            if isinstance(node, Tree) and node.data == "block":
                yield Block(node)


def _label(node: Tree[Any]) -> str:
    """An identifier or a quoted label, as text (interpolations kept verbatim)."""
    return "".join(
        str(token)
        for token in node.scan_values(lambda t: isinstance(t, Token))
        if token.type not in ("DBLQUOTE",)
    )


def _describe(error: UnexpectedInput) -> str:
    """Lark's own message quotes the offending text, which may be a secret: say where instead."""
    token = getattr(error, "token", None)
    if isinstance(error, UnexpectedEOF) or getattr(token, "type", None) == "$END":
        return "invalid HCL: unexpected end of file"
    what = "character" if isinstance(error, UnexpectedCharacters) else "token"
    return f"invalid HCL: unexpected {what} at line {error.line}, column {error.column}"


def expression(text: str) -> JSON:
    """An HCL expression's value (`{Version = "2012-10-17", ...}`), or None when it is not one.

    Used for the argument of `jsonencode(...)`, which python-hcl2 returns as source text.
    """
    try:
        for block in blocks(f"expression {{\n  value = {text}\n}}\n"):
            return block.body().get("value")
    except ParseError:
        return None
    return None  # pragma: no cover - the wrapper always yields one block
