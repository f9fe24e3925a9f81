"""The organisation-wide view: many repositories' reports judged against who is still here.

Pure: reports and a roster in, an `Aggregate` out. The org-scope policies (NHI101-NHI104) are
evaluated with the roster as their `Directory`; every identity they fire on is an orphan and is
routed to the person who must decide: the nearest active manager up the chain of the departed
person (the provisioner first, else an owner), else the active owners, else a default owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scanner.model import Attributed, Policy, Report
from scanner.policy import Context, evaluate
from scanner.roster import Roster, normalise


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonState:
    reference: str  # as the report names them: an email, @login or @org/team
    role: str  # provisioner or owner
    state: str
    email: str | None  # the roster's primary email, when matched


@dataclass(frozen=True, slots=True, kw_only=True)
class Orphan:
    repository: str
    identity: str
    kind: str
    name: str
    path: str
    line: int
    rules: tuple[str, ...]
    people: tuple[PersonState, ...]
    route_to: tuple[str, ...]
    why: str  # how route_to was chosen


@dataclass(frozen=True, slots=True, kw_only=True)
class Aggregate:
    repositories: tuple[str, ...]
    identities: int
    orphans: tuple[Orphan, ...]
    rejected: tuple[tuple[str, str], ...]  # (source, reason)


def aggregate(reports: Iterable[Report], roster: Roster, policies: Sequence[Policy],
              rejected: Sequence[tuple[str, str]] = (),
              default_owner: str | None = None) -> Aggregate:  # fmt: skip
    orphans: list[Orphan] = []
    names: list[str] = []
    count = 0
    for report in reports:
        names.append(report.repository.name)
        count += len(report.subjects)
        waiver_owners: dict[str, list[str]] = {}
        for status in report.waivers:
            if status.waiver.identity is not None and status.status == "active":
                waiver_owners.setdefault(status.waiver.identity, []).append(status.waiver.owner)
        context = Context(
            directory=roster, waiver_owners={k: tuple(v) for k, v in waiver_owners.items()}
        )
        findings = evaluate(policies, report.subjects, scope="org", context=context)
        rules: dict[str, list[str]] = {}
        for finding in findings:
            rules.setdefault(finding.identity, []).append(finding.rule)
        orphans.extend(
            _orphan(report.repository.name, subject, tuple(rules[subject.identity.id]), roster,
                    default_owner)
            for subject in report.subjects
            if subject.identity.id in rules
        )  # fmt: skip
    orphans.sort(key=lambda o: (o.route_to, o.repository, o.path, o.line))
    return Aggregate(repositories=tuple(names), identities=count, orphans=tuple(orphans),
                     rejected=tuple(rejected))  # fmt: skip


def _orphan(
    repository: str,
    subject: Attributed,
    rules: tuple[str, ...],
    roster: Roster,
    default_owner: str | None,
) -> Orphan:
    identity = subject.identity
    people = _people(subject, roster)
    route, why = _route(people, roster, default_owner)
    return Orphan(repository=repository, identity=identity.id, kind=identity.kind,
                  name=identity.name, path=identity.path, line=identity.line, rules=rules,
                  people=people, route_to=route, why=why)  # fmt: skip


def _people(subject: Attributed, roster: Roster) -> tuple[PersonState, ...]:
    attribution = subject.attribution
    references = [("provisioner", attribution.provisioner.email)] if attribution.provisioner \
        else []  # fmt: skip
    owners = attribution.owners or subject.identity.declared_owners
    references += [("owner", owner) for owner in owners]
    people = []
    for role, reference in references:
        person = roster.person(reference)
        people.append(PersonState(reference=reference, role=role, state=roster.state(reference),
                                  email=person.primary if person else None))  # fmt: skip
    return tuple(people)


def _route(
    people: Sequence[PersonState], roster: Roster, default_owner: str | None
) -> tuple[tuple[str, ...], str]:
    for person in people:
        found = roster.person(person.reference) if person.state != "active" else None
        if found is not None:
            manager, skipped = roster.route(found)
            if manager is not None:
                past = f" (past {', '.join(skipped)})" if skipped else ""
                return (manager.primary,), f"manager of {found.primary}{past}"
    active = [p for p in people if p.role == "owner" and p.state == "active"]
    if active:
        return tuple(sorted({p.email or normalise(p.reference) for p in active})), \
            "the active owners"  # fmt: skip
    if default_owner:
        return (default_owner,), "the default owner (nobody else could decide)"
    return (), "nobody: give --default-owner"
