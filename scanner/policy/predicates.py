"""The closed vocabulary of policy conditions: one pure function per predicate, in one table.

A predicate answers one question about an attributed identity. Org-scope predicates ask a
`Directory` (the aggregator's merged IdP rosters) about people; in a repository scan there is
none, and org-scope policies are not evaluated. `schema.json` lists the same names, and a test
keeps the two tables equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from scanner import globs
from scanner.model import JSON, Attributed, Policy


class Directory(Protocol):
    """People and their states: `active`, `suspended`, `departed`, `not_started`, `leaving`,
    `unknown`. A team's state is `departed` when it has no active member."""

    def state(self, person: str) -> str: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What predicates may consult beyond the subject itself."""

    directory: Directory | None = None
    waiver_owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # by identity id


Predicate = Callable[[Attributed, Mapping[str, JSON], Context], bool]


def _strings(value: JSON) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def kind_in(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    return subject.identity.kind in _strings(args["kinds"])


def category_in(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    return subject.identity.category.value in _strings(args["categories"])


def attribute_equals(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    name = str(args["name"])
    return (
        name in subject.identity.attributes and subject.identity.attributes[name] == args["value"]
    )


def attribute_matches(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    value = subject.identity.attributes.get(str(args["name"]))
    return isinstance(value, str) and re.search(str(args["pattern"]), value) is not None


def attribute_at_least(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    """A number of days (or any count) the subject carries, at or past a threshold (#26)."""
    value = subject.identity.attributes.get(str(args["name"]))
    limit = args["value"]
    return (isinstance(value, int) and not isinstance(value, bool) and isinstance(limit, int)
            and value >= limit)  # fmt: skip


def observed_in(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    """What a cloud or GitHub export says of the identity (#26): `live`, `not_live`,
    `undeclared`, `unreferenced`, `unsatisfied`. A policy using it runs where exports are
    (`needs_exports`), never on a repository's own identities."""
    return subject.identity.attributes.get("observed") in _strings(args["states"])


def needs_exports(policy: Policy) -> bool:
    """Whether the policy judges what an export says (`observed_in` among its conditions)."""
    return any(condition.predicate == "observed_in" for condition in policy.when)


def attribute_exists(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    return subject.identity.attributes.get(str(args["name"])) is not None


def path_matches(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    return any(
        globs.matches(pattern, subject.identity.path) for pattern in _strings(args["patterns"])
    )


def owners_empty(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    return not subject.attribution.owners


def declared_owners_empty(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    return not subject.identity.declared_owners


def provisioner_missing(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    return subject.attribution.provisioner is None


def provisioner_confidence_in(
    subject: Attributed, args: Mapping[str, JSON], context: Context
) -> bool:
    provisioner = subject.attribution.provisioner
    return provisioner is not None and provisioner.confidence in _strings(args["levels"])


def uncommitted(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    provisioner = subject.attribution.provisioner
    return provisioner is not None and provisioner.uncommitted


def _state(context: Context, person: str) -> str | None:
    return None if context.directory is None else context.directory.state(person)


def provisioner_state_in(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    provisioner = subject.attribution.provisioner
    return provisioner is not None and _state(context, provisioner.email) in _strings(
        args["states"]
    )


def owners_all_state_in(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    owners = subject.attribution.owners or subject.identity.declared_owners
    states = _strings(args["states"])
    return bool(owners) and all(_state(context, owner) in states for owner in owners)


def person_state_in(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    provisioner = subject.attribution.provisioner
    # An unknown provisioner (outside git, a failed blame) has no email: it names nobody.
    people = [*subject.attribution.owners, *([provisioner.email] if provisioner and
                                             provisioner.email else [])]  # fmt: skip
    return any(_state(context, person) in _strings(args["states"]) for person in people)


def waiver_owner_state_in(subject: Attributed, args: Mapping[str, JSON], context: Context) -> bool:
    owners = context.waiver_owners.get(subject.identity.id, ())
    return any(_state(context, owner) in _strings(args["states"]) for owner in owners)


PREDICATES: dict[str, Predicate] = {
    "kind_in": kind_in,
    "category_in": category_in,
    "attribute_equals": attribute_equals,
    "attribute_matches": attribute_matches,
    "attribute_exists": attribute_exists,
    "attribute_at_least": attribute_at_least,
    "observed_in": observed_in,
    "path_matches": path_matches,
    "owners_empty": owners_empty,
    "declared_owners_empty": declared_owners_empty,
    "provisioner_missing": provisioner_missing,
    "provisioner_confidence_in": provisioner_confidence_in,
    "uncommitted": uncommitted,
    "provisioner_state_in": provisioner_state_in,
    "owners_all_state_in": owners_all_state_in,
    "person_state_in": person_state_in,
    "waiver_owner_state_in": waiver_owner_state_in,
}
