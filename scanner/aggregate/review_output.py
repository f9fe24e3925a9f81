"""The review loop in the aggregator's outputs (#24): what was decided, what is waiting for a
revocation, who was handed what, which decisions lapsed, and what is new since the previous
run. `output` calls these for text, JSON and Markdown; the CSV sheet carries the decisions
in its own columns."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from scanner.aggregate.resolve import Aggregate, Resolved
from scanner.aggregate.review_model import ADOPTED, KEPT, REASSIGNED, REVOKING, Decision, Review
from scanner.model import JSON

DECIDED_STATES = (KEPT, REASSIGNED, REVOKING)


def lapsed(review: Review) -> list[str]:
    """'acme/infra: keep.tf#...: kept by carol@acme.example on ...: why' for each."""
    return [f"{r}: {i}: {why}" for (r, i), why in review.lapsed]


def _where(item: Resolved) -> str:
    return f"{item.repository}: {item.path}:{item.line}: {item.kind} {item.name}"


def text(result: Aggregate) -> Iterator[str]:
    """Lines for the text output, before its summary line."""
    review = result.review
    if review is None:
        return
    for item in result.identities:
        if item.state == REVOKING:
            why = item.why.removeprefix("revocation pending: ")
            decide = f"; decide: {', '.join(item.route_to)}" if item.route_to else ""
            yield f"revocation pending: {_where(item)} ({why}{decide})\n"
        elif item.state in (KEPT, REASSIGNED):
            yield f"decided: {_where(item)}: {item.why}\n"
    handed = {h.key: h for h in review.handovers if h.first}
    for item in result.identities:
        if item.state == ADOPTED and item.key in handed:
            yield f"handover: {_where(item)}: {', '.join(item.route_to)}: {item.why}\n"
    for line in lapsed(review):
        yield f"lapsed: {line}\n"
    for line in review.waivers:
        yield f"waiver: {line}\n"
    yield from _new(result, review)


def _new(result: Aggregate, review: Review) -> Iterator[str]:
    if review.first_run:
        yield f"first run: {len(result.identities)} identities recorded in the inventory\n"
        return
    states = {item.key: item for item in result.identities}
    for key in review.new:
        item = states[key]
        reach = f", reach {' '.join(item.reach)}" if item.reach else ""
        yield f"new: {_where(item)} ({item.state}{reach})\n"


def markdown(result: Aggregate, md: Callable[[str], str]) -> list[str]:
    """Sections for the Markdown summary; `md` makes scanned text inert."""
    review = result.review
    if review is None:
        return []
    rows = {
        "Decided": [f"{_md_where(i, md)}: {md(i.why)}" for i in result.identities
                    if i.state in DECIDED_STATES],
        "Handed over": [f"{_md_where(i, md)}: {md(', '.join(i.route_to))}: {md(i.why)}"
                        for i in result.identities if i.state == ADOPTED],
        "Decisions that no longer hold": [md(line) for line in lapsed(review)],
        "Waivers not honoured": [md(line) for line in review.waivers],
        "New since the previous run": [] if review.first_run else [
            f"{md(r)}: {md(i)}" for r, i in review.new[:MARKDOWN_NEW]],
    }  # fmt: skip
    lines: list[str] = []
    for title, items in rows.items():
        if items:
            lines += [f"## {title}", "", *(f"- {item}" for item in items), ""]
    return lines


MARKDOWN_NEW = 500  # a job summary holds 1 MiB


def _md_where(item: Resolved, md: Callable[[str], str]) -> str:
    return f"{md(item.repository)}: {md(item.kind)} {md(item.name)} at {md(item.path)}:{item.line}"


def resolved_how(result: Aggregate) -> dict[tuple[str, str], str]:
    """What resolved each orphan this run resolved (a decision, a handover...)."""
    return dict(result.review.resolved) if result.review else {}


def _decision(d: Decision) -> dict[str, JSON]:
    return {"repository": d.repository, "identity": d.identity, "decision": d.action,
            "reassign_to": d.assign_to or None, "decided_by": d.decided_by,
            "decided_on": d.decided_on, "note": d.note}  # fmt: skip


def json_section(result: Aggregate) -> dict[str, JSON]:
    """The JSON output's `review` key."""
    review = result.review or Review()
    return {
        "decisions": [_decision(d) for d in review.decisions],
        "problems": list(review.problems),
        "lapsed": list[JSON](lapsed(review)),
        "handovers": [
            {
                "repository": h.repository,
                "identity": h.identity,
                "owners": list(h.owners),
                "provisioner": h.provisioner,
                "left_on": h.left_on,
                "first": h.first,
                "message": h.describe(),
            }
            for h in review.handovers
        ],
        "waivers": list(review.waivers),
        "new": [{"repository": r, "identity": i} for r, i in review.new],
        "resolved": [
            {"repository": r, "identity": i, "by": how} for (r, i), how in review.resolved
        ],
        "first_run": review.first_run,
    }


def sheet_cells(result: Aggregate) -> Callable[[Resolved], tuple[str, str, str, str]]:
    """The review sheet's decision, reassign_to, decided_by and decided_on for a row: the
    decision in force, so that the sheet given back changes nothing."""
    decided = {d.key: d for d in (result.review.decisions if result.review else ())}

    def cells(item: Resolved) -> tuple[str, str, str, str]:
        d = decided.get(item.key)
        if d is None or item.state not in DECIDED_STATES:
            return "", "", "", ""
        return d.action, d.assign_to, d.decided_by, d.decided_on

    return cells
