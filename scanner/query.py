"""`nhi inventory` filters: one table, `FILTERS`, that the CLI's options and the SQL both come
from, so a new filter is one entry here (its option, its help, its condition). Outside
`scanner.aggregate` so that the CLI reads the table without importing the aggregator.

Every filter is a `Match`: rows of one table keyed by (repository, identity); given filters
are ANDed. What the inventory indexes besides its columns (reach labels and actions,
resources, environment, the day a declaration last changed, who decides) is in the `facets`
table, read through its `(facet, value)` index; the narrowest filter drives the query
(`conditions`), so a question answers from the indexes at any size (bench/inventory_queries.py). The
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


@dataclass(frozen=True, slots=True)
class Match:
    """What one filter asks: rows of `table` (`facets`, `people`, or `identities` itself)
    keyed by (repository, identity) for which `predicate` holds."""

    table: str
    predicate: str
    args: list[object]

    def keys(self) -> str:
        return f"SELECT repository, identity FROM {self.table} WHERE {self.predicate}"

    def check(self) -> str:
        """The same question asked of one identity `i` (an index lookup per identity)."""
        if self.table == "identities":
            return f"({self.predicate})"
        # Named, since without statistics SQLite may prefer the (facet, value) index and
        # scan a whole facet for every identity.
        return (f"EXISTS (SELECT 1 FROM {self.table} INDEXED BY {self.table}_by_identity "
                f"WHERE repository = i.repository AND identity = i.identity AND "
                f"{self.predicate})")  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """One `nhi inventory` option: `value` is `"flag"`, `"int"` or `"text"`."""

    metavar: str
    help: str
    match: Callable[[object, datetime.date], Match]  # (value, the inventory's day)
    value: str = "text"


def _facet(facet: str, values: list[str]) -> Match:
    marks = ", ".join("?" for _ in values)
    return Match("facets", f"facet = ? AND value IN ({marks})", [facet, *values])


def _reach(value: object, _day: datetime.date) -> Match:
    """`SERVICE` (and its aliases), `admin`, `all`; `SERVICE:ACTION` matches a whole service
    (`rds:*`), the action itself, or a pattern that covers it (`rds:describe*`), in that
    service's namespace only."""
    service, _, action = str(value).strip().lower().partition(":")
    if not action:
        return _facet("reach", list(expand(service)))
    # An action is one IAM namespace's: rds-data:ExecuteStatement is not rds:*'s.
    return Match("facets", "facet = 'action' AND value >= ? AND value < ? AND ? GLOB value",
                 [f"{service}:", f"{service};", f"{service}:{action}"])  # fmt: skip


def _people(role: str | None) -> Callable[[object, datetime.date], Match]:
    """Identities whose `role` (any role: None) is the person any alias names."""

    def match(value: object, _day: datetime.date) -> Match:
        key = normalise(str(value))
        by_role, args = ("role = ? AND ", [role]) if role else ("", [])
        return Match("people", f"{by_role}person IN (SELECT person FROM aliases WHERE alias = ?)",
                     [*args, key])  # fmt: skip

    return match


def _unchanged(value: object, day: datetime.date) -> Match:
    cutoff = (day - datetime.timedelta(days=int(str(value)))).isoformat()
    return Match("facets", "facet = 'changed' AND value <= ?", [cutoff])


FILTERS: dict[str, Filter] = {
    "person": Filter(metavar="EMAIL", help="Identities this person provisioned or owns.",
                     match=_people(None)),
    "owner": Filter(metavar="EMAIL", help="Identities this person (or team) owns.",
                    match=_people("owner")),
    "provisioner": Filter(metavar="EMAIL", help="Identities this person provisioned.",
                          match=_people("provisioner")),
    "decider": Filter(metavar="EMAIL", help="Identities routed to this person to decide.",
                      match=lambda v, _d: _facet("decider", [normalise(str(v))])),
    "kind": Filter(metavar="KIND", help="Only this kind (e.g. aws_iam_access_key).",
                   match=lambda v, _d: Match("identities", "kind = ?", [v])),
    "repo": Filter(metavar="OWNER/NAME", help="Only this repository.",
                   match=lambda v, _d: Match("identities", "repository = ?", [v])),
    "orphaned": Filter(metavar="", help="Only identities orphaned now.", value="flag",
                       match=lambda _v, _d: Match("identities", "orphaned_since IS NOT NULL "
                                                  "AND resolved_at IS NULL", [])),
    "reach": Filter(metavar="admin|all|SERVICE[:ACTION]", match=_reach,
                    help="Only identities able to act on SERVICE (aliases count: rds is also "
                    "rds-db and rds-data), or on ACTION of it; admin: everything."),
    "resource": Filter(metavar="TEXT", help="Only identities whose policies name a resource "
                       "containing TEXT (an ARN, a bucket, a cluster name).",
                       match=lambda v, _d: Match("facets", "facet = 'resource' AND "
                                                 "instr(lower(value), ?) > 0", [str(v).lower()])),
    "environment": Filter(metavar="NAME", help="Only this environment (prod is production).",
                          match=lambda v, _d: _facet("environment", [canonical(str(v))])),
    "unchanged_for": Filter(metavar="DAYS", value="int", match=_unchanged,
                            help="Only identities whose declaration has not changed in DAYS "
                            "days (before the inventory's last run)."),
    # The `observed` table: what the last run's --observed exports said (#26).
    "unused_for": Filter(metavar="DAYS", value="int", help="Only identities an --observed "
                         "export showed live and unused for DAYS days or more.",
                         match=lambda v, _d: Match("observed", "live AND unused_days >= ?",
                                                   [int(str(v))])),
}  # fmt: skip

# Counting a filter's rows stops here: enough to tell a narrow filter from a broad one.
ESTIMATE_CAP = 20_000


def conditions(filters: Mapping[str, object], day: datetime.date,
               count: Callable[[str, list[object]], int]) -> Condition:  # fmt: skip
    """The WHERE clause over `identities i` (still declared, and every filter given) and its
    args. The narrowest filter (by `count`, capped) names the candidates through its index;
    each other one is checked per candidate, through the (repository, identity) indexes."""
    matches = [FILTERS[name].match(value, day) for name, value in filters.items()
               if value is not None and value is not False]  # fmt: skip
    where, args = ["i.gone_since IS NULL"], list[object]()
    if matches:  # one filter needs no estimate
        sizes = [count(f"SELECT count(*) FROM ({m.keys()} LIMIT {ESTIMATE_CAP})", m.args)
                 for m in matches] if len(matches) > 1 else [0]  # fmt: skip
        driver = matches.pop(sizes.index(min(sizes)))
        where.append(f"(i.repository, i.identity) IN ({driver.keys()})")
        args += driver.args
    for m in matches:
        where.append(m.check())
        args += m.args
    return " AND ".join(where), args


def facet_rows(r: Resolved) -> Iterator[tuple[str, str, str, str, str]]:
    """The facets one identity is indexed by: its own (`Resolved.facets`), its reach labels
    and who decides."""
    for facet, value, evidence in r.facets:
        if facet != "shape":  # only the aggregator's duplicate detection reads it
            yield r.repository, r.identity, facet, value, evidence
    for label in r.reach:
        yield r.repository, r.identity, "reach", label, ""
    for person in r.route_to:
        yield r.repository, r.identity, "decider", normalise(person), ""
