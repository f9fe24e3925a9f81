"""Adoption (#24): an identity whose only problem is that its provisioner left (NHI101), and
that now has an active accountable owner (a CODEOWNERS rule or a declared owner naming an
active person, or a team with active members), is no orphan: it was handed over. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from scanner.aggregate.resolve import Resolved
from scanner.aggregate.review_model import ADOPTED, Handover, Key

PROVISIONER_LEFT = "NHI101"


def adopt(
    items: Iterable[Resolved], adopted_before: frozenset[Key]
) -> Iterator[Resolved | Handover]:
    """Each item, adopted when it qualifies, followed by its `Handover` (`first` when no
    earlier run recorded it: the new owner is told once)."""
    for item in items:
        handover = _handover(item, adopted_before)
        if handover is None:
            yield item
            continue
        yield dataclasses.replace(item, state=ADOPTED, route_to=handover.owners,
                                  why=handover.describe())  # fmt: skip
        yield handover


def _handover(item: Resolved, adopted_before: frozenset[Key]) -> Handover | None:
    if item.state != "orphaned" or item.rules != (PROVISIONER_LEFT,):
        return None
    owners = tuple(sorted({p.email or p.reference for p in item.people
                           if p.role == "owner" and p.state == "active"}))  # fmt: skip
    gone = next((p for p in item.people if p.role == "provisioner"), None)
    if not owners or gone is None:
        return None
    return Handover(repository=item.repository, identity=item.identity, name=item.name,
                    owners=owners, provisioner=gone.email or gone.reference,
                    left_on=gone.left_on, first=item.key not in adopted_before)  # fmt: skip
