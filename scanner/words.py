"""Words for people: one place that counts things in English."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 identity`, `2 identities`: `many` defaults to `one` + s."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
