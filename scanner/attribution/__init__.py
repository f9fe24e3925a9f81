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

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scanner import git, reading
from scanner.attribution import blame, codeowners
from scanner.attribution.blame import Commit, Line
from scanner.errors import ParseError
from scanner.model import Attributed, Attribution, Identity, Person, Provisioner, ScanError

IGNORE_REVS = ".git-blame-ignore-revs"
MAX_IGNORE_REVS_BYTES = 1024 * 1024
_HEX = re.compile(r"[0-9a-f]{4,64}")
BOTS = (
    r"\[bot\]", r"^dependabot", r"^renovate", r"^github-actions", r"^mergify",
    r"^snyk-bot", r"^pre-commit-ci", r"noreply@github\.com$",
)  # fmt: skip
_TRAILER = re.compile(r"^Co-authored-by:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


class BlameCache(Protocol):
    """Where blame outputs are kept between runs (scanner.cache.Cache)."""

    def get_text(self, key: str) -> str | None: ...

    def put_text(self, key: str, value: str) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    bot_patterns: tuple[str, ...] = ()  # extra regexes on author name or email
    workers: int = 0  # 0: twice the cores, at most 8
    cache: BlameCache | None = None
    blobs: Mapping[str, str] = field(default_factory=dict)  # clean files' blob ids


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


def attribute(
    root: Path, identities: Sequence[Identity], in_git: bool, options: Options | None = None
) -> tuple[tuple[Attributed, ...], tuple[ScanError, ...]]:
    """Attribute every identity; CODEOWNERS problems come back as scan errors."""
    options = options or Options()
    owners, errors = load_codeowners(root)
    repo, revs_errors = describe(root, in_git, options)
    histories = blame_all(repo, identities, options) if in_git else {}
    failures = tuple(
        ScanError(path=path, line=None, message=f"not attributed: {past.failed}")
        for path, past in sorted(histories.items())
        if past.failed is not None
    )
    errors = (*errors, *revs_errors, *failures)
    messages = git.commit_messages(root, _provisioning_commits(repo, identities, histories)) \
        if in_git else {}  # fmt: skip
    subjects = tuple(
        Attributed(
            identity=identity,
            attribution=_attribution(
                repo, identity, histories.get(identity.path), owners, messages
            ),
        )
        for identity in identities
    )
    return subjects, errors


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
    resolved = git.commit_ids(root, list(short.values()))  # one line out per hex name in
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


def blame_all(repo: Repo, identities: Iterable[Identity], options: Options) -> dict[str, History]:
    by_path: dict[str, list[Identity]] = {}
    for identity in identities:
        by_path.setdefault(identity.path, []).append(identity)
    workers = options.workers or min(8, 2 * (os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda item: (item[0], history(repo, item[0], item[1])), by_path.items())
        return dict(results)


def ranges(identities: Iterable[Identity]) -> list[tuple[int, int]]:
    """The merged line ranges that cover every identity's declaration and anchor."""
    spans = sorted({(min(i.line, i.anchor_line), max(i.end_line, i.anchor_line))
                    for i in identities})  # fmt: skip
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def history(repo: Repo, path: str, identities: Sequence[Identity]) -> History:
    """Blame one file once, then again past any bot commits found in it."""
    wanted = ranges(identities)
    ignored = repo.ignored
    bots = frozenset[str]()
    try:  # any pass may fail (a file git cannot read, a broken repository): never silently
        first = blame.parse(_blame(repo, path, wanted))
        lines = first
        for _ in range(3):  # bots that edit after bots: look past each in turn, boundedly
            found = {line.commit.sha for line in lines.values() if repo.is_bot(line.commit)}
            if not found - bots:
                break
            bots |= found
            lines = blame.parse(_blame(repo, path, wanted, bots))  # cached like the first pass
        unignored = None
        if ignored:
            unignored = blame.parse(_blame(repo, path, wanted, bots, use_ignore_file=False))
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
) -> str:
    """git blame, or its cached output when HEAD, the file's content and the arguments match."""
    ignored = sorted(repo.ignored) if use_ignore_file else []
    blob = repo.blobs.get(path)
    key = None
    if repo.cache is not None and repo.head is not None and blob is not None:
        # The same HEAD can have less history (a shallow clone): the boundary is part of the key.
        material = (
            f"{repo.head}\0{sorted(repo.shallow)}\0{path}\0{blob}\0{wanted}\0{sorted(bots)}\0"
            f"{ignored}"
        )
        key = "blame:" + hashlib.sha256(material.encode()).hexdigest()
        cached = repo.cache.get_text(key)
        if cached is not None:
            return cached
    # Bots alone when no ignore file: what callers (and the cache tests) see as ignore_revs.
    revs = bots | frozenset(ignored) if ignored else bots
    text = git.blame(repo.root, path, wanted, ignore_revs=revs)
    if key is not None and repo.cache is not None:
        repo.cache.put_text(key, text)
    return text


def _provisioning_commits(
    repo: Repo, identities: Iterable[Identity], histories: Mapping[str, History]
) -> set[str]:
    shas: set[str] = set()
    for identity in identities:
        past = histories.get(identity.path)
        line = past.lines.get(identity.anchor_line) if past else None
        if line is not None and not line.commit.uncommitted:
            shas.add(line.commit.sha)
    return shas


def _attribution(
    repo: Repo,
    identity: Identity,
    past: History | None,
    owners: codeowners.CodeOwners | None,
    messages: Mapping[str, str],
) -> Attribution:
    rule = owners.match(identity.path) if owners is not None else None
    provisioner = last = None
    contributors: tuple[Person, ...] = ()
    if past is not None:
        provisioner = _provisioner(repo, identity, past, messages)
        contributors, last = _people(repo, identity, past)
    return Attribution(
        provisioner=provisioner,
        owners=rule.owners if rule else (),
        owners_source=f"{owners.path}:{rule.line}" if owners and rule else None,
        last_modified_by=last,
        contributors=contributors,
    )


def _provisioner(
    repo: Repo, identity: Identity, past: History, messages: Mapping[str, str]
) -> Provisioner | None:
    line = past.lines.get(identity.anchor_line)
    if line is None and past.failed is not None:
        return Provisioner(
            name="", email="", commit="", date="", uncommitted=False, confidence="unknown",
            evidence=(past.failed,),
        )  # fmt: skip
    if line is None:
        return _uncommitted(repo, ("the file is not committed yet",)) if past.error else None
    commit = line.commit
    if commit.uncommitted:
        return _uncommitted(repo, ("this line is not committed yet",))
    if repo.is_bot(commit):
        return None  # only bots ever touched it: nobody human to name
    evidence = [f"introduced in {commit.sha[:7]} on {commit.date[:10]} by {commit.email}: "
                f"{commit.summary}"]  # fmt: skip
    confidence = "high"
    before = past.first.get(identity.anchor_line)
    if before is not None and before.commit.sha in past.bots:
        confidence = "medium"
        evidence.append(f"looked past bot commit {before.commit.sha[:7]} by {before.commit.email}")
    original = past.unignored.get(identity.anchor_line) if past.unignored else None
    if original is not None and original.commit.sha in past.ignored:
        if commit.sha in past.ignored:
            confidence = "low"
            evidence.append(
                f"ignored revision {commit.sha[:7]} ({IGNORE_REVS}) could not be "
                "placed elsewhere by git"
            )
        else:
            confidence = "medium" if confidence == "high" else confidence
            evidence.append(
                f"looked past ignored revision {original.commit.sha[:7]} ({IGNORE_REVS})"
            )
    if commit.sha in repo.shallow:
        confidence = "unknown"
        evidence.append(
            f"shallow clone: history before {commit.sha[:7]} is missing, so its "
            "author may not have written this line; check out with fetch-depth: 0"
        )
    return Provisioner(
        name=commit.author, email=commit.email, commit=commit.sha, date=commit.date,
        uncommitted=False, confidence=confidence, evidence=tuple(evidence),
        co_authors=tuple(_TRAILER.findall(messages.get(commit.sha, ""))),
    )  # fmt: skip


def _uncommitted(repo: Repo, evidence: tuple[str, ...]) -> Provisioner:
    name, email = repo.me
    return Provisioner(
        name=name, email=email, commit=blame.UNCOMMITTED, date="", uncommitted=True,
        confidence="high" if email else "unknown",
        evidence=(*evidence, "attributed to the configured git identity (user.name/user.email)"),
    )  # fmt: skip


def _people(
    repo: Repo, identity: Identity, past: History
) -> tuple[tuple[Person, ...], Person | None]:
    """Distinct human authors of the declaration's lines, and the most recent one."""
    counts: Counter[tuple[str, str]] = Counter()
    latest: dict[tuple[str, str], Commit] = {}
    for number in range(identity.line, identity.end_line + 1):
        line = past.lines.get(number)
        if line is None or (repo.is_bot(line.commit) and not line.commit.uncommitted):
            continue
        commit = line.commit
        who = repo.me if commit.uncommitted else (commit.author, commit.email)
        counts[who] += 1
        if who not in latest or _newer(commit, latest[who]):
            latest[who] = commit
    people = tuple(
        Person(name=who[0], email=who[1], commit=latest[who].sha,
               date="" if latest[who].uncommitted else latest[who].date, lines=count)
        for who, count in sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    )  # fmt: skip
    newest = max(people, key=lambda p: (p.commit == blame.UNCOMMITTED, p.date), default=None)
    return people, newest


def _newer(commit: Commit, other: Commit) -> bool:
    return commit.uncommitted or (not other.uncommitted and commit.time > other.time)
