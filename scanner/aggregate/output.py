"""Render an `Aggregate` (and the inventory's `History`, when there is one): text for people,
JSON for tools, CSV as an access review sheet, Markdown for a job summary or an issue."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from scanner.aggregate import decisions, duplicates, review_output
from scanner.aggregate.inventory import History, Resolution
from scanner.aggregate.resolve import Aggregate, PersonState, Resolved, gone
from scanner.aggregate.review_model import ADOPTED
from scanner.csv_cells import row
from scanner.model import JSON
from scanner.observed import render as observed_render
from scanner.reporters.json import array
from scanner.reporters.markdown import inert
from scanner.words import plural

# A renderer yields the output in pieces, so the CLI writes a large result as it goes.
Renderer = Callable[[Aggregate, "History | None"], Iterator[str]]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def _person(p: PersonState) -> dict[str, JSON]:
    person: dict[str, JSON] = {"person": p.person, "email": p.email, "state": p.state,
                               "reference": p.reference, "role": p.role}  # fmt: skip
    if p.left_on is not None:  # only when the roster says (#23)
        person["left_on"] = p.left_on
    if p.days_left is not None:
        person["days_left"] = p.days_left
    return person


def _where(item: Resolved | Resolution) -> dict[str, JSON]:
    """Which identity, and where it is declared: the keys every JSON list item starts with."""
    return {"repository": item.repository, "identity": item.identity, "kind": item.kind,
            "name": item.name, "path": item.path, "line": item.line}  # fmt: skip


def _orphan(o: Resolved, history: History | None) -> dict[str, JSON]:
    return {
        **_where(o),
        "rules": list(o.rules),
        "people": [_person(p) for p in o.people],
        "route_to": list(o.route_to),
        "why": o.why,
        "orphaned_since": _left_on(o) or (history.orphaned_since.get(o.key) if history else None),
        "new": o.key in history.new if history else None,
    }


def _identity(r: Resolved) -> dict[str, JSON]:
    return {
        **_where(r),
        "state": r.state,
        "people": [_person(p) for p in r.people],
        "reach": list(r.reach),
    }


def _resolution(r: Resolution) -> dict[str, JSON]:
    return {
        **_where(r),
        "orphaned_since": r.orphaned_since,
        "gone": r.gone,
    }


def _sections(result: Aggregate, history: History | None) -> Iterator[tuple[str, Any]]:
    """The JSON document's keys in order; the long lists are generators, built item by item."""
    yield "repositories", list(result.repositories)
    yield (
        "summary",
        {
            "repositories": len(result.repositories),
            "identities": len(result.identities),
            "orphans": len(result.orphans),
            "new_orphans": len(history.new) if history else 0,
            "rejected": len(result.rejected),
            "previous_run": history.previous_as_of if history else None,
        },
    )
    yield "orphans", (_orphan(o, history) for o in result.orphans)
    yield "leaving", (_orphan(r, None) for r in leaving(result))
    extra = observed_render.identities(result.observed)  # what exports say of each (#26)
    yield "identities", (_identity(r) | extra(r.key) for r in result.identities)
    yield "people", people_index(result)
    yield "resolved", (_resolution(r) for r in (history.resolved if history else ()))
    yield (
        "links",
        (
            {
                "from_repository": link.attributes.get("from_repository"),
                "from": link.source,
                "to_repository": link.attributes.get("to_repository"),
                "to": link.to,
                "relation": link.relation,
                "evidence": link.evidence,
            }
            for link in result.links
        ),
    )
    yield "rejected", [{"source": source, "reason": reason} for source, reason in result.rejected]
    yield "notes", list(result.notes)
    if result.review is not None:  # decisions, handovers, what is new (#24)
        yield "review", review_output.json_section(result)
    yield "duplicates", [duplicates.to_json(d) for d in result.duplicates]
    yield from observed_render.sections(result.observed)  # --observed exports (#26)


def people_index(result: Aggregate) -> list[dict[str, JSON]]:
    """One entry per person, whatever names the reports use for them (#23): the aliases seen
    (commit emails, noreply addresses, logins), the state, and how many identities they
    provisioned and own, and decide on."""
    people: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(result.identities):  # a number: cheaper in a set than a key
        for p in item.people:
            key = p.person
            entry = people.get(key)
            if entry is None:
                entry = people[key] = {"person": key, "state": p.state, "aliases": set(),
                                       "provisioned": set(), "owns": set(),
                                       "decides": set()}  # fmt: skip
            entry["aliases"].add(p.reference)
            if p.role in ("provisioner", "owner"):  # an installer neither made nor owns it
                entry["provisioned" if p.role == "provisioner" else "owns"].add(number)
    aliases = {alias.lower(): key for key, e in people.items() for alias in e["aliases"]}
    for number, item in enumerate(result.identities):
        for decider in item.route_to:
            key = aliases.get(decider.lower(), decider.lower())
            if key in people:
                people[key]["decides"].add(number)
    return [
        {
            "person": key,
            "state": e["state"],
            "aliases": sorted(e["aliases"]),
            "provisioned": len(e["provisioned"]),
            "owns": len(e["owns"]),
            "decides": len(e["decides"]),
        }
        for key, e in sorted(people.items())
    ]


def render_json(result: Aggregate, history: History | None = None) -> Iterator[str]:
    """One key a line and one list item a line: readable and diffable, written piece by piece
    (500,000 identities never exist as one string) by json's C encoder (an indented dump goes
    through the pure-Python encoder, 4x slower)."""
    yield "{"
    for index, (key, value) in enumerate(_sections(result, history)):
        yield ("\n  " if index == 0 else ",\n  ") + json.dumps(key) + ": "
        if isinstance(value, dict):
            yield json.dumps(value, ensure_ascii=False)
            continue
        yield from array(value, "  ")
    yield "\n}\n"


def since_note(orphan: Resolved, history: History | None) -> str:
    """'orphaned since 2026-03-02, when bob@acme.example left' when the roster says when he
    left; else 'noticed on <first run that saw it>; bob@acme.example has left' (#23)."""
    who = gone(orphan)
    if who is not None and who.state == "departed" and who.left_on:
        return f"orphaned since {who.left_on}, when {who.email or who.reference} left"
    day = history.orphaned_since.get(orphan.key) if history else None
    if day is None:
        return ""
    when = ""
    if who is not None:
        name = who.email or who.reference
        when = {
            "departed": f"; {name} has "
            + ("lost its last active member" if _is_team(who) else "left"),
            "unknown": f"; {name} is in no roster",
        }.get(who.state, f"; {name} is {who.state}")
    return f"noticed on {day}{when}"


def _left_on(item: Resolved) -> str | None:
    """The day the person who is gone left, when the roster says (#23)."""
    who = gone(item)
    return who.left_on if who is not None and who.state == "departed" else None


def leaving(result: Aggregate) -> list[Resolved]:
    """Identities whose people leave within the warning window, by decider (#23)."""
    return sorted((r for r in result.identities if r.state == "leaving"),
                  key=lambda r: (r.route_to, r.repository, r.path, r.line))  # fmt: skip


def leaving_note(item: Resolved) -> str:
    """'zoe@acme.example leaves on 2026-11-15, in 14 days' for each person leaving."""
    return "; ".join(
        (f"{p.reference} loses its last member on {p.left_on}" if _is_team(p)
         else f"{p.email or p.reference} leaves on {p.left_on}")
        + (f", in {p.days_left} days" if p.days_left is not None else "")
        for p in item.people
        if p.state == "leaving" and p.left_on
    )  # fmt: skip


def _is_team(p: PersonState) -> bool:
    return p.email is None and p.reference.startswith("@") and "/" in p.reference


def render_text(result: Aggregate, history: History | None = None) -> Iterator[str]:
    for note in result.notes:
        yield f"note: {note}\n"
    for orphan in result.orphans:
        people = ", ".join(f"{p.role} {p.email or p.reference} ({p.state})" for p in orphan.people)
        fresh = " NEW" if history and orphan.key in history.new else ""
        decider = ", ".join(orphan.route_to)
        lines = [
            f"{orphan.repository}: {orphan.path}:{orphan.line}: {orphan.kind} "
            f"{orphan.name} [{', '.join(orphan.rules)}]{fresh}",
            f"    people: {people or 'none'}",
            f"    decide: {decider} ({orphan.why})" if decider else f"    decide: {orphan.why}",
        ]
        if note := since_note(orphan, history):
            lines.append(f"    {note}")
        yield "\n".join(lines) + "\n"
    for item in leaving(result):
        people = ", ".join(f"{p.role} {p.email or p.reference} ({p.state})" for p in item.people)
        decider = ", ".join(item.route_to)
        yield (
            f"{item.repository}: {item.path}:{item.line}: {item.kind} {item.name} [leaving]\n"
            f"    people: {people}\n"
            f"    decide: {decider + ' (' + item.why + ')' if decider else item.why}\n"
            f"    {leaving_note(item)}\n"
        )
    by = review_output.resolved_how(result)
    for done in history.resolved if history else ():
        how = by.get((done.repository, done.identity)) or (
            "no longer declared" if done.gone else "owned again")  # fmt: skip
        yield (
            f"resolved: {done.repository}: {done.path}:{done.line}: {done.kind} "
            f"{done.name} ({how}; orphaned since {done.orphaned_since})\n"
        )
    yield from review_output.text(result)
    yield from observed_render.text(result.observed)  # --observed exports (#26)
    for source, reason in result.rejected:
        yield f"rejected: {source}: {reason}\n"
    yield from (duplicates.text(d) for d in result.duplicates)
    new = (
        f" ({len(history.new)} new since {history.previous_as_of})"
        if history and history.previous_as_of
        else ""
    )
    rejected = len(result.rejected)
    yield f"{len(result.orphans)} orphaned{new} of {_counted(result)}, {rejected} rejected\n"


def _reason(item: Resolved) -> str:
    away = [f"{p.email or p.reference} {p.state}" + (f" {p.left_on}" if p.left_on else "")
            for p in item.people if p.state != "active"]  # fmt: skip
    return "; ".join([*item.rules, *away] if item.rules or away else ["no owner"])


def _counted(result: Aggregate) -> str:
    """`12 identities in 3 repositories`, in English at any count."""
    return (f"{plural(len(result.identities), 'identity', 'identities')} in "
            f"{plural(len(result.repositories), 'repository', 'repositories')}")  # fmt: skip


def render_csv(result: Aggregate, history: History | None = None) -> Iterator[str]:
    """The access review sheet: one row per identity that needs a decision (orphaned, or with
    someone suspended or leaving), sorted by who must decide; the decision column is empty."""
    yield row(
        [
            "decider",
            "repository",
            "identity",
            "kind",
            "name",
            "path",
            "line",
            "state",
            "reason",
            "people",
            "orphaned_since",
            "why",
            *decisions.SHEET_COLUMNS,  # filled in, the sheet is a --decisions file (#24)
        ]
    )
    review = sorted(
        (r for r in result.identities if r.state not in ("owned", ADOPTED)),
        key=lambda r: (r.route_to, r.repository, r.path, r.line, r.identity),
    )
    decided = review_output.sheet_cells(result)
    for r in review:
        people = "; ".join(f"{p.email or p.reference} ({p.role}, {p.state})" for p in r.people)
        since = history.orphaned_since.get(r.key, "") if history else ""
        since = _left_on(r) or since
        yield row(
            (
                " ".join(r.route_to),
                r.repository,
                r.identity,
                r.kind,
                r.name,
                r.path,
                r.line,
                r.state,
                _reason(r),
                people,
                since,
                r.why,
                *decided(r),
            )
        )
    blank = ("",) * len(decisions.SHEET_COLUMNS)
    yield from (row((*duplicates.review_row(d), *blank)) for d in result.duplicates)
    yield from (row((*cells, *blank)) for cells in observed_render.csv_rows(result.observed))


def md(text: str) -> str:
    """Untrusted text for Markdown: no HTML, links, formatting, line breaks or @mentions."""
    flat = " ".join(str(text).split())
    return inert(_MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False)))


MARKDOWN_ROWS = 500  # a job summary holds 1 MiB; the CSV review sheet lists everything


def render_markdown(result: Aggregate, history: History | None = None) -> Iterator[str]:
    """A summary for people: one table per decider, at most MARKDOWN_ROWS orphans in all."""
    lines = [
        "# Orphaned non-human identities",
        "",
        f"{len(result.orphans)} orphaned of {_counted(result)}.",
        "",
    ]
    by_decider: dict[tuple[str, ...], list[Resolved]] = {}
    for orphan in result.orphans[:MARKDOWN_ROWS]:
        by_decider.setdefault(orphan.route_to, []).append(orphan)
    for decider, orphans in by_decider.items():
        lines += [
            f"## {md(', '.join(decider)) or 'Nobody (give --default-owner)'}",
            "",
            "| repository | identity | rules | people | since |",
            "|---|---|---|---|---|",
        ]
        for o in orphans:
            people = ", ".join(f"{p.email or p.reference} ({p.state})" for p in o.people)
            since = _left_on(o) or (history.orphaned_since.get(o.key, "") if history else "")
            fresh = " (new)" if history and o.key in history.new else ""
            lines.append(
                f"| {md(o.repository)} | {md(o.kind)} {md(o.name)} at "
                f"{md(o.path)}:{o.line} | {' '.join(o.rules)} | {md(people)} | "
                f"{since}{fresh} |"
            )
        lines.append("")
    if len(result.orphans) > MARKDOWN_ROWS:
        lines += [f"{len(result.orphans) - MARKDOWN_ROWS} more orphans are not shown here: "
                  "`--format csv` lists them all.", ""]  # fmt: skip
    soon = leaving(result)[:MARKDOWN_ROWS]
    if soon:
        lines += ["## Leaving soon", "", "| decide | repository | identity | who leaves |",
                  "|---|---|---|---|"]  # fmt: skip
        lines += [f"| {md(', '.join(r.route_to) or 'nobody')} | {md(r.repository)} | "
                  f"{md(r.kind)} {md(r.name)} at {md(r.path)}:{r.line} | {md(leaving_note(r))} |"
                  for r in soon]  # fmt: skip
        lines.append("")
    lines += review_output.markdown(result, md)  # decisions, handovers, what is new (#24)
    if result.duplicates:
        lines += ["## Identical identities", ""]
        lines += [f"- {md(duplicates.text(d).splitlines()[0])}" for d in result.duplicates]
        lines.append("")
    lines += observed_render.markdown(result.observed, md, MARKDOWN_ROWS)  # (#26)
    if result.notes:
        lines += ["## Notes on the rosters", ""]
        lines += [f"- {md(note)}" for note in result.notes]
        lines.append("")
    if result.rejected:
        lines += ["## Rejected reports", ""]
        lines += [f"- {md(source)}: {md(reason)}" for source, reason in result.rejected]
        lines.append("")
    yield "\n".join(lines)


RENDERERS: dict[str, Renderer] = {
    "csv": render_csv,
    "json": render_json,
    "markdown": render_markdown,
    "text": render_text,
}
