"""What `nhi inventory` answers are made of: an identity as the inventory knows it (`Entry`,
for text and CSV) and its JSON answer (`Answer`). Its own module so that the inventory and its
renderers (`inventory_output`) both name them without importing each other."""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    """One identity as the inventory knows it. A named tuple, not a frozen dataclass: a broad
    question builds 100,000 of them, and a dataclass's 18 `object.__setattr__` calls made
    that 0.5 s of a 3 s answer (#25)."""

    repository: str
    identity: str
    kind: str
    name: str
    path: str
    line: int
    state: str
    rules: tuple[str, ...]
    route_to: tuple[str, ...]
    people: tuple[tuple[str, str, str | None, str], ...]  # (reference, role, email, state)
    first_seen: str
    last_seen: str
    orphaned_since: str | None
    resolved_at: str | None
    gone_since: str | None
    reach: tuple[str, ...] = ()
    # (direction "from"/"to", relation, the other repository, the other identity, evidence)
    links: tuple[tuple[str, str, str, str, str], ...] = ()
    # (facet, value, evidence): environment, resources, last change... (aggregate.query)
    facets: tuple[tuple[str, str, str], ...] = ()


class Answer(NamedTuple):
    """One answer of `query` as its JSON object (`inventory_output.answer_text`)."""

    repository: str
    identity: str
    state: str
    text: str
