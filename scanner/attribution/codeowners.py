"""CODEOWNERS with GitHub's semantics exactly (shared/reference/conventions.md, section 1).

Only the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` is used; a file of
3 MB or more is not loaded. The last matching rule wins; a rule with no owners makes a path
explicitly unowned. A line GitHub cannot parse (`!` negation, `[ ]` ranges, a leading `\\#`,
a bad owner token) is skipped whole and reported with its line number. Inline `#` comments
are allowed. Paths are case-sensitive. Patterns follow gitignore, except that a trailing
`/*` matches only the folder's direct children; `\\` makes the next character literal
(`\\ `, `\\[id\\]`: GitHub's own error asks that `[` and `]` be escaped with a `\\`).
Each difference from hmarr/codeowners' pattern table is listed in the README (#20).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from scanner import globs

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024

# Enterprise Managed Users' handles carry an underscore and a short code (@mona_octocorp).
# Old accounts may end in `-`: GitHub kept them when it stopped allowing it (esphome names
# `@tobias-`; apache/arrow-cookbook#37).
_USER = r"@[A-Za-z0-9][A-Za-z0-9_-]*"
_TEAM = r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9_.-]+"
_HANDLE = re.compile(f"^(?:{_TEAM}|{_USER})$")
# `x@y.z`; checked without `[^@]+\.[^@]+`, which backtracks quadratically on `a@....@`.
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]{3,})$")


def _is_owner(token: str) -> bool:
    email = _EMAIL.match(token)
    return bool(_HANDLE.match(token)) or (email is not None and "." in email[1][1:-1])


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One valid CODEOWNERS line."""

    line: int
    pattern: str
    owners: tuple[str, ...]
    path: globs.PathPattern  # matched in bounded time: the pattern comes from the repository

    def matches(self, path: str) -> bool:
        return self.path.matches(path)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """A line GitHub skips, and why."""

    line: int
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeOwners:
    """A parsed CODEOWNERS file."""

    path: str
    rules: tuple[Rule, ...]
    problems: tuple[Problem, ...]

    def match(self, path: str, until: float | None = None) -> Rule | None:
        """The rule that decides `path`'s owners: the last one that matches. Raises TooSlow
        past `until` (a time.monotonic() instant): a 3 MB file holds 100,000 rules."""
        for count, rule in enumerate(reversed(self.rules)):
            if until is not None and count % 256 == 0 and time.monotonic() > until:
                raise TooSlow
            if rule.matches(path):
                return rule
        return None


class TooSlow(Exception):
    """Matching passed its time limit (the scan's deadline or --file-timeout)."""


def parse(text: str, path: str = "CODEOWNERS") -> CodeOwners:
    rules: list[Rule] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.split("\n"), start=1):  # lines as git counts them
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()  # comments, whole-line or inline
        if not line:
            continue
        pattern, *owners = _TOKENS.split(line)  # `\ ` is a space inside a pattern
        problem = _check(pattern, owners)
        if problem:
            problems.append(Problem(line=number, message=problem))
            continue
        rules.append(_rule(number, pattern, tuple(owners)))
    return CodeOwners(path=path, rules=tuple(rules), problems=tuple(problems))


# GitHub reads `\x` as a literal x (`\ `, `\[`), but not a leading `\#` (its docs).
_ESCAPE = "escaping a pattern with \\ is not supported by GitHub; line skipped"
_TOKENS = re.compile(r"(?<!\\)\s+")


def _check(pattern: str, owners: list[str]) -> str:
    if pattern.startswith("!"):
        return "negation (!) is not supported by GitHub; line skipped"
    unescaped = re.sub(r"\\.", "", pattern, flags=re.DOTALL)
    if "[" in unescaped or "]" in unescaped:
        return "character ranges ([ ]) are not supported by GitHub; line skipped"
    if pattern.startswith("\\#"):
        return _ESCAPE
    if unescaped.endswith("\\"):
        return "a pattern cannot end in a lone \\; line skipped"
    for position, owner in enumerate(owners, start=1):
        if not _is_owner(owner):  # not quoted: a hostile file could put a secret there
            return f"owner {position} is not an @user, @org/team or email; line skipped"
    return ""


def _rule(number: int, pattern: str, owners: tuple[str, ...]) -> Rule:
    return Rule(line=number, pattern=pattern, owners=owners, path=globs.compile_pattern(pattern))
