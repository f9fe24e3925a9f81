"""Render `nhi inventory` answers: text for people, JSON and CSV for tools.

Each renderer yields its output piece by piece, so a broad question (100,000 answers) is
written as it is rendered, in constant memory; JSON is one identity per line through the C
encoder (`indent` would select the pure-Python one, 20x slower).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from scanner.csv_cells import row
from scanner.model import JSON
from scanner.reporters.json import encoder, lines
from scanner.words import plural

if TYPE_CHECKING:
    from scanner.aggregate.inventory_model import Answer, Entry
    from scanner.aggregate.resolve import Resolved

Person = tuple[str, str, "str | None", str]  # (reference, role, email, state)


def _people(entry: Entry) -> str:
    return "; ".join(
        f"{email or reference} ({role}, {state})" for reference, role, email, state in entry.people
    )


def _link(entry: Entry, link: tuple[str, str, str, str, str]) -> str:
    direction, relation, repository, other, _evidence = link
    where = other if repository == entry.repository else f"{repository}:{other}"
    return f"{relation} {where}" if direction == "to" else f"{where} {relation} it"


def _facets(entry: Entry, facet: str) -> list[tuple[str, str]]:
    return [(value, evidence) for name, value, evidence in entry.facets if name == facet]


# A JSON string as json's encoder writes one (ensure_ascii off): every text below is one.
_quote: Callable[[str], str] = json.encoder.encode_basestring


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(map(_quote, values)) + "]"


def _maybe(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _person(p: Person) -> str:
    return (f'{{"reference": {_quote(p[0])}, "role": {_quote(p[1])}, "email": {_maybe(p[2])}, '
            f'"state": {_quote(p[3])}}}')  # fmt: skip


def shown_text(e: Entry | Resolved, people: Iterable[Person]) -> str:
    """An answer's members that a run writes (all but the dates and the links), as JSON text
    without the braces: `json.dumps(..., ensure_ascii=False)`'s, written by hand because the
    inventory keeps it with each identity (500,000 on a first run: 8 -> 3 us each). The first
    environment (with its evidence), every resource, the first last change and the first
    original a duplicate copies (#25). `inventory.answers` completes it in SQL."""
    environment = changed = original = None
    resources = []
    for facet, value, evidence in e.facets:
        if facet == "resource":
            resources.append(_quote(value))
        elif facet == "environment" and environment is None:
            environment = f'{{"name": {_quote(value)}, "from": {_quote(evidence)}}}'
        elif facet == "changed" and changed is None:
            changed = _quote(value)
        elif facet == "duplicate_of" and original is None:
            original = (f'{{"identity": {_quote(value)}, '
                        f'"differing": {_strings(evidence.split(", "))}}}')  # fmt: skip
    return (
        f'"repository": {_quote(e.repository)}, "identity": {_quote(e.identity)}, '
        f'"kind": {_quote(e.kind)}, "name": {_quote(e.name)}, "path": {_quote(e.path)}, '
        f'"line": {int(e.line)}, "state": {_quote(e.state)}, "rules": {_strings(e.rules)}, '
        f'"route_to": {_strings(e.route_to)}, "people": [{", ".join(map(_person, people))}], '
        f'"reach": {_strings(e.reach)}, "environment": {environment or "null"}, '
        f'"resources": [{", ".join(resources)}], "changed": {changed or "null"}, '
        f'"duplicate_of": {original or "null"}'
    )


def links_json(links: Iterable[tuple[str, str, str, str, str]]) -> list[JSON]:
    return [
        {"direction": d, "relation": r, "repository": o, "identity": i, "evidence": v}
        for d, r, o, i, v in links
    ]


_ENCODE = encoder()


def answer_text(e: Entry) -> str:
    """One whole answer as JSON: what `inventory.answers` completes in SQL, for a row an older
    nhi wrote (no `shown` yet)."""
    return (f'{{{shown_text(e, e.people)}, "first_seen": {_quote(e.first_seen)}, '
            f'"last_seen": {_quote(e.last_seen)}, "orphaned_since": {_maybe(e.orphaned_since)}, '
            f'"resolved_at": {_maybe(e.resolved_at)}, '
            f'"links": {_ENCODE(links_json(e.links))}}}')  # fmt: skip


def render_json(answers: Iterable[Answer]) -> Iterator[str]:
    """A JSON array, one identity per line, of answers the inventory completed."""
    yield from lines(answer.text for answer in answers)
    yield "\n"


def render_text(entries: Sequence[Entry]) -> Iterator[str]:
    for e in entries:
        lines = []
        status = (
            f"orphaned since {e.orphaned_since}"
            if e.orphaned_since and not e.resolved_at
            else e.state
        )
        if e.state == "revoking":  # decided, still declared (#24)
            status = f"revocation pending; {status}"
        lines.append(
            f"{e.repository}: {e.path}:{e.line}: {e.kind} {e.name} ({status}; "
            f"first seen {e.first_seen}, last seen {e.last_seen})"
        )
        lines.append(f"    people: {_people(e) or 'none'}")
        if e.reach:
            lines.append(f"    reach: {', '.join(e.reach)}")
        for value, evidence in _facets(e, "environment"):
            lines.append(f"    environment: {value} ({evidence})")
        for value, evidence in _facets(e, "duplicate_of"):
            lines.append(f"    duplicate of: {value} (differs in {evidence})")
        if e.links:
            lines.append(f"    links: {'; '.join(_link(e, link) for link in e.links)}")
        if e.route_to:
            lines.append(f"    decide: {', '.join(e.route_to)}")
        yield "\n".join(lines) + "\n"
    yield plural(len(entries), "identity", "identities") + "\n"


_CSV_COLUMNS = ("repository", "identity", "kind", "name", "path", "line", "state", "rules",
                "people", "route_to", "first_seen", "last_seen", "orphaned_since",
                "resolved_at", "reach")  # fmt: skip


def render_csv(entries: Sequence[Entry]) -> Iterator[str]:
    yield row(_CSV_COLUMNS)
    for e in entries:
        yield row((e.repository, e.identity, e.kind, e.name, e.path, e.line, e.state,
                   " ".join(e.rules), _people(e), " ".join(e.route_to), e.first_seen,
                   e.last_seen, e.orphaned_since or "", e.resolved_at or "",
                   " ".join(e.reach)))  # fmt: skip


# JSON is written from `inventory.answers`, the others from `inventory.query`'s entries.
RENDERERS: dict[str, Callable[[Sequence[Entry]], Iterator[str]]] = {
    "csv": render_csv,
    "text": render_text,
}
