"""The provisioner and the people of a declaration, from its blamed lines: who introduced it
(see `provenance`), with how sure we are and why, and who else wrote its lines."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from scanner import git, secrets
from scanner.attribution import blame, edits, moves, provenance
from scanner.attribution.blame import Commit, Line
from scanner.attribution.repo import _NOT_BLAMED, IGNORE_REVS, History, Repo
from scanner.model import (
    Author,
    Confidence,
    Identity,
    Provisioner,
)

_TRAILER_LINE = re.compile(r"^[A-Za-z0-9-]+:\s")

_CO_AUTHOR = re.compile(r"^Co-authored-by:\s*(.+?)\s*$", re.IGNORECASE)


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
    deadline: float | None = None,
) -> provenance.Choice | None:
    if past is None:
        return None

    def human(line: Line) -> bool:
        return line.commit.uncommitted or not repo.is_bot(line.commit)

    @functools.cache
    def renamed() -> str | None:  # the address a `moved` block gives it; read only if asked
        return provenance.renamed_from(identity, "\n".join(texts.get(identity.path, [])))

    def edited(anchor: Line) -> str | None:
        before = anchor.previous or (("HEAD", identity.path) if anchor.commit.uncommitted
                                     and repo.head else None)  # fmt: skip
        if before is None:
            return None
        who = "an uncommitted change" if anchor.commit.uncommitted else \
            f"{anchor.commit.email} in {anchor.commit.sha[:7]}"  # fmt: skip
        origin = renamed()
        patterns = [provenance.signature(identity)]
        patterns += [provenance.address_pattern(origin)] if origin is not None else []
        found = _declares(repo, before, patterns)
        if found == 0:
            return f"the first line was edited by {who}; the declaration is older"
        if found == 1 and origin is not None:
            named = "an earlier address" if secrets.secret_in(origin) else origin  # #16
            return f"renamed from {named} by {who} (a moved block: the same resource)"
        return None

    choice = provenance.choose(identity, past.lines, wanted, _order(repo, details), human,
                               edited)  # fmt: skip
    if moves.literal(identity) is None and (identity.kind == "workflow_secret"
                                            or not choice.looked_past):  # fmt: skip
        return edits.through(repo, identity, past, choice, texts.get(identity.path, []),
                             deadline)  # fmt: skip
    anchor = past.lines.get(identity.anchor_line)
    if not choice.looked_past or anchor is None:
        return choice
    origin, ignored = renamed(), past.bots | repo.ignored
    material = (f"walk\0{anchor.commit.sha}\0{anchor.previous}\0{identity.path}\0"
                f"{provenance.signature(identity)}\0{origin}\0{sorted(ignored)}\0"
                f"{sorted(repo.shallow)}")  # fmt: skip
    cache = None if anchor.commit.uncommitted else repo.cache  # uncommitted: HEAD matters

    def walk() -> moves.Trace | None:
        found = _walk_back(repo, identity, anchor, origin, ignored)
        return None if found is None else moves.Trace(found[0].commit, found[1])

    walked = moves.remembered(cache, material, walk)
    if walked is None:
        return choice
    line = dataclasses.replace(anchor, commit=walked.commit, original_path=identity.path)
    return provenance.Choice(line=line, notes=(*choice.notes, *walked.hops), looked_past=True)


MAX_WALK = 8  # earlier versions of a declaration's first line looked at, at most


def _walk_back(repo: Repo, identity: Identity, anchor: Line, origin: str | None,
               ignored: frozenset[str]) -> tuple[Line, tuple[str, ...]] | None:  # fmt: skip
    """The commit that introduced a declaration whose first line was edited since (a comment
    on it, a rename kept by a moved block): blame that line as it was before each edit, until
    the commit whose parent did not declare it; then follow its moves between files. The
    declaration's other lines cannot tell: a new block that repeats an older block's lines
    (`role = ...`) is blamed to the older one. None when git cannot walk back."""
    patterns = [provenance.signature(identity)]
    if origin is not None and not secrets.secret_in(origin):
        patterns.append(provenance.address_pattern(origin))
    line = anchor
    for _ in range(MAX_WALK):
        before = line.previous or (("HEAD", identity.path) if line.commit.uncommitted
                                   and repo.head else None)  # fmt: skip
        old = moves.show(repo.root, *before) if before is not None else None
        if before is None or old is None:
            break
        number = next((n for n, text in enumerate(old.split("\n"), 1)
                       if any(re.search(p, text) for p in patterns)), None)  # fmt: skip
        if number is None:
            break  # this commit introduced it
        # The whole file at that commit, once: a rename commit edits many blocks of a file.
        older = moves.blamed(repo.root, before[0], before[1], ignored).get(number)
        if older is None:
            return None
        line = older
    if line is anchor:
        return None
    hops: tuple[str, ...] = ()
    then = moves.show(repo.root, line.commit.sha, line.original_path) or "" \
        if line.original_path and not line.commit.uncommitted else ""  # fmt: skip
    signature = next((s for s in (moves.literal(identity), moves.literal(identity, origin))
                      if s is not None and s in then), None)  # fmt: skip
    if signature is not None:
        traced = moves.follow(repo.root, line, line.original_path, signature, ignored)
        line, hops = dataclasses.replace(line, commit=traced.commit), traced.hops
    # Placed where the anchor is, so that no move is looked for again from here.
    return dataclasses.replace(line, number=anchor.number, original_path=identity.path), hops


def _declares(repo: Repo, before: tuple[str, str], patterns: Sequence[str]) -> int | None:
    """Which of `patterns` the file `before` (a commit and a path) declares first, or None.
    A commit never changes: the answer is kept in the blame cache (HEAD's is not)."""
    material = f"declares\0{before}\0{patterns}"
    key = "declares:" + hashlib.sha256(material.encode()).hexdigest()
    cache = repo.cache if before[0] != "HEAD" else None
    stored = cache.get_text(key) if cache is not None else None
    if stored is not None:
        return int(stored) if stored.isdigit() else None
    old = moves.show(repo.root, *before)
    found = None if old is None else next(
        (index for index, pattern in enumerate(patterns) if re.search(pattern, old)), None
    )  # fmt: skip
    if cache is not None:
        cache.put_text(key, "" if found is None else str(found))
    return found


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
            past.failed  # git's own words: "git blame failed: ..."  # fmt: skip
        return Provisioner(
            name="", email="", commit="", date="", uncommitted=False,
            confidence=Confidence.UNKNOWN, evidence=(why,),
        )  # fmt: skip
    if line is None:
        return _uncommitted(repo, ("the file is not committed yet",)) if past.error else None
    commit, found = line.commit, _moved(repo, identity, line, past.bots)
    if commit.uncommitted:
        return _uncommitted(repo, ("this line is not committed yet",))
    hops: tuple[str, ...] = (found,) if isinstance(found, str) else ()
    if isinstance(found, moves.Trace):  # moved from another file: its creator is kept
        commit, hops = found.commit, found.hops
    known = details.get(commit.sha) or git.commit_details(repo.root, [commit.sha]).get(commit.sha)
    message = known[1] if known is not None else ""  # a walked-back commit is asked here
    if repo.is_bot(commit):  # only bots ever touched it: a human co-author, or nobody
        return _co_author(repo, commit, message)
    before = past.first.get(identity.anchor_line)
    bot = before.commit if before is not None and before.commit.sha in past.bots else None
    if bot is not None and bot.sha != commit.sha and not (choice and choice.looked_past) \
            and before is not None and _named_by(repo, identity, before):  # fmt: skip
        found_message = git.commit_details(repo.root, [bot.sha]).get(bot.sha, (0, ""))[1]
        return _co_author(repo, bot, found_message)
    evidence = [f"introduced in {commit.sha[:7]} on {commit.date[:10]} by {commit.email}: "
                f"{commit.summary}"]  # fmt: skip
    confidence = Confidence.HIGH
    if choice is not None:  # notes say what was looked past, or why no walk could tell
        confidence = Confidence.MEDIUM if choice.looked_past else confidence
        evidence += choice.notes
    if hops:
        confidence = Confidence.MEDIUM
        evidence += hops
    if confidence == Confidence.HIGH and not (choice and choice.walked) \
            and _edited_line(repo, identity, line):  # fmt: skip
        confidence = Confidence.MEDIUM
        evidence.append(f"{commit.sha[:7]} edited this line of an older declaration (its one "
                        "line cannot tell who wrote it first)")  # fmt: skip
    if bot is not None:
        confidence = Confidence.MEDIUM
        evidence.append(f"looked past bot commit {bot.sha[:7]} by {bot.email}")
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
        evidence.append(_shallow(commit))
    return Provisioner(
        name=commit.author, email=commit.email, commit=commit.sha, date=commit.date,
        uncommitted=False, confidence=confidence, evidence=tuple(evidence),
        co_authors=_humans(repo, co_authors(message)),
    )  # fmt: skip


def _shallow(commit: Commit) -> str:
    return (f"shallow clone: history before {commit.sha[:7]} is missing, so its author may "
            "not have written this line; check out with fetch-depth: 0")  # fmt: skip


def _named_by(repo: Repo, identity: Identity, line: Line) -> bool:
    """Whether the bot commit that last wrote the first line named the declaration: the file
    before it did not (a bot's commit that put `secrets.OPENROUTER_API_KEY` where another
    secret was). Blame past bots then names whoever wrote the older name, never this one."""
    old = moves.show(repo.root, *line.previous) if line.previous is not None else None
    if old is None:
        return False  # no earlier file to tell from: the bot is looked past, as before
    flags = re.IGNORECASE if identity.kind == "workflow_secret" else 0  # names ignore case
    return re.search(provenance.signature(identity), old, flags) is None


def _edited_line(repo: Repo, identity: Identity, line: Line) -> bool:
    """A one-line declaration (a publish step's `uses:`) whose commit found it declared
    already: a pin or a version bump by a person, not its introduction."""
    if identity.line != identity.end_line or identity.kind == "workflow_secret" \
            or line.number != identity.anchor_line or line.previous is None:  # fmt: skip
        return False
    return _declares(repo, line.previous, [provenance.signature(identity)]) == 0


def _humans(repo: Repo, trailers: Sequence[str]) -> tuple[str, ...]:
    """The co-authors that are people: never a bot or a coding agent's no-reply address."""
    return tuple(c for c in trailers if not repo.is_bot_author(
        c.partition("<")[0].strip(), c.partition("<")[2].strip(" >").lower()))  # fmt: skip


def _moved(
    repo: Repo, identity: Identity, line: Line, bots: frozenset[str]
) -> str | moves.Trace | None:
    """Where the introducing line came from another file. A Terraform block (blamed without
    -C) has its moves traced from its introducing commit (`moves.follow`). For other files
    blame -C followed them: who moved it is found by blaming the file without move detection
    (past the same bots and ignored revisions; once per file). A whole-file rename git follows
    by itself is no move."""
    ignored = bots | repo.ignored
    signature = moves.literal(identity)
    if signature is not None:
        material = (f"follow\0{line.commit.sha}\0{line.original_path}\0{identity.path}\0"
                    f"{signature}\0{sorted(ignored)}\0{sorted(repo.shallow)}")  # fmt: skip
        traced = moves.remembered(
            None if line.commit.uncommitted else repo.cache, material,
            lambda: moves.follow(repo.root, line, identity.path, signature, ignored),
        )  # fmt: skip
        return traced if traced is not None and traced.hops else None
    if line.original_path in ("", identity.path):
        return None
    here = _plain_blame(repo.root, identity.path, ignored).get(line.number)
    if here is None or here.commit.sha == line.commit.sha:
        return None
    return (f"moved to {identity.path} from {line.original_path} by {here.commit.email} in "
            f"{here.commit.sha[:7]}")  # fmt: skip


def forget_working_tree() -> None:
    """Drop what was read from working-tree files (a new scan may see them changed)."""
    _plain_blame.cache_clear()


@functools.lru_cache(maxsize=256)
def _plain_blame(root: Path, path: str, ignored: frozenset[str]) -> dict[int, Line]:
    """The whole file blamed without move detection (as git alone follows it)."""
    try:
        return blame.parse(git.blame(root, path, [], ignore_revs=ignored, moves=False))
    except git.GitError:
        return {}


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


def _co_author(repo: Repo, commit: Commit, message: str) -> Provisioner:
    """A bot's commit (a squash by an agent, a merge by a bot) names its human co-author; with
    none, nobody is named, and the evidence says why (a file only a bot ever wrote: Azure's
    verified modules, compiled agentic workflows)."""
    people = [c for c in _humans(repo, co_authors(message))
              if not re.search(r"\[bot\]|copilot", c, re.I)]  # fmt: skip
    if not people or commit.sha in repo.shallow:  # a shallow clone's edge: nobody can tell
        return Provisioner(
            name="", email="", commit=commit.sha, date=commit.date, uncommitted=False,
            confidence=Confidence.UNKNOWN,
            evidence=(_shallow(commit) if commit.sha in repo.shallow else
                      f"introduced in {commit.sha[:7]} on {commit.date[:10]} by the bot "
                      f"{commit.email or commit.author}; no human wrote or co-authored it",),
        )  # fmt: skip
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
