"""The one adapter around python-hcl2 8.x: top-level blocks with exact lines and plain bodies.

python-hcl2 8.1 keeps HCL quotes in values and labels unless told otherwise, adds
`__is_block__`/`__comments__` keys, and its `with_meta` option emits nothing
(shared/reference/conventions.md, section 8). So we parse once to the raw Lark tree, whose
nodes carry `.meta.line`, read block types and labels from it, and serialize a block body
(v7-compatible shape, quotes stripped) only when a scanner asks for it. No other module
imports hcl2 or lark.

python-hcl2 rejects some files Terraform accepts (a multi-line traversal whose lines start with
`.`, #19); `recover` then finds each top-level block by a tolerant pass over the text and
parses it alone, so one construct it does not know costs that block, not the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
from scanner.scanners import _hcl_simple

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

    __slots__ = ("_body", "_source", "_tree", "end_line", "labels", "line", "type")

    def __init__(self, tree: Tree[Any], offset: int = 0) -> None:
        head = [child for child in tree.children if isinstance(child, Tree)]
        self._tree: Tree[Any] | None = tree
        self._source: str | None = None
        self._body: dict[str, JSON] | None = None
        self.type = _label(head[0])
        self.labels = tuple(_label(node) for node in head[1:] if node.data != "body")
        self.line: int = tree.meta.line + offset
        self.end_line: int = tree.meta.end_line + offset

    @classmethod
    def header(cls, kind: str, labels: tuple[str, ...], line: int, end_line: int) -> Block:
        """A block whose body could not be parsed: its header only, and an empty body."""
        block = cls.__new__(cls)
        block._tree, block._source, block._body = None, None, None
        block.type, block.labels, block.line, block.end_line = kind, labels, line, end_line
        return block

    @classmethod
    def plain(cls, source: str, kind: str, labels: tuple[str, ...], line: int) -> Block | None:
        """A block read without python-hcl2, or None when it is not plain (`_hcl_simple`)."""
        found = _hcl_simple.body(source)
        if found is None:
            return None
        block = cls.header(kind, labels, line, line + source.count("\n"))
        block._body = found
        return block

    @classmethod
    def unread(cls, source: str, kind: str, labels: tuple[str, ...], line: int) -> Block:
        """A block not parsed yet: its text, parsed when its body is first asked for."""
        block = cls.header(kind, labels, line, line + source.count("\n"))
        block._source = source
        return block

    def body(self) -> dict[str, JSON]:
        """The block's attributes and nested blocks, as plain values (expressions as `${...}`)."""
        if self._body is not None:
            return self._body
        if self._tree is None and self._source is not None:
            source, self._source = self._source, None
            if (found := _hcl_simple.body(source)) is not None:
                self._body = found
                return found
            if _too_large(source):  # a block read on demand has the same limit
                raise TooLarge(f"not parsed: a block of more than {MAX_TOKENS} HCL tokens",
                               self.line)  # fmt: skip
            try:
                tree = _tree(source + "\n")
            except (LarkError, RecursionError):
                raise ParseError("invalid HCL block", self.line) from None
            self._tree = next(node for body in tree.children for node in body.children
                              if isinstance(node, Tree) and node.data == "block")  # fmt: skip
        if self._tree is None:
            return {}
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


# A `for` object expression broken before its `=>` (`{ for c in x :\n  key\n  => c }`):
# Terraform reads it, python-hcl2 8.1 expects the arrow on the key's line (cloudposse
# terraform-aws-components modules/tgw/hub/remote-state.tf).
_ARROW_AFTER_BREAK = re.compile(r"\n([ \t]*)=>")


def _tree(source: str) -> Tree[Any]:
    """python-hcl2's tree of `source`. Where it wanted a `for` expression's `=>` and met a line
    break, it is asked again with each break before a line-leading `=>` moved after the arrow:
    every line stays where it was. Only a text it refused is changed."""
    try:
        return hcl2.parses_to_tree(source)
    except UnexpectedInput as error:
        if "FOR_OBJECT_ARROW" not in getattr(error, "expected", ()):
            raise
        moved = _ARROW_AFTER_BREAK.sub(r" =>\n\1", source)
        if moved == source:
            raise
        try:
            return hcl2.parses_to_tree(moved)
        except UnexpectedInput:
            raise error from None


def warm() -> None:
    """Build python-hcl2's parser now, not inside the first file's time limit: 2.6 s when its
    grammar cache is not written yet (every fresh environment), 0.3 s when it is (#21)."""
    hcl2.parses_to_tree("a = 1\n")


def blocks(text: str) -> Iterator[Block]:
    """The top-level blocks of an HCL file, in order. Raises ParseError on bad syntax, and
    TooLarge (before parsing) past MAX_TOKENS."""
    _count(text)
    try:
        tree = _tree(text)
    except UnexpectedInput as error:
        raise ParseError(_describe(error), error.line if error.line > 0 else None) from None
    except (LarkError, RecursionError) as error:  # pragma: no cover - lark's LALR is iterative
        raise ParseError(f"invalid HCL: {type(error).__name__}") from None
    for body in tree.children:
        for node in body.children:
            if isinstance(node, Tree) and node.data == "block":
                yield Block(node)


# A top-level block's header on its own line: a type and labels, quoted or not, before `{`.
_HEADER = re.compile(r'[ \t]*([A-Za-z_][\w-]*)((?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*)[ \t]*')
_QUOTED = re.compile(r'[ \t]+"([^"\n]*)"')
_ALL_QUOTED = re.compile(r'(?:[ \t]+"[^"\n]*")+')
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][\w-]*)[ \t]*\r?\n")
_CODE_STOP = re.compile(r'[#/"{}<]')
_STRING_STOP = re.compile(r'[\\"$%\n]')


def recover(text: str) -> list[Block]:
    """The top-level blocks of a file python-hcl2 rejected, each parsed alone. A block it
    rejects too keeps its header (type, lines, labels: all quoted, as Terraform writes a
    resource's, so prose is never taken for one) with an empty body. A block that never
    closes is left out: nothing after its `{` can be trusted."""
    found: list[Block] = []
    counted, line = 0, 1
    for start, opening, closing in _spans(text):
        header = _HEADER.fullmatch(text, start, opening)
        if header is None:
            continue
        line += text.count("\n", counted, start)
        counted = start
        snippet = text[start : closing + 1] + "\n"
        try:
            tree = _tree(snippet)
        except (LarkError, RecursionError):
            if _ALL_QUOTED.fullmatch(header[2]):
                labels = tuple(_QUOTED.findall(header[2]))
                end = line + snippet.count("\n") - 1
                found.append(Block.header(header[1], labels, line, end))
            continue
        found.extend(Block(node, line - 1) for body in tree.children for node in body.children
                     if isinstance(node, Tree) and node.data == "block")  # fmt: skip
    return found


def _spans(text: str) -> Iterator[tuple[int, int, int]]:
    """`(start of its line, opening brace, closing brace)` of each top-level block: braces are
    counted outside strings, heredocs and comments, and `${...}` inside a string nests."""
    stack: list[str] = []  # "{" a brace, '"' a string, "${" a template inside a string
    position, start, opening = 0, 0, 0
    while True:
        inside = bool(stack) and stack[-1] == '"'
        match = (_STRING_STOP if inside else _CODE_STOP).search(text, position)
        if match is None:
            return
        at, char = match.start(), match[0]
        position = at + 1
        if inside:
            position = _in_string(text, at, char, stack)
        elif char == "#" or text.startswith("//", at):
            position = _line_end(text, at)
        elif text.startswith("/*", at):
            close = text.find("*/", at + 2)
            position = len(text) if close < 0 else close + 2
        elif char == '"':
            stack.append('"')
        elif char == "<" and (heredoc := _HEREDOC.match(text, at)) is not None:
            position = _heredoc_end(text, heredoc)
        elif char == "{":
            if not stack:
                start, opening = text.rfind("\n", 0, at) + 1, at
            stack.append("{")
        elif char == "}" and stack:
            stack.pop()
            if not stack:
                yield start, opening, at


def _in_string(text: str, at: int, char: str, stack: list[str]) -> int:
    """Where to go on from a character that matters inside a quoted string."""
    if char in '"\n':  # a quoted string never spans lines: recover at the line's end
        stack.pop()
        return at + 1
    if char == "\\":
        return at + 2
    if text.startswith(("$${", "%%{"), at):
        return at + 3  # an escaped template marker
    if text.startswith(("${", "%{"), at):
        stack.append("${")
        return at + 2
    return at + 1


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _heredoc_end(text: str, heredoc: re.Match[str]) -> int:
    """Just past a heredoc's closing marker (on a line of its own, indentation allowed)."""
    close = re.compile(rf"^[ \t]*{re.escape(heredoc[2])}[ \t]*\r?$", re.MULTILINE)
    found = close.search(text, heredoc.end())
    return len(text) if found is None else found.end()


# Between top-level blocks Terraform allows only blank space and comments.
_GAP = re.compile(r"(?:\s|#[^\n]*+|//[^\n]*+|/\*.*?\*/)*+", re.DOTALL)  # possessive: linear
_LABEL = re.compile(r'"([^"\n\\]*)"|([A-Za-z_][\w-]*)')


def selected_blocks(text: str, wanted: Callable[[str, tuple[str, ...]], bool]) -> Iterator[Block]:
    """`tolerant_blocks(text)`, parsing only the blocks `wanted(type, labels)` selects; the
    others are read when their body is asked for (#21: 40-55% of the bytes python-hcl2 parsed
    were blocks nobody reads). The file is cut at its top-level braces (outside strings,
    heredocs and comments); wherever the cut is not plain (something between blocks that is not
    a comment, a header not on its brace's line, a block left open, a selected block python-hcl2
    rejects), the whole file is parsed as before, with the same errors."""
    big: list[int] = []  # lines of the selected blocks too large to parse
    found = _selected(text, wanted, big)
    if found is None:  # the whole file is parsed: the limit is the file's (`blocks`)
        yield from tolerant_blocks(text)
        return
    yield from found
    if big:  # each block is limited on its own: one huge manifest costs that block only
        raise TooLarge(f"not parsed: {len(big)} block(s) of more than {MAX_TOKENS} HCL tokens, "
                       f"the first at line {big[0]}", big[0])  # fmt: skip


def _count(text: str) -> None:
    if _too_large(text):
        raise TooLarge(f"not parsed: more than {MAX_TOKENS} HCL tokens")


def _selected(
    text: str, wanted: Callable[[str, tuple[str, ...]], bool], big: list[int]
) -> list[Block] | None:
    found: list[Block] = []
    end, line = 0, 1
    for start, opening, closing in _spans(text):
        header = _HEADER.fullmatch(text, start, opening)
        if start < end or header is None or not _GAP.fullmatch(text, end, start):
            return None
        line += text.count("\n", end, start)
        labels = tuple(quoted or bare for quoted, bare in _LABEL.findall(header[2]))
        source = text[start : closing + 1]
        if not wanted(header[1], labels):
            found.append(Block.unread(source, header[1], labels, line))
        elif _too_large(source):
            big.append(line)
            found.append(Block.header(header[1], labels, line, line + source.count("\n")))
        elif (plain := Block.plain(source, header[1], labels, line)) is not None:
            found.append(plain)  # most blocks: no parser at all
        else:
            try:
                tree = _tree(source + "\n")
            except (LarkError, RecursionError):
                return None
            found.extend(Block(node, line - 1) for body in tree.children
                         for node in body.children
                         if isinstance(node, Tree) and node.data == "block")  # fmt: skip
        line += text.count("\n", start, closing + 1)
        end = closing + 1
    return found if _GAP.fullmatch(text, end) else None


def _too_large(source: str) -> bool:
    """Past MAX_TOKENS: counted only when the text could be (a token is one character or more)."""
    return len(source) > MAX_TOKENS and any(
        count > MAX_TOKENS for count, _ in enumerate(_TOKEN.finditer(source), start=1)
    )


def tolerant_blocks(text: str) -> Iterator[Block]:
    """`blocks(text)`; when python-hcl2 rejects the file, the blocks `recover` finds in it and
    then the ParseError, saying the file was only partly understood (never quoting it)."""
    try:
        found = list(blocks(text))
    except TooLarge:
        raise
    except ParseError as error:
        problem = error
    else:
        yield from found
        return
    recovered = recover(text)
    yield from recovered
    if recovered:
        raise ParseError(f"{problem.message}; only partly understood: its blocks were read "
                         "one by one", problem.line)  # fmt: skip
    raise problem


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
