"""Render an `Aggregate` (and the inventory's `History`, when there is one): text for people,
JSON for tools, CSV as an access review sheet, Markdown for a job summary or an issue."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from scanner.aggregate import Aggregate, PersonState, Resolved, gone
from scanner.csv_cells import row
from scanner.inventory import History, Resolution
from scanner.model import JSON

# A renderer yields the output in pieces, so the CLI writes a large result as it goes.
Renderer = Callable[[Aggregate, "History | None"], Iterator[str]]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def _person(p: PersonState) -> dict[str, JSON]:
    return {"email": p.email, "state": p.state, "reference": p.reference, "role": p.role}


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
        "orphaned_since": history.orphaned_since.get(o.key) if history else None,
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
    yield "identities", (_identity(r) for r in result.identities)
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
        items = iter(value)
        first = next(items, _END)
        if first is _END:
            yield "[]"
            continue
        yield "[\n    " + json.dumps(first, ensure_ascii=False)
        for item in items:
            yield ",\n    " + json.dumps(item, ensure_ascii=False)
        yield "\n  ]"
    yield "\n}\n"


_END = object()


def since_note(orphan: Resolved, history: History | None) -> str:
    """'orphaned since 2026-03-02, when bob@acme.example left' (empty without an inventory)."""
    day = history.orphaned_since.get(orphan.key) if history else None
    if day is None:
        return ""
    who = gone(orphan)
    when = ""
    if who is not None:
        name = who.email or who.reference
        team = who.email is None and who.reference.startswith("@") and "/" in who.reference
        fresh = history is not None and orphan.key in history.new
        gone_verb = "lost its last active member" if team else "left"
        when = {  # "when" only if this run saw it happen; otherwise it is just a fact
            "departed": f", when {name} {gone_verb}" if fresh else f"; {name} has {gone_verb}",
            "unknown": f"; {name} is in no roster",
        }.get(who.state, f"; {name} is {who.state}")
    return f"orphaned since {day}{when}"


def render_text(result: Aggregate, history: History | None = None) -> Iterator[str]:
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
    for done in history.resolved if history else ():
        how = "no longer declared" if done.gone else "owned again"
        yield (
            f"resolved: {done.repository}: {done.path}:{done.line}: {done.kind} "
            f"{done.name} ({how}; orphaned since {done.orphaned_since})\n"
        )
    for source, reason in result.rejected:
        yield f"rejected: {source}: {reason}\n"
    new = (
        f" ({len(history.new)} new since {history.previous_as_of})"
        if history and history.previous_as_of
        else ""
    )
    yield (
        f"{len(result.orphans)} orphaned{new} of {len(result.identities)} identities in "
        f"{len(result.repositories)} repositories, {len(result.rejected)} rejected\n"
    )


def _reason(item: Resolved) -> str:
    away = [f"{p.email or p.reference} {p.state}" for p in item.people if p.state != "active"]
    return "; ".join([*item.rules, *away] if item.rules or away else ["no owner"])


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
            "decision",
        ]
    )
    review = sorted(
        (r for r in result.identities if r.state != "owned"),
        key=lambda r: (r.route_to, r.repository, r.path, r.line, r.identity),
    )
    for r in review:
        people = "; ".join(f"{p.email or p.reference} ({p.role}, {p.state})" for p in r.people)
        since = history.orphaned_since.get(r.key, "") if history else ""
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
                "",
            )
        )


def md(text: str) -> str:
    """Untrusted text for Markdown: no HTML, links, formatting, line breaks or @mentions."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False)).replace("@", "&#64;")


MARKDOWN_ROWS = 500  # a job summary holds 1 MiB; the CSV review sheet lists everything


def render_markdown(result: Aggregate, history: History | None = None) -> Iterator[str]:
    """A summary for people: one table per decider, at most MARKDOWN_ROWS orphans in all."""
    lines = [
        "# Orphaned non-human identities",
        "",
        f"{len(result.orphans)} orphaned of {len(result.identities)} identities in "
        f"{len(result.repositories)} repositories.",
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
            since = history.orphaned_since.get(o.key, "") if history else ""
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
