"""Attribution: who provisioned each identity (git history) and who owns it (CODEOWNERS).

One `git blame` per file covers every identity in it (all `-L` ranges in one call), files in
parallel on a bounded thread pool. Whitespace-only changes never count (-w), renames are
followed, `.mailmap` applies (git does both), `.git-blame-ignore-revs` is honoured, bots are
never provisioners (their commits are ignored and blame looks past them), lines not committed
yet belong to the configured git identity, and a shallow clone's boundary is never presented
as a confident author. Confidence: `high` (a human commit introduced the line), `medium` (we
looked past a bot or an ignored revision), `low` (an ignored revision that git could not place
elsewhere), `unknown` (history is missing: a shallow clone).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
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
    ignore_file: Path | None = None
    bot: re.Pattern[str] = field(default_factory=lambda: re.compile("|".join(BOTS)))

    def is_bot(self, commit: Commit) -> bool:
        return bool(self.bot.search(commit.author.lower()) or self.bot.search(commit.email))


def attribute(
    root: Path, identities: Sequence[Identity], in_git: bool, options: Options | None = None
) -> tuple[tuple[Attributed, ...], tuple[ScanError, ...]]:
    """Attribute every identity; CODEOWNERS problems come back as scan errors."""
    options = options or Options()
    owners, errors = load_codeowners(root)
    repo = describe(root, in_git, options)
    histories = blame_all(repo, identities, options) if in_git else {}
    messages = git.commit_messages(root, _provisioning_commits(repo, identities, histories)) \
        if in_git else {}  # fmt: skip
    rules, unmatched = _owner_rules(owners, identities, options)
    subjects = tuple(
        Attributed(
            identity=identity,
            attribution=_attribution(
                repo, identity, histories.get(identity.path), owners, rules, messages
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


def describe(root: Path, in_git: bool, options: Options) -> Repo:
    if not in_git:
        return Repo(root=root, in_git=False)
    top = git.toplevel(root) or root
    ignore_file = top / IGNORE_REVS
    pattern = "|".join([*BOTS, *options.bot_patterns])
    return Repo(
        root=root,
        in_git=True,
        shallow=git.shallow_commits(root) if git.is_shallow(root) else frozenset(),
        me=git.identity(root),
        ignore_file=ignore_file if ignore_file.is_file() else None,
        bot=re.compile(pattern, re.IGNORECASE),
        head=git.head(root),
        cache=options.cache,
        blobs=options.blobs,
    )


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
        results = pool.map(lambda item: (item[0], _history(repo, item, options)), by_path.items())
        return dict(results)


def _history(repo: Repo, item: tuple[str, list[Identity]], options: Options) -> History:
    if options.deadline is not None and time.monotonic() > options.deadline:
        return History(lines={}, first={}, unignored=None, ignored=frozenset(),
                       bots=frozenset(), error=_NOT_BLAMED)  # fmt: skip
    return history(repo, *item)


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
    ignored = _ignored_revisions(repo.ignore_file)
    try:
        first = blame.parse(_blame(repo, path, wanted))
    except git.GitError as error:
        return History(
            lines={}, first={}, unignored=None, ignored=ignored, bots=frozenset(), error=str(error)
        )
    lines, bots = first, frozenset[str]()
    for _ in range(3):  # bots that edit after bots: look past each in turn, boundedly
        found = {line.commit.sha for line in lines.values() if repo.is_bot(line.commit)}
        if not found - bots:
            break
        bots |= found
        lines = blame.parse(_blame(repo, path, wanted, bots))  # cached like the first pass
    unignored = None
    if repo.ignore_file is not None and ignored:
        unignored = blame.parse(_blame(repo, path, wanted, bots, use_ignore_file=False))
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
    ignore_file = repo.ignore_file if use_ignore_file else None
    blob = repo.blobs.get(path)
    key = None
    if repo.cache is not None and repo.head is not None and blob is not None:
        ignored = ignore_file.read_bytes() if ignore_file is not None else b""
        # The same HEAD can have less history (a shallow clone): the boundary is part of the key.
        material = (
            f"{repo.head}\0{sorted(repo.shallow)}\0{path}\0{blob}\0{wanted}\0{sorted(bots)}\0"
        )
        key = "blame:" + hashlib.sha256(material.encode() + ignored).hexdigest()
        cached = repo.cache.get_text(key)
        if cached is not None:
            return cached
    text = git.blame(repo.root, path, wanted, ignore_revs=bots, ignore_revs_file=ignore_file)
    if key is not None and repo.cache is not None:
        repo.cache.put_text(key, text)
    return text


def _ignored_revisions(path: Path | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(line.split("#")[0].strip() for line in text.splitlines()
                     if line.split("#")[0].strip())  # fmt: skip


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
    rules: Mapping[str, codeowners.Rule | None],
    messages: Mapping[str, str],
) -> Attribution:
    rule = rules.get(identity.path)
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
    if line is None:
        new = past.error is not None and ("no such path" in past.error or "HEAD" in past.error)
        return _uncommitted(repo, ("the file is not committed yet",)) if new else None
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
