"""Render `nhi inventory` answers: text for people, JSON and CSV for tools.

Each renderer yields its output piece by piece, so a broad question (100,000 answers) is
written as it is rendered, in constant memory; JSON is one identity per line through the C
encoder (`indent` would select the pure-Python one, 20x slower).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from scanner.aggregate.inventory import Entry
from scanner.csv_cells import row
from scanner.model import JSON
from scanner.reporters.json import array
from scanner.words import plural


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


def _facts(e: Entry) -> dict[str, JSON]:
    """Environment (with its evidence), named resources and the last change (#25)."""
    env, changed = _facets(e, "environment"), _facets(e, "changed")
    original = _facets(e, "duplicate_of")
    return {
        "environment": {"name": env[0][0], "from": env[0][1]} if env else None,
        "resources": [value for value, _ in _facets(e, "resource")],
        "changed": changed[0][0] if changed else None,
        "duplicate_of": {
            "identity": original[0][0],
            "differing": list[JSON](original[0][1].split(", ")),
        }
        if original
        else None,
    }


def to_json(e: Entry) -> dict[str, JSON]:
    return {
        "repository": e.repository,
        "identity": e.identity,
        "kind": e.kind,
        "name": e.name,
        "path": e.path,
        "line": e.line,
        "state": e.state,
        "rules": list(e.rules),
        "route_to": list(e.route_to),
        "people": [{"reference": r, "role": o, "email": m, "state": s} for r, o, m, s in e.people],
        "first_seen": e.first_seen,
        "last_seen": e.last_seen,
        "orphaned_since": e.orphaned_since,
        "resolved_at": e.resolved_at,
        "reach": list(e.reach),
        "links": [
            {"direction": d, "relation": r, "repository": o, "identity": i, "evidence": v}
            for d, r, o, i, v in e.links
        ],
        **_facts(e),
    }


def render_json(entries: Sequence[Entry]) -> Iterator[str]:
    """A JSON array, one identity per line."""
    yield from array(map(to_json, entries))
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


RENDERERS: dict[str, Callable[[Sequence[Entry]], Iterator[str]]] = {
    "csv": render_csv,
    "json": render_json,
    "text": render_text,
}
