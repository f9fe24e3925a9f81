"""Attribution: who provisioned each identity (git history) and who owns it (CODEOWNERS).

One `git blame` per file covers every identity in it (all `-L` ranges in one call), files in
parallel on a bounded thread pool. Whitespace-only changes never count (-w), renames are
followed, `.mailmap` applies (git does both), `.git-blame-ignore-revs` is honoured, bots are
never provisioners (their commits are ignored and blame looks past them), lines not committed
yet belong to the configured git identity, and a shallow clone's boundary is never presented
as a confident author. Confidence: `high` (a human commit introduced the line), `medium` (we
looked past a bot or an ignored revision), `low` (an ignored revision that git could not place
elsewhere), `unknown` (history is missing: a shallow clone; or git blame failed, which is also
an `errors` entry). `.git-blame-ignore-revs` is read like any scanned file (issue 16).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scanner import git, reading
from scanner.attribution import blame, codeowners, provenance
from scanner.attribution.blame import Commit, Line
from scanner.errors import ParseError
from scanner.model import (
    Attributed,
    Attribution,
    Author,
    Confidence,
    Identity,
    Provisioner,
    ScanError,
)

IGNORE_REVS = ".git-blame-ignore-revs"
MAX_TEXT = 5_000_000  # files larger than the scan's own cap are blamed without their text
MAX_IGNORE_REVS_BYTES = 1024 * 1024
_HEX = re.compile(r"[0-9a-f]{4,64}")
BOTS = (
    r"\[bot\]", r"^dependabot", r"^renovate", r"^github-actions", r"^mergify",
    r"^snyk-bot", r"^pre-commit-ci", r"noreply@github\.com$",  # web-flow: GitHub's web UI
    r"^action@github\.com$",  # "GitHub Action", the address workflows commit as
    r"^copilot$", r"\+copilot@users\.noreply\.github\.com$",  # the Copilot coding agent
)  # fmt: skip
_TRAILER_LINE = re.compile(r"^[A-Za-z0-9-]+:\s")
_CO_AUTHOR = re.compile(r"^Co-authored-by:\s*(.+?)\s*$", re.IGNORECASE)


class BlameCache(Protocol):
    """Where blame outputs are kept between runs (scanner.pipeline.cache.Cache)."""

    def get_text(self, key: str) -> str | None: ...

    def put_text(self, key: str, value: str) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    bot_patterns: tuple[str, ...] = ()  # extra regexes on author name or email
    workers: int = 0  # 0: twice the cores, at most 8
    cache: BlameCache | None = None
    blobs: Mapping[str, str] = field(default_factory=dict)  # clean files' blob ids
    deadline: float | None = None  # time.monotonic() instant: no blame or matching after it
    deadline_seconds: float | None = None  # the --deadline it came from, for messages
    match_timeout: float | None = None  # seconds for all CODEOWNERS matching (--file-timeout)


@dataclass(frozen=True, slots=True, kw_only=True)
class History:
    """Blame results for one file, and what we looked past to get them."""

    lines: Mapping[int, Line]
    first: Mapping[int, Line]  # before bot commits were ignored
    unignored: Mapping[int, Line] | None  # without .git-blame-ignore-revs (when it exists)
    ignored: frozenset[str]  # revisions listed in .git-blame-ignore-revs
    bots: frozenset[str]  # bot commits we looked past
    error: str | None = None

    @property
    def failed(self) -> str | None:
        """Why blame failed, unless only because the file is not committed yet."""
        new = self.error is not None and ("no such path" in self.error or "HEAD" in self.error)
        return None if new else self.error


@dataclass(frozen=True, slots=True, kw_only=True)
class Repo:
    """What attribution needs to know about the repository, read once."""

    root: Path
    in_git: bool
    shallow: frozenset[str] = frozenset()
    me: tuple[str, str] = ("", "")
    head: str | None = None
    cache: BlameCache | None = None
    blobs: Mapping[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()  # full ids from .git-blame-ignore-revs
    bot: re.Pattern[str] = field(default_factory=lambda: re.compile("|".join(BOTS)))

    def is_bot(self, commit: Commit) -> bool:
        return bool(self.bot.search(commit.author.lower()) or self.bot.search(commit.email))

    def ancestor(self, older: str, newer: str) -> bool:
        """Whether `older` is an ancestor of `newer` (memoised: asked only on ties)."""
        return _ancestor(self.root, older, newer)


def attribute(
    root: Path, identities: Sequence[Identity], in_git: bool, options: Options | None = None
) -> tuple[tuple[Attributed, ...], tuple[ScanError, ...]]:
    """Attribute every identity; CODEOWNERS problems come back as scan errors."""
    options = options or Options()
    owners, errors = load_codeowners(root)
    repo, revs_errors = describe(root, in_git, options)
    rules, unmatched = _owner_rules(owners, identities, options)
    if not in_git:
        subjects = tuple(
            Attributed(identity=i, attribution=_attribution(repo, i, None, owners, rules, {}, None))
            for i in identities
        )
        return subjects, (*errors, *unmatched)
    texts = _texts(repo, identities)
    wanted = {i.id: provenance.content_lines(i, texts.get(i.path, [])) for i in identities}
    histories = blame_all(repo, identities, options, wanted)
    failures = tuple(
        ScanError(path=path, line=None, message=f"not attributed: {past.failed}")
        for path, past in sorted(histories.items())
        if past.failed is not None and past.error != _NOT_BLAMED
    )
    errors = (*errors, *revs_errors, *failures)
    details = git.commit_details(root, _commits(histories))
    choices = {
        i.id: _choose(repo, i, histories.get(i.path), wanted[i.id], details, texts)
        for i in identities
    }
    subjects = tuple(
        Attributed(
            identity=identity,
            attribution=_attribution(
                repo,
                identity,
                histories.get(identity.path),
                owners,
                rules,
                details,
                choices[identity.id],
            ),
        )
        for identity in identities
    )
    late = tuple(
        ScanError(path=path, line=None, message=f"{_NOT_BLAMED}: {_deadline(options)}")
        for path, past in sorted(histories.items())
        if past.error == _NOT_BLAMED
    )
    return subjects, (*errors, *unmatched, *late)


_NOT_BLAMED = "not attributed (no git blame)"


def _deadline(options: Options) -> str:
    return f"the scan's deadline ({options.deadline_seconds or 0:g} s) passed"


def _owner_rules(
    owners: codeowners.CodeOwners | None, identities: Sequence[Identity], options: Options
) -> tuple[dict[str, codeowners.Rule | None], tuple[ScanError, ...]]:
    """The deciding CODEOWNERS rule of each path, within --file-timeout and the deadline; past
    them, the remaining paths have no owners and one error entry says so."""
    if owners is None:
        return {}, ()
    limits = [options.deadline] if options.deadline is not None else []
    if options.match_timeout is not None:
        limits.append(time.monotonic() + options.match_timeout)
    until = min(limits, default=None)
    paths = sorted({identity.path for identity in identities})
    rules: dict[str, codeowners.Rule | None] = {}
    try:
        for path in paths:
            rules[path] = owners.match(path, until)
    except codeowners.TooSlow:
        if options.deadline is not None and time.monotonic() > options.deadline:
            reason = _deadline(options)
        else:
            reason = f"matching took longer than {options.match_timeout or 0:g} s"
        message = (
            f"owners not matched for {len(paths) - len(rules)} of {len(paths)} files: {reason}"
        )
        return rules, (ScanError(path=owners.path, line=None, message=message),)
    return rules, ()


@functools.lru_cache(maxsize=4096)
def _ancestor(root: Path, older: str, newer: str) -> bool:
    return git.is_ancestor(root, older, newer)


def _texts(repo: Repo, identities: Iterable[Identity]) -> dict[str, list[str]]:
    """The current text of each file with identities, split as git counts lines (`\\n`)."""
    texts: dict[str, list[str]] = {}
    for path in {i.path for i in identities}:
        try:
            data = reading.read(repo.root, path, MAX_TEXT)
        except ParseError:
            continue  # unreadable now: blame alone decides, as before
        texts[path] = data.decode("utf-8", errors="replace").split("\n")
    return texts


def _commits(histories: Mapping[str, History]) -> set[str]:
    return {line.commit.sha for past in histories.values() for line in past.lines.values()
            if not line.commit.uncommitted}  # fmt: skip


def _order(repo: Repo, details: Mapping[str, tuple[int, str]]) -> Callable[[Line, Line], int]:
    """Commit order: committer time, never the author date (which a broken clock or a rebase
    sets anywhere), ancestry when two commits share a second (a rebased series), uncommitted
    lines newest of all. Negative when `a` is older."""

    def key(line: Line) -> tuple[int, int]:
        if line.commit.uncommitted:
            return (1, 0)
        return (0, details.get(line.commit.sha, (line.commit.time, ""))[0])

    def compare(a: Line, b: Line) -> int:
        if a.commit.sha == b.commit.sha:
            return 0
        first, second = key(a), key(b)
        if first != second:
            return -1 if first < second else 1
        if repo.ancestor(a.commit.sha, b.commit.sha):
            return -1
        return 1 if repo.ancestor(b.commit.sha, a.commit.sha) else 0

    return compare


def _choose(
    repo: Repo,
    identity: Identity,
    past: History | None,
    wanted: Sequence[int],
    details: Mapping[str, tuple[int, str]],
    texts: Mapping[str, list[str]],
) -> provenance.Choice | None:
    if past is None:
        return None

    def human(line: Line) -> bool:
        return line.commit.uncommitted or not repo.is_bot(line.commit)

    def edited(anchor: Line) -> str | None:
        before = anchor.previous or (("HEAD", identity.path) if anchor.commit.uncommitted
                                     and repo.head else None)  # fmt: skip
        old = git.show(repo.root, *before) if before is not None else None
        if old is None:
            return None
        who = "an uncommitted change" if anchor.commit.uncommitted else \
            f"{anchor.commit.email} in {anchor.commit.sha[:7]}"  # fmt: skip
        if re.search(provenance.signature(identity), old):
            return f"the first line was edited by {who}; the declaration is older"
        text = "\n".join(texts.get(identity.path, []))
        origin = provenance.renamed_from(identity, text)
        if origin is not None and re.search(_address_signature(origin), old):
            return f"renamed from {origin} by {who} (a moved block: the same resource)"
        return None

    return provenance.choose(identity, past.lines, wanted, _order(repo, details), human, edited)


def _address_signature(address: str) -> str:
    kind, _, name = address.rpartition(".")
    kind = kind.rpartition(".")[2]
    return rf"\"?{re.escape(kind)}\"?\s+\"?{re.escape(name)}\"?"


def describe(root: Path, in_git: bool, options: Options) -> tuple[Repo, tuple[ScanError, ...]]:
    if not in_git:
        return Repo(root=root, in_git=False), ()
    ignored, errors = ignored_revisions(root, git.toplevel(root) or root)
    pattern = "|".join([*BOTS, *options.bot_patterns])
    return Repo(
        root=root,
        in_git=True,
        shallow=git.shallow_commits(root) if git.is_shallow(root) else frozenset(),
        me=git.identity(root),
        ignored=ignored,
        bot=re.compile(pattern, re.IGNORECASE),
        head=git.head(root),
        cache=options.cache,
        blobs=options.blobs,
    ), errors


def ignored_revisions(root: Path, top: Path) -> tuple[frozenset[str], tuple[ScanError, ...]]:
    """Full commit ids from `.git-blame-ignore-revs`, and each line we could not use.

    Read like a scanned file (never through a link out of the repository, never a device),
    and parsed the way git parses it (`#` starts a comment), except that an abbreviated id is
    resolved and a bad line is an error instead of a blame that fails for every file.
    """
    if not os.path.lexists(top / IGNORE_REVS):
        return frozenset(), ()
    try:
        text = reading.read(top, IGNORE_REVS, MAX_IGNORE_REVS_BYTES).decode("utf-8", "replace")
    except ParseError as error:
        return frozenset(), (ScanError(path=IGNORE_REVS, line=None, message=error.message),)
    full: set[str] = set()
    short: dict[int, str] = {}
    errors: list[ScanError] = []
    for number, raw in enumerate(text.splitlines(), 1):
        value = raw.split("#")[0].strip().lower()
        if git.FULL_ID.fullmatch(value):
            full.add(value)  # one this clone lacks is skipped, as git does
        elif _HEX.fullmatch(value):
            short[number] = value
        elif value:
            errors.append(ScanError(path=IGNORE_REVS, line=number,
                                    message="not a commit id; line ignored"))  # fmt: skip
    resolved = git.commit_ids(root, list(short.values()))
    for (number, value), sha in zip(short.items(), resolved, strict=True):
        if sha is None:
            message = f"{value} names no commit, or more than one; line ignored"
            errors.append(ScanError(path=IGNORE_REVS, line=number, message=message))
        else:
            full.add(sha)
    return frozenset(full), tuple(sorted(errors, key=lambda e: e.line or 0))


def load_codeowners(root: Path) -> tuple[codeowners.CodeOwners | None, tuple[ScanError, ...]]:
    """The first CODEOWNERS file GitHub would use, and its problems as scan errors."""
    for location in codeowners.LOCATIONS:
        if not os.path.lexists(root / location) or (root / location).is_dir():
            continue
        try:  # the repository's own file: no link outside it, no FIFO, never past GitHub's cap
            data = reading.read(root, location, codeowners.MAX_BYTES - 1)
        except ParseError as error:
            message = error.message
            if message.endswith("-byte limit; skipped"):
                message = "3 MB or larger: GitHub ignores it, so nobody owns anything"
            return None, (ScanError(path=location, line=None, message=message),)
        parsed = codeowners.parse(data.decode("utf-8", errors="replace"), location)
        problems = tuple(ScanError(path=location, line=p.line, message=p.message)
                         for p in parsed.problems)  # fmt: skip
        return parsed, problems
    return None, ()


def blame_all(
    repo: Repo,
    identities: Iterable[Identity],
    options: Options,
    wanted: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, History]:
    """One blame per file for every identity in it (and the extra lines `wanted` names)."""
    by_path: dict[str, list[Identity]] = {}
    for identity in identities:
        by_path.setdefault(identity.path, []).append(identity)
    spans = {
        path: ranges(members, [n for i in members for n in (wanted or {}).get(i.id, ())])
        for path, members in by_path.items()
    }
    workers = options.workers or min(8, 2 * (os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda path: (path, _history(repo, path, spans[path], options)), by_path)
        return dict(results)


def _history(repo: Repo, path: str, wanted: list[tuple[int, int]], options: Options) -> History:
    if options.deadline is not None and time.monotonic() > options.deadline:
        return History(lines={}, first={}, unignored=None, ignored=frozenset(),
                       bots=frozenset(), error=_NOT_BLAMED)  # fmt: skip
    return history(repo, path, wanted)


def ranges(identities: Iterable[Identity], lines: Iterable[int] = ()) -> list[tuple[int, int]]:
    """The merged line ranges that cover every identity's declaration and anchor, and `lines`."""
    spans = sorted({(min(i.line, i.anchor_line), max(i.end_line, i.anchor_line))
                    for i in identities} | {(n, n) for n in lines})  # fmt: skip
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def history(repo: Repo, path: str, wanted: list[tuple[int, int]]) -> History:
    """Blame one file once, then again past any bot commits found in it.

    Following moves (-C) reads the other files each commit changed; where git cannot (a blob
    missing from a partial or trimmed clone), the file is blamed without it rather than not
    at all. Any pass may fail (a file git cannot read, a broken repository): never silently."""
    ignored = repo.ignored
    bots = frozenset[str]()
    try:
        moves = True
        try:
            first = blame.parse(_blame(repo, path, wanted, moves=moves))
        except git.GitError:
            moves = False
            first = blame.parse(_blame(repo, path, wanted, moves=moves))
        lines = first
        for _ in range(3):  # bots that edit after bots: look past each in turn, boundedly
            found = {line.commit.sha for line in lines.values() if repo.is_bot(line.commit)}
            if not found - bots:
                break
            bots |= found
            lines = blame.parse(_blame(repo, path, wanted, bots, moves=moves))
        unignored = None
        if ignored:
            unignored = blame.parse(
                _blame(repo, path, wanted, bots, use_ignore_file=False, moves=moves)
            )
    except git.GitError as error:
        return History(
            lines={}, first={}, unignored=None, ignored=ignored, bots=bots, error=str(error)
        )
    return History(lines=lines, first=first, unignored=unignored, ignored=ignored, bots=bots)


def _blame(
    repo: Repo,
    path: str,
    wanted: list[tuple[int, int]],
    bots: frozenset[str] = frozenset(),
    *,
    use_ignore_file: bool = True,
    moves: bool = True,
) -> str:
    """git blame, or its cached output when HEAD, the file's content and the arguments match."""
    ignored = sorted(repo.ignored) if use_ignore_file else []
    blob = repo.blobs.get(path)
    key = None
    if repo.cache is not None and repo.head is not None and blob is not None:
        # The same HEAD can have less history (a shallow clone): the boundary is part of the key.
        material = (
            f"{repo.head}\0{sorted(repo.shallow)}\0{path}\0{blob}\0{wanted}\0{sorted(bots)}\0"
            f"{ignored}\0{'moves' if moves else ''}\0"
        )
        key = "blame:" + hashlib.sha256(material.encode()).hexdigest()
        cached = repo.cache.get_text(key)
        if cached is not None:
            return cached
    # Bots alone when no ignore file: what callers (and the cache tests) see as ignore_revs.
    revs = bots | frozenset(ignored) if ignored else bots
    text = git.blame(repo.root, path, wanted, ignore_revs=revs, moves=moves)
    if key is not None and repo.cache is not None:
        repo.cache.put_text(key, text)
    return text


def _attribution(
    repo: Repo,
    identity: Identity,
    past: History | None,
    owners: codeowners.CodeOwners | None,
    rules: Mapping[str, codeowners.Rule | None],
    details: Mapping[str, tuple[int, str]],
    choice: provenance.Choice | None,
) -> Attribution:
    rule = rules.get(identity.path)
    provisioner = last = None
    contributors: tuple[Author, ...] = ()
    if past is not None:
        provisioner = _provisioner(repo, identity, past, details, choice)
        contributors, last = _people(repo, identity, past, details)
    return Attribution(
        provisioner=provisioner,
        owners=rule.owners if rule else (),
        owners_source=f"{owners.path}:{rule.line}" if owners and rule else None,
        last_modified_by=last,
        contributors=contributors,
    )


def _provisioner(
    repo: Repo,
    identity: Identity,
    past: History,
    details: Mapping[str, tuple[int, str]],
    choice: provenance.Choice | None,
) -> Provisioner | None:
    line = choice.line if choice is not None else past.lines.get(identity.anchor_line)
    if line is None and past.failed is not None:  # a missing provisioner always says why
        why = "not blamed: the scan's deadline passed" if past.error == _NOT_BLAMED else \
            f"git blame failed: {past.failed}"  # fmt: skip
        return Provisioner(
            name="", email="", commit="", date="", uncommitted=False,
            confidence=Confidence.UNKNOWN, evidence=(why,),
        )  # fmt: skip
    if line is None:
        return _uncommitted(repo, ("the file is not committed yet",)) if past.error else None
    commit = line.commit
    if commit.uncommitted:
        return _uncommitted(repo, ("this line is not committed yet",))
    message = details.get(commit.sha, (0, ""))[1]
    if repo.is_bot(commit):  # only bots ever touched it: a human co-author, or nobody
        return _co_author(commit, message)
    evidence = [f"introduced in {commit.sha[:7]} on {commit.date[:10]} by {commit.email}: "
                f"{commit.summary}"]  # fmt: skip
    confidence = Confidence.HIGH
    if choice is not None and choice.looked_past:
        confidence = Confidence.MEDIUM
        evidence += choice.notes
    moved = _moved(repo, identity, line, past.bots)
    if moved is not None:
        confidence = Confidence.MEDIUM
        evidence.append(moved)
    before = past.first.get(identity.anchor_line)
    if before is not None and before.commit.sha in past.bots:
        confidence = Confidence.MEDIUM
        evidence.append(f"looked past bot commit {before.commit.sha[:7]} by {before.commit.email}")
    original = past.unignored.get(identity.anchor_line) if past.unignored else None
    if original is not None and original.commit.sha in past.ignored:
        if commit.sha in past.ignored:
            confidence = Confidence.LOW
            evidence.append(
                f"ignored revision {commit.sha[:7]} ({IGNORE_REVS}) could not be "
                "placed elsewhere by git"
            )
        else:
            confidence = Confidence.MEDIUM if confidence == Confidence.HIGH else confidence
            evidence.append(
                f"looked past ignored revision {original.commit.sha[:7]} ({IGNORE_REVS})"
            )
    if not commit.email:
        confidence = Confidence.MEDIUM if confidence == Confidence.HIGH else confidence
        evidence.append("the commit has no author email: only the name identifies its author")
    if commit.sha in repo.shallow:
        confidence = Confidence.UNKNOWN
        evidence.append(
            f"shallow clone: history before {commit.sha[:7]} is missing, so its "
            "author may not have written this line; check out with fetch-depth: 0"
        )
    return Provisioner(
        name=commit.author, email=commit.email, commit=commit.sha, date=commit.date,
        uncommitted=False, confidence=confidence, evidence=tuple(evidence),
        co_authors=co_authors(message),
    )  # fmt: skip


def _moved(repo: Repo, identity: Identity, line: Line, bots: frozenset[str]) -> str | None:
    """Evidence when the introducing line was moved here from another file (blame -C): who
    moved it, found by blaming the line without move detection (past the same bots and ignored
    revisions). A whole-file rename, which git follows by itself, is no move."""
    if line.original_path in ("", identity.path):
        return None
    try:
        text = git.blame(
            repo.root,
            identity.path,
            [(line.number, line.number)],
            ignore_revs=bots | repo.ignored,
            moves=False,
        )
    except git.GitError:
        return None
    here = blame.parse(text).get(line.number)
    if here is None or here.commit.sha == line.commit.sha:
        return None
    return (f"moved to {identity.path} from {line.original_path} by {here.commit.email} in "
            f"{here.commit.sha[:7]}")  # fmt: skip


def co_authors(message: str) -> tuple[str, ...]:
    """`Co-authored-by:` trailers of the message's trailer block (its last paragraph, all of
    whose lines are trailers); a co-author quoted in the body is not one."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        return ()
    block = [line for line in paragraphs[-1].splitlines() if line.strip()]
    if not all(_TRAILER_LINE.match(line) or line[:1].isspace() for line in block):
        return ()
    return tuple(m[1] for line in block if (m := _CO_AUTHOR.match(line)))


def _co_author(commit: Commit, message: str) -> Provisioner | None:
    """A bot's commit (a squash by an agent, a merge by a bot) names its human co-author."""
    people = [c for c in co_authors(message) if not re.search(r"\[bot\]|copilot", c, re.I)]
    if not people:
        return None
    name, _, email = people[0].partition("<")
    return Provisioner(
        name=name.strip(), email=email.strip(" >").lower(), commit=commit.sha, date=commit.date,
        uncommitted=False, confidence=Confidence.MEDIUM,
        evidence=(f"introduced in {commit.sha[:7]} on {commit.date[:10]} by the bot "
                  f"{commit.email or commit.author}, which names {people[0]} as co-author",),
        co_authors=tuple(people[1:]),
    )  # fmt: skip


def _uncommitted(repo: Repo, evidence: tuple[str, ...]) -> Provisioner:
    name, email = repo.me
    why = ("attributed to the configured git identity (user.name/user.email)" if email else
           "unknown: no user.email is configured, and an identity git would guess "
           "(user@host) names nobody")  # fmt: skip
    return Provisioner(
        name=name, email=email, commit=blame.UNCOMMITTED, date="", uncommitted=True,
        confidence=Confidence.HIGH if email else Confidence.UNKNOWN, evidence=(*evidence, why),
    )  # fmt: skip


def _people(
    repo: Repo, identity: Identity, past: History, details: Mapping[str, tuple[int, str]]
) -> tuple[tuple[Author, ...], Author | None]:
    """Distinct human authors of the declaration's lines, and the most recent one (in commit
    order: an author date in the future does not make a commit the latest)."""
    compare = _order(repo, details)
    counts: Counter[tuple[str, str]] = Counter()
    latest: dict[tuple[str, str], Line] = {}
    for number in range(identity.line, identity.end_line + 1):
        line = past.lines.get(number)
        if line is None or (repo.is_bot(line.commit) and not line.commit.uncommitted):
            continue
        who = repo.me if line.commit.uncommitted else (line.commit.author, line.commit.email)
        counts[who] += 1
        if who not in latest or compare(line, latest[who]) > 0:
            latest[who] = line
    people = tuple(
        Author(name=who[0], email=who[1], commit=latest[who].commit.sha,
               date="" if latest[who].commit.uncommitted else latest[who].commit.date,
               lines=count)
        for who, count in sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    )  # fmt: skip

    def by_commit(a: Author, b: Author) -> int:
        return compare(latest[(a.name, a.email)], latest[(b.name, b.email)])

    newest = max(people, key=functools.cmp_to_key(by_commit), default=None)
    return people, newest
