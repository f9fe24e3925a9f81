"""`nhi inventory` filters: one table, `FILTERS`, that the CLI's options and the SQL both come
from, so a new filter is one entry here (its option, its help, its condition). Outside
`scanner.aggregate` so that the CLI reads the table without importing the aggregator.

Every filter is a condition on `identities i` with its arguments; given filters are ANDed.
Conditions on what the inventory indexes besides its columns (reach labels and actions,
resources, environment, the day a declaration last changed, who decides) read the `facets`
table through its `(facet, value)` index, so each answers from the index at any size. The
facet rows of one identity come from `facet_rows`, written with the identity by `inventory`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.aggregate.resolve import Resolved

Condition = tuple[str, list[object]]


# The CLI builds its options from `FILTERS` at start, so what the conditions need is imported
# when a query runs (the vocabulary, the roster's alias rule), not when `nhi` starts.
def expand(service: str) -> tuple[str, ...]:
    from scanner.reach.services import expand

    return expand(service)


def canonical(name: str) -> str:
    from scanner.reach.environment import canonical

    return canonical(name)


def normalise(reference: str) -> str:
    from scanner.roster import normalise

    return normalise(reference)


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """One `nhi inventory` option: `value` is `"flag"`, `"int"` or `"text"`."""

    metavar: str
    help: str
    where: Callable[[object, datetime.date], Condition]  # (value, the inventory's day)
    value: str = "text"


def _facet(facet: str, values: list[str]) -> Condition:
    marks = ", ".join("?" for _ in values)
    args: list[object] = [facet, *values]
    return (f"(i.repository, i.identity) IN (SELECT repository, identity FROM facets "
            f"WHERE facet = ? AND value IN ({marks}))", args)  # fmt: skip


def _reach(value: object, _day: datetime.date) -> Condition:
    """`SERVICE` (and its aliases), `admin`, `all`; `SERVICE:ACTION` matches a whole service
    (`rds:*`), the action itself, or a pattern that covers it (`rds:describe*`)."""
    service, _, action = str(value).strip().lower().partition(":")
    if not action:
        return _facet("reach", list(expand(service)))
    parts, args = [], list[object]()
    for label in expand(service):
        parts.append("SELECT repository, identity FROM facets WHERE facet = 'action' "
                     "AND value >= ? AND value < ? AND ? GLOB value")  # fmt: skip
        args += [f"{label}:", f"{label};", f"{label}:{action}"]
    return f"(i.repository, i.identity) IN ({' UNION '.join(parts)})", args


def _people(role: str | None) -> Callable[[object, datetime.date], Condition]:
    """Identities whose `role` (any role: None) is the person any alias names."""

    def where(value: object, _day: datetime.date) -> Condition:
        key = normalise(str(value))
        by_role, args = ("role = ? AND ", [role]) if role else ("", [])
        return (f"(i.repository, i.identity) IN (SELECT repository, identity FROM people WHERE "
                f"{by_role}person IN (SELECT person FROM people WHERE person = ? OR email = ? "
                "OR lower(reference) = ?))", [*args, key, key, key])  # fmt: skip

    return where


def _unchanged(value: object, day: datetime.date) -> Condition:
    cutoff = (day - datetime.timedelta(days=int(str(value)))).isoformat()
    return ("(i.repository, i.identity) IN (SELECT repository, identity FROM facets "
            "WHERE facet = 'changed' AND value <= ?)", [cutoff])  # fmt: skip


FILTERS: dict[str, Filter] = {
    "person": Filter(metavar="EMAIL", help="Identities this person provisioned or owns.",
                     where=_people(None)),
    "owner": Filter(metavar="EMAIL", help="Identities this person (or team) owns.",
                    where=_people("owner")),
    "provisioner": Filter(metavar="EMAIL", help="Identities this person provisioned.",
                          where=_people("provisioner")),
    "decider": Filter(metavar="EMAIL", help="Identities routed to this person to decide.",
                      where=lambda v, _d: _facet("decider", [normalise(str(v))])),
    "kind": Filter(metavar="KIND", help="Only this kind (e.g. aws_iam_access_key).",
                   where=lambda v, _d: ("i.kind = ?", [v])),
    "repo": Filter(metavar="OWNER/NAME", help="Only this repository.",
                   where=lambda v, _d: ("i.repository = ?", [v])),
    "orphaned": Filter(metavar="", help="Only identities orphaned now.", value="flag",
                       where=lambda _v, _d: ("i.orphaned_since IS NOT NULL AND "
                                             "i.resolved_at IS NULL", [])),
    "reach": Filter(metavar="admin|all|SERVICE[:ACTION]", where=_reach,
                    help="Only identities able to act on SERVICE (aliases count: rds is also "
                    "rds-db and rds-data), or on ACTION of it; admin: everything."),
    "resource": Filter(metavar="TEXT", help="Only identities whose policies name a resource "
                       "containing TEXT (an ARN, a bucket, a cluster name).",
                       where=lambda v, _d: ("(i.repository, i.identity) IN (SELECT repository, "
                                            "identity FROM facets WHERE facet = 'resource' AND "
                                            "instr(lower(value), ?) > 0)", [str(v).lower()])),
    "environment": Filter(metavar="NAME", help="Only this environment (prod is production).",
                          where=lambda v, _d: _facet("environment", [canonical(str(v))])),
    "unchanged_for": Filter(metavar="DAYS", value="int", where=_unchanged,
                            help="Only identities whose declaration has not changed in DAYS "
                            "days (before the inventory's last run)."),
}  # fmt: skip


def conditions(filters: Mapping[str, object], day: datetime.date) -> Condition:
    """The WHERE clause (identities still declared, and every filter given) and its args."""
    where, args = ["i.gone_since IS NULL"], []
    for name, value in filters.items():
        if value is None or value is False:
            continue
        sql, more = FILTERS[name].where(value, day)
        where.append(sql)
        args += more
    return " AND ".join(where), args


def facet_rows(r: Resolved) -> Iterator[tuple[str, str, str, str, str]]:
    """The facets one identity is indexed by: its own (`Resolved.facets`), its reach labels
    and who decides."""
    for facet, value, evidence in r.facets:
        yield r.repository, r.identity, facet, value, evidence
    for label in r.reach:
        yield r.repository, r.identity, "reach", label, ""
    for person in r.route_to:
        yield r.repository, r.identity, "decider", normalise(person), ""
