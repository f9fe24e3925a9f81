"""The organisation-wide view: many repositories' reports judged against who is still here.

Pure: reports and a roster in, an `Aggregate` out. The org-scope policies (NHI101-NHI104) are
evaluated with the roster as their `Directory`, and an identity the repository's own scan found
with no owner at all (NHI001, not waived) counts too; every identity a rule fires on is an
orphan. Orphans, and identities whose people are suspended or leaving, are routed to the person
who must decide: for an MCP credential whose own people are all gone, the active installer of
its server; else the nearest active manager up the chain of the person who is gone (the
provisioner first, else an owner), else the active owners, else a default owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner import reach as reach_facts
from scanner.aggregate import org_waivers
from scanner.aggregate.duplicates import Duplicate
from scanner.aggregate.review_model import Review
from scanner.model import Attributed, Link, Policy, Provisioner, Reach, Report
from scanner.policy import Context, evaluate
from scanner.roster import Roster, normalise
from scanner.roster.route import decide

if TYPE_CHECKING:
    from scanner.observed.result import Observation

INSTALLER = "installer"  # who added the MCP server entry a credential is handed to (#18)
NO_OWNER = "NHI001"  # repo-scope "no accountable owner", read from each report's findings
REVIEW_STATES = frozenset({"suspended", "leaving"})  # still here, but someone should look


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonState:
    reference: str  # as the report names them: an email, @login or @org/team
    role: str  # provisioner, owner or installer (of an MCP credential's server)
    state: str
    email: str | None  # the roster's primary email, when matched
    left_on: str | None = None  # the day they left or will leave (departed, leaving), if known
    days_left: int | None = None  # leaving: days from the run's date to `left_on`

    @property
    def person(self) -> str:
        """One key for every alias of one person (#23): the roster's primary email when the
        roster knows them, else the reference itself (a noreply address as `@login`)."""
        return self.email or normalise(self.reference)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    """One identity of one repository with its people looked up in the roster.

    `state` is `orphaned` (a rule fired: `rules`), `leaving` (someone leaves within the
    warning window), `review` (someone is suspended) or `owned`; `route_to` and `why` are
    empty for `owned` identities. `review.apply` may then settle one as `kept`,
    `reassigned`, `revoking` (a decision) or `adopted` (a handover, #24).
    """

    repository: str
    identity: str
    kind: str
    name: str
    path: str
    line: int
    state: str
    rules: tuple[str, ...]
    people: tuple[PersonState, ...]
    route_to: tuple[str, ...]
    why: str
    reach: tuple[str, ...] = ()  # "admin" and the services it can act on (see reach_labels)
    facets: tuple[tuple[str, str, str], ...] = ()  # (facet, value, evidence): scanner.reach

    @property
    def key(self) -> tuple[str, str]:
        return self.repository, self.identity


@dataclass(frozen=True, slots=True, kw_only=True)
class Aggregate:
    repositories: tuple[str, ...]
    identities: tuple[Resolved, ...]  # sorted by repository, path, line
    orphans: tuple[Resolved, ...]  # sorted by route_to, repository, path, line
    rejected: tuple[tuple[str, str], ...]  # (source, reason)
    links: tuple[Link, ...] = ()  # between repositories (lineage.across), added by collect.run
    local_links: tuple[Link, ...] = ()  # within each repository (`from_repository` says which)
    notes: tuple[str, ...] = ()  # what the rosters could not say plainly, added by collect.run
    review: Review | None = None  # decisions, handovers and changes (#24), added by review.apply
    duplicates: tuple[Duplicate, ...] = ()  # sets of copies (aggregate.duplicates), by inputs
    observed: Observation | None = None  # --observed exports joined (#26), by observed.stage


Known = dict[tuple[str, str, bool], PersonState]  # (reference, role, unknown) -> answer


def aggregate(reports: Iterable[Report], roster: Roster, policies: Sequence[Policy],
              default_owner: str | None = None,
              environments: Mapping[str, str] | None = None) -> Aggregate:  # fmt: skip
    """Resolve every identity of every report; when two reports name the same repository,
    the first one read wins and the other is rejected."""
    names: dict[str, None] = {}  # in the order read
    resolved: list[Resolved] = []
    waiver_notes: list[str] = []
    rejected: list[tuple[str, str]] = []
    known: Known = {}  # the same people behind 500,000 identities: each looked up once
    for report in reports:
        name = report.repository.name
        if name in names:
            rejected.append((name, "a second report for this repository; the first one is used"))
            continue
        names[name] = None
        rules, notes = org_waivers.judge(report, _rules(report, roster, policies), roster,
                                         policies)  # fmt: skip
        waiver_notes += notes
        reach = {r.identity: r for r in report.reach}
        for subject in report.subjects:
            # Reach labels and facets (#25): from `scanner.reach`, for every identity (an MCP
            # credential reaches its provider without any policy).
            found = reach.get(subject.identity.id)
            resolved.append(_resolve(
                name, subject, tuple(sorted(rules.get(subject.identity.id, ()))), roster,
                default_owner, reach=reach_facts.labels(found, subject.identity),
                facets=reach_facts.facets(subject, found, name, environments or {}), known=known,
            ))  # fmt: skip
    resolved.sort(key=lambda r: (r.repository, r.path, r.line, r.identity))
    orphans = sorted((r for r in resolved if r.state == "orphaned"),
                     key=lambda o: (o.route_to, o.repository, o.path, o.line))  # fmt: skip
    review = Review(waivers=tuple(waiver_notes)) if waiver_notes else None
    return Aggregate(repositories=tuple(names), identities=tuple(resolved),
                     orphans=tuple(orphans), rejected=tuple(rejected), review=review)  # fmt: skip


def reach_labels(reach: Reach) -> tuple[str, ...]:
    """What `nhi inventory --reach` matches: `admin`, and each service the identity can act on
    (a wildcard like `s3:*`, a named action like `iam:PassRole`, a managed policy or role)."""
    return reach_facts.labels(reach, None)


def _rules(report: Report, roster: Roster, policies: Sequence[Policy]) -> dict[str, set[str]]:
    """Which orphan rules fire on which identity id."""
    waiver_owners: dict[str, list[str]] = {}
    for status in report.waivers:
        if status.waiver.identity is not None and status.status == "active":
            waiver_owners.setdefault(status.waiver.identity, []).append(status.waiver.owner)
    context = Context(
        directory=roster, waiver_owners={k: tuple(v) for k, v in waiver_owners.items()}
    )
    rules: dict[str, set[str]] = {}
    for finding in evaluate(policies, report.subjects, scope="org", context=context):
        rules.setdefault(finding.identity, set()).add(finding.rule)
    for finding in report.findings:
        if finding.rule == NO_OWNER:  # waived or not: org_waivers judges its waiver (#24)
            rules.setdefault(finding.identity, set()).add(finding.rule)
    return rules


def _resolve(
    repository: str,
    subject: Attributed,
    rules: tuple[str, ...],
    roster: Roster,
    default_owner: str | None,
    reach: tuple[str, ...],
    facets: tuple[tuple[str, str, str], ...],
    known: Known,
) -> Resolved:
    identity = subject.identity
    people = _people(subject, roster, known)
    states = {p.state for p in people if p.role != INSTALLER}  # the credential's own people
    state = "orphaned" if rules else "leaving" if "leaving" in states else (
        "review" if states & REVIEW_STATES else "owned")  # fmt: skip
    route, why = _route(people, roster, default_owner) if state != "owned" else ((), "")
    return Resolved(repository=repository, identity=identity.id, kind=identity.kind,
                    name=identity.name, path=identity.path, line=identity.line, state=state,
                    rules=rules, people=people, route_to=route, why=why,
                    reach=reach, facets=facets)  # fmt: skip


def _people(subject: Attributed, roster: Roster, known: Known) -> tuple[PersonState, ...]:
    """The identity's people as the roster knows them; `known` keeps each (reference, role,
    unknown) answered once (the same few thousand people stand behind 500,000 identities)."""
    attribution, provisioner = subject.attribution, subject.attribution.provisioner
    # A provisioner nobody could name (only bots wrote it, blame failed) is no person to list,
    # look up or route to: the report's evidence says why.
    references: list[tuple[str, str | Provisioner]] = \
        [("provisioner", provisioner)] if provisioner and provisioner.email else []  # fmt: skip
    owners = attribution.owners or subject.identity.declared_owners
    references += [("owner", owner) for owner in owners]
    installer = attribution.installed_by  # an MCP credential's installer, asked first (#18)
    if installer is not None and installer.email:
        references.append((INSTALLER, installer))
    people = []
    for role, named in references:
        reference = named if isinstance(named, str) else named.email
        # History could not say who (#20): never route to their manager, never call them gone.
        unknown = not isinstance(named, str) and named.confidence == "unknown"
        found = known.get((reference, role, unknown))
        if found is None:
            found = known[reference, role, unknown] = _person(reference, role, unknown, roster)
        people.append(found)
    return tuple(people)


def _person(reference: str, role: str, unknown: bool, roster: Roster) -> PersonState:
    person = roster.person(reference)
    state = "unknown" if unknown else roster.state(reference)
    day = roster.leave_date(reference) if state in ("departed", "leaving") else None
    days = (day - roster.as_of).days if day and roster.as_of and state == "leaving" else None
    return PersonState(reference=reference, role=role, state=state,
                       email=person.primary if person else None,
                       left_on=day.isoformat() if day else None, days_left=days)  # fmt: skip


def _route(
    people: Sequence[PersonState], roster: Roster, default_owner: str | None
) -> tuple[tuple[str, ...], str]:
    """Who decides, and why: the routing order is in scanner/roster/route.py."""
    return decide(people, roster, default_owner)


def gone(orphan: Resolved) -> PersonState | None:
    """The first person whose absence makes this identity an orphan (departed, then unknown)."""
    for wanted in ("departed", "unknown", "suspended", "leaving"):
        for person in orphan.people:
            if person.state == wanted and person.role != INSTALLER:
                return person
    return None
