"""Which blamed line introduced a declaration: the creator, not whoever last touched its
first line (issue 20). Pure: blamed lines, the file's text and commit order in; a choice out.

`git blame` names the last commit that changed each line. The first line of a declaration
(`resource "aws_iam_user" "ci" {`, the line an annotation points at) changes for reasons that
do not create anything: a `# tfsec:ignore` comment, a rename kept by a `moved` block. So the
choice looks at every line of the declaration that carries content and at commit order:

* a workflow secret is provisioned where its name first appeared in the file (any job);
* otherwise the first line counts, unless an older commit wrote the rest of the declaration
  and the first line's commit did not introduce the name (`edited` tells, from git);
* lines moved from another file (blame -C) keep the commit that wrote them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from scanner.attribution.blame import Line
from scanner.model import Identity

# A line that carries content: not blank, not only brackets or punctuation, not a comment.
_CONTENT = re.compile(r"[A-Za-z0-9]")
_COMMENT = re.compile(r"^\s*(?:#|//|/\*|\*|<!--)")
_MOVED = re.compile(
    r"moved\s*\{[^{}]*?\bfrom\s*=\s*(?P<from>[\w.\[\]\"-]+)[^{}]*?\bto\s*=\s*(?P<to>[\w.\[\]\"-]+)",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """The line whose commit introduced the declaration, and what was looked past."""

    line: Line | None
    notes: tuple[str, ...] = ()
    looked_past: bool = False  # an edit, a rename or a later reference was not counted
    # The versions before `line`'s commit were read (`edits.walk`): it introduced the
    # declaration, or the notes say why that could not be told.
    walked: bool = False


def content_lines(identity: Identity, text: Sequence[str]) -> list[int]:
    """The lines to blame for `identity`: every line naming a workflow secret, else the
    declaration's lines that carry content (the first line always)."""
    if identity.kind == "workflow_secret":
        named = _secret_reference(identity.name)
        found = [n for n, line in enumerate(text, start=1) if named.search(line)]
        return sorted({identity.anchor_line, *found})
    lines = {identity.anchor_line}
    for number in range(identity.line, min(identity.end_line, len(text)) + 1):
        line = text[number - 1]
        if _CONTENT.search(line) and not _COMMENT.match(line):
            lines.add(number)
    return sorted(lines)


def _secret_reference(name: str) -> re.Pattern[str]:
    """`secrets.NAME` or `secrets['NAME']`; GitHub's secret names ignore case."""
    quoted = re.escape(name)
    return re.compile(
        rf"\bsecrets\s*(?:\.\s*{quoted}\b|\[\s*['\"]{quoted}['\"]\s*\])", re.IGNORECASE
    )


def signature(identity: Identity) -> str:
    """What the declaration's first line names, as a regex: `"type" "name"` for Terraform."""
    address = identity.attributes.get("address")
    if identity.scanner == "terraform" and isinstance(address, str) and "." in address:
        return address_pattern(address)
    return re.escape(identity.name)


def address_pattern(address: str) -> str:
    """The first line of the block a Terraform address names (`module.x.aws_iam_user.ci` ->
    `"aws_iam_user" "ci"`, quotes optional), as a regex."""
    kind, _, name = address.rpartition(".")
    kind = kind.rpartition(".")[2]
    return rf"\"?{re.escape(kind)}\"?\s+\"?{re.escape(name)}\"?"


def renamed_from(identity: Identity, text: str) -> str | None:
    """The old address a `moved` block in this file maps to the identity's address."""
    address = identity.attributes.get("address")
    for match in _MOVED.finditer(text):
        if match["to"].strip('"') == address:
            return match["from"].strip('"')
    return None


def choose(
    identity: Identity,
    lines: Mapping[int, Line],
    wanted: Iterable[int],
    compare: Callable[[Line, Line], int],
    human: Callable[[Line], bool],
    edited: Callable[[Line], str | None],
) -> Choice:
    """The introducing line among `wanted` (see the module docstring).

    `compare` orders two lines by their commits' place in history (negative: the first is
    older); `human` tells a person's line from a bot's; `edited(anchor)` says how the first
    line's commit changed an existing declaration (a note), or None when it introduced it.
    """
    anchor = lines.get(identity.anchor_line)
    candidates = [lines[n] for n in wanted if n in lines and human(lines[n])]
    if not candidates:
        return Choice(line=anchor)
    oldest = min(candidates, key=functools.cmp_to_key(compare))
    if identity.kind == "workflow_secret":
        if anchor is None or oldest.commit.sha == anchor.commit.sha:
            return Choice(line=anchor if anchor is not None else oldest)
        note = (f"first named in this file in {oldest.commit.sha[:7]}; the first reference "
                f"now is a later one ({anchor.commit.sha[:7]})")  # fmt: skip
        return Choice(line=oldest, notes=(note,), looked_past=True)
    if anchor is None or not human(anchor) or compare(oldest, anchor) >= 0:
        return Choice(line=anchor)
    change = edited(anchor)
    if change is None:  # the first line's commit introduced the name: a new declaration
        return Choice(line=anchor)
    return Choice(line=oldest, notes=(change,), looked_past=True)
