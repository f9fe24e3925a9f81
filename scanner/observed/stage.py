"""The aggregator's observed stage (`nhi aggregate --observed FILE`): read the exports, join
them with what the repositories declare, judge each pair with the organisation's policies
(NHI110-NHI115, data like the others) and route what they find to a person.

Runs after `resolve.aggregate`, on the declared keys gathered while the reports streamed by
(`declared.Collector`), and returns the `Aggregate` with its `observed` part. An export that
cannot be used is one `rejected` entry (its provider is then not judged: no drift is read
from a file that was not read).
"""

from __future__ import annotations

import dataclasses
import datetime
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner import policy
from scanner.aggregate.options import GitHubOptions
from scanner.aggregate.resolve import Aggregate, PersonState, Resolved
from scanner.collector import paused
from scanner.errors import ObservedError
from scanner.model import JSON, Attributed, Attribution, Category, Identity
from scanner.observed import activity, load
from scanner.observed.declared import Collector
from scanner.observed.join import COVERAGE, PRINCIPALS, Joined, join
from scanner.observed.model import LISTED, Observed
from scanner.observed.result import Export, Observation, Seen
from scanner.policy import Context, evaluate, needs_exports
from scanner.roster import Roster
from scanner.roster.route import decide

BATCH = 5000


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """The exports read before the reports stream by, and the collector of declared names
    that only keeps what those exports can speak about."""

    collector: Collector
    exports: tuple[Export, ...]
    observed: tuple[Observed, ...]
    rejected: tuple[tuple[str, str], ...]  # exports that could not be used, and why


def prepare(files: Sequence[Path], github: GitHubOptions | None = None, live: bool = False,
            folder: Path | None = None) -> tuple[Prepared, list[tuple[str, str]]]:  # fmt: skip
    """Read the exports (with `live`, first collect the GitHub one into `folder`); what
    GitHub refused, as (what, reason)."""
    files, refused = list(files), []
    if github is not None and live:
        from scanner.aggregate.connect import client
        from scanner.observed import github_live

        saved = (folder or Path(tempfile.mkdtemp(prefix="nhi-observed-"))) / "observed-github.json"
        connection = client().connect(github.token, github.base_url)
        refused = github_live.save(connection, github.org, saved)
        files.append(saved)
    exports: list[Export] = []
    observed: list[Observed] = []
    rejected: list[tuple[str, str]] = []
    for path in files:
        try:
            name, found = load(path)
        except ObservedError as error:
            rejected.append((str(path), str(error).removeprefix(f"{path}: ")))
            continue
        dates = {o.exported for o in found if o.exported}
        items = sum(1 for o in found if o.kind not in (LISTED, COVERAGE))
        exports.append(Export(source=str(path), format=name, items=items,
                              exported=max(dates) if dates else None))  # fmt: skip
        observed.extend(found)
    collector = Collector(frozenset(o.provider for o in observed))
    return Prepared(collector=collector, exports=tuple(exports), observed=tuple(observed),
                    rejected=tuple(rejected)), refused  # fmt: skip


def observe(result: Aggregate, roster: Roster, prepared: Prepared, as_of: datetime.date,
            default_owner: str | None = None) -> Aggregate:  # fmt: skip
    """`result` with the exports joined, judged and routed; bad exports are rejected."""
    collector = prepared.collector
    observed = activity.expire(activity.fold(prepared.observed), as_of)  # last uses, end dates
    with paused():  # the join's many small values over the aggregate's heap: no cycles
        joined = join(collector.declared, observed, frozenset(collector.repositories))
        seen = judge(joined, result, roster, as_of, default_owner)
    notes = _notes(collector, {o.provider for o in observed})
    return dataclasses.replace(
        result,
        rejected=(*result.rejected, *prepared.rejected),
        notes=(*result.notes, *notes),
        observed=Observation(
            exports=prepared.exports, seen=tuple(seen), rejected=prepared.rejected
        ),
    )


def judge(joined: Iterable[Joined], result: Aggregate, roster: Roster, as_of: datetime.date,
          default_owner: str | None) -> list[Seen]:  # fmt: skip
    """Each pair with the org policies that fire on it and who must decide."""
    pairs = list(joined)
    wanted = {(j.declared.repository, j.declared.identity) for j in pairs if j.declared}
    wanted_repos = {_repository(j) for j in pairs if not j.declared}
    declared: dict[tuple[str, str], Resolved] = {}
    repo_people: dict[str, list[Resolved]] = {}
    for r in result.identities:
        if r.key in wanted:
            declared[r.key] = r
        if r.repository in wanted_repos:
            repo_people.setdefault(r.repository, []).append(r)
    repo_owners = {repository: _answerable(items) for repository, items in repo_people.items()}
    judged = [p for p in policy.builtin() if p.scope == "org" and needs_exports(p)]
    context = Context(directory=roster)
    seen = []
    for start in range(0, len(pairs), BATCH):  # a batch of subjects at a time, then dropped
        batch = pairs[start : start + BATCH]
        subjects = [_subject(index, pair, declared, as_of) for index, pair in enumerate(batch)]
        rules: dict[str, set[str]] = {}  # one evaluation a batch: a subject's pointer is its index
        for finding in evaluate(judged, [s for s, _ in subjects], scope="org", context=context):
            rules.setdefault(finding.identity, set()).add(finding.rule)
        for pair, (subject, ident) in zip(batch, subjects, strict=True):
            seen.append(_seen(pair, subject, ident, tuple(sorted(rules.get(subject.identity.id,
                              ()))), declared, repo_owners, roster, default_owner))  # fmt: skip
    seen.sort(key=lambda s: (not s.rules, s.rules, s.repository, s.identity, s.state))
    return seen


def _seen(pair: Joined, subject: Attributed, ident: str, rules: tuple[str, ...],
          declared: dict[tuple[str, str], Resolved],
          repo_owners: dict[str, tuple[tuple[str, ...], str]], roster: Roster,
          default_owner: str | None) -> Seen:  # fmt: skip
    route: tuple[str, ...] = ()
    why = ""
    if rules:
        route, why = _route(pair, declared, repo_owners, roster, default_owner)
    identity = subject.identity
    return Seen(
        state=pair.state, repository=_repository(pair), identity=ident, kind=identity.kind,
        name=identity.name, path=identity.path, line=identity.line, pair=pair,
        unused_days=_int(identity.attributes.get("unused_days")),
        key_age_days=_int(identity.attributes.get("key_age_days")),
        rules=rules, route_to=route, why=why,
    )  # fmt: skip


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _repository(pair: Joined) -> str:
    """A declared pair's repository; a repository secret's own; else "" (organisation)."""
    if pair.declared is not None:
        return pair.declared.repository
    o = pair.observed
    if o is not None and o.provider == "github" and "/" in o.scope and ":" not in o.scope:
        return o.scope
    if o is not None and o.provider == "github" and ":env:" in o.scope:
        return o.scope.split(":env:", 1)[0]
    return ""


def _days(since: str | None, until: datetime.date) -> int | None:
    if since is None:
        return None
    return (until - datetime.date.fromisoformat(since)).days


def _subject(index: int, pair: Joined, declared: dict[tuple[str, str], Resolved],
             as_of: datetime.date) -> tuple[Attributed, str]:  # fmt: skip
    """The pair as an identity the policies can judge (its state and ages in days), and the
    id it is known by: the declared identity's, else `<provider>:<scope>:<kind>/<name>`."""
    o, d = pair.observed, pair.declared
    until = datetime.date.fromisoformat(o.exported) if o and o.exported else as_of
    attributes: dict[str, JSON] = {"observed": pair.state}
    if o is not None and pair.state in ("live", "undeclared") and (o.tracks_use or o.last_used):
        attributes["unused_days"] = _days(o.last_used or o.created, until)
    if o is not None and pair.state in ("live", "undeclared") and o.parent:
        attributes["key_age_days"] = _days(o.rotated or o.created, until)
    if d is not None and d.sample:
        attributes["sample"] = "true"
    resolved = declared.get((d.repository, d.identity)) if d else None
    if resolved is not None:
        kind, name, path, line = resolved.kind, resolved.name, resolved.path, resolved.line
        ident = resolved.identity
    else:
        assert o is not None  # a declared pair always resolves; an undeclared one is observed
        kind, name, path, line = o.kind, o.name, "", 0
        ident = f"{o.provider}:{o.scope}:{o.kind}/{o.name}"
    principal = (d.observed_kind if d else kind) in PRINCIPALS
    identity = Identity(
        scanner="observed", kind=kind, name=name, path=path, line=line, end_line=line,
        category=Category.IDENTITY if principal else Category.CREDENTIAL,
        pointer=str(index), anchor_line=line,
        attributes={k: v for k, v in attributes.items() if v is not None},
    )  # fmt: skip
    return Attributed(identity=identity, attribution=Attribution()), ident


def _route(pair: Joined, declared: dict[tuple[str, str], Resolved],
           repo_owners: dict[str, tuple[tuple[str, ...], str]], roster: Roster,
           default_owner: str | None) -> tuple[tuple[str, ...], str]:  # fmt: skip
    """A declared identity goes where its own people say (`roster.route.decide`); what no
    repository declares, to the owner or creator the export names, else to the owners of the
    repository it lives in, else to the default owner."""
    d, o = pair.declared, pair.observed
    if d is not None:
        resolved = declared.get((d.repository, d.identity))
        return decide(resolved.people if resolved else (), roster, default_owner)
    named = [
        (role, ref)
        for role, ref in (
            ("owner", o.owner if o else None),
            ("provisioner", o.creator if o else None),
        )
        if ref
    ]
    if named:
        people = [_person(ref, role, roster) for role, ref in named]
        route, why = decide(people, roster, default_owner)
        return route, f"named by the export; {why}"
    owners, who = repo_owners.get(_repository(pair), ((), ""))
    if owners:
        return owners, f"{who} of {_repository(pair)}"
    if default_owner:
        return (default_owner,), "the default owner: the export names nobody"
    return (), "nobody: the export names nobody; give --default-owner"


def _answerable(items: list[Resolved]) -> tuple[tuple[str, ...], str]:
    """Who answers for what a repository stores but declares nowhere: its active owners
    (CODEOWNERS), else the active people who wrote its workflows (they read its secrets)."""
    owners = {p.email or p.reference for r in items for p in r.people
              if p.role == "owner" and p.state == "active"}  # fmt: skip
    if owners:
        return tuple(sorted(owners)), "the active owners"
    authors = {p.email or p.reference for r in items if r.kind == "workflow_secret"
               for p in r.people if p.role == "provisioner" and p.state == "active"}  # fmt: skip
    return tuple(sorted(authors)), "the active authors of the workflows"


def _person(reference: str, role: str, roster: Roster) -> PersonState:
    person = roster.person(reference)
    return PersonState(reference=reference, role=role, state=roster.state(reference),
                       email=person.primary if person else None)  # fmt: skip


def _notes(collector: Collector, providers: set[str]) -> tuple[str, ...]:
    """The declarations an export could speak about but whose provider name is unknown."""
    unjoinable = [(r, i, why) for r, i, provider, why in collector.unjoinable
                  if provider in providers][:3]  # fmt: skip
    count = sum(n for provider, n in collector.unjoinable_count.items() if provider in providers)
    if not count:
        return ()
    listed = "; ".join(f"{repo}: {ident} ({why})" for repo, ident, why in unjoinable)
    more = f"; and {count - len(unjoinable)} more" if count > len(unjoinable) else ""
    return (f"{count} declared identities could not be joined with the exports (their "
            f"provider name is not written literally): {listed}{more}",)  # fmt: skip
