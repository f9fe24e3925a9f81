"""Path globs matched in bounded time, whatever the pattern (issue 16, class 5).

Every path pattern in nhi has one meaning, CODEOWNERS' and .gitignore's (`PathPattern`):
CODEOWNERS rules, waiver `paths`, the `path_matches` predicate, and (as `to_regex`) the file
patterns of the scanner tables that discovery uses. A pattern from the scanned repository may
be built to make a backtracking matcher hang: `*a*a*a*a*a*a*b`
against a long path is exponential for `fnmatch` and high-degree polynomial for a translated
regex. Here a pattern becomes a list of steps run as an NFA over the path, one set of
positions per character: O(len(path) * len(pattern)) in the worst case, never worse.
Patterns with at most two wildcards (nearly every real one) run as a compiled regex, which is
faster and at worst quadratic in the path's length.

Wildcards: `*` any run without `/`, `?` one character but `/`, `**` any run, `**/` zero or
more whole folders (so a final `/**` is anything below the folder, never the folder itself, as
in gitignore). An unanchored pattern matches at any depth. `\\` makes the next character
literal (`\\*`, `\\ `, `\\[`); every other character is literal; a newline in a path is an
ordinary character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Steps: a literal character (one character), or one of these (never one character).
ONE = "<?>"  # one character but `/`
STAR = "<*>"  # any run without `/`
ANY = "<**>"  # any run
DIRS = "<**/>"  # empty, or any run that ends with `/`
_LOOPS = frozenset([STAR, ANY, DIRS])
_REGEX = {ONE: "[^/]", STAR: "[^/]*", ANY: ".*", DIRS: "(?:.*/)?"}
_WILDCARDS = {"?": ONE, "*": STAR, "**": ANY, "**/": DIRS}
# An escaped character, a wildcard, or any other character.
_TOKEN = re.compile(r"\\(.)|(\*\*/|\*\*|\*|\?)|(.)", re.DOTALL)
_FAST = 2  # at most this many loops: a regex, whose backtracking is then at most quadratic


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled pattern. `fullmatch` a whole path, or ask whether a parent folder matches."""

    pattern: str
    steps: tuple[str, ...]  # literal characters and the wildcards above
    regex: re.Pattern[str] | None  # the fast path, when it is safe

    def fullmatch(self, path: str) -> bool:
        if self.regex is not None:
            return self.regex.fullmatch(path) is not None
        return _run(self.steps, path, folders=False)

    def matches_folder_of(self, path: str) -> bool:
        """Whether one of the folders holding `path` (`a`, `a/b` for `a/b/c`) matches."""
        if self.regex is not None:
            parts = path.split("/")[:-1]
            return any(self.regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1))
        return _run(self.steps, path, folders=True)


def compile_glob(body: str, *, anchored: bool) -> Glob:
    """Compile a pattern (without the leading and trailing `/` CODEOWNERS strips)."""
    steps = _simplify([*([] if anchored else [DIRS]), *_parts(body)])
    loops = sum(step in _LOOPS for step in steps)
    regex = None
    if loops <= _FAST:
        regex = re.compile("".join(_REGEX.get(s, re.escape(s)) for s in steps), re.DOTALL)
    return Glob(pattern=body, steps=tuple(steps), regex=regex)


def _parts(body: str) -> list[str]:
    steps: list[str] = []
    for token in _TOKEN.finditer(body):
        escaped, wildcard, char = token.groups()
        if wildcard and wildcard.startswith("**") and not _whole(body, token):
            # gitignore: "Other consecutive asterisks are considered regular asterisks" (`a**b`,
            # `/infra/**.tf`): any run within one folder, as `*` is.
            steps.extend([STAR, "/"] if wildcard == "**/" else [STAR])
            continue
        steps.append(_WILDCARDS[wildcard] if wildcard else escaped or char)
    return steps


def _whole(body: str, token: re.Match[str]) -> bool:
    """Whether a `**` (or `**/`) is a whole folder step: it starts the pattern or follows a
    `/`, and `**` without its `/` ends it."""
    start, end = token.span()
    starts = start == 0 or body[start - 1] == "/"
    return starts and (token[2] == "**/" or end == len(body))


def _simplify(steps: list[str]) -> list[str]:
    """Merge neighbouring wildcards that can each match nothing: `**` beside any of them is
    `**`, `**/**/` is `**/`, `**` is `*`. The language is unchanged, and no chain of moves
    that read nothing grows with the pattern."""
    out: list[str] = []
    for step in steps:
        previous = out[-1] if out else None
        if step in _LOOPS and previous in _LOOPS:
            if ANY in (previous, step):
                out[-1] = ANY
                continue
            if step == previous:
                continue
        out.append(step)
    return out


def _closure(steps: tuple[str, ...], states: set[int]) -> set[int]:
    """Add every state reachable without reading a character. State `i` is "before step i";
    `-i - 1` is "inside step i": a DIRS before its `/`."""
    todo = list(states)
    while todo:
        state = todo.pop()
        reached: tuple[int, ...] = ()
        if 0 <= state < len(steps) and steps[state] in _LOOPS:  # each may match nothing
            reached = (state + 1, -state - 1) if steps[state] == DIRS else (state + 1,)
        for other in reached:
            if other not in states:
                states.add(other)
                todo.append(other)
    return states


def _step(steps: tuple[str, ...], states: set[int], char: str) -> set[int]:
    after: set[int] = set()
    for state in states:
        if state < 0:  # inside DIRS: any character, and it ends on a `/`
            after.add(state)
            if char == "/":
                after.add(-state)
        elif state < len(steps):
            step = steps[state]
            if (step == STAR and char != "/") or step == ANY:
                after.add(state)
            elif (step == ONE and char != "/") or step == char:
                after.add(state + 1)
    return _closure(steps, after)


def _run(steps: tuple[str, ...], path: str, *, folders: bool) -> bool:
    """Run the NFA over `path`. With `folders`, accept when the text before a `/` (a folder
    holding the path) is matched; else only the whole path."""
    end = len(steps)
    states = _closure(steps, {0})
    for char in path:
        if folders and char == "/" and end in states:
            return True
        states = _step(steps, states, char)
        if not states:
            return False
    return not folders and end in states


@dataclass(frozen=True, slots=True)
class PathPattern:
    """A path pattern with the semantics of CODEOWNERS and .gitignore, the one meaning every
    pattern in nhi has (CODEOWNERS rules, waiver `paths`, the `path_matches` predicate):

    * a pattern with a `/` at its start or in its middle is anchored to the repository root
      (`infra/*.tf` is `infra/x.tf`, never `team-b/infra/x.tf`); one without matches at any
      depth (`*.tf`, `legacy`);
    * a trailing `/` names folders only, and a matching folder holds everything below it
      (`legacy/` is every file under any `legacy` folder);
    * a pattern that ends in `/*` names a folder's direct children only (`docs/*`, and `/*`
      the files at the root), as GitHub documents for CODEOWNERS; one that ends in `/**`
      everything below the folder (never a file of the folder's name), and `x/**/` is `x/`;
    * `\\` makes the next character literal (`\\ ` a space); `*`, `**` and `?` as in `Glob`.
    """

    pattern: str
    glob: Glob
    folders_only: bool  # a trailing `/`: the pattern names folders, never files
    below: bool  # a matching folder also matches everything below it

    def matches(self, path: str) -> bool:
        if not self.folders_only and self.glob.fullmatch(path):
            return True
        return self.below and self.glob.matches_folder_of(path)


def compile_pattern(pattern: str) -> PathPattern:
    """Compile a CODEOWNERS/.gitignore-style pattern (see `PathPattern`)."""
    folders_only = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    if folders_only and body.endswith("/**"):
        body = body.removesuffix("/**")  # `x/**/`: the folders below x, and so all below x
    return PathPattern(
        pattern=pattern,
        glob=compile_glob(body, anchored=anchored),
        folders_only=folders_only,
        below=folders_only or not (pattern.endswith("/*") or pattern.endswith("/**")),
    )


def unsupported(pattern: str) -> str | None:
    """Why a pattern can match nothing as written (a message), or None: every pattern from a
    person is checked, so a waiver is never silently broader or narrower than its author
    meant."""
    if not pattern.strip().strip("/"):
        return "an empty pattern matches nothing"
    if pattern.startswith("!"):
        return "negation (!) is not supported"
    if any(c in pattern for c in "[]"):
        return "character ranges ([ ]) are not supported"
    if any(c in pattern for c in "{}"):
        return "braces ({a,b}) are not supported: write one pattern for each"
    if "\\" in pattern.replace("\\ ", ""):
        return "\\ escapes only a space (\\ )"
    return None


def to_regex(pattern: str) -> str:
    """A regex source for a file-name pattern of our own tables (scanner `PATTERNS`, MCP
    clients), with the same meaning as `PathPattern`: anchored by a leading or inner `/`,
    otherwise at any depth. Our patterns are trusted, so they may become one combined regex
    (discovery asks every file of a repository)."""
    body = pattern.lstrip("/")
    anchored = pattern.startswith("/") or "/" in body.removeprefix("**/")
    if body.startswith("**/"):
        anchored, body = False, body[3:]
    parts = re.split(r"(\*\*/?|\*|\?)", body)
    regex = "".join(
        {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
        for part in parts
    )
    return regex if anchored else "(?:.*/)?" + regex


def matches(pattern: str, path: str) -> bool:
    """Whether a repository-relative path matches `pattern` (see `PathPattern`)."""
    return _compiled(pattern).matches(path)


_CACHE: dict[str, PathPattern] = {}


def _compiled(pattern: str) -> PathPattern:
    found = _CACHE.get(pattern)
    if found is None:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        found = _CACHE[pattern] = compile_pattern(pattern)
    return found
