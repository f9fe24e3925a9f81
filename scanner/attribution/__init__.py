"""Attribution: who provisioned each identity (git history) and who owns it (CODEOWNERS).

`attribute()` is the stage: `repo` (what is read once), `history` (blame), `provenance` and
`provisioner` (who introduced each declaration), `owners` (CODEOWNERS). One `git blame` per
file covers every identity in it, files in parallel on a bounded thread pool. Whitespace-only
changes never count (-w); renames and moves between files are followed; `.mailmap` applies;
`.git-blame-ignore-revs` is honoured (read like any scanned file); bots are never
provisioners; lines not committed yet belong to the configured git identity; a shallow clone's
boundary is never a confident author. Confidence: `high` (a human commit introduced the
declaration), `medium` (a move, an edit, a bot or an ignored revision was looked past), `low`
(an ignored revision git could not place elsewhere), `unknown` (history is missing, or git
blame failed, which is also an `errors` entry). An MCP credential also names its installer,
the provisioner of the server entry that receives it (`installer`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from scanner import git, reading
from scanner.attribution import codeowners, installer, moves, provenance
from scanner.attribution.history import blame_all, parallel, ranges
from scanner.attribution.owners import _deadline, _owner_rules, load_codeowners
from scanner.attribution.provisioner import (
    _choose,
    _people,
    _provisioner,
    co_authors,
    forget_working_tree,
)
from scanner.attribution.repo import (
    _NOT_BLAMED,
    BOTS,
    IGNORE_REVS,
    MAX_TEXT,
    BlameCache,
    History,
    Options,
    Repo,
    describe,
    ignored_revisions,
)
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

__all__ = ["BOTS", "IGNORE_REVS", "BlameCache", "History", "Options", "Repo", "attribute",
           "blame_all", "co_authors", "describe", "ignored_revisions",
           "load_codeowners", "ranges"]  # fmt: skip


def attribute(
    root: Path, identities: Sequence[Identity], in_git: bool, options: Options | None = None
) -> tuple[tuple[Attributed, ...], tuple[ScanError, ...]]:
    """Attribute every identity; CODEOWNERS problems come back as scan errors."""
    options = options or Options()
    forget_working_tree()  # blames of working-tree files are kept for one scan only
    owners, errors = load_codeowners(root)
    repo, revs_errors = describe(root, in_git, options)
    rules, unmatched = _owner_rules(owners, identities, options)
    if not in_git:
        found = installer.folder_owner(options.owner)
        subjects = tuple(
            Attributed(identity=i, attribution=dataclasses.replace(
                _attribution(repo, i, None, owners, rules, {}, None), provisioner=found))
            for i in identities
        )  # fmt: skip
        return installer.credit(subjects), (*errors, *unmatched)
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
    moves.expect(root, _introductions(identities, histories))

    # Choosing and tracing walk back through history (a few git calls for some identities):
    # on the git workers too.
    broken: list[ScanError] = []

    def attributed(identity: Identity) -> Attributed:
        past = histories.get(identity.path)
        try:
            choice = _choose(repo, identity, past, wanted[identity.id], details, texts,
                             options.deadline)  # fmt: skip
            return Attributed(identity=identity, attribution=_attribution(
                repo, identity, past, owners, rules, details, choice))  # fmt: skip
        except Exception as error:  # a bug of ours on one identity: its, never the scan's
            why = (f"not attributed: internal error ({type(error).__name__}); this is a bug, "
                   "please report it")  # the type only: a message may quote the file  # fmt: skip
            broken.append(ScanError(path=identity.path, line=identity.line, message=why))
            unknown = Provisioner(name="", email="", commit="", date="", uncommitted=False,
                                  confidence=Confidence.UNKNOWN, evidence=(why,))  # fmt: skip
            found = _attribution(repo, identity, None, owners, rules, details, None)
            found = dataclasses.replace(found, provisioner=unknown)  # its owners still hold
            return Attributed(identity=identity, attribution=found)

    # An identity whose file's blame came from the cache finds its walks there too: what is
    # left is Python, and on the workers it only takes turns at the interpreter lock (warm,
    # 0.44 s against 0.30 s serially). Those are attributed serially, the others on the git
    # workers first (#21: after a commit that touched one of the generated tree's identity
    # files, a scan with the cache took 1.20 s, now 0.78 s).
    warm = {n for n, i in enumerate(identities)
            if (past := histories.get(i.path)) is not None and past.cached}  # fmt: skip
    fresh = [n for n in range(len(identities)) if n not in warm]
    done = dict(zip(fresh, parallel(options, attributed, [identities[n] for n in fresh]),
                    strict=True)) if fresh else {}  # fmt: skip
    done.update((n, attributed(identities[n])) for n in sorted(warm))
    subjects = tuple(done[n] for n in range(len(identities)))
    late = tuple(
        ScanError(path=path, line=None, message=f"{_NOT_BLAMED}: {_deadline(options)}")
        for path, past in sorted(histories.items())
        if past.error == _NOT_BLAMED
    )
    return installer.credit(subjects), (*errors, *unmatched, *late, *broken)


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


def _introductions(
    identities: Iterable[Identity], histories: Mapping[str, History]
) -> dict[str, set[tuple[str, str]]]:
    """The commit each Terraform block's first line is blamed to, with the path it had then
    and the block's signature: the commits whose moves `moves.follow` may trace, asked of git
    at once if it does."""
    found: dict[str, set[tuple[str, str]]] = {}
    for identity in identities:
        past = histories.get(identity.path)
        line = past.lines.get(identity.line) if past is not None else None
        signature = moves.literal(identity)
        if line is None or line.commit.boundary or line.commit.uncommitted or signature is None:
            continue
        path = line.original_path or identity.path
        found.setdefault(line.commit.sha, set()).add((path, signature))
    return found


def _commits(histories: Mapping[str, History]) -> set[str]:
    return {line.commit.sha for past in histories.values() for line in past.lines.values()
            if not line.commit.uncommitted}  # fmt: skip


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
