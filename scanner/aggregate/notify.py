"""One GitHub issue per repository listing its orphans, kept up to date run after run.

A hidden marker in the body finds the issue again (no duplicates); each orphan's line carries
its own hidden key, so an orphan that is gone since the last run is ticked off, and an issue
with no orphan left is closed. `--dry-run` returns the actions without taking them. Everything
taken from the scanned repositories is escaped (`aggregate_output.md`): a name cannot become a
link, HTML or an @mention; only the deciders' GitHub logins from the roster are mentioned.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from github import GithubException
from github.Repository import Repository

from scanner.aggregate.output import leaving_note, md
from scanner.aggregate.resolve import Resolved

MARKER = "<!-- nhi-scanner:orphans -->"
TITLE = "Orphaned non-human identities need a decision"
_ITEM = re.compile(r"^- \[(?P<done>[ x])\] (?P<text>.*) <!-- nhi-key:(?P<key>[A-Za-z0-9_=-]+) -->$")
_TEAM = re.compile(r"^@[a-z0-9](?:[a-z0-9-]{0,38})/[a-z0-9][a-z0-9._-]*$", re.IGNORECASE)
_LOGIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38})(?:_[a-z0-9]+)?$", re.IGNORECASE)
_DECIDED = " (decided: "  # what follows a ticked row's own text (#24)
# identity id -> (what was decided, e.g. "kept by carol@acme.example on 2026-11-02", the person
# to mention, and as what: "Decided by" the decider, or "Handed over to" the new owner)
Decided = Mapping[str, tuple[str, str, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    repository: str
    verb: str  # create, update, close, unchanged
    number: int | None
    body: str

    def describe(self) -> str:
        where = f" #{self.number}" if self.number is not None else ""
        return f"{self.verb} issue{where} in {self.repository}"


def _key(identity: str) -> str:
    return base64.urlsafe_b64encode(identity.encode()).decode()


def _decider(email: str, logins: Callable[[str], Sequence[str]]) -> str:
    """A person's GitHub login as an @mention, a CODEOWNERS team as itself, else the address
    escaped (never a mention GitHub would expand)."""
    if _TEAM.match(email):
        return email
    found = [login for login in logins(email) if _LOGIN.match(login)]
    return f"@{found[0]}" if found else md(email)


def body(
    orphans: Sequence[Resolved], logins: Callable[[str], Sequence[str]],
    previous: str | None = None, decided: Decided | None = None,
) -> str:  # fmt: skip
    """The issue body: open orphans unticked, those decided or resolved since `previous` ticked
    (a decided row says what was decided; each decider is mentioned once, below the rows)."""
    current = {_key(o.identity) for o in orphans}
    lines = [
        MARKER,
        "",
        "`nhi aggregate` found machine identities in this repository whose "
        "people have left or are unknown. Each needs a decision from the person named: "
        "take it over (CODEOWNERS), or delete it.",
        "",
    ]
    for orphan in orphans:
        deciders = ", ".join(_decider(e, logins) for e in orphan.route_to) or "nobody"
        # Someone leaving soon: the decider hears before they go (#23).
        why = f"leaving: {leaving_note(orphan)}" if orphan.state == "leaving" \
            else ", ".join(orphan.rules)  # fmt: skip
        lines.append(
            f"- [ ] {md(orphan.kind)} {md(orphan.name)} at {md(orphan.path)}:"
            f"{orphan.line} ({md(why) if orphan.state == 'leaving' else why}): decide {deciders} "
            f"<!-- nhi-key:{_key(orphan.identity)} -->"
        )
    by_key = {_key(identity): done for identity, done in (decided or {}).items()}
    mentioned: dict[str, dict[str, None]] = {}  # each person once per issue
    for line in (previous or "").splitlines():
        match = _ITEM.match(line)
        if match and match["key"] not in current:
            text = match["text"].removesuffix(" (resolved)").partition(_DECIDED)[0]
            how, who, label = by_key.get(match["key"], ("", "", ""))
            if who:
                mentioned.setdefault(label, {})[_decider(who, logins)] = None
            done = f"{_DECIDED}{md(how)})" if how else " (resolved)"
            lines.append(f"- [x] {text}{done} <!-- nhi-key:{match['key']} -->")
    if mentioned:
        lines += ["", *(f"{label} {', '.join(people)}." for label, people in mentioned.items())]
    return "\n".join(lines) + "\n"


def sync(
    repo: Repository,
    name: str,
    orphans: Sequence[Resolved],
    logins: Callable[[str], Sequence[str]],
    *,
    dry_run: bool,
    decided: Decided | None = None,
) -> Action | None:
    """Open, update or close this repository's issue; None when there is nothing to do."""
    existing = next((i for i in repo.get_issues(state="open") if MARKER in (i.body or "")), None)
    text = body(orphans, logins, existing.body if existing else None, decided)
    if existing is None:
        if not orphans:
            return None
        number = None if dry_run else repo.create_issue(title=TITLE, body=text).number
        return Action(repository=name, verb="create", number=number, body=text)
    if not orphans:
        if not dry_run:
            existing.edit(body=text, state="closed")
        return Action(repository=name, verb="close", number=existing.number, body=text)
    if text == existing.body:
        return Action(repository=name, verb="unchanged", number=existing.number, body=text)
    if not dry_run:
        existing.edit(body=text)
    return Action(repository=name, verb="update", number=existing.number, body=text)


def sync_all(
    repository: Callable[[str], Repository],
    orphans: Sequence[Resolved],
    repositories: Sequence[str],
    logins: Callable[[str], Sequence[str]],
    *,
    dry_run: bool,
    decided: Mapping[str, Decided] | None = None,
) -> tuple[list[Action], list[tuple[str, str]]]:
    """Sync every repository in `repositories` (those with orphans, and those whose orphans
    were resolved); one that fails is listed and the rest go on."""
    actions: list[Action] = []
    failures: list[tuple[str, str]] = []
    for name in sorted(set(repositories)):
        try:
            action = sync(
                repository(name),
                name,
                [o for o in orphans if o.repository == name],
                logins,
                dry_run=dry_run,
                decided=(decided or {}).get(name),
            )
        except GithubException as error:
            failures.append((name, f"GitHub answered {error.status}"))
            continue
        if action is not None:
            actions.append(action)
    return actions, failures
