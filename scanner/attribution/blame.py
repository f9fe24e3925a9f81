"""Parse `git blame --porcelain` output into one record per line. Pure; git.py runs git.

Porcelain prints a commit's details only the first time the commit appears, so records share
a per-commit table; `boundary` and `previous` are kept because they decide confidence
(shared/reference/conventions.md, section 2.1). Unknown keys are ignored, as git asks; names
git quotes (`"r\303\264les.tf"`) are unquoted.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from scanner import paths, secrets

UNCOMMITTED = "0" * 40
_HEADER = re.compile(r"^([0-9a-f]{40}) (\d+) (\d+)(?: (\d+))?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit:
    """What blame says about one commit."""

    sha: str
    author: str
    email: str  # lower-case, without <>
    time: int  # author-time, epoch seconds
    summary: str
    boundary: bool  # a root commit, or the edge of a shallow clone

    @property
    def uncommitted(self) -> bool:
        return self.sha == UNCOMMITTED

    @property
    def date(self) -> str:
        return datetime.datetime.fromtimestamp(self.time, datetime.UTC).isoformat()


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One blamed line of the current file."""

    number: int  # in the file as it is now
    commit: Commit
    original_line: int  # in the commit that introduced it
    original_path: str  # the file's name in that commit (renames, moves, copies followed)
    previous: tuple[str, str] | None = None  # (parent commit, path there), when the line changed


def parse(text: str) -> dict[int, Line]:
    """Blamed lines by line number."""
    commits: dict[str, dict[str, str]] = {}
    made: dict[str, Commit] = {}  # one Commit per sha, built when its first entry ends
    lines: dict[int, Line] = {}
    current: dict[str, str] | None = None
    header: re.Match[str] | None = None
    for raw in text.split("\n"):
        if raw.startswith("\t"):  # the line's content ends the entry
            if header is not None and current is not None:
                sha = header[1]
                commit = made.get(sha) or made.setdefault(sha, _commit(sha, commits[sha]))
                lines[int(header[3])] = Line(
                    number=int(header[3]),
                    commit=commit,
                    original_line=int(header[2]),
                    original_path=paths.unquote(current.get("filename", "")),
                    previous=_previous(current.get("previous")),
                )
            header = current = None
            continue
        match = _HEADER.match(raw)
        if match is not None and header is None:
            header = match
            current = commits.setdefault(match[1], {})
            continue
        if current is not None and raw:
            key, _, value = raw.partition(" ")
            current[key] = value
    return lines


def _previous(value: str | None) -> tuple[str, str] | None:
    sha, _, path = (value or "").partition(" ")
    return (sha, paths.unquote(path)) if len(sha) == 40 and path else None


def _commit(sha: str, fields: dict[str, str]) -> Commit:
    return Commit(
        sha=sha,
        author=fields.get("author", ""),
        email=fields.get("author-mail", "").strip("<>").lower(),
        time=_time(fields.get("author-time", "")),
        summary=_summary(fields.get("summary", "")),
        boundary="boundary" in fields,
    )


def _summary(text: str) -> str:
    """A commit's first line, unless a secret is written in it: the evidence quotes summaries,
    and no output may hold a credential's value (#16)."""
    return "(a commit message holding a secret)" if secrets.secret_in(text) else text


def _time(value: str) -> int:
    """Epoch seconds; 0 for what git never writes (not a number, beyond datetime's years)."""
    try:
        seconds = int(value)
        datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    except (ValueError, OverflowError, OSError):  # found by the fuzzer (#12)
        return 0
    return seconds
