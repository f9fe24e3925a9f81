"""Organisation-scope waivers (#24): `.nhi-waivers.yaml` and inline entries for the rules only
the aggregator evaluates (NHI101-NHI104), and for NHI001 as the organisation sees it.

The repository's scan reports every waiver it read (`Report.waivers`); one for an org rule
"matches no finding" there. Here a waiver covers an org rule on an identity by the same
match as in the repository scope (rule id or `*`, identity id or path globs), and it is
honoured only when it has not expired, expires no later than the rule's `max_days` (policy,
default 365) from the run's date, and its owner is an active person or a team with an active
member in the roster. Each waiver that covers something but is not honoured is reported once.
Pure: the report, the rules that fired and the roster in, the rules left and notes out.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from scanner import globs
from scanner.model import Policy, Report, Waiver, WaiverState
from scanner.roster import Roster

USABLE = (WaiverState.ACTIVE, WaiverState.UNUSED, WaiverState.EXPIRED)  # valid waivers
DEFAULT_MAX_DAYS = 365


def judge(
    report: Report, rules: Mapping[str, set[str]], roster: Roster, policies: Sequence[Policy],
) -> tuple[dict[str, set[str]], tuple[str, ...]]:  # fmt: skip
    """The rules still standing per identity once honoured waivers are taken out, and one
    note per waiver that covers an org rule but is not honoured."""
    waivers = [s.waiver for s in report.waivers if s.status in USABLE]
    if not waivers:
        return dict(rules), ()
    paths = {s.identity.id: s.identity.path for s in report.subjects}
    limits = {p.id: p.max_days for p in policies}
    standing: dict[str, set[str]] = {}
    notes: dict[str, None] = {}
    for identity, fired in rules.items():
        left = set(fired)
        for rule in sorted(fired):
            covering = [w for w in waivers if _covers(w, rule, identity, paths.get(identity))]
            problems = [_problem(w, roster, limits.get(rule, DEFAULT_MAX_DAYS)) for w in covering]
            if covering and "" in problems:
                left.discard(rule)
            for waiver, problem in zip(covering, problems, strict=True):
                if problem:
                    name = report.repository.name
                    notes[f"{name}: {waiver.source}: {rule} on {identity}: {problem}"] = None
        standing[identity] = left
    return standing, tuple(notes)


def _covers(waiver: Waiver, rule: str, identity: str, path: str | None) -> bool:
    if "*" not in waiver.rules and rule not in waiver.rules:
        return False
    if waiver.identity is not None:
        return waiver.identity == identity
    return path is not None and any(globs.matches(p, path) for p in waiver.paths)


def _problem(waiver: Waiver, roster: Roster, max_days: int) -> str:
    """Why the aggregator does not honour this waiver ('' when it does)."""
    today = roster.as_of or datetime.date.today()
    expires = datetime.date.fromisoformat(waiver.expires)
    if expires < today:
        return f"expired on {waiver.expires}; not honoured"
    if (expires - today).days > max_days:
        return (f"expires {waiver.expires}, more than {max_days} days away (max_days); "
                "not honoured")  # fmt: skip
    state = roster.state(waiver.owner)
    if state != "active":
        what = "a team with no active member" if roster.is_team(waiver.owner) else state
        return f"its owner {waiver.owner} is {what}: it needs an active owner; not honoured"
    return ""
