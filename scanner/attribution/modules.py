"""Module-author credit, the last step of attribution: a module instance is attributed to
whoever wrote the module call, and the module's own authors stay its contributors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from scanner.model import Attributed


def credit_module_authors(subjects: Iterable[Attributed]) -> tuple[Attributed, ...]:
    """An instance is attributed to the module call; the module's authors stay contributors."""
    subjects = tuple(subjects)
    by_id = {s.identity.id: s for s in subjects}
    result = []
    for subject in subjects:
        definition = by_id.get(str(subject.identity.attributes.get("defined_at")))
        if definition is not None:
            mine = subject.attribution.contributors
            seen = {p.email for p in mine}
            more = tuple(p for p in definition.attribution.contributors if p.email not in seen)
            attribution = dataclasses.replace(subject.attribution, contributors=(*mine, *more))
            subject = dataclasses.replace(subject, attribution=attribution)
        result.append(subject)
    return tuple(result)
