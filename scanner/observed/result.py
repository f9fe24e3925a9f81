"""What `--observed` adds to an aggregator run: the exports read, and every joined pair with the
policies that fired on it and who must decide (`stage.observe` builds it; `render` and `store`
read it). Kept apart from the stage so the aggregate can hold one without importing it."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.observed.join import Joined
from scanner.observed.model import Observed


@dataclass(frozen=True, slots=True, kw_only=True)
class Export:
    """One export that was read."""

    source: str
    format: str
    exported: str | None  # its own date, when it carries one
    items: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Seen:
    """One joined pair, judged and routed."""

    state: str  # live, not_live, undeclared, unreferenced, unsatisfied (see join)
    repository: str  # "" for what no repository declares (an organisation secret: its owner)
    identity: str  # the declared id, else "<provider>:<scope>:<kind>/<name>"
    kind: str
    name: str
    path: str  # where it is declared ("" when undeclared)
    line: int
    pair: Joined  # what was matched with what
    unused_days: int | None  # from the last use (or creation, never used) to the export's date
    key_age_days: int | None  # from creation or last rotation to the export's date
    rules: tuple[str, ...]
    route_to: tuple[str, ...]
    why: str

    @property
    def key(self) -> tuple[str, str]:
        return self.repository, self.identity

    @property
    def how(self) -> str:
        """How the match was made, or why there is none."""
        return self.pair.how

    @property
    def observed(self) -> Observed | None:
        return self.pair.observed


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """What `--observed` added to a run."""

    exports: tuple[Export, ...]
    seen: tuple[Seen, ...]  # sorted: findings first, by rule, repository, identity
    rejected: tuple[tuple[str, str], ...] = ()  # exports that could not be used, and why

    @property
    def findings(self) -> tuple[Seen, ...]:
        return tuple(s for s in self.seen if s.rules)
