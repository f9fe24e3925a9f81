"""Render `nhi inventory` answers: text for people, JSON and CSV for tools."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from scanner.aggregate.inventory import Entry
from scanner.csv_cells import row
from scanner.model import JSON


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


def to_json(entries: Sequence[Entry]) -> list[JSON]:
    return [
        {
            "repository": e.repository,
            "identity": e.identity,
            "kind": e.kind,
            "name": e.name,
            "path": e.path,
            "line": e.line,
            "state": e.state,
            "rules": list(e.rules),
            "route_to": list(e.route_to),
            "people": [
                {"reference": r, "role": o, "email": m, "state": s} for r, o, m, s in e.people
            ],
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
        for e in entries
    ]


def render_json(entries: Sequence[Entry]) -> str:
    return json.dumps(to_json(entries), indent=2, ensure_ascii=False) + "\n"


def render_text(entries: Sequence[Entry]) -> str:
    lines = []
    for e in entries:
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
    lines.append(f"{len(entries)} identities")
    return "\n".join(lines) + "\n"


def render_csv(entries: Sequence[Entry]) -> str:
    lines = [
        row(
            [
                "repository",
                "identity",
                "kind",
                "name",
                "path",
                "line",
                "state",
                "rules",
                "people",
                "route_to",
                "first_seen",
                "last_seen",
                "orphaned_since",
                "resolved_at",
                "reach",
            ]
        )
    ]
    lines.extend(
        row(
            (
                e.repository,
                e.identity,
                e.kind,
                e.name,
                e.path,
                e.line,
                e.state,
                " ".join(e.rules),
                _people(e),
                " ".join(e.route_to),
                e.first_seen,
                e.last_seen,
                e.orphaned_since or "",
                e.resolved_at or "",
                " ".join(e.reach),
            )
        )
        for e in entries
    )
    return "".join(lines)


RENDERERS: dict[str, Callable[[Sequence[Entry]], str]] = {
    "csv": render_csv,
    "json": render_json,
    "text": render_text,
}
