"""Render an `Aggregate`: text for people, JSON for tools, CSV as an access review sheet."""

from __future__ import annotations

import csv
import io
import json

from scanner.aggregate import Aggregate
from scanner.model import JSON


def to_json(result: Aggregate) -> dict[str, JSON]:
    return {
        "repositories": list(result.repositories),
        "identities": result.identities,
        "orphans": [
            {
                "repository": o.repository, "identity": o.identity, "kind": o.kind,
                "name": o.name, "path": o.path, "line": o.line, "rules": list(o.rules),
                "people": [{"reference": p.reference, "role": p.role, "email": p.email,
                            "state": p.state} for p in o.people],
                "route_to": list(o.route_to), "why": o.why,
            }
            for o in result.orphans
        ],
        "rejected": [{"source": source, "reason": reason} for source, reason in result.rejected],
    }  # fmt: skip


def render_json(result: Aggregate) -> str:
    return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"


def render_text(result: Aggregate) -> str:
    lines = []
    for orphan in result.orphans:
        people = ", ".join(f"{p.role} {p.email or p.reference} ({p.state})" for p in orphan.people)
        lines.append(
            f"{orphan.repository}: {orphan.path}:{orphan.line}: {orphan.kind} "
            f"{orphan.name} [{', '.join(orphan.rules)}]"
        )
        lines.append(f"    people: {people or 'none'}")
        lines.append(f"    decide: {', '.join(orphan.route_to) or 'nobody'} ({orphan.why})")
    lines += [f"rejected: {source}: {reason}" for source, reason in result.rejected]
    lines.append(
        f"{len(result.orphans)} orphaned of {result.identities} identities in "
        f"{len(result.repositories)} repositories, {len(result.rejected)} rejected"
    )
    return "\n".join(lines) + "\n"


def render_csv(result: Aggregate) -> str:
    """One row per orphan, sorted by who must decide, with an empty decision column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["decider", "repository", "identity", "kind", "path", "line", "rules",
                     "people", "why", "decision"])  # fmt: skip
    for o in result.orphans:
        people = "; ".join(f"{p.email or p.reference} ({p.role}, {p.state})" for p in o.people)
        writer.writerow([" ".join(o.route_to), o.repository, o.identity, o.kind, o.path, o.line,
                         " ".join(o.rules), people, o.why, ""])  # fmt: skip
    return out.getvalue()


RENDERERS = {"csv": render_csv, "json": render_json, "text": render_text}
