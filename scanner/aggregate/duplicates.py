"""Cloned identities: principals declared alike, within and across repositories (#25).

Two principals are copies when they are of one kind, their names are one name once region,
environment and index suffixes are taken off (`settlement_lambda_euw1` is `settlement_lambda`;
module instances are named as their definition is, whatever the instance's name), and what
they can reach is the same once regions and account ids in the resources are left out (their
literal values). A
principal that reaches nothing is compared by nothing but its name, so it is never called a
copy. Each set of copies is judged by the organisation-scope info policy NHI105, addressed to
the owners the copies have in common. Pure: `Resolved` identities (with the "shape" facet of
`scanner.reach.shape`) in, `Duplicate` sets out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from scanner.model import JSON, Attributed, Attribution, Category, Finding, Identity, Policy
from scanner.policy import evaluate


class _Person(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def person(self) -> str: ...


class Resolved(Protocol):
    """What duplicate detection reads of `aggregate.resolve.Resolved` (which holds the sets
    this module finds, so it cannot be imported here)."""

    @property
    def repository(self) -> str: ...
    @property
    def identity(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def people(self) -> Sequence[_Person]: ...
    @property
    def facets(self) -> tuple[tuple[str, str, str], ...]: ...
    @property
    def key(self) -> tuple[str, str]: ...


RULE = "NHI105"


@dataclass(frozen=True, slots=True, kw_only=True)
class Duplicate:
    """One set of copies: the first declared (by repository, path, line) and its copies."""

    kind: str
    members: tuple[tuple[str, str], ...]  # (repository, identity), the original first
    described: tuple[str, ...]  # "settlement_lambda (us-east-1)", one per member
    differing: tuple[str, ...]  # the fields in which the copies differ
    to: tuple[str, ...]  # whom the finding is addressed to: the owners they have in common
    finding: Finding | None  # NHI105, unless a policy set without it was given


def find(identities: Sequence[Resolved], policies: Iterable[Policy]) -> tuple[Duplicate, ...]:
    """Every set of two or more identities with one shape (`Resolved.facets` "shape")."""
    groups: dict[str, list[Resolved]] = defaultdict(list)
    for r in identities:
        for facet, value, _ in r.facets:
            if facet == "shape":
                groups[value].append(r)
    chosen = [p for p in policies if p.id == RULE]
    sets = sorted((sorted(members, key=_position) for members in groups.values()
                   if len(members) > 1), key=lambda members: _position(members[0]))  # fmt: skip
    return tuple(_duplicate(members, chosen) for members in sets)


def links(found: Sequence[Duplicate]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """Each copy's `duplicate_of` facet: the original, and the fields that differ."""
    marked = {}
    for d in found:
        (repository, original), *copies = d.members
        for key in copies:
            marked[key] = ("duplicate_of", f"{repository}:{original}", ", ".join(d.differing))
    return marked


def _position(r: Resolved) -> tuple[str, str, int, str]:
    return r.repository, r.path, r.line, r.identity


def _name(r: Resolved) -> str:
    """The name, or for a module instance its address (`module.eu.aws_iam_role.this`)."""
    pointer = r.identity.partition("#")[2]
    return pointer if pointer.startswith("module.") else r.name


def _where(r: Resolved) -> str:
    facets = {facet: value for facet, value, _ in r.facets}
    return facets.get("region") or facets.get("environment") or r.repository


def _duplicate(members: list[Resolved], policies: Sequence[Policy]) -> Duplicate:
    described = tuple(f"{_name(r)} ({_where(r)})" for r in members)
    fields = {
        "name": [r.name for r in members],
        "repository": [r.repository for r in members],
        "path": [r.path for r in members],
        "module": [".".join(re.findall(r"module\.[\w-]+", r.identity)) for r in members],
        "region": [_facet(r, "region") for r in members],
        "environment": [_facet(r, "environment") for r in members],
    }
    differing = tuple(name for name, values in fields.items() if len(set(values)) > 1)
    to = _common(members)
    first = members[0]
    count = {2: "two", 3: "three"}.get(len(members), str(len(members)))
    noun = first.kind.rpartition("_")[2]
    subject = Attributed(
        identity=Identity(scanner="aggregate", kind=first.kind, category=Category.IDENTITY,
                          name=f"{count} identical {noun}s: {_joined(described)}",
                          path=first.path, line=first.line, end_line=first.line,
                          pointer=first.identity.partition("#")[2], anchor_line=first.line,
                          attributes={"duplicate_set": "true"}),
        attribution=Attribution(owners=to),
    )  # fmt: skip
    findings = evaluate(policies, [subject], scope="org")
    return Duplicate(kind=first.kind, members=tuple(r.key for r in members),
                     described=described, differing=differing, to=to,
                     finding=findings[0] if findings else None)  # fmt: skip


def _facet(r: Resolved, name: str) -> str:
    return next((value for facet, value, _ in r.facets if facet == name), "")


def _common(members: Sequence[Resolved]) -> tuple[str, ...]:
    """The owners every copy has; else the provisioners every copy has; else everyone's."""
    for role in ("owner", "provisioner"):
        sets = [{p.person for p in r.people if p.role == role} for r in members]
        if common := set.intersection(*sets):
            return tuple(sorted(common))
    return tuple(sorted({p.person for r in members for p in r.people if p.role != "installer"}))


def _joined(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# What the aggregate outputs show of a set (output.py calls these: one line each there).
def to_json(d: Duplicate) -> dict[str, JSON]:
    return {
        "rule": d.finding.rule if d.finding else RULE,
        "message": d.finding.message if d.finding else None,
        "to": list(d.to),
        "kind": d.kind,
        "members": [{"repository": r, "identity": i} for r, i in d.members],
        "described": list(d.described),
        "differing": list(d.differing),
    }


def text(d: Duplicate) -> str:
    message = d.finding.message if d.finding else _joined(d.described)
    return (f"duplicate: {', '.join(d.to) or 'nobody'}: {message} [{RULE}]\n"
            f"    differ in: {', '.join(d.differing) or 'nothing'}\n")  # fmt: skip


def review_row(d: Duplicate) -> tuple[str, ...]:
    """A row of the access review sheet (`render_csv`'s columns up to `why`; the decision
    columns are left empty), for the common owners."""
    repository, identity = d.members[0]
    message = d.finding.message if d.finding else _joined(d.described)
    return (" ".join(d.to), repository, identity, d.kind, message, "", "", "duplicate", RULE,
            "", "", f"differ in: {', '.join(d.differing)}")  # fmt: skip
