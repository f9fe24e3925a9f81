"""`nhi lineage`: one person's (or one identity's) lineage across reports, and the map's data.

Pure functions over `Report`s and their links (plus `lineage.across` links between them):
what a person provisioned or owns, what each identity reaches, who consumes it, and whether
it is an orphan (no accountable owner). Rendered as text, JSON or Mermaid here, and as the
standalone HTML map by `lineage.html`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from scanner.aggregate.resolve import Aggregate
from scanner.lineage.mapdata import map_data, reach_text
from scanner.model import JSON, Attributed, Link, Reach, Report
from scanner.reporters import markdown
from scanner.reporters.json import link_json, reach_json
from scanner.roster import normalise

_USES = ("consumes", "assumes")


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One identity in a lineage view, with everything around it."""

    repository: str
    subject: Attributed
    roles: tuple[str, ...]  # "provisioned", "owns"
    reach: Reach | None
    links: tuple[Link, ...]  # from or to it
    consumers: tuple[str, ...]  # what uses it, directly or through where it is stored

    @property
    def orphan(self) -> bool:
        identity = self.subject.identity
        return not (self.subject.attribution.owners or identity.declared_owners)


# One key per person (#23): a roster's `canonical` knows every alias; without a roster, a
# noreply address is its `@login` and the rest is compared case-insensitively.
Canonical = Callable[[str], str]


def roles(subject: Attributed, person: str, canonical: Canonical = normalise) -> tuple[str, ...]:
    """How `person` (an email, `@login`, a noreply address or `@org/team`) is accountable for
    `subject`, whichever alias of theirs the report used."""
    who = canonical(person)
    provisioner = subject.attribution.provisioner
    found = []
    if provisioner is not None and canonical(provisioner.email) == who:
        found.append("provisioned")
    owners = (*subject.attribution.owners, *subject.identity.declared_owners)
    if any(canonical(owner) == who for owner in owners):
        found.append("owns")
    return tuple(found)


def for_person(reports: Sequence[Report], across: Sequence[Link], person: str,
               canonical: Canonical = normalise) -> list[Entry]:  # fmt: skip
    """Everything `person` provisioned or owns, in report order."""
    return [entry for entry in _entries(reports, across, person, canonical) if entry.roles]


def for_identity(reports: Sequence[Report], across: Sequence[Link], wanted: str) -> list[Entry]:
    """The identity with this id (or `<repository>:<id>`), in every report that has it."""
    return [
        entry
        for entry in _entries(reports, across, None)
        if wanted in (entry.subject.identity.id, f"{entry.repository}:{entry.subject.identity.id}")
    ]


def _entries(reports: Sequence[Report], across: Sequence[Link], person: str | None,
             canonical: Canonical = normalise) -> Iterator[Entry]:  # fmt: skip
    for report in reports:
        links = [*report.links, *(a for a in across if _in(a, report))]
        reach = {r.identity: r for r in report.reach}
        for subject in report.subjects:
            here = subject.identity.id
            yield Entry(
                repository=report.repository.name,
                subject=subject,
                roles=roles(subject, person, canonical) if person else (),
                reach=reach.get(here),
                links=tuple(link for link in links if here in (link.source, link.to)),
                consumers=tuple(_consumers(subject, links)),
            )


def _in(link: Link, report: Report) -> bool:
    return report.repository.name in (link.attributes.get("to_repository"),
                                      link.attributes.get("from_repository"))  # fmt: skip


def _consumers(subject: Attributed, links: Sequence[Link]) -> Iterator[str]:
    """Its own consumers, what consumes or assumes it, who may run as it (`assumable_by`), and
    what consumes where it is stored."""
    here = subject.identity.id
    yield from (consumer.ref for consumer in subject.identity.consumers)
    stored = {link.to for link in links if link.source == here and link.relation == "stored_as"}
    for link in links:
        if link.relation in _USES and (link.to == here or link.to in stored):
            yield link.source
        elif link.relation == "assumable_by" and link.source == here:
            yield link.to


def render_text(title: str, entries: Sequence[Entry]) -> str:
    if not entries:
        return f"{title}: nothing found\n"
    orphans = sum(entry.orphan for entry in entries)
    out = [f"{title}: {len(entries)} identities, {orphans} without an accountable owner", ""]
    repository = None
    for entry in entries:
        if entry.repository != repository:
            out.extend([""] if repository else [])
            repository = entry.repository
            out.append(repository)
        identity, attribution = entry.subject.identity, entry.subject.attribution
        owners = ", ".join(attribution.owners or identity.declared_owners)
        tags = [*entry.roles, "ORPHAN: no accountable owner" if entry.orphan else f"owner {owners}"]
        out.append(f"  {identity.id}  [{'; '.join(tags)}]")
        if entry.reach is not None:
            out.append(f"      reach: {reach_text(entry.reach)}")
        out.extend(f"      {_link_text(link, identity.id)}" for link in entry.links)
        if entry.consumers:
            out.append(f"      used by: {', '.join(dict.fromkeys(entry.consumers))}")
    return "\n".join(out) + "\n"


def _link_text(link: Link, here: str) -> str:
    if link.source == here:
        return f"{link.relation} -> {link.to}"
    return f"<- {link.relation} {link.source}"


def render_json(title: str, entries: Sequence[Entry]) -> str:
    document: dict[str, JSON] = {
        "query": title,
        "identities": [
            {
                "repository": entry.repository,
                "id": entry.subject.identity.id,
                "kind": entry.subject.identity.kind,
                "name": entry.subject.identity.name,
                "roles": list(entry.roles),
                "owners": list(entry.subject.attribution.owners),
                "orphan": entry.orphan,
                "reach": None if entry.reach is None else reach_json(entry.reach),
                "links": [link_json(link) for link in entry.links],
                "consumers": list(dict.fromkeys(entry.consumers)),
            }
            for entry in entries
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_mermaid(entries: Sequence[Entry], reports: Sequence[Report] = ()) -> str:
    subjects = [entry.subject for entry in entries]
    links = list(dict.fromkeys(link for entry in entries for link in entry.links))
    known = {s.identity.id: s for report in reports for s in report.subjects}
    return markdown.diagram(subjects, links, known, limit=len(subjects))


FORMATS = ("html", "json", "mermaid", "text")


def organisation_map(reports: Sequence[Report], result: Aggregate) -> str:
    """`nhi aggregate --format html`: every repository's map, joined by the links between
    repositories, with the aggregator's verdicts and the people's roster states."""
    from scanner.lineage import html

    resolved = {r.key: r for r in result.identities}
    data = map_data(reports, result.links, resolved)
    data["initial"] = {"person": ""}
    return html.render(data, "nhi: the organisation's machine identities")


def render(reports: Sequence[Report], *, person: str | None, identity: str | None, fmt: str,
           canonical: Canonical = normalise) -> str:  # fmt: skip
    """`nhi lineage` output. HTML is the whole map (opened on `person` when given)."""
    from scanner.lineage import html
    from scanner.lineage.across import across as links_across

    across = links_across(reports)
    if fmt == "html":
        data = map_data(reports, across, canonical=canonical)
        data["initial"] = {"person": canonical(person) if person else ""}
        return html.render(data, f"nhi lineage: {person}" if person else "nhi lineage map")
    if person is not None:
        title, entries = person, for_person(reports, across, person, canonical)
    else:
        title, entries = str(identity), for_identity(reports, across, str(identity))
    if fmt == "json":
        return render_json(title, entries)
    if fmt == "mermaid":
        return render_mermaid(entries, reports)
    return render_text(title, entries)
