"""The review loop's stage of an aggregator run (#24): decisions (from `--decisions` files and
the ones earlier runs recorded in the inventory) and handovers change the state of the
identities they settle, and what happened is a `Review` on the `Aggregate`. Pure: the files
are read by `decisions.load`, the inventory by `changes.stored`.

States: a keep makes an identity `kept` until its attestation expires (`--attest-days`) or
its people change; a reassign makes it `reassigned` (the assignee is its owner) until the
repository names other people or the assignee leaves; a revoke makes it `revoking`
("revocation pending") until it disappears from its repository, when it is resolved.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scanner.aggregate import decisions
from scanner.aggregate.adoption import adopt
from scanner.aggregate.resolve import Aggregate, PersonState, Resolved
from scanner.aggregate.review_model import (
    KEEP,
    REASSIGN,
    REVOKE,
    STATE_OF,
    Decision,
    Handover,
    Key,
    Review,
)
from scanner.roster import Roster


@dataclass(frozen=True, slots=True, kw_only=True)
class Stored:
    """What the inventory knew before this run (`changes.stored`)."""

    decisions: tuple[Decision, ...] = ()  # every decision recorded, oldest first
    gone: dict[Key, str] = field(default_factory=dict)  # identity -> gone since
    adopted: frozenset[Key] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The run's rules for decisions."""

    as_of: datetime.date
    attest_days: int = 90
    reviewers: tuple[str, ...] = ()


def apply(result: Aggregate, roster: Roster, settings: Settings, rows: Sequence[Decision],
          problems: Sequence[str], stored: Stored) -> Aggregate:  # fmt: skip
    """The aggregate with decisions and handovers applied; `review` says what happened."""
    latest: dict[Key, Decision] = {}
    for recorded in stored.decisions:
        latest[recorded.key] = _later(latest.get(recorded.key), recorded)
    given, messages = _given(result, roster, settings, rows, stored, latest)
    for row in given:
        latest[row.key] = _later(latest.get(row.key), row)
    items, in_force, lapsed = [], [], []
    for item in result.identities:
        decision = latest.get(item.key)
        why = _lapsed(decision, item, roster, settings) if decision else "n/a"
        if decision is not None and why:
            lapsed.append((item.key, f"{decision.describe()}: {why}"))
        if decision is None or why:
            items.append(item)
            continue
        in_force.append(decision)
        items.append(_decided(item, decision, roster, settings.attest_days))
    adopted = list(adopt(items, stored.adopted))
    identities = tuple(i for i in adopted if isinstance(i, Resolved))
    handovers = tuple(h for h in adopted if isinstance(h, Handover))
    review = Review(decisions=tuple(sorted(in_force, key=lambda d: d.key)),
                    given=tuple(given), problems=(*problems, *messages), lapsed=tuple(lapsed),
                    handovers=handovers,
                    waivers=result.review.waivers if result.review else ())  # fmt: skip
    orphans = sorted((i for i in identities if i.state == "orphaned"),
                     key=lambda o: (o.route_to, o.repository, o.path, o.line))  # fmt: skip
    return dataclasses.replace(result, identities=identities, orphans=tuple(orphans),
                               review=review)  # fmt: skip


def _given(
    result: Aggregate, roster: Roster, settings: Settings, rows: Sequence[Decision],
    stored: Stored, latest: dict[Key, Decision],
) -> tuple[list[Decision], list[str]]:  # fmt: skip
    """The file rows that may be applied (an unchanged row an earlier run recorded comes back
    as that record), and one message per row that may not."""
    by_key = {item.key: item for item in result.identities}
    recorded = {_same(d): d for d in stored.decisions}
    messages: list[str] = []
    given: list[Decision] = []
    seen: dict[Key, Decision] = {}
    for row in rows:
        item = by_key.get(row.key)
        earlier = latest.get(row.key)
        why = decisions.check(
            row, item, roster, reviewers=settings.reviewers, as_of=settings.as_of,
            attest_days=settings.attest_days, gone=stored.gone,
            reported=frozenset(result.repositories),
            assigned=earlier.assign_to if earlier else "",
        )  # fmt: skip
        if item is None or why:
            messages.append(f"{row.source}: {row.identity}: {why}")
            continue
        if row.key in seen and _same(seen[row.key]) != _same(row):
            messages.append(f"{row.source}: {row.identity}: decided again (also at "
                            f"{seen[row.key].source}); the later decided_on counts")  # fmt: skip
        seen[row.key] = row
        given.append(recorded.get(_same(row)) or dataclasses.replace(
            row, people=decisions.fingerprint(item, row.action)))  # fmt: skip
    return given, messages


def _same(d: Decision) -> tuple[str, ...]:
    """What makes two rows one decision: the inventory records each once (idempotent)."""
    return d.repository, d.identity, d.action, d.decided_by, d.decided_on, d.assign_to


def _later(current: Decision | None, new: Decision) -> Decision:
    return new if current is None or new.decided_on >= current.decided_on else current


def _lapsed(decision: Decision, item: Resolved, roster: Roster, settings: Settings) -> str:
    """Why an earlier decision no longer holds ('' while it does)."""
    if decision.action == REVOKE:
        return ""  # pending until the identity is gone
    if decision.action == KEEP and item.state == "owned":
        return ""  # nothing to keep: said by `_decided`
    if decision.people != decisions.fingerprint(item, decision.action):
        return ("its people changed since: decide again" if decision.action == KEEP
                else "the repository names other people since")  # fmt: skip
    if decision.action == KEEP and decisions.until(decision, settings.attest_days) < settings.as_of:
        end = decisions.until(decision, settings.attest_days).isoformat()
        return f"the attestation expired on {end}: decide again"
    state = roster.state(decision.assign_to) if decision.action == REASSIGN else "active"
    if state not in ("active", "leaving"):
        return f"{decision.assign_to} is {state} now: decide again"
    return ""


def _decided(item: Resolved, decision: Decision, roster: Roster, attest_days: int) -> Resolved:
    if decision.action == KEEP and item.state == "owned":
        return item
    why = decision.describe()
    route = item.route_to
    people: Iterable[PersonState] = item.people
    if decision.action == KEEP:
        why, route = f"{why}, until {decisions.until(decision, attest_days).isoformat()}", ()
    elif decision.action == REASSIGN:
        found = roster.person(decision.assign_to)
        route = (found.primary if found else decision.assign_to,)
        people = [*item.people, PersonState(
            reference=decision.assign_to, role="owner", state=roster.state(decision.assign_to),
            email=found.primary if found else None)]  # fmt: skip
    else:
        why = f"revocation pending: {why}"
    return dataclasses.replace(item, state=STATE_OF[decision.action], route_to=route, why=why,
                               people=tuple(people))  # fmt: skip
