"""Render an `Aggregate` (and the inventory's `History`, when there is one): text for people,
JSON for tools, CSV as an access review sheet, Markdown for a job summary or an issue."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable

from scanner.aggregate import Aggregate, PersonState, Resolved, gone
from scanner.inventory import History
from scanner.model import JSON

Renderer = Callable[[Aggregate, "History | None"], str]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _person(p: PersonState) -> dict[str, JSON]:
    return {"email": p.email, "state": p.state, "reference": p.reference, "role": p.role}


def to_json(result: Aggregate, history: History | None = None) -> dict[str, JSON]:
    since = history.orphaned_since if history else {}
    new = history.new if history else frozenset()
    return {
        "repositories": list(result.repositories),
        "summary": {
            "repositories": len(result.repositories),
            "identities": len(result.identities),
            "orphans": len(result.orphans),
            "new_orphans": len(new),
            "rejected": len(result.rejected),
            "previous_run": history.previous_as_of if history else None,
        },
        "orphans": [
            {
                "repository": o.repository,
                "identity": o.identity,
                "kind": o.kind,
                "name": o.name,
                "path": o.path,
                "line": o.line,
                "rules": list(o.rules),
                "people": [_person(p) for p in o.people],
                "route_to": list(o.route_to),
                "why": o.why,
                "orphaned_since": since.get(o.key),
                "new": o.key in new if history else None,
            }
            for o in result.orphans
        ],
        "identities": [
            {
                "repository": r.repository,
                "identity": r.identity,
                "kind": r.kind,
                "name": r.name,
                "path": r.path,
                "line": r.line,
                "state": r.state,
                "people": [_person(p) for p in r.people],
            }
            for r in result.identities
        ],
        "resolved": [
            {
                "repository": r.repository,
                "identity": r.identity,
                "kind": r.kind,
                "name": r.name,
                "path": r.path,
                "line": r.line,
                "orphaned_since": r.orphaned_since,
                "gone": r.gone,
            }
            for r in (history.resolved if history else ())
        ],
        "rejected": [{"source": source, "reason": reason} for source, reason in result.rejected],
    }


def render_json(result: Aggregate, history: History | None = None) -> str:
    """One key a line and one list item a line: readable, diffable, and written by json's C
    encoder (an indented dump goes through the pure-Python one, 4x slower at 500,000 items)."""
    document = to_json(result, history)
    parts = []
    for key, value in document.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            parts.append(f"  {name}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


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


def render_text(result: Aggregate, history: History | None = None) -> str:
    lines = []
    for orphan in result.orphans:
        people = ", ".join(f"{p.role} {p.email or p.reference} ({p.state})" for p in orphan.people)
        fresh = " NEW" if history and orphan.key in history.new else ""
        lines.append(
            f"{orphan.repository}: {orphan.path}:{orphan.line}: {orphan.kind} "
            f"{orphan.name} [{', '.join(orphan.rules)}]{fresh}"
        )
        lines.append(f"    people: {people or 'none'}")
        decider = ", ".join(orphan.route_to)
        lines.append(
            f"    decide: {decider} ({orphan.why})" if decider else f"    decide: {orphan.why}"
        )
        if note := since_note(orphan, history):
            lines.append(f"    {note}")
    for done in history.resolved if history else ():
        how = "no longer declared" if done.gone else "owned again"
        lines.append(
            f"resolved: {done.repository}: {done.path}:{done.line}: {done.kind} "
            f"{done.name} ({how}; orphaned since {done.orphaned_since})"
        )
    lines += [f"rejected: {source}: {reason}" for source, reason in result.rejected]
    new = (
        f" ({len(history.new)} new since {history.previous_as_of})"
        if history and history.previous_as_of
        else ""
    )
    lines.append(
        f"{len(result.orphans)} orphaned{new} of {len(result.identities)} identities in "
        f"{len(result.repositories)} repositories, {len(result.rejected)} rejected"
    )
    return "\n".join(lines) + "\n"


def _reason(item: Resolved) -> str:
    away = [f"{p.email or p.reference} {p.state}" for p in item.people if p.state != "active"]
    return "; ".join([*item.rules, *away] if item.rules or away else ["no owner"])


def safe_cell(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: quote them (OWASP CSV
    injection); names and paths come from the scanned repositories."""
    text = str(value)
    return f"'{text}" if text.startswith(_CSV_FORMULA) else text


def render_csv(result: Aggregate, history: History | None = None) -> str:
    """The access review sheet: one row per identity that needs a decision (orphaned, or with
    someone suspended or leaving), sorted by who must decide; the decision column is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
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
        writer.writerow(
            [
                safe_cell(v)
                for v in (
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
            ]
        )
    return out.getvalue()


def md(text: str) -> str:
    """Untrusted text for Markdown: no HTML, links, formatting, line breaks or @mentions."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False)).replace("@", "&#64;")


def render_markdown(result: Aggregate, history: History | None = None) -> str:
    """A summary for people: one table per decider."""
    lines = [
        "# Orphaned non-human identities",
        "",
        f"{len(result.orphans)} orphaned of {len(result.identities)} identities in "
        f"{len(result.repositories)} repositories.",
        "",
    ]
    by_decider: dict[tuple[str, ...], list[Resolved]] = {}
    for orphan in result.orphans:
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
    if result.rejected:
        lines += ["## Rejected reports", ""]
        lines += [f"- {md(source)}: {md(reason)}" for source, reason in result.rejected]
        lines.append("")
    return "\n".join(lines)


RENDERERS: dict[str, Renderer] = {
    "csv": render_csv,
    "json": render_json,
    "markdown": render_markdown,
    "text": render_text,
}
